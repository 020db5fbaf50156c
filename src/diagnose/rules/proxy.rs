//! CONNECT refused or unanswered by the proxy.

use super::{finding, fmt_ip};
use crate::capture::FrameNo;
use crate::connection::Connection;
use crate::diagnose::{Finding, FindingCode, Severity};

/// CONNECT refusals. Returns true when the tunnel was refused.
pub(super) fn proxy(conn: &Connection, out: &mut Vec<Finding>) -> bool {
    let Some(p) = &conn.proxy else { return false };
    let proxy_at = format!("{}:{}", fmt_ip(conn.server.ip), conn.server.port);
    let wanted = format!(
        "{}:{}",
        p.host,
        p.port.map_or("?".to_string(), |x| x.to_string())
    );
    let evidence: Vec<FrameNo> = std::iter::once(p.request_frame)
        .chain(p.response_frame)
        .collect();
    let Some(status) = p.status else {
        if conn.tls.is_none() {
            let end = conn.tcp.rst.or(conn.tcp.fin);
            let asked = conn
                .timeline
                .iter()
                .find(|e| e.frame == p.request_frame)
                .map_or(conn.start, |e| e.ts);
            let ended = match end {
                Some(e) => format!(
                    "; then the {} {} the connection (frame {}, {:.1} s after the request)",
                    if e.from == "server" {
                        "proxy"
                    } else {
                        "client"
                    },
                    if conn.tcp.rst.is_some() {
                        "reset"
                    } else {
                        "closed"
                    },
                    e.frame.0,
                    e.ts.seconds_since(asked)
                ),
                None => format!(" in the {:.1} s before the capture ended", conn.duration),
            };
            let not_a_proxy = match end {
                Some(e) if e.from == "server" && conn.tcp.server_bytes == 0 => {
                    " A server that closes on a CONNECT request without a word is often not a proxy at all (a TLS server on that port, say)."
                }
                _ => "",
            };
            let mut evidence = evidence;
            evidence.extend(end.map(|e| e.frame));
            out.push(finding(
                FindingCode::ServerSilent,
                Severity::Error,
                conn,
                format!("The proxy {proxy_at} never answered CONNECT {wanted}"),
                format!(
                    "The client asked the proxy {proxy_at} to open a tunnel to {wanted} (frame {}) and got no answer{ended}.{not_a_proxy}",
                    p.request_frame.0
                ),
                evidence,
                Some(format!("Check that {proxy_at} is the proxy's address and port, that the proxy is up and can reach the target; look at its logs for this CONNECT.")),
            ));
            return true;
        }
        return false;
    };
    if (200..300).contains(&status) {
        return false;
    }
    let reason = p.reason.clone().unwrap_or_default();
    let (code, title, why, remedy) = match status {
        407 => {
            let scheme = super::auth_schemes(p.proxy_authenticate.as_deref().unwrap_or(""));
            let sent = if p.proxy_authorization {
                "The request carried Proxy-Authorization, so the credentials were rejected."
            } else {
                "The request carried no Proxy-Authorization header."
            };
            (
                FindingCode::ProxyAuthRequired,
                format!("Proxy requires authentication for CONNECT {wanted}"),
                format!(
                    "The proxy {proxy_at} answered 407 {reason} and asks for {scheme} authentication. {sent}"
                ),
                format!(
                    "Configure the proxy credentials ({scheme}) on the client, or exempt this client or destination from proxy authentication."
                ),
            )
        }
        502..=504 | 500 => (
            FindingCode::ProxyUpstreamFailed,
            format!("Proxy could not reach {wanted} ({status})"),
            format!(
                "The proxy {proxy_at} accepted the request but answered {status} {reason}: it could not open a connection to {wanted} (name resolution, firewall or routing on the proxy's side, or the server is down)."
            ),
            format!(
                "Check from the proxy that {wanted} resolves and is reachable; look at the proxy's log for this request."
            ),
        ),
        _ => (
            FindingCode::ProxyDenied,
            format!("Proxy refused CONNECT {wanted} ({status})"),
            format!(
                "The proxy {proxy_at} answered {status} {reason}: its policy does not allow a tunnel to {wanted} (destination or port not allowed, e.g. a ConnectPort or ACL rule)."
            ),
            format!(
                "Allow CONNECT to {wanted} in the proxy's policy (destination host and port {})",
                p.port.unwrap_or(443)
            ),
        ),
    };
    // Squid names the cause in a header: more precise than the status.
    let (title, why, remedy) = match (status, p.proxy_error.as_deref()) {
        (407, _) | (_, None) => (title, why, remedy),
        (_, Some(code)) => match proxy_error_cause(code, &wanted) {
            Some(c) => (
                c.title.map_or(title, |t| format!("{t} ({status})")),
                format!(
                    "The proxy {proxy_at} answered {status} {reason}: {}",
                    c.cause
                ),
                c.remedy,
            ),
            None => (
                title,
                format!("{why} The proxy's error code: {code}."),
                remedy,
            ),
        },
    };
    let attempts = if p.attempts > 1 {
        format!(" ({} CONNECT attempts on this connection)", p.attempts)
    } else {
        String::new()
    };
    out.push(finding(
        code,
        Severity::Error,
        conn,
        title,
        format!("{why}{attempts}"),
        evidence,
        Some(remedy),
    ));
    true
}

