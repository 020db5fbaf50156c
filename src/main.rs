//! The `tlsdiag` binary: parse arguments, call the library, print, exit
//! `0` (no error finding), `1` (an error finding), `2` (could not analyse).

#![forbid(unsafe_code)]

mod cli;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

use cli::{AnalyzeArgs, Cli, Command, Format};
use tlsdiag::report::{escape, explain, json, table};
use tlsdiag::{CaptureReader, Error, Options, Output, Severity};

/// Exit statuses (the contract's).
const EXIT_OK: u8 = 0;
const EXIT_FINDINGS: u8 = 1;
const EXIT_CANNOT: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Analyze(args) => analyze(args, false),
        Command::Explain(args) => analyze(args, true),
        Command::Profiles(args) => profiles(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::from(EXIT_OK),
        Err(e) => {
            eprintln!("tlsdiag: {}", escape(&format!("{e:#}")));
            ExitCode::from(EXIT_CANNOT)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
            || matches!(c.downcast_ref::<Error>(), Some(Error::Output(io)) if io.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn analyze(args: &AnalyzeArgs, narrative: bool) -> anyhow::Result<u8> {
    let options = Options::try_from(args)?;
    let stdout = io::stdout();
    let mut any_error = false;
    let mut unreadable = false;
    if args.format == Format::Ndjson {
        let mut out = io::BufWriter::new(stdout.lock());
        for path in &args.captures {
            let name = path.display().to_string();
            let reader = match CaptureReader::open(path) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("tlsdiag: {}", escape(&e.to_string()));
                    json::write_value_line(&mut out, &json::CaptureLine::unreadable(&name, &e))?;
                    unreadable = true;
                    continue;
                }
            };
            let mut failed = std::collections::BTreeSet::new();
            let mut write_err = None;
            let summary = tlsdiag::analyze_stream(reader, &options, &mut |item| {
                if let Output::Finding(f) = &item {
                    if f.severity == Severity::Error {
                        any_error = true;
                        failed.insert(f.connection.map_or(u64::MAX, u64::from));
                    }
                }
                if write_err.is_none() {
                    if let Err(e) = json::write_line(&mut out, &name, &item) {
                        write_err = Some(e);
                    }
                }
            })?;
            if let Some(e) = write_err {
                return Err(e.into());
            }
            let failed = failed.iter().filter(|c| **c != u64::MAX).count() as u64;
            json::write_value_line(
                &mut out,
                &json::CaptureLine::analysed(&name, &summary, failed),
            )?;
            out.flush()?;
        }
        out.flush()?;
    } else {
        // anstream strips colour when stdout is not a terminal or NO_COLOR is set.
        let mut out = anstream::stdout().lock();
        for (i, path) in args.captures.iter().enumerate() {
            let analysis = match tlsdiag::analyze_path(path, &options) {
                Ok(a) => a,
                Err(e) => {
                    out.flush()?;
                    eprintln!("tlsdiag: {}", escape(&e.to_string()));
                    unreadable = true;
                    continue;
                }
            };
            any_error |= analysis.has_error();
            if i > 0 && args.format == Format::Table {
                writeln!(out)?;
            }
            // Rendered whole, then written at once: the lock is line-buffered.
            let mut buf = Vec::new();
            match (args.format, narrative) {
                (Format::Json, _) => json::write_document(&mut buf, &analysis)?,
                (_, true) => explain::write_analysis(&mut buf, &analysis)?,
                _ => table::write_analysis(&mut buf, &analysis)?,
            }
            out.write_all(&buf)?;
        }
        out.flush()?;
    }
    Ok(if unreadable {
        EXIT_CANNOT
    } else if any_error {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

fn profiles(args: &cli::ProfileArgs) -> anyhow::Result<u8> {
    let set = args.profile_set()?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut t = comfy_table::Table::new();
    t.load_style(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
        .set_width(160)
        .set_header([
            "name",
            "hosts",
            "ports",
            "accepted suites",
            "versions",
            "expected issuers",
        ]);
    for p in set.forced.iter().chain(set.profiles.iter()) {
        t.add_row(vec![
            format!("{}\n{}", p.name, p.description),
            p.hosts.join("\n"),
            p.ports
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            if p.accepted_suites.is_empty() {
                "(not known)".to_string()
            } else {
                p.accepted_suites
                    .iter()
                    .map(|s| format!("{s} {}", s.name().unwrap_or("?")))
                    .collect::<Vec<_>>()
                    .join("\n")
            },
            p.versions
                .iter()
                .map(|v| v.name())
                .collect::<Vec<_>>()
                .join(", "),
            p.expected_issuers.join(", "),
        ]);
    }
    writeln!(out, "{t}")?;
    out.flush()?;
    Ok(EXIT_OK)
}
