# Fixture recipes for regen.sh (sourced).  Each fx_NAME writes $CAPDIR/NAME.*
# shellcheck shell=bash

TETRA_SERVER_CIPHERS=(-cipher ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-GCM-SHA256
                      -ciphersuites TLS_AES_128_GCM_SHA256 -serverpref)
# the failing endpoint's "SSL Cipher Suite Order" (16 suites, none of the above)
BAD_CLIENT_CIPHERS=AES128-SHA256:AES128-SHA:AES256-SHA256:AES256-SHA:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:DHE-DSS-AES128-SHA256:DHE-DSS-AES128-SHA:DHE-DSS-AES256-SHA256:DHE-DSS-AES256-SHA:@SECLEVEL=0

www_dir() { mkdir -p "$WORK/www"; printf 'TETRA-DEFS 2022080401 ok\n' >"$WORK/www/tetra-defs.dat"; printf 'hello\n' >"$WORK/www/index.txt"; }

tetra_lab() {
  dnsmasq_start --host-record=tetra-defs.amp.cisco.com,10.0.1.10 --local=/tetra-defs.amp.cisco.com/
  tinyproxy_start <<<'ConnectPort 443'
  www_dir
  BGCWD=$WORK/www s_server 10.0.1.10:443 tetra ica -WWW "${TETRA_SERVER_CIPHERS[@]}"
}

fx_tetra_good() {
  tetra_lab
  cap_start "$CAPDIR/tetra-good.pcapng" cli0 "$MAINF"
  CLI "${CURL[@]}" "${CA[@]}" --proxy http://10.0.0.1:6050 --tlsv1.2 --tls-max 1.2 \
    https://tetra-defs.amp.cisco.com/tetra-defs.dat
  cap_stop
}

fx_tetra_cipher_mismatch() {
  tetra_lab
  cap_start "$CAPDIR/tetra-cipher-mismatch.pcapng" cli0 "$MAINF"
  CLI_try "${CURL[@]}" "${CA[@]}" --proxy http://10.0.0.1:6050 --tlsv1.2 --tls-max 1.2 \
    --ciphers "$BAD_CLIENT_CIPHERS" https://tetra-defs.amp.cisco.com/tetra-defs.dat
  cap_stop
}


WWW=(--resolve www.example.net:443:10.0.1.40)
TAXII_HDRS=(-A libtaxii.httpclient -H 'Content-Type: application/xml' -H 'Accept: application/xml'
            -H 'X-TAXII-Accept: urn:taxii.mitre.org:message:xml:1.1'
            -H 'X-TAXII-Content-Type: urn:taxii.mitre.org:message:xml:1.1'
            -H 'X-TAXII-Protocol: urn:taxii.mitre.org:protocol:http:1.0'
            -H 'X-TAXII-Services: urn:taxii.mitre.org:services:1.1')
POLL_REQ='<taxii_11:Poll_Request xmlns:taxii_11="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" message_id="42158" collection_name="user_AlienVault"><taxii_11:Exclusive_Begin_Timestamp>2022-08-01T00:00:00Z</taxii_11:Exclusive_Begin_Timestamp><taxii_11:Inclusive_End_Timestamp>2022-08-04T00:00:00Z</taxii_11:Inclusive_End_Timestamp><taxii_11:Poll_Parameters allow_asynch="false"><taxii_11:Response_Type>FULL</taxii_11:Response_Type></taxii_11:Poll_Parameters></taxii_11:Poll_Request>'
taxii_post() { CLI_try "${CURL[@]}" "${TAXII_HDRS[@]}" --data-binary "$POLL_REQ" "$@"; }
FEEDS=(--resolve otx.alienvault.com:80:10.0.1.30 --resolve limo.anomali.com:80:10.0.1.31)

# plain www.example.net TLS server on 10.0.1.40:443 (chain leaf+ICA), extra args
www_server() { www_dir; BGCWD=$WORK/www s_server "${WWW_ADDR:-10.0.1.40:443}" www ica -WWW "$@"; }

# ------------------------------------------------------------ TLS outcomes
fx_tls13_ok() {
  www_server -tls1_3
  cap_start "$CAPDIR/tls13-ok.pcapng" cli0 "$MAINF"
  CLI "${CURL[@]}" "${CA[@]}" --tlsv1.3 "${WWW[@]}" https://www.example.net/index.txt
  cap_stop
}

fx_tls13_hrr() {
  www_server -tls1_3 -groups P-384
  cap_start "$CAPDIR/tls13-hrr.pcapng" cli0 "$MAINF"
  CLI "${CURL[@]}" "${CA[@]}" --tlsv1.3 --curves X25519:P-384 "${WWW[@]}" https://www.example.net/index.txt
  cap_stop
}

fx_tls12_self_signed() {
  BGCWD=$WORK/www s_server 10.0.1.31:443 selfsigned "" -WWW -tls1_2
  cap_start "$CAPDIR/tls12-self-signed.pcapng" cli0 "$MAINF"
  CLI_try "${CURL[@]}" "${CA[@]}" --tls-max 1.2 --resolve limo.anomali.com:443:10.0.1.31 \
    https://limo.anomali.com/api/v1/taxii/poll/
  cap_stop
}

# ------------------------------------------------------------ TCP outcomes
fx_tcp_refused() {
  # nothing listens on otx.alienvault.com:80; curl tries 3 times
  cap_start "$CAPDIR/tcp-refused.pcapng" cli0 "$MAINF"
  CLI_try "${CURL[@]}" --retry 2 --retry-connrefused --retry-delay 1 "${FEEDS[@]}" \
    http://otx.alienvault.com/taxii/poll/
  cap_stop
}

fx_tcp_unanswered() {
  ip netns exec td-srv iptables -A INPUT -d 10.0.1.30 -p tcp --dport 443 -j DROP
  cap_start "$CAPDIR/tcp-unanswered.pcapng" cli0 "$MAINF"
  CLI_try "${CURL[@]}" --connect-timeout 6 --resolve otx.alienvault.com:443:10.0.1.30 \
    https://otx.alienvault.com/taxii/poll/
  cap_stop
  ip netns exec td-srv iptables -F INPUT
}

fx_port_8989_blocked() {
  ip netns exec td-srv iptables -A INPUT -d 10.0.1.20 -p tcp --dport 8989 -j DROP
  cap_start "$CAPDIR/port-8989-blocked.pcapng" cli0 "$MAINF"
  CLI_try "${CURL[@]}" --connect-timeout 6 --resolve api-sse.cisco.com:8989:10.0.1.20 \
    https://api-sse.cisco.com:8989/
  cap_stop
  ip netns exec td-srv iptables -F INPUT
}

