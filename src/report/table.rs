//! Tables for people (comfy-table): one row per connection, then findings,
//! DNS and warnings. Every capture-derived string is escaped.

use std::io::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};

use crate::Analysis;
use crate::connection::Connection;
use crate::diagnose::Finding;
use crate::error::Error;
use crate::report::escape;
use crate::tls::client_hello::ClientHello;
use crate::tls::codepoints::ProtocolVersion;

/// A table in the house style.
pub fn new_table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().copied());
    // On a terminal comfy-table fits its width; piped output is not wrapped,
    // unless COLUMNS asks for a width.
    if let Some(width) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<u16>().ok())
    {
        t.set_width(width);
    }
    t
}

/// Versions a hello offers, for a cell (`TLS 1.3, TLS 1.2` or `TLS 1.2` for a
/// legacy hello).
pub fn offered_versions(ch: &ClientHello) -> String {
    match &ch.supported_versions {
        // Cut before its extensions: what it offers beyond the legacy field is unknown.
        None if ch.truncated => ch
            .version
            .map(|v| format!("{}+? (hello cut)", v.name()))
            .unwrap_or_else(|| "? (hello cut)".into()),
        Some(list) => list
            .iter()
            .filter(|v| !v.is_grease())
            .map(|v| v.name())
            .collect::<Vec<_>>()
            .join(", "),
        None => ch
            .version
            .map(|v| format!("≤ {}", v.name()))
            .unwrap_or_else(|| "?".into()),
    }
}

fn endpoint(ip: std::net::IpAddr, port: u16) -> String {
    match ip {
        std::net::IpAddr::V6(v6) => format!("[{v6}]:{port}"),
        std::net::IpAddr::V4(v4) => format!("{v4}:{port}"),
    }
}

fn connection_row(c: &Connection) -> Vec<String> {
    let tls = c.tls.as_ref();
    let ch = tls.and_then(|t| t.client_hello.as_ref());
    let sh = tls.and_then(|t| t.server_hello.as_ref());
    let proxy = c
        .proxy
        .as_ref()
        .map(|p| {
            let port = p.port.map(|p| format!(":{p}")).unwrap_or_default();
            let status = p.status.map_or("no answer".to_string(), |s| s.to_string());
            format!("{}{port} → {status}", escape(&p.host))
        })
        .unwrap_or_default();
    let http: Vec<String> = c
        .http
        .iter()
        .map(|x| {
            format!(
                "{} {} → {}",
                escape(x.method.as_deref().unwrap_or("?")),
                escape(x.path.as_deref().unwrap_or("?")),
                x.status.map_or("-".into(), |s| s.to_string())
            )
        })
        .collect();
    let proxy_or_http = if proxy.is_empty() {
        http.join("\n")
    } else {
        proxy
    };
    let negotiated = sh
        .map(|s| {
            let v = s.version.map(ProtocolVersion::name).unwrap_or_default();
            let suite = s
                .cipher_suite
                .map(|cs| format!("{} ({cs})", cs.name().unwrap_or("?")))
                .unwrap_or_default();
            format!("{v}\n{suite}")
        })
        .unwrap_or_default();
    let alerts: Vec<String> = tls
        .map(|t| {
            t.alerts
                .iter()
                .map(|a| match a.name {
                    Some(n) => format!("{} {} {n} @{}", a.from, a.level.unwrap_or("?"), a.frame.0),
                    None if a.encrypted => format!("{} encrypted @{}", a.from, a.frame.0),
                    None => format!(
                        "{} {} {} @{}",
                        a.from,
                        a.level.unwrap_or("?"),
                        a.description.unwrap_or(0),
                        a.frame.0
                    ),
                })
                .collect()
        })
        .unwrap_or_default();
    let outcome = match tls {
        Some(t) => format!(
            "tls {}\ntcp {}",
            serde_plain(&t.outcome),
            serde_plain(&c.tcp.outcome)
        ),
        None => format!("tcp {}", serde_plain(&c.tcp.outcome)),
    };
    vec![
        c.id.to_string(),
        c.first_frame.0.to_string(),
        format!(
            "{}\n→ {}",
            endpoint(c.client.ip, c.client.port),
            endpoint(c.server.ip, c.server.port)
        ),
        proxy_or_http,
        ch.and_then(|c| c.sni.as_deref())
            .map(|s| escape(s).into_owned())
            .unwrap_or_default(),
        ch.map(offered_versions).unwrap_or_default(),
        ch.and_then(|c| c.cipher_suites.as_ref())
            .map(|s| s.len().to_string())
            .unwrap_or_default(),
        negotiated,
        alerts.join("\n"),
        outcome,
    ]
}

/// The name serde gives a unit enum variant (`no-response`).
fn serde_plain<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Writes the table report of one analysis.
pub fn write_analysis(out: &mut dyn Write, a: &Analysis) -> Result<(), Error> {
    let failing = a
        .connections
        .iter()
        .filter(|c| {
            a.findings
                .iter()
                .any(|f| f.connection == Some(c.id) && f.severity == crate::Severity::Error)
        })
        .count();
    writeln!(
        out,
        "{} — {}, {} frames, {} connections ({} failing), {} DNS queries",
        escape(&a.capture),
        a.format.name(),
        a.frames,
        a.connections.len(),
        failing,
        a.dns.len()
    )?;
    if !a.connections.is_empty() {
        let mut t = new_table(&[
            "#",
            "frame",
            "client → server",
            "CONNECT / HTTP",
            "SNI",
            "offered",
            "suites",
            "negotiated",
            "alerts",
            "outcome",
        ]);
        for c in &a.connections {
            t.add_row(connection_row(c));
        }
        writeln!(out, "{t}")?;
    }
    if !a.dns.is_empty() {
        let mut t = new_table(&[
            "dns", "query", "response", "name", "type", "rcode", "answers",
        ]);
        for d in &a.dns {
            t.add_row(vec![
                d.id.to_string(),
                d.query_frame.map_or("-".into(), |f| f.0.to_string()),
                d.response_frame.map_or("-".into(), |f| f.0.to_string()),
                escape(&d.name).into_owned(),
                d.qtype.clone(),
                d.rcode.clone().unwrap_or_else(|| "no response".into()),
                escape(&d.answers.join(", ")).into_owned(),
            ]);
        }
        writeln!(out, "{t}")?;
    }
    write_findings(out, &a.findings)?;
    for w in &a.warnings {
        writeln!(out, "warning: {}", escape(&w.to_string()))?;
    }
    Ok(())
}

/// Writes findings as a list: severity, code, where, title; then detail and remedy.
pub fn write_findings(out: &mut dyn Write, findings: &[Finding]) -> Result<(), Error> {
    if findings.is_empty() {
        return Ok(());
    }
    writeln!(out, "\nFindings:")?;
    for f in findings {
        let place = match (f.connection, f.dns) {
            (Some(c), _) => format!("connection {c}"),
            (None, Some(d)) => format!("dns {d}"),
            _ => "capture".into(),
        };
        let frames: Vec<String> = f.evidence.iter().map(|e| e.0.to_string()).collect();
        writeln!(
            out,
            "  [{}] {} ({place}; frames {}): {}",
            f.severity,
            f.code,
            if frames.is_empty() {
                "-".into()
            } else {
                frames.join(", ")
            },
            escape(&f.title)
        )?;
        writeln!(out, "      {}", escape(&f.detail))?;
        if let Some(r) = &f.remedy {
            writeln!(out, "      Fix: {}", escape(r))?;
        }
    }
    Ok(())
}
