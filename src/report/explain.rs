//! `explain`: for each failing connection a ladder diagram in text (frame, time
//! offset, arrow, message), then why it failed and what to do; one line per
//! healthy connection. Styles are plain `anstyle` values: the caller's writer
//! (anstream in `main`) strips them when the output is not a colour terminal or
//! `NO_COLOR` is set.

use std::io::Write;

use anstyle::{AnsiColor, Style};

use crate::Analysis;
use crate::connection::Connection;
use crate::diagnose::{Finding, Severity};
use crate::error::Error;
use crate::report::escape;
use crate::tls::codepoints::ProtocolVersion;

const RED: Style = AnsiColor::Red.on_default().bold();
const YELLOW: Style = AnsiColor::Yellow.on_default();
const GREEN: Style = AnsiColor::Green.on_default();
const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();

fn severity_style(s: Severity) -> Style {
    match s {
        Severity::Error => RED,
        Severity::Warning => YELLOW,
        Severity::Info => DIM,
    }
}

fn peer(c: &Connection) -> String {
    let server = match c.server.ip {
        std::net::IpAddr::V6(v6) => format!("[{v6}]:{}", c.server.port),
        std::net::IpAddr::V4(v4) => format!("{v4}:{}", c.server.port),
    };
    let client = match c.client.ip {
        std::net::IpAddr::V6(v6) => format!("[{v6}]:{}", c.client.port),
        std::net::IpAddr::V4(v4) => format!("{v4}:{}", c.client.port),
    };
    let via = c
        .proxy
        .as_ref()
        .map(|p| {
            format!(
                " via proxy → {}{}",
                escape(&p.host),
                p.port.map(|p| format!(":{p}")).unwrap_or_default()
            )
        })
        .unwrap_or_default();
    let sni = c
        .tls
        .as_ref()
        .and_then(|t| t.client_hello.as_ref())
        .and_then(|h| h.sni.as_deref())
        .filter(|_| c.proxy.is_none())
        .map(|s| format!(" ({})", escape(s)))
        .unwrap_or_default();
    format!("{client} → {server}{via}{sni}")
}

fn summary(c: &Connection) -> String {
    match &c.tls {
        Some(t) => {
            let negotiated = t
                .server_hello
                .as_ref()
                .map(|s| {
                    format!(
                        "{} {}",
                        s.version.map(ProtocolVersion::name).unwrap_or_default(),
                        s.cipher_suite.and_then(|x| x.name()).unwrap_or("?")
                    )
                })
                .unwrap_or_else(|| "no ServerHello".into());
            format!("{negotiated}, TLS {:?}", t.outcome).to_lowercase()
        }
        None => {
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
            if http.is_empty() {
                format!("TCP {:?}", c.tcp.outcome).to_lowercase()
            } else {
                format!("HTTP {}", http.join(", "))
            }
        }
    }
}

fn write_finding(out: &mut dyn Write, f: &Finding, indent: &str) -> Result<(), Error> {
    let st = severity_style(f.severity);
    writeln!(
        out,
        "{indent}{st}{} {}{st:#}: {BOLD}{}{BOLD:#}",
        f.severity,
        f.code,
        escape(&f.title)
    )?;
    writeln!(out, "{indent}  Why: {}", escape(&f.detail))?;
    let frames: Vec<String> = f.evidence.iter().map(|e| e.0.to_string()).collect();
    if !frames.is_empty() {
        writeln!(out, "{indent}  Evidence: frames {}", frames.join(", "))?;
    }
    if let Some(r) = &f.remedy {
        writeln!(out, "{indent}  {GREEN}Fix:{GREEN:#} {}", escape(r))?;
    }
    Ok(())
}

/// Writes the narrative of one analysis.
pub fn write_analysis(out: &mut dyn Write, a: &Analysis) -> Result<(), Error> {
    let failing: Vec<&Connection> = a
        .connections
        .iter()
        .filter(|c| {
            a.findings
                .iter()
                .any(|f| f.connection == Some(c.id) && f.severity <= Severity::Warning)
        })
        .collect();
    writeln!(
        out,
        "{BOLD}{}{BOLD:#} — {} frames, {} connections, {} with problems",
        escape(&a.capture),
        a.frames,
        a.connections.len(),
        failing.len()
    )?;
    for c in &a.connections {
        let findings: Vec<&Finding> = a
            .findings
            .iter()
            .filter(|f| f.connection == Some(c.id) && f.severity <= Severity::Warning)
            .collect();
        if findings.is_empty() {
            writeln!(
                out,
                "{GREEN}✓{GREEN:#} connection {}  {}  {}",
                c.id,
                peer(c),
                summary(c)
            )?;
            continue;
        }
        let worst = findings
            .iter()
            .map(|f| f.severity)
            .min()
            .unwrap_or(Severity::Info);
        let mark = if worst == Severity::Error { "✗" } else { "!" };
        let st = severity_style(worst);
        writeln!(out)?;
        writeln!(
            out,
            "{st}{mark}{st:#} {BOLD}connection {}{BOLD:#}  {}",
            c.id,
            peer(c)
        )?;
        writeln!(out, "  {DIM}frame   time      {:<6}  message{DIM:#}", "")?;
        for e in &c.timeline {
            let arrow = if e.from_client { "C → S" } else { "C ← S" };
            writeln!(
                out,
                "  {:>6}  +{:<8.3} {arrow}  {}",
                e.frame.0,
                e.ts.seconds_since(c.start),
                escape(&e.what)
            )?;
        }
        for f in findings {
            write_finding(out, f, "  ")?;
        }
    }
    let general: Vec<&Finding> = a
        .findings
        .iter()
        .filter(|f| f.connection.is_none() && f.severity <= Severity::Warning)
        .collect();
    if !general.is_empty() {
        writeln!(out)?;
        writeln!(out, "{BOLD}Name resolution and capture-wide{BOLD:#}")?;
        for f in general {
            write_finding(out, f, "  ")?;
        }
    }
    for w in &a.warnings {
        writeln!(out, "{YELLOW}warning:{YELLOW:#} {}", escape(&w.to_string()))?;
    }
    Ok(())
}
