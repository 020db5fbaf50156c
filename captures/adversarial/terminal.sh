#!/bin/sh
# Makes captures/adversarial/terminal-escapes.pcap with real software on the
# loopback interface (root, tcpdump, openssl, python3): strings a terminal must
# never receive raw.
#   1. openssl s_client → s_server (TLS 1.2, so the certificate is visible): the
#      SNI holds a clear-screen and a title-setting escape, a bidi override
#      (U+202E), a BEL, a carriage return and an invalid UTF-8 byte; the
#      server's self-signed certificate has the same kind of bytes in its CN/O.
#   2. a plaintext HTTP request whose path and Host carry escapes, and a
#      CONNECT whose authority does, each answered by a tiny Python server.
# Usage (from the repository root): sh captures/adversarial/terminal.sh
set -eu
out=$(pwd)/captures/adversarial/terminal-escapes.pcap
tmp=$(mktemp -d)
pids=
trap 'kill $pids 2>/dev/null || true; rm -rf "$tmp"' EXIT
cd "$tmp"
openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -days 3650 -utf8 \
    -subj "/CN=$(printf 'cert\033[31m.evil\342\200\256moc.example')/O=$(printf 'Org\007Bell')" 2>/dev/null
tcpdump -U -i lo -s 0 -w "$out" 'tcp port 44301 or tcp port 44302 or tcp port 44303' 2>/dev/null &
tp=$!
pids="$pids $tp"
sleep 1
openssl s_server -quiet -accept 44301 -cert c.pem -key k.pem -tls1_2 </dev/null >/dev/null 2>&1 &
pids="$pids $!"
cat > srv.py <<'PY'
import socket, sys
port, answer = int(sys.argv[1]), sys.argv[2].encode()
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port)); s.listen(1)
c, _ = s.accept(); c.recv(65536); c.sendall(answer.replace(b"\\n", b"\r\n")); c.close()
PY
python3 srv.py 44302 'HTTP/1.1 404 Not Found\nContent-Length: 0\n\n' &
pids="$pids $!"
python3 srv.py 44303 'HTTP/1.1 403 Forbidden\nContent-Length: 0\n\n' &
pids="$pids $!"
sleep 1
sni=$(printf '\033[2J\033]0;pwned\007\342\200\256evil\r\377.example')
openssl s_client -connect 127.0.0.1:44301 -servername "$sni" </dev/null >/dev/null 2>&1 || true
python3 - <<'PY'
import socket
for port, req in [
    (44302, b"GET /\x1b[2Jpath\xe2\x80\xae HTTP/1.1\r\nHost: host\x1b]0;title\x07.example\r\n\r\n"),
    (44303, b"CONNECT proxy\x1b[5m.example:443 HTTP/1.1\r\nHost: proxy\x1b[5m.example:443\r\n\r\n"),
]:
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(req); s.recv(65536); s.close()
PY
sleep 1
kill "$tp"
wait "$tp" 2>/dev/null || true
# This loopback shows every packet twice; keep one copy (editcap, from tshark's package).
editcap -F pcap -d "$out" "$tmp/dedup.pcap" >/dev/null && cp "$tmp/dedup.pcap" "$out"
echo "wrote $out"
