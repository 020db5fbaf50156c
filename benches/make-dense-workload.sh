#!/usr/bin/env bash
# Build the handshake-dense benchmark capture: short connections only —
# handshakes and failures, no bulk data — expanded to >= 100,000 handshakes
# exactly the way ../shared/bench/make-workload.sh expands its base.
#
#   benches/make-dense-workload.sh [OUTDIR]      (default OUTDIR=/tmp/bench)
#
# Produces in OUTDIR (never in the repository):
#   dense-base.pcap    real capture (tcpdump on a private loopback, MTU 1500)
#   dense.pcap         dense-base replicated with distinct 127.x addresses
#   dense.pcapng       pcapng conversion (editcap -F pcapng)
#   dense-work/        certificates, proxy.py and expand.py (taken verbatim from
#                      the shared generator), logs
#   dense.txt          sizes, packet counts, tshark's TLS message counts
#
# The base is captured inside a fresh network namespace (`unshare -n`: only a
# private loopback exists, nothing leaves it), lo at MTU 1500 with offloads
# off, `tcpdump -s 0`, the same servers as the shared workload plus one that
# only accepts X25519 (to provoke HelloRetryRequests):
#   :4433 openssl s_server -WWW default (TLS 1.3/1.2, RSA-2048)
#   :4434 restricted (ECDHE-RSA-AES{256,128}-GCM, TLS_AES_128_GCM_SHA256 only)
#   :4435 -tls1_2 only      :4436 ECDSA P-256 certificate
#   :4437 -groups X25519    :3128 the shared generator's CONNECT proxy
# WORKERS parallel client loops of ITER iterations each cycle through 16
# cases, every one a single openssl s_client handshake (stdin at EOF, so the
# client closes right after the handshake): TLS 1.3 and 1.2 successes with RSA
# and ECDSA, through the CONNECT proxy, a HelloRetryRequest, and failures —
# handshake_failure (CBC-only client, TLS_AES_256 only), protocol_version
# (TLS 1.3-only vs TLS 1.2 server), unknown_ca (client verifying a self-signed
# chain), a failure inside a CONNECT tunnel, a refused TCP connection.
#
# Knobs: WORKERS (3), ITER (400), MIN_HANDSHAKES (100000), OVERLAP (4),
# SHARED (path of make-workload.sh; default ../shared/bench/make-workload.sh
# next to this repository).
#
# Requires: openssl tcpdump python3 editcap capinfos tshark unshare, ethtool (opt)
set -euo pipefail
SELF="$(readlink -f "$0")"
HERE="$(dirname "$SELF")"

if [[ "${1:-}" == "--inner" ]]; then INNER=1; OUT="$2"; else INNER=0; OUT="${1:-/tmp/bench}"; fi
WORKERS="${WORKERS:-3}"
ITER="${ITER:-400}"
MIN_HANDSHAKES="${MIN_HANDSHAKES:-100000}"
OVERLAP="${OVERLAP:-4}"
SHARED="${SHARED:-$HERE/../../shared/bench/make-workload.sh}"

# --------------------------------------------------------------------------
# Inner part: runs inside the private network namespace and does the capture.
# --------------------------------------------------------------------------
if [[ $INNER == 1 ]]; then
  cd "$OUT/dense-work"
  ip link set lo up
  ip link set lo mtu 1500
  if command -v ethtool >/dev/null; then
    ethtool -K lo tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
  fi
  # Linux reuses TIME_WAIT ports on loopback (tcp_tw_reuse=2). tshark carries a
  # CONNECT tunnel's TLS state over to the next connection on the same ports
  # and then shows its ClientHello as "Encrypted Handshake Message", which
  # would make tshark a wrong oracle for the count check: no reuse here. (The
  # default ephemeral range stays: below it, client ports such as 3860 are
  # well-known ports to tshark, which then does not look for TLS at all.)
  sysctl -q -w net.ipv4.tcp_tw_reuse=0 2>/dev/null || true
  PIDS=()
  cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
  trap cleanup EXIT
  srv() { openssl s_server -quiet -WWW "$@" >/dev/null 2>&1 & PIDS+=($!); }
  srv -accept 4433 -cert rsa.crt -key rsa.key
  srv -accept 4434 -cert rsa.crt -key rsa.key \
    -cipher ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256 \
    -ciphersuites TLS_AES_128_GCM_SHA256
  srv -accept 4435 -tls1_2 -cert rsa.crt -key rsa.key
  srv -accept 4436 -cert ec.crt -key ec.key
  srv -accept 4437 -groups X25519 -cert rsa.crt -key rsa.key
  python3 proxy.py 3128 >/dev/null 2>&1 &
  PIDS+=($!)
  for port in 4433 4434 4435 4436 4437 3128; do
    for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.05; done
  done
  tcpdump -i lo -s 0 -U -n -w "$OUT/dense-base.pcap" 'tcp' 2>tcpdump.log &
  PIDS+=($!)
  for _ in $(seq 50); do grep -q 'listening on' tcpdump.log 2>/dev/null && break; sleep 0.1; done
  sleep 0.3

  H=127.0.0.1
  CBC='AES128-SHA256:AES256-SHA256:AES128-SHA:AES256-SHA'
  sc() { timeout 20 openssl s_client -connect "$@" </dev/null >/dev/null 2>&1 || true; }
  worker() {
    local w=$1 i
    for ((i = 0; i < ITER; i++)); do
      case $(( (i + 5 * w) % 16 )) in
        0)  sc "$H:4433" -servername tls13.test ;;
        1)  sc "$H:4433" -tls1_2 -servername tls12.test ;;
        2)  sc "$H:4436" -servername ecdsa.test ;;
        3)  sc "$H:4435" -tls1_2 -servername tls12only.test ;;
        4)  sc "$H:4433" -proxy "$H:3128" -servername proxied.test ;;
        5)  sc "$H:4434" -tls1_2 -cipher "$CBC" -servername restricted.test ;;   # handshake_failure
        6)  sc "$H:4436" -verify_return_error -servername untrusted.test ;;       # unknown_ca
        7)  sc "$H:4435" -tls1_3 -servername tls12only.test ;;                    # protocol_version
        8)  sc "$H:4437" -groups P-256:X25519 -servername hrr.test ;;             # HelloRetryRequest
        9)  sc "$H:4434" -proxy "$H:3128" -tls1_2 -cipher "$CBC" ;;               # failure in a tunnel
        10) sc "$H:4434" -tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384 ;;          # handshake_failure
        11) sc "$H:4434" -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 ;;
        12) sc "$H:4436" -tls1_2 -servername ecdsa12.test ;;
        13) sc "$H:4439" ;;                                                       # refused (no server)
        14) sc "$H:4436" -proxy "$H:3128" -servername proxied-ecdsa.test ;;
        15) sc "$H:4433" -no_ticket -servername noticket.test ;;
      esac
    done
  }
  WPIDS=()
  for ((w = 0; w < WORKERS; w++)); do worker "$w" & WPIDS+=($!); done
  for p in "${WPIDS[@]}"; do wait "$p"; done
  sleep 0.5
  exit 0   # cleanup trap stops servers, proxy and tcpdump by PID
