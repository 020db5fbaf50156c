//! Diagnosis: connection records and DNS exchanges → [`Finding`]s (why something
//! failed, the frames that prove it, what to do).
//!
//! It reads the records the pipeline built and never re-parses bytes. Per
//! connection, the rules in [`rules`] run when the connection is final; DNS
//! findings wait for the end of the capture, because whether a failed lookup
//! mattered depends on the connections that followed (or never came).

pub mod auth_retry;
pub mod ciphers;
pub mod profiles;
pub mod rules;
pub mod suite_list;

use std::fmt;

use serde::Serialize;

use crate::capture::FrameNo;
use crate::connection::Connection;
use crate::session::dns::DnsExchange;
pub use profiles::{ProfileSet, ServerProfile};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// This is why it failed.
    Error,
    /// Risky, not fatal.
    Warning,
    /// Worth knowing.
    Info,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

/// Stable finding codes (the contract's table; never reused for another meaning).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingCode {
    /// No offered suite is acceptable to the server.
    NoSharedCipher,
    /// Fatal alert right after the ClientHello, cause not narrower.
    HandshakeRejected,
    /// Versions do not meet (alert 70, or offers that cannot overlap).
    ProtocolVersion,
    /// The client does not trust the chain.
    CertUntrusted,
    /// A certificate is outside its validity.
    CertExpired,
    /// The chain is not the one the server's profile expects.
    TlsInterception,
    /// ClientHello sent, no answer.
    ServerSilent,
    /// RST during the handshake.
    ResetDuringHandshake,
    /// SYN answered by RST.
    TcpRefused,
    /// SYN never answered.
    TcpUnanswered,
    /// CONNECT answered 407.
    ProxyAuthRequired,
    /// CONNECT answered 403 or another 4xx.
    ProxyDenied,
    /// CONNECT answered 502/503/504.
    ProxyUpstreamFailed,
    /// The name does not exist.
    DnsNxdomain,
    /// SERVFAIL or another error rcode.
    DnsServfail,
    /// The query was never answered.
    DnsNoResponse,
    /// Plaintext HTTP response ≥ 400.
    HttpError,
    /// TAXII Status_Message other than SUCCESS.
    TaxiiStatus,
    /// The server answered the ClientHello with something that is not TLS.
    NotTls,
    /// The client sent a plaintext alert that is not one of the narrower cases.
    ClientAbort,
    /// Only one direction of some connections was captured.
    OneSidedCapture,
    /// The connection ended inside an HTTP response body.
    HttpBodyCut,
    /// Neither a DNS query nor a connection attempt in the whole capture.
    DnsNoQuery,
    /// The server refused the client's certificate (or its absence) after
    /// asking for one: mutual TLS.
    ClientCertRejected,
}

impl FindingCode {
    /// The code as written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingCode::NoSharedCipher => "no-shared-cipher",
            FindingCode::HandshakeRejected => "handshake-rejected",
            FindingCode::ProtocolVersion => "protocol-version",
            FindingCode::CertUntrusted => "cert-untrusted",
            FindingCode::CertExpired => "cert-expired",
            FindingCode::TlsInterception => "tls-interception",
            FindingCode::ServerSilent => "server-silent",
            FindingCode::ResetDuringHandshake => "reset-during-handshake",
            FindingCode::TcpRefused => "tcp-refused",
            FindingCode::TcpUnanswered => "tcp-unanswered",
            FindingCode::ProxyAuthRequired => "proxy-auth-required",
            FindingCode::ProxyDenied => "proxy-denied",
            FindingCode::ProxyUpstreamFailed => "proxy-upstream-failed",
            FindingCode::DnsNxdomain => "dns-nxdomain",
            FindingCode::DnsServfail => "dns-servfail",
            FindingCode::DnsNoResponse => "dns-no-response",
            FindingCode::HttpError => "http-error",
            FindingCode::TaxiiStatus => "taxii-status",
            FindingCode::NotTls => "not-tls",
            FindingCode::ClientAbort => "client-abort",
            FindingCode::OneSidedCapture => "one-sided-capture",
            FindingCode::HttpBodyCut => "http-body-cut",
            FindingCode::DnsNoQuery => "dns-no-query",
            FindingCode::ClientCertRejected => "client-cert-rejected",
        }
    }
}

impl fmt::Display for FindingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why something failed, with evidence and what to do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Stable code.
    pub code: FindingCode,
    /// How bad.
    pub severity: Severity,
    /// The connection it is about.
    pub connection: Option<u32>,
    /// The DNS exchange it is about.
    pub dns: Option<u32>,
    /// One line.
    pub title: String,
    /// The reasoning, with concrete values.
    pub detail: String,
    /// Frames that prove it.
    pub evidence: Vec<FrameNo>,
    /// What to do (required for errors and warnings).
    pub remedy: Option<String>,
}

/// What the diagnosis knows beyond the capture.
#[derive(Debug, Clone, Default)]
pub struct DiagnosisOptions {
    /// Server profiles (built-in, from files, or one-off).
    pub profiles: ProfileSet,
}

/// Orders findings: severity, then connection, then code (deterministic output).
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.severity, a.connection, a.dns, a.code).cmp(&(b.severity, b.connection, b.dns, b.code))
    });
}

/// Names remembered per capture (for DNS reasoning and naming addresses).
const MAX_NAMES: usize = 4096;