# ------------------------------------------------------------ DNS
fx_dns_nxdomain() {
  dnsmasq_start --address=/api-sse.cisco.com/
  cap_start "$CAPDIR/dns-nxdomain.pcapng" cli0 "$MAINF"
  CLI_try "${CURL[@]}" https://api-sse.cisco.com/
  cap_stop
}

fx_dns_servfail() {
  # dnsmasq forwards cisco.com to a broken upstream resolver that answers SERVFAIL
  pyserver td-dns dns-servfail 127.0.0.9 53
  dnsmasq_start --server=/cisco.com/127.0.0.9
  cap_start "$CAPDIR/dns-servfail.pcapng" cli0 "$MAINF"
  CLI_try "${CURL[@]}" https://api-sse.cisco.com/
  cap_stop
}

fx_dns_no_response() {
  dnsmasq_start --host-record=api-sse.cisco.com,10.0.1.20 --local=/api-sse.cisco.com/
  ip netns exec td-dns iptables -A INPUT -p udp --dport 53 -j DROP
  printf 'nameserver 10.0.0.53\noptions timeout:2 attempts:2\n' >/etc/netns/td-cli/resolv.conf
  cap_start "$CAPDIR/dns-no-response.pcapng" cli0 "$MAINF"
  CLI_try "${CURL[@]}" https://api-sse.cisco.com/
  cap_stop
  printf 'nameserver 10.0.0.53\n' >/etc/netns/td-cli/resolv.conf
  ip netns exec td-dns iptables -F INPUT
}

# ------------------------------------------------------------ proxies
fx_proxy_407() {
  dnsmasq_start --host-record=tetra-defs.amp.cisco.com,10.0.1.10 --local=/tetra-defs.amp.cisco.com/
  tinyproxy_start <<<$'ConnectPort 443\nBasicAuth tetra s3cret'
  cap_start "$CAPDIR/proxy-407.pcapng" cli0 "$MAINF"
  CLI_try "${CURL[@]}" "${CA[@]}" --proxy http://10.0.0.1:6050 https://tetra-defs.amp.cisco.com/tetra-defs.dat
  cap_stop
}

fx_proxy_403() {
  # the proxy only allows CONNECT to port 443; the cloud connector needs 8989
  dnsmasq_start --host-record=api-sse.cisco.com,10.0.1.20 --local=/api-sse.cisco.com/
  tinyproxy_start <<<'ConnectPort 443'
  cap_start "$CAPDIR/proxy-403.pcapng" cli0 "$MAINF"
  CLI_try "${CURL[@]}" "${CA[@]}" --proxy http://10.0.0.1:6050 https://api-sse.cisco.com:8989/
  cap_stop
}

fx_proxy_502() {
  # nothing listens on api-sse.cisco.com:443: the proxy's upstream connect is refused.
  # squid answers such a CONNECT "503 Service Unavailable" (ERR_CONNECT_FAIL 111);
  # neither squid nor tinyproxy answers a refused CONNECT with 502.
  dnsmasq_start --host-record=api-sse.cisco.com,10.0.1.20 --local=/api-sse.cisco.com/
  squid_start
  cap_start "$CAPDIR/proxy-502.pcapng" cli0 "$MAINF"
  CLI_try "${CURL[@]}" "${CA[@]}" --proxy http://10.0.0.1:6050 https://api-sse.cisco.com/
  cap_stop
}

fx_proxy_500() {
  # same as proxy-502 but through tinyproxy, which answers "500 Unable to connect"
  dnsmasq_start --host-record=api-sse.cisco.com,10.0.1.20 --local=/api-sse.cisco.com/
  tinyproxy_start <<<'ConnectPort 443'
  cap_start "$CAPDIR/proxy-500.pcapng" cli0 "$MAINF"
  CLI_try "${CURL[@]}" "${CA[@]}" --proxy http://10.0.0.1:6050 https://api-sse.cisco.com/
  cap_stop
}

# squid names its own errors in X-Squid-Error: the cause, beyond the status
fx_proxy_dns_fail() {
  # the proxy resolves the CONNECT target (dnsmasq: NXDOMAIN) and answers
  # 503 ERR_DNS_FAIL; the client never resolves the name, so the capture holds
  # no DNS: only the proxy's answer says why
  dnsmasq_start --address=/tetra-defs.amp.cisco.com/
  squid_start
  cap_start "$CAPDIR/proxy-dns-fail.pcapng" cli0 "$MAINF"
  CLI_try "${CURL[@]}" "${CA[@]}" --proxy http://10.0.0.1:6050 https://tetra-defs.amp.cisco.com/tetra-defs.dat
  cap_stop
}

fx_proxy_connect_timeout() {
  # the server side drops the proxy's SYNs: squid gives up after its
  # connect_timeout (3 s here, 1 min by default): 503 ERR_CONNECT_FAIL 110
  dnsmasq_start --host-record=tetra-defs.amp.cisco.com,10.0.1.10 --local=/tetra-defs.amp.cisco.com/
  squid_start "connect_timeout 3 seconds"
  ip netns exec td-srv iptables -A INPUT -s 10.0.0.1 -p tcp --dport 443 -j DROP
  cap_start "$CAPDIR/proxy-connect-timeout.pcapng" cli0 "$MAINF"
  CLI_try "${CURL[@]}" "${CA[@]}" --proxy http://10.0.0.1:6050 https://tetra-defs.amp.cisco.com/tetra-defs.dat
  cap_stop
  ip netns exec td-srv iptables -F INPUT
}

fx_proxy_squid_denied() {
  # squid's stock "http_access deny CONNECT !SSL_ports" refuses the cloud
  # connector's port 8989: 403 ERR_ACCESS_DENIED
  dnsmasq_start --host-record=api-sse.cisco.com,10.0.1.20 --local=/api-sse.cisco.com/
  squid_start
  cap_start "$CAPDIR/proxy-squid-denied.pcapng" cli0 "$MAINF"
  CLI_try "${CURL[@]}" "${CA[@]}" --proxy http://10.0.0.1:6050 https://api-sse.cisco.com:8989/
  cap_stop
}

fx_http_proxy_dns_fail() {
  # a TAXII poll in plaintext HTTP through squid, whose DNS does not know the
  # feed: 503 ERR_DNS_FAIL from the proxy (a feed's own 503 means "overloaded")
  dnsmasq_start --address=/otx.alienvault.com/
  squid_start
  cap_start "$CAPDIR/http-proxy-dns-fail.pcapng" cli0 "$MAINF"
  taxii_post --proxy http://10.0.0.1:6050 http://otx.alienvault.com/taxii/poll/
  cap_stop
}

