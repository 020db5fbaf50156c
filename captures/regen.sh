#!/usr/bin/env bash
# Regenerate every tlsdiag test-fixture capture from scratch with real software.
#
#   sudo bash captures/regen.sh            # all fixtures, then facts.json
#   sudo bash captures/regen.sh NAME...    # only these fixtures (basename without
#                                          # extension, e.g. tetra-good tls13-hrr),
#                                          # then facts.json for all files
#   KEEP=1 bash captures/regen.sh --setup  # only build the lab, leave it up
#
# The lab PKI (root, ICA, leaves) lives in $WORK/certs.  A full run makes a new
# one.  A run of named fixtures reuses the previous run's $WORK/certs when it is
# there, so that the new captures carry the same root/ICA/leaves as the others;
# PKI=DIR reuses DIR instead.  Leaves missing from a reused PKI are issued by its
# ICA.  REGEN_WORK=DIR moves the work directory (default /tmp/tlsdiag-regen).
#
# Everything runs in network namespaces created here (prefix "td-"); nothing
# leaves the machine.  The lab:
#
#   td-cli  cli0 10.0.0.5/16 fd00::5/64   the endpoint; captures are taken here
#   td-prx  prx0 10.0.0.1/16              tinyproxy / squid on port 6050
#   td-dns  dns0 10.0.0.53/16             dnsmasq (+ a broken upstream on 127.0.0.9)
#   td-srv  srv0 10.0.1.10 tetra-defs.amp.cisco.com, 10.0.1.20 api-sse.cisco.com,
#                10.0.1.30 otx.alienvault.com, 10.0.1.31 limo.anomali.com,
#                10.0.1.40/.41 www.example.net servers, 10.0.1.50 (small MTU path),
#                fd00::10/64
#   td-sw   br0: the switch joining the four above
#   td-cli vcl0 10.100.0.5/24 <-> td-srv vsv0 10.100.0.10/24   802.1Q VID 100 trunk
#   td-cli rcl0 10.200.0.5/24 <-> td-fwd (delaying/reordering L2 forwarder)
#                             <-> td-srv rsv0 10.200.0.10/24
#   td-cli fcl0 10.60.0.5/24 <-> td-rtr fr0 10.60.0.1/24   router (ip_forward, no
#                                td-rtr fr1 10.61.0.1/24   conntrack), MTU 400 link
#                             <-> td-srv fsv0 10.61.0.10/24 MTU 400 (ip-fragments)
#
# Requires: iproute2 ethtool iptables tshark(+dumpcap,editcap,mergecap,capinfos)
# tcpdump openssl curl tinyproxy squid dnsmasq socat nginx(-light) python3 clang
# dig (bind9-dnsutils) zstd xz bzip2; a kernel with NFLOG (xt_NFLOG + nfnetlink_log).
set -euo pipefail
export LC_ALL=C

CAPDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOOLS=$CAPDIR/tools
PY=/usr/bin/python3
WORK=${REGEN_WORK:-/tmp/tlsdiag-regen}
NSS=(td-cli td-prx td-dns td-srv td-sw td-fwd td-rtr)
PIDS=()

log() { printf '\n=== %s\n' "$*" >&2; }
die() { echo "regen.sh: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root"

need_tools() {
  local missing=() t
  for t in ip ethtool iptables tc tshark dumpcap editcap mergecap capinfos tcpdump \
           openssl curl tinyproxy squid dnsmasq socat nginx clang dig gnutls-cli zstd xz bzip2; do
    command -v "$t" >/dev/null 2>&1 || missing+=("$t")
  done
  [ -x "$PY" ] || missing+=(python3)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing packages for: ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 ethtool iptables \
      tshark wireshark-common tcpdump openssl curl tinyproxy squid dnsmasq-base \
      socat nginx-light clang python3 bind9-dnsutils gnutls-bin zstd xz-utils bzip2 >/dev/null
  fi
}

# ---------------------------------------------------------------- processes
# bgns NS CMD...: start CMD in namespace NS as its own process group; remember it.
bgns() {
  local ns=$1; shift
  (cd "${BGCWD:-/}" && exec ip netns exec "$ns" setsid "$@" </dev/null) &
  PIDS+=($!)
  LASTPID=$!
}
stop_bg() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  PIDS=()
}
# wait until TCP/UDP socket is listening in NS: wait_listen NS ADDR:PORT [u]
wait_listen() {
  local ns=$1 ap=$2 proto=${3:-t} i
  for i in $(seq 1 100); do
    if ip netns exec "$ns" ss -Hln"$proto" | awk '{print $4}' | grep -qxF -- "$ap"; then return 0; fi
    sleep 0.1
  done
  die "nothing listening on $ap in $ns"
}

