//! The fleet view of a scan: one digest per capture (what failed, against
//! which server, with which offered suites), then counts across all captures
//! and the groups engineers act on ("37 captures offer the same 16 suites, none
//! accepted by tetra-defs.amp.cisco.com").

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use crate::capture::CaptureFormat;
use crate::diagnose::{self, Finding, FindingCode, Severity};
use crate::error::{Error, Warning};
use crate::report::json::CaptureLine;
use crate::report::{escape, json, table};
use crate::tls::codepoints::CipherSuite;
use crate::{CaptureSummary, Output};

/// Findings kept per capture digest.
const MAX_FINDINGS: usize = 256;
/// Failing connections kept per capture digest.
const MAX_FAILING: usize = 256;
/// Distinct failing servers counted per capture digest; the rest are counted
/// together under [`OTHER_SERVERS`].
const MAX_SERVERS: usize = 1024;
/// The key under which failing servers beyond [`MAX_SERVERS`] are counted.
const OTHER_SERVERS: &str = "(other servers)";

/// A failing connection, as the fleet summary needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailingConnection {
    /// Connection id.
    pub id: u32,
    /// Server name (SNI / CONNECT host) or address.
    pub server: String,
    /// The suites its ClientHello offered.
    pub suites: Option<Vec<CipherSuite>>,
    /// Its first error finding.
    pub code: FindingCode,
}

/// What a scan keeps of one capture.
#[derive(Debug, Clone, Default)]
pub struct CaptureDigest {
    /// Format, frames, warnings.
    pub format: Option<CaptureFormat>,
    /// Frames read.
    pub frames: u64,
    /// Warnings.
    pub warnings: Vec<Warning>,
    /// Connections.
    pub connections: u64,
    /// Connections with an error finding.
    pub failed: u64,
    /// TLS outcomes, counted.
    pub tls_outcomes: BTreeMap<String, u64>,
    /// TCP outcomes, counted.
    pub tcp_outcomes: BTreeMap<String, u64>,
    /// Error and warning findings (capped).
    pub findings: Vec<Finding>,
    /// Error findings by code, every one counted (not capped).
    pub error_codes: BTreeMap<FindingCode, u64>,
    /// Failing connections (capped).
    pub failing: Vec<FailingConnection>,
    /// Failing connections by server, every one counted (distinct servers capped).
    pub failing_servers: BTreeMap<String, u64>,
    /// NDJSON lines, when asked for.
    pub lines: Vec<String>,
    /// Error codes waiting for their connection (findings come first).
    pending: BTreeMap<u32, FindingCode>,
    /// Where each line is written before it is copied, at its length, into
    /// [`lines`](Self::lines).
    scratch: Vec<u8>,
}

fn plain<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

impl CaptureDigest {
    /// Takes one streamed item of the capture `name`.
    pub fn add(&mut self, name: &str, item: &Output, keep_lines: bool) {
        if keep_lines {
            json::line_into(&mut self.scratch, name, item);
            // Without the newline: lines are joined by the writer.
            let line = self.scratch.strip_suffix(b"\n").unwrap_or(&self.scratch);
            self.lines.push(String::from_utf8_lossy(line).into_owned());
        }
        match item {
            Output::Finding(f) => {
                if f.severity == Severity::Error {
                    *self.error_codes.entry(f.code).or_default() += 1;
                    if let Some(c) = f.connection {
                        self.pending.entry(c).or_insert(f.code);
                    }
                }
                if f.severity <= Severity::Warning && self.findings.len() < MAX_FINDINGS {
                    self.findings.push(f.clone());
                }
            }
            Output::Connection(c) => {
                self.connections += 1;
                *self.tcp_outcomes.entry(plain(&c.tcp.outcome)).or_default() += 1;
                if let Some(t) = &c.tls {
                    *self.tls_outcomes.entry(plain(&t.outcome)).or_default() += 1;
                }
                if let Some(code) = self.pending.remove(&c.id) {
                    self.failed += 1;
                    let server = c
                        .server_name()
                        .map(|n| format!("{n}:{}", c.service_port()))
                        .unwrap_or_else(|| format!("{}:{}", c.server.ip, c.server.port));
                    let key = if self.failing_servers.len() < MAX_SERVERS
                        || self.failing_servers.contains_key(&server)
                    {
                        server.clone()
                    } else {
                        OTHER_SERVERS.to_string()
                    };
                    *self.failing_servers.entry(key).or_default() += 1;
                    if self.failing.len() < MAX_FAILING {
                        self.failing.push(FailingConnection {
                            id: c.id,
                            server,
                            suites: c
                                .tls
                                .as_ref()
                                .and_then(|t| t.client_hello.as_ref())
                                .and_then(|h| h.cipher_suites.clone()),
                            code,
                        });
                    }
                }
            }
            Output::Dns(_) => {}
        }
    }

