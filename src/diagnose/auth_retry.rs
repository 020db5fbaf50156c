//! Proxy authentication across connections.
//!
//! A proxy that closes the connection after its 407 (tinyproxy does; so does
//! any proxy that sends `Connection: close`) makes the client ask again, with
//! credentials, on a new connection — curl `--proxy-anyauth`, browsers and
//! Windows' WinHTTP all do. The first connection's 407 is then the
//! authentication handshake at work, not why anything failed. Whether a 407
//! was answered so is known only when a later connection arrives, so a
//! connection refused with 407 is held back (a few, for a bounded capture
//! time) until then.

use std::collections::VecDeque;

use crate::connection::Connection;
use crate::diagnose::{Finding, FindingCode, Severity};

/// Connections held at most, waiting for a retry.
const MAX_HELD: usize = 32;
/// Capture time a 407 waits for the client's retry (clients retry at once).
const RETRY_WINDOW_NANOS: i64 = 30_000_000_000;

/// A connection and the findings about it, in output order.
pub type Released = (Box<Connection>, Vec<Finding>);

/// Connections refused with 407, waiting to see whether the client retried.
#[derive(Debug, Default)]
pub struct AuthRetries {
    held: VecDeque<Released>,
}

impl AuthRetries {
    /// Takes a final connection and its findings; gives `out`, in order,
    /// what can be output now (held connections first).
    pub fn push(
        &mut self,
        conn: Box<Connection>,
        findings: Vec<Finding>,
        out: &mut dyn FnMut(Released),
    ) {
        if !self.held.is_empty() {
            let now = conn.start.as_nanos();
            // Held 407s this connection answers, and those waited long enough.
            let mut kept = VecDeque::with_capacity(self.held.len());
            for (held, mut held_findings) in self.held.drain(..) {
                if retried_by(&held, &conn) {
                    settle(&held, &mut held_findings, &conn);
                    out((held, held_findings));
                } else if held.end.as_nanos().saturating_add(RETRY_WINDOW_NANOS) < now {
                    out((held, held_findings));
                } else {
                    kept.push_back((held, held_findings));
                }
            }
            self.held = kept;
        }
        if refused_407(&conn, &findings) {
            if self.held.len() >= MAX_HELD {
                if let Some(oldest) = self.held.pop_front() {
                    out(oldest);
                }
            }
            self.held.push_back((conn, findings));
        } else {
            out((conn, findings));
        }
    }

    /// The end of the capture: everything still held, as it is.
    pub fn finish(&mut self, out: &mut dyn FnMut(Released)) {
        for held in self.held.drain(..) {
            out(held);
        }
    }
}

/// Whether `conn` ended refused with 407 (an error finding says so).
fn refused_407(conn: &Connection, findings: &[Finding]) -> bool {
    conn.proxy.as_ref().is_some_and(|p| p.status == Some(407))
        && findings
            .iter()
            .any(|f| f.code == FindingCode::ProxyAuthRequired && f.severity == Severity::Error)
}

/// Whether `later` asks the same proxy, from the same client, for the same
/// tunnel, and got an answer other than 407.
fn retried_by(held: &Connection, later: &Connection) -> bool {
    let (Some(a), Some(b)) = (&held.proxy, &later.proxy) else {
        return false;
    };
    held.client.ip == later.client.ip
        && held.server == later.server
        && a.host.eq_ignore_ascii_case(&b.host)
        && a.port == b.port
        && b.status.is_some_and(|s| s != 407)
        && later.id != held.id
}

/// Turns the held connection's 407 error into the information that the
/// client authenticated on `later`.
fn settle(held: &Connection, findings: &mut [Finding], later: &Connection) {
    let Some(retry) = &later.proxy else { return };
    let status = retry.status.unwrap_or_default();
    let closed = match held.tcp.fin.as_ref().or(held.tcp.rst.as_ref()) {
        Some(end) if end.from == "server" => "The proxy closed this connection after its 407",
        Some(_) => "The client closed this connection after the 407",
        None => "This connection went no further after the 407",
    };
    let with = if retry.proxy_authorization {
        "with Proxy-Authorization"
    } else {
        "without credentials"
    };
    for f in findings
        .iter_mut()
        .filter(|f| f.code == FindingCode::ProxyAuthRequired && f.severity == Severity::Error)
    {
        f.severity = Severity::Info;
        f.title = format!(
            "Proxy asked for authentication; the client authenticated on connection {}",
            later.id
        );
        f.detail = format!(
            "{} {closed}, and the client asked again {with} on connection {} (frame {}), which the proxy answered {status}: authentication at work, not a failure.",
            f.detail, later.id, retry.request_frame.0
        );
        f.evidence.push(retry.request_frame);
        f.evidence.extend(retry.response_frame);
        f.remedy = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Options;

    fn fixture() -> Vec<Connection> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("captures/proxy-auth-new-connection.pcapng");
        crate::analyze_path(&path, &Options::default())
            .map(|a| a.connections)
            .unwrap_or_default()
    }

    fn auth_error(conn: &Connection) -> Finding {
        Finding {
            code: FindingCode::ProxyAuthRequired,
            severity: Severity::Error,
            connection: Some(conn.id),
            dns: None,
            title: "Proxy requires authentication".into(),
            detail: "407.".into(),
            evidence: vec![conn.first_frame],
            remedy: Some("credentials".into()),
        }
    }

    /// The real retry (tinyproxy closes after its 407, curl asks again on a
    /// new connection) settles the 407; a retry refused with 407 again
    /// leaves both errors, released in order once the window has passed or
    /// the capture ends.
    #[test]
    fn a_retry_settles_the_407_only_when_the_proxy_accepts_it() {
        let conns = fixture();
        let [first, second] = conns.as_slice() else {
            panic!("two connections expected: {conns:?}");
        };
        let mut auth = AuthRetries::default();
        let mut out = Vec::new();
        auth.push(Box::new(first.clone()), vec![auth_error(first)], &mut |r| {
            out.push(r)
        });
        assert!(out.is_empty());
        auth.push(Box::new(second.clone()), Vec::new(), &mut |r| out.push(r));
        let ids: Vec<u32> = out.iter().map(|(c, _)| c.id).collect();
        assert_eq!(ids, [first.id, second.id]);
        let settled = out.first().and_then(|(_, f)| f.first());
        assert_eq!(settled.map(|f| f.severity), Some(Severity::Info));
        assert!(settled.is_some_and(|f| f.detail.contains("The proxy closed this connection")));

        let mut refused_again = second.clone();
        if let Some(p) = refused_again.proxy.as_mut() {
            p.status = Some(407);
        }
        let mut auth = AuthRetries::default();
        let mut out = Vec::new();
        auth.push(Box::new(first.clone()), vec![auth_error(first)], &mut |r| {
            out.push(r)
        });
        let again = auth_error(&refused_again);
        auth.push(Box::new(refused_again), vec![again], &mut |r| out.push(r));
        assert!(out.is_empty());
        auth.finish(&mut |r| out.push(r));
        assert_eq!(out.len(), 2);
        assert!(
            out.iter()
                .all(|(_, f)| f.iter().all(|f| f.severity == Severity::Error))
        );
    }
}