# ---------------------------------------------------------------- captures
# cap_start FILE IFACE FILTER [extra capture args]: start a capture in td-cli.
#   *.pcapng -> dumpcap (Wireshark's capture engine, writes pcapng natively)
#   *.pcap   -> tcpdump (libpcap savefile), immediate mode
cap_start() {
  local file=$1 ifc=$2 filter=$3; shift 3
  local ns=${CAPNS:-td-cli}
  rm -f "$file"
  CAPERR=$WORK/cap.$$.$RANDOM.err
  case $file in
    *.pcapng) ip netns exec "$ns" setsid dumpcap -q -i "$ifc" -f "$filter" "$@" -w "$file" 2>"$CAPERR" </dev/null & ;;
    *.pcap)   ip netns exec "$ns" setsid tcpdump -Z root -n --immediate-mode -i "$ifc" "$@" -w "$file" "$filter" 2>"$CAPERR" </dev/null & ;;
  esac
  CAPPID=$!
  local i
  for i in $(seq 1 100); do
    grep -qE 'Capturing on|listening on' "$CAPERR" 2>/dev/null && break
    sleep 0.1
  done
  grep -qE 'Capturing on|listening on' "$CAPERR" || { cat "$CAPERR" >&2; die "capture did not start"; }
  sleep 0.3
}
cap_stop() {
  sleep "${1:-0.5}"
  kill -INT "$CAPPID" 2>/dev/null || true
  wait "$CAPPID" 2>/dev/null || true
  grep -E 'captured|received' "$CAPERR" >&2 || true
}

# ---------------------------------------------------------------- lab
teardown() {
  stop_bg
  [ -n "${CAPPID:-}" ] && kill -INT "$CAPPID" 2>/dev/null || true
  local ns f
  for ns in "${NSS[@]}"; do
    # kill anything still running inside our namespaces (only our processes live there)
    if ip netns pids "$ns" >/dev/null 2>&1; then
      for f in $(ip netns pids "$ns"); do kill -KILL "$f" 2>/dev/null || true; done
      ip netns del "$ns" 2>/dev/null || true
    fi
    rm -rf "/etc/netns/$ns"
  done
  rmdir /etc/netns 2>/dev/null || true
}

noofld() { ip netns exec "$1" ethtool -K "$2" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true; }

# vpair NS1 IF1 NS2 IF2: veth pair between two namespaces, offloads off, up
vpair() {
  ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
  noofld "$1" "$2"; noofld "$3" "$4"
  ip -n "$1" link set "$2" up; ip -n "$3" link set "$4" up
}

