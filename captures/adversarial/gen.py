#!/usr/bin/env python3
"""Writes the adversarial captures of issue 7 (Python standard library only).

    python3 captures/adversarial/gen.py [NAME ...]     # all when none given

Every file is deterministic (fixed timestamps and addresses, no randomness), raw
IPv4 (LINKTYPE_RAW, 101) in little-endian microsecond pcap, gzip-compressed at
level 9 where that makes it small (tlsdiag reads gzip transparently). TCP and IP
checksums are left 0, as on a capture taken on the sending host with checksum
offload: tlsdiag does not check them.

  syn-flood.pcap.gz          1,000,000 SYNs, distinct ports over 16 source
                             addresses, none answered: the flow table's cap.
  seq-gap.pcap.gz            one connection: a ClientHello's first bytes, then a
                             sequence gap of 1 GiB and 100,000 one-byte segments
                             and 2,000 full segments beyond it, never filling the
                             hole: the out-of-order caps (per direction, total).
  overlap-conflict.pcap      retransmissions that overlap with different bytes,
                             in order and out of order: first copy wins.
  huge-message.pcap.gz       records of 65,535 bytes carrying a ClientHello whose
                             24-bit length claims 16 MiB (0xffffff), all of it sent.
  max-client-hello.pcap.gz   a ClientHello with 32,767 cipher suites and 10,000
                             extensions (plus SNI), 105 KB over 7 records.
  partial-hellos.pcap.gz     100,000 concurrent connections, each holding the
                             first 4 KiB of a 64 KiB handshake record whose
                             ClientHello never completes: total buffering caps.
"""

import gzip
import struct
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
T0 = 1_700_000_000  # 2023-11-14T22:13:20Z

SYN, RST, PSH, ACK, FIN = 0x02, 0x04, 0x08, 0x10, 0x01


def pcap_header():
    # magic, v2.4, thiszone, sigfigs, snaplen, LINKTYPE_RAW
    return struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 101)


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def packet(src, sport, dst, dport, seq, ack, flags, payload=b""):
    """IPv4 + TCP (20-byte headers, checksums 0)."""
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      5 << 4, flags, 65535, 0, 0)
    total = 20 + len(tcp) + len(payload)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 0, 0x4000, 64, 6, 0, src, dst)
    return ip + tcp + payload