/// Runs the rules over one capture.
#[derive(Debug)]
pub struct Diagnosis<'o> {
    options: &'o DiagnosisOptions,
    /// Names connections asked for.
    attempted: Vec<String>,
    /// Names that resolved.
    resolved: Vec<String>,
    /// Address → name from DNS answers.
    names: rustc_hash::FxHashMap<std::net::IpAddr, String>,
    dns_failures: Vec<DnsExchange>,
    any_success: bool,
    /// Connections of which only the client's side was captured (count, first frames).
    one_sided: (u64, Vec<FrameNo>),
    /// Connections and DNS exchanges seen.
    connections: u64,
    dns_exchanges: u64,
}

impl<'o> Diagnosis<'o> {
    /// A diagnosis with these options.
    pub fn new(options: &'o DiagnosisOptions) -> Self {
        Self {
            options,
            attempted: Vec::new(),
            resolved: Vec::new(),
            names: rustc_hash::FxHashMap::default(),
            dns_failures: Vec::new(),
            any_success: false,
            one_sided: (0, Vec::new()),
            connections: 0,
            dns_exchanges: 0,
        }
    }

    /// Findings about a final connection.
    pub fn connection(&mut self, conn: &Connection) -> Vec<Finding> {
        self.connections += 1;
        // The name this connection reached. Through a proxy that refused or
        // failed (it may have failed to resolve the name itself), the client
        // asked for the name but nothing reached it.
        let proxy_failed = conn.proxy.as_ref().is_some_and(|p| !p.is_open())
            || conn
                .http
                .iter()
                .any(|x| x.status.is_some_and(|s| (500..=504).contains(&s)));
        let name = conn
            .server_name()
            .map(str::to_string)
            .filter(|_| !proxy_failed)
            .or_else(|| self.names.get(&conn.server.ip).cloned());
        if let Some(name) = name {
            if self.attempted.len() < MAX_NAMES {
                self.attempted.push(name.to_ascii_lowercase());
            }
        }
        let worked = conn
            .tls
            .as_ref()
            .is_some_and(|t| t.outcome == crate::connection::TlsOutcome::Established)
            || conn.http.iter().any(|x| x.status.is_some());
        self.any_success |= worked;
        if rules::one_sided(conn) {
            self.one_sided.0 += 1;
            if self.one_sided.1.len() < 10 {
                self.one_sided.1.push(conn.first_frame);
            }
        }
        let ctx = rules::Context {
            profiles: &self.options.profiles,
            names: &self.names,
        };
        rules::connection(conn, &ctx)
    }

    /// Notes a final DNS exchange.
    pub fn dns(&mut self, x: &DnsExchange) {
        self.dns_exchanges += 1;
        let name = x.name.trim_end_matches('.').to_ascii_lowercase();
        if x.resolved() {
            for ip in x.answers.iter().filter_map(|a| a.parse().ok()) {
                // The latest name resolved to an address names it: CDNs and
                // shared hosting give one address many names, and a client
                // connects right after its own lookup.
                if self.names.len() < MAX_NAMES || self.names.contains_key(&ip) {
                    self.names.insert(ip, name.clone());
                }
            }
            if self.resolved.len() < MAX_NAMES {
                self.resolved.push(name);
            }
        } else if self.dns_failures.len() < MAX_NAMES {
            self.dns_failures.push(x.clone());
        }
    }

    /// Findings that need the whole capture (DNS), at its end.
    pub fn finish(self, summary: &crate::CaptureSummary) -> Vec<Finding> {
        let last_time = summary.last_time;
        let mut out = Vec::new();
        if self.connections == 0
            && self.dns_exchanges == 0
            && summary.quic_datagrams == 0
            && !summary.nothing_decodable
        {
            // Field case 3, cause 1: with no DNS server configured the client
            // does not even ask; the capture is empty of both.
            out.push(Finding {
                code: FindingCode::DnsNoQuery,
                severity: Severity::Warning,
                connection: None,
                dns: None,
                title: "No DNS query and no connection attempt in the capture".into(),
                detail: format!(
                    "The capture holds {} frame{}, but not one DNS query nor one TCP connection. If the client reported \"Couldn't resolve host\", it has no DNS server configured (it did not even ask); otherwise the capture was taken on the wrong interface or with a filter that hides the traffic.",
                    summary.frames,
                    if summary.frames == 1 { "" } else { "s" }
                ),
                evidence: Vec::new(),
                remedy: Some("Check the device's DNS server settings (no DNS servers configured is the usual cause), and capture on the interface the traffic uses, without a filter.".into()),
            });
        }
        if self.one_sided.0 > 0 {
            out.push(Finding {
                code: FindingCode::OneSidedCapture,
                severity: Severity::Info,
                connection: None,
                dns: None,
                title: format!(
                    "Only the client's side of {} connection{} is in the capture",
                    self.one_sided.0,
                    if self.one_sided.0 == 1 { "" } else { "s" }
                ),
                detail: "These connections show packets from the client only, yet the client acknowledged or sent data, which it cannot do without answers: the capture holds one direction (a SPAN port mirroring one direction, or a filter such as `src host`). Missing answers here prove nothing about the servers, so they are not judged.".into(),
                evidence: self.one_sided.1.clone(),
                remedy: Some("Capture both directions (e.g. `tcpdump -i any host <client>`), then analyse again.".into()),
            });
        }
        out.extend(rules::dns(
            &self.dns_failures,
            &rules::DnsContext {
                resolved: &self.resolved,
                attempted: &self.attempted,
                any_success: self.any_success,
                profiles: &self.options.profiles,
                last_time,
            },
        ));
        out
    }
}
