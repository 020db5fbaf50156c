#!/usr/bin/env python3
"""Write captures/README.md from facts.json (so the two always agree).

usage: readme.py FACTS_JSON OUT_MD
The prose per fixture is in DESCRIPTIONS below; every number is taken from facts.json.
"""
import json
import sys

DESCRIPTIONS = {
    "tetra-good.pcapng": "Field case 1, good endpoint. curl → tinyproxy 10.0.0.1:**6050** `CONNECT tetra-defs.amp.cisco.com:443 HTTP/1.1` → `HTTP/1.0 200 Connection established` → TLS 1.2 to an `openssl s_server` (RSA cert CN=tetra-defs.amp.cisco.com, chain leaf+ICA) that accepts only 0xc030 0xc02f 0x009e 0x1301; ServerHello picks 0xc030; GET /tetra-defs.dat; both sides send close_notify (Encrypted Alert), FIN. Tinyproxy resolves the name through dnsmasq (not visible here: endpoint capture).",
    "tetra-cipher-mismatch.pcapng": "Field case 1, failing endpoint. Same proxy path; the client is TLS 1.2-only (no supported_versions) and offers exactly the 16 suites of the field note, in order, plus OpenSSL's 0x00ff renegotiation SCSV; the server answers a plaintext fatal handshake_failure (40) and closes.",
    "tls13-ok.pcapng": "TLS 1.3 success, direct (no proxy): curl → `s_server -tls1_3 -WWW`, GET /index.txt. Certificate is encrypted (not visible).",
    "tls13-hrr.pcapng": "TLS 1.3 HelloRetryRequest: server `-groups P-384`, client `--curves X25519:P-384` so its first key share is X25519; HRR selects secp384r1 (0x0018); second ClientHello (with a CCS before it) carries a P-384 share; then success.",
    "tls12-self-signed.pcapng": "curl (trusting only the lab root) → TLS 1.2 server limo.anomali.com with a self-signed certificate; curl/OpenSSL sends fatal unknown_ca (48); curl: `(60) SSL certificate problem: self-signed certificate`.",
    "tcp-refused.pcapng": "Nothing listens on otx.alienvault.com:80; `curl --retry 2 --retry-connrefused --retry-delay 1` makes 3 attempts, each SYN answered by RST,ACK (3 TCP streams). curl: `(7) Couldn't connect to server`.",
    "tcp-unanswered.pcapng": "SYN to otx.alienvault.com:443 dropped by iptables in the server namespace; `curl --connect-timeout 6` gives up after 6 s (this kernel retransmits SYNs at a linear 1 s interval for the first retransmissions: tcp_syn_linear_timeouts). curl: `(28) Failed to connect ... Timeout was reached`.",
    "dns-nxdomain.pcapng": "curl https://api-sse.cisco.com/ with dnsmasq answering NXDOMAIN (`address=/api-sse.cisco.com/`): glibc sends A and AAAA in parallel. curl: `(6) Could not resolve host`.",
    "proxy-407.pcapng": "tinyproxy with `BasicAuth` on port 6050: the CONNECT without credentials is answered `HTTP/1.0 407 Proxy Authentication Required` with `Proxy-Authenticate: Basic realm=\"tinyproxy\"`; the HTML body follows in a later segment; curl closes as soon as it has the headers, so depending on timing the client ends the connection with RST. curl: `(56) CONNECT tunnel failed, response 407`.",
    "http-405.pcapng": "TAXII case 2: plaintext `POST /taxii/poll` (no trailing slash) with Host otx.alienvault.com and a TAXII 1.1 Poll_Request, answered `405 Method Not Allowed` by a Python http.server.",
    "cert-expired.pcapng": "TLS 1.2 server otx.alienvault.com whose leaf (signed by the lab ICA) expired 2021-01-01; curl --cacert (lab root) sends fatal certificate_expired (45). curl: `(60) certificate has expired`.",
    "tls-interception.pcapng": "Interception: the server answering for api-sse.cisco.com presents CN=api-sse.cisco.com issued by `Corp SSL Inspection CA` and sends that self-signed CA in the chain; curl trusts only the lab's public root and aborts with fatal unknown_ca (48). curl: `(60) SSL certificate problem: self-signed certificate in certificate chain`.",
    "protocol-version.pcapng": "Two connections. Stream 0: TLS 1.3-only client (curl --tlsv1.3, supported_versions = [0x0304]) → TLS 1.2-only server → server fatal protocol_version (70). Stream 1 (the reverse): TLS 1.2-only client (no supported_versions) → TLS 1.3-only server → server fatal protocol_version (70).",
    "server-silent.pcapng": "`socat TCP-LISTEN:443,fork EXEC:'sleep 30'`: the server accepts TCP and ACKs the ClientHello but never answers; `curl --max-time 5` closes after 5 s (FIN), socat closes 0.5 s later. curl: `(28) Connection timed out after 5001 milliseconds`.",
    "rst-after-clienthello.pcapng": "A Python server reads the ClientHello and closes with SO_LINGER 0: the kernel ACKs it and sends RST,ACK. curl: `(35) Recv failure: Connection reset by peer`.",
    "dns-servfail.pcapng": "dnsmasq at 10.0.0.53 forwards cisco.com to a broken upstream (a Python responder answering SERVFAIL) and relays SERVFAIL; glibc retries A+AAAA once. curl: `(6) Could not resolve host`.",
    "dns-no-response.pcapng": "DNS server dropped by iptables (INPUT udp/53 in its namespace); resolv.conf `options timeout:2 attempts:2`: A+AAAA sent twice, 2 s apart, no answer. curl: `(6) Could not resolve host`.",
    "proxy-403.pcapng": "tinyproxy with `ConnectPort 443` refuses `CONNECT api-sse.cisco.com:8989` with `HTTP/1.1 403 Access violation` (headers in one segment, body without Content-Length in a later one, delimited by the proxy's FIN). curl closes as soon as it has the headers; body and proxy FIN may arrive after curl's FIN, and the client kernel answers RST. If the proxy's FIN is not captured, Wireshark never completes the body (`body_frame` null).",
    "proxy-502.pcapng": "**Deviation:** neither squid nor tinyproxy answers a refused upstream CONNECT with 502. This is squid 5.7 on port 6050: `CONNECT api-sse.cisco.com:443` while nothing listens there → `HTTP/1.1 503 Service Unavailable` (`X-Squid-Error: ERR_CONNECT_FAIL 111`), 3096-byte body; curl resets. curl: `(56) CONNECT tunnel failed, response 503`.",
    "proxy-500.pcapng": "Extra: the same refused upstream through tinyproxy, which answers `HTTP/1.1 500 Unable to connect`; body in a later segment; curl closes/resets as soon as it has the headers.",
    "http-errors.pcapng": "Four plaintext TAXII POSTs, one TCP connection each: limo.anomali.com `/taxii-discovery-service/` → 400, limo.anomali.com `/api/v1/taxii/poll/` without Authorization → 401 (WWW-Authenticate: Basic realm=\"TAXII\"), otx.alienvault.com `/taxii/polls/` → 404, otx.alienvault.com `/taxii/poll/` → 503 (Retry-After: 120).",
    "taxii-not-found.pcapng": "`POST /taxii/poll/` (collection user_AlienVault) answered `200 OK` with a TAXII 1.1 `Status_Message status_type=\"NOT_FOUND\"` body (headers and body in separate segments).",
    "api-sse-ok.pcapng": "Healthy case 3: A lookup of api-sse.cisco.com answered 10.0.1.20 (AAAA: NOERROR, no answer: dnsmasq host-record), TCP to 443, TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256 (0xc02f; the client offers TLS 1.3 too, the Python ssl server is TLS 1.2-only), GET / answered `403 Forbidden` inside TLS (not a failure; not visible to tshark: encrypted).",
    "port-8989-blocked.pcapng": "SYN to api-sse.cisco.com:8989 dropped by iptables; `curl --connect-timeout 6`. curl: `(28) ... Timeout was reached`.",
    "handshake-rejected.pcapng": "A server no built-in profile knows (www.example.net, 10.0.1.40): `openssl s_server -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384` (RSA certificate, chain leaf+ICA). The client, `openssl s_client -no_tls1_3 -cipher AES128-SHA:AES256-SHA256`, is TLS 1.2-only (no supported_versions) and offers only CBC suites: 0x002f 0x003d plus OpenSSL's 0x00ff renegotiation SCSV. The server answers the ClientHello with a plaintext fatal handshake_failure (40), then FIN. s_client: `sslv3 alert handshake failure ... SSL alert number 40`.",
    "not-tls.pcapng": "TLS sent to a plain-HTTP port: `curl https://www.example.net:80/` → stock nginx 1.22.1 (Debian nginx-light) on 10.0.1.40:80, which answers the ClientHello with `HTTP/1.1 400 Bad Request` (text/html, 157-byte body) and closes (FIN); curl: `(35) ... wrong version number`. curl closes with the answer unread, so its kernel sends RST. **tshark does not dissect this ClientHello**: port 80 goes to its HTTP dissector, and the 517 bytes show as bare TCP payload (`-o tcp.try_heuristic_first:TRUE` would show `Client Hello`), so `tls_handshakes` is empty. The 400 is an HTTP response without a request, and `http` (one entry per request) does not list it.",
    "tls13-untrusted.pcapng": "TLS 1.3 server (`s_server -tls1_3`) for www.example.net with a **self-signed** certificate (CN=www.example.net, outside the lab PKI); curl `--tlsv1.3` trusting only the lab root, no `-k`. After the server's flight (ServerHello, CCS, then encrypted EncryptedExtensions…Finished, which tshark shows as Application Data), the client sends a **plaintext** alert record (content type 21, record version 0x0303, no ChangeCipherSpec before it): fatal unknown_ca (48). It then closes with RST, because part of the server's flight is still unread. curl: `(60) SSL certificate problem: self-signed certificate`. The certificate itself is encrypted (not in the facts).",
    "client-dh-too-small.pcapng": "The **client** aborts with its own alert. `openssl s_server -tls1_2` for www.example.net (RSA certificate, chain leaf+ICA) with a 1024-bit DH group (`-dhparam dh1024.pem` from `openssl dhparam 1024`) and `-cipher 'DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0'`; the client `openssl s_client -no_tls1_3 -cipher DHE-RSA-AES128-GCM-SHA256` (default security level 2, `-CAfile` lab root) offers 0x009e plus OpenSSL's 0x00ff SCSV. The server picks 0x009e and sends its whole flight (Certificate, ServerKeyExchange with a 128-byte prime, ServerHelloDone); the chain verifies, but the client rejects the ServerKeyExchange and sends a plaintext fatal handshake_failure (40) — not insufficient_security (71). The server then closes (FIN), the client too. s_client: `tls_process_ske_dhe:dh key too small`.",
    "cert-wrong-name.pcapng": "Certificate for the wrong name. The server answering for www.example.net (`s_server -tls1_2`, 10.0.1.40) presents CN=intranet.example.org (SAN DNS:intranet.example.org) issued by the lab ICA `HydrantID SSL ICA G2`, sent with the ICA; `curl --cacert` (lab root) `--tls-max 1.2` to https://www.example.net/, no `-k`. The chain verifies, so the handshake completes (ECDHE-RSA 0xc030, CCS + Finished both ways); curl 7.88 checks the name only afterwards and sends **no certificate alert**: an Encrypted Alert (frame 12), FIN, the server's Encrypted Alert, then RST from the client kernel. Both alerts are close_notify (warning, 0): checked on a separate run of the same recipe decrypted with curl's SSLKEYLOGFILE (this file carries no keys). curl: `(60) SSL: no alternative certificate subject name matches target host name 'www.example.net'`.",
    "taxii-cut-body.pcapng": "Field case 2, `XML Parsing Error: no element found`. A plaintext `POST /taxii/poll/` (collection user_AlienVault) to otx.alienvault.com is answered by a Python server with `200 OK`, `Content-Type: application/xml`, TAXII headers and `Content-Length: 12413`. Only the first 4440 bytes of the TAXII 1.1 Poll_Response are sent (cut after the 4th of 12 Content_Blocks), then the server closes (FIN). tshark never completes the body (`body_frame` null; its segments stay `[TCP segment of a reassembled PDU]`), so there is no `taxii_status_type`. An XML parser given the received bytes says `no element found`. curl: `(18) transfer closed with 7973 bytes remaining to read`.",
    "one-sided.pcapng": "A normal TLS 1.2 exchange with www.example.net (GET /index.txt, as in `sll2-any`), captured with the filter `src host 10.0.0.5 and tcp`, as a one-direction SPAN port records it. Only the client's packets are present: SYN, ACKs for data that is not in the file, ClientHello, ClientKeyExchange/CCS/Finished, application data, the encrypted close_notify and FIN. There is no SYN-ACK and no ServerHello, so the mechanical rule calls the stream `unanswered`.",
    "proxy-tls13-ok.pcapng": "TLS 1.3 through tinyproxy on **6050**: `curl -x http://10.0.0.1:6050 --tlsv1.3` sends `CONNECT www.example.net:443 HTTP/1.1`, gets `HTTP/1.0 200 Connection established`, then completes a TLS 1.3 handshake with `s_server -tls1_3` (TLS_AES_256_GCM_SHA384) and a GET /index.txt: success. Tinyproxy resolves www.example.net through dnsmasq, which this endpoint capture does not show.",
    "sll2-any.pcapng": "TLS 1.2 exchange captured by `dumpcap -i any -y LINUX_SLL2` (Linux cooked v2).",
    "sll-any.pcap": "Same exchange captured by `tcpdump -i any -y LINUX_SLL` (Linux cooked v1, legacy pcap).",
    "ipv6-tls12.pcapng": "TLS 1.2 exchange over IPv6 (fd00::5 → [fd00::10]:443).",
    "vlan-tls.pcapng": "TLS 1.2 exchange on an 802.1Q trunk, VLAN ID 100, every frame tagged (Ethernet type 0x8100). **Deviation:** this kernel has no 8021q module, so the tag is pushed/popped by tc-bpf (`bpf_skb_vlan_push/pop`, tools/vlan_tc.c) on the link itself (IP on the parent veth) instead of a VLAN subinterface; libpcap records the tag exactly as from a NIC with VLAN offload.",
    "split-clienthello.pcapng": "Path MTU 240 / MSS 200 towards 10.0.1.50 (route `mtu lock 240 advmss 200`): the 517-byte ClientHello spans 3 TCP segments (reported at the 3rd); the server's TLS 1.2 flight spans many segments (the Certificate completes many frames after the ServerHello).",
    "reorder-dup.pcapng": "TLS 1.2 through tools/pyfwd.py (a userspace L2 forwarder: **deviation**, this kernel has no sch_netem): 5 ms each way; the server's first data segment (ServerHello…) is held 2 ms so the second overtakes it (lost_segment then out_of_order), and its 3rd data segment (CCS+Finished) is sent twice (retransmission/spurious_retransmission). With tshark's default `tcp.reassemble_out_of_order:FALSE` the ServerHello/Certificate are NOT dissected at all; facts use TRUE, which reports them at the out-of-order frame.",
    "midstream.pcapng": "A real TLS 1.2 capture cut with `editcap -r` to start right after the ClientHello (first frame is the server's ACK of it): no SYN, no ClientHello; ServerHello is frame 2.",
    "truncated-last.pcap": "A real tcpdump capture of a TLS 1.2 exchange, kept (editcap -r) up to the frame that completes the Certificate, whose record is then cut in half (file bytes removed with head -c). tshark/capinfos report the error; the cut record is not a frame, so the Certificate is never complete.",
    "snaplen-cut.pcap": "TLS 1.2 exchange captured with `tcpdump -s 150`: frames longer than 150 bytes (ClientHello, ServerHello/Certificate segments, …) are cut; tshark shows only the TLS record headers of the cut hello records (see cut_frames_detail for the bytes present).",
    "pcap-nanosec.pcap": "TLS 1.3 exchange captured with `tcpdump --time-stamp-precision=nano` (magic 0xa1b23c4d).",
    "multi-iface.pcapng": "`dumpcap -i cli0 -f 'tcp port 443' -i any -f 'tcp port 8080' -y LINUX_SLL2`: one pcapng with two interfaces of different link types: interface 0 Ethernet (TLS 1.2 exchange), interface 1 Linux cooked v2 (two plaintext HTTP GETs on 127.0.0.1:8080, 400 and 503).",
    "bigendian.pcap": "Big-endian legacy pcap (magic a1 b2 c3 d4 on disk, microsecond): a real tcpdump TLS 1.2 capture re-written by Debian's **s390x** tcpdump/libpcap 1.10.3 under qemu-user (`tcpdump -r src -w bigendian.pcap`); libpcap writes in host byte order.",
    "nflog-tls.pcap": "TLS 1.2 exchange with www.example.net (GET /index.txt, as in `sll2-any`) captured through **Linux NFLOG**: in the client namespace `iptables -A OUTPUT -d 10.0.1.40 -p tcp --dport 443 -j NFLOG --nflog-group 5 --nflog-threshold 1` and the matching INPUT rule for `--sport 443`, read by `tcpdump -i nflog:5` (legacy pcap, LINKTYPE_NFLOG 239: a 4-byte NFLOG header, then TLVs; the packet is the payload TLV, starting at its IPv4 header, no link-layer header). Frame timestamps are when tcpdump read each packet (libpcap stamps NFLOG packets on receipt), so packets delivered together carry timestamps microseconds apart; the kernel's own timestamp is in the NFLOG timestamp TLV of INPUT packets only (`nflog.timestamp`), OUTPUT packets carry none. `--nflog-threshold 1` is needed: iptables-nft otherwise leaves the kernel's per-group default (100 packets, a 4 KB buffer or 1 s), and the last batch arrives after tcpdump has stopped.",
    "dns-tcp.pcapng": "DNS over TCP: `dig +tcp @10.0.0.53 www.example.net A` then `dig +tcp @10.0.0.53 api-sse.cisco.com A` (BIND 9.18 dig) to dnsmasq (`host-record=www.example.net,10.0.1.40`, `local=/example.net/`, `address=/api-sse.cisco.com/`): one TCP connection per query (SYN, length-prefixed query, response, FIN from dig first); www.example.net is answered NOERROR 10.0.1.40, api-sse.cisco.com NXDOMAIN. dig's queries carry an EDNS OPT record with a client cookie, dnsmasq's responses an OPT record without one. dig's SYNs announce MSS 1220.",
    "no-dns-server.pcapng": "Field case 3, cause 1: **no DNS server configured**. The client namespace's resolv.conf is empty (`/etc/netns/td-cli/resolv.conf`, 0 bytes); `curl https://api-sse.cisco.com/` fails at once with `(6) Could not resolve host: api-sse.cisco.com`. Captured with dumpcap on cli0 with **no capture filter** from before curl starts until 1 s after it exits: **zero packets**. The file is a valid pcapng: Section Header Block, Interface Description Block (cli0, Ethernet) and dumpcap's Interface Statistics Block (0 received, 0 dropped), no packet blocks. With no `nameserver` line glibc falls back to 127.0.0.1: the queries (A and AAAA, twice) go over the loopback, where nothing listens, and are answered ICMP port unreachable (seen with tcpdump on `lo` in a separate run; not in this file, which holds only cli0). cli0's IPv6 router solicitations (no router in the lab; the kernel repeats them with backoff) are switched off for this fixture so the file does not depend on when the lab came up.",
    "client-cert-rejected.pcapng": "Mutual TLS refused: `s_server -WWW -Verify 1 -verify_return_error -CAfile root.pem` (www.example.net, chain leaf+ICA) and four `openssl s_client` runs: TLS 1.2 without a certificate (the client answers the CertificateRequest with an empty Certificate; server fatal handshake_failure), TLS 1.2 with a certificate from the corporate inspection CA the server does not trust (server fatal unknown_ca), then the same two in TLS 1.3, where the CertificateRequest and the server's refusal (certificate_required 116, unknown_ca 48, per the clients' errors) are encrypted: the server's only record after the client's Finished is one 19-byte application-data record, then its FIN.",
    "sni-required.pcapng": "nginx with a default TLS server that refuses handshakes for unknown names (`ssl_reject_handshake on`) and a `server_name www.example.net` server: curl by name (SNI www.example.net) gets the file; curl to https://10.0.1.40/ sends no SNI and gets a fatal unrecognized_name (112).",
    "legacy-tls10-server.pcapng": "A server that speaks only TLS 1.0 (`s_server -tls1 -cipher DEFAULT:@SECLEVEL=0`): OpenSSL 3's default `s_client` accepts TLS 1.0 in the ServerHello, then aborts with a fatal internal_error (80) (no SHA-1 signature at its security level); `s_client -min_protocol TLSv1.2` is refused by the server with protocol_version (70).",
    "tls13-suite-mismatch.pcapng": "TLS 1.3 only on both sides: the server (`s_server -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 -alpn h2`) and a client offering only TLS_CHACHA20_POLY1305_SHA256 (fatal handshake_failure); then a client with the right suite but ALPN http/1.1 only (fatal no_application_protocol, 120).",
    "cert-expired-gnutls.pcapng": "GnuTLS (`gnutls-cli`) against `s_server -tls1_2` with a leaf valid 2020-01-01 … 2021-01-01 (otx.alienvault.com): GnuTLS refuses it with a fatal **bad_certificate (42)**, not certificate_expired; the dates in the plaintext Certificate say why.",
    "wifi-radiotap.pcap": "`tls13-ok.pcapng` relabelled by `editcap -T ieee-802-11-radiotap`: the frames are Ethernet, but the file says 802.11 radiotap, a link type tlsdiag does not decode (tshark cannot decode them either).",
    "corrupt-seq.pcap": "`tetra-good.pcapng` (as pcap) with bit 30 of the sequence number of the segment that completes the server's Certificate flipped by `tools/flip_seq.py`, as a bad NIC or memory error does: that segment lands 1 GiB past the stream and its FIN (tshark: previous segment not captured, then ACKed segment that wasn't captured); the 600 bytes it really carried are lost.",
    "proxy-dns-fail.pcapng": "curl through **squid 5.7** (port 6050) to https://tetra-defs.amp.cisco.com/, a name squid's DNS server (dnsmasq) answers NXDOMAIN. The client never resolves the name itself (the proxy does), so the capture has no DNS: squid answers the CONNECT **500 Internal Server Error** with `X-Squid-Error: ERR_CANNOT_FORWARD 0` — Squid 5's way of reporting a failed lookup for CONNECT (its access.log: `NONE_NONE/500 ... HIER_NONE`), not ERR_DNS_FAIL — and an HTML error page, then closes.",
    "proxy-connect-timeout.pcapng": "curl through **squid 5.7** (`connect_timeout 3 seconds`) to tetra-defs.amp.cisco.com:443, whose host drops the proxy's SYNs (iptables DROP in the server namespace): about 3 s after the CONNECT squid answers **503 Service Unavailable** with `X-Squid-Error: ERR_CONNECT_FAIL 110` (ETIMEDOUT).",
    "proxy-squid-denied.pcapng": "curl through **squid 5.7** to https://api-sse.cisco.com:8989/ (the cloud connector's port): squid's stock rule `http_access deny CONNECT !SSL_ports` answers **403 Forbidden** with `X-Squid-Error: ERR_ACCESS_DENIED 0`.",
    "http-proxy-dns-fail.pcapng": "A TAXII poll in plaintext HTTP (`POST http://otx.alienvault.com/taxii/poll/`, absolute URL) through **squid 5.7**, whose DNS answers NXDOMAIN for the feed: squid answers **502 Bad Gateway** with `X-Squid-Error: ERR_READ_ERROR 0` within a millisecond (access.log `TCP_MISS/502 ... HIER_NONE`: it never connected anywhere) — what Squid 5 does for a GET or POST whose host does not resolve (checked by hand with GET too).",
    "http-proxy-unreachable.pcapng": "The same TAXII poll through **tinyproxy 1.11.1**, whose DNS answers NXDOMAIN for the feed: **500 Unable to connect** (`Server: tinyproxy/1.11.1`, no error code), an HTML body, then tinyproxy resets the connection (the POST body was not read).",
    "proxy-auth-retry.pcapng": "curl `--proxy-anyauth --proxy-user` through **squid 5.7** with Basic proxy authentication (`basic_ncsa_auth`, realm corp-proxy): the first CONNECT carries no credentials and is answered **407** (`X-Squid-Error: ERR_CACHE_ACCESS_DENIED 0`, keep-alive), the second, on the same connection, carries `Proxy-Authorization: Basic` and is answered 200; then TLS 1.2 to tetra-defs.amp.cisco.com and the download succeed.",
    "proxy-auth-new-connection.pcapng": "tinyproxy 1.11.1 with `BasicAuth tetra s3cret` and curl `--proxy-anyauth --proxy-user tetra:s3cret`: the first CONNECT carries no credentials and is answered **407** with `Connection: close`, and tinyproxy closes; curl asks again **on a new connection** with `Proxy-Authorization: Basic`, gets 200, and the TLS 1.2 download succeeds.",
    "lost-alert.pcapng": "`handshake-rejected.pcapng` with the frame of the server's fatal alert deleted by `editcap`, as when the capturing host drops it: the client's ACK and the server's FIN still account for the 7 bytes (tshark: ACKed segment that wasn't captured).",
    "cut-after-hello.pcapng": "The first frames of `tls13-ok.pcapng`, up to the ClientHello (`editcap -r`): the capture stops before the server could answer.",
    "cut-after-syn.pcapng": "The first frame of `tcp-unanswered.pcapng` (`editcap -r`): one SYN, and the capture stops.",
    "tls13-client-closes-first.pcapng": "TLS 1.3 without session tickets (`s_server -tls1_3 -num_tickets 0 -WWW`) and an `openssl s_client </dev/null` that closes (close_notify, FIN) right after the handshake: the server's only record after the client's Finished is its own 19-byte close_notify, sent after the client's FIN.",
    "ip-fragments.pcapng": "A TLS 1.2 exchange whose **ClientHello arrives in two IPv4 fragments**. Routed path client 10.60.0.5 → router namespace (10.60.0.1 | 10.61.0.1, `ip_forward=1`, no conntrack) → server 10.61.0.10, where the router's egress link has **MTU 400** (client link 1500). The client sends without DF (`sysctl net.ipv4.ip_no_pmtu_disc=1` in its namespace), so the router fragments instead of answering ICMP frag-needed. curl (TLS 1.3-capable ClientHello padded to 517 bytes: a 569-byte IP packet) → `s_server -tls1_2` for www.example.net (chain leaf+ICA), GET /index.txt, an Encrypted Alert each way, FIN. Captured with dumpcap on the **server's** interface (filter `host 10.60.0.5`, which keeps every fragment). The first fragment (offset 0, MF set) carries the TCP header and the start of the record: tshark shows it as `Fragmented IP protocol` with no TCP layer; the second completes the datagram and tshark (which reassembles IPv4 by default) reports the ClientHello there. Everything else fits 400 bytes: the server announces MSS 1460 on that link (route `advmss 1460`, as a server behind further 1500-byte hops would; otherwise the client would never send more than 400 bytes), but its own segments follow its 400-byte MTU.",
}


