//! `diff` of the field case's good and failing captures.

use std::path::Path;

use tlsdiag::Options;

fn analyze(file: &str) -> tlsdiag::Analysis {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("captures")
        .join(file);
    tlsdiag::analyze_path(&path, &Options::default()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn good_choice_explains_the_bad_offer() {
    let good = analyze("tetra-good.pcapng");
    let bad = analyze("tetra-cipher-mismatch.pcapng");
    let d = tlsdiag::diff::diff(&good, &bad, None, &Options::default().diagnosis.profiles);
    assert_eq!(d.pairs.len(), 1);
    let p = &d.pairs[0];
    assert_eq!(p.server, "tetra-defs.amp.cisco.com:443");
    // BAD's own diagnosis leads, then what the comparison adds.
    let lead = p.explanation.first().cloned().unwrap_or_default();
    assert!(
        lead.starts_with("BAD: tetra-defs.amp.cisco.com:443 rejected the ClientHello")
            && lead.contains("no cipher suite in common"),
        "{lead}"
    );
    let second = p.explanation.get(1).cloned().unwrap_or_default();
    assert!(
        second.starts_with("The server chose TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (0xc030) for GOOD; BAD does not offer 0xc030"),
        "{second}"
    );
    assert!(second.contains("16 suites include none"), "{second}");
    // The fields that explain it lead.
    assert_eq!(p.fields[0].field, "tls.client_hello.cipher_suites");
    assert!(p.fields[0].explains_failure);
    // Suites aligned: 0xc030 only in GOOD and chosen; DSS suites only in BAD.
    let row = |code: &str| {
        p.suites
            .iter()
            .find(|s| s.code.to_string() == code)
            .cloned()
    };
    let c030 = row("0xc030").unwrap_or_else(|| panic!("0xc030 row"));
    assert!(c030.good && !c030.bad && c030.accepted);
    assert_eq!(c030.chosen, Some(tlsdiag::diff::Side::Good));
    let dss = row("0x0038").unwrap_or_else(|| panic!("0x0038 row"));
    assert!(!dss.good && dss.bad);
    assert_eq!(
        d.bad_errors.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        ["no-shared-cipher"]
    );
}

#[test]
fn server_filter_and_cli_json() {
    let out = assert_cmd::Command::cargo_bin("tlsdiag")
        .unwrap_or_else(|e| panic!("{e}"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "diff",
            "--server",
            "tetra-defs.amp.cisco.com",
            "--format",
            "json",
            "captures/tetra-good.pcapng",
            "captures/tetra-cipher-mismatch.pcapng",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        out.status.code(),
        Some(1),
        "the bad capture has an error finding"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(v["pairs"][0]["server"], "tetra-defs.amp.cisco.com:443");
    assert_eq!(v["pairs"][0]["suites"][1]["code"], "0xc030");
    let none = assert_cmd::Command::cargo_bin("tlsdiag")
        .unwrap_or_else(|e| panic!("{e}"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["diff", "--server", "nowhere.example", "--format", "json"])
        .args([
            "captures/tetra-good.pcapng",
            "captures/tetra-cipher-mismatch.pcapng",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let v: serde_json::Value = serde_json::from_slice(&none.stdout).unwrap_or_default();
    assert_eq!(v["pairs"].as_array().map(Vec::len), Some(0));
}

#[test]
fn a_server_only_good_reaches_is_explained_by_bad_dns() {
    let good = analyze("api-sse-ok.pcapng");
    let bad = analyze("dns-nxdomain.pcapng");
    let d = tlsdiag::diff::diff(&good, &bad, None, &Options::default().diagnosis.profiles);
    assert!(d.pairs.is_empty());
    let u = d
        .only_good
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("only_good"));
    assert_eq!(u.server, "api-sse.cisco.com:443");
    let why = u.other_side.unwrap_or_default();
    assert!(
        why.starts_with("BAD's lookup of api-sse.cisco.com failed (NXDOMAIN"),
        "{why}"
    );
    // The frames it cites are BAD's DNS exchanges for the name.
    for x in bad.dns.iter().filter(|x| x.name == "api-sse.cisco.com") {
        if let Some(q) = x.query_frame {
            assert!(why.contains(&q.0.to_string()), "{why}");
        }
    }
}

#[test]
fn a_reset_or_a_silent_server_is_explained_not_shrugged_off() {
    let profiles = Options::default().diagnosis.profiles;
    let good = analyze("tls13-ok.pcapng");
    for (bad_file, expected) in [
        (
            "rst-after-clienthello.pcapng",
            "reset during the TLS handshake",
        ),
        ("server-silent.pcapng", "never answered the ClientHello"),
    ] {
        let bad = analyze(bad_file);
        let d = tlsdiag::diff::diff(&good, &bad, None, &profiles);
        let lead = d
            .pairs
            .first()
            .and_then(|p| p.explanation.first())
            .cloned()
            .unwrap_or_default();
        assert!(
            lead.starts_with("BAD: ") && lead.contains(expected),
            "{bad_file}: {lead}"
        );
        // The finding's evidence frames are cited.
        let f = bad
            .findings
            .iter()
            .find(|f| f.severity == tlsdiag::Severity::Error)
            .unwrap_or_else(|| panic!("{bad_file}: no error"));
        let frames: Vec<String> = f.evidence.iter().map(|x| x.0.to_string()).collect();
        assert!(lead.contains(&frames.join(", ")), "{lead}");
    }
}
