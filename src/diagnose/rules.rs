//! The rules: one connection record (or the capture's DNS) → findings.
//!
//! Each rule names a cause an engineer would name after an hour in Wireshark,
//! with the frames that prove it and the fix. Rules run from the bottom of the
//! stack up (TCP, proxy, TLS, HTTP); a connection that failed below TLS gets no
//! TLS finding, because the lower failure is the explanation.

use std::net::IpAddr;

use crate::capture::{FrameNo, Timestamp};
use crate::connection::{Connection, TlsOutcome};
use crate::diagnose::ciphers::{self, Obstacle, label};
use crate::diagnose::profiles::{ProfileSet, ServerProfile};
use crate::diagnose::{Finding, FindingCode, Severity};
use crate::flow::tcp::TcpOutcome;
use crate::session::dns::DnsExchange;
use crate::tls::codepoints::ProtocolVersion;

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

/// Findings for one connection.
pub fn connection(conn: &Connection, ctx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    if tcp(conn, ctx, &mut out) {
        return out;
    }
    if proxy(conn, &mut out) {
        return out;
    }
    let profile = ctx
        .profiles
        .for_host(ctx.name_of(conn), conn.service_port());
    tls(conn, profile, &mut out);
    http(conn, ctx.profiles, &mut out);
    out
}

