//! The binary: exit statuses, stdin and gzip input, output formats, profile
//! options and the helper subcommands.

use std::io::Write;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn tlsdiag() -> Command {
    let mut c = Command::cargo_bin("tlsdiag").unwrap_or_else(|e| panic!("{e}"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    c
}

fn capture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("captures")
        .join(name)
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn run(args: &[&str]) -> std::process::Output {
    tlsdiag()
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn exit_status_follows_the_contract() {
    assert_eq!(
        run(&["analyze", "captures/tetra-good.pcapng"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        run(&["analyze", "captures/tetra-cipher-mismatch.pcapng"])
            .status
            .code(),
        Some(1)
    );
    let bad = run(&["analyze", "captures/README.md"]);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("not a pcap or pcapng capture"), "{err}");
    assert_eq!(
        run(&["analyze", "captures/no-such-file.pcap"])
            .status
            .code(),
        Some(2)
    );
    // A truncated capture is analysed as far as it goes: not 2.
    let cut = run(&[
        "analyze",
        "--format",
        "json",
        "captures/truncated-last.pcap",
    ]);
    assert_ne!(cut.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&cut.stdout).unwrap_or_default();
    assert!(
        v["warnings"][0]
            .as_str()
            .is_some_and(|w| w.ends_with("truncated record, analysis stops here"))
    );
    // A usage error is 2.
    assert_eq!(run(&["analyze"]).status.code(), Some(2));
    assert_eq!(
        run(&["analyze", "--profile", "nope", "captures/tetra-good.pcapng"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn stdin_and_gzip_read_like_files() {
    let bytes = std::fs::read(capture("tetra-cipher-mismatch.pcapng")).unwrap_or_default();
    let from_file = run(&[
        "analyze",
        "--format",
        "json",
        "captures/tetra-cipher-mismatch.pcapng",
    ]);
    let from_stdin = tlsdiag()
        .args(["analyze", "--format", "json", "-"])
        .write_stdin(bytes.clone())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let strip = |o: &std::process::Output| {
        let mut v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
        v["capture"] = serde_json::Value::Null;
        v
    };
    assert_eq!(strip(&from_file), strip(&from_stdin));
    assert_eq!(from_stdin.status.code(), Some(1));

    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = gz.write_all(&bytes);
    let gz = gz.finish().unwrap_or_default();
    let from_gz = tlsdiag()
        .args(["analyze", "--format", "json", "-"])
        .write_stdin(gz)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(strip(&from_file), strip(&from_gz));
}

/// zstd, xz and bzip2 files (made by the tools) read like the plain capture,
/// from a file and from stdin; an archive given to `analyze` points to `scan`.
#[test]
fn zstd_xz_and_bzip2_read_like_files() {
    let json = |o: &std::process::Output| {
        let mut v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
        v["capture"] = serde_json::Value::Null;
        v
    };
    let plain = json(&run(&[
        "analyze",
        "--format",
        "json",
        "captures/tls13-ok.pcapng",
    ]));
    assert_eq!(plain["connections"].as_array().map(Vec::len), Some(1));
    for ext in ["zst", "xz", "bz2"] {
        let file = format!("captures/compressed/tls13-ok.pcapng.{ext}");
        let out = run(&["analyze", "--format", "json", &file]);
        assert_eq!(out.status.code(), Some(0), "{file}");
        assert_eq!(json(&out), plain, "{file}");
        let piped = tlsdiag()
            .args(["analyze", "--format", "json", "-"])
            .write_stdin(
                std::fs::read(capture(&format!("compressed/tls13-ok.pcapng.{ext}")))
                    .unwrap_or_default(),
            )
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(json(&piped), plain, "{file} from stdin");
    }
    let archive = run(&["analyze", "captures/compressed/fleet.tar.xz"]);
    assert_eq!(archive.status.code(), Some(2));
    let err = String::from_utf8_lossy(&archive.stderr);
    assert!(
        err.contains("xz data that is a tar archive: `tlsdiag scan`"),
        "{err}"
    );
}

#[test]
fn ndjson_lines_end_with_the_capture_line() {
    let out = run(&[
        "analyze",
        "--format",
        "ndjson",
        "captures/dns-nxdomain.pcapng",
        "captures/tetra-good.pcapng",
    ]);
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let kinds: Vec<&str> = lines.iter().filter_map(|l| l["kind"].as_str()).collect();
    assert!(kinds.contains(&"dns") && kinds.contains(&"finding") && kinds.contains(&"connection"));
    let captures: Vec<&serde_json::Value> =
        lines.iter().filter(|l| l["kind"] == "capture").collect();
    assert_eq!(
        captures.len(),
        2,
        "one capture line each, even without connections"
    );
    assert_eq!(captures[0]["connections"], 0);
    assert!(captures[0]["error"].is_null());
    // Each capture's lines come before its capture line.
    let first_capture_line = lines
        .iter()
        .position(|l| l["kind"] == "capture")
        .unwrap_or(0);
    assert!(
        lines[..first_capture_line]
            .iter()
            .all(|l| l["capture"] == "captures/dns-nxdomain.pcapng")
    );
}

#[test]
fn profiles_file_and_accept_list() {
    let dir = std::env::temp_dir().join(format!("tlsdiag-cli-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let toml = dir.join("mine.toml");
    let _ = std::fs::write(
        &toml,
        "[[profile]]\nname = \"corp-tetra\"\nhosts = [\"tetra-defs.amp.cisco.com\"]\naccepted_suites = [\"0xc013\"]\n",
    );
    // The user's profile wins over the built-in one: 0xc013 is offered, so
    // the mismatch is no longer about suites.
    let out = tlsdiag()
        .args(["analyze", "--format", "json", "--profiles"])
        .arg(&toml)
        .arg("captures/tetra-cipher-mismatch.pcapng")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(v["findings"][0]["code"], "handshake-rejected", "{v}");
    let out = run(&[
        "analyze",
        "--format",
        "json",
        "--accept",
        "0xc030,TLS_AES_128_GCM_SHA256",
        "captures/tetra-cipher-mismatch.pcapng",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(v["findings"][0]["code"], "no-shared-cipher");
    assert!(
        v["findings"][0]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("accepts 2"))
    );
    let listed = run(&["profiles", "--profiles", &toml.display().to_string()]);
    assert!(stdout(&listed).contains("corp-tetra"));
    assert!(stdout(&listed).contains("tetra-defs.amp.cisco.com"));
    let bad = dir.join("bad.toml");
    let _ = std::fs::write(
        &bad,
        "[[profile]]\nname = \"x\"\naccepted_suites = [\"0xzz\"]\n",
    );
    let out = tlsdiag()
        .args(["profiles", "--profiles"])
        .arg(&bad)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn suites_reads_powershell_output_and_prints_the_fix() {
    // What `Get-TlsCipherSuite | ft name > enabled.txt` writes in Windows
    // PowerShell 5.1: UTF-16LE with a BOM.
    let text = "\r\nName\r\n----\r\nTLS_RSA_WITH_AES_128_CBC_SHA256\r\nTLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\r\nTLS_DHE_DSS_WITH_AES_256_CBC_SHA\r\n\r\n";
    let mut bytes = vec![0xff, 0xfe];
    for u in text.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let out = tlsdiag()
        .args(["suites", "--profile", "tetra"])
        .write_stdin(bytes)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(1));
    let s = stdout(&out);
    assert!(
        s.contains("Enable-TlsCipherSuite -Name TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 -Position 0"),
        "{s}"
    );
    assert!(s.contains("SSL Cipher Suite Order"));
    let ok = tlsdiag()
        .args(["suites", "--profile", "tetra", "--format", "json"])
        .write_stdin("ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ok.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap_or_default();
    assert_eq!(v["can_connect"], true);
    assert_eq!(v["present"][0]["code"], "0xc02f");
    assert_eq!(
        run(&["suites", "captures/README.md"]).status.code(),
        Some(2),
        "no profile named"
    );
}

#[test]
fn explain_tells_the_story_without_colour_when_asked() {
    let out = run(&["explain", "captures/tetra-cipher-mismatch.pcapng"]);
    assert_eq!(out.status.code(), Some(1));
    let s = stdout(&out);
    assert!(!s.contains('\u{1b}'), "NO_COLOR means no escape sequences");
    for needle in [
        "CONNECT tetra-defs.amp.cisco.com:443",
        "ClientHello",
        "Alert fatal handshake_failure (40)",
        "no-shared-cipher",
        "Fix:",
    ] {
        assert!(s.contains(needle), "explain lacks {needle:?}:\n{s}");
    }
    let good = stdout(&run(&["explain", "captures/tls13-ok.pcapng"]));
    assert!(good.contains("✓ connection 0"), "{good}");
}

#[test]
fn pcapng_sections_are_read_one_after_another() {
    // `cat a.pcapng b.pcapng` is a valid pcapng with two sections, each with
    // its own interfaces; frame numbers run on across sections.
    let a = std::fs::read(capture("tetra-good.pcapng")).unwrap_or_default();
    let b = std::fs::read(capture("sll2-any.pcapng")).unwrap_or_default();
    let both = [a, b].concat();
    let analyse = |bytes: Vec<u8>| -> serde_json::Value {
        let out = tlsdiag()
            .args(["analyze", "--format", "json", "-"])
            .write_stdin(bytes)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        serde_json::from_slice(&out.stdout).unwrap_or_default()
    };
    let (va, vb, vboth) = (
        analyse(std::fs::read(capture("tetra-good.pcapng")).unwrap_or_default()),
        analyse(std::fs::read(capture("sll2-any.pcapng")).unwrap_or_default()),
        analyse(both),
    );
    let frames = |v: &serde_json::Value| v["frames"].as_u64().unwrap_or_default();
    assert_eq!(frames(&vboth), frames(&va) + frames(&vb));
    let conns = |v: &serde_json::Value| v["connections"].as_array().cloned().unwrap_or_default();
    assert_eq!(conns(&vboth).len(), conns(&va).len() + conns(&vb).len());
    let second = &conns(&vboth)[conns(&va).len()];
    assert_eq!(
        second["first_frame"].as_u64(),
        conns(&vb)[0]["first_frame"]
            .as_u64()
            .map(|f| f + frames(&va))
    );
    assert_eq!(
        second["tls"]["client_hello"]["sni"],
        conns(&vb)[0]["tls"]["client_hello"]["sni"]
    );
}

#[test]
fn document_reports_stop_at_max_records_and_say_so() {
    let out = run(&[
        "analyze",
        "--format",
        "json",
        "--max-records",
        "1",
        "captures/tcp-refused.pcapng",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(v["connections"].as_array().map(Vec::len), Some(1));
    // Only the kept connection's findings remain.
    let kept = v["connections"][0]["id"].clone();
    assert!(
        v["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|f| f["connection"] == kept)
    );
    let warning = v["warnings"]
        .as_array()
        .and_then(|w| w.last())
        .and_then(|w| w.as_str())
        .unwrap_or_default()
        .to_string();
    assert!(
        warning.starts_with(
            "2 connections, 0 DNS exchanges and 2 findings beyond the first 1 records"
        ),
        "{warning}"
    );
    // NDJSON is not capped.
    let nd = stdout(&run(&[
        "analyze",
        "--format",
        "ndjson",
        "--max-records",
        "1",
        "captures/tcp-refused.pcapng",
    ]));
    assert_eq!(
        nd.lines()
            .filter(|l| l.contains("\"kind\":\"connection\""))
            .count(),
        3
    );
}
