//! The TLS handshake: rejections, client aborts, silence, resets, and the
//! cipher-suite and version reasoning.

use super::cert::{cert_expired, cert_untrusted, expired_at_capture, interception, name_mismatch};
use super::offer::{no_shared_cipher, version_finding};
use super::{finding, target, via_proxy};
use crate::capture::FrameNo;
use crate::connection::Connection;
use crate::connection::TlsOutcome;
use crate::diagnose::ciphers;
use crate::diagnose::profiles::ServerProfile;
use crate::diagnose::{Finding, FindingCode, Severity};
use crate::tls::codepoints::ProtocolVersion;

/// TLS findings.
pub(super) fn tls(conn: &Connection, profile: Option<&ServerProfile>, out: &mut Vec<Finding>) {
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
    // Formatted only when a finding needs them (most connections have none).
    let dest = super::LazyText::new(|| target(conn));
    let via = super::LazyText::new(|| via_proxy(conn));
    let profile_note = super::LazyText::new(|| {
        profile
            .map(|p| format!(" (profile '{}')", p.name))
            .unwrap_or_default()
    });

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
            // Alert 70, or a hello that offers nothing newer than SSL 3.0: any
            // current server refuses the version, whatever alert it picks
            // (OpenSSL sends handshake_failure).
            let ssl3_only = ch
                .and_then(|c| c.max_version())
                .is_some_and(|v| v.rank() < ProtocolVersion::TLS10.rank());
            if desc == 70 || ssl3_only {
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
            let sni = ch.and_then(|c| c.sni.as_deref());
            let alpn = ch.and_then(|c| c.alpn.as_ref()).filter(|a| !a.is_empty());
            let unusual = ch.map(ciphers::unusual_offer).unwrap_or_default();
            let hint = match desc {
                112 if ch.is_some() && sni.is_none() => " The ClientHello carries no server name (SNI), and this server requires one: it serves several names and will not pick a default (e.g. nginx `ssl_reject_handshake on`). Clients connecting by IP address send no SNI.".to_string(),
                112 => format!(" The server does not know the name in SNI ({}): it serves other host names.", sni.unwrap_or("?")),
                120 => match alpn {
                    Some(list) => format!(" The client offered only {} in ALPN, and the server speaks none of them.", list.join(", ")),
                    None => " The server requires ALPN, and the client offered none.".to_string(),
                },
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
                format!("The server{via}{profile_note} answered the ClientHello with a fatal {name} alert (frame {}).{offer}{hint}{}", alert.frame.0, lost_note(conn)),
                evidence,
                Some(if matches!(desc, 40 | 71) {
                    format!("Compare the client's suites, versions and groups with what {dest} accepts (run `tlsdiag diff` against a working capture, or `--accept` with the server's list), and enable a suite the server accepts.")
                } else if desc == 112 && sni.is_none() {
                    format!("Connect to {dest} by its host name (not its IP address), or configure the client to send SNI.")
                } else if desc == 112 {
                    format!("Check the host name the client uses ({}): the server at {}:{} does not serve it. Correct the client's configuration, or add the name to the server (its virtual hosts / server_name).", sni.unwrap_or("?"), conn.server.ip, conn.server.port)
                } else if desc == 120 {
                    format!("Offer a protocol {dest} speaks in the client's ALPN list (e.g. h2 or http/1.1), or enable the client's protocol on the server.")
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
            .find(|e| !e.from_client && e.what == "CertificateRequest")
            .map(|e| e.frame);
        if let Some(req) = cert_req {
            out.push(client_cert_refused(conn, req, alert, &dest));
            return;
        }
        out.push(finding(
            FindingCode::HandshakeRejected,
            Severity::Error,
            conn,
            format!("{dest} aborted the handshake: fatal {name} ({desc})"),
            format!(
                "After its ServerHello the server sent a fatal {name} alert (frame {}).",
                alert.frame.0
            ),
            sh.map(|s| s.frame).into_iter().chain(evidence).collect(),
            Some(format!(
                "Check the server's logs for why it aborted with {name}."
            )),
        ));
        return;
    }

    // The server closed (or reset) without a byte: the client's alert, if any,
    // is only its reaction to the close (OpenSSL 3 sends decode_error).
    if let (Some(ch), None, Some(alert)) = (ch, sh, client_alert) {
        let server_closed_first = conn
            .tcp
            .fin
            .or(conn.tcp.rst)
            .is_some_and(|e| e.from == "server" && e.frame <= alert.frame);
        if conn.tcp.server_bytes == 0 && server_closed_first {
            out.push(server_silent(conn, ch, &dest, &via, Some(alert)));
            return;
        }
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
            42 | 43 | 45 | 46 | 48 => {
                if desc != 45 {
                    if let Some(f) = interception(conn, profile, alert.frame, Severity::Error) {
                        out.push(f);
                        return;
                    }
                }
                // certificate_expired, or another refusal where the dates are
                // the reason (GnuTLS, and OpenSSL for a certificate not yet
                // valid, say bad_certificate).
                if desc == 45 || expired_at_capture(conn).is_some() {
                    out.push(cert_expired(
                        conn,
                        Some((name, desc, alert.frame)),
                        Severity::Error,
                        &dest,
                    ));
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
                // A finite-field DH group under 2048 bits: OpenSSL 3 (security
                // level 2) and current browsers refuse it ("dh key too small").
                let small_dh = tls
                    .server_key_exchange
                    .filter(|k| k.dh_bits.is_some_and(|b| b < 2048));
                let (why, remedy, mut evidence) = match small_dh {
                    Some(k) if matches!(desc, 40 | 71) => (
                        format!(
                            " The server's ServerKeyExchange (frame {}) uses a {}-bit Diffie-Hellman group; clients require 2048 bits or more (OpenSSL: \"dh key too small\").",
                            k.frame.0,
                            k.dh_bits.unwrap_or(0)
                        ),
                        format!(
                            "Configure {dest} with a DH group of at least 2048 bits (e.g. RFC 7919 ffdhe2048), or prefer ECDHE suites; lowering the client's security level only hides the weakness."
                        ),
                        {
                            let mut e = evidence.clone();
                            e.push(k.frame);
                            e
                        },
                    ),
                    _ => match sh
                        .and_then(|s| s.version)
                        .filter(|v| v.rank() < ProtocolVersion::TLS12.rank())
                    {
                        // Current clients refuse TLS 1.0/1.1 once the server
                        // picks it (OpenSSL 3: "unsupported protocol",
                        // "legacy sigalg disallowed or unsupported").
                        Some(v) => (
                            format!(
                                " The server chose {} (ServerHello, frame {}): current clients refuse TLS 1.0/1.1 and what comes with them (SHA-1 signatures, CBC suites), typically with this alert.",
                                v.name(),
                                sh.map_or(0, |s| s.frame.0)
                            ),
                            format!(
                                "Enable TLS 1.2 or later on {dest}; allowing {} on the client (a lower security level) is a last resort.",
                                v.name()
                            ),
                            evidence.clone(),
                        ),
                        None => (
                            String::new(),
                            format!(
                                "Check the client's log around this time for why it sent {name}."
                            ),
                            evidence.clone(),
                        ),
                    },
                };
                evidence.sort_unstable();
                out.push(finding(
                    FindingCode::ClientAbort,
                    Severity::Error,
                    conn,
                    format!("The client aborted the handshake with {dest}: fatal {name} ({desc})"),
                    format!(
                        "The client sent a fatal {name} alert (frame {}) in answer to the server's handshake messages.{why}",
                        alert.frame.0
                    ),
                    evidence,
                    Some(remedy),
                ));
                return;
            }
        }
    }

    // The server answered, but the capture lost every byte of the answer
    // (the client's acknowledgements or the server's FIN count them).
    if let (Some(ch), None, 0, lost @ 1..) =
        (ch, sh, conn.tcp.server_bytes, conn.tcp.server_missing_bytes)
    {
        if tls.outcome == TlsOutcome::Incomplete {
            let end = conn.tcp.rst.or(conn.tcp.fin);
            let alert_sized = if lost == 7 {
                " 7 bytes is exactly one TLS alert record: most likely the server refused the ClientHello (a fatal alert), as it does when it shares no suite, version or name with the client."
            } else {
                ""
            };
            out.push(finding(
                FindingCode::HandshakeRejected,
                Severity::Error,
                conn,
                format!("{dest} answered the ClientHello, but the capture lost the answer"),
                format!(
                    "The client sent its ClientHello{via} (frame {}); the server answered with {lost} byte{} that are not in the capture (the client acknowledged them, or the server's FIN comes after them){}.{alert_sized} The answer itself cannot be read: the capturing host dropped it.",
                    ch.frame.0,
                    if lost == 1 { "" } else { "s" },
                    end.map(|e| format!(", then the {} ended the connection (frame {})", e.from, e.frame.0)).unwrap_or_default()
                ),
                ch_frame.into_iter().chain(end.map(|e| e.frame)).collect(),
                Some(format!(
                    "Capture again (on the client, without drops) to read the server's answer; meanwhile compare the client's suites, versions and SNI with what {dest} accepts (`tlsdiag diff` against a working capture)."
                )),
            ));
            return;
        }
    }

    match tls.outcome {
        TlsOutcome::NoResponse => {
            let Some(ch) = ch else { return };
            let sent = conn
                .timeline
                .iter()
                .find(|e| e.frame == ch.frame)
                .map_or(conn.start, |e| e.ts);
            match conn.open_at_capture_end.map(|end| end.seconds_since(sent)) {
                // The capture stops before a server far away could answer.
                Some(left) if left < ANSWER_SECONDS => out.push(finding(
                    FindingCode::ServerSilent,
                    Severity::Info,
                    conn,
                    format!("The capture ends {left:.3} s after the ClientHello to {dest}: too soon to tell"),
                    format!(
                        "The client sent its ClientHello{via} (frame {}) and the capture stops {left:.3} s later, with the connection still open: whether the server would have answered is not in the capture.",
                        ch.frame.0
                    ),
                    vec![ch.frame],
                    Some("Capture for longer (until the client gives up or succeeds).".into()),
                )),
                _ => out.push(server_silent(conn, ch, &dest, &via, None)),
            }
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

    if let Some(f) = closed_after_client_finished(conn, &dest) {
        out.push(f);
        return;
    }

    // Handshakes that went through (or stopped without an alert): certificate
    // checks, profile expectations.
    // A TLS ≤ 1.2 client that completes the handshake and then leaves without
    // sending a byte of data has refused the server after all: curl checks the
    // name only once the handshake is done, then closes (its alert encrypted).
    let gave_up = gave_up_after_handshake(conn);
    let severity = if tls.outcome == TlsOutcome::Established && gave_up.is_none() {
        Severity::Warning
    } else {
        Severity::Error
    };
    if let Some(f) = interception(conn, profile, conn.last_frame, severity) {
        out.push(f);
    } else if expired_at_capture(conn).is_some() {
        out.push(cert_expired(conn, None, severity, &dest));
    } else if let Some((wanted, names)) = name_mismatch(conn) {
        let leaf = tls.certificates.first().map(|c| c.frame);
        out.push(finding(
            FindingCode::CertUntrusted,
            severity,
            conn,
            format!("{dest}'s certificate does not cover {wanted}"),
            format!(
                "The certificate the server presented covers {}, not {wanted}.{}",
                super::cert::list_names(&names),
                match gave_up {
                    Some(f) => format!(
                        " The client completed the handshake, then left without sending any data (frame {}): it refused the certificate after the handshake (curl: \"no alternative certificate subject name matches target host name\").",
                        f.0
                    ),
                    None if severity == Severity::Warning => {
                        " The client went on anyway: its verification is off or it trusts by pinning.".to_string()
                    }
                    None => String::new(),
                }
            ),
            leaf.into_iter().chain(gave_up).collect(),
            Some(format!("Install a certificate for {wanted} on the server (or connect with the name the certificate carries).")),
        ));
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
        // Versions that cannot meet, even without an alert saying so (a server
        // that just closes on an old hello).
        let offered = ch.offered_versions();
        if !p.versions.is_empty()
            && !offered.is_empty()
            && sh.is_none()
            && tls.outcome != TlsOutcome::Established
            && !offered.iter().any(|v| p.versions.contains(v))
            && !out.iter().any(|f| f.code == FindingCode::NoSharedCipher)
        {
            let end = conn
                .tcp
                .rst
                .or(conn.tcp.fin)
                .map_or(conn.last_frame, |e| e.frame);
            let mut f = version_finding(conn, Some(ch), profile, end, "server", &dest);
            f.detail = format!(
                "The client offered {} and the server (profile '{}') accepts {}: no version in common; the server ended the connection without an alert (frame {}).",
                offered
                    .iter()
                    .map(|v| v.name())
                    .collect::<Vec<_>>()
                    .join(", "),
                p.name,
                p.versions
                    .iter()
                    .map(|v| v.name())
                    .collect::<Vec<_>>()
                    .join(", "),
                end.0
            );
            out.push(f);
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

/// A TLS ≤ 1.2 server that asked for a client certificate (CertificateRequest,
/// frame `req`) and then refused the handshake with `alert`.
fn client_cert_refused(
    conn: &Connection,
    req: FrameNo,
    alert: &crate::tls::handshake::Alert,
    dest: &str,
) -> Finding {
    let name = alert.name.unwrap_or("unknown");
    let desc = alert.description.unwrap_or(0);
    let sent = conn
        .timeline
        .iter()
        .find(|e| e.from_client && e.what == "Certificate" && e.frame > req)
        .map(|e| e.frame);
    let chain = conn
        .tls
        .as_ref()
        .map(|t| t.client_certificates.as_slice())
        .unwrap_or_default();
    let (what, remedy) = match (sent, chain.first()) {
        (Some(f), Some(leaf)) => (
            format!(
                " The client sent the certificate {} issued by {} (frame {}), and the server refused it{}.",
                leaf.subject.as_deref().unwrap_or("?"),
                leaf.issuer.as_deref().unwrap_or("?"),
                f.0,
                match desc {
                    48 => ": it does not trust that issuer (unknown_ca)",
                    45 => ": it has expired (certificate_expired)",
                    42 | 43 => ": bad or unsuitable (not for client authentication?)",
                    _ => "",
                }
            ),
            format!(
                "Give the client a certificate {dest} accepts: one issued by a CA the server trusts for client authentication (check its CA list), with its key."
            ),
        ),
        (Some(f), None) => (
            format!(
                " The client answered with an empty Certificate message (frame {}): it has no certificate configured for this server.",
                f.0
            ),
            "Install on the client the certificate (and key) the server expects, issued by a CA it trusts.".to_string(),
        ),
        (None, _) => (
            " The client did not answer it with a Certificate message.".to_string(),
            "Install on the client the certificate (and key) the server expects, issued by a CA it trusts.".to_string(),
        ),
    };
    let mut evidence: Vec<FrameNo> = [Some(req), sent, Some(alert.frame)]
        .into_iter()
        .flatten()
        .collect();
    evidence.dedup();
    finding(
        FindingCode::ClientCertRejected,
        Severity::Error,
        conn,
        format!("{dest} refused the client's certificate: fatal {name} ({desc})"),
        format!(
            "The server asked for a client certificate (CertificateRequest, frame {}) and ended the handshake with a fatal {name} alert (frame {}).{what}",
            req.0, alert.frame.0
        ),
        evidence,
        Some(remedy),
    )
}

/// Seconds within which any server answers a ClientHello (the longest
/// round trips are under one second).
const ANSWER_SECONDS: f64 = 1.0;

/// Most a server takes to refuse a client's TLS 1.3 Finished flight (checking
/// a certificate chain); an idle timeout is longer.
const REFUSAL_SECONDS: f64 = 2.0;

/// TLS 1.3 encrypts the alerts, but not their size: a server whose only
/// record after the client's Finished is alert-sized (2 bytes, the content
/// type and a 16-byte tag, or an 8-byte tag with CCM_8), followed at once by
/// its close, refused the client's flight: in practice its certificate.
fn closed_after_client_finished(conn: &Connection, dest: &str) -> Option<Finding> {
    let tls = conn.tls.as_ref()?;
    let sh = tls.server_hello.as_ref()?;
    if !sh.version.is_some_and(ProtocolVersion::is_tls13)
        || tls.outcome != TlsOutcome::Established
        || tls.alerts.iter().any(|a| a.level == Some("fatal"))
    {
        return None;
    }
    let (1, Some(record)) = tls.server_records_after_client else {
        return None;
    };
    if !matches!(record.len, 19 | 11) {
        return None;
    }
    // A client that closed first (FIN, RST, or an alert-sized record: its
    // close_notify) is answered by the server's close_notify.
    if [conn.tcp.fin, conn.tcp.rst]
        .into_iter()
        .flatten()
        .any(|e| e.from == "client" && e.frame < record.frame)
        || tls.client_short_record.is_some_and(|f| f <= record.frame)
    {
        return None;
    }
    let client_flight = conn
        .timeline
        .iter()
        .find(|e| e.from_client && Some(e.frame) == tls.client_data_frame)?;
    let close = [conn.tcp.fin, conn.tcp.rst]
        .into_iter()
        .flatten()
        .filter(|e| e.from == "server" && e.frame >= record.frame)
        .min_by_key(|e| e.frame)?;
    let waited = record.ts.seconds_since(client_flight.ts);
    if waited > REFUSAL_SECONDS {
        return None;
    }
    Some(finding(
        FindingCode::ClientCertRejected,
        Severity::Error,
        conn,
        format!("{dest} refused the client right after the TLS 1.3 handshake (encrypted alert)"),
        format!(
            "The handshake went through on the wire (ServerHello, frame {}), but the server's only record after the client's Finished (frame {}) is {} bytes — the size of an encrypted alert — sent {waited:.3} s later, and then it closed the connection ({}, frame {}) without a session ticket or a byte of data. TLS 1.3 encrypts the alert, so its name is not visible; a server refusing the client at this point is refusing its certificate (mutual TLS): it requires one the client did not send (certificate_required) or does not trust the one sent (unknown_ca).",
            sh.frame.0,
            client_flight.frame.0,
            record.len,
            if conn.tcp.rst.is_some_and(|r| r.frame == close.frame) {
                "RST"
            } else {
                "FIN"
            },
            close.frame.0
        ),
        vec![sh.frame, client_flight.frame, record.frame, close.frame],
        Some(format!(
            "Check {dest}'s log for the alert. If it requires client certificates, install on the client a certificate (and key) issued by a CA the server trusts for client authentication."
        )),
    ))
}

/// The frame where a TLS ≤ 1.2 client that finished the handshake left without
/// ever sending application data (its encrypted alert, FIN or RST).
fn gave_up_after_handshake(conn: &Connection) -> Option<FrameNo> {
    let tls = conn.tls.as_ref()?;
    let version = tls.server_hello.as_ref()?.version?;
    if version.is_tls13() || tls.established_frame.is_none() || tls.client_data_frame.is_some() {
        return None;
    }
    let alert = tls
        .alerts
        .iter()
        .find(|a| a.from == "client" && a.encrypted)
        .map(|a| a.frame);
    let close = [conn.tcp.fin, conn.tcp.rst]
        .into_iter()
        .flatten()
        .filter(|e| e.from == "client")
        .map(|e| e.frame)
        .min();
    let left = alert.or(close)?;
    // The server alerting first (it refused a renegotiation, or failed) means
    // the client did not simply walk away.
    let server_first = tls
        .alerts
        .iter()
        .any(|a| a.from == "server" && a.frame < left);
    (!server_first).then_some(left)
}

/// The server never sent a byte after the ClientHello (`alert`: what the
/// client sent once the server had closed).
fn server_silent(
    conn: &Connection,
    ch: &crate::tls::client_hello::ClientHello,
    dest: &str,
    via: &str,
    alert: Option<&crate::tls::handshake::Alert>,
) -> Finding {
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
    let reaction = alert
        .map(|a| {
            format!(
                " The client's {} alert (frame {}) is only its reaction to the close.",
                a.name.unwrap_or("fatal"),
                a.frame.0
            )
        })
        .unwrap_or_default();
    let end_frame = conn
        .tcp
        .rst
        .or(conn.tcp.fin)
        .map(|e| e.frame)
        .unwrap_or(conn.last_frame);
    let mut evidence = vec![ch.frame, end_frame];
    evidence.extend(alert.map(|a| a.frame));
    evidence.sort_unstable();
    evidence.dedup();
    finding(
        FindingCode::ServerSilent,
        Severity::Error,
        conn,
        format!("{dest} never answered the ClientHello"),
        format!(
            "The client sent its ClientHello{via} (frame {}) and waited {waited:.1} s without a single byte from the server{how_ended}.{reaction} A middlebox that swallows TLS, or a server that does not speak TLS on this port and waits for a request, looks like this.",
            ch.frame.0
        ),
        evidence,
        Some(format!(
            "Check the path to {dest}{via} for a device that blocks or inspects TLS, and that the server speaks TLS on port {}.",
            conn.service_port()
        )),
    )
}

/// Said when the capture lost bytes of the connection: what explains the
/// failure may be among them.
fn lost_note(conn: &Connection) -> String {
    match conn.tcp.missing_bytes {
        0 => String::new(),
        n => format!(
            " Caution: {n} bytes of this connection are not in the capture (packet loss), and the server's messages before the alert may be among them."
        ),
    }
}