/// What a forward proxy's own error code says went wrong.
pub(super) struct ProxyErrorCause {
    /// A title naming the cause, when the code is specific enough.
    pub title: Option<String>,
    /// One sentence: what happened, the proxy's code quoted.
    pub cause: String,
    /// What to do.
    pub remedy: String,
}

/// Reads a Squid `X-Squid-Error` value (`NAME ERRNO`, e.g. `ERR_DNS_FAIL 0`,
/// `ERR_CONNECT_FAIL 111`) for a request to `target` (`host:port` or a URL's
/// host). `None` for a code this does not know: the caller quotes it as is.
pub(super) fn proxy_error_cause(code: &str, target: &str) -> Option<ProxyErrorCause> {
    let mut words = code.split_whitespace();
    let name = words.next()?;
    let errno = words.next().and_then(|e| e.parse::<u32>().ok());
    let host = target
        .rsplit_once(':')
        .filter(|(h, p)| !h.contains(':') && p.chars().all(|c| c.is_ascii_digit()))
        .map_or(target, |(h, _)| h);
    let quoted = format!("(Squid {code})");
    let cause = |title: Option<String>, cause: String, remedy: String| {
        Some(ProxyErrorCause {
            title,
            cause,
            remedy,
        })
    };
    match name {
        "ERR_DNS_FAIL" => cause(
            Some(format!("Proxy could not resolve {host}")),
            format!(
                "the proxy could not resolve {host} {quoted}: the name does not exist, or the proxy's DNS servers do not answer for it."
            ),
            format!(
                "Check the name {host}; from the proxy, check that its DNS servers (Squid: dns_nameservers, else /etc/resolv.conf) resolve it."
            ),
        ),
        "ERR_CONNECT_FAIL" => {
            let (what, errname, why, remedy) = match errno {
                Some(111) => (
                    "was refused",
                    ", ECONNREFUSED",
                    "nothing listens on that port, or a firewall rejects the connection",
                    format!(
                        "Check that {target} is up and listening, and that no firewall between the proxy and the server rejects it."
                    ),
                ),
                Some(110) => (
                    "timed out",
                    ", ETIMEDOUT",
                    "the server never answered the proxy's SYN — a firewall between them drops it, or the server is down",
                    format!(
                        "Open the path from the proxy to {target} in the firewall (or check that the server is up)."
                    ),
                ),
                Some(113 | 101) => (
                    "found no route",
                    if errno == Some(113) { ", EHOSTUNREACH" } else { ", ENETUNREACH" },
                    "the proxy has no route to the server's network",
                    format!("Fix the proxy's routing towards {target}."),
                ),
                _ => (
                    "failed",
                    "",
                    "the proxy could not open a TCP connection to the server",
                    format!(
                        "Check from the proxy that {target} is reachable; its log names the error."
                    ),
                ),
            };
            cause(
                Some(format!("Proxy's connection to {target} {what}")),
                format!(
                    "the proxy's own connection to {target} {what} (Squid {code}{errname}): {why}."
                ),
                remedy,
            )
        }
        "ERR_ACCESS_DENIED" => cause(
            None,
            format!(
                "the proxy's access rules deny this request {quoted}: an http_access rule — for CONNECT typically a port outside SSL_ports, or a destination or client not allowed."
            ),
            format!(
                "Allow {target} in the proxy's access rules (Squid: http_access; for CONNECT the port must be in SSL_ports)."
            ),
        ),
        "ERR_CACHE_ACCESS_DENIED" | "ERR_PROXY_AUTH_REQUIRED" => cause(
            None,
            format!("the proxy requires the client to authenticate {quoted}."),
            "Configure the proxy credentials on the client, or exempt this client or destination from proxy authentication.".to_string(),
        ),
        "ERR_READ_TIMEOUT" | "ERR_LIFETIME_EXP" => cause(
            Some(format!("{target} did not answer the proxy in time")),
            format!(
                "the proxy reached {target} but gave up waiting for its answer {quoted}: the server is overloaded, or something between them drops the traffic after the handshake."
            ),
            format!(
                "Retry later; check the server's health and the path from the proxy to {target} (Squid: read_timeout)."
            ),
        ),
        // Squid 5 answers a CONNECT whose host did not resolve with
        // ERR_CANNOT_FORWARD (500), not ERR_DNS_FAIL (proxy-dns-fail.pcapng).
        "ERR_CANNOT_FORWARD" => cause(
            Some(format!("Proxy could not forward to {target}")),
            format!(
                "the proxy found nowhere to send the request {quoted}: most often {host} did not resolve on the proxy (Squid 5 reports a failed DNS lookup so), else its parent proxy is down or it may not go direct (never_direct)."
            ),
            format!(
                "From the proxy, check that {host} resolves (Squid: dns_nameservers, else /etc/resolv.conf); if it forwards through a parent proxy, check cache_peer and never_direct."
            ),
        ),
        "ERR_GATEWAY_FAILURE" => cause(
            None,
            format!("the proxy's gateway or parent proxy failed {quoted}."),
            "Check the proxy's parent (cache_peer) and its logs.".to_string(),
        ),
        // Squid 5 answers a plain HTTP request whose host did not resolve
        // with 502 ERR_READ_ERROR 0 (http-proxy-dns-fail.pcapng).
        "ERR_READ_ERROR" if errno.is_none_or(|e| e == 0) => cause(
            None,
            format!(
                "the proxy reports a read error without a system error {quoted}: Squid 5 answers so when {host} did not resolve on the proxy; otherwise the server dropped the proxy's connection."
            ),
            format!(
                "From the proxy, check that {host} resolves (Squid: dns_nameservers, else /etc/resolv.conf) and that the server answers."
            ),
        ),
        "ERR_READ_ERROR" | "ERR_WRITE_ERROR" => cause(
            None,
            format!(
                "the proxy's connection to {target} broke while it {} {quoted}{}.",
                if name == "ERR_READ_ERROR" { "read the answer" } else { "sent the request" },
                if errno == Some(104) { ": the server reset it (ECONNRESET)" } else { "" }
            ),
            format!("Check the server {target} and the path from the proxy to it (a firewall or load balancer that resets connections)."),
        ),
        "ERR_SECURE_CONNECT_FAIL" => cause(
            None,
            format!(
                "the proxy could not complete its own TLS handshake with {target} {quoted}: the proxy inspects TLS (ssl-bump) and rejected the server's certificate or could not agree on a version or suite."
            ),
            format!(
                "Check the proxy's TLS settings and CA bundle for {target}, or exempt it from TLS inspection."
            ),
        ),
        "ERR_ZERO_SIZE_OBJECT" => cause(
            None,
            format!("the server {target} closed the proxy's connection without sending anything {quoted}."),
            format!("Check the server {target}; its logs should show the closed connection."),
        ),
        "ERR_INVALID_REQ" | "ERR_INVALID_URL" | "ERR_UNSUP_REQ" => cause(
            None,
            format!("the proxy could not parse or does not support the request {quoted}."),
            "Check the request the client sends through the proxy (method, URL form, headers).".to_string(),
        ),
        _ => None,
    }
}
