//! `scan` over a directory tree, a tar.gz and a zip made of real fixtures, with
//! a corrupt member and files that are not captures: the counts of the fleet
//! summary, the order of the results, and the NDJSON lines.

use std::io::Write;
use std::path::{Path, PathBuf};

use tlsdiag::Options;
use tlsdiag::report::fleet::Fleet;
use tlsdiag::scan::{ScanOptions, scan};

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("captures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A scratch directory unique to this test process and tag.
fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tlsdiag-scan-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("site-a/endpoint-1")).unwrap_or_default();
    dir
}

/// The tree: 3 plain captures, a gzip capture, a truncated capture, a file
/// with a capture name but garbage inside, notes, a tar.gz (2 captures + a
/// README) and a zip (2 captures + a script).
fn build_tree(dir: &Path) {
    let write = |rel: &str, bytes: &[u8]| {
        let p = dir.join(rel);
        std::fs::write(&p, bytes).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    };
    write(
        "site-a/endpoint-1/bad.pcapng",
        &fixture("tetra-cipher-mismatch.pcapng"),
    );
    write(
        "site-a/endpoint-1/good.pcapng",
        &fixture("tetra-good.pcapng"),
    );
    write("site-a/refused.pcapng", &fixture("tcp-refused.pcapng"));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = gz.write_all(&fixture("tls13-hrr.pcapng"));
    write("site-a/hrr.pcapng.gz", &gz.finish().unwrap_or_default());
    let cut = fixture("tls13-ok.pcapng");
    write("site-a/cut.pcapng", &cut[..cut.len() / 2]);
    write("site-a/broken.pcap", b"\xd4\xc3\xb2\xa1\x02");
    write("site-a/notes.txt", b"endpoint 1 fails since Monday\n");

    let fleet = tar_of(
        &[
            (
                "fleet/ep-17.pcapng",
                fixture("tetra-cipher-mismatch.pcapng"),
            ),
            ("fleet/ep-18.pcapng", fixture("proxy-407.pcapng")),
            ("fleet/README", b"collected 2026-11".to_vec()),
        ],
        true,
    );
    write("fleet.tar.gz", &fleet);

    let bundle = zip_of(&[
        (
            "bundle/ep-40.pcapng",
            fixture("tetra-cipher-mismatch.pcapng"),
        ),
        ("bundle/ep-41.pcapng", fixture("http-405.pcapng")),
        (
            "bundle/collect.ps1",
            b"Get-TlsCipherSuite | ft name".to_vec(),
        ),
    ]);
    write("support-bundle.zip", &bundle);
}

fn run(dir: &Path, jobs: usize) -> (Fleet, Vec<String>) {
    let options = ScanOptions {
        analysis: Options::default(),
        jobs,
        keep_lines: true,
        exclude: Vec::new(),
    };
    let mut fleet = Fleet::default();
    let mut order = Vec::new();
    let totals = scan(
        &[dir.to_path_buf()],
        &options,
        &mut |r| {
            order.push(r.name.clone());
            match &r.outcome {
                Ok(d) => fleet.add(&r.name, d),
                Err(e) => fleet.add_unreadable(&r.name, e),
            }
        },
        &mut |_| {},
    )
    .unwrap_or_else(|e| panic!("scan: {e}"));
    fleet.skipped = totals.skipped;
    (fleet, order)
}