setup_lab() {
  teardown
  rm -rf "$WORK"
  mkdir -p "$WORK"
  local ns
  for ns in "${NSS[@]}"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    mkdir -p "/etc/netns/$ns"
    printf '127.0.0.1 localhost\n' >"/etc/netns/$ns/hosts"
    printf 'nameserver 10.0.0.53\n' >"/etc/netns/$ns/resolv.conf"
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
  # the switch
  ip -n td-sw link add br0 type bridge stp_state 0
  ip -n td-sw link set br0 up
  local pair
  for pair in td-cli:cli0:s-cli td-prx:prx0:s-prx td-dns:dns0:s-dns td-srv:srv0:s-srv; do
    IFS=: read -r ns ifc sp <<<"$pair"
    vpair "$ns" "$ifc" td-sw "$sp"
    ip -n td-sw link set "$sp" master br0
  done
  ip -n td-cli addr add 10.0.0.5/16 dev cli0
  ip -n td-prx addr add 10.0.0.1/16 dev prx0
  ip -n td-dns addr add 10.0.0.53/16 dev dns0
  local a
  for a in 10 20 30 31 40 41 50; do ip -n td-srv addr add "10.0.1.$a/16" dev srv0; done
  # IPv6 only on the endpoint and server links (for ipv6-tls12), no DAD delay
  for pair in td-cli:cli0:fd00::5 td-srv:srv0:fd00::10; do
    IFS=: read -r ns ifc a <<<"$pair"
    ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$ifc.disable_ipv6=0" "net.ipv6.conf.$ifc.accept_dad=0"
    ip -n "$ns" addr add "$a/64" dev "$ifc" nodad
  done
  # 802.1Q trunk emulated with tc-bpf (kernel lacks 8021q): VID 100 on vcl0<->vsv0
  clang -O2 -target bpf -I/usr/include/x86_64-linux-gnu -c "$TOOLS/vlan_tc.c" -o "$WORK/vlan_tc.o"
  vpair td-cli vcl0 td-srv vsv0
  ip -n td-cli addr add 10.100.0.5/24 dev vcl0
  ip -n td-srv addr add 10.100.0.10/24 dev vsv0
  for pair in td-cli:vcl0 td-srv:vsv0; do
    IFS=: read -r ns ifc <<<"$pair"
    ip netns exec "$ns" tc qdisc add dev "$ifc" clsact
    ip netns exec "$ns" tc filter add dev "$ifc" egress bpf da obj "$WORK/vlan_tc.o" sec egress
    ip netns exec "$ns" tc filter add dev "$ifc" ingress bpf da obj "$WORK/vlan_tc.o" sec ingress
  done
  # path through the userspace delay/reorder/duplicate forwarder (no sch_netem here)
  vpair td-cli rcl0 td-fwd fa0
  vpair td-fwd fb0 td-srv rsv0
  ip -n td-cli addr add 10.200.0.5/24 dev rcl0
  ip -n td-srv addr add 10.200.0.10/24 dev rsv0
  # small-MTU path to 10.0.1.50 (split ClientHello): the client sends at most
  # 240-byte IP packets to that host and announces MSS 200 to it
  ip -n td-cli route add 10.0.1.50/32 dev cli0 mtu lock 240 advmss 200
  # routed path whose egress link (router -> server) has MTU 400 (ip-fragments).
  # The server announces MSS 1460 on it (route advmss), as a server behind further
  # 1500-byte hops would, so the client's full-size segments reach the router,
  # which fragments them when the client sends without DF.
  vpair td-cli fcl0 td-rtr fr0
  vpair td-rtr fr1 td-srv fsv0
  ip -n td-rtr link set fr1 mtu 400
  ip -n td-srv link set fsv0 mtu 400
  ip -n td-cli addr add 10.60.0.5/24 dev fcl0
  ip -n td-rtr addr add 10.60.0.1/24 dev fr0
  ip -n td-rtr addr add 10.61.0.1/24 dev fr1
  ip -n td-srv addr add 10.61.0.10/24 dev fsv0
  ip netns exec td-rtr sysctl -qw net.ipv4.ip_forward=1
  ip -n td-cli route add 10.61.0.0/24 via 10.60.0.1 dev fcl0
  ip -n td-srv route add 10.60.0.0/24 via 10.61.0.1 dev fsv0 advmss 1460
  sleep 0.5
}

