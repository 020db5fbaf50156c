//! HTTP CONNECT tunnels (RFC 9110 §9.3.6), recognised by content on any port.
//!
//! The client's `CONNECT host:port HTTP/1.x` and the proxy's status line are
//! recorded; after a 2xx both directions carry the tunnelled protocol (TLS, for
//! our users). A refused CONNECT (407, 403, 502…) may be retried on the same
//! connection, typically with credentials: every attempt is counted and the last
//! one is the connection's `proxy`.

use serde::Serialize;

use crate::capture::FrameNo;
use crate::session::http::Head;

/// A CONNECT request and the proxy's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProxyTunnel {
    /// Target host.
    pub host: String,
    /// Target port.
    pub port: Option<u16>,
    /// Frame that completed the request headers.
    pub request_frame: FrameNo,
    /// Status code, or null if the proxy never answered.
    pub status: Option<u16>,
    /// Frame that completed the response headers.
    pub response_frame: Option<FrameNo>,
    /// Reason phrase.
    pub reason: Option<String>,
    /// Proxy-Authenticate (the scheme a 407 asks for).
    pub proxy_authenticate: Option<String>,
    /// Whether the request carried Proxy-Authorization.
    pub proxy_authorization: bool,
    /// Server / Via header of the proxy, naming the software.
    pub proxy_agent: Option<String>,
    /// The proxy's own error code, when it sends one (Squid's `X-Squid-Error`,
    /// e.g. `ERR_DNS_FAIL 0`, `ERR_CONNECT_FAIL 111`).
    pub proxy_error: Option<String>,
    /// CONNECT attempts on this connection (this one included).
    pub attempts: u32,
}

impl ProxyTunnel {
    /// A tunnel request from a parsed `CONNECT` head.
    pub fn from_request(head: &Head, frame: FrameNo, attempts: u32) -> Self {
        let (host, port) = split_authority(&head.start[1]);
        Self {
            host,
            port,
            request_frame: frame,
            status: None,
            response_frame: None,
            reason: None,
            proxy_authenticate: None,
            proxy_authorization: head.header("proxy-authorization").is_some(),
            proxy_agent: None,
            proxy_error: None,
            attempts,
        }
    }

    /// Fills in the proxy's answer.
    pub fn set_response(&mut self, head: &Head, frame: FrameNo) {
        self.status = head.status();
        self.response_frame = Some(frame);
        self.reason = Some(head.start[2].clone()).filter(|r| !r.is_empty());
        self.proxy_authenticate = head.header_all("proxy-authenticate");
        self.proxy_agent = head
            .header("proxy-agent")
            .or(head.header("server"))
            .or(head.header("via"))
            .map(str::to_string);
        self.proxy_error = head.header("x-squid-error").map(str::to_string);
    }

    /// Whether the tunnel was opened.
    pub fn is_open(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// `host:port`, `[v6]:port` or a bare host.
pub fn split_authority(authority: &str) -> (String, Option<u16>) {
    if let Some(rest) = authority.strip_prefix('[') {
        if let Some((host, after)) = rest.split_once(']') {
            let port = after.strip_prefix(':').and_then(|p| p.parse().ok());
            return (host.to_string(), port);
        }
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => (host.to_string(), port.parse().ok()),
        _ => (authority.to_string(), None),
    }
}

/// Whether `head` starts a CONNECT request.
pub fn looks_like_connect(head: &[u8]) -> bool {
    head.starts_with(b"CONNECT ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorities() {
        assert_eq!(
            split_authority("tetra-defs.amp.cisco.com:443"),
            ("tetra-defs.amp.cisco.com".to_string(), Some(443))
        );
        assert_eq!(
            split_authority("[::1]:8443"),
            ("::1".to_string(), Some(8443))
        );
        assert_eq!(split_authority("example"), ("example".to_string(), None));
    }
}
