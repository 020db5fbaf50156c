//! tlsdiag — reads packet captures and explains why TLS connections fail.
//!
//! Data flows one way; each arrow is one module:
//!
//! ```text
//! bytes ─capture─▶ Frame ─packet─▶ Packet ─flow─▶ (FlowKey, Segment) ─reassembly─▶ StreamEvent
//!       ─session─▶ ProxyTunnel | HttpExchange | TLS records (tls) | DnsExchange
//!       ─connection─▶ Connection { tcp, proxy, http, tls }
//!       ─diagnose─▶ Finding* ─report─▶ table | json | ndjson | explain | diff | scan summary
//! ```
//!
//! [`analyze_path`] runs the whole pipeline on one capture and returns an
//! [`Analysis`]; [`analyze_stream`] hands each connection, DNS exchange and
//! finding to a callback as soon as it is final (constant memory, for NDJSON and
//! `scan`). The library never prints; `main.rs` decides what to show.

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]
#![warn(missing_docs)]

pub mod analysis;
pub mod capture;
pub mod connection;
pub mod diagnose;
pub mod diff;
pub mod error;
pub mod flow;
pub mod packet;
pub mod report;
pub mod scan;
pub mod session;
pub mod tls;
pub mod wire;

use std::path::Path;

use serde::Serialize;

pub use analysis::{Analyzer, CaptureSummary, Item, Limits};
pub use capture::{CaptureFormat, CaptureReader, FrameNo, Timestamp};
pub use connection::Connection;
pub use diagnose::{Finding, FindingCode, Severity};
pub use error::{Error, Warning};
pub use session::dns::DnsExchange;

/// Connections (and, separately, DNS exchanges and capture-wide findings)
/// kept in one [`Analysis`] document by default: a document holds every record
/// until the end, so a flood of a million connections must stop somewhere
/// (NDJSON streams them all in constant memory).
pub const MAX_DOCUMENT_RECORDS: usize = 50_000;

/// What to analyse against: resource caps and the diagnosis' knowledge.
#[derive(Debug, Clone)]
pub struct Options {
    /// Resource caps.
    pub limits: Limits,
    /// Server profiles and one-off accepted-suite lists.
    pub diagnosis: diagnose::DiagnosisOptions,
    /// Connections kept in an [`Analysis`] (and DNS exchanges, and findings
    /// not tied to a connection); the rest are counted in a warning.
    pub max_records: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            diagnosis: diagnose::DiagnosisOptions::default(),
            max_records: MAX_DOCUMENT_RECORDS,
        }
    }
}

/// Everything about one capture (the contract's top-level document).
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// The capture's name as given.
    pub capture: String,
    /// `pcap` or `pcapng`.
    pub format: CaptureFormat,
    /// Frames read (whole records).
    pub frames: u64,
    /// Problems found in the capture.
    pub warnings: Vec<Warning>,
    /// TCP connections, by first frame.
    pub connections: Vec<Connection>,
    /// DNS exchanges, by query.
    pub dns: Vec<DnsExchange>,
    /// Why things failed.
    pub findings: Vec<Finding>,
}

impl Analysis {
    /// Whether any finding is an error.
    pub fn has_error(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// Something final from [`analyze_stream`].
#[derive(Debug)]
pub enum Output {
    /// A connection record.
    Connection(Box<Connection>),
    /// A DNS exchange.
    Dns(DnsExchange),
    /// A finding.
    Finding(Finding),
}

/// Analyses an opened capture, calling `sink` with each connection, DNS
/// exchange and finding as soon as it is final.
pub fn analyze_stream(
    reader: CaptureReader<'_>,
    options: &Options,
    sink: &mut dyn FnMut(Output),
) -> Result<CaptureSummary, Error> {
    let mut diagnosis = diagnose::Diagnosis::new(&options.diagnosis);
    // A 407 waits for the client's retry on a new connection.
    let mut auth = diagnose::auth_retry::AuthRetries::default();
    let release = |sink: &mut dyn FnMut(Output), (c, findings): diagnose::auth_retry::Released| {
        for f in findings {
            sink(Output::Finding(f));
        }
        sink(Output::Connection(c));
    };
    let analyzer = Analyzer::new(options.limits.clone());
    let summary = analyzer.run(reader, &mut |item| match item {
        Item::Connection(c) => {
            let findings = diagnosis.connection(&c);
            auth.push(c, findings, &mut |r| release(sink, r));
        }
        Item::Dns(d) => {
            diagnosis.dns(&d);
            sink(Output::Dns(d));
        }
    })?;
    auth.finish(&mut |r| release(sink, r));
    for f in diagnosis.finish(&summary) {
        sink(Output::Finding(f));
    }
    Ok(summary)
}

/// Analyses a capture file (`-` for standard input) and collects the results.
pub fn analyze_path(path: &Path, options: &Options) -> Result<Analysis, Error> {
    let reader = CaptureReader::open(path)?;
    analyze_reader(reader, &path.display().to_string(), options)
}

/// Analyses an opened capture and collects the results.
pub fn analyze_reader(
    reader: CaptureReader<'_>,
    name: &str,
    options: &Options,
) -> Result<Analysis, Error> {
    let max = options.max_records;
    let mut connections = Vec::new();
    let mut dns = Vec::new();
    let mut findings = Vec::new();
    // A connection's findings come just before it: held until it is known
    // whether the connection itself is kept.
    let mut pending = Vec::new();
    let (mut left_connections, mut left_findings, mut left_dns) = (0u64, 0u64, 0u64);
    let mut summary = analyze_stream(reader, options, &mut |out| match out {
        Output::Connection(c) => {
            if connections.len() < max {
                connections.push(*c);
                findings.append(&mut pending);
            } else {
                left_connections += 1;
                left_findings += pending.len() as u64;
                pending.clear();
            }
        }
        Output::Dns(d) => {
            if dns.len() < max {
                dns.push(d);
            } else {
                left_dns += 1;
            }
        }
        Output::Finding(f) if f.connection.is_some() => pending.push(f),
        Output::Finding(f) => {
            if findings.len() < max.saturating_mul(4) {
                findings.push(f);
            } else {
                left_findings += 1;
            }
        }
    })?;
    if left_connections + left_dns + left_findings > 0 {
        summary.warnings.push(Warning::general(format!(
            "{left_connections} connections, {left_dns} DNS exchanges and {left_findings} findings beyond the first {max} records are not in this report (--max-records); --format ndjson streams every one"
        )));
    }
    connections.sort_by_key(|c| c.id);
    dns.sort_by_key(|d| d.id);
    diagnose::sort(&mut findings);
    Ok(Analysis {
        capture: name.to_string(),
        format: summary.format,
        frames: summary.frames,
        warnings: summary.warnings,
        connections,
        dns,
        findings,
    })
}