    /// Closes the digest with the capture's summary.
    pub fn finish(&mut self, summary: &CaptureSummary) {
        self.format = Some(summary.format);
        self.frames = summary.frames;
        self.warnings = summary.warnings.clone();
        diagnose::sort(&mut self.findings);
        self.scratch = Vec::new();
    }

    /// The finding that best says why this capture failed (first error).
    pub fn main_finding(&self) -> Option<&Finding> {
        self.findings.iter().find(|f| f.severity == Severity::Error)
    }

    /// The contract's `capture` line.
    pub fn capture_line(&self, name: &str) -> CaptureLine {
        CaptureLine {
            kind: "capture",
            capture: name.to_string(),
            format: self.format,
            frames: self.frames,
            warnings: self.warnings.clone(),
            connections: self.connections,
            failed: self.failed,
            error: None,
        }
    }
}

/// One row of the scan table.
#[derive(Debug, Clone, Serialize)]
pub struct CaptureRow {
    /// Capture name.
    pub capture: String,
    /// Connections.
    pub connections: u64,
    /// Failing connections.
    pub failed: u64,
    /// Main finding code.
    pub finding: Option<FindingCode>,
    /// Its title.
    pub title: Option<String>,
    /// Why the capture could not be analysed.
    pub error: Option<String>,
    /// Warnings.
    pub warnings: usize,
}

/// A server and the exact suite list offered to it.
/// A server, the exact suite list offered to it, and why those connections
/// failed (groups of different failures are not merged).
pub type OfferKey = (String, Vec<CipherSuite>, FindingCode);

/// Totals across a scan.
#[derive(Debug, Default)]
pub struct Fleet {
    /// Per-capture rows, in order.
    pub rows: Vec<CaptureRow>,
    /// TLS outcomes.
    pub tls_outcomes: BTreeMap<String, u64>,
    /// TCP outcomes.
    pub tcp_outcomes: BTreeMap<String, u64>,
    /// Error findings by code: (findings, captures).
    pub codes: BTreeMap<FindingCode, (u64, u64)>,
    /// Failing servers: (connections, captures).
    pub servers: BTreeMap<String, (u64, u64)>,
    /// Offered suite lists of failing connections, by server: captures.
    pub offers: BTreeMap<OfferKey, u64>,
    /// Captures analysed.
    pub captures: u64,
    /// Captures with at least one error finding.
    pub failed: u64,
    /// Captures that could not be analysed.
    pub unreadable: u64,
    /// Non-captures skipped.
    pub skipped: u64,
}