fx_proxy_auth_new_connection() {
  # tinyproxy with Basic authentication answers a CONNECT without credentials
  # 407 and closes: curl --proxy-anyauth asks again, with them, on a new
  # connection, and the download succeeds
  tetra_lab_auth
  cap_start "$CAPDIR/proxy-auth-new-connection.pcapng" cli0 "$MAINF"
  CLI "${CURL[@]}" "${CA[@]}" --proxy http://10.0.0.1:6050 --proxy-anyauth --proxy-user tetra:s3cret \
    --tlsv1.2 --tls-max 1.2 https://tetra-defs.amp.cisco.com/tetra-defs.dat
  cap_stop
}

tetra_lab_auth() {
  dnsmasq_start --host-record=tetra-defs.amp.cisco.com,10.0.1.10 --local=/tetra-defs.amp.cisco.com/
  tinyproxy_start <<<$'ConnectPort 443\nBasicAuth tetra s3cret'
  www_dir
  BGCWD=$WORK/www s_server 10.0.1.10:443 tetra ica -WWW "${TETRA_SERVER_CIPHERS[@]}"
}

fx_http_proxy_unreachable() {
  # the same poll through tinyproxy, which says only "500 Unable to connect"
  # (no error code) when the feed's name does not resolve
  dnsmasq_start --address=/otx.alienvault.com/
  tinyproxy_start </dev/null
  cap_start "$CAPDIR/http-proxy-unreachable.pcapng" cli0 "$MAINF"
  taxii_post --proxy http://10.0.0.1:6050 http://otx.alienvault.com/taxii/poll/
  cap_stop
}

fx_proxy_auth_retry() {
  # squid with Basic proxy authentication; curl --proxy-anyauth asks first
  # without credentials, gets 407, and asks again with them
  www_dir
  dnsmasq_start --host-record=tetra-defs.amp.cisco.com,10.0.1.10 --local=/tetra-defs.amp.cisco.com/
  mkdir -p "$WORK/squid"
  printf 'tetra:%s\n' "$(openssl passwd -1 s3cret)" >"$WORK/squid/passwd"
  squid_start "auth_param basic program /usr/lib/squid/basic_ncsa_auth $WORK/squid/passwd" \
    "auth_param basic realm corp-proxy" "acl authed proxy_auth REQUIRED" "http_access deny !authed"
  BGCWD=$WORK/www s_server 10.0.1.10:443 tetra ica -WWW "${TETRA_SERVER_CIPHERS[@]}"
  cap_start "$CAPDIR/proxy-auth-retry.pcapng" cli0 "$MAINF"
  CLI "${CURL[@]}" "${CA[@]}" --proxy http://10.0.0.1:6050 --proxy-anyauth --proxy-user tetra:s3cret \
    --tlsv1.2 --tls-max 1.2 https://tetra-defs.amp.cisco.com/tetra-defs.dat
  cap_stop
}

# ------------------------------------------------------------ HTTP / TAXII
fx_http_405() {
  pyserver td-srv http 10.0.1.30 80 errors
  cap_start "$CAPDIR/http-405.pcapng" cli0 "$MAINF"
  taxii_post "${FEEDS[@]}" http://otx.alienvault.com/taxii/poll
  cap_stop
}

fx_http_errors() {
  pyserver td-srv http 10.0.1.30 80 errors
  pyserver td-srv http 10.0.1.31 80 errors
  cap_start "$CAPDIR/http-errors.pcapng" cli0 "$MAINF"
  taxii_post "${FEEDS[@]}" http://limo.anomali.com/taxii-discovery-service/
  taxii_post "${FEEDS[@]}" http://limo.anomali.com/api/v1/taxii/poll/
  taxii_post "${FEEDS[@]}" http://otx.alienvault.com/taxii/polls/
  taxii_post "${FEEDS[@]}" http://otx.alienvault.com/taxii/poll/
  cap_stop
}

fx_http_continue() {
  # curl adds "Expect: 100-continue" to a large POST: the server's interim 100
  # comes before its real answer (405, empty body); then two requests on one
  # keep-alive connection, the first answered with Content-Length: 0
  pyserver td-srv http-keepalive 10.0.1.30 80
  head -c 200000 /dev/zero | tr '\0' 'x' >"$WORK/big-poll.xml"
  cap_start "$CAPDIR/http-continue.pcapng" cli0 "$MAINF"
  taxii_post "${FEEDS[@]}" -H 'Expect: 100-continue' --data-binary @"$WORK/big-poll.xml" \
    http://otx.alienvault.com/taxii/poll
  CLI_try curl -sS -o /dev/null -o /dev/null -w '  HTTP %{http_code}\n' "${FEEDS[@]}" \
    -X POST -d 'x=1' http://otx.alienvault.com/taxii/poll http://otx.alienvault.com/nope
  cap_stop
}

fx_http_auth_retry() {
  # curl --anyauth: a GET without credentials gets 401 (Basic), the same GET
  # with Basic credentials on the same connection 200
  pyserver td-srv http-keepalive 10.0.1.30 80
  cap_start "$CAPDIR/http-auth-retry.pcapng" cli0 "$MAINF"
  CLI "${CURL[@]}" "${FEEDS[@]}" --anyauth -u feeduser:feedpass http://otx.alienvault.com/auth
  cap_stop
}

fx_http_until_close() {
  # an HTTP/1.0 response without Content-Length, written line by line: its
  # body ends with the server's FIN (where Wireshark shows the response)
  pyserver td-srv http-until-close 10.0.1.30 80
  cap_start "$CAPDIR/http-until-close.pcapng" cli0 "$MAINF"
  CLI "${CURL[@]}" "${FEEDS[@]}" http://otx.alienvault.com/feed.txt
  cap_stop
}

fx_taxii_not_found() {
  pyserver td-srv http 10.0.1.30 80 notfound
  cap_start "$CAPDIR/taxii-not-found.pcapng" cli0 "$MAINF"
  taxii_post "${FEEDS[@]}" http://otx.alienvault.com/taxii/poll/
  cap_stop
}

# ------------------------------------------------------------ diagnosis cases
fx_cert_expired() {
  BGCWD=$WORK/www s_server 10.0.1.30:443 expired ica -WWW -tls1_2
  cap_start "$CAPDIR/cert-expired.pcapng" cli0 "$MAINF"
  CLI_try "${CURL[@]}" "${CA[@]}" --tls-max 1.2 --resolve otx.alienvault.com:443:10.0.1.30 \
    https://otx.alienvault.com/taxii/poll/
  cap_stop
}