#[test]
fn fleet_summary_counts() {
    let dir = scratch("counts");
    build_tree(&dir);
    let (fleet, order) = run(&dir, 2);
    // 10 captures: 5 plain/gz/cut in the tree, 2 in the tar.gz, 2 in the zip
    // (broken.pcap is unreadable, so 9 analysed + 1 unreadable).
    assert_eq!(fleet.captures, 9, "{order:?}");
    assert_eq!(fleet.unreadable, 1);
    assert_eq!(fleet.skipped, 3, "notes.txt, README, collect.ps1");
    // Failing: 3 × tetra mismatch, refused, proxy 407, http 405.
    assert_eq!(fleet.failed, 6);
    let code = |c: &str| {
        fleet
            .codes
            .iter()
            .find(|(k, _)| k.as_str() == c)
            .map(|(_, v)| *v)
            .unwrap_or_default()
    };
    assert_eq!(code("no-shared-cipher"), (3, 3));
    assert_eq!(code("proxy-auth-required"), (1, 1));
    assert_eq!(code("http-error"), (1, 1));
    // The same 16 suites offered to tetra in three captures, grouped.
    let tetra = fleet
        .offers
        .iter()
        .find(|((server, _, _), _)| server.starts_with("tetra-defs.amp.cisco.com"))
        .map(|((_, suites, _), caps)| (suites.len(), *caps));
    assert_eq!(tetra, Some((17, 3)), "16 suites + SCSV, in 3 captures");
    let cut = fleet
        .rows
        .iter()
        .find(|r| r.capture.ends_with("cut.pcapng"));
    assert!(
        cut.is_some_and(|r| r.warnings == 1 && r.error.is_none()),
        "{cut:?}"
    );
    // Names of archive members carry the archive path.
    assert!(
        order
            .iter()
            .any(|n| n.ends_with("fleet.tar.gz!/fleet/ep-17.pcapng"))
    );
    assert!(
        order
            .iter()
            .any(|n| n.ends_with("support-bundle.zip!/bundle/ep-41.pcapng"))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn order_is_stable_whatever_the_jobs() {
    let dir = scratch("order");
    build_tree(&dir);
    let (_, one) = run(&dir, 1);
    let (_, four) = run(&dir, 4);
    assert_eq!(one, four);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ndjson_lines_per_capture_and_scan_totals() {
    let dir = scratch("cli");
    build_tree(&dir);
    let out = assert_cmd::Command::cargo_bin("tlsdiag")
        .unwrap_or_else(|e| panic!("{e}"))
        .args(["scan", "-j", "2", "--format", "ndjson"])
        .arg(&dir)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(1), "errors found → exit 1, not 2");
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let kind = |k: &str| lines.iter().filter(|l| l["kind"] == k).count();
    assert_eq!(kind("capture"), 10, "one per capture, unreadable included");
    assert_eq!(kind("scan"), 1);
    let last = lines.last().cloned().unwrap_or_default();
    assert_eq!(last["kind"], "scan");
    assert_eq!(last["captures"], 9);
    assert_eq!(last["unreadable"], 1);
    assert_eq!(last["skipped"], 3);
    assert_eq!(last["failed"], 6);
    let broken = lines.iter().find(|l| {
        l["kind"] == "capture"
            && l["capture"]
                .as_str()
                .is_some_and(|c| c.ends_with("broken.pcap"))
    });
    assert!(broken.is_some_and(|b| b["error"].is_string()), "{broken:?}");
    // Every connection line is tagged with its capture path.
    assert!(
        lines
            .iter()
            .filter(|l| l["kind"] == "connection")
            .all(|l| l["capture"].is_string())
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fleet_counts_go_beyond_what_a_digest_keeps() {
    // 1,000 unanswered SYNs in one capture: a digest keeps 256 findings and 256
    // failing connections, but the fleet's counts must cover all of them.
    let dir = scratch("uncapped");
    let prefix = crate::robustness::pcap_prefix("syn-flood.pcap.gz", 1000);
    let mut bytes = std::fs::read(&prefix).unwrap_or_else(|e| panic!("{e}"));
    // The first SYN again 10 s later, so that the capture does not stop right
    // after the SYNs (which would be too soon to call them unanswered).
    let len = u32::from_le_bytes([bytes[32], bytes[33], bytes[34], bytes[35]]) as usize;
    let mut again = bytes[24..24 + 16 + len].to_vec();
    let sec = u32::from_le_bytes([again[0], again[1], again[2], again[3]]) + 10;
    again[..4].copy_from_slice(&sec.to_le_bytes());
    bytes.extend_from_slice(&again);
    std::fs::write(dir.join("flood.pcap"), bytes).unwrap_or_else(|e| panic!("{e}"));
    let (fleet, _) = run(&dir, 1);
    assert_eq!(fleet.captures, 1);
    assert_eq!(fleet.rows.first().map(|r| r.failed), Some(1000));
    let unanswered = fleet
        .codes
        .iter()
        .find(|(k, _)| k.as_str() == "tcp-unanswered")
        .map(|(_, v)| *v);
    assert_eq!(unanswered, Some((1000, 1)));
    assert_eq!(fleet.servers.get("10.0.0.1:443"), Some(&(1000, 1)));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_cut_gzip_is_unreadable_and_a_gzipped_log_skipped_wherever_they_are() {
    let dir = scratch("gzip");
    let gzip = |bytes: &[u8]| {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let _ = gz.write_all(bytes);
        gz.finish().unwrap_or_default()
    };
    let capture = gzip(&fixture("tls13-ok.pcapng"));
    let cut = capture.get(..8).unwrap_or_default().to_vec(); // inside the gzip header
    let log = gzip(b"Nov 23 10:00:01 agent: update failed (-3000)\n");
    for (name, bytes) in [("cut.pcap.gz", &cut), ("agent.log.gz", &log)] {
        std::fs::write(dir.join(name), bytes).unwrap_or_else(|e| panic!("{e}"));
    }
    let tgz = tar_of(
        &[("cut.pcap.gz", cut.clone()), ("agent.log.gz", log.clone())],
        true,
    );
    std::fs::write(dir.join("bundle.tgz"), tgz).unwrap_or_else(|e| panic!("{e}"));
    let (fleet, order) = run(&dir, 2);
    assert_eq!(fleet.unreadable, 2, "{order:?}");
    assert_eq!(fleet.skipped, 2, "{order:?}");
    // The unreadable ones are the cut capture, in the directory and in the tgz.
    let unreadable: Vec<&str> = fleet
        .rows
        .iter()
        .filter(|r| r.error.is_some())
        .map(|r| r.capture.as_str())
        .collect();
    assert_eq!(unreadable.len(), 2);
    assert!(
        unreadable.iter().all(|n| n.ends_with("cut.pcap.gz")),
        "{unreadable:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn symlink_loops_and_special_files_neither_repeat_nor_hang() {
    let dir = scratch("loops");
    std::fs::write(dir.join("site-a/good.pcapng"), fixture("tetra-good.pcapng"))
        .unwrap_or_else(|e| panic!("{e}"));
    // a/up -> .. and again -> site-a: a loop and a second way to the same files.
    std::os::unix::fs::symlink("..", dir.join("site-a/endpoint-1/up"))
        .unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink("site-a", dir.join("again")).unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink("site-a/good.pcapng", dir.join("alias.pcapng"))
        .unwrap_or_else(|e| panic!("{e}"));
    // A socket: opening it for reading would fail or block, like a FIFO.
    let _listener = std::os::unix::net::UnixListener::bind(dir.join("site-a/agent.sock"))
        .unwrap_or_else(|e| panic!("{e}"));
    let (fleet, order) = run(&dir, 2);
    assert_eq!(fleet.captures, 1, "{order:?}");
    assert_eq!(fleet.unreadable, 0, "{order:?}");
    assert_eq!(fleet.skipped, 1, "the socket");
    let _ = std::fs::remove_dir_all(&dir);
}

/// zstd, xz and bzip2 (made by the real tools: captures/compressed/make.sh)
/// are read like gzip, as captures and as tar archives, and zip members
/// compressed with bzip2 like deflated ones; a cut stream is
/// unreadable and says which format; lz4 is named, never silently skipped.
#[test]
fn zstd_xz_bzip2_captures_and_archives_are_read() {
    let dir = scratch("compressions");
    for name in [
        "fleet.tar.xz",
        "fleet.tar.zst",
        "fleet.tar.bz2",
        "fleet-bzip2.zip",
        "tls13-ok.pcapng.xz",
        "tetra-good.pcapng.zst",
    ] {
        std::fs::write(dir.join(name), fixture(&format!("compressed/{name}")))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let bz2 = fixture("compressed/tls13-ok.pcapng.bz2");
    std::fs::write(dir.join("cut.pcapng.bz2"), &bz2[..bz2.len() / 2])
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("ep.pcapng.lz4"), b"\x04\x22\x4d\x18\x64\x40\xa7")
        .unwrap_or_else(|e| panic!("{e}"));
    // `tar -C dir .` stores ./name.
    let bundle = tar_of(&[("./ep-1.pcapng", fixture("tls13-ok.pcapng"))], false);
    std::fs::write(dir.join("bundle.tar"), bundle).unwrap_or_else(|e| panic!("{e}"));
    let (fleet, order) = run(&dir, 2);
    // 4 archives of 2 captures, 2 single captures, the tar's one; the cut
    // bzip2 (its one block cannot be decoded) and the lz4 file unreadable.
    assert_eq!((fleet.captures, fleet.unreadable), (11, 2), "{order:?}");
    for archive in [
        "fleet.tar.xz",
        "fleet.tar.zst",
        "fleet.tar.bz2",
        "fleet-bzip2.zip",
    ] {
        for member in ["tetra-good.pcapng", "tetra-cipher-mismatch.pcapng"] {
            let name = format!("{archive}!/{member}");
            assert!(
                order.iter().any(|n| n.ends_with(&name)),
                "{name}: {order:?}"
            );
        }
    }
    // the four failing endpoints of the archives, nothing else
    assert_eq!(fleet.failed, 4, "{order:?}");
    let rows: Vec<String> = fleet
        .rows
        .iter()
        .map(|r| format!("{} {:?} {}", r.capture, r.error, r.warnings))
        .collect();
    let lz4 = fleet
        .rows
        .iter()
        .find(|r| r.capture.ends_with("ep.pcapng.lz4"));
    assert!(
        lz4.and_then(|r| r.error.as_deref())
            .is_some_and(|e| e.contains("lz4-compressed")),
        "{rows:?}"
    );
    let cut = fleet
        .rows
        .iter()
        .find(|r| r.capture.ends_with("cut.pcapng.bz2"));
    assert!(
        cut.and_then(|r| r.error.as_deref())
            .is_some_and(|e| e.contains("bzip2 data: ")),
        "{rows:?}"
    );
    assert!(
        order.iter().any(|n| n.ends_with("bundle.tar!/ep-1.pcapng")),
        "{order:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_cut_tar_gz_gives_its_partial_member_once() {
    let dir = scratch("cut-tgz");
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::none(),
    ));
    for (name, file) in [
        ("a.pcapng", "tetra-good.pcapng"),
        ("b.pcapng", "http-continue.pcapng"),
    ] {
        let bytes = fixture(file);
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        let _ = tar.append_data(&mut header, name, bytes.as_slice());
    }
    let tgz = tar
        .into_inner()
        .unwrap_or_else(|e| panic!("{e}"))
        .finish()
        .unwrap_or_default();
    // Cut in the middle of b.pcapng (stored, so offsets are the tar's).
    let cut = fixture("tetra-good.pcapng").len() + 512 * 3 + 20_000;
    std::fs::write(dir.join("cut.tgz"), tgz.get(..cut).unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));
    let (fleet, order) = run(&dir, 1);
    assert_eq!((fleet.captures, fleet.unreadable), (2, 0), "{order:?}");
    let b = fleet
        .rows
        .iter()
        .find(|r| r.capture.ends_with("!/b.pcapng"))
        .unwrap_or_else(|| panic!("{order:?}"));
    assert!(b.warnings >= 1, "the cut member says where it stops");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_zip_member_that_cannot_be_read_is_named() {
    let dir = scratch("zip-method");
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let _ = zip.start_file("site/ep-7.pcapng", opts);
    let _ = zip.write_all(&fixture("tls13-ok.pcapng"));
    let mut bytes = zip
        .finish()
        .unwrap_or_else(|e| panic!("zip: {e}"))
        .into_inner();
    // Say the member is bzip2-compressed (method 12), in its local header and
    // in the central directory, while its data is stored: the decoder fails
    // on its first byte, and the member must be named, not skipped.
    let set_method = |bytes: &mut Vec<u8>, signature: &[u8], offset: usize| {
        let at = bytes
            .windows(4)
            .position(|w| w == signature)
            .unwrap_or_else(|| panic!("no {signature:?}"));
        if let Some(m) = bytes.get_mut(at + offset..at + offset + 2) {
            m.copy_from_slice(&12u16.to_le_bytes());
        }
    };
    set_method(&mut bytes, b"PK\x03\x04", 8);
    set_method(&mut bytes, b"PK\x01\x02", 10);
    std::fs::write(dir.join("bundle.zip"), bytes).unwrap_or_else(|e| panic!("{e}"));
    let (fleet, order) = run(&dir, 1);
    assert_eq!(fleet.unreadable, 1, "{order:?}");
    assert!(
        order
            .iter()
            .any(|n| n.ends_with("bundle.zip!/site/ep-7.pcapng")),
        "{order:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn tar_of(members: &[(&str, Vec<u8>)], gzip: bool) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    for (name, bytes) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        let _ = tar.append_data(&mut header, name, bytes.as_slice());
    }
    let tar = tar.into_inner().unwrap_or_else(|e| panic!("tar: {e}"));
    if !gzip {
        return tar;
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = gz.write_all(&tar);
    gz.finish().unwrap_or_else(|e| panic!("gzip: {e}"))
}

fn zip_of(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in members {
        let _ = zip.start_file(*name, zip::write::SimpleFileOptions::default());
        let _ = zip.write_all(bytes);
    }
    zip.finish()
        .unwrap_or_else(|e| panic!("zip: {e}"))
        .into_inner()
}

#[test]
fn archives_inside_archives_are_opened_to_a_depth() {
    let dir = scratch("nested");
    let ok = fixture("tls13-ok.pcapng");
    let rejected = fixture("handshake-rejected.pcapng");
    // A support bundle: a zip of per-host archives (a tar.gz, a zip), itself
    // shipped inside a tar.
    let host1 = tar_of(&[("a.pcapng", ok.clone())], true);
    let host2 = zip_of(&[("b.pcapng", rejected.clone()), ("notes.txt", b"x".to_vec())]);
    let bundle = zip_of(&[("host1.tar.gz", host1), ("host2.zip", host2)]);
    std::fs::write(dir.join("bundle.zip"), &bundle).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.join("shipment.tar"),
        tar_of(&[("bundle.zip", bundle)], false),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // Six zips deep: opened to MAX_NESTING, then reported, never recursed forever.
    let mut deep = zip_of(&[("x.pcapng", ok)]);
    for _ in 0..6 {
        deep = zip_of(&[("inner.zip", deep)]);
    }
    std::fs::write(dir.join("deep.zip"), deep).unwrap_or_else(|e| panic!("{e}"));
    for jobs in [1, 2] {
        let (fleet, order) = run(&dir, jobs);
        let expected = [
            "bundle.zip!/host1.tar.gz!/a.pcapng",
            "bundle.zip!/host2.zip!/b.pcapng",
            "shipment.tar!/bundle.zip!/host1.tar.gz!/a.pcapng",
            "shipment.tar!/bundle.zip!/host2.zip!/b.pcapng",
        ];
        for name in expected {
            assert!(order.iter().any(|n| n.ends_with(name)), "{name}: {order:?}");
        }
        assert_eq!((fleet.captures, fleet.failed), (4, 2), "{order:?}");
        assert_eq!(fleet.skipped, 2, "the notes in both copies of host2.zip");
        assert_eq!(fleet.unreadable, 1, "{order:?}");
        let errors: Vec<String> = fleet.rows.iter().filter_map(|r| r.error.clone()).collect();
        assert!(
            errors.iter().any(|e| e.contains("nested more than")),
            "{errors:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
