//! Command line: clap structs as parsed, then validated [`tlsdiag::Options`]
//! built once (profiles loaded, suite lists parsed).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use tlsdiag::diagnose::profiles::{ProfileSet, ServerProfile, parse_suite};
use tlsdiag::{Error, Limits, Options};

/// Reads packet captures and explains why TLS connections fail.
#[derive(Debug, Parser)]
#[command(name = "tlsdiag", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// One row per TCP connection (TLS, proxy, HTTP), DNS, and findings.
    Analyze(AnalyzeArgs),
    /// For each failing connection: a timeline, why it failed, what to do.
    Explain(AnalyzeArgs),
    /// List the server profiles (built-in and from --profiles files).
    Profiles(ProfileArgs),
    /// Check a client's enabled suites (Get-TlsCipherSuite output, an OpenSSL
    /// cipher string or hex codes) against a server profile, and print the fix.
    Suites(SuitesArgs),
    /// Compare a good and a failing capture, server by server.
    Diff(DiffArgs),
    /// Analyse directories and archives (tar, tar.gz, zip, .gz) of captures in
    /// parallel; a row per capture, then a fleet summary.
    Scan(ScanArgs),
}

/// Arguments of `diff`.
#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// The capture from the endpoint that works.
    #[arg(value_name = "GOOD")]
    pub good: PathBuf,
    /// The capture from the endpoint that fails.
    #[arg(value_name = "BAD")]
    pub bad: PathBuf,
    /// Only compare this server (name or address, a substring matches).
    #[arg(long, value_name = "NAME")]
    pub server: Option<String>,
    /// Show identical fields too.
    #[arg(long)]
    pub all: bool,
    /// Output format (table, or json for the whole comparison).
    #[arg(long, short, value_enum, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,
    /// Profiles and accepted suites.
    #[command(flatten)]
    pub profiles: ProfileArgs,
}

/// Arguments of `scan`.
#[derive(Debug, Clone, Args)]
pub struct ScanArgs {
    /// Files, directories (recursive) and archives.
    #[arg(required = true, value_name = "PATH")]
    pub inputs: Vec<PathBuf>,
    /// Worker threads (default: the number of cores).
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Output format: a table and summary, or NDJSON (the contract's lines).
    #[arg(long, short, value_enum, default_value_t = ScanFormat::Table)]
    pub format: ScanFormat,
    /// Write the report to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Profiles and accepted suites.
    #[command(flatten)]
    pub profiles: ProfileArgs,
    /// Resource caps per capture.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Resource caps (`analyze`, `explain`, `scan`).
#[derive(Debug, Clone, Args)]
pub struct LimitArgs {
    /// Most connections tracked at once; the longest idle are finalized early
    /// (with a warning) when it is reached.
    #[arg(long, default_value_t = Limits::default().max_flows, value_name = "N")]
    pub max_flows: usize,
    /// MiB held across all connections for out-of-order TCP data, and as much
    /// again for partial messages (TLS records, HTTP heads, DNS over TCP).
    #[arg(long, default_value_t = Limits::default().max_held_bytes >> 20, value_name = "MIB")]
    pub max_buffer_mib: usize,
}

impl TryFrom<&LimitArgs> for Limits {
    type Error = Error;

    fn try_from(args: &LimitArgs) -> Result<Self, Self::Error> {
        if args.max_flows == 0 {
            return Err(Error::Usage("--max-flows must be at least 1".into()));
        }
        Ok(Limits {
            max_flows: args.max_flows,
            max_held_bytes: args.max_buffer_mib.saturating_mul(1 << 20),
        })
    }
}

/// Arguments of `suites`.
#[derive(Debug, Clone, Args)]
pub struct SuitesArgs {
    /// The list: a file, or `-` (the default) for standard input.
    #[arg(value_name = "LIST", default_value = "-")]
    pub list: PathBuf,
    /// Profiles and accepted suites (a profile or --accept is required).
    #[command(flatten)]
    pub profiles: ProfileArgs,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Output formats of `analyze`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Tables for people.
    Table,
    /// One JSON document per capture (the contract).
    Json,
    /// One JSON object per line, streamed.
    Ndjson,
}

/// Output formats of `diff` (one comparison: a table or one JSON document).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Side-by-side tables for people.
    Table,
    /// One JSON document.
    Json,
}

/// Output formats of `scan` (many captures: a table or streamed lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    /// A row per capture and the fleet summary.
    Table,
    /// The contract's NDJSON lines, tagged with each capture's path.
    Ndjson,
}

/// Where the diagnosis' knowledge comes from.
#[derive(Debug, Clone, Args)]
pub struct ProfileArgs {
    /// Judge every TLS connection against this profile (see `tlsdiag profiles`).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Judge every TLS connection against this accepted-suite list
    /// (hex codes or IANA names, comma-separated).
    #[arg(long, value_name = "SUITES", value_delimiter = ',')]
    pub accept: Vec<String>,
    /// Load more profiles from a TOML file (can repeat).
    #[arg(long, value_name = "FILE")]
    pub profiles: Vec<PathBuf>,
}

/// Arguments of `analyze` and `explain`.
#[derive(Debug, Clone, Args)]
pub struct AnalyzeArgs {
    /// Capture files (pcap, pcapng; optionally gzip, zstd, xz or bzip2-compressed); `-` reads stdin.
    #[arg(required = true, value_name = "CAPTURE")]
    pub captures: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Profiles and accepted suites.
    #[command(flatten)]
    pub profiles: ProfileArgs,
    /// Resource caps.
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Connections kept in a table or JSON report (NDJSON streams them all).
    #[arg(long, default_value_t = tlsdiag::MAX_DOCUMENT_RECORDS, value_name = "N")]
    pub max_records: usize,
}

impl ProfileArgs {
    /// Builds the profile set: built-ins, files, then a forced profile.
    pub fn profile_set(&self) -> Result<ProfileSet, Error> {
        let mut set = ProfileSet::default();
        for path in &self.profiles {
            let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
            set.load_toml(&text, &path.display().to_string())?;
        }
        if let Some(name) = &self.profile {
            let p = set.by_name(name).cloned().ok_or_else(|| {
                let names: Vec<&str> = set.profiles.iter().map(|p| p.name.as_str()).collect();
                Error::Usage(format!(
                    "no profile named '{name}' (known: {})",
                    names.join(", ")
                ))
            })?;
            set.forced = Some(p);
        }
        if !self.accept.is_empty() {
            let suites = self
                .accept
                .iter()
                .filter(|s| !s.trim().is_empty())
                .map(|s| parse_suite(s).map_err(|e| Error::Usage(format!("--accept: {e}"))))
                .collect::<Result<Vec<_>, _>>()?;
            let base = set.forced.take();
            let mut p = base.unwrap_or(ServerProfile {
                name: "--accept".into(),
                description: "suites given on the command line".into(),
                hosts: Vec::new(),
                ports: Vec::new(),
                accepted_suites: Vec::new(),
                versions: Vec::new(),
                expected_issuers: Vec::new(),
                http_paths: Vec::new(),
                key: None,
            });
            p.accepted_suites = suites;
            set.forced = Some(p);
        }
        Ok(set)
    }
}

impl TryFrom<&AnalyzeArgs> for Options {
    type Error = Error;

    fn try_from(args: &AnalyzeArgs) -> Result<Self, Self::Error> {
        Ok(Options {
            limits: Limits::try_from(&args.limits)?,
            diagnosis: tlsdiag::diagnose::DiagnosisOptions {
                profiles: args.profiles.profile_set()?,
            },
            max_records: args.max_records.max(1),
        })
    }
}
