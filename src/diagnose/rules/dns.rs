//! Name resolution, weighed against the connections that followed.

use std::net::IpAddr;

use crate::capture::{FrameNo, Timestamp};
use crate::diagnose::profiles::ProfileSet;
use crate::diagnose::{Finding, FindingCode, Severity};
use crate::session::dns::DnsExchange;

/// What the DNS rules weigh a failed lookup against.
pub struct DnsContext<'a> {
    /// Names that resolved somewhere in the capture, lowercased.
    pub resolved: &'a [String],
    /// Names connections asked for (SNI, CONNECT host, DNS name of the address).
    pub attempted: &'a [String],
    /// Whether any connection of the capture worked (TLS established, HTTP answered).
    pub any_success: bool,
    /// Server profiles (a failed lookup of a known service is an error).
    pub profiles: &'a ProfileSet,
    /// Time of the last frame.
    pub last_time: Option<Timestamp>,
}

/// Lookups that fail by design: proxy auto-discovery (WPAD), ISATAP, and
/// service discovery; failing is their normal answer on most networks.
fn is_background_lookup(name: &str) -> bool {
    name.starts_with("wpad.")
        || name == "wpad"
        || name.starts_with("isatap.")
        || name.starts_with('_')
}

/// DNS findings for the whole capture: each failed lookup, weighed against the
/// connections that followed (or never came).
pub fn dns(failures: &[DnsExchange], ctx: &DnsContext<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen: Vec<(String, FindingCode)> = Vec::new();
    for x in failures {
        let name = x.name.trim_end_matches('.').to_ascii_lowercase();
        let later_ok = ctx.resolved.contains(&name);
        let connected = ctx.attempted.iter().any(|n| n.eq_ignore_ascii_case(&name));
        let (code, what) = match x.rcode.as_deref() {
            None => (FindingCode::DnsNoResponse, "got no answer".to_string()),
            Some("NXDOMAIN") => (
                FindingCode::DnsNxdomain,
                "was answered NXDOMAIN: the name does not exist".to_string(),
            ),
            Some("NOERROR") => continue, // no address of this type: not a failure by itself
            Some(r) => (FindingCode::DnsServfail, format!("failed with {r}")),
        };
        if seen.iter().any(|(n, c)| *n == name && *c == code) {
            continue;
        }
        seen.push((name.clone(), code));
        // Every failed exchange for this name and cause (A and AAAA, retries to
        // other servers) is evidence of the same finding.
        let same: Vec<&DnsExchange> = failures
            .iter()
            .filter(|y| {
                y.name.trim_end_matches('.').eq_ignore_ascii_case(&name)
                    && y.rcode.as_deref() == x.rcode.as_deref()
            })
            .collect();
        let known = ctx.profiles.profiles.iter().find(|p| p.matches_host(&name));
        // `host.corp.example` failing while `host` resolved or was reached:
        // the resolver tried the search list (resolv.conf `search`, `ndots`)
        // before the name as given.
        let searched = ctx.resolved.iter().chain(ctx.attempted).find(|short| {
            name.len() > short.len() + 1
                && name.starts_with(short.as_str())
                && name.as_bytes().get(short.len()) == Some(&b'.')
        });
        let (severity, consequence) = if let Some(short) = searched {
            (
                Severity::Info,
                format!(
                    " This is {short} with a search domain appended (the resolver's search list, e.g. resolv.conf `search` with `ndots`); {short} itself resolved or was reached, so failing here is normal."
                ),
            )
        } else if later_ok || connected {
            (
                Severity::Info,
                " The name resolved in another exchange or a connection to it was made, so this lookup was not what failed.".to_string(),
            )
        } else if is_background_lookup(&name) {
            (
                Severity::Info,
                " This is a background discovery lookup (WPAD/ISATAP/service discovery); failing is its normal answer when nothing is published.".to_string(),
            )
        } else if known.is_some() || !ctx.any_success {
            (
                Severity::Error,
                format!(
                    " No connection to {name} follows in the capture: the client could not even try (\"Couldn't resolve host\")."
                ),
            )
        } else {
            (
                Severity::Warning,
                format!(
                    " No connection to {name} follows; other connections in the capture worked, so check whether this name matters."
                ),
            )
        };
        let service = known
            .map(|p| format!(" ({}, profile '{}')", p.description, p.name))
            .unwrap_or_default();
        let server = match x.server.ip {
            IpAddr::V6(v6) => format!("[{v6}]:{}", x.server.port),
            IpAddr::V4(v4) => format!("{v4}:{}", x.server.port),
        };
        let waited = match (x.query_time, ctx.last_time) {
            (Some(q), Some(end)) if x.rcode.is_none() => {
                format!(" within {:.1} s", end.seconds_since(q))
            }
            _ => String::new(),
        };
        let retries = if x.retransmissions > 0 {
            format!(" (query sent {} times)", x.retransmissions + 1)
        } else {
            String::new()
        };
        let (title, remedy) = match code {
            FindingCode::DnsNxdomain => (
                format!("DNS: {name} does not exist"),
                format!(
                    "Check the spelling of {name}, the DNS servers configured on the device, and any DNS filtering (sinkhole) on the path."
                ),
            ),
            FindingCode::DnsNoResponse => (
                format!("DNS: no answer for {name}"),
                format!(
                    "Check that the DNS server {server} is reachable (UDP/TCP 53 through the firewall) and configured on the device."
                ),
            ),
            _ if x.rcode.as_deref() == Some("REFUSED") => (
                format!("DNS: lookup of {name} refused"),
                format!(
                    "The DNS server {server} refuses to answer this client: it does not offer recursion to it (access list, or not a resolver at all). Point the client at its configured resolver, or allow this client on {server}."
                ),
            ),
            _ => (
                format!("DNS: lookup of {name} failed"),
                format!(
                    "The DNS server {server} could not resolve the name: check its forwarders/upstream and its logs."
                ),
            ),
        };
        let mut evidence: Vec<FrameNo> = same
            .iter()
            .flat_map(|y| {
                y.query_frame
                    .into_iter()
                    .chain(y.retransmission_frames.iter().copied())
                    .chain(y.response_frame)
            })
            .collect();
        if evidence.is_empty() {
            continue;
        }
        evidence.sort_unstable();
        evidence.dedup();
        let mut types: Vec<&str> = Vec::new();
        for t in same.iter().map(|y| y.qtype.as_str()) {
            if !types.contains(&t) {
                types.push(t);
            }
        }
        let queries = if same.len() > 1 {
            format!(" ({} queries: {})", same.len(), types.join(", "))
        } else {
            String::new()
        };
        out.push(Finding {
            code,
            severity,
            connection: None,
            dns: Some(x.id),
            title,
            detail: format!(
                "The {} query for {name}{service}{retries}{queries} to {server} {what}{waited}.{consequence}",
                x.qtype
            ),
            evidence,
            remedy: Some(remedy),
        });
    }
    out
}