/// TCP set-up failures. Returns true when the connection never got further.
fn tcp(conn: &Connection, ctx: &Context<'_>, out: &mut Vec<Finding>) -> bool {
    let t = &conn.tcp;
    let dest = match ctx.names.get(&conn.server.ip) {
        Some(name) => format!("{name} ({}:{})", fmt_ip(conn.server.ip), conn.server.port),
        None => format!("{}:{}", fmt_ip(conn.server.ip), conn.server.port),
    };
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
                format!("No answer from {dest}: SYN sent {tries} times"),
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

/// CONNECT refusals. Returns true when the tunnel was refused.
fn proxy(conn: &Connection, out: &mut Vec<Finding>) -> bool {
    let Some(p) = &conn.proxy else { return false };
    let proxy_at = format!("{}:{}", fmt_ip(conn.server.ip), conn.server.port);
    let wanted = format!(
        "{}:{}",
        p.host,
        p.port.map_or("?".to_string(), |x| x.to_string())
    );
    let evidence: Vec<FrameNo> = std::iter::once(p.request_frame)
        .chain(p.response_frame)
        .collect();
    let Some(status) = p.status else {
        if conn.tls.is_none() {
            out.push(finding(
                FindingCode::ServerSilent,
                Severity::Error,
                conn,
                format!("The proxy {proxy_at} never answered CONNECT {wanted}"),
                format!(
                    "The client asked the proxy {proxy_at} to open a tunnel to {wanted} (frame {}) and got no answer in {:.1} s.",
                    p.request_frame.0, conn.duration
                ),
                evidence,
                Some("Check that the proxy is up and can reach the target; look at its logs for this CONNECT.".into()),
            ));
            return true;
        }
        return false;
    };
    if (200..300).contains(&status) {
        return false;
    }
    let reason = p.reason.clone().unwrap_or_default();
    let (code, title, why, remedy) = match status {
        407 => {
            let scheme = p
                .proxy_authenticate
                .as_deref()
                .and_then(|v| v.split_whitespace().next())
                .unwrap_or("an unknown scheme");
            let sent = if p.proxy_authorization {
                "The request carried Proxy-Authorization, so the credentials were rejected."
            } else {
                "The request carried no Proxy-Authorization header."
            };
            (
                FindingCode::ProxyAuthRequired,
                format!("Proxy requires authentication for CONNECT {wanted}"),
                format!(
                    "The proxy {proxy_at} answered 407 {reason} and asks for {scheme} authentication. {sent}"
                ),
                format!(
                    "Configure the proxy credentials ({scheme}) on the client, or exempt this client or destination from proxy authentication."
                ),
            )
        }
        502..=504 | 500 => (
            FindingCode::ProxyUpstreamFailed,
            format!("Proxy could not reach {wanted} ({status})"),
            format!(
                "The proxy {proxy_at} accepted the request but answered {status} {reason}: it could not open a connection to {wanted} (name resolution, firewall or routing on the proxy's side, or the server is down)."
            ),
            format!(
                "Check from the proxy that {wanted} resolves and is reachable; look at the proxy's log for this request."
            ),
        ),
        _ => (
            FindingCode::ProxyDenied,
            format!("Proxy refused CONNECT {wanted} ({status})"),
            format!(
                "The proxy {proxy_at} answered {status} {reason}: its policy does not allow a tunnel to {wanted} (destination or port not allowed, e.g. a ConnectPort or ACL rule)."
            ),
            format!(
                "Allow CONNECT to {wanted} in the proxy's policy (destination host and port {})",
                p.port.unwrap_or(443)
            ),
        ),
    };
    let attempts = if p.attempts > 1 {
        format!(" ({} CONNECT attempts on this connection)", p.attempts)
    } else {
        String::new()
    };
    out.push(finding(
        code,
        Severity::Error,
        conn,
        title,
        format!("{why}{attempts}"),
        evidence,
        Some(remedy),
    ));
    true
}

/// TLS findings.
fn tls(conn: &Connection, profile: Option<&ServerProfile>, out: &mut Vec<Finding>) {
    let Some(tls) = &conn.tls else { return };
    let ch = tls.client_hello.as_ref();
    let ch_frame = ch.map(|c| c.frame);
    let sh = tls.server_hello.as_ref();
    let server_alert = tls
        .alerts
        .iter()
        .find(|a| a.from == "server" && a.level == Some("fatal"));
    let client_alert = tls
        .alerts
        .iter()
        .find(|a| a.from == "client" && a.level == Some("fatal"));
    let dest = target(conn);
    let via = via_proxy(conn);
    let profile_note = profile
        .map(|p| format!(" (profile '{}')", p.name))
        .unwrap_or_default();

    if let Some(nt) = &tls.not_tls {
        if nt.from == "server" && sh.is_none() {
            out.push(finding(
                FindingCode::NotTls,
                Severity::Error,
                conn,
                format!("{dest} does not speak TLS"),
                format!(
                    "The client sent a ClientHello{} and the server answered with something that is not TLS (frame {}: \"{}\"): the port serves another protocol, typically plain HTTP.",
                    ch_frame.map(|f| format!(" (frame {})", f.0)).unwrap_or_default(),
                    nt.frame.0,
                    nt.sample
                ),
                ch_frame.into_iter().chain([nt.frame]).collect(),
                Some(format!("Use the TLS port of the service, or http:// if {dest} is meant to be plaintext.")),
            ));
            return;
        }
    }

    // A server that rejects the hello outright.
    if let Some(alert) = server_alert {
        let before_sh = sh.is_none_or(|s| alert.frame < s.frame);
        let desc = alert.description.unwrap_or(0);
        let name = alert.name.unwrap_or("unknown");
        let evidence: Vec<FrameNo> = ch_frame.into_iter().chain([alert.frame]).collect();
        if before_sh {
            if desc == 70 {
                out.push(version_finding(
                    conn,
                    ch,
                    profile,
                    alert.frame,
                    "server",
                    &dest,
                ));
                return;
            }
            if let (Some(ch), Some(p)) = (ch, profile.filter(|p| !p.accepted_suites.is_empty())) {
                let cmp = ciphers::compare(ch, &p.accepted_suites, p.certificate_key());
                if cmp.common.is_empty() && matches!(desc, 40 | 71 | 47) {
                    out.push(no_shared_cipher(
                        conn,
                        ch,
                        p,
                        &cmp,
                        alert.frame,
                        desc,
                        name,
                        &dest,
                        &via,
                    ));
                    return;
                }
            }
            let unusual = ch.map(ciphers::unusual_offer).unwrap_or_default();
            let hint = match desc {
                112 => " The server does not know the name in SNI: it serves other host names.".to_string(),
                40 | 71 if !unusual.is_empty() => format!(
                    " Nothing in the capture says which of its settings failed, but the offer is unusual: {}.",
                    unusual.join("; ")
                ),
                40 => " handshake_failure usually means no cipher suite, group or signature algorithm in common.".to_string(),
                _ => String::new(),
            };
            let offer = ch
                .map(|c| {
                    format!(
                        " The ClientHello (frame {}) offered {} suites, {}.",
                        c.frame.0,
                        c.cipher_suites.as_ref().map_or(0, Vec::len),
                        c.max_version()
                            .map(ProtocolVersion::name)
                            .unwrap_or_else(|| "an unknown version".into())
                    )
                })
                .unwrap_or_default();
            out.push(finding(
                FindingCode::HandshakeRejected,
                Severity::Error,
                conn,
                format!("{dest} rejected the ClientHello: fatal {name} ({desc})"),
                format!("The server{via}{profile_note} answered the ClientHello with a fatal {name} alert (frame {}).{offer}{hint}", alert.frame.0),
                evidence,
                Some(if matches!(desc, 40 | 71) {
                    format!("Compare the client's suites, versions and groups with what {dest} accepts (run `tlsdiag diff` against a working capture, or `--accept` with the server's list), and enable a suite the server accepts.")
                } else {
                    format!("See why {dest} rejects the hello (its logs); alert {desc} is {name}.")
                }),
            ));
            return;
        }
        // Rejected later in the handshake.
        let cert_req = conn
            .timeline
            .iter()
            .any(|e| !e.from_client && e.what == "CertificateRequest");
        let extra = if cert_req {
            " The server had asked for a client certificate (CertificateRequest): it rejected the one sent, or that none was sent."
        } else {
            ""
        };
        out.push(finding(
            FindingCode::HandshakeRejected,
            Severity::Error,
            conn,
            format!("{dest} aborted the handshake: fatal {name} ({desc})"),
            format!(
                "After its ServerHello the server sent a fatal {name} alert (frame {}).{extra}",
                alert.frame.0
            ),
            sh.map(|s| s.frame).into_iter().chain(evidence).collect(),
            Some(if cert_req {
                "Install the client certificate the server expects (and its key) on the client."
                    .to_string()
            } else {
                format!("Check the server's logs for why it aborted with {name}.")
            }),
        ));
        return;
    }

    // The client refusing the server.
    if let Some(alert) = client_alert {
        let desc = alert.description.unwrap_or(0);
        let name = alert.name.unwrap_or("unknown");
        let cert_frames: Vec<FrameNo> = tls.certificates.iter().map(|c| c.frame).take(1).collect();
        let evidence: Vec<FrameNo> = sh
            .map(|s| s.frame)
            .into_iter()
            .chain(cert_frames)
            .chain([alert.frame])
            .collect();
        match desc {
            42 | 43 | 46 | 48 => {
                if let Some(f) = interception(conn, profile, alert.frame, Severity::Error) {
                    out.push(f);
                    return;
                }
                out.push(cert_untrusted(
                    conn,
                    name,
                    desc,
                    alert.frame,
                    evidence,
                    &dest,
                ));
                return;
            }
            45 => {
                out.push(cert_expired(
                    conn,
                    Some((name, alert.frame)),
                    Severity::Error,
                    &dest,
                ));
                return;
            }
            70 => {
                out.push(version_finding(
                    conn,
                    ch,
                    profile,
                    alert.frame,
                    "client",
                    &dest,
                ));
                return;
            }
            _ => {
                out.push(finding(
                    FindingCode::ClientAbort,
                    Severity::Error,
                    conn,
                    format!("The client aborted the handshake with {dest}: fatal {name} ({desc})"),
                    format!("The client sent a fatal {name} alert (frame {}) in answer to the server's handshake messages.", alert.frame.0),
                    evidence,
                    Some(format!("Check the client's log around this time for why it sent {name}.")),
                ));
                return;
            }
        }
    }

    match tls.outcome {
        TlsOutcome::NoResponse => {
            let Some(ch) = ch else { return };
            let waited = conn.end.seconds_since(
                conn.timeline
                    .iter()
                    .find(|e| e.frame == ch.frame)
                    .map_or(conn.start, |e| e.ts),
            );
            let how_ended = match (conn.tcp.rst, conn.tcp.fin) {
                (Some(r), _) => format!(
                    ", then the {} reset the connection (frame {})",
                    r.from, r.frame.0
                ),
                (None, Some(f)) => format!(", then the {} closed it (frame {})", f.from, f.frame.0),
                _ => " before the capture ended".to_string(),
            };
            let end_frame = conn
                .tcp
                .rst
                .or(conn.tcp.fin)
                .map(|e| e.frame)
                .unwrap_or(conn.last_frame);
            out.push(finding(
                FindingCode::ServerSilent,
                Severity::Error,
                conn,
                format!("{dest} never answered the ClientHello"),
                format!(
                    "The client sent its ClientHello{via} (frame {}) and waited {waited:.1} s without a single byte from the server{how_ended}. A middlebox that swallows TLS, or a server that does not speak TLS on this port and waits for a request, looks like this.",
                    ch.frame.0
                ),
                vec![ch.frame, end_frame],
                Some(format!("Check the path to {dest}{via} for a device that blocks or inspects TLS, and that the server speaks TLS on port {}.", conn.service_port())),
            ));
            return;
        }
        TlsOutcome::Reset => {
            let Some(rst) = conn.tcp.rst else { return };
            let after = conn
                .timeline
                .iter()
                .rev()
                .find(|e| e.frame < rst.frame && e.what != "RST")
                .map(|e| format!(" right after {} (frame {})", e.what, e.frame.0))
                .unwrap_or_default();
            let who = if rst.from == "server" {
                "The server (or a middlebox in front of it)"
            } else {
                "The client"
            };
            out.push(finding(
                FindingCode::ResetDuringHandshake,
                Severity::Error,
                conn,
                format!("Connection to {dest} reset during the TLS handshake"),
                format!("{who} sent a RST (frame {}){after}, before the handshake finished. A firewall or IPS that blocks on the SNI or the suites resets connections this way.", rst.frame.0),
                ch_frame.into_iter().chain([rst.frame]).collect(),
                Some(format!("Look for a firewall/IPS rule matching {dest} on the path; compare with a working client's ClientHello (`tlsdiag diff`).")),
            ));
            return;
        }
        _ => {}
    }

    // Handshakes that went through (or stopped without an alert): certificate
    // checks, profile expectations.
    let severity = if tls.outcome == TlsOutcome::Established {
        Severity::Warning
    } else {
        Severity::Error
    };
    if let Some(f) = interception(conn, profile, conn.last_frame, severity) {
        out.push(f);
    } else if expired_at_capture(conn).is_some() {
        out.push(cert_expired(conn, None, severity, &dest));
    }
    if let (Some(ch), Some(p)) = (ch, profile) {
        if !p.accepted_suites.is_empty() && tls.outcome != TlsOutcome::Established && sh.is_none() {
            let cmp = ciphers::compare(ch, &p.accepted_suites, p.certificate_key());
            if cmp.common.is_empty() {
                out.push(no_shared_cipher(
                    conn,
                    ch,
                    p,
                    &cmp,
                    conn.last_frame,
                    0,
                    "",
                    &dest,
                    &via,
                ));
            }
        }
    }
    if tls.outcome == TlsOutcome::Incomplete && sh.is_some() && tls.certificates.is_empty() {
        if let Some(fin) = conn.tcp.fin.filter(|f| f.from == "client") {
            out.push(finding(
                FindingCode::ClientAbort,
                Severity::Error,
                conn,
                format!("The client closed the connection to {dest} during the handshake"),
                format!(
                    "After the server's TLS 1.3 handshake flight the client closed the connection (FIN, frame {}) without a readable alert. In TLS 1.3 the certificate is encrypted and so is the client's alert: a failed certificate verification looks like this.",
                    fin.frame.0
                ),
                sh.map(|s| s.frame).into_iter().chain([fin.frame]).collect(),
                Some("Check the client's log for a certificate verification error; if the chain is from an inspecting proxy, import its CA on the client.".into()),
            ));
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn no_shared_cipher(
    conn: &Connection,
    ch: &crate::tls::client_hello::ClientHello,
    p: &ServerProfile,
    cmp: &ciphers::Comparison,
    alert_frame: FrameNo,
    desc: u8,
    name: &str,
    dest: &str,
    via: &str,
) -> Finding {
    let version = ch
        .max_version()
        .map(ProtocolVersion::name)
        .unwrap_or_default();
    let accepted: Vec<String> = p.accepted_suites.iter().map(|s| label(*s)).collect();
    let mut detail = format!(
        "The client offered {} suites ({version} ClientHello, frame {}); the server (profile '{}') accepts {}: {}. None overlap.",
        cmp.offered_real,
        ch.frame.0,
        p.name,
        p.accepted_suites.len(),
        accepted.join(", ")
    );
    if desc != 0 {
        detail.push_str(&format!(
            " The server answered with a fatal {name} alert ({desc}, frame {}).",
            alert_frame.0
        ));
    }
    detail.push_str(" Why none of the offered suites can be chosen:");
    for (obstacle, suites) in &cmp.obstacles {
        if *obstacle == Obstacle::Accepted {
            continue;
        }
        let list: Vec<String> = suites.iter().map(|s| s.to_string()).collect();
        detail.push_str(&format!(
            " {} × {} ({});",
            suites.len(),
            obstacle.explain(),
            list.join(" ")
        ));
    }
    if let Some((near, wanted)) = cmp.near_misses.first() {
        detail.push_str(&format!(
            " Near miss: {} has the right cipher but the wrong authentication/key exchange; the server would need {}.",
            label(*near),
            label(*wanted)
        ));
    }
    let missing_tls12: Vec<String> = cmp
        .missing
        .iter()
        .filter(|s| {
            s.info()
                .is_some_and(|i| i.kx != tls_parser::TlsCipherKx::Tls13)
        })
        .map(|s| s.name().unwrap_or("?").to_string())
        .collect();
    let missing_tls13: Vec<String> = cmp
        .missing
        .iter()
        .filter(|s| {
            s.info()
                .is_some_and(|i| i.kx == tls_parser::TlsCipherKx::Tls13)
        })
        .map(|s| s.name().unwrap_or("?").to_string())
        .collect();
    let windows = ciphers::looks_like_schannel(ch);
    if windows {
        detail.push_str(" The list looks like a Windows (SChannel) list trimmed by the group policy \"SSL Cipher Suite Order\": TLS 1.2 only, no ChaCha20, DSS suites kept, the ECDHE_RSA GCM suites removed.");
    }
    let mut remedy = format!(
        "Enable at least one suite the server accepts on the client: {}",
        missing_tls12.join(", ")
    );
    if !missing_tls13.is_empty() {
        remedy.push_str(&format!(" (or TLS 1.3 with {})", missing_tls13.join(", ")));
    }
    remedy.push('.');
    if windows {
        remedy.push_str(" On Windows: Computer Configuration → Administrative Templates → Network → SSL Configuration Settings → \"SSL Cipher Suite Order\": set it to Not Configured (or Disabled), or add those suites to its list; reboot, then retry. Check the result with PowerShell `Get-TlsCipherSuite | ft name` and `tlsdiag suites`.");
    }
    let mut evidence = vec![ch.frame];
    if desc != 0 {
        evidence.push(alert_frame);
    }
    finding(
        FindingCode::NoSharedCipher,
        Severity::Error,
        conn,
        format!("{dest} rejected the ClientHello{via}: no cipher suite in common"),
        detail,
        evidence,
        Some(remedy),
    )
}

fn version_finding(
    conn: &Connection,
    ch: Option<&crate::tls::client_hello::ClientHello>,
    profile: Option<&ServerProfile>,
    alert_frame: FrameNo,
    who: &str,
    dest: &str,
) -> Finding {
    let offered: Vec<String> = ch
        .map(|c| {
            c.offered_versions()
                .into_iter()
                .map(ProtocolVersion::name)
                .collect()
        })
        .unwrap_or_default();
    let server_versions = profile
        .filter(|p| !p.versions.is_empty())
        .map(|p| {
            format!(
                " The server (profile '{}') accepts {}.",
                p.name,
                p.versions
                    .iter()
                    .map(|v| v.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .unwrap_or_default();
    let chosen = conn
        .tls
        .as_ref()
        .and_then(|t| t.server_hello.as_ref())
        .and_then(|s| s.version)
        .map(|v| format!(" The server chose {}.", v.name()))
        .unwrap_or_default();
    finding(
        FindingCode::ProtocolVersion,
        Severity::Error,
        conn,
        format!("No TLS version in common with {dest}"),
        format!(
            "The {who} sent a fatal protocol_version alert (70, frame {}). The client offered {}.{server_versions}{chosen}",
            alert_frame.0,
            if offered.is_empty() {
                "no readable version".to_string()
            } else {
                offered.join(", ")
            }
        ),
        ch.map(|c| c.frame)
            .into_iter()
            .chain([alert_frame])
            .collect(),
        Some(if who == "server" {
            format!(
                "Enable a TLS version {dest} supports on the client (today: TLS 1.2 and TLS 1.3), e.g. turn TLS 1.2 back on in the client's settings or registry."
            )
        } else {
            format!(
                "The server chose a version the client refuses: enable TLS 1.2/1.3 on {dest}, or allow that version on the client."
            )
        }),
    )
}

fn cert_untrusted(
    conn: &Connection,
    name: &str,
    desc: u8,
    alert_frame: FrameNo,
    evidence: Vec<FrameNo>,
    dest: &str,
) -> Finding {
    let chain = conn
        .tls
        .as_ref()
        .map(|t| &t.certificates[..])
        .unwrap_or_default();
    let chain_note = match (chain.first(), chain.last()) {
        (Some(leaf), Some(top)) => {
            let self_signed = chain.iter().any(|c| c.self_signed);
            format!(
                " The server presented {} certificate{}: {} issued by {}{}.",
                chain.len(),
                if chain.len() == 1 { "" } else { "s" },
                leaf.subject.as_deref().unwrap_or("?"),
                top.issuer.as_deref().unwrap_or("?"),
                if self_signed {
                    " — self-signed (\"self signed certificate in certificate chain\")"
                } else {
                    ""
                }
            )
        }
        _ => " The chain itself is not visible (TLS 1.3 encrypts it).".to_string(),
    };
    finding(
        FindingCode::CertUntrusted,
        Severity::Error,
        conn,
        format!("The client does not trust {dest}'s certificate ({name})"),
        format!(
            "The client rejected the server's certificate with a fatal {name} alert ({desc}, frame {}): [SSL: CERTIFICATE_VERIFY_FAILED].{chain_note}",
            alert_frame.0
        ),
        evidence,
        Some("Import the issuing CA into the client's trust store (for a private or inspecting CA), or fix the server's chain (send the intermediates, use a publicly trusted certificate).".into()),
    )
}

/// The certificate outside its validity at capture time, if any.
fn expired_at_capture(conn: &Connection) -> Option<(&crate::tls::certificate::Certificate, bool)> {
    let now = conn.start.as_nanos() / 1_000_000_000;
    conn.tls.as_ref()?.certificates.iter().find_map(|c| {
        let (nb, na) = c.validity_unix?;
        if now > na {
            Some((c, true))
        } else if now < nb {
            Some((c, false))
        } else {
            None
        }
    })
}

fn cert_expired(
    conn: &Connection,
    alert: Option<(&str, FrameNo)>,
    severity: Severity,
    dest: &str,
) -> Finding {
    let bad = expired_at_capture(conn);
    let what = match bad {
        Some((c, true)) => format!(
            " The certificate {} expired on {} (capture time {}).",
            c.subject.as_deref().unwrap_or("?"),
            c.not_after.as_deref().unwrap_or("?"),
            conn.start
        ),
        Some((c, false)) => format!(
            " The certificate {} is not valid before {} (capture time {}): check the clocks.",
            c.subject.as_deref().unwrap_or("?"),
            c.not_before.as_deref().unwrap_or("?"),
            conn.start
        ),
        None => String::new(),
    };
    let mut evidence: Vec<FrameNo> = bad.map(|(c, _)| c.frame).into_iter().collect();
    let lead = match alert {
        Some((name, f)) => {
            evidence.push(f);
            format!(
                "The client rejected the certificate with a fatal {name} alert (45, frame {}).",
                f.0
            )
        }
        None => "A certificate of the chain is outside its validity period.".to_string(),
    };
    if evidence.is_empty() {
        evidence.push(conn.first_frame);
    }
    finding(
        FindingCode::CertExpired,
        severity,
        conn,
        format!("{dest}'s certificate is expired or not yet valid"),
        format!("{lead}{what}"),
        evidence,
        Some("Renew the server certificate (or fix the client's clock if the certificate is in fact valid).".into()),
    )
}

/// The chain against the profile's expected issuers, and against the name
/// the client asked for.
fn interception(
    conn: &Connection,
    profile: Option<&ServerProfile>,
    alert_frame: FrameNo,
    severity: Severity,
) -> Option<Finding> {
    let tls = conn.tls.as_ref()?;
    let leaf = tls.certificates.first()?;
    let issuer = leaf.issuer.as_deref()?;
    let top_issuer = tls
        .certificates
        .last()
        .and_then(|c| c.issuer.as_deref())
        .unwrap_or(issuer);
    let dest = target(conn);
    let p = profile.filter(|p| !p.expected_issuers.is_empty())?;
    let expected = p
        .expected_issuers
        .iter()
        .any(|e| issuer.contains(e.as_str()) || top_issuer.contains(e.as_str()));
    if expected {
        return None;
    }
    let mut evidence = vec![leaf.frame];
    if severity == Severity::Error && alert_frame != conn.last_frame {
        evidence.push(alert_frame);
    }
    let outcome = if severity == Severity::Error {
        "The client refused it."
    } else {
        "The client accepted it, so this client trusts the issuing CA (an inspecting proxy's CA installed on purpose, or a lab setup)."
    };
    Some(finding(
        FindingCode::TlsInterception,
        severity,
        conn,
        format!("Certificate for {dest} is not from its usual CA: TLS interception?"),
        format!(
            "The server presented {} issued by {issuer}{}; {} (profile '{}') is served with certificates from {}. A chain from another (private) CA is what an SSL-inspecting proxy or firewall presents. {outcome}",
            leaf.subject.as_deref().unwrap_or("?"),
            if leaf.self_signed {
                " (self-signed)"
            } else {
                ""
            },
            conn.server_name().unwrap_or("this service"),
            p.name,
            p.expected_issuers.join(" / ")
        ),
        evidence,
        Some(format!(
            "Exempt {} from TLS inspection on the proxy/firewall, or import the inspection CA into the client's trust store.",
            conn.server_name().unwrap_or("the destination")
        )),
    ))
}

/// Plaintext HTTP errors, with the TAXII hints of field case 2.
fn http(conn: &Connection, profiles: &ProfileSet, out: &mut Vec<Finding>) {
    for x in &conn.http {
        let Some(status) = x.status else { continue };
        let host = x.host.as_deref().unwrap_or("?");
        let path = x.path.as_deref().unwrap_or("?");
        let method = x.method.as_deref().unwrap_or("?");
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
        if status >= 400 {
            let (cause, remedy) = http_hint(
                status,
                path,
                poll.as_deref(),
                x.www_authenticate.as_deref(),
                x.request_authorization,
            );
            out.push(finding(
                FindingCode::HttpError,
                Severity::Error,
                conn,
                format!("HTTP {status} for {method} {path} on {host}"),
                format!(
                    "The server answered {method} {path} (Host {host}, frame {}) with {status} {} (frame {}). {cause}",
                    x.request_frame.map_or(0, |f| f.0),
                    x.reason.as_deref().unwrap_or(""),
                    x.response_frame.map_or(0, |f| f.0)
                ),
                evidence.clone(),
                Some(remedy),
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
                    "HTTP {status} for {method} {path}, but the TAXII Status_Message (frame {}) has status_type {st}: {cause}.{msg}",
                    x.body_frame.or(x.response_frame).map_or(0, |f| f.0)
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
    www_auth: Option<&str>,
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
                    .map(|a| format!(
                        "; the server asks for {}",
                        a.split_whitespace().next().unwrap_or(a)
                    ))
                    .unwrap_or_default()
            ),
            "Fix the feed's username/password (or API key) in the client's settings.".into(),
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
                "does not exist (NXDOMAIN)".to_string(),
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
        let (severity, consequence) = if later_ok || connected {
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
        let mut types: Vec<&str> = same.iter().map(|y| y.qtype.as_str()).collect();
        types.dedup();
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
