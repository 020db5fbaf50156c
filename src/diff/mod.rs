//! Diff: a good and a failing capture, connection against connection.
//!
//! Connections are paired by server identity — the name the client wanted (SNI,
//! CONNECT host, HTTP Host, or the name DNS gave the address) and the service
//! port, else the server address and port. For each pair the whole path is
//! compared: DNS, direct or proxied, TCP, the ClientHello field by field, the
//! server's answer, the certificate chain, and the findings. Differences that
//! explain the failure come first; the good capture is evidence of what the
//! server accepts ("the server chose 0xc030 for GOOD; BAD does not offer it").

mod pair;

use pair::pair;

use serde::Serialize;

use crate::Analysis;
use crate::connection::{Connection, TlsOutcome};
use crate::diagnose::{FindingCode, ProfileSet, Severity};
use crate::tls::codepoints::CipherSuite;

/// Which capture a value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The working capture.
    Good,
    /// The failing capture.
    Bad,
}

/// One compared field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldDiff {
    /// Dotted path in the contract (`tls.client_hello.cipher_suites`).
    pub field: String,
    /// Its value in the good capture (null when absent).
    pub good: serde_json::Value,
    /// Its value in the bad capture.
    pub bad: serde_json::Value,
    /// Whether the two differ.
    pub differs: bool,
    /// Whether this difference explains the failure.
    pub explains_failure: bool,
}

/// One suite in the side-by-side list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuiteRow {
    /// Code point.
    pub code: CipherSuite,
    /// IANA name.
    pub name: Option<&'static str>,
    /// Offered by the good client.
    pub good: bool,
    /// Offered by the bad client.
    pub bad: bool,
    /// Which side's server chose it.
    pub chosen: Option<Side>,
    /// Whether the server is known to accept it (profile or the good choice).
    pub accepted: bool,
}

/// A connection of one capture paired with one of the other.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pair {
    /// Server identity (`name:port` or `ip:port`).
    pub server: String,
    /// Connection id in the good capture.
    pub good_connection: u32,
    /// Connection id in the bad capture.
    pub bad_connection: u32,
    /// Whether BAD's connection has an error finding.
    pub bad_failed: bool,
    /// Sentences that explain the failure, most telling first.
    pub explanation: Vec<String>,
    /// Every compared field, explaining differences first, then other
    /// differences, then the unchanged ones.
    pub fields: Vec<FieldDiff>,
    /// Suites offered by either side, aligned.
    pub suites: Vec<SuiteRow>,
}

/// A server seen in only one capture.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unpaired {
    /// Server identity.
    pub server: String,
    /// Connections to it.
    pub connections: Vec<u32>,
    /// Whether any of them failed (error finding).
    pub failed: bool,
    /// For a server only GOOD reaches: what the BAD capture shows instead
    /// (its lookup of the name failed, it resolved but never connected, …).
    pub other_side: Option<String>,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    /// The good capture's name.
    pub good: String,
    /// The bad capture's name.
    pub bad: String,
    /// Paired servers, failing pairs first.
    pub pairs: Vec<Pair>,
    /// Servers only the good capture talks to.
    pub only_good: Vec<Unpaired>,
    /// Servers only the bad capture talks to.
    pub only_bad: Vec<Unpaired>,
    /// Error finding codes per side.
    pub good_errors: Vec<FindingCode>,
    /// Error finding codes of the bad side.
    pub bad_errors: Vec<FindingCode>,
    /// What reading the good capture warned about (cut, lost bytes…).
    pub good_warnings: Vec<crate::error::Warning>,
    /// What reading the bad capture warned about.
    pub bad_warnings: Vec<crate::error::Warning>,
    /// The `--server` filter, when one was given.
    pub server_filter: Option<String>,
}

/// How a connection is known across captures.
fn identity(c: &Connection, a: &Analysis) -> String {
    let name = c.server_name().map(str::to_string).or_else(|| {
        let ip = c.server.ip.to_string();
        a.dns
            .iter()
            .find(|d| d.answers.contains(&ip))
            .map(|d| d.name.clone())
    });
    match name {
        Some(n) => format!("{}:{}", n.to_ascii_lowercase(), c.service_port()),
        None => match c.server.ip {
            std::net::IpAddr::V6(v6) => format!("[{v6}]:{}", c.server.port),
            std::net::IpAddr::V4(v4) => format!("{v4}:{}", c.server.port),
        },
    }
}

fn failed(a: &Analysis, c: &Connection) -> bool {
    a.findings
        .iter()
        .any(|f| f.connection == Some(c.id) && f.severity == Severity::Error)
}

/// The connection that best represents a server in a capture: for the bad
/// side a failing one with a ClientHello, for the good side an established one.
fn representative<'a>(a: &'a Analysis, server: &str, side: Side) -> Option<&'a Connection> {
    let candidates: Vec<&Connection> = a
        .connections
        .iter()
        .filter(|c| identity(c, a) == server)
        .collect();
    let has_hello = |c: &&Connection| c.tls.as_ref().is_some_and(|t| t.client_hello.is_some());
    let score = |c: &&Connection| -> u8 {
        let established = c
            .tls
            .as_ref()
            .is_some_and(|t| t.outcome == TlsOutcome::Established);
        match side {
            Side::Bad => u8::from(failed(a, c)) * 2 + u8::from(has_hello(c)),
            Side::Good => u8::from(established) * 2 + u8::from(has_hello(c)),
        }
    };
    candidates
        .into_iter()
        .max_by_key(|c| (score(c), std::cmp::Reverse(c.id)))
}