impl Fleet {
    /// Adds one capture.
    pub fn add(&mut self, name: &str, digest: &CaptureDigest) {
        self.captures += 1;
        let main = digest.main_finding();
        if main.is_some() {
            self.failed += 1;
        }
        for (k, v) in &digest.tls_outcomes {
            *self.tls_outcomes.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &digest.tcp_outcomes {
            *self.tcp_outcomes.entry(k.clone()).or_default() += v;
        }
        for (code, n) in &digest.error_codes {
            let e = self.codes.entry(*code).or_default();
            e.0 += n;
            e.1 += 1;
        }
        for (server, n) in &digest.failing_servers {
            let e = self.servers.entry(server.clone()).or_default();
            e.0 += n;
            e.1 += 1;
        }
        let mut offers_here: Vec<OfferKey> = Vec::new();
        for c in &digest.failing {
            // Offers are grouped where the offer can be the cause.
            let offer_matters = matches!(
                c.code,
                FindingCode::NoSharedCipher
                    | FindingCode::HandshakeRejected
                    | FindingCode::ProtocolVersion
                    | FindingCode::ResetDuringHandshake
                    | FindingCode::ServerSilent
            );
            if let Some(suites) = c.suites.as_ref().filter(|_| offer_matters) {
                let key = (c.server.clone(), suites.clone(), c.code);
                if !offers_here.contains(&key) {
                    offers_here.push(key.clone());
                    *self.offers.entry(key).or_default() += 1;
                }
            }
        }
        self.rows.push(CaptureRow {
            capture: name.to_string(),
            connections: digest.connections,
            failed: digest.failed,
            finding: main.map(|f| f.code),
            title: main.map(|f| f.title.clone()),
            error: None,
            warnings: digest.warnings.len(),
        });
    }

    /// Adds a capture that could not be analysed.
    pub fn add_unreadable(&mut self, name: &str, error: &Error) {
        self.unreadable += 1;
        self.rows.push(CaptureRow {
            capture: name.to_string(),
            connections: 0,
            failed: 0,
            finding: None,
            title: None,
            error: Some(error.to_string()),
            warnings: 0,
        });
    }

    /// The contract's closing `scan` line.
    pub fn scan_line(&self) -> serde_json::Value {
        serde_json::json!({
            "kind": "scan",
            "captures": self.captures,
            "failed": self.failed,
            "skipped": self.skipped,
            "unreadable": self.unreadable,
            "tls_outcomes": self.tls_outcomes,
            "tcp_outcomes": self.tcp_outcomes,
            "findings": self.codes.iter().map(|(c, (n, caps))| (c.as_str(), serde_json::json!({"findings": n, "captures": caps}))).collect::<BTreeMap<_, _>>(),
            "failing_servers": self.servers.iter().map(|(s, (n, caps))| serde_json::json!({"server": s, "connections": n, "captures": caps})).collect::<Vec<_>>(),
        })
    }

    /// Writes the per-capture table and the fleet summary.
    pub fn write_table(&self, out: &mut dyn Write) -> Result<(), Error> {
        let mut t = table::new_table(&[
            "capture",
            "connections",
            "failing",
            "main finding",
            "warnings",
        ]);
        for r in &self.rows {
            let finding = match (&r.error, r.finding, &r.title) {
                (Some(e), _, _) => format!("unreadable: {}", escape(e)),
                (None, Some(code), Some(title)) => format!("{code}: {}", escape(title)),
                _ => "-".into(),
            };
            t.add_row(vec![
                escape(&r.capture).into_owned(),
                r.connections.to_string(),
                r.failed.to_string(),
                finding,
                r.warnings.to_string(),
            ]);
        }
        writeln!(out, "{t}")?;
        writeln!(
            out,
            "\n{} captures analysed, {} with failures, {} unreadable, {} other files skipped.",
            self.captures, self.failed, self.unreadable, self.skipped
        )?;
        let counts = |m: &BTreeMap<String, u64>| {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !self.tls_outcomes.is_empty() {
            writeln!(out, "TLS outcomes: {}", counts(&self.tls_outcomes))?;
        }
        if !self.tcp_outcomes.is_empty() {
            writeln!(out, "TCP outcomes: {}", counts(&self.tcp_outcomes))?;
        }
        if !self.codes.is_empty() {
            let mut t = table::new_table(&["finding", "errors", "captures"]);
            for (code, (n, caps)) in &self.codes {
                t.add_row(vec![code.to_string(), n.to_string(), caps.to_string()]);
            }
            writeln!(out, "\nWhy connections failed:\n{t}")?;
        }
        if !self.servers.is_empty() {
            let mut servers: Vec<(&String, &(u64, u64))> = self.servers.iter().collect();
            servers.sort_by(|a, b| b.1.1.cmp(&a.1.1).then(b.1.0.cmp(&a.1.0)).then(a.0.cmp(b.0)));
            let mut t = table::new_table(&["failing server", "connections", "captures"]);
            for (s, (n, caps)) in servers.iter().take(SHOWN_SERVERS) {
                t.add_row(vec![
                    escape(s).into_owned(),
                    n.to_string(),
                    caps.to_string(),
                ]);
            }
            writeln!(out, "\n{t}")?;
            if servers.len() > SHOWN_SERVERS {
                writeln!(
                    out,
                    "… and {} more failing servers (--format ndjson lists them all)",
                    servers.len() - SHOWN_SERVERS
                )?;
            }
        }
        let mut offers: Vec<(&OfferKey, &u64)> = self.offers.iter().collect();
        offers.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for ((server, suites, code), caps) in offers.iter().take(SHOWN_OFFERS) {
            writeln!(out, "{}", offer_line(server, suites, **caps, *code))?;
        }
        if offers.len() > SHOWN_OFFERS {
            writeln!(
                out,
                "… and {} more groups of offers",
                offers.len() - SHOWN_OFFERS
            )?;
        }
        Ok(())
    }
}

/// Failing servers shown in the table (the NDJSON `scan` line has them all).
const SHOWN_SERVERS: usize = 25;
/// Offer groups printed.
const SHOWN_OFFERS: usize = 10;
/// Suite codes printed in one offer line before it is abbreviated.
const SHOWN_SUITES: usize = 32;

/// "37 captures offer the same 16 suites, none accepted by tetra-defs…: 0x…".
fn offer_line(server: &str, suites: &[CipherSuite], caps: u64, code: FindingCode) -> String {
    let verdict = match code {
        FindingCode::NoSharedCipher => format!("none accepted by {}", escape(server)),
        other => format!("rejected by {} ({other})", escape(server)),
    };
    let real = suites.iter().filter(|s| !s.is_signalling()).count();
    let counted = format!("{real} suite{}", if real == 1 { "" } else { "s" });
    let who = if caps == 1 {
        format!("1 capture offers {counted}")
    } else {
        format!("{caps} captures offer the same {counted}")
    };
    let mut list: Vec<String> = suites
        .iter()
        .filter(|s| !s.is_signalling())
        .take(SHOWN_SUITES)
        .map(ToString::to_string)
        .collect();
    if real > SHOWN_SUITES {
        list.push(format!("… ({} more)", real - SHOWN_SUITES));
    }
    let signalling: Vec<String> = suites
        .iter()
        .filter(|s| s.is_signalling())
        .map(ToString::to_string)
        .collect();
    if !signalling.is_empty() {
        list.push(format!("(+ {})", signalling.join(" ")));
    }
    format!("{who}, {verdict}: {}", list.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offer_lines_read_well_and_stay_short() {
        let few: Vec<CipherSuite> = [0x1301, 0x00ff].into_iter().map(CipherSuite).collect();
        assert_eq!(
            offer_line("a.example:443", &few, 1, FindingCode::HandshakeRejected),
            "1 capture offers 1 suite, rejected by a.example:443 (handshake-rejected): 0x1301 (+ 0x00ff)"
        );
        let many: Vec<CipherSuite> = (0xc000..0xc100).map(CipherSuite).collect();
        let line = offer_line("t.example:443", &many, 37, FindingCode::NoSharedCipher);
        assert!(
            line.starts_with(
                "37 captures offer the same 256 suites, none accepted by t.example:443: 0xc000 "
            ),
            "{line}"
        );
        assert!(line.ends_with("0xc01f … (224 more)"), "{line}");
    }
}
