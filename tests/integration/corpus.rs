//! The public corpus (`../shared/corpus/public`): for every capture, the frames
//! of ClientHellos, ServerHellos (HelloRetryRequests included) and plaintext
//! alerts must be the ones tshark reports in the oracle TSV, and the frame count
//! must match capinfos. Where tshark is known to be wrong the difference is
//! listed below with the reason.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn corpus_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/public");
    dir.join("manifest.json").exists().then_some(dir)
}

/// Known disagreements with the oracle, and why tshark is the one that is off.
const ORACLE_QUIRKS: &[(&str, &str)] = &[(
    "zeek__ssl-v2.pcap",
    "tshark files SSLv2 CLIENT-MASTER-KEY (message type 2, frame 8) under \
     tls.handshake.type == 2; the SERVER-HELLO is frame 6 (type 4)",
)];

#[derive(Default, Debug, PartialEq)]
struct Seen {
    client_hellos: BTreeSet<u64>,
    server_hellos: BTreeSet<u64>,
    alerts: BTreeSet<(u64, u64)>,
}

fn oracle(tsv: &Path) -> Seen {
    let text = std::fs::read_to_string(tsv).unwrap_or_default();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap_or(usize::MAX);
    let (frame, port, types, desc) = (
        col("frame.number"),
        col("tcp.srcport"),
        col("tls.handshake.type"),
        col("tls.alert_message.desc"),
    );
    let mut seen = Seen::default();
    for line in lines {
        let cells: Vec<&str> = line.split('\t').collect();
        let get = |i: usize| cells.get(i).copied().unwrap_or_default();
        if get(port).is_empty() {
            continue; // QUIC rows
        }
        let f: u64 = get(frame).parse().unwrap_or_default();
        for t in get(types).split(',') {
            match t {
                "1" => {
                    seen.client_hellos.insert(f);
                }
                "2" => {
                    seen.server_hellos.insert(f);
                }
                _ => {}
            }
        }
        for d in get(desc).split(',').filter(|d| !d.is_empty()) {
            seen.alerts.insert((f, d.parse().unwrap_or_default()));
        }
    }
    seen
}

fn ours(doc: &Value) -> Seen {
    let mut seen = Seen::default();
    let frame = |v: &Value| v["frame"].as_u64().unwrap_or_default();
    for c in doc["connections"].as_array().into_iter().flatten() {
        let tls = &c["tls"];
        if tls.is_null() {
            continue;
        }
        for k in ["client_hello", "second_client_hello"] {
            if !tls[k].is_null() {
                seen.client_hellos.insert(frame(&tls[k]));
            }
        }
        for k in ["server_hello", "hello_retry_request"] {
            if !tls[k].is_null() {
                seen.server_hellos.insert(frame(&tls[k]));
            }
        }
        for h in tls["later_hellos"].as_array().into_iter().flatten() {
            if h["type"] == "client_hello" {
                seen.client_hellos.insert(frame(h));
            } else {
                seen.server_hellos.insert(frame(h));
            }
        }
        for a in tls["alerts"].as_array().into_iter().flatten() {
            if a["encrypted"] == false {
                seen.alerts
                    .insert((frame(a), a["description"].as_u64().unwrap_or_default()));
            }
        }
    }
    seen
}

#[test]
fn hellos_and_alerts_match_tshark_on_every_corpus_capture() {
    let Some(dir) = corpus_dir() else {
        eprintln!("corpus not present; skipped");
        return;
    };
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("manifest.json")).unwrap_or_default(),
    )
    .unwrap_or_default();
    let files = manifest["files"].as_array().cloned().unwrap_or_default();
    assert!(files.len() >= 70, "manifest lists {} captures", files.len());
    let mut failures = Vec::new();
    for entry in &files {
        let name = entry["file"].as_str().unwrap_or_default();
        let analysis = match tlsdiag::analyze_path(&dir.join(name), &tlsdiag::Options::default()) {
            Ok(a) => a,
            Err(e) => {
                // The damaged capture must still be readable as far as it goes.
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let doc = serde_json::to_value(&analysis).unwrap_or_default();
        if analysis.frames != entry["packets"].as_u64().unwrap_or_default() {
            failures.push(format!(
                "{name}: {} frames, capinfos/tshark say {}",
                analysis.frames, entry["packets"]
            ));
        }
        let expected = oracle(&dir.join(entry["oracle"].as_str().unwrap_or_default()));
        let got = ours(&doc);
        if got != expected && !ORACLE_QUIRKS.iter().any(|(q, _)| *q == name) {
            failures.push(format!("{name}: ours {got:?}\n   tshark {expected:?}"));
        }
        // Counts in the manifest agree with the oracle rows we read.
        assert_eq!(
            expected.client_hellos.len() as u64,
            entry["tls_client_hellos"].as_u64().unwrap_or_default(),
            "{name}: oracle reading"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_ssl_v2_quirk_is_only_the_message_type() {
    let Some(dir) = corpus_dir() else { return };
    let a = tlsdiag::analyze_path(&dir.join("zeek__ssl-v2.pcap"), &tlsdiag::Options::default())
        .map_err(|e| e.to_string());
    let a = a.as_ref().ok();
    let tls = a
        .and_then(|a| a.connections.first())
        .and_then(|c| c.tls.as_ref());
    let ch = tls.and_then(|t| t.client_hello.as_ref());
    let sh = tls.and_then(|t| t.server_hello.as_ref());
    assert_eq!(ch.map(|c| c.frame.0), Some(4));
    assert_eq!(
        ch.map(|c| c.record_version.to_string()).as_deref(),
        Some("0x0002")
    );
    assert_eq!(sh.map(|s| s.frame.0), Some(6));
    assert_eq!(
        sh.and_then(|s| s.version).map(|v| v.to_string()).as_deref(),
        Some("0x0002")
    );
    assert_eq!(tls.map(|t| t.certificates.len()), Some(1));
    assert!(
        a.is_some_and(|a| a.warnings.is_empty()),
        "{:?}",
        a.map(|a| &a.warnings)
    );
}

/// JA4 of every ClientHello equals FoxIO's own snapshot for its captures.
#[test]
fn ja4_matches_foxio_snapshots() {
    let Some(dir) = corpus_dir() else { return };
    let mut checked = 0;
    for entry in std::fs::read_dir(dir.join("expected"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(capture) = name
            .strip_suffix(".insta.snap")
            .filter(|c| c.starts_with("ja4__"))
        else {
            continue;
        };
        let snap = std::fs::read_to_string(entry.path()).unwrap_or_default();
        let expected: BTreeSet<String> = snap
            .lines()
            .filter_map(|l| l.trim().strip_prefix("ja4: "))
            .filter(|v| v.starts_with('t'))
            .map(str::to_string)
            .collect();
        let a = tlsdiag::analyze_path(&dir.join(capture), &tlsdiag::Options::default());
        let got: BTreeSet<String> = a
            .iter()
            .flat_map(|a| a.connections.iter())
            .filter_map(|c| c.tls.as_ref()?.client_hello.as_ref()?.ja4.clone())
            .collect();
        assert_eq!(got, expected, "{capture}");
        checked += expected.len();
    }
    assert!(checked > 20, "only {checked} fingerprints checked");
}
