#!/usr/bin/env python3
"""Write captures/facts.json: what tshark (and capinfos) report for every fixture.

usage: facts.py CAPTURE_DIR OUT_JSON

Every number here comes from tshark's PDML output for the file (frame numbers are
tshark's frame.number), run with the options in TSHARK_OPTS; file-level facts
(format, link types per interface, snap length) come from the capture file header
/ interface description blocks and from capinfos.  The key layout is documented
at the top of captures/README.md.
"""
import datetime
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

# try_heuristic_first: a ClientHello sent to a port tshark maps to another
# protocol (not-tls.pcapng: TLS to port 80) is still decoded as TLS, as tlsdiag
# decodes by content. It changes nothing else in these fixtures.
TSHARK_OPTS = ["-d", "tcp.port==6050,http", "-o", "tcp.reassemble_out_of_order:TRUE", "-o", "tcp.try_heuristic_first:TRUE"]
HEADERS_OPTS = ["-o", "http.desegment_body:FALSE"]
HRR_RANDOM = "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"
HS_TYPES = {0: "hello_request", 1: "client_hello", 2: "server_hello", 4: "new_session_ticket",
            8: "encrypted_extensions", 11: "certificate", 12: "server_key_exchange",
            13: "certificate_request", 14: "server_hello_done", 15: "certificate_verify",
            16: "client_key_exchange", 20: "finished"}
ALERTS = {0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 22: "record_overflow",
          40: "handshake_failure", 42: "bad_certificate", 43: "unsupported_certificate",
          44: "certificate_revoked", 45: "certificate_expired", 46: "certificate_unknown",
          47: "illegal_parameter", 48: "unknown_ca", 49: "access_denied", 50: "decode_error",
          51: "decrypt_error", 70: "protocol_version", 71: "insufficient_security",
          80: "internal_error", 86: "inappropriate_fallback", 90: "user_canceled",
          109: "missing_extension", 110: "unsupported_extension", 112: "unrecognized_name",
          116: "certificate_required", 120: "no_application_protocol"}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}
QTYPES = {1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX", 16: "TXT", 28: "AAAA",
          33: "SRV", 65: "HTTPS"}
LINKTYPES = {0: "null", 1: "ether", 101: "raw", 113: "linux-sll", 239: "nflog", 276: "linux-sll2"}
TCP_FLAGS = ["retransmission", "spurious_retransmission", "fast_retransmission", "out_of_order",
             "lost_segment", "ack_lost_segment", "duplicate_ack", "keep_alive", "zero_window",
             "window_full", "window_update", "reused_ports"]


def hex4(v):
    return "0x%04x" % int(v, 0)