class Writer:
    """A pcap stream; the clock moves 1 µs every `step` records."""

    def __init__(self, name, step=1):
        self.step = step
        self.path = HERE / name
        self.f = gzip.open(self.path, "wb", compresslevel=9) if name.endswith(".gz") \
            else open(self.path, "wb")
        self.f.write(pcap_header())
        self.n = 0

    def write(self, data):
        ts = T0 * 1_000_000 + self.n // self.step
        self.f.write(struct.pack("<IIII", ts // 1_000_000, ts % 1_000_000, len(data), len(data)))
        self.f.write(data)
        self.n += 1

    def close(self):
        self.f.close()
        print(f"{self.path.name}: {self.n} frames, {self.path.stat().st_size} bytes")


def record(content_type, body, version=0x0301):
    return struct.pack("!BHH", content_type, version, len(body)) + body


def handshake(kind, body, declared=None):
    n = len(body) if declared is None else declared
    return bytes([kind]) + n.to_bytes(3, "big") + body


def client_hello_body(suites, extensions, sni=None, session_id=b""):
    body = b"\x03\x03" + bytes(range(32)) + bytes([len(session_id)]) + session_id
    body += struct.pack("!H", 2 * len(suites)) + b"".join(struct.pack("!H", s) for s in suites)
    body += b"\x01\x00"  # compression: null
    ext = b""
    if sni is not None:
        name = sni if isinstance(sni, bytes) else sni.encode()
        entry = b"\x00" + struct.pack("!H", len(name)) + name
        data = struct.pack("!H", len(entry)) + entry
        ext += struct.pack("!HH", 0, len(data)) + data
    for kind, data in extensions:
        ext += struct.pack("!HH", kind, len(data)) + data
    return body + struct.pack("!H", len(ext)) + ext


def handshake_open(w, client, cport, server, sport, isn_c=1000, isn_s=5000):
    """SYN, SYN-ACK, ACK. Returns the next client and server sequence numbers."""
    w.write(packet(client, cport, server, sport, isn_c, 0, SYN))
    w.write(packet(server, sport, client, cport, isn_s, isn_c + 1, SYN | ACK))
    w.write(packet(client, cport, server, sport, isn_c + 1, isn_s + 1, ACK))
    return isn_c + 1, isn_s + 1


CLIENT, SERVER = ip4("10.0.0.5"), ip4("10.0.0.1")


def syn_flood():
    # Few bytes change from one SYN to the next (port, address, a clock that
    # moves every 16 SYNs, one ISN for all): gzip keeps the file small.
    w = Writer("syn-flood.pcap.gz", step=16)
    sources = [ip4(f"10.1.0.{i}") for i in range(1, 17)]
    n = 0
    for port in range(1024, 65536):
        for src in sources:
            if n == 1_000_000:
                break
            w.write(packet(src, port, SERVER, 443, 0x10000, 0, SYN))
            n += 1
    w.close()


def seq_gap():
    w = Writer("seq-gap.pcap.gz")
    c, s = handshake_open(w, CLIENT, 50000, SERVER, 443)
    hello = record(22, handshake(1, client_hello_body([0x1301, 0xC02F], [], sni="gap.example")))
    # The first 40 bytes arrive; the rest of the hello never does.
    w.write(packet(CLIENT, 50000, SERVER, 443, c, s, PSH | ACK, hello[:40]))
    far = c + (1 << 30)
    # 100,000 one-byte segments beyond a 1 GiB hole, each one byte past a new
    # hole (endlessly out of order: whatever the caps give up, the next segment
    # is ahead again), then 2,000 full ones the same way.
    for i in range(100_000):
        w.write(packet(CLIENT, 50000, SERVER, 443, far + 2 * i, s, ACK, b"\x17"))
    for i in range(2_000):
        w.write(packet(CLIENT, 50000, SERVER, 443, far + 300_000 + 2 * 1460 * i, s, ACK,
                       b"\x00" * 1460))
    w.close()


def overlap_conflict():
    """First copy wins. The hello's SNI is 'first-copy.example'; every later,
    conflicting copy carries 'evil!-copy.example' (same length) or garbage."""
    w = Writer("overlap-conflict.pcap")
    good = record(22, handshake(1, client_hello_body([0x1301, 0xC02F], [(21, bytes(40))], sni="first-copy.example", session_id=bytes(range(32)))))
    evil = good.replace(b"first-copy.example", b"evil!-copy.example")
    at = good.index(b"first-copy")
    assert len(good) > at + 30 and at > 70
    c, s = handshake_open(w, CLIENT, 50001, SERVER, 443)

    def seg(data, lo, hi):
        return packet(CLIENT, 50001, SERVER, 443, c + lo, s, PSH | ACK, data[lo:hi])

    # In order: bytes [0, 60) delivered; a conflicting retransmission of [0, 60)
    # and an overlapping one of [30, 62) follow (only bytes 60..62 are new, and
    # they are the same in both copies).
    w.write(seg(good, 0, 60))
    w.write(seg(b"\x00" * 60, 0, 60))
    w.write(seg(evil, 30, 62))
    # Out of order: the part holding the SNI arrives ahead of a hole ...
    w.write(seg(good, at - 4, len(good)))
    # ... then a conflicting copy at the same offset, and a longer conflicting
    # copy that starts earlier, still ahead of the hole ...
    w.write(seg(evil, at - 4, len(good)))
    w.write(seg(evil, at - 8, len(good)))
    # ... then the hole is filled.
    w.write(seg(good, 62, at - 8))
    w.write(packet(SERVER, 443, CLIENT, 50001, s, c + len(good), RST | ACK))
    w.close()


def huge_message():
    """Records at the 16-bit maximum (65,535 bytes, over the protocol's 2^14 +
    2048) carrying one handshake message that claims 2^24 - 1 bytes, all sent."""
    w = Writer("huge-message.pcap.gz")
    c, s = handshake_open(w, CLIENT, 50002, SERVER, 443)
    declared = (1 << 24) - 1
    msg = handshake(1, client_hello_body([0x1301], [], sni="huge.example"), declared=declared)
    msg += b"\x41" * (4 + declared - len(msg))
    stream = b"".join(record(22, msg[i:i + 65535]) for i in range(0, len(msg), 65535))
    # Then a fatal alert from the server, which must still be seen.
    for i in range(0, len(stream), 65000):
        w.write(packet(CLIENT, 50002, SERVER, 443, c + i, s, ACK, stream[i:i + 65000]))
    w.write(packet(SERVER, 443, CLIENT, 50002, s, c + len(stream), PSH | ACK,
                   record(21, b"\x02\x28", 0x0303)))
    w.close()


def max_client_hello():
    """32,767 suites (the u16 length's maximum, 65,534 bytes) and 10,000
    extensions of unassigned types (empty), then server_name; 105 KB in
    records of 2^14 bytes."""
    w = Writer("max-client-hello.pcap.gz")
    c, s = handshake_open(w, CLIENT, 50003, SERVER, 443)
    suites = [(0xC000 + i) % 0x10000 for i in range(32767)]
    exts = [(0xFF00 - i, b"") for i in range(10_000)]
    body = client_hello_body(suites, exts, sni="max.example")
    msg = handshake(1, body)
    stream = b"".join(record(22, msg[i:i + 16384]) for i in range(0, len(msg), 16384))
    for i in range(0, len(stream), 1460):
        w.write(packet(CLIENT, 50003, SERVER, 443, c + i, s, ACK, stream[i:i + 1460]))
    w.write(packet(SERVER, 443, CLIENT, 50003, s, c + len(stream), PSH | ACK,
                   record(21, b"\x02\x28", 0x0303)))
    w.close()


def partial_hellos():
    """100,000 connections (no handshake seen: they start mid-stream), each a
    record header claiming 65,535 bytes, a ClientHello header claiming 65,531,
    and the first 4 KiB of it; then nothing more."""
    w = Writer("partial-hellos.pcap.gz")
    body = client_hello_body([0x1301, 0xC02F], [], sni="partial.example")
    msg = handshake(1, body, declared=65531)
    head = struct.pack("!BHH", 22, 0x0301, 65535) + msg
    head += b"\x00" * (4096 - len(head))
    sources = [ip4(f"10.2.{i}.1") for i in range(1, 5)]
    n = 0
    for port in range(1024, 65536):
        for src in sources:
            if n == 100_000:
                break
            w.write(packet(src, port, SERVER, 443, 7, 9, PSH | ACK, head))
            n += 1
    w.close()


ALL = {
    "syn-flood": syn_flood,
    "seq-gap": seq_gap,
    "overlap-conflict": overlap_conflict,
    "huge-message": huge_message,
    "max-client-hello": max_client_hello,
    "partial-hellos": partial_hellos,
}

if __name__ == "__main__":
    for name in sys.argv[1:] or ALL:
        ALL[name]()
