//! Plaintext HTTP errors and TAXII status messages (field case 2).

use super::finding;
use super::proxy::proxy_error_cause;
use crate::capture::FrameNo;
use crate::connection::Connection;
use crate::diagnose::profiles::ProfileSet;
use crate::diagnose::{Finding, FindingCode, Severity};

/// Plaintext HTTP errors, with the TAXII hints of field case 2.
pub(super) fn http(conn: &Connection, profiles: &ProfileSet, out: &mut Vec<Finding>) {
    for (i, x) in conn.http.iter().enumerate() {
        let Some(status) = x.status else { continue };
        // 401/407 answered by a retry with credentials that worked (Basic,
        // and every NTLM/Negotiate exchange starts so): HTTP authentication
        // doing its job, not a failure.
        let authenticated_later = matches!(status, 401 | 407)
            && conn.http.iter().skip(i + 1).any(|y| {
                y.path == x.path && y.method == x.method && y.status.is_some_and(|s| s < 400)
            });
        if authenticated_later {
            continue;
        }
        let server = format!("{}:{}", conn.server.ip, conn.server.port);
        let host = x.host.as_deref().unwrap_or(&server);
        // A response whose request the capture does not hold (it started
        // mid-connection): say so rather than print placeholders.
        let (method, path) = match (x.method.as_deref(), x.path.as_deref()) {
            (Some(m), Some(p)) => (m, p),
            _ => ("a request", "the capture does not show"),
        };
        let request_seen = x.method.is_some() && x.path.is_some();
        let profile = profiles.for_host(
            x.host.as_deref().map(|h| h.split(':').next().unwrap_or(h)),
            conn.server.port,
        );
        let poll = profile
            .and_then(|p| p.http_paths.iter().find(|p| p.contains("poll")))
            .cloned();
        let mut evidence: Vec<FrameNo> = x
            .request_frame
            .into_iter()
            .chain(x.response_frame)
            .collect();
        if evidence.is_empty() {
            evidence.push(conn.first_frame);
        }
        // A forward proxy that names its own error (Squid's X-Squid-Error)
        // answered for the server: its cause, not the status's usual one.
        let from_proxy = x
            .proxy_error
            .as_deref()
            .filter(|_| status >= 400 && status != 407)
            .map(|code| match proxy_error_cause(code, host) {
                Some(c) => (
                    c.title.map(|t| format!("{t} (HTTP {status})")),
                    c.cause,
                    c.remedy,
                ),
                None => (
                    None,
                    format!("the proxy's own error code is {code}."),
                    "Look at the proxy's log for this request.".to_string(),
                ),
            })
            .or_else(|| {
                // Without an error code, a 5xx to an absolute URL (the client
                // speaks to a forward proxy) is most often the proxy's own.
                let absolute_form = x
                    .path
                    .as_deref()
                    .and_then(|p| p.get(..7))
                    .is_some_and(|s| s.eq_ignore_ascii_case("http://"));
                (absolute_form && (500..=504).contains(&status)).then(|| (
                    None,
                    format!(
                        "a 5xx through a forward proxy is most often the proxy's own: it could not reach {host} (the name does not resolve on the proxy, a firewall drops the connection, or the server is down)."
                    ),
                    format!(
                        "From the proxy, check that {host} resolves and is reachable; the proxy's log names the error."
                    ),
                ))
            });
        if status >= 400 {
            let from_proxy_said = from_proxy.is_some();
            let who = if from_proxy_said {
                format!("The forward proxy {server}")
            } else {
                "The server".to_string()
            };
            let (title, cause, remedy) = if let Some(p) = from_proxy {
                p
            } else if request_seen {
                let (cause, remedy) = http_hint(
                    status,
                    path,
                    poll.as_deref(),
                    (
                        x.www_authenticate.as_deref(),
                        x.proxy_authenticate.as_deref(),
                    ),
                    x.request_authorization,
                );
                (None, cause, remedy)
            } else {
                (
                    None,
                    "The request itself is not in the capture, so its path and method cannot be checked.".into(),
                    "Capture from before the connection opens to see what the client asked for.".into(),
                )
            };
            let request = match x.request_frame {
                Some(f) => format!("(Host {host}, frame {})", f.0),
                None => format!("(Host {host})"),
            };
            let response = x
                .response_frame
                .map(|f| format!(" (frame {})", f.0))
                .unwrap_or_default();
            out.push(finding(
                FindingCode::HttpError,
                Severity::Error,
                conn,
                title.unwrap_or_else(|| format!("HTTP {status} for {method} {path} on {host}")),
                format!(
                    "{who} answered {method} {path} {request} with {status} {}{response}{} {cause}",
                    x.reason.as_deref().unwrap_or(""),
                    if from_proxy_said { ":" } else { "." },
                ),
                evidence.clone(),
                Some(remedy),
            ));
        }
        if let Some(cut) = x.body_cut {
            out.push(body_cut(
                conn, x, cut, &evidence, status, host, method, path,
            ));
        }
        if let Some(st) = x
            .taxii_status
            .as_deref()
            .filter(|s| !s.eq_ignore_ascii_case("SUCCESS"))
        {
            let cause = if st.eq_ignore_ascii_case("NOT_FOUND") {
                "the requested collection does not exist on the server any more (expired or renamed)"
            } else if st.eq_ignore_ascii_case("UNAUTHORIZED") {
                "the credentials are not allowed to poll this collection"
            } else {
                "the feed server refused the poll"
            };
            let msg = x
                .taxii_message
                .as_deref()
                .map(|m| format!(" Its message: \"{m}\"."))
                .unwrap_or_default();
            let mut ev = evidence.clone();
            ev.extend(x.body_frame);
            out.push(finding(
                FindingCode::TaxiiStatus,
                Severity::Error,
                conn,
                format!("TAXII feed {host} answered {st}"),
                format!(
                    "HTTP {status} for {method} {path}, but the TAXII Status_Message{} has status_type {st}: {cause}.{msg}",
                    x.body_frame
                        .or(x.response_frame)
                        .map(|f| format!(" (frame {})", f.0))
                        .unwrap_or_default()
                ),
                ev,
                Some(if st.eq_ignore_ascii_case("NOT_FOUND") {
                    "Check the collection name (e.g. user_AlienVault for OTX) and contact the feed provider if it expired.".to_string()
                } else {
                    "Check the feed's collection name and credentials with the provider.".to_string()
                }),
            ));
        }
    }
}