# ---------------------------------------------------------------- certificates
CERTS=$WORK/certs
mkcerts() {
  rm -rf "$CERTS"; mkdir -p "$CERTS"/newcerts
  if [ -n "${PKI:-}" ]; then
    [ -s "$PKI/ica.key" ] && [ -s "$PKI/root.pem" ] || die "PKI=$PKI holds no lab PKI"
    log "reusing the lab PKI from $PKI"
    cp -a "$PKI"/. "$CERTS"/
  fi
  (
  cd "$CERTS"
  local O="/C=US/O=tlsdiag fixtures"
  if [ ! -s ica.key ]; then
  # public-looking root + intermediate (the "good" PKI the clients trust)
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -keyout root.key -out root.pem \
    -subj "$O/CN=Example Public Root CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -keyout ica.key -out ica.csr -subj "$O/CN=HydrantID SSL ICA G2" 2>/dev/null
  printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' >ca.ext
  openssl x509 -req -sha256 -in ica.csr -CA root.pem -CAkey root.key -set_serial 0x1001 -days 1825 \
    -extfile ca.ext -out ica.pem 2>/dev/null
  # the TLS-inspection CA of a corporate proxy (self-signed, NOT trusted by clients)
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -keyout corp.key -out corp.pem \
    -subj "/C=US/O=Corp IT/CN=Corp SSL Inspection CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  fi
  cat >ca.cnf <<'EOF'
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = .
database = index.txt
new_certs_dir = newcerts
certificate = ica.pem
private_key = ica.key
serial = serial
default_md = sha256
policy = policy_any
copy_extensions = copy
unique_subject = no
email_in_dn = no
[ policy_any ]
countryName = optional
organizationName = optional
commonName = supplied
EOF
  [ -e index.txt ] || : >index.txt
  [ -s serial ] || echo 2001 >serial
  # leaf NAME CN ISSUER(ica|corp|self) [startdate enddate]   (kept if NAME.pem exists)
  leaf() {
    local name=$1 cn=$2 iss=$3
    [ -s "$name.pem" ] && [ -s "$name.key" ] && return 0
    local ext="-addext subjectAltName=DNS:$cn -addext basicConstraints=critical,CA:FALSE -addext keyUsage=critical,digitalSignature,keyEncipherment -addext extendedKeyUsage=serverAuth"
    if [ "$iss" = self ]; then
      # shellcheck disable=SC2086
      openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 825 -keyout "$name.key" -out "$name.pem" \
        -subj "$O/CN=$cn" $ext 2>/dev/null
      return
    fi
    # shellcheck disable=SC2086
    openssl req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" -subj "$O/CN=$cn" $ext 2>/dev/null
    if [ "$iss" = corp ]; then
      openssl x509 -req -sha256 -in "$name.csr" -CA corp.pem -CAkey corp.key -set_serial 0x3001 -days 397 \
        -copy_extensions copy -out "$name.pem" 2>/dev/null
    elif [ $# -ge 5 ]; then
      openssl ca -batch -config ca.cnf -notext -startdate "$4" -enddate "$5" -in "$name.csr" -out "$name.pem" 2>/dev/null
    else
      openssl ca -batch -config ca.cnf -notext -days 397 -in "$name.csr" -out "$name.pem" 2>/dev/null
    fi
  }
  leaf tetra tetra-defs.amp.cisco.com ica
  leaf apisse api-sse.cisco.com ica
  leaf www www.example.net ica
  leaf otx otx.alienvault.com ica
  leaf expired otx.alienvault.com ica 20200101000000Z 20210101000000Z
  leaf selfsigned limo.anomali.com self
  leaf wwwself www.example.net self
  leaf intercept api-sse.cisco.com corp
  leaf wrongname intranet.example.org ica
  # 1024-bit finite-field DH group (client-dh-too-small)
  [ -s dh1024.pem ] || openssl dhparam -out dh1024.pem 1024 2>/dev/null
  )
}

# s_server NAME ADDR:PORT CERTNAME [CHAIN] -- extra s_server args
s_server() {
  local ns=td-srv accept=$1 cert=$2 chain=$3; shift 3
  local chainarg=()
  [ -n "$chain" ] && chainarg=(-cert_chain "$CERTS/$chain.pem")
  bgns "$ns" openssl s_server -quiet -accept "$accept" -cert "$CERTS/$cert.pem" -key "$CERTS/$cert.key" \
    "${chainarg[@]}" "$@"
  wait_listen "$ns" "$accept"
}

# ---------------------------------------------------------------- daemons
dnsmasq_start() { # extra dnsmasq options
  bgns td-dns dnsmasq -k --user=root --group=root --no-resolv --no-hosts --no-negcache \
    --listen-address=10.0.0.53 --bind-interfaces --log-queries --log-facility="$WORK/dnsmasq.log" \
    --pid-file="$WORK/dnsmasq.pid" "$@"
  wait_listen td-dns 10.0.0.53:53 u
}

tinyproxy_start() { # extra config lines on stdin
  {
    cat <<EOF
Port 6050
Listen 10.0.0.1
Timeout 30
MaxClients 20
Allow 10.0.0.0/16
LogFile "$WORK/tinyproxy.log"
LogLevel Info
PidFile "$WORK/tinyproxy.pid"
DisableViaHeader Yes
EOF
    cat
  } >"$WORK/tinyproxy.conf"
  bgns td-prx tinyproxy -d -c "$WORK/tinyproxy.conf"
  wait_listen td-prx 10.0.0.1:6050
}

squid_start() { # extra config lines as arguments, placed before "http_access allow lan"
  mkdir -p "$WORK/squid"
  {
  cat <<EOF
http_port 10.0.0.1:6050
acl lan src 10.0.0.0/16
acl SSL_ports port 443
acl CONNECT method CONNECT
http_access deny CONNECT !SSL_ports
EOF
  printf '%s\n' "$@"
  cat <<EOF
http_access allow lan
http_access deny all
cache deny all
cache_mem 8 MB
dns_nameservers 10.0.0.53
pid_filename $WORK/squid/squid.pid
cache_log $WORK/squid/cache.log
access_log $WORK/squid/access.log
coredump_dir $WORK/squid
cache_effective_user proxy
visible_hostname proxy.corp.example
forwarded_for delete
via off
connect_retries 0
EOF
  } >"$WORK/squid.conf"
  chown -R proxy "$WORK/squid" 2>/dev/null || true
  bgns td-prx squid -N -f "$WORK/squid.conf"
  wait_listen td-prx 10.0.0.1:6050
}

# a stock nginx (Debian nginx-light) serving $WORK/www over plain HTTP on ADDR:PORT in td-srv;
# a second argument replaces the server block(s)
nginx_start() {
  local ap=$1 d=$WORK/nginx servers=${2:-"server { listen $1; root $WORK/www; }"}
  mkdir -p "$d/tmp"
  cat >"$d/nginx.conf" <<EOF
daemon off;
master_process off;
user root;
pid $d/nginx.pid;
error_log $d/error.log info;
events { worker_connections 64; }
http {
  access_log $d/access.log;
  client_body_temp_path $d/tmp/body;
  proxy_temp_path $d/tmp/proxy;
  fastcgi_temp_path $d/tmp/fastcgi;
  uwsgi_temp_path $d/tmp/uwsgi;
  scgi_temp_path $d/tmp/scgi;
  $servers
}
EOF
  bgns td-srv nginx -p "$d/" -c "$d/nginx.conf"
  wait_listen td-srv "$ap"
}

pyserver() { # NS MODE ADDR PORT [args]
  local ns=$1 mode=$2 addr=$3 port=$4; shift 4
  bgns "$ns" "$PY" "$TOOLS/servers.py" "$mode" "$addr" "$port" "$@"
  case $mode in dns-servfail) wait_listen "$ns" "$addr:$port" u ;; *) wait_listen "$ns" "$addr:$port" ;; esac
}