fx_tls_interception() {
  # a TLS-inspecting middlebox answers for api-sse.cisco.com with a leaf issued by
  # its own "Corp SSL Inspection CA" and sends that (self-signed) CA in the chain
  BGCWD=$WORK/www s_server 10.0.1.20:443 intercept corp -WWW -tls1_2
  cap_start "$CAPDIR/tls-interception.pcapng" cli0 "$MAINF"
  CLI_try "${CURL[@]}" "${CA[@]}" --tls-max 1.2 --resolve api-sse.cisco.com:443:10.0.1.20 \
    https://api-sse.cisco.com/
  cap_stop
}

fx_protocol_version() {
  www_server -tls1_2
  WWW_ADDR=10.0.1.41:443 www_server -tls1_3
  cap_start "$CAPDIR/protocol-version.pcapng" cli0 "$MAINF"
  # 1) TLS 1.3-only client -> TLS 1.2-only server
  CLI_try "${CURL[@]}" "${CA[@]}" --tlsv1.3 "${WWW[@]}" https://www.example.net/index.txt
  # 2) the reverse: TLS 1.2-only client -> TLS 1.3-only server
  CLI_try "${CURL[@]}" "${CA[@]}" --tlsv1.2 --tls-max 1.2 --resolve www.example.net:443:10.0.1.41 \
    https://www.example.net/index.txt
  cap_stop
}

fx_server_silent() {
  bgns td-srv socat TCP-LISTEN:443,bind=10.0.1.40,reuseaddr,fork EXEC:'sleep 30'
  wait_listen td-srv 10.0.1.40:443
  cap_start "$CAPDIR/server-silent.pcapng" cli0 "$MAINF"
  CLI_try "${CURL[@]}" "${CA[@]}" --max-time 5 "${WWW[@]}" https://www.example.net/
  cap_stop 1
}

fx_server_closes() {
  # the server takes the connection and closes it 2 s later without a byte:
  # OpenSSL 3 (s_client) answers the close with a decode_error alert, curl
  # just closes too
  bgns td-srv socat TCP-LISTEN:443,bind=10.0.1.40,reuseaddr,fork EXEC:'sleep 2'
  wait_listen td-srv 10.0.1.40:443
  cap_start "$CAPDIR/server-closes.pcapng" cli0 "$MAINF"
  CLI_try openssl s_client -connect 10.0.1.40:443 -servername www.example.net </dev/null
  CLI_try "${CURL[@]}" "${CA[@]}" --max-time 5 "${WWW[@]}" https://www.example.net/
  cap_stop
}

fx_renegotiation_refused() {
  # a TLS 1.2 session where the client asks to renegotiate (s_client's "R")
  # and the server refuses with an (encrypted) alert, then the client leaves.
  # s_client does not check names: it asked for www2.example.net, which the
  # certificate does not cover, and went on (a warning, not the failure)
  www_server -tls1_2 -no_renegotiation
  cap_start "$CAPDIR/renegotiation-refused.pcapng" cli0 "$MAINF"
  (sleep 0.5; echo R; sleep 1; echo Q) | CLI_try openssl s_client -connect 10.0.1.40:443 \
    -servername www2.example.net -tls1_2 -CAfile "$WORK/certs/root.pem"
  cap_stop
}

fx_dns_search_list() {
  # the client's resolv.conf has a search list and ndots:5 (the Kubernetes
  # default): www.example.net is first tried with each search domain
  # appended (NXDOMAIN), then as given (it resolves and the connection works)
  www_server -tls1_3
  dnsmasq_start --address=/www.example.net/10.0.1.40 --address=/corp.example/
  local rc=/etc/netns/td-cli/resolv.conf
  cp "$rc" "$WORK/resolv.conf.saved"
  printf 'search corp.example svc.corp.example\noptions ndots:5\nnameserver 10.0.0.53\n' >"$rc"
  cap_start "$CAPDIR/dns-search-list.pcapng" cli0 "$MAINF"
  CLI_try "${CURL[@]}" "${CA[@]}" https://www.example.net/index.txt
  cap_stop
  cp "$WORK/resolv.conf.saved" "$rc"
}

fx_dns_shared_address() {
  # two names resolve to one address (CDN, shared hosting): the connection
  # refused on 8989 is to the name looked up just before it
  www_server -tls1_3
  dnsmasq_start --address=/api-sse.cisco.com/10.0.1.40 --address=/cloud-sa.amp.cisco.com/10.0.1.40
  cap_start "$CAPDIR/dns-shared-address.pcapng" cli0 "$MAINF"
  CLI_try "${CURL[@]}" -k https://api-sse.cisco.com/index.txt
  CLI_try "${CURL[@]}" -k https://cloud-sa.amp.cisco.com:8989/
  cap_stop
}

fx_lost_segment() {
  # a real TLS 1.3 exchange, then the segment carrying the server's first
  # flight (ServerHello…) deleted with editcap, as if the capturing host had
  # dropped it: the client acknowledges bytes the capture never saw
  www_server -tls1_3
  cap_start "$WORK/lost-src.pcapng" cli0 "$MAINF"
  CLI "${CURL[@]}" "${CA[@]}" --tlsv1.3 "${WWW[@]}" https://www.example.net/index.txt
  cap_stop
  local sh
  sh=$(tshark -r "$WORK/lost-src.pcapng" -Y 'tls.handshake.type==2' -T fields -e frame.number 2>/dev/null | head -1)
  editcap "$WORK/lost-src.pcapng" "$CAPDIR/lost-segment.pcapng" "$sh"
}

fx_rst_after_clienthello() {
  pyserver td-srv rst 10.0.1.40 443
  cap_start "$CAPDIR/rst-after-clienthello.pcapng" cli0 "$MAINF"
  CLI_try "${CURL[@]}" "${CA[@]}" "${WWW[@]}" https://www.example.net/
  cap_stop
}

fx_api_sse_ok() {
  cat "$CERTS/apisse.pem" "$CERTS/ica.pem" >"$CERTS/apisse-chain.pem"
  dnsmasq_start --host-record=api-sse.cisco.com,10.0.1.20 --local=/api-sse.cisco.com/
  pyserver td-srv https403 10.0.1.20 443 "$CERTS/apisse-chain.pem" "$CERTS/apisse.key"
  cap_start "$CAPDIR/api-sse-ok.pcapng" cli0 "$MAINF"
  CLI "${CURL[@]}" "${CA[@]}" https://api-sse.cisco.com/
  cap_stop
}

