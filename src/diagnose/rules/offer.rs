//! Offers the server cannot accept: no cipher suite in common (with the reason
//! for every group of offered suites) and no version in common.

use super::finding;
use crate::capture::FrameNo;
use crate::connection::Connection;
use crate::diagnose::ciphers::{self, Obstacle, label};
use crate::diagnose::profiles::ServerProfile;
use crate::diagnose::{Finding, FindingCode, Severity};
use crate::tls::codepoints::ProtocolVersion;

#[allow(clippy::too_many_arguments)]
pub(super) fn no_shared_cipher(
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

/// What to do when the server refused every version the client offered:
/// read from what the client offered (the server's own list is unknown unless
/// a profile gives it).
fn refused_versions_remedy(
    offered: &[ProtocolVersion],
    profile: Option<&ServerProfile>,
    dest: &str,
) -> String {
    if let Some(p) = profile.filter(|p| !p.versions.is_empty()) {
        let accepted: Vec<String> = p.versions.iter().map(|v| v.name()).collect();
        return format!(
            "Enable on the client a version {dest} accepts ({}), in its settings or registry.",
            accepted.join(", ")
        );
    }
    let has = |v: ProtocolVersion| offered.contains(&v);
    let newest = offered.iter().copied().max_by_key(|v| v.rank());
    match newest {
        Some(v) if v.is_tls13() && !has(ProtocolVersion::TLS12) => format!(
            "The client offers only TLS 1.3, and {dest} evidently does not speak it: enable TLS 1.2 on the client (its settings or registry), or TLS 1.3 on the server."
        ),
        Some(v) if v.is_tls13() => format!(
            "The client already offers TLS 1.2 and 1.3, so {dest} speaks only an older version (TLS 1.0/1.1) or none: upgrade the server to TLS 1.2 or later. Allowing TLS 1.0/1.1 on the client is a last resort."
        ),
        Some(v) if v == ProtocolVersion::TLS12 => format!(
            "The client offers at most TLS 1.2, which {dest} refuses (it requires TLS 1.3): enable TLS 1.3 on the client (its settings or registry)."
        ),
        Some(v) => format!(
            "The client offers at most {}, which {dest} refuses: enable TLS 1.2 and TLS 1.3 on the client (its settings or registry).",
            v.name()
        ),
        None => format!(
            "Check which TLS versions {dest} accepts (its configuration, or a working client's capture with `tlsdiag diff`) and enable one on the client."
        ),
    }
}

pub(super) fn version_finding(
    conn: &Connection,
    ch: Option<&crate::tls::client_hello::ClientHello>,
    profile: Option<&ServerProfile>,
    alert_frame: FrameNo,
    who: &str,
    dest: &str,
) -> Finding {
    let versions = ch.map(|c| c.offered_versions()).unwrap_or_default();
    let offered: Vec<String> = versions.iter().map(|v| v.name()).collect();
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
    // The alert at that frame (protocol_version, or handshake_failure from a
    // server refusing an SSL 3.0 hello).
    let (alert, desc) = conn
        .tls
        .as_ref()
        .and_then(|t| t.alerts.iter().find(|a| a.frame == alert_frame))
        .and_then(|a| Some((a.name?, a.description?)))
        .unwrap_or(("protocol_version", 70));
    finding(
        FindingCode::ProtocolVersion,
        Severity::Error,
        conn,
        format!("No TLS version in common with {dest}"),
        format!(
            "The {who} sent a fatal {alert} alert ({desc}, frame {}). The client offered {}.{server_versions}{chosen}",
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
            refused_versions_remedy(&versions, profile, dest)
        } else {
            let chosen = conn
                .tls
                .as_ref()
                .and_then(|t| t.server_hello.as_ref())
                .and_then(|s| s.version)
                .map_or_else(|| "a version".to_string(), ProtocolVersion::name);
            format!(
                "The server chose {chosen}, which the client refuses: enable TLS 1.2/1.3 on {dest}, or allow {chosen} on the client."
            )
        }),
    )
}
