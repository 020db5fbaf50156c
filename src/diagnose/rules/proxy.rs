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