# ------------------------------------------------------------ more outcomes
fx_handshake_rejected() {
  # www.example.net is no built-in server profile: the server accepts only the two
  # ECDHE-RSA GCM suites (TLS 1.2); the TLS 1.2-only client offers only two CBC
  # suites (+ OpenSSL's 0x00ff SCSV) -> server fatal handshake_failure (40)
  www_server -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384
  cap_start "$CAPDIR/handshake-rejected.pcapng" cli0 "$MAINF"
  CLI_try openssl s_client -connect 10.0.1.40:443 -servername www.example.net -no_tls1_3 \
    -cipher AES128-SHA:AES256-SHA256 -CAfile "$CERTS/root.pem" </dev/null >/dev/null
  cap_stop
}

fx_not_tls() {
  # TLS to a plain-HTTP port: stock nginx on www.example.net:80 answers the
  # ClientHello "HTTP/1.1 400 Bad Request" and closes.  (Python's http.server
  # would answer with an HTML error page only: it treats an unparsable request
  # line as HTTP/0.9 and writes no status line.)
  www_dir
  nginx_start 10.0.1.40:80
  cap_start "$CAPDIR/not-tls.pcapng" cli0 "$MAINF"
  CLI_try "${CURL[@]}" "${CA[@]}" --resolve www.example.net:80:10.0.1.40 https://www.example.net:80/
  cap_stop
}

fx_tls13_untrusted() {
  # TLS 1.3 server for www.example.net with a self-signed certificate; curl
  # (trusting only the lab root, no -k) gives up after the server's flight
  BGCWD=$WORK/www s_server 10.0.1.40:443 wwwself "" -WWW -tls1_3
  cap_start "$CAPDIR/tls13-untrusted.pcapng" cli0 "$MAINF"
  CLI_try "${CURL[@]}" "${CA[@]}" --tlsv1.3 "${WWW[@]}" https://www.example.net/index.txt
  cap_stop
}

fx_taxii_cut_body() {
  # field case 2, "XML Parsing Error: no element found": the poll is answered 200
  # application/xml with a Content-Length larger than the body actually sent,
  # then the server closes (tools/servers.py profile cutbody)
  pyserver td-srv http 10.0.1.30 80 cutbody
  cap_start "$CAPDIR/taxii-cut-body.pcapng" cli0 "$MAINF"
  taxii_post "${FEEDS[@]}" http://otx.alienvault.com/taxii/poll/
  cap_stop
}

fx_one_sided() {
  # a one-direction SPAN: only the client's packets (capture filter on the source)
  www_server -tls1_2
  cap_start "$CAPDIR/one-sided.pcapng" cli0 'src host 10.0.0.5 and tcp'
  tls12_get
  cap_stop
}

fx_proxy_tls13_ok() {
  # TLS 1.3 through tinyproxy on 6050 (CONNECT www.example.net:443), success
  dnsmasq_start --host-record=www.example.net,10.0.1.40 --local=/www.example.net/
  tinyproxy_start <<<'ConnectPort 443'
  www_server -tls1_3
  cap_start "$CAPDIR/proxy-tls13-ok.pcapng" cli0 "$MAINF"
  CLI "${CURL[@]}" "${CA[@]}" --tlsv1.3 -x http://10.0.0.1:6050 https://www.example.net/index.txt
  cap_stop
}

fx_client_dh_too_small() {
  # the client aborts with its own alert: the server for www.example.net offers only
  # DHE-RSA with a 1024-bit group (openssl dhparam 1024; @SECLEVEL=0 lets the server
  # use it), the TLS 1.2-only OpenSSL client at its default security level 2 offers
  # only DHE-RSA-AES128-GCM-SHA256 and rejects the ServerKeyExchange: "dh key too small"
  www_server -tls1_2 -dhparam "$CERTS/dh1024.pem" -cipher 'DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0'
  cap_start "$CAPDIR/client-dh-too-small.pcapng" cli0 "$MAINF"
  CLI_try openssl s_client -connect 10.0.1.40:443 -servername www.example.net -no_tls1_3 \
    -cipher DHE-RSA-AES128-GCM-SHA256 -CAfile "$CERTS/root.pem" </dev/null >/dev/null
  cap_stop
}

fx_cert_wrong_name() {
  # www.example.net answers with a certificate for intranet.example.org (CN and SAN),
  # issued by the lab ICA and sent with it: the chain is trusted, the name is not
  BGCWD=$WORK/www s_server 10.0.1.40:443 wrongname ica -WWW -tls1_2
  cap_start "$CAPDIR/cert-wrong-name.pcapng" cli0 "$MAINF"
  CLI_try "${CURL[@]}" "${CA[@]}" --tls-max 1.2 "${WWW[@]}" https://www.example.net/
  cap_stop
}

