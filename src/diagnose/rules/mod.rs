//! The rules: one connection record (or the capture's DNS) → findings.
//!
//! Each rule names a cause an engineer would name after an hour in Wireshark,
//! with the frames that prove it and the fix. Rules run from the bottom of the
//! stack up (TCP, proxy, TLS, HTTP — one module each, plus certificates and
//! DNS); a connection that failed below TLS gets no TLS finding, because the
//! lower failure is the explanation.

mod cert;
mod dns;
mod http;
mod offer;
mod proxy;
mod tcp;
mod tls;

pub use dns::{DnsContext, dns};

use std::net::IpAddr;

use crate::capture::FrameNo;
use crate::connection::Connection;
use crate::diagnose::profiles::ProfileSet;
use crate::diagnose::{Finding, FindingCode, Severity};

fn finding(
    code: FindingCode,
    severity: Severity,
    conn: &Connection,
    title: impl Into<String>,
    detail: impl Into<String>,
    evidence: Vec<FrameNo>,
    remedy: Option<String>,
) -> Finding {
    let mut evidence = evidence;
    evidence.sort_unstable();
    evidence.dedup();
    Finding {
        code,
        severity,
        connection: Some(conn.id),
        dns: None,
        title: title.into(),
        detail: detail.into(),
        evidence,
        remedy,
    }
}

/// What the rules know besides the connection: profiles, and names the
/// capture's DNS gave to addresses.
pub struct Context<'a> {
    /// Server profiles.
    pub profiles: &'a ProfileSet,
    /// Address → name, from DNS answers earlier in the capture.
    pub names: &'a rustc_hash::FxHashMap<IpAddr, String>,
}

impl Context<'_> {
    /// The name the client most likely wanted: SNI or CONNECT host, else the
    /// name DNS gave the server's address.
    fn name_of<'c>(&'c self, conn: &'c Connection) -> Option<&'c str> {
        conn.server_name()
            .or_else(|| self.names.get(&conn.server.ip).map(String::as_str))
    }
}

/// `host:port` of what the client wanted (CONNECT target or SNI, else the address).
fn target(conn: &Connection) -> String {
    match conn.server_name() {
        Some(name) => format!("{name}:{}", conn.service_port()),
        None => format!("{}:{}", fmt_ip(conn.server.ip), conn.server.port),
    }
}

fn fmt_ip(ip: IpAddr) -> String {
    match ip {
        IpAddr::V6(v6) => format!("[{v6}]"),
        IpAddr::V4(v4) => v4.to_string(),
    }
}

/// A text formatted the first time it is used: the names rules put in their
/// findings cost nothing for the connections (most) that get none.
pub(super) struct LazyText<F: FnOnce() -> String>(std::cell::LazyCell<String, F>);

impl<F: FnOnce() -> String> LazyText<F> {
    pub(super) fn new(make: F) -> Self {
        Self(std::cell::LazyCell::new(make))
    }
}

impl<F: FnOnce() -> String> std::ops::Deref for LazyText<F> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<F: FnOnce() -> String> std::fmt::Display for LazyText<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

fn via_proxy(conn: &Connection) -> String {
    match &conn.proxy {
        Some(_) => format!(
            " through the proxy {}:{}",
            fmt_ip(conn.server.ip),
            conn.server.port
        ),
        None => String::new(),
    }
}

/// Whether only the client's side of this connection is in the capture: the
/// server sent nothing, yet the client went on past its SYNs (it acknowledged
/// or sent data, which it cannot do without an answer). One-direction SPAN
/// ports and `src host` filters make such captures; silence in them proves
/// nothing about the server.
pub fn one_sided(conn: &Connection) -> bool {
    let t = &conn.tcp;
    let syns = if t.syn_frame.is_some() {
        t.syn_retransmits.saturating_add(1)
    } else {
        0
    };
    t.server_packets == 0 && t.client_packets > syns
}

/// Findings for one connection.
pub fn connection(conn: &Connection, ctx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    if one_sided(conn) {
        // Only proxy/HTTP requests and the ClientHello are visible: nothing
        // to judge (the capture-wide note is made by the diagnosis).
        return out;
    }
    if tcp::tcp(conn, ctx, &mut out) {
        return out;
    }
    if proxy::proxy(conn, &mut out) {
        return out;
    }
    let profile = ctx
        .profiles
        .for_host(ctx.name_of(conn), conn.service_port());
    tls::tls(conn, profile, &mut out);
    http::http(conn, ctx.profiles, &mut out);
    out
}

/// The authentication schemes a `WWW-Authenticate` / `Proxy-Authenticate`
/// value offers (`Basic realm="x", Negotiate` → `Basic or Negotiate`).
pub(super) fn auth_schemes(challenge: &str) -> String {
    let schemes: Vec<&str> = challenge
        .split(',')
        .filter_map(|part| part.split_whitespace().next())
        .filter(|token| !token.contains('='))
        .collect();
    if schemes.is_empty() {
        "an unknown scheme".to_string()
    } else {
        schemes.join(" or ")
    }
}

#[cfg(test)]
mod auth_tests {
    use super::auth_schemes;

    #[test]
    fn schemes_of_a_challenge_list() {
        assert_eq!(
            auth_schemes(r#"Basic realm="proxy", Negotiate"#),
            "Basic or Negotiate"
        );
        assert_eq!(
            auth_schemes(r#"Digest realm="x", nonce="y", qop="auth", NTLM"#),
            "Digest or NTLM"
        );
        assert_eq!(auth_schemes(""), "an unknown scheme");
    }
}
