//! Certificates: untrusted, expired, and chains that are not the expected one.

use super::{finding, target};
use crate::capture::FrameNo;
use crate::connection::Connection;
use crate::diagnose::profiles::ServerProfile;
use crate::diagnose::{Finding, FindingCode, Severity};

pub(super) fn cert_untrusted(
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
        (Some(leaf), _) if leaf.subject.is_none() && leaf.truncated => {
            " The server's Certificate message was cut by the capture (snap length or loss): its certificates cannot be read.".to_string()
        }
        (Some(leaf), Some(top)) => {
            let self_signed = chain.iter().any(|c| c.self_signed);
            let ends_at = match (&top.issuer, &leaf.issuer) {
                (Some(t), Some(l)) if chain.len() > 1 && t != l => {
                    format!(", the chain ending at {t}")
                }
                _ => String::new(),
            };
            format!(
                " The server presented {} certificate{}: {}, issued by {}{ends_at}{}.",
                chain.len(),
                if chain.len() == 1 { "" } else { "s" },
                leaf.subject.as_deref().unwrap_or("?"),
                leaf.issuer.as_deref().unwrap_or("?"),
                if self_signed {
                    " — self-signed (\"self signed certificate in certificate chain\")"
                } else {
                    ""
                }
            )
        }
        _ => " The chain itself is not visible (TLS 1.3 encrypts it).".to_string(),
    };
    let chain_note = match name_mismatch(conn) {
        Some((wanted, names)) => format!(
            "{chain_note} It covers {}, not {wanted}.",
            list_names(&names)
        ),
        None => chain_note,
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
pub(super) fn expired_at_capture(
    conn: &Connection,
) -> Option<(&crate::tls::certificate::Certificate, bool)> {
    let now = conn.start.as_nanos() / 1_000_000_000;
    if (0..86_400).contains(&now) {
        // Time zero: frames without a timestamp (pcapng Simple Packet
        // Blocks, a capturing device without a clock). Nothing to judge by.
        return None;
    }
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

/// Whether `cert` is the first certificate of the server's chain.
fn is_leaf(conn: &Connection, cert: &crate::tls::certificate::Certificate) -> bool {
    conn.tls
        .as_ref()
        .and_then(|t| t.certificates.first())
        .is_some_and(|leaf| std::ptr::eq(leaf, cert))
}

pub(super) fn cert_expired(
    conn: &Connection,
    alert: Option<(&str, u8, FrameNo)>,
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
        Some((name, desc, f)) => {
            evidence.push(f);
            format!(
                "The client rejected the certificate with a fatal {name} alert ({desc}, frame {}).",
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
        Some(match bad {
            Some((c, true)) if !is_leaf(conn, c) => format!(
                "Install the current intermediate on the server: the chain it sends still carries {}, which has expired (or fix the client's clock if it is in fact valid).",
                c.subject.as_deref().unwrap_or("?")
            ),
            _ => "Renew the server certificate (or fix the client's clock if the certificate is in fact valid).".into(),
        }),
    )
}

/// A certificate's names for a sentence: the first five, then how many more.
pub(super) fn list_names(names: &[String]) -> String {
    let shown: Vec<&str> = names.iter().take(5).map(String::as_str).collect();
    match names.len().saturating_sub(5) {
        0 => shown.join(", "),
        more => format!("{} and {more} more names", shown.join(", ")),
    }
}

/// The name the client asked for (SNI, else CONNECT host), when it is a name
/// the leaf certificate does not cover: `(wanted, covered names)`. RFC 6125:
/// subjectAltName DNS names, else the subject CN; `*.` covers one label.
pub(super) fn name_mismatch(conn: &Connection) -> Option<(String, Vec<String>)> {
    let wanted = conn
        .server_name()?
        .trim_end_matches('.')
        .to_ascii_lowercase();
    if wanted.parse::<std::net::IpAddr>().is_ok() {
        return None;
    }
    let leaf = conn.tls.as_ref()?.certificates.first()?;
    let mut names: Vec<String> = leaf
        .dns_names
        .iter()
        .map(|n| n.to_ascii_lowercase())
        .collect();
    if names.is_empty() {
        let cn = leaf
            .subject
            .as_deref()?
            .split(',')
            .find_map(|rdn| rdn.strip_prefix("CN="))?;
        names.push(cn.to_ascii_lowercase());
    }
    let covers = |pattern: &str| match pattern.strip_prefix("*.") {
        Some(suffix) => wanted
            .split_once('.')
            .is_some_and(|(first, rest)| !first.is_empty() && rest == suffix),
        None => pattern == wanted,
    };
    (!names.iter().any(|n| covers(n))).then_some((wanted, names))
}

/// The chain against the profile's expected issuers, and against the name
/// the client asked for: a chain from another CA, or for another name, is
/// what an inspecting proxy presents.
pub(super) fn interception(
    conn: &Connection,
    profile: Option<&ServerProfile>,
    alert_frame: FrameNo,
    severity: Severity,
) -> Option<Finding> {
    let p = profile?;
    let tls = conn.tls.as_ref()?;
    let leaf = tls.certificates.first()?;
    let issuer = leaf.issuer.as_deref()?;
    let top_issuer = tls
        .certificates
        .last()
        .and_then(|c| c.issuer.as_deref())
        .unwrap_or(issuer);
    let dest = target(conn);
    let unexpected_issuer = !p.expected_issuers.is_empty()
        && !p
            .expected_issuers
            .iter()
            .any(|e| issuer.contains(e.as_str()) || top_issuer.contains(e.as_str()));
    let mismatch = name_mismatch(conn);
    if !unexpected_issuer && mismatch.is_none() {
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
    let mut why = Vec::new();
    if unexpected_issuer {
        why.push(format!(
            "{} (profile '{}') is served with certificates from {}",
            conn.server_name().unwrap_or("this service"),
            p.name,
            p.expected_issuers.join(" / ")
        ));
    }
    if let Some((wanted, names)) = &mismatch {
        why.push(format!(
            "the certificate covers {}, not {wanted}",
            list_names(names)
        ));
    }
    Some(finding(
        FindingCode::TlsInterception,
        severity,
        conn,
        format!("Certificate for {dest} is not the server's own: TLS interception?"),
        format!(
            "The server presented {} issued by {issuer}{}; {}. A chain from another (private) CA, or for another name, is what an SSL-inspecting proxy or firewall presents. {outcome}",
            leaf.subject.as_deref().unwrap_or("?"),
            if leaf.self_signed {
                " (self-signed)"
            } else {
                ""
            },
            why.join("; and ")
        ),
        evidence,
        Some(format!(
            "Exempt {} from TLS inspection on the proxy/firewall, or import the inspection CA into the client's trust store.",
            conn.server_name().unwrap_or("the destination")
        )),
    ))
}