# ------------------------------------------------------------ robustness variants
# a small TLS 1.2 exchange with www.example.net (leaf + ICA chain), GET /index.txt
tls12_get() { CLI "${CURL[@]}" "${CA[@]}" --tls-max 1.2 --resolve "www.example.net:443:${1:-10.0.1.40}" https://www.example.net/index.txt; }

fx_sll2_any() {
  www_server -tls1_2
  cap_start "$CAPDIR/sll2-any.pcapng" any 'tcp port 443' -y LINUX_SLL2
  tls12_get
  cap_stop
}

fx_sll_any() {
  www_server -tls1_2
  cap_start "$CAPDIR/sll-any.pcap" any 'tcp port 443' -y LINUX_SLL
  tls12_get
  cap_stop
}

fx_ipv6_tls12() {
  WWW_ADDR='[fd00::10]:443' www_server -tls1_2
  cap_start "$CAPDIR/ipv6-tls12.pcapng" cli0 'ip6 and tcp'
  CLI "${CURL[@]}" "${CA[@]}" --tls-max 1.2 --resolve 'www.example.net:443:[fd00::10]' https://www.example.net/index.txt
  cap_stop
}

fx_vlan_tls() {
  WWW_ADDR=10.100.0.10:443 www_server -tls1_2
  cap_start "$CAPDIR/vlan-tls.pcapng" vcl0 tcp
  tls12_get 10.100.0.10
  cap_stop
}

fx_split_clienthello() {
  # path MTU 240 / MSS 200 towards 10.0.1.50: the ClientHello (TLS 1.3-capable,
  # ~517 bytes) needs 3 segments; the server's TLS 1.2 flight needs many
  WWW_ADDR=10.0.1.50:443 www_server -tls1_2
  cap_start "$CAPDIR/split-clienthello.pcapng" cli0 "$MAINF"
  CLI "${CURL[@]}" "${CA[@]}" --resolve www.example.net:443:10.0.1.50 https://www.example.net/index.txt
  cap_stop
}

fx_reorder_dup() {
  # through tools/pyfwd.py: 5 ms each way; the server's 1st data segment is held
  # 2 ms longer (the 2nd overtakes it), its 3rd data segment is sent twice
  bgns td-fwd "$PY" "$TOOLS/pyfwd.py" fa0 fb0 --delay 5 --port 443 --late 1 --extra 2 --dup 3
  WWW_ADDR=10.200.0.10:443 www_server -tls1_2
  sleep 0.5
  cap_start "$CAPDIR/reorder-dup.pcapng" rcl0 tcp
  tls12_get 10.200.0.10
  cap_stop
}

fx_midstream() {
  # a real capture of a TLS 1.2 exchange, cut so that it starts right after the
  # ClientHello (the first frames, SYN..ClientHello, are removed by editcap)
  www_server -tls1_2
  cap_start "$WORK/midstream-src.pcapng" cli0 "$MAINF"
  tls12_get
  cap_stop
  local ch total
  ch=$(tshark -r "$WORK/midstream-src.pcapng" -Y 'tls.handshake.type==1' -T fields -e frame.number 2>/dev/null | head -1)
  total=$(tshark -r "$WORK/midstream-src.pcapng" -T fields -e frame.number 2>/dev/null | tail -1)
  editcap -r "$WORK/midstream-src.pcapng" "$CAPDIR/midstream.pcapng" "$((ch + 1))-$total"
}

fx_truncated_last() {
  # real tcpdump capture of a TLS 1.2 exchange, kept up to the frame that completes
  # the Certificate message, and that last record cut in half (file bytes removed)
  www_server -tls1_2
  cap_start "$WORK/truncated-src.pcap" cli0 "$MAINF"
  tls12_get
  cap_stop
  local n len size
  n=$(tshark -r "$WORK/truncated-src.pcap" -Y 'tls.handshake.type==11' -T fields -e frame.number 2>/dev/null | head -1)
  editcap -r -F pcap "$WORK/truncated-src.pcap" "$WORK/truncated-cut.pcap" "1-$n"
  len=$(tshark -r "$WORK/truncated-cut.pcap" -Y "frame.number==$n" -T fields -e frame.cap_len 2>/dev/null)
  size=$(stat -c %s "$WORK/truncated-cut.pcap")
  head -c "$((size - len / 2))" "$WORK/truncated-cut.pcap" >"$CAPDIR/truncated-last.pcap"
}

fx_snaplen_cut() {
  www_server -tls1_2
  cap_start "$CAPDIR/snaplen-cut.pcap" cli0 "$MAINF" -s 150
  tls12_get
  cap_stop
}

fx_snaplen_64() {
  # editcap -s 64 of a real capture: the snap length cuts the TCP options of
  # the SYNs (the fixed header stays) and every payload
  [ -s "$CAPDIR/handshake-rejected.pcapng" ] || fx_handshake_rejected
  editcap -s 64 "$CAPDIR/handshake-rejected.pcapng" "$CAPDIR/snaplen-64.pcapng"
}

fx_pcap_nanosec() {
  www_server -tls1_3
  cap_start "$CAPDIR/pcap-nanosec.pcap" cli0 "$MAINF" --time-stamp-precision=nano
  CLI "${CURL[@]}" "${CA[@]}" "${WWW[@]}" https://www.example.net/index.txt
  cap_stop
}

fx_multi_iface() {
  # dumpcap on two interfaces at once: cli0 (Ethernet) for the TLS exchange and
  # "any" (Linux cooked v2) for a local HTTP exchange on the loopback
  www_server -tls1_2
  pyserver td-cli http 127.0.0.1 8080 errors
  cap_start "$CAPDIR/multi-iface.pcapng" cli0 'tcp port 443' -i any -f 'tcp port 8080' -y LINUX_SLL2
  CLI "${CURL[@]}" http://127.0.0.1:8080/taxii-discovery-service/
  sleep 1
  tls12_get
  sleep 1
  CLI "${CURL[@]}" http://127.0.0.1:8080/taxii/poll/
  cap_stop 1
}

fx_bigendian() {
  # libpcap writes savefiles in the host's byte order and every machine here is
  # little-endian, so a real TLS 1.2 capture is re-written by the s390x (big-endian)
  # build of Debian's tcpdump/libpcap, run under qemu-user (tcpdump -r X -w Y).
  local sysroot
  if ! sysroot=$(s390x_tcpdump); then
    echo "  SKIPPED bigendian.pcap: no s390x tcpdump (set NO_BIGENDIAN=1 to silence)" >&2
    return 0
  fi
  www_server -tls1_2
  cap_start "$WORK/bigendian-src.pcap" cli0 "$MAINF"
  tls12_get
  cap_stop
  rm -f "$CAPDIR/bigendian.pcap"
  qemu-s390x-static -L "$sysroot" "$sysroot/usr/bin/tcpdump" -Z root -r "$WORK/bigendian-src.pcap" \
    -w "$CAPDIR/bigendian.pcap" 2>&1 | sed 's/^/  s390x: /' >&2
}

# prints the sysroot of an s390x tcpdump (downloaded once into /var/cache/tlsdiag-s390x)
s390x_tcpdump() {
  [ -n "${NO_BIGENDIAN:-}" ] && return 1
  local R=/var/cache/tlsdiag-s390x
  if [ ! -x "$R/root/usr/bin/tcpdump" ]; then
    command -v qemu-s390x-static >/dev/null || \
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static >/dev/null 2>&1 || return 1
    mkdir -p "$R/lists/partial" "$R/archives/partial" "$R/cache" "$R/root"
    local o=(-o "Dir::State::Lists=$R/lists" -o "Dir::Cache=$R/cache" -o "Dir::Cache::archives=$R/archives"
             -o APT::Architecture=s390x -o APT::Architectures::=s390x -o Dir::State::status=/dev/null
             -o APT::Sandbox::User=root)
    apt-get "${o[@]}" update -qq >/dev/null 2>&1 || return 1
    (cd "$R/archives" && apt-get "${o[@]}" download tcpdump libpcap0.8 libc6 libssl3 libdbus-1-3 \
       libsystemd0 libcap2 libgcrypt20 libgpg-error0 liblz4-1 liblzma5 libzstd1 libibverbs1 \
       libnl-3-200 libnl-route-3-200 >/dev/null 2>&1) || return 1
    local d
    for d in "$R"/archives/*.deb; do dpkg-deb -x "$d" "$R/root"; done
  fi
  command -v qemu-s390x-static >/dev/null || return 1
  echo "$R/root"
}

# ------------------------------------------------------------ capture paths / DNS variants
fx_nflog_tls() {
  # TLS 1.2 exchange captured through Linux NFLOG: iptables NFLOG rules for the
  # flow in the client namespace (both directions, group 5), read by
  # `tcpdump -i nflog:5` (LINKTYPE_NFLOG 239: TLVs, the packet from its IP header).
  # --nflog-threshold 1: iptables-nft otherwise leaves the kernel's per-group
  # default (100 packets / a full 4 KB buffer / 1 s) and the packets reach tcpdump
  # in batches, stamped when read (libpcap stamps NFLOG packets on receipt), and
  # the last batch after tcpdump has stopped
  www_server -tls1_2
  CLI iptables -A OUTPUT -d 10.0.1.40 -p tcp --dport 443 -j NFLOG --nflog-group 5 --nflog-threshold 1
  CLI iptables -A INPUT -s 10.0.1.40 -p tcp --sport 443 -j NFLOG --nflog-group 5 --nflog-threshold 1
  cap_start "$CAPDIR/nflog-tls.pcap" nflog:5 ''
  tls12_get
  cap_stop
  CLI iptables -F OUTPUT
  CLI iptables -F INPUT
}

fx_dns_tcp() {
  # DNS over TCP (dig +tcp) to dnsmasq: www.example.net resolves (host-record),
  # api-sse.cisco.com is NXDOMAIN (address=/api-sse.cisco.com/); one TCP
  # connection per query
  dnsmasq_start --host-record=www.example.net,10.0.1.40 --local=/example.net/ --address=/api-sse.cisco.com/
  wait_listen td-dns 10.0.0.53:53
  cap_start "$CAPDIR/dns-tcp.pcapng" cli0 "$MAINF"
  CLI dig +tcp +noall +comments +answer @10.0.0.53 www.example.net A | sed 's/^/  dig: /' >&2
  CLI dig +tcp +noall +comments +answer @10.0.0.53 api-sse.cisco.com A | sed 's/^/  dig: /' >&2
  cap_stop
}

fx_no_dns_server() {
  # field case 3, cause 1: no DNS server configured.  The client namespace's
  # resolv.conf is empty; curl fails "Could not resolve host" without putting a
  # DNS packet on cli0 (glibc falls back to 127.0.0.1, on the loopback, where
  # nothing listens).  Captured on cli0 without a filter for the whole attempt.
  # cli0's IPv6 router solicitations (the lab has no router; the kernel repeats
  # them with backoff) are switched off first, so the file does not depend on
  # how long ago the lab came up.
  CLI sysctl -qw net.ipv6.conf.cli0.router_solicitations=0
  : >/etc/netns/td-cli/resolv.conf
  cap_start "$CAPDIR/no-dns-server.pcapng" cli0 ''
  CLI_try "${CURL[@]}" https://api-sse.cisco.com/
  cap_stop 1
  printf 'nameserver 10.0.0.53\n' >/etc/netns/td-cli/resolv.conf
  CLI sysctl -qw net.ipv6.conf.cli0.router_solicitations=-1
}

fx_ip_fragments() {
  # a TLS 1.2 exchange over the routed path td-cli -> td-rtr -> td-srv whose
  # egress link has MTU 400; the client sends without DF (ip_no_pmtu_disc=1), so
  # the router fragments (instead of answering ICMP frag-needed) the 569-byte IP
  # packet carrying the ClientHello: curl's TLS 1.3-capable ClientHello, padded to
  # 517 bytes (a --tls-max 1.2 one has 226 bytes and would fit, as 569 fits 576);
  # the server is TLS 1.2-only, so its certificate is visible.  Captured on the
  # server's interface fsv0 (the filter on the client's address keeps every
  # fragment: all carry the IP header)
  WWW_ADDR=10.61.0.10:443 www_server -tls1_2
  CLI sysctl -qw net.ipv4.ip_no_pmtu_disc=1
  CAPNS=td-srv cap_start "$CAPDIR/ip-fragments.pcapng" fsv0 'host 10.60.0.5'
  CLI "${CURL[@]}" "${CA[@]}" --resolve www.example.net:443:10.61.0.10 https://www.example.net/index.txt
  cap_stop
  CLI sysctl -qw net.ipv4.ip_no_pmtu_disc=0
}

# ------------------------------------------------------------ refusals by other stacks
fx_client_cert_rejected() {
  # mutual TLS: the server requires a client certificate issued by the lab root.
  # TLS 1.2 and 1.3, each without a certificate and with one from the corporate
  # inspection CA (which the server does not trust). In TLS 1.3 the server's
  # refusal (certificate_required, unknown_ca) is an encrypted alert.
  www_server -Verify 1 -verify_return_error -CAfile "$CERTS/root.pem"
  cap_start "$CAPDIR/client-cert-rejected.pcapng" cli0 "$MAINF"
  local v
  for v in -tls1_2 -tls1_3; do
    (sleep 0.5) | CLI_try openssl s_client -connect 10.0.1.40:443 -servername www.example.net \
      -CAfile "$CERTS/root.pem" "$v"
    (sleep 0.5) | CLI_try openssl s_client -connect 10.0.1.40:443 -servername www.example.net \
      -CAfile "$CERTS/root.pem" "$v" -cert "$CERTS/intercept.pem" -key "$CERTS/intercept.key"
  done
  cap_stop
}

fx_sni_required() {
  # nginx with a default server that refuses handshakes without a known name
  # (ssl_reject_handshake): curl by name works, curl by address (no SNI) gets
  # unrecognized_name
  cat "$CERTS/www.pem" "$CERTS/ica.pem" >"$WORK/www-chain.pem"
  nginx_start 10.0.1.40:443 "server { listen 10.0.1.40:443 ssl default_server; ssl_reject_handshake on; }
  server { listen 10.0.1.40:443 ssl; server_name www.example.net; root $WORK/www;
    ssl_certificate $WORK/www-chain.pem; ssl_certificate_key $CERTS/www.key; }"
  cap_start "$CAPDIR/sni-required.pcapng" cli0 "$MAINF"
  CLI "${CURL[@]}" "${CA[@]}" "${WWW[@]}" https://www.example.net/index.txt
  CLI_try "${CURL[@]}" "${CA[@]}" https://10.0.1.40/index.txt
  cap_stop
}

fx_legacy_tls10_server() {
  # a server that still speaks only TLS 1.0: OpenSSL 3's default client takes
  # TLS 1.0 and aborts (internal_error: no SHA-1 signatures at security level
  # 1); with -min_protocol TLSv1.2 the server refuses (protocol_version)
  www_server -tls1 -cipher 'DEFAULT:@SECLEVEL=0'
  cap_start "$CAPDIR/legacy-tls10-server.pcapng" cli0 "$MAINF"
  CLI_try openssl s_client -connect 10.0.1.40:443 -servername www.example.net </dev/null
  CLI_try openssl s_client -connect 10.0.1.40:443 -servername www.example.net -min_protocol TLSv1.2 </dev/null
  cap_stop
}

fx_tls13_suite_mismatch() {
  # TLS 1.3 on both sides, no TLS 1.3 suite in common (handshake_failure);
  # then a TLS 1.3 server that only speaks h2 and a client that offers http/1.1
  # in ALPN (no_application_protocol)
  www_server -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 -alpn h2
  cap_start "$CAPDIR/tls13-suite-mismatch.pcapng" cli0 "$MAINF"
  CLI_try openssl s_client -connect 10.0.1.40:443 -servername www.example.net -tls1_3 \
    -ciphersuites TLS_CHACHA20_POLY1305_SHA256 </dev/null
  CLI_try openssl s_client -connect 10.0.1.40:443 -servername www.example.net -tls1_3 \
    -alpn http/1.1 </dev/null
  cap_stop
}

fx_cert_expired_gnutls() {
  # GnuTLS refuses an expired certificate with bad_certificate (42), not
  # certificate_expired (45): the dates tell why
  BGCWD=$WORK/www s_server 10.0.1.30:443 expired ica -WWW -tls1_2
  cap_start "$CAPDIR/cert-expired-gnutls.pcapng" cli0 "$MAINF"
  CLI_try gnutls-cli --x509cafile "$CERTS/root.pem" -p 443 10.0.1.30 \
    --sni-hostname otx.alienvault.com --verify-hostname otx.alienvault.com </dev/null
  cap_stop
}

fx_wifi_radiotap() {
  # a link type tlsdiag does not decode: editcap relabels a real capture as
  # 802.11 radiotap (analyze must say nothing could be decoded, not blame DNS)
  [ -s "$CAPDIR/tls13-ok.pcapng" ] || fx_tls13_ok
  editcap -F pcap -T ieee-802-11-radiotap "$CAPDIR/tls13-ok.pcapng" "$CAPDIR/wifi-radiotap.pcap"
}

fx_lost_alert() {
  # the capturing host dropped the server's answer: editcap deletes the frame
  # of the fatal alert from a real capture; the client's ACK and the server's
  # FIN still count the 7 bytes
  [ -s "$CAPDIR/handshake-rejected.pcapng" ] || fx_handshake_rejected
  local n
  n=$(tshark -r "$CAPDIR/handshake-rejected.pcapng" -Y 'tls.alert_message' -T fields -e frame.number 2>/dev/null | head -1)
  editcap "$CAPDIR/handshake-rejected.pcapng" "$CAPDIR/lost-alert.pcapng" "$n"
}

fx_cut_after_hello() {
  # a capture stopped right after the ClientHello (editcap keeps the frames up
  # to it from a real capture): too soon to call the server silent
  [ -s "$CAPDIR/tls13-ok.pcapng" ] || fx_tls13_ok
  local n
  n=$(tshark -r "$CAPDIR/tls13-ok.pcapng" -Y 'tls.handshake.type==1' -T fields -e frame.number 2>/dev/null | head -1)
  editcap -r "$CAPDIR/tls13-ok.pcapng" "$CAPDIR/cut-after-hello.pcapng" "1-$n"
}

fx_cut_after_syn() {
  # the same with the first SYN of tcp-unanswered: too soon to call it unanswered
  [ -s "$CAPDIR/tcp-unanswered.pcapng" ] || fx_tcp_unanswered
  editcap -r "$CAPDIR/tcp-unanswered.pcapng" "$CAPDIR/cut-after-syn.pcapng" 1
}

fx_tls13_client_closes_first() {
  # a TLS 1.3 server that sends no session ticket (-num_tickets 0) and a client
  # that closes right after the handshake: the server's only record after the
  # client's Finished is its close_notify, an answer to the client's close,
  # not a refusal (compare client-cert-rejected)
  www_server -tls1_3 -num_tickets 0
  cap_start "$CAPDIR/tls13-client-closes-first.pcapng" cli0 "$MAINF"
  CLI_try openssl s_client -connect 10.0.1.40:443 -servername www.example.net </dev/null
  cap_stop
}

fx_corrupt_seq() {
  # a real TLS 1.2 download whose Certificate-completing segment has bit 30 of
  # its sequence number flipped (as a bad NIC or memory error does): the
  # segment lands a gigabyte past the stream and its FIN; the 600 bytes it
  # really carried are lost (the client acknowledged them)
  [ -s "$CAPDIR/tetra-good.pcapng" ] || fx_tetra_good
  local n
  n=$(tshark -r "$CAPDIR/tetra-good.pcapng" -d tcp.port==6050,http -Y 'tls.handshake.type==11' -T fields -e frame.number 2>/dev/null | head -1)
  editcap -F pcap "$CAPDIR/tetra-good.pcapng" "$WORK/tetra-good.pcap"
  python3 "$TOOLS/flip_seq.py" "$WORK/tetra-good.pcap" "$CAPDIR/corrupt-seq.pcap" "$n" 30
}

ALL_FIXTURES=(
  tetra-good tetra-cipher-mismatch
  tls13-ok tls13-hrr tls12-self-signed tcp-refused tcp-unanswered dns-nxdomain proxy-407 http-405
  cert-expired tls-interception protocol-version server-silent rst-after-clienthello
  dns-servfail dns-no-response proxy-403 proxy-502 proxy-500 http-errors taxii-not-found api-sse-ok
  port-8989-blocked
  handshake-rejected not-tls tls13-untrusted taxii-cut-body one-sided proxy-tls13-ok
  client-dh-too-small cert-wrong-name http-continue server-closes lost-segment
  renegotiation-refused http-auth-retry dns-search-list dns-shared-address
  http-until-close
  sll2-any sll-any ipv6-tls12 vlan-tls split-clienthello reorder-dup midstream truncated-last
  snaplen-cut snaplen-64 pcap-nanosec multi-iface bigendian
  nflog-tls dns-tcp no-dns-server ip-fragments
  client-cert-rejected sni-required legacy-tls10-server tls13-suite-mismatch cert-expired-gnutls
  wifi-radiotap lost-alert cut-after-hello cut-after-syn tls13-client-closes-first
  corrupt-seq
  proxy-dns-fail proxy-connect-timeout proxy-squid-denied http-proxy-dns-fail proxy-auth-retry
  http-proxy-unreachable proxy-auth-new-connection
)
