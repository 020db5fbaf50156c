//! Hostile input (issue 7): corrupted captures, adversarial captures with
//! bounded memory and time, and terminal safety.
//!
//! **Corruption** (as Wireshark's `tools/fuzz-test.sh` does with editcap `-E`):
//! every fixture in `captures/` (and the public corpus, when present) has bytes
//! flipped at a fixed seed and rate (2% and 0.1%), and is cut at random offsets
//! (a deterministic PRNG: failures name the fixture, the variant and the seed).
//! For each variant tlsdiag must not panic, must finish within a time bound
//! (the analysis runs in a thread; the test fails if it overruns), and, once the
//! file header decodes, must return `Ok` with warnings — never an error. A few
//! variants also go through the binary, whose exit status must be 0 or 1.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use tlsdiag::capture::input;
use tlsdiag::report::{explain, json, table};
use tlsdiag::{Analysis, CaptureReader, Options};

/// Wall-clock bound for analysing one corrupted file (generous: debug builds
/// on a loaded 2-core machine; real runs take milliseconds).
const PER_FILE_BOUND: Duration = Duration::from_secs(10);

/// SplitMix64: a tiny deterministic PRNG (no crate needed, stable across versions).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % (n.max(1) as u64)) as usize
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn is_capture_name(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    name.ends_with(".pcap")
        || name.ends_with(".pcapng")
        || name.ends_with(".pcap.gz")
        || name.ends_with(".pcapng.gz")
}

/// The fixtures: `captures/*`, and the public corpus when it is there.
fn fixtures() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in [
        root().join("captures"),
        root().join("../shared/corpus/public"),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && is_capture_name(p))
            .collect();
        files.sort();
        out.extend(files);
    }
    out
}

/// A fixture's capture bytes (gzip-compressed fixtures are inflated first, so
/// that the corruption hits the capture, not the compression).
fn capture_bytes(path: &Path) -> Vec<u8> {
    let raw = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        let mut d = inflate(&raw);
        std::io::Read::read_to_end(&mut d, &mut out)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        out
    } else {
        raw
    }
}

/// Inflates through the library's own input sniffing (the test has no gzip crate).
fn inflate(raw: &[u8]) -> Box<dyn std::io::Read + Send + '_> {
    let input = input::from_reader(Path::new("gz"), Box::new(std::io::Cursor::new(raw)))
        .unwrap_or_else(|e| panic!("{e}"));
    input.stream
}

/// How a fixture was damaged.
#[derive(Debug, Clone, Copy)]
enum Damage {
    /// Each byte replaced by a random other value with probability `per_mille / 1000`.
    Flip { per_mille: u32, seed: u64 },
    /// The file cut at a random offset.
    Cut { seed: u64 },
}

fn damage(bytes: &[u8], how: Damage) -> Vec<u8> {
    match how {
        Damage::Flip { per_mille, seed } => {
            let mut rng = Rng(seed);
            let mut out = bytes.to_vec();
            for b in &mut out {
                if rng.next() % 100_000 < u64::from(per_mille) * 100 {
                    // XOR with a non-zero value: the byte always changes.
                    *b ^= (rng.next() % 255 + 1) as u8;
                }
            }
            out
        }
        Damage::Cut { seed } => {
            let mut rng = Rng(seed);
            let at = rng.below(bytes.len());
            bytes.get(..at).unwrap_or_default().to_vec()
        }
    }
}

/// What analysing one damaged input gave.
#[derive(Debug)]
enum Verdict {
    /// The header did not decode: an error is the right answer.
    BadHeader,
    /// Analysed, with this many warnings.
    Analysed { warnings: usize },
}

/// Analyses `bytes` in a thread, with a time bound; renders every report into
/// memory too (the table, explain and JSON writers see the damaged strings).
fn analyse_bounded(bytes: Vec<u8>, label: String) -> Verdict {
    let (tx, rx) = mpsc::channel();
    let name = label.clone();
    let worker = thread::Builder::new()
        .name(label.clone())
        .spawn(move || {
            let verdict = analyse(&bytes, &name);
            let _ = tx.send(());
            verdict
        })
        .unwrap_or_else(|e| panic!("spawn: {e}"));
    let started = Instant::now();
    if rx.recv_timeout(PER_FILE_BOUND).is_err() && !worker.is_finished() {
        panic!(
            "{label}: analysis still running after {:?} (hang?)",
            started.elapsed()
        );
    }
    match worker.join() {
        Ok(v) => v,
        Err(_) => panic!("{label}: tlsdiag panicked (see the message above)"),
    }
}

