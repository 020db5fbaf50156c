//! Below TLS: refused and unanswered connections.

use super::{Context, finding, fmt_ip};
use crate::capture::FrameNo;
use crate::connection::Connection;
use crate::diagnose::{Finding, FindingCode, Severity};
use crate::flow::tcp::TcpOutcome;

/// Seconds after which every common stack retransmits an unanswered SYN
/// (Linux 1 s, Windows 3 s).
const SYN_RETRY_SECONDS: f64 = 3.0;

/// TCP set-up failures. Returns true when the connection never got further.
pub(super) fn tcp(conn: &Connection, ctx: &Context<'_>, out: &mut Vec<Finding>) -> bool {
    let t = &conn.tcp;
    // Formatted only when a finding needs it.
    let dest = super::LazyText::new(|| match ctx.names.get(&conn.server.ip) {
        Some(name) => format!("{name} ({}:{})", fmt_ip(conn.server.ip), conn.server.port),
        None => format!("{}:{}", fmt_ip(conn.server.ip), conn.server.port),
    });
    match t.outcome {
        TcpOutcome::Refused => {
            let rst = t.rst.map(|r| r.frame);
            let mut evidence: Vec<FrameNo> = t.syn_frame.into_iter().chain(rst).collect();
            if evidence.is_empty() {
                evidence.push(conn.first_frame);
            }
            out.push(finding(
                FindingCode::TcpRefused,
                Severity::Error,
                conn,
                format!("Connection refused by {dest}"),
                format!(
                    "The SYN to {dest} was answered with a RST{}: nothing listens on port {} there, or a firewall rejects the connection. This is what clients log as \"[Errno 111] Connection refused\".",
                    rst.map(|f| format!(" (frame {})", f.0)).unwrap_or_default(),
                    conn.server.port
                ),
                evidence,
                Some(format!(
                    "Check that the service listens on {dest} (port and address), and that no firewall on the path rejects port {}.",
                    conn.server.port
                )),
            ));
            true
        }
        TcpOutcome::Unanswered => {
            let tries = t.syn_retransmits + 1;
            let waited = t.syn_duration.unwrap_or(0.0);
            // One SYN and the capture stops before any stack would have
            // retransmitted it (Linux after 1 s, Windows after 3 s): nothing
            // says it would not have been answered.
            let syn_at = conn
                .timeline
                .iter()
                .find(|e| e.what.starts_with("SYN"))
                .map_or(conn.start, |e| e.ts);
            if let Some(end) = conn.open_at_capture_end {
                let left = end.seconds_since(syn_at);
                if t.syn_retransmits == 0 && left < SYN_RETRY_SECONDS {
                    out.push(finding(
                        FindingCode::TcpUnanswered,
                        Severity::Info,
                        conn,
                        format!("The capture ends {left:.3} s after the SYN to {dest}: too soon to tell"),
                        format!(
                            "The client sent a SYN to {dest} (frame {}) and the capture stops {left:.3} s later, before an answer or a retransmission could be expected: whether the connection would have worked is not in the capture.",
                            t.syn_frame.unwrap_or(conn.first_frame).0
                        ),
                        t.syn_frame.into_iter().collect(),
                        Some("Capture for longer (until the client gives up or succeeds).".into()),
                    ));
                    return true;
                }
            }
            let mut evidence: Vec<FrameNo> = t.syn_frame.into_iter().collect();
            if let Some(last) = conn
                .timeline
                .iter()
                .rev()
                .find(|e| e.what.starts_with("SYN"))
            {
                evidence.push(last.frame);
            }
            if evidence.is_empty() {
                evidence.push(conn.first_frame);
            }
            let port_note = if conn.server.port == 8989 {
                " Port 8989/tcp is the Cisco cloud connector's port; it is often missing from firewall rules."
            } else {
                ""
            };
            out.push(finding(
                FindingCode::TcpUnanswered,
                Severity::Error,
                conn,
                match tries {
                    1 => format!("No answer from {dest}: SYN sent once"),
                    n => format!("No answer from {dest}: SYN sent {n} times"),
                },
                format!(
                    "The client sent {tries} SYN{} to {dest} over {waited:.1} s ({} retransmission{}) and never got a SYN-ACK or RST: packets are dropped on the way (firewall, routing) or the host is down. Clients log this as \"[Errno 110] Connection timed out\".{port_note}",
                    if tries == 1 { "" } else { "s" },
                    t.syn_retransmits,
                    if t.syn_retransmits == 1 { "" } else { "s" },
                ),
                evidence,
                Some(format!(
                    "Open the path to {dest} (firewall rules for TCP port {}), or configure the proxy the network requires.",
                    conn.server.port
                )),
            ));
            true
        }
        _ => false,
    }
}