def join(xs):
    return ", ".join(str(x) for x in xs) if xs else "—"


def lst(xs):
    """a JSON-ish rendering of a list or null"""
    if xs is None:
        return "null"
    return "[" + " ".join(str(x) for x in xs) + "]"


def line_for(name, f):
    out = []
    ifs = "; ".join("if%d %s%s snaplen %d, %d frames" % (i["id"], i["linktype_name"],
                                                        " (%s)" % i["name"] if i.get("name") else "",
                                                        i["snaplen"], i["frames"]) for i in f["interfaces"])
    fmt = f["format"] + (" %s-endian" % f["byte_order"] if f["format"] == "pcap" else "")
    if f.get("timestamp_resolution"):
        fmt += " " + f["timestamp_resolution"]
    out.append("- file: %s, %d bytes; %s; **%d frames**" % (fmt, f["size_bytes"], ifs, f["frames"]))
    if f["tshark_error"]:
        out.append("- tshark error: `%s`; the cut record would have been frame %s" %
                   (f["tshark_error"], f["truncated_record_would_be_frame"]))
    if f["frames_cut_by_snaplen"]:
        out.append("- frames cut by the snap length: %s" % join(f["frames_cut_by_snaplen"]))
    if f["timestamps_non_monotonic_at"]:
        out.append("- timestamps go backwards at frames %s" % join(f["timestamps_non_monotonic_at"]))
    out.append("- TCP streams: %d" % f["tcp_stream_count"])
    for s in f["tcp_streams"]:
        bits = ["stream %d: %s:%d → %s:%d, frames %d–%d" % (s["stream"], s["client"]["ip"], s["client"]["port"],
                                                          s["server"]["ip"], s["server"]["port"],
                                                          s["first_frame"], s["last_frame"])]
        bits.append("SYN %s" % join(s["syn_frames"]) if s["syn_frames"] else "no SYN")
        if s["syn_retransmits"]:
            bits.append("**%d SYN retransmissions**" % s["syn_retransmits"])
        bits.append("SYN-ACK %s" % join(s["synack_frames"]))
        if s["fin"]:
            bits.append("FIN " + join("%d(%s)" % (x["frame"], x["from"]) for x in s["fin"]))
        if s["rst"]:
            bits.append("RST " + join("%d(%s)" % (x["frame"], x["from"]) for x in s["rst"]))
        if s["analysis"]:
            bits.append("tcp.analysis " + "; ".join("%s %s" % (k, join(v)) for k, v in s["analysis"].items()))
        bits.append("outcome_per_spec `%s`" % s["outcome_per_spec"])
        out.append("  - " + ", ".join(bits))
    for m in f["tls_handshakes"]:
        if m["type"] == "client_hello":
            out.append("- ClientHello frame **%d** (stream %d): record %s, hello %s, %d suites [%s], supported_versions %s, SNI %s, key_share %s" % (
                m["frame"], m["stream"], m["record_version"], m["version"], len(m["cipher_suites"]),
                " ".join(m["cipher_suites"]) if len(m["cipher_suites"]) <= 17 else " ".join(m["cipher_suites"][:6]) + " …",
                lst(m["supported_versions"]), m["sni"], lst(m["key_share_groups"])))
        elif m["type"] == "server_hello":
            if m["hello_retry_request"]:
                out.append("- HelloRetryRequest frame **%d**: suite %s, selected_group %s" % (
                    m["frame"], m["cipher_suite"], m["selected_group"]))
            else:
                out.append("- ServerHello frame **%d**: hello version %s, negotiated %s, suite **%s**%s" % (
                    m["frame"], m["version"], m["negotiated_version"], m["cipher_suite"],
                    ", key_share %s" % m["key_share_group"] if m["key_share_group"] else ""))
        elif m["type"] == "certificate":
            out.append("- Certificate frame **%d**: %s" % (m["frame"], "; ".join(
                "`%s` issued by `%s` (%s … %s)" % (c["subject"], c["issuer"], c["not_before"], c["not_after"])
                if "subject" in c else "unparsable" for c in m["certificates"])))
    others = {k: v for k, v in f["tls_handshake_frames"].items()
              if k not in ("client_hello", "server_hello", "certificate", "hello_retry_request")}
    if others:
        out.append("- other plaintext handshake messages: " + "; ".join("%s %s" % (k, join(v)) for k, v in others.items()))
    for a in f["tls_alerts"]:
        if a["encrypted"]:
            out.append("- Encrypted Alert frame %d (from %s)" % (a["frame"], a["from"]))
        else:
            out.append("- **Alert frame %d from %s: level %s (%d), description %s (%d)**" % (
                a["frame"], a["from"], a["level_name"], a["level"], a["name"], a["description"]))
    for h in f["http"]:
        out.append("- HTTP stream %d: request frame **%d** `%s %s` Host `%s` → response frame **%s** status **%s** `%s` %s%s" % (
            h["stream"], h["request_frame"], h["method"], h["uri"], h["host"], h["response_frame"], h["status"],
            h["phrase"], h["response_version"],
            ("; body complete at frame %s" % h["body_frame"] if h["body_frame"] is not None
             else "; body never completed by tshark (body_frame null)")
            if h["body_frame"] != h["response_frame"] else "")
            + (", TAXII status_type %s" % h["taxii_status_type"] if h.get("taxii_status_type") else ""))
    for r in f.get("ip_reassembled", []):
        out.append("- IPv4 datagram reassembled at frame **%d** (%s → %s, id %s, protocol %d, %d bytes) from %d fragments: %s" % (
            r["frame"], r["src"], r["dst"], r["id"], r["protocol"], r["length"], r["fragment_count"],
            ", ".join("frame %d offset %d length %d" % (x["frame"], x["offset"], x["length"]) for x in r["fragments"])))
    for q in f["dns"]:
        out.append("- DNS%s query frame **%d** %s %s (id %s) → %s" % (
            " over TCP" if q.get("transport") == "tcp" else "",
            q["query_frame"], q["type"], q["name"], q["id"],
            "response frame **%d** rcode **%s** answers %s" % (q["response_frame"], q["rcode"], lst(q["answers"]))
            if q["response_frame"] else "**no response**"))
    return out


