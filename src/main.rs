//! The `tlsdiag` binary: parse arguments, call the library, print, exit
//! `0` (no error finding), `1` (an error finding), `2` (could not analyse).

#![forbid(unsafe_code)]

mod cli;

/// mimalloc, not glibc's malloc: see Cargo.toml for why and what it measured.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

use cli::{
    AnalyzeArgs, Cli, Command, DiffArgs, DiffFormat, Format, ScanArgs, ScanFormat, SuitesArgs,
};
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
        Command::Suites(args) => suites(args),
        Command::Scan(args) => scan(args),
        Command::Diff(args) => diff(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::from(EXIT_OK),
        Err(e) => {
            // The chain, without causes the message already quotes (an I/O
            // error names its path and the OS's words, which are its source).
            let mut message = String::new();
            for cause in e.chain().map(ToString::to_string) {
                if !message.contains(&cause) {
                    if !message.is_empty() {
                        message.push_str(": ");
                    }
                    message.push_str(&cause);
                }
            }
            eprintln!("tlsdiag: {}", escape(&message));
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
        // One write(2) per 128 KiB, not per 8 KiB (three lines of a dense capture).
        let mut out = io::BufWriter::with_capacity(128 << 10, stdout.lock());
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
            // A connection's findings come just before it: counting distinct
            // connection ids in a row needs no per-connection memory.
            let mut failed = 0u64;
            let mut last_failed: Option<u32> = None;
            let mut write_err = None;
            let mut line = Vec::with_capacity(4096);
            let lines = json::CaptureLines::new(&name);
            let summary = tlsdiag::analyze_stream(reader, &options, &mut |item| {
                if let Output::Finding(f) = &item {
                    if f.severity == Severity::Error {
                        any_error = true;
                        if let Some(c) = f.connection.filter(|c| last_failed != Some(*c)) {
                            last_failed = Some(c);
                            failed += 1;
                        }
                    }
                }
                if write_err.is_none() {
                    lines.line_into(&mut line, &item);
                    if let Err(e) = out.write_all(&line) {
                        write_err = Some(Error::from(e));
                    }
                }
            })?;
            if let Some(e) = write_err {
                return Err(e.into());
            }
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
    let mut buf = Vec::new();
    tlsdiag::report::profiles::write(&mut buf, &set)?;
    let mut out = io::stdout().lock();
    out.write_all(&buf)?;
    out.flush()?;
    Ok(EXIT_OK)
}

fn suites(args: &SuitesArgs) -> anyhow::Result<u8> {
    use tlsdiag::diagnose::suite_list::{self, SuiteCheck};
    let set = args.profiles.profile_set()?;
    let Some(profile) = set
        .forced
        .as_ref()
        .filter(|p| !p.accepted_suites.is_empty())
    else {
        return Err(Error::Usage(
            "say which server to check against: --profile NAME (see `tlsdiag profiles`) or --accept SUITES".into(),
        )
        .into());
    };
    // A pasted list is a few KB; read at most 16 MiB of whatever is given.
    const MAX_LIST: u64 = 16 << 20;
    let mut bytes = Vec::new();
    if args.list.as_os_str() == "-" {
        io::Read::read_to_end(&mut io::Read::take(io::stdin(), MAX_LIST), &mut bytes)?;
    } else {
        let file = std::fs::File::open(&args.list).map_err(|source| Error::Io {
            path: args.list.clone(),
            source,
        })?;
        io::Read::read_to_end(&mut io::Read::take(file, MAX_LIST), &mut bytes)?;
    }
    let list = suite_list::parse(&suite_list::decode_text(&bytes));
    let check = SuiteCheck::new(&list, profile);
    let mut buf = Vec::new();
    if args.format == Format::Table {
        tlsdiag::report::suites::write(&mut buf, profile, &list, &check)?;
    } else {
        tlsdiag::report::suites::write_json(&mut buf, profile, &list, &check)?;
    }
    let mut out = io::stdout().lock();
    out.write_all(&buf)?;
    out.flush()?;
    Ok(if check.can_connect() {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    })
}

fn scan(args: &ScanArgs) -> anyhow::Result<u8> {
    use std::io::IsTerminal;
    use tlsdiag::report::fleet::Fleet;
    use tlsdiag::scan::{Progress, ScanOptions};

    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    let options = ScanOptions {
        analysis: Options {
            limits: tlsdiag::Limits::try_from(&args.limits)?,
            diagnosis: tlsdiag::diagnose::DiagnosisOptions {
                profiles: args.profiles.profile_set()?,
            },
            ..Options::default()
        },
        jobs,
        keep_lines: args.format == ScanFormat::Ndjson,
        exclude: args.out.iter().cloned().collect(),
    };
    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(io::BufWriter::new(std::fs::File::create(path).map_err(
            |source| Error::Io {
                path: path.clone(),
                source,
            },
        )?)),
        None => Box::new(io::BufWriter::new(io::stdout().lock())),
    };
    let bar = if io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} captures {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Some(bar)
    } else {
        None
    };
    let mut fleet = Fleet::default();
    let mut write_err: Option<io::Error> = None;
    let ndjson = args.format == ScanFormat::Ndjson;
    let totals = tlsdiag::scan::scan(
        &args.inputs,
        &options,
        &mut |result| {
            let mut emit = |line: &str| {
                if write_err.is_none() {
                    if let Err(e) = writeln!(out, "{line}") {
                        write_err = Some(e);
                    }
                }
            };
            match &result.outcome {
                Ok(digest) => {
                    fleet.add(&result.name, digest);
                    if ndjson {
                        for line in &digest.lines {
                            emit(line);
                        }
                        let line = serde_json::to_string(&digest.capture_line(&result.name))
                            .unwrap_or_default();
                        emit(&line);
                    }
                }
                Err(e) => {
                    fleet.add_unreadable(&result.name, e);
                    if ndjson {
                        let line =
                            serde_json::to_string(&json::CaptureLine::unreadable(&result.name, e))
                                .unwrap_or_default();
                        emit(&line);
                    }
                }
            }
        },
        &mut |p| {
            if let Some(bar) = &bar {
                match p {
                    Progress::Found => bar.inc_length(1),
                    Progress::Done => bar.inc(1),
                }
            }
        },
    )?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if let Some(e) = write_err {
        return Err(e.into());
    }
    fleet.skipped = totals.skipped;
    if ndjson {
        writeln!(out, "{}", fleet.scan_line())?;
    } else {
        let mut buf = Vec::new();
        fleet.write_table(&mut buf)?;
        out.write_all(&buf)?;
    }
    out.flush()?;
    Ok(if fleet.failed > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

fn diff(args: &DiffArgs) -> anyhow::Result<u8> {
    let options = Options {
        diagnosis: tlsdiag::diagnose::DiagnosisOptions {
            profiles: args.profiles.profile_set()?,
        },
        ..Options::default()
    };
    let good = tlsdiag::analyze_path(&args.good, &options)?;
    let bad = tlsdiag::analyze_path(&args.bad, &options)?;
    let d = tlsdiag::diff::diff(
        &good,
        &bad,
        args.server.as_deref(),
        &options.diagnosis.profiles,
    );
    let mut buf = Vec::new();
    if args.format == DiffFormat::Table {
        tlsdiag::report::diff::write(&mut buf, &d, args.all)?;
    } else {
        serde_json::to_writer_pretty(&mut buf, &d)?;
        buf.push(b'\n');
    }
    let mut out = anstream::stdout().lock();
    out.write_all(&buf)?;
    out.flush()?;
    Ok(if good.has_error() || bad.has_error() {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}