fn analyse(bytes: &[u8], name: &str) -> Verdict {
    let path = Path::new(name);
    let Ok(opened) = input::from_reader(path, Box::new(std::io::Cursor::new(bytes.to_vec())))
    else {
        return Verdict::BadHeader;
    };
    let Ok(reader) = CaptureReader::new(opened, path) else {
        return Verdict::BadHeader;
    };
    let analysis: Analysis = tlsdiag::analyze_reader(reader, name, &Options::default())
        .unwrap_or_else(|e| panic!("{name}: valid header, yet the analysis failed: {e}"));
    let mut sink = Vec::new();
    json::write_document(&mut sink, &analysis).unwrap_or_else(|e| panic!("{name}: json: {e}"));
    table::write_analysis(&mut sink, &analysis).unwrap_or_else(|e| panic!("{name}: table: {e}"));
    explain::write_analysis(&mut sink, &analysis)
        .unwrap_or_else(|e| panic!("{name}: explain: {e}"));
    Verdict::Analysed {
        warnings: analysis.warnings.len(),
    }
}

/// The damage applied to every fixture.
fn variants(index: usize) -> Vec<Damage> {
    let base = 0x7_1551_e000 + index as u64 * 16;
    vec![
        Damage::Flip {
            per_mille: 20,
            seed: base,
        },
        Damage::Flip {
            per_mille: 20,
            seed: base + 1,
        },
        Damage::Flip {
            per_mille: 1,
            seed: base + 2,
        },
        Damage::Flip {
            per_mille: 1,
            seed: base + 3,
        },
        Damage::Cut { seed: base + 4 },
        Damage::Cut { seed: base + 5 },
        Damage::Cut { seed: base + 6 },
    ]
}

#[test]
fn issue_7_corrupted_fixtures_never_panic_hang_or_fail_after_a_valid_header() {
    let files = fixtures();
    assert!(files.len() >= 30, "fixtures not found: {files:?}");
    // Two workers over the list: the suite runs on 2 cores.
    let jobs: Vec<(usize, PathBuf)> = files.into_iter().enumerate().collect();
    let chunks: Vec<Vec<(usize, PathBuf)>> = vec![
        jobs.iter().filter(|(i, _)| i % 2 == 0).cloned().collect(),
        jobs.iter().filter(|(i, _)| i % 2 == 1).cloned().collect(),
    ];
    let results: Vec<(usize, usize, usize)> = thread::scope(|s| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                s.spawn(move || {
                    let (mut tried, mut analysed, mut warned) = (0, 0, 0);
                    for (i, path) in chunk {
                        let bytes = capture_bytes(&path);
                        for how in variants(i) {
                            let label = format!("{} {how:?}", path.display());
                            let damaged = damage(&bytes, how);
                            tried += 1;
                            if let Verdict::Analysed { warnings } = analyse_bounded(damaged, label)
                            {
                                analysed += 1;
                                warned += usize::from(warnings > 0);
                            }
                        }
                    }
                    (tried, analysed, warned)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| panic!("worker panicked")))
            .collect()
    });
    let tried: usize = results.iter().map(|r| r.0).sum();
    let analysed: usize = results.iter().map(|r| r.1).sum();
    let warned: usize = results.iter().map(|r| r.2).sum();
    eprintln!(
        "corrupted files tried: {tried}; header valid and analysed: {analysed}; with warnings: {warned}"
    );
    // Most damaged files keep a readable header: the check above must have bitten.
    assert!(analysed * 2 > tried, "{analysed} of {tried} analysed");
}

#[test]
fn issue_7_corrupted_fixtures_through_the_binary_exit_0_or_1() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("issue_7_corrupted");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let files = fixtures();
    let mut ran = 0;
    // Every seventh fixture, each damage kind once: a handful of runs.
    for (i, path) in files.iter().enumerate().step_by(7) {
        let bytes = capture_bytes(path);
        for how in variants(i).into_iter().step_by(2) {
            let damaged = damage(&bytes, how);
            let header_ok = matches!(
                input::from_reader(
                    Path::new("x"),
                    Box::new(std::io::Cursor::new(damaged.clone()))
                )
                .and_then(|i| CaptureReader::new(i, Path::new("x")).map(|_| ())),
                Ok(())
            );
            let file = dir.join(format!("{i}-{ran}.pcap"));
            std::fs::write(&file, &damaged).unwrap_or_else(|e| panic!("{e}"));
            for args in [
                &["analyze"][..],
                &["analyze", "--format", "json"],
                &["explain"],
            ] {
                let out = assert_cmd::Command::cargo_bin("tlsdiag")
                    .unwrap_or_else(|e| panic!("{e}"))
                    .args(args)
                    .arg(&file)
                    .timeout(Duration::from_secs(60))
                    .output()
                    .unwrap_or_else(|e| panic!("{e}"));
                let stderr = String::from_utf8_lossy(&out.stderr);
                let label = format!("{} {how:?} {args:?}", path.display());
                assert!(!stderr.contains("panicked"), "{label}: {stderr}");
                let code = out.status.code();
                if header_ok {
                    assert!(
                        matches!(code, Some(0 | 1)),
                        "{label}: exit {code:?}: {stderr}"
                    );
                } else {
                    assert_eq!(code, Some(2), "{label}: {stderr}");
                }
            }
            ran += 1;
        }
    }
    assert!(ran >= 10, "only {ran} damaged files through the binary");
}