HEADER = r"""# tlsdiag test-fixture captures

Every file here was produced by real software in network namespaces on one machine
(`regen.sh`, run as root): openssl s_server, curl, tinyproxy (port **6050**),
squid, dnsmasq, socat, nginx, small Python stdlib servers (`tools/servers.py`), captured
with **dumpcap** (`*.pcapng`) or **tcpdump** (`*.pcap`) on the client-side veth of
the endpoint namespace (10.0.0.5), offloads off; `nflog-tls.pcap` through NFLOG in
that namespace, `ip-fragments.pcapng` on the server side of a router. Post-processing
only where a fixture says so (editcap / head -c / s390x libpcap rewrite).

Regenerate everything (≈3 minutes; needs root, network namespaces, the Debian
packages listed at the top of `regen.sh`):

    sudo bash captures/regen.sh              # all fixtures + facts.json + README.md
    sudo bash captures/regen.sh tls13-hrr    # one fixture (then facts for all files)
    bash captures/facts.sh                   # only facts.json + README.md (no root)

Re-running changes timestamps, ports, certificate serials/fingerprints and dates, so
`facts.json` and the facts in this README are always rewritten from the files by
`facts.sh` (`tools/facts.py`, `tools/readme.py`). **Never edit them by hand.**

Lab: client 10.0.0.5 (and fd00::5), proxy 10.0.0.1:6050, DNS 10.0.0.53, servers
10.0.1.10 tetra-defs.amp.cisco.com, 10.0.1.20 api-sse.cisco.com, 10.0.1.30
otx.alienvault.com, 10.0.1.31 limo.anomali.com, 10.0.1.40/.41 www.example.net,
10.0.1.50 (small-MTU path), all on one bridge; 10.100.0.0/24 VLAN-100 link;
10.200.0.0/24 path through the delay/reorder forwarder; 10.60.0.5 → router
10.60.0.1/10.61.0.1 → 10.61.0.10 with an MTU-400 egress link (`ip-fragments`). PKI: `Example Public Root
CA` → `HydrantID SSL ICA G2` → leaves (RSA 2048); `Corp SSL Inspection CA` for the
interception case; self-signed leaves for limo.anomali.com (TLS 1.2) and
www.example.net (`tls13-untrusted`); an ICA-issued leaf for intranet.example.org
(`cert-wrong-name`); a 1024-bit DH group (`client-dh-too-small`). A full run makes a
new PKI; a run of named fixtures reuses the previous run's (`$WORK/certs`, or
`PKI=DIR`), so added captures share the root/ICA of the others.

## How the facts were read

`tshark -r FILE -T pdml -d tcp.port==6050,http -o tcp.reassemble_out_of_order:TRUE`
with tshark %(tshark)s. Notes:

- **Port 6050 is not HTTP to Wireshark** (it decodes 6000–6063 as X11). Without
  `-d tcp.port==6050,http` the CONNECT/200 and the tunnelled TLS are not dissected.
  tlsdiag must recognise the proxy by content.
- `tcp.reassemble_out_of_order:TRUE` only matters for `reorder-dup.pcapng` (see there).
- Frame numbers are tshark's `frame.number`; a message spanning several segments is
  reported at the frame that completes it.
- HTTP `request_frame`/`response_frame` are from a second run with
  `-o http.desegment_body:FALSE` (the frame completing the request/status line and
  headers); `body_frame` is where default tshark completes the message with its
  body (`null`: Wireshark never completes it, e.g. a body without Content-Length
  whose closing FIN is not captured).
- Certificates: the DER bytes tshark shows, read with `openssl x509 -nameopt RFC2253`
  (RFC 4514 order, most specific first).
- Derived fields (computed here from tshark's fields, not printed by tshark):
  `from`, `client`/`server`, `syn_retransmits`, `taxii_status_type`, DNS query/response
  pairing (tshark's `dns.response_to` first, else id+name+type) and
  `outcome_per_spec`: the `tcp.outcome` rule of
  `shared/spec/report.md` applied mechanically to the TCP flags (midstream if the
  stream's first frame is not a SYN; refused if a SYN got RST and no SYN-ACK;
  unanswered if the server sent nothing; reset if any RST; closed if any FIN; else
  established). `client` is the SYN sender, or, with no SYN, the higher port.

## facts.json layout

```
{ "generated_by", "tshark_version", "tshark_options", "http_frames_options",
  "files": { "<file name>": {
    "file", "size_bytes",
    "format": "pcap" | "pcapng", "byte_order": "little" | "big",
    "timestamp_resolution": "usec" | "nsec" (pcap) | null (pcapng: see interfaces[].tsresol),
    "capinfos_file_type", "capinfos_encapsulation",
    "interfaces": [{"id", "linktype" (DLT number), "linktype_name" ("ether", "linux-sll",
                    "linux-sll2", "nflog"), "snaplen", "name", "tsresol", "filter", "frames"}],
    "frames": N (whole records, as tshark counts),
    "tshark_error": string | null, "truncated_record": bool,
    "truncated_record_would_be_frame": N+1 | null,
    "first_frame_time", "last_frame_time" (RFC 3339 UTC, microseconds, truncated),
    "timestamps_non_monotonic_at": [frame], "frames_cut_by_snaplen": [frame],
    "cut_frames_detail": [{"frame", "cap_len", "len", "tcp_len", "tcp_payload_captured",
                           "tcp_payload_captured_hex", "tls_records": [{"content_type",
                           "record_version", "length", "handshake_types"}]}],
    "tcp_stream_count": N,
    "tcp_streams": [{"stream" (tcp.stream), "client": {"ip","port"}, "server": {...},
                     "first_frame", "last_frame", "packets", "start", "start_epoch",
                     "duration", "starts_with_syn", "syn_frames", "syn_retransmits",
                     "synack_frames", "fin": [{"frame","from"}], "rst": [{"frame","from"}],
                     "client_payload_bytes", "server_payload_bytes",
                     "analysis": {"retransmission"|"out_of_order"|"duplicate_ack"|
                                  "lost_segment"|"spurious_retransmission"|...: [frame]},
                     "outcome_per_spec"}],
    "tls_handshake_frames": {"client_hello": [frame], "hello_retry_request": [frame],
                             "server_hello": [frame], "certificate": [frame], ...},
    "tls_handshakes": [ one per plaintext handshake message, in frame order:
        {"frame", "stream", "from": "client"|"server", "type", "type_code", "record_version",
         client_hello: "version", "cipher_suites", "extensions", "supported_versions" (null if
                       the extension is absent), "sni", "alpn", "supported_groups",
                       "signature_algorithms", "key_share_groups", "ja3", "ja3_full"
         server_hello: "version", "extensions", "cipher_suite", "hello_retry_request",
                       "supported_version", "negotiated_version", "selected_group" (HRR),
                       "key_share_group"
         certificate:  "certificates": [{"subject", "issuer", "not_before", "not_after",
                                         "self_signed", "sha256", "der_length"}] } ],
    "tls_alerts": [{"frame", "stream", "from", "encrypted", "level", "level_name",
                    "description", "name", "record_version"}],
    "http": [{"stream", "request_frame", "method", "uri", "host", "request_version",
              "response_frame", "status", "phrase", "response_version", "body_frame",
              "content_type", "proxy_authenticate", "www_authenticate", "server_header",
              "taxii_status_type" (only when there is a body)}],
    "dns": [{"query_frame", "response_frame" (null: no response), "id", "name", "type",
             "rcode" ("NOERROR"|"NXDOMAIN"|"SERVFAIL"|"REFUSED"|null), "answers",
             "client": {"ip","port"}, "server": {"ip","port"}, "tshark_retransmission",
             "transport": "udp" | "tcp" (DNS over TCP: ports are the TCP connection's)}],
    "ip_reassembled": [{"frame" (tshark reports the datagram here: its last fragment),
                        "src", "dst", "id", "protocol", "length" (reassembled payload),
                        "fragment_count", "fragments": [{"frame", "offset", "length"}]}]
}}}
```
All code points are lowercase `0x%%04x` strings. CONNECT exchanges are in `http`
(method `CONNECT`); per the spec they belong in `proxy`, not `http`.

## Deviations from the brief (real constraints, not shortcuts)

- `proxy-502.pcapng` holds a **503** (squid `ERR_CONNECT_FAIL`): neither squid 5.7 nor
  tinyproxy 1.11 answers a refused upstream CONNECT with 502 (tinyproxy: 500, kept as
  the extra `proxy-500.pcapng`). squid gives 502 only for plain-HTTP requests.
- `vlan-tls.pcapng`: no 8021q in this kernel → tc-bpf VLAN push/pop on the veth (tag on
  the wire is real; there is no subinterface).
- `reorder-dup.pcapng`: no sch_netem in this kernel → tools/pyfwd.py (deterministic:
  always the same segments are reordered/duplicated, so no regenerate-until loop).
- `bigendian.pcap`: made by the s390x build of tcpdump/libpcap under qemu-user
  (downloaded once from Debian into /var/cache/tlsdiag-s390x); skipped with a warning
  if that is impossible.
- Tinyproxy answers CONNECT with `HTTP/1.0 200 Connection established` (the field note
  shows HTTP/1.1); curl's request line is `CONNECT … HTTP/1.1` as required.
- `tcp-unanswered`/`port-8989-blocked` use `--connect-timeout 6`, not 7: this kernel
  (6.18) sends SYN retransmissions at 1, 2, 3, 4, 5 s then 7 s; 7 would race.
- The good tetra endpoint is curl/OpenSSL with `--tls-max 1.2` (28 suites, 0xc02c
  first), not Windows Schannel; the server still picks 0xc030 (server preference).
- `not-tls.pcapng`: the plain-HTTP server is nginx, not a Python http.server. Python's
  http.server answers a ClientHello with its HTML error page only: it treats the
  unparsable request line as HTTP/0.9 and so writes no `HTTP/1.1 400` status line.
- `one-sided.pcapng` filters on `src host 10.0.0.5 and tcp` rather than `src host 10.0.0.5`
  alone, so that an ARP request from the client (present or not depending on the
  neighbour cache) cannot make the file differ from run to run.
- `ip-fragments.pcapng` uses an MTU of 400, not 576: curl's ClientHello (517 bytes)
  makes a 569-byte IP packet, which fits 576. The server's route back announces MSS
  1460 on the MTU-400 link (`advmss 1460`): with the MSS derived from its link the
  client would never send a segment the router must fragment.
- `no-dns-server.pcapng` switches off cli0's IPv6 router solicitations during the
  capture, so that the (empty) file does not depend on when the lab came up.
- Every first ClientHello has record version 0x0301 (OpenSSL's choice for an initial
  ClientHello; only the second ClientHello after an HRR uses 0x0303) with hello version
  0x0303 — in tetra-cipher-mismatch too (the field note says record version TLS 1.2).

## Fixtures
"""


def main():
    facts = json.load(open(sys.argv[1]))
    lines = [HEADER.replace("%(tshark)s", facts["tshark_version"].replace("TShark (Wireshark) ", "").rstrip(".")).replace("%%", "%")]
    order = list(DESCRIPTIONS)
    names = sorted(facts["files"], key=lambda n: (order.index(n) if n in order else 999, n))
    for n in names:
        f = facts["files"][n]
        lines.append("### `%s`\n" % n)
        lines.append(DESCRIPTIONS.get(n, "(no description)") + "\n")
        lines.extend(line_for(n, f))
        lines.append("")
    with open(sys.argv[2], "w") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