def tshark_pdml(path, extra):
    p = subprocess.run(["tshark", "-r", path, "-T", "pdml"] + TSHARK_OPTS + extra,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = p.stdout.decode("utf-8", "replace")
    err = "\n".join(l for l in p.stderr.decode().splitlines()
                    if l.strip() and "could be dangerous" not in l).replace(path, os.path.basename(path))
    try:
        root = ET.fromstring(out)
    except ET.ParseError:
        cut = out.rfind("</packet>")
        root = ET.fromstring(out[:cut + len("</packet>")] + "\n</pdml>\n" if cut >= 0 else
                             "<pdml></pdml>")
    return root, err


def fld(elem, name):
    return [f for f in elem.iter("field") if f.get("name") == name]


def show(elem, name, default=None):
    for f in elem.iter("field"):
        if f.get("name") == name:
            return f.get("show")
    return default


def shows(elem, name):
    return [f.get("show") for f in fld(elem, name)]


def rfc3339(epoch):
    sec, _, frac = epoch.partition(".")
    frac = (frac + "000000")[:6]
    t = datetime.datetime.fromtimestamp(int(sec), datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + "." + frac + "Z"


def cert_info(hexder):
    der = bytes.fromhex(hexder)
    p = subprocess.run(["openssl", "x509", "-inform", "der", "-noout", "-subject", "-issuer",
                        "-startdate", "-enddate", "-fingerprint", "-sha256", "-nameopt", "RFC2253"],
                       input=der, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        return {"parse_error": True, "der_length": len(der)}
    d = {}
    for line in p.stdout.decode().splitlines():
        k, _, v = line.partition("=")
        d[k.strip()] = v.strip()

    def date(s):
        return datetime.datetime.strptime(s, "%b %d %H:%M:%S %Y GMT").strftime("%Y-%m-%dT%H:%M:%SZ")

    fp = [v for k, v in d.items() if "Fingerprint" in k][0]
    return {"subject": d["subject"], "issuer": d["issuer"], "not_before": date(d["notBefore"]),
            "not_after": date(d["notAfter"]), "self_signed": d["subject"] == d["issuer"],
            "sha256": fp.replace(":", "").lower(), "der_length": len(der)}


# ------------------------------------------------------------------ file header
def file_header(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    pcap = {b"\xd4\xc3\xb2\xa1": ("<", "pcap", "usec"), b"\xa1\xb2\xc3\xd4": (">", "pcap", "usec"),
            b"\x4d\x3c\xb2\xa1": ("<", "pcap", "nsec"), b"\xa1\xb2\x3c\x4d": (">", "pcap", "nsec")}
    import struct
    if magic in pcap:
        e, fmt, res = pcap[magic]
        _, _, _, _, snap, lt = struct.unpack(e + "HHiIII", data[4:24])
        return {"format": fmt, "byte_order": "little" if e == "<" else "big", "timestamp_resolution": res,
                "interfaces": [{"id": 0, "linktype": lt, "linktype_name": LINKTYPES.get(lt & 0xFFFF, str(lt)),
                                "snaplen": snap, "name": None}]}
    if magic == b"\x0a\x0d\x0d\x0a":
        bom = data[8:12]
        e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
        off, ifs = 0, []
        while off + 12 <= len(data):
            btype, blen = struct.unpack(e + "II", data[off:off + 8])
            if blen < 12 or off + blen > len(data):
                break
            body = data[off + 8:off + blen - 4]
            if btype == 1:
                lt, _, snap = struct.unpack(e + "HHI", body[:8])
                idb = {"id": len(ifs), "linktype": lt, "linktype_name": LINKTYPES.get(lt, str(lt)),
                       "snaplen": snap, "name": None, "tsresol": 6}
                o = 8
                while o + 4 <= len(body):
                    code, ln = struct.unpack(e + "HH", body[o:o + 4])
                    val = body[o + 4:o + 4 + ln]
                    if code == 0:
                        break
                    if code == 2:
                        idb["name"] = val.decode("utf-8", "replace")
                    if code == 9:
                        idb["tsresol"] = val[0]
                    if code == 11:
                        idb["filter"] = val[1:].decode("utf-8", "replace")
                    o += 4 + ((ln + 3) & ~3)
                ifs.append(idb)
            off += blen
        return {"format": "pcapng", "byte_order": "little" if e == "<" else "big",
                "timestamp_resolution": None, "interfaces": ifs}
    return {"format": "unknown", "interfaces": []}


def capinfos(path):
    p = subprocess.run(["capinfos", "-t", "-E", "-c", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    d = {}
    for line in p.stdout.decode().splitlines():
        k, _, v = line.partition(":")
        d[k.strip()] = v.strip()
    return {"file_type": d.get("File type"), "encapsulation": d.get("File encapsulation"),
            "packets": int(d["Number of packets"]) if d.get("Number of packets", "").isdigit() else None,
            "error": p.stderr.decode().strip() or None}


# ------------------------------------------------------------------ per packet
def packets(root):
    for pkt in root.iter("packet"):
        yield pkt


def proto(pkt, name):
    return [p for p in pkt.findall("proto") if p.get("name") == name]


def endpoints(pkt):
    ip = proto(pkt, "ip") or proto(pkt, "ipv6")
    if not ip:
        return None, None
    v6 = ip[0].get("name") == "ipv6"
    return (show(ip[0], "ipv6.src" if v6 else "ip.src"), show(ip[0], "ipv6.dst" if v6 else "ip.dst"))


def analyze(path):
    root, err = tshark_pdml(path, [])
    hroot, _ = tshark_pdml(path, HEADERS_OPTS)
    frames = []
    streams = {}
    tls, alerts, dnsmsgs, http_default, http_headers, cutinfo = [], [], [], [], [], []
    appdata, appdata_per_stream = [], {}
    reassembled = []

    def http_msgs(r, out):
        for pkt in packets(r):
            num = int(show(pkt, "frame.number"))
            tcp = proto(pkt, "tcp")
            stream = int(show(tcp[0], "tcp.stream")) if tcp else None
            for hp in proto(pkt, "http"):
                if show(hp, "http.request.method") is not None:
                    out.append({"frame": num, "stream": stream, "kind": "request",
                                "method": show(hp, "http.request.method"),
                                "uri": show(hp, "http.request.uri"), "host": show(hp, "http.host"),
                                "version": show(hp, "http.request.version")})
                elif show(hp, "http.response.code") is not None:
                    body = None
                    fd = fld(hp, "http.file_data")
                    if fd and fd[0].get("value"):
                        try:
                            body = bytes.fromhex(fd[0].get("value")).decode("utf-8", "replace")
                        except ValueError:
                            body = fd[0].get("show")
                    elif fd:
                        body = fd[0].get("show")
                    out.append({"frame": num, "stream": stream, "kind": "response",
                                "status": int(show(hp, "http.response.code")),
                                "phrase": show(hp, "http.response.phrase"),
                                "version": show(hp, "http.response.version"),
                                "request_in": int(show(hp, "http.request_in")) if show(hp, "http.request_in") else None,
                                "content_type": show(hp, "http.content_type"),
                                "proxy_authenticate": show(hp, "http.proxy_authenticate"),
                                "www_authenticate": show(hp, "http.www_authenticate"),
                                "server": show(hp, "http.server"),
                                "squid_error": next((h.split(":", 1)[1].strip()
                                                     for h in shows(hp, "http.response.line")
                                                     if h.lower().startswith("x-squid-error:")), None),
                                "body": body})

    http_msgs(root, http_default)
    http_msgs(hroot, http_headers)

    for pkt in packets(root):
        num = int(show(pkt, "frame.number"))
        epoch = show(pkt, "frame.time_epoch")
        caplen, wirelen = int(show(pkt, "frame.cap_len")), int(show(pkt, "frame.len"))
        iface = show(pkt, "frame.interface_id")
        src, dst = endpoints(pkt)
        fr = {"frame": num, "epoch": epoch, "interface": int(iface) if iface is not None else 0,
              "cap_len": caplen, "len": wirelen, "src": src, "dst": dst}
        frames.append(fr)
        # IPv4 datagrams tshark reassembled from fragments (it does by default):
        # reported at the frame that completes them, with every fragment
        for ipp in proto(pkt, "ip"):
            frs = fld(ipp, "ip.fragment")
            if not frs:
                continue
            parts = []
            for fr_ in frs:
                m_ = re.match(r"Frame: (\d+), payload: (\d+)-(\d+) \((\d+) bytes\)", fr_.get("showname") or "")
                if m_:
                    parts.append({"frame": int(m_.group(1)), "offset": int(m_.group(2)), "length": int(m_.group(4))})
            reassembled.append({"frame": num, "src": show(ipp, "ip.src"), "dst": show(ipp, "ip.dst"),
                                "id": "0x%04x" % int(show(ipp, "ip.id"), 0),
                                "protocol": int(show(ipp, "ip.proto")),
                                "length": int(show(ipp, "ip.reassembled.length")),
                                "fragment_count": int(show(ipp, "ip.fragment.count")),
                                "fragments": parts})
        tcp = proto(pkt, "tcp")
        if tcp:
            t = tcp[0]
            sid = int(show(t, "tcp.stream"))
            sp, dp = int(show(t, "tcp.srcport")), int(show(t, "tcp.dstport"))

            def flag(n):
                v = show(t, "tcp.flags." + n)
                return v in ("1", "True", "true")

            s = streams.setdefault(sid, {"stream": sid, "frames": [], "syn": [], "synack": [], "fin": [],
                                         "rst": [], "analysis": {}, "pkts": []})
            s["frames"].append(num)
            s["pkts"].append((num, src, sp, dst, dp, flag("syn"), flag("ack"), flag("fin"), flag("reset"),
                              int(show(t, "tcp.len") or 0), epoch))
            for fname in TCP_FLAGS:
                if fld(t, "tcp.analysis." + fname):
                    s["analysis"].setdefault(fname, []).append(num)
        if caplen < wirelen and tcp:
            pl = fld(tcp[0], "tcp.payload")
            cutinfo.append({"frame": num, "cap_len": caplen, "len": wirelen,
                            "tcp_len": int(show(tcp[0], "tcp.len") or 0),
                            "tcp_payload_captured": int(pl[0].get("size")) if pl else 0,
                            "tcp_payload_captured_hex": pl[0].get("value") if pl else None,
                            "tls_records": [{"content_type": int(show(r, "tls.record.content_type")),
                                             "record_version": hex4(show(r, "tls.record.version")),
                                             "length": int(show(r, "tls.record.length")),
                                             "handshake_types": [int(x) for x in shows(r, "tls.handshake.type")]}
                                            for tp in proto(pkt, "tls") for r in tp
                                            if r.get("name") == "tls.record" and show(r, "tls.record.length")]})
        for tp in proto(pkt, "tls"):
            for rec in [f for f in tp if f.get("name") == "tls.record"]:
                ctype = show(rec, "tls.record.content_type")
                rver = show(rec, "tls.record.version")
                if (ctype or show(rec, "tls.record.opaque_type")) == "23":
                    # the first application-data records of each stream (TLS 1.3:
                    # the encrypted handshake, then what answers it), with lengths
                    sid = int(show(tcp[0], "tcp.stream"))
                    n = appdata_per_stream.get(sid, 0)
                    if n < 12:
                        appdata_per_stream[sid] = n + 1
                        appdata.append({"frame": num, "src": src, "sport": int(show(tcp[0], "tcp.srcport")),
                                        "stream": sid, "length": int(show(rec, "tls.record.length") or 0)})
                if ctype == "21":
                    lvl = show(rec, "tls.alert_message.level")
                    desc = show(rec, "tls.alert_message.desc")
                    alerts.append({"frame": num, "src": src, "sport": int(show(tcp[0], "tcp.srcport")),
                                   "stream": int(show(tcp[0], "tcp.stream")),
                                   "encrypted": lvl is None,
                                   "level": int(lvl) if lvl else None,
                                   "level_name": {"1": "warning", "2": "fatal"}.get(lvl) if lvl else None,
                                   "description": int(desc) if desc else None,
                                   "name": ALERTS.get(int(desc)) if desc else None,
                                   "record_version": hex4(rver) if rver else None})
                for hs in [f for f in rec if f.get("name") == "tls.handshake"]:
                    ty = show(hs, "tls.handshake.type")
                    if ty is None:
                        continue  # encrypted handshake message
                    ty = int(ty)
                    m = {"frame": num, "stream": int(show(tcp[0], "tcp.stream")), "src": src,
                         "sport": int(show(tcp[0], "tcp.srcport")),
                         "type": HS_TYPES.get(ty, str(ty)), "type_code": ty,
                         "record_version": hex4(rver) if rver else None}
                    exts = [int(x) for x in shows(hs, "tls.handshake.extension.type")]
                    if ty in (1, 2):
                        v = show(hs, "tls.handshake.version")
                        m["version"] = hex4(v) if v else None
                        m["extensions"] = ["0x%04x" % x for x in exts]
                        sv = [hex4(x) for x in shows(hs, "tls.handshake.extensions.supported_version")]
                    if ty == 1:
                        m["cipher_suites"] = [hex4(x) for x in shows(hs, "tls.handshake.ciphersuite")]
                        m["supported_versions"] = sv if 43 in exts else None
                        m["sni"] = show(hs, "tls.handshake.extensions_server_name")
                        m["alpn"] = shows(hs, "tls.handshake.extensions_alpn_str") if 16 in exts else None
                        m["supported_groups"] = ([hex4(x) for x in shows(hs, "tls.handshake.extensions_supported_group")]
                                                 if 10 in exts else None)
                        m["signature_algorithms"] = ([hex4(x) for x in shows(hs, "tls.handshake.sig_hash_alg")]
                                                     if 13 in exts else None)
                        m["key_share_groups"] = ([hex4(x) for x in shows(hs, "tls.handshake.extensions_key_share_group")]
                                                 if 51 in exts else None)
                        m["ja3"] = show(hs, "tls.handshake.ja3")
                        m["ja3_full"] = show(hs, "tls.handshake.ja3_full")
                    if ty == 2:
                        rnd = (fld(hs, "tls.handshake.random") or [ET.Element("x")])[0].get("value")
                        cs = show(hs, "tls.handshake.ciphersuite")
                        m["cipher_suite"] = hex4(cs) if cs else None
                        m["hello_retry_request"] = rnd == HRR_RANDOM
                        m["supported_version"] = sv[0] if sv else None
                        m["negotiated_version"] = sv[0] if sv else m["version"]
                        g = show(hs, "tls.handshake.extensions_key_share_selected_group")
                        m["selected_group"] = hex4(g) if g else None
                        g = show(hs, "tls.handshake.extensions_key_share_group")
                        m["key_share_group"] = hex4(g) if g else None
                    if ty == 11:
                        certs = []
                        for c in fld(hs, "tls.handshake.certificate"):
                            if c.get("value"):
                                certs.append(cert_info(c.get("value")))
                        m["certificates"] = certs
                    tls.append(m)
        for dp in proto(pkt, "dns"):
            resp = show(dp, "dns.flags.response") in ("1", "True", "true")
            rc = show(dp, "dns.flags.rcode")
            qt = show(dp, "dns.qry.type")
            udp = proto(pkt, "udp")
            tcp_ = proto(pkt, "tcp") if not udp else []
            tr = udp[0] if udp else (tcp_[0] if tcp_ else None)
            trn = "udp" if udp else ("tcp" if tcp_ else None)
            dnsmsgs.append({"frame": num, "src": src, "dst": dst, "transport": trn,
                            "sport": int(show(tr, trn + ".srcport")) if tr is not None else None,
                            "dport": int(show(tr, trn + ".dstport")) if tr is not None else None,
                            "id": "0x%04x" % int(show(dp, "dns.id"), 0), "response": resp,
                            "name": show(dp, "dns.qry.name"),
                            "type": QTYPES.get(int(qt), qt) if qt else None,
                            "rcode": RCODES.get(int(rc), rc) if (resp and rc is not None) else None,
                            "answers": shows(dp, "dns.a") + shows(dp, "dns.aaaa") + shows(dp, "dns.cname"),
                            "tshark_response_to": int(show(dp, "dns.response_to")) if show(dp, "dns.response_to") else None,
                            "tshark_retransmission": bool(fld(dp, "dns.retransmission")
                                                          or fld(dp, "dns.retransmit_request")
                                                          or fld(dp, "dns.retransmit_response"))})
    return root, err, frames, streams, tls, alerts, dnsmsgs, http_default, http_headers, cutinfo, reassembled, appdata


def tcp_summary(streams):
    out = []
    for sid in sorted(streams):
        s = streams[sid]
        pk = s["pkts"]
        syns = [p for p in pk if p[5] and not p[6]]
        if syns:
            client = (syns[0][1], syns[0][2])
        else:  # no SYN seen: the endpoint with the higher port is taken as the client
            a, b = (pk[0][1], pk[0][2]), (pk[0][3], pk[0][4])
            client = a if a[1] > b[1] else b
        server = next(((p[3], p[4]) for p in pk if (p[1], p[2]) == client), None) or \
            next(((p[1], p[2]) for p in pk if (p[3], p[4]) == client))
        synacks = [p[0] for p in pk if p[5] and p[6]]
        rsts = [{"frame": p[0], "from": "client" if (p[1], p[2]) == client else "server"} for p in pk if p[8]]
        fins = [{"frame": p[0], "from": "client" if (p[1], p[2]) == client else "server"} for p in pk if p[7]]
        from_server = [p for p in pk if (p[1], p[2]) == server]
        first_is_syn = bool(pk[0][5] and not pk[0][6])
        if not first_is_syn:
            outcome = "midstream"
        elif syns and not synacks and any(p[8] for p in from_server):
            outcome = "refused"
        elif syns and not from_server:
            outcome = "unanswered"
        elif rsts:
            outcome = "reset"
        elif fins:
            outcome = "closed"
        else:
            outcome = "established"
        t0, t1 = float(pk[0][10]), float(pk[-1][10])
        out.append({
            "stream": sid,
            "client": {"ip": client[0], "port": client[1]},
            "server": {"ip": server[0], "port": server[1]},
            "first_frame": pk[0][0], "last_frame": pk[-1][0], "packets": len(pk),
            "start": rfc3339(pk[0][10]), "start_epoch": pk[0][10], "duration": round(t1 - t0, 6),
            "starts_with_syn": first_is_syn,
            "syn_frames": [p[0] for p in syns], "syn_retransmits": max(0, len(syns) - 1),
            "synack_frames": synacks, "fin": fins, "rst": rsts,
            "client_payload_bytes": sum(p[9] for p in pk if (p[1], p[2]) == client),
            "server_payload_bytes": sum(p[9] for p in from_server),
            "analysis": s["analysis"],
            "outcome_per_spec": outcome,
        })
    return out


def side(x, streams_out, sid):
    for s in streams_out:
        if s["stream"] == sid:
            return "client" if (x["src"], x["sport"]) == (s["client"]["ip"], s["client"]["port"]) else "server"
    return None


def pair_dns(msgs):
    ex, used = [], set()
    for i, q in enumerate(msgs):
        if q["response"]:
            continue
        r = next((r for r in msgs[i + 1:] if r["response"] and r["tshark_response_to"] == q["frame"]), None) or \
            next((r for r in msgs[i + 1:] if r["response"] and r["frame"] not in used and r["id"] == q["id"]
                  and r["name"] == q["name"] and r["type"] == q["type"] and r["tshark_response_to"] is None
                  and (r["src"], r["sport"]) == (q["dst"], q["dport"])), None)
        if r:
            used.add(r["frame"])
        ex.append({"query_frame": q["frame"], "response_frame": r["frame"] if r else None,
                   "id": q["id"], "name": q["name"], "type": q["type"],
                   "rcode": r["rcode"] if r else None, "answers": r["answers"] if r else [],
                   "client": {"ip": q["src"], "port": q["sport"]},
                   "server": {"ip": q["dst"], "port": q["dport"]},
                   "tshark_retransmission": q["tshark_retransmission"],
                   "transport": q["transport"]})
    return ex


def pair_http(headers, default):
    """Requests and responses per stream, in order.  Frames from the run with
    http.desegment_body:FALSE (headers complete); body_frame from the default run."""
    out = []
    by_stream = {}
    for m in headers:
        by_stream.setdefault(m["stream"], []).append(m)
    dflt = {}
    for m in default:
        dflt.setdefault((m["stream"], m["kind"]), []).append(m)
    for sid in sorted(by_stream, key=lambda k: by_stream[k][0]["frame"]):
        reqs = [m for m in by_stream[sid] if m["kind"] == "request"]
        # interim responses (100 Continue, 103; not 101) precede the real one
        # to the same request (RFC 9110 15.2): pair requests with final ones
        final = lambda m: not (100 <= m["status"] < 200 and m["status"] != 101)
        resps = [m for m in by_stream[sid] if m["kind"] == "response" and final(m)]
        dresps = [m for m in dflt.get((sid, "response"), []) if final(m)]
        for i, rq in enumerate(reqs):
            rs = resps[i] if i < len(resps) else None
            drs = dresps[i] if i < len(dresps) else None
            e = {"stream": sid, "request_frame": rq["frame"], "method": rq["method"], "uri": rq["uri"],
                 "host": rq["host"], "request_version": rq["version"],
                 "response_frame": rs["frame"] if rs else None, "status": rs["status"] if rs else None,
                 "phrase": rs["phrase"] if rs else None, "response_version": rs["version"] if rs else None,
                 "body_frame": drs["frame"] if drs else None,
                 "content_type": rs["content_type"] if rs else None,
                 "proxy_authenticate": rs["proxy_authenticate"] if rs else None,
                 "www_authenticate": rs["www_authenticate"] if rs else None,
                 "server_header": rs["server"] if rs else None,
                 "squid_error": rs["squid_error"] if rs else None}
            body = drs["body"] if drs else None
            if body:
                m = re.search(r'status_type="([A-Z_]+)"', body)
                e["taxii_status_type"] = m.group(1) if m else None
            out.append(e)
    return out


def summarize(path):
    hdr = file_header(path)
    ci = capinfos(path)
    root, err, frames, streams, tls, alerts, dnsmsgs, hd, hh, cutinfo, reassembled, appdata = analyze(path)
    tcp = tcp_summary(streams)
    for m in tls:
        m["from"] = side(m, tcp, m["stream"])
        del m["src"], m["sport"]
    for a in alerts + appdata:
        a["from"] = side(a, tcp, a["stream"])
        del a["src"], a["sport"]
    ifcounts = {}
    for f in frames:
        ifcounts[f["interface"]] = ifcounts.get(f["interface"], 0) + 1
    for i in hdr["interfaces"]:
        i["frames"] = ifcounts.get(i["id"], 0)
    cut = [f["frame"] for f in frames if f["cap_len"] < f["len"]]
    epochs = [float(f["epoch"]) for f in frames]
    nonmono = [frames[i]["frame"] for i in range(1, len(frames)) if epochs[i] < epochs[i - 1]]
    hs_by_type = {}
    for m in tls:
        key = "hello_retry_request" if m["type"] == "server_hello" and m.get("hello_retry_request") else m["type"]
        hs_by_type.setdefault(key, []).append(m["frame"])
    return {
        "file": os.path.basename(path),
        "size_bytes": os.path.getsize(path),
        "format": hdr["format"],
        "byte_order": hdr.get("byte_order"),
        "timestamp_resolution": hdr.get("timestamp_resolution"),
        "capinfos_file_type": ci["file_type"],
        "capinfos_encapsulation": ci["encapsulation"],
        "interfaces": hdr["interfaces"],
        "frames": len(frames),
        "tshark_error": err or None,
        "truncated_record": "cut short in the middle of a packet" in (err or ""),
        "first_frame_time": rfc3339(frames[0]["epoch"]) if frames else None,
        "last_frame_time": rfc3339(frames[-1]["epoch"]) if frames else None,
        "timestamps_non_monotonic_at": nonmono,
        "truncated_record_would_be_frame": len(frames) + 1 if "cut short in the middle of a packet" in (err or "") else None,
        "frames_cut_by_snaplen": cut,
        "cut_frames_detail": cutinfo,
        "tcp_stream_count": len(tcp),
        "tcp_streams": tcp,
        "tls_handshake_frames": hs_by_type,
        "tls_handshakes": tls,
        "tls_alerts": alerts,
        "tls_application_data": appdata,
        "http": pair_http(hh, hd),
        "dns": pair_dns(dnsmsgs),
        "ip_reassembled": reassembled,
    }


def main():
    capdir, out = sys.argv[1], sys.argv[2]
    files = sorted(f for f in os.listdir(capdir) if f.endswith((".pcap", ".pcapng")))
    res = {
        "generated_by": "captures/facts.sh",
        "tshark_version": subprocess.run(["tshark", "--version"], stdout=subprocess.PIPE).stdout.decode().splitlines()[0],
        "tshark_options": TSHARK_OPTS,
        "http_frames_options": HEADERS_OPTS,
        "files": {},
    }
    for f in files:
        sys.stderr.write("facts: %s\n" % f)
        res["files"][f] = summarize(os.path.join(capdir, f))
    with open(out, "w") as fh:
        json.dump(res, fh, indent=1, sort_keys=False)
        fh.write("\n")


if __name__ == "__main__":
    main()
