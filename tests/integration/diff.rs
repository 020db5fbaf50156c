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

/// One capture's connection `id` alone, as if it had been captured by itself.
fn only_connection(a: &tlsdiag::Analysis, id: u32) -> tlsdiag::Analysis {
    let mut one = a.clone();
    one.connections.retain(|c| c.id == id);
    one.findings.retain(|f| f.connection == Some(id));
    one
}

#[test]
fn a_client_connecting_by_address_is_paired_with_the_one_using_the_name() {
    // sni-required.pcapng: connection 0 asks for www.example.net (SNI) and
    // works; connection 1 connects to the address, sends no SNI, and is refused.
    let both = analyze("sni-required.pcapng");
    let good = only_connection(&both, 0);
    let bad = only_connection(&both, 1);
    let d = tlsdiag::diff::diff(&good, &bad, None, &Options::default().diagnosis.profiles);
    assert_eq!(d.pairs.len(), 1, "{:?} {:?}", d.only_good, d.only_bad);
    assert!(d.only_good.is_empty() && d.only_bad.is_empty());
    let p = &d.pairs[0];
    assert_eq!(p.server, "www.example.net:443 (BAD: 10.0.1.40:443)");
    assert!(p.bad_failed);
    assert!(
        p.explanation.iter().any(|e| e
            .starts_with("SNI: GOOD names the server (www.example.net), BAD sends no server name")),
        "{:?}",
        p.explanation
    );
    let sni = p.fields.iter().find(|f| f.field == "tls.client_hello.sni");
    assert!(sni.is_some_and(|f| f.explains_failure));
}

#[test]
fn two_working_captures_are_compared_without_a_failure_to_explain() {
    let good = analyze("tls13-ok.pcapng");
    let bad = analyze("proxy-tls13-ok.pcapng");
    let d = tlsdiag::diff::diff(&good, &bad, None, &Options::default().diagnosis.profiles);
    assert_eq!(d.pairs.len(), 1);
    let p = &d.pairs[0];
    assert!(!p.bad_failed);
    assert!(p.explanation.is_empty(), "{:?}", p.explanation);
    assert!(p.fields.iter().any(|f| f.field == "proxy" && f.differs));
}