CLI() { ip netns exec td-cli "$@"; }
# run a client command whose failure is the point of the fixture
CLI_try() { local rc=0; ip netns exec td-cli "$@" || rc=$?; echo "  client exit status $rc" >&2; }

CA=(--cacert "$WORK/certs/root.pem")
CURL=(curl -sS -o /dev/null -w '  HTTP %{http_code} via %{remote_ip}:%{remote_port}\n')
MAINF='host 10.0.0.5 and (tcp or udp)'

# ================================================================ fixtures
. "$TOOLS/fixtures.sh"

# ================================================================ main
main() {
  need_tools
  # named fixtures: keep the previous run's PKI (setup_lab wipes $WORK)
  local keep=""
  if [ $# -gt 0 ] && [ "$1" != --setup ] && [ -z "${PKI:-}" ] && [ -s "$WORK/certs/ica.key" ]; then
    keep=$(mktemp -d /tmp/tlsdiag-pki.XXXXXX)
    cp -a "$WORK/certs"/. "$keep"/
    PKI=$keep
  fi
  trap teardown EXIT
  setup_lab
  mkcerts
  [ -n "$keep" ] && rm -rf "$keep"
  www_dir
  if [ "${1:-}" = --setup ]; then
    [ -n "${KEEP:-}" ] && trap - EXIT
    return 0
  fi
  local list=("$@") f
  if [ ${#list[@]} -eq 0 ]; then
    list=("${ALL_FIXTURES[@]}")
    rm -f "$CAPDIR"/*.pcap "$CAPDIR"/*.pcapng
  fi
  for f in "${list[@]}"; do
    log "$f"
    "fx_${f//-/_}"
    stop_bg
  done
  teardown
  trap - EXIT
  chmod 644 "$CAPDIR"/*.pcap "$CAPDIR"/*.pcapng
  log "facts"
  bash "$CAPDIR/facts.sh"
  log "compressed copies"
  bash "$CAPDIR/compressed/make.sh"
}

main "$@"