fi

# --------------------------------------------------------------------------
# Outer part.
# --------------------------------------------------------------------------
for t in openssl tcpdump python3 editcap capinfos tshark unshare; do
  command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 1; }
done
[[ -f "$SHARED" ]] || { echo "shared generator not found: $SHARED (set SHARED=)" >&2; exit 1; }
mkdir -p "$OUT/dense-work"
cd "$OUT/dense-work"

# The proxy and the expansion are the shared generator's own code, cut out of it.
extract() {
  sed -n "/^cat > $1 <<'EOF'\$/,/^EOF\$/p" "$SHARED" | sed '1d;$d' > "$1"
  [[ -s "$1" ]] || { echo "could not extract $1 from $SHARED" >&2; exit 1; }
}
extract proxy.py
extract expand.py

openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.crt -days 3650 \
  -subj "/CN=bench-rsa.test" >/dev/null 2>&1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ec.key \
  -out ec.crt -days 3650 -subj "/CN=bench-ec.test" >/dev/null 2>&1

echo "capturing dense base (WORKERS=$WORKERS ITER=$ITER) ..."
rm -f "$OUT/dense-base.pcap"
WORKERS=$WORKERS ITER=$ITER unshare -n bash "$SELF" --inner "$OUT"

count() { tshark -r "$1" -Y "$2" -T fields -e frame.number 2>/dev/null | wc -l; }
base_ch=$(count "$OUT/dense-base.pcap" 'tls.handshake.type==1')
[[ $base_ch -gt 0 ]] || { echo "no ClientHello in the dense base capture" >&2; exit 1; }
copies=$(( (MIN_HANDSHAKES + base_ch - 1) / base_ch ))
# expand.py makes ceil((target - 24) / record bytes) copies: ask for exactly `copies`.
rec_bytes=$(( $(stat -c %s "$OUT/dense-base.pcap") - 24 ))
python3 expand.py "$OUT/dense-base.pcap" "$OUT/dense.pcap" $(( 24 + copies * rec_bytes )) "$OVERLAP"
editcap -F pcapng "$OUT/dense.pcap" "$OUT/dense.pcapng"

{
  echo "# dense workload summary ($(date -u +%Y-%m-%dT%H:%MZ)): $copies copies of dense-base.pcap"
  for f in dense-base.pcap dense.pcap dense.pcapng; do
    pk=$(capinfos -c -M "$OUT/$f" | awk -F': *' '/Number of packets/{print $2}')
    echo "$f bytes=$(stat -c %s "$OUT/$f") packets=$pk"
  done
  echo "# dense-base.pcap TLS message counts (tshark, reassembly on; dense.pcap = x $copies):"
  echo "tls.handshake.type==1: $base_ch"
  for flt in 'tls.handshake.type==2' 'tls.handshake.type==11' 'tls.alert_message' 'tcp.flags.syn==1&&tcp.flags.ack==0' 'tcp.analysis.reused_ports'; do
    echo "$flt: $(count "$OUT/dense-base.pcap" "$flt")"
  done
  echo "# alert descriptions in dense-base.pcap:"
  tshark -r "$OUT/dense-base.pcap" -Y tls.alert_message -T fields -e tls.alert_message.desc 2>/dev/null | sort | uniq -c
} | tee "$OUT/dense.txt"