/// The addresses and ports a server identity's connections went to.
fn endpoints(a: &Analysis, server: &str) -> Vec<(std::net::IpAddr, u16)> {
    a.connections
        .iter()
        .filter(|c| identity(c, a) == server)
        .map(|c| (c.server.ip, c.server.port))
        .collect()
}

fn servers(a: &Analysis, filter: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in &a.connections {
        let id = identity(c, a);
        let keep = filter.is_none_or(|f| {
            let f = f.to_ascii_lowercase();
            id.contains(&f) || c.server.ip.to_string() == f
        });
        if keep && !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// Compares `good` with `bad`; `server` keeps only matching servers.
pub fn diff(good: &Analysis, bad: &Analysis, server: Option<&str>, profiles: &ProfileSet) -> Diff {
    let good_servers = servers(good, server);
    let bad_servers = servers(bad, server);
    let mut pairs = Vec::new();
    let mut paired: Vec<(String, String)> = Vec::new();
    for s in &bad_servers {
        if !good_servers.contains(s) {
            continue;
        }
        if let (Some(g), Some(b)) = (
            representative(good, s, Side::Good),
            representative(bad, s, Side::Bad),
        ) {
            pairs.push(pair(s, good, g, bad, b, profiles));
            paired.push((s.clone(), s.clone()));
        }
    }
    // A server one capture knows by name and the other only by its address
    // and port (a client that connected by IP sends no SNI): the same server.
    for bs in &bad_servers {
        if paired.iter().any(|(_, b)| b == bs) {
            continue;
        }
        let bad_ends = endpoints(bad, bs);
        let matching = good_servers.iter().find(|gs| {
            !paired.iter().any(|(g, _)| g == *gs)
                && endpoints(good, gs).iter().any(|e| bad_ends.contains(e))
        });
        if let Some(gs) = matching {
            if let (Some(g), Some(b)) = (
                representative(good, gs, Side::Good),
                representative(bad, bs, Side::Bad),
            ) {
                let label = format!("{gs} (BAD: {bs})");
                pairs.push(pair(&label, good, g, bad, b, profiles));
                paired.push((gs.clone(), bs.clone()));
            }
        }
    }
    let good_paired: Vec<String> = paired.iter().map(|(g, _)| g.clone()).collect();
    let bad_paired: Vec<String> = paired.iter().map(|(_, b)| b.clone()).collect();
    // Failing pairs first, then by server.
    pairs.sort_by_key(|p| (p.explanation.is_empty(), p.server.clone()));
    let unpaired = |a: &Analysis, mine: &[String], taken: &[String]| -> Vec<Unpaired> {
        mine.iter()
            .filter(|s| !taken.contains(s))
            .map(|s| {
                let conns: Vec<&Connection> = a
                    .connections
                    .iter()
                    .filter(|c| identity(c, a) == *s)
                    .collect();
                Unpaired {
                    server: s.clone(),
                    connections: conns.iter().map(|c| c.id).collect(),
                    failed: conns.iter().any(|c| failed(a, c)),
                    other_side: None,
                }
            })
            .collect()
    };
    let errors = |a: &Analysis| {
        let mut codes: Vec<FindingCode> = a
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| f.code)
            .collect();
        codes.dedup();
        codes
    };
    let mut only_good = unpaired(good, &good_servers, &good_paired);
    for u in &mut only_good {
        u.other_side = Some(absent_in(bad, &u.server));
    }
    Diff {
        good: good.capture.clone(),
        bad: bad.capture.clone(),
        only_good,
        only_bad: unpaired(bad, &bad_servers, &bad_paired),
        pairs,
        good_errors: errors(good),
        bad_errors: errors(bad),
        good_warnings: good.warnings.clone(),
        bad_warnings: bad.warnings.clone(),
        server_filter: server.map(str::to_string),
    }
}

/// What the BAD capture shows about a server it never reached.
fn absent_in(bad: &Analysis, server: &str) -> String {
    let name = server
        .rsplit_once(':')
        .map_or(server, |(n, _)| n)
        .trim_start_matches('[')
        .trim_end_matches(']');
    if name.parse::<std::net::IpAddr>().is_ok() {
        return format!("BAD has no connection to {server}.");
    }
    let lookups: Vec<&crate::DnsExchange> = bad
        .dns
        .iter()
        .filter(|d| d.name.trim_end_matches('.').eq_ignore_ascii_case(name))
        .collect();
    let frames = |xs: &[&crate::DnsExchange]| -> String {
        let mut f: Vec<u64> = xs
            .iter()
            .flat_map(|d| d.query_frame.into_iter().chain(d.response_frame))
            .map(|f| f.0)
            .collect();
        f.sort_unstable();
        f.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
    };
    if lookups.is_empty() {
        return format!("BAD neither looks {name} up nor connects to it.");
    }
    if let Some(ok) = lookups.iter().find(|d| d.resolved()) {
        return format!(
            "BAD resolved {name} to {} but never connected to {server}.",
            ok.answers.join(", ")
        );
    }
    let outcomes: Vec<String> = lookups
        .iter()
        .map(|d| d.rcode.clone().unwrap_or_else(|| "no answer".into()))
        .collect();
    let mut outcomes_dedup = outcomes.clone();
    outcomes_dedup.dedup();
    format!(
        "BAD's lookup of {name} failed ({}; frames {}), so it never connected.",
        outcomes_dedup.join(", "),
        frames(&lookups)
    )
}