fn http_hint(
    status: u16,
    path: &str,
    poll: Option<&str>,
    (www_auth, proxy_auth): (Option<&str>, Option<&str>),
    sent_credentials: bool,
) -> (String, String) {
    let poll_hint = poll
        .map(|p| format!(" (for this feed: {p})"))
        .unwrap_or_default();
    match status {
        400 if path.contains("discovery") => (
            "The path points at the TAXII discovery service, which does not accept poll requests."
                .into(),
            format!("Configure the poll service path instead of the discovery path{poll_hint}."),
        ),
        400 => (
            "The server could not understand the request.".into(),
            "Check the request path and body the client sends.".into(),
        ),
        401 => (
            format!(
                "Credentials are {}{}.",
                if sent_credentials { "wrong" } else { "missing" },
                www_auth
                    .map(|a| format!("; the server asks for {}", super::auth_schemes(a)))
                    .unwrap_or_default()
            ),
            "Fix the feed's username/password (or API key) in the client's settings.".into(),
        ),
        407 => (
            format!(
                "The request went through a forward proxy that requires authentication{}{}.",
                proxy_auth
                    .map(|a| format!(" ({})", super::auth_schemes(a)))
                    .unwrap_or_default(),
                if sent_credentials {
                    "; the credentials sent were rejected"
                } else {
                    "; the request carried no Proxy-Authorization"
                }
            ),
            "Configure the proxy credentials on the client (or exempt this client or destination from proxy authentication).".into(),
        ),
        403 => (
            "The server refuses this client or path.".into(),
            "Check the account's permissions for this resource.".into(),
        ),
        404 => (
            "Wrong poll path or collection name.".into(),
            format!("Fix the poll path and collection name{poll_hint}."),
        ),
        405 if !path.ends_with('/') => (
            format!(
                "The path {path} lacks its trailing slash: the server only accepts POST on {path}/."
            ),
            format!("Add the trailing slash: {path}/{poll_hint}."),
        ),
        405 => (
            "The method is not allowed on this path.".into(),
            format!("Use the poll service path{poll_hint}."),
        ),
        503 => (
            "The feed server is overloaded or down.".into(),
            "Retry later; if it persists, contact the feed provider.".into(),
        ),
        s if s >= 500 => (
            "The server failed to handle the request.".into(),
            "Retry later; check the server's status with its provider.".into(),
        ),
        _ => (
            "The request was refused.".into(),
            "Check the request against the service's documentation.".into(),
        ),
    }
}

/// The connection ended inside a response body.
#[allow(clippy::too_many_arguments)]
fn body_cut(
    conn: &Connection,
    x: &crate::session::http::HttpExchange,
    cut: crate::session::http::BodyCut,
    evidence: &[FrameNo],
    status: u16,
    host: &str,
    method: &str,
    path: &str,
) -> Finding {
    let how = match cut.declared {
        Some(n) => format!(
            "after {} of the {n} bytes its Content-Length announced",
            cut.received
        ),
        None => format!(
            "after {} bytes of a chunked body, without its last chunk",
            cut.received
        ),
    };
    let ended = conn.tcp.rst.or(conn.tcp.fin);
    let end = match ended {
        Some(e) => format!(
            "; then the {} ended the connection ({} in frame {})",
            e.from,
            if conn.tcp.rst.is_some() { "RST" } else { "FIN" },
            e.frame.0
        ),
        None => " before the capture ended".into(),
    };
    let taxii = x.may_be_taxii();
    let mut ev = evidence.to_vec();
    ev.push(cut.last_frame);
    ev.extend(ended.map(|e| e.frame));
    finding(
        FindingCode::HttpBodyCut,
        Severity::Error,
        conn,
        format!("Response to {method} {path} on {host} was cut off"),
        format!(
            "The server answered {status}{} but its body stopped {how} (last in frame {}){end}. The client holds an incomplete document{}",
            x.response_frame
                .map(|f| format!(" (frame {})", f.0))
                .unwrap_or_default(),
            cut.last_frame.0,
            if taxii {
                ": TAXII clients log \"XML Parsing Error: no element found (line 0)\". A poll whose time span holds too much data makes the feed server give up mid-response."
            } else {
                "."
            }
        ),
        ev,
        Some(if taxii {
            "Shorten the feed's \"Time Span of Poll Segment\" (to 3-4 days) so each poll response is smaller; if it persists, contact the feed provider.".to_string()
        } else {
            format!(
                "Check why {host} stops sending mid-response (server timeouts, a proxy or firewall cutting long transfers)."
            )
        }),
    )
}
