//! Field cases: every finding code is produced by a real capture, with the
//! evidence frames tshark shows for the messages that prove it (read from
//! `captures/facts.json`, never typed in by hand), and healthy captures give no
//! error finding.

use std::path::{Path, PathBuf};

use serde_json::Value;
use tlsdiag::{Analysis, Options, Severity};

fn captures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("captures")
}

fn facts(file: &str) -> Value {
    let text = std::fs::read_to_string(captures().join("facts.json")).unwrap_or_default();
    let all: Value = serde_json::from_str(&text).unwrap_or_default();
    let f = all["files"][file].clone();
    assert!(!f.is_null(), "{file} is not in facts.json");
    f
}

fn analyze(file: &str) -> Analysis {
    analyze_with(file, &Options::default())
}

fn analyze_with(file: &str, options: &Options) -> Analysis {
    match tlsdiag::analyze_path(&captures().join(file), options) {
        Ok(a) => a,
        Err(e) => panic!("{file}: {e}"),
    }
}

fn frames(v: &Value) -> Vec<u64> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_u64)
        .collect()
}

/// Frames of one TLS message type in the facts (`client_hello`, `certificate`…).
fn tls_frames(f: &Value, kind: &str) -> Vec<u64> {
    frames(&f["tls_handshake_frames"][kind])
}

fn alert_frames(f: &Value) -> Vec<u64> {
    f["tls_alerts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["frame"].as_u64())
        .collect()
}

fn stream(f: &Value, i: usize) -> Value {
    f["tcp_streams"][i].clone()
}

fn first(v: &Value, key: &str) -> Option<u64> {
    v[key]
        .as_array()
        .and_then(|a| a.first())
        .and_then(|x| x["frame"].as_u64().or(x.as_u64()))
}

/// Asserts the analysis has `code` as an error finding, its findings of that
/// code together citing exactly `evidence`, and returns the first.
fn expect(a: &Analysis, code: &str, evidence: &[u64]) -> tlsdiag::Finding {
    let found: Vec<&tlsdiag::Finding> = a
        .findings
        .iter()
        .filter(|f| f.code.as_str() == code && f.severity == Severity::Error)
        .collect();
    let all: Vec<String> = a
        .findings
        .iter()
        .map(|f| format!("{} {} {:?}", f.severity, f.code, f.evidence))
        .collect();
    let Some(f) = found.first() else {
        panic!("{}: no error {code}; findings: {all:?}", a.capture);
    };
    let mut want: Vec<u64> = evidence.to_vec();
    want.sort_unstable();
    want.dedup();
    let mut got: Vec<u64> = found
        .iter()
        .flat_map(|f| f.evidence.iter().map(|e| e.0))
        .collect();
    got.sort_unstable();
    got.dedup();
    assert_eq!(got, want, "{}: evidence of {code}", a.capture);
    assert!(
        f.remedy.as_deref().is_some_and(|r| !r.is_empty()),
        "{code} has a remedy"
    );
    assert!(!f.detail.is_empty());
    (*f).clone()
}

fn errors(a: &Analysis) -> Vec<String> {
    a.findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.code.to_string())
        .collect()
}

#[test]
fn core_case_no_shared_cipher_names_why_each_suite_fails() {
    let file = "tetra-cipher-mismatch.pcapng";
    let f = facts(file);
    let a = analyze(file);
    let ch = tls_frames(&f, "client_hello");
    let mut ev = ch.clone();
    ev.extend(alert_frames(&f));
    let finding = expect(&a, "no-shared-cipher", &ev);
    assert_eq!(errors(&a), ["no-shared-cipher"]);
    let d = &finding.detail;
    for needle in [
        "offered 16 suites",
        "accepts 4",
        "ECDHE_ECDSA suites need an ECDSA certificate",
        "DHE_DSS",
        "CBC",
        "handshake_failure",
        "SSL Cipher Suite Order",
    ] {
        assert!(d.contains(needle), "detail lacks {needle:?}: {d}");
    }
    let remedy = finding.remedy.unwrap_or_default();
    assert!(remedy.contains("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"));
    assert!(remedy.contains("Get-TlsCipherSuite"));
    assert_eq!(finding.connection, Some(0));
}

#[test]
fn core_case_good_endpoint_has_no_error() {
    let a = analyze("tetra-good.pcapng");
    assert_eq!(errors(&a), Vec::<String>::new());
    let tls = a.connections[0].tls.as_ref();
    let sh = tls.and_then(|t| t.server_hello.as_ref());
    assert_eq!(
        sh.and_then(|s| s.cipher_suite)
            .map(|s| s.to_string())
            .as_deref(),
        Some("0xc030")
    );
}

#[test]
fn accept_list_judges_without_a_profile() {
    // The same capture judged against a one-off list that includes a suite
    // the client offers: no longer a cipher mismatch.
    let mut options = Options::default();
    options.diagnosis.profiles.forced = Some(tlsdiag::diagnose::ServerProfile {
        name: "--accept".into(),
        description: String::new(),
        hosts: vec![],
        ports: vec![],
        accepted_suites: vec![tlsdiag::tls::codepoints::CipherSuite::tls(0xc013)],
        versions: vec![],
        expected_issuers: vec![],
        http_paths: vec![],
        key: None,
    });
    let a = analyze_with("tetra-cipher-mismatch.pcapng", &options);
    assert!(!errors(&a).contains(&"no-shared-cipher".to_string()));
    assert!(errors(&a).contains(&"handshake-rejected".to_string()));
}

#[test]
fn certificate_cases() {
    let f = facts("tls-interception.pcapng");
    let a = analyze("tls-interception.pcapng");
    let mut ev = tls_frames(&f, "certificate");
    ev.extend(alert_frames(&f));
    expect(&a, "tls-interception", &ev);

    let f = facts("tls12-self-signed.pcapng");
    let a = analyze("tls12-self-signed.pcapng");
    let mut ev = tls_frames(&f, "server_hello");
    ev.extend(tls_frames(&f, "certificate"));
    ev.extend(alert_frames(&f));
    expect(&a, "cert-untrusted", &ev);

    let f = facts("cert-expired.pcapng");
    let a = analyze("cert-expired.pcapng");
    let mut ev = tls_frames(&f, "certificate");
    ev.extend(alert_frames(&f));
    let finding = expect(&a, "cert-expired", &ev);
    assert!(finding.detail.contains("expired on"), "{}", finding.detail);
}

#[test]
fn version_and_silence_and_reset() {
    let f = facts("protocol-version.pcapng");
    let a = analyze("protocol-version.pcapng");
    let mut ev = tls_frames(&f, "client_hello");
    ev.extend(alert_frames(&f));
    expect(&a, "protocol-version", &ev);

    let f = facts("server-silent.pcapng");
    let a = analyze("server-silent.pcapng");
    let s = stream(&f, 0);
    let mut ev = tls_frames(&f, "client_hello");
    ev.extend(first(&s, "fin"));
    let finding = expect(&a, "server-silent", &ev);
    assert!(
        finding.detail.contains(" s without a single byte"),
        "{}",
        finding.detail
    );

    let f = facts("rst-after-clienthello.pcapng");
    let a = analyze("rst-after-clienthello.pcapng");
    let s = stream(&f, 0);
    let mut ev = tls_frames(&f, "client_hello");
    ev.extend(first(&s, "rst"));
    let finding = expect(&a, "reset-during-handshake", &ev);
    assert!(
        finding.detail.starts_with("The server"),
        "{}",
        finding.detail
    );
}

#[test]
fn tcp_cases() {
    // Every refused attempt (clients retry) is its own finding.
    let f = facts("tcp-refused.pcapng");
    let a = analyze("tcp-refused.pcapng");
    let ev: Vec<u64> = f["tcp_streams"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| [first(s, "syn_frames"), first(s, "rst")])
        .flatten()
        .collect();
    expect(&a, "tcp-refused", &ev);

    for file in ["tcp-unanswered.pcapng", "port-8989-blocked.pcapng"] {
        let f = facts(file);
        let a = analyze(file);
        let syns = frames(&stream(&f, 0)["syn_frames"]);
        let ev = [syns.first().copied(), syns.last().copied()];
        let finding = expect(
            &a,
            "tcp-unanswered",
            &ev.into_iter().flatten().collect::<Vec<_>>(),
        );
        let n = syns.len();
        assert!(
            finding.title.contains(&format!("SYN sent {n} times")),
            "{}",
            finding.title
        );
    }
}

/// The CONNECT request and the proxy's answer, from the facts.
fn connect_frames(f: &Value) -> Vec<u64> {
    f["http"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|h| h["method"] == "CONNECT")
        .flat_map(|h| [h["request_frame"].as_u64(), h["response_frame"].as_u64()])
        .flatten()
        .collect()
}

#[test]
fn proxy_cases() {
    for (file, code) in [
        ("proxy-407.pcapng", "proxy-auth-required"),
        ("proxy-403.pcapng", "proxy-denied"),
        ("proxy-502.pcapng", "proxy-upstream-failed"),
        ("proxy-500.pcapng", "proxy-upstream-failed"),
    ] {
        let f = facts(file);
        let a = analyze(file);
        let finding = expect(&a, code, &connect_frames(&f));
        if code == "proxy-auth-required" {
            assert!(finding.detail.contains("Basic"), "{}", finding.detail);
        }
        assert_eq!(errors(&a), [code], "{file}");
    }
}

/// Squid names its own error (`X-Squid-Error`): the finding says what that
/// code means (refused, timed out, name not resolved on the proxy, an ACL),
/// not the status's usual cause, and the JSON carries the code.
#[test]
fn squid_error_codes_name_the_cause() {
    for (file, code, title, detail) in [
        (
            "proxy-502.pcapng",
            "proxy-upstream-failed",
            "was refused",
            "ECONNREFUSED",
        ),
        (
            "proxy-connect-timeout.pcapng",
            "proxy-upstream-failed",
            "timed out",
            "ETIMEDOUT",
        ),
        (
            "proxy-dns-fail.pcapng",
            "proxy-upstream-failed",
            "could not forward",
            "did not resolve on the proxy",
        ),
        (
            "proxy-squid-denied.pcapng",
            "proxy-denied",
            "8989",
            "SSL_ports",
        ),
        (
            "http-proxy-dns-fail.pcapng",
            "http-error",
            "HTTP 502",
            "did not resolve on the proxy",
        ),
    ] {
        let f = facts(file);
        let a = analyze(file);
        let h = &f["http"][0];
        let squid = h["squid_error"]
            .as_str()
            .unwrap_or_else(|| panic!("{file}: no X-Squid-Error in the facts"));
        let ev: Vec<u64> = [h["request_frame"].as_u64(), h["response_frame"].as_u64()]
            .into_iter()
            .flatten()
            .collect();
        let finding = expect(&a, code, &ev);
        assert!(finding.title.contains(title), "{file}: {}", finding.title);
        assert!(
            finding.detail.contains(detail),
            "{file}: {}",
            finding.detail
        );
        assert!(
            finding.detail.contains(&format!("Squid {squid}")),
            "{file}: {}",
            finding.detail
        );
        assert_eq!(errors(&a), [code], "{file}");
        let conn = &a.connections[0];
        let recorded = match &conn.proxy {
            Some(p) => p.proxy_error.clone(),
            None => conn.http.first().and_then(|x| x.proxy_error.clone()),
        };
        assert_eq!(recorded.as_deref(), Some(squid), "{file}");
    }
}

/// tinyproxy says only "500 Unable to connect": a 5xx to an absolute URL is
/// put on the proxy, not on the feed server.
#[test]
fn a_5xx_through_a_forward_proxy_is_the_proxys() {
    let file = "http-proxy-unreachable.pcapng";
    let f = facts(file);
    let a = analyze(file);
    let h = &f["http"][0];
    assert_eq!(h["status"], 500);
    let ev: Vec<u64> = [h["request_frame"].as_u64(), h["response_frame"].as_u64()]
        .into_iter()
        .flatten()
        .collect();
    let finding = expect(&a, "http-error", &ev);
    assert!(
        finding
            .detail
            .starts_with("The forward proxy 10.0.0.1:6050 answered"),
        "{}",
        finding.detail
    );
    assert!(
        finding
            .detail
            .contains("could not reach otx.alienvault.com"),
        "{}",
        finding.detail
    );
    assert!(
        !finding.detail.contains("The server failed"),
        "{}",
        finding.detail
    );
    assert_eq!(errors(&a), ["http-error"]);
}

/// A 407 answered on the same connection by a CONNECT with credentials that
/// the proxy accepts is authentication at work, not a failure.
#[test]
fn proxy_authentication_that_succeeds_is_not_an_error() {
    let file = "proxy-auth-retry.pcapng";
    let f = facts(file);
    let a = analyze(file);
    let statuses: Vec<u64> = f["http"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| h["status"].as_u64())
        .collect();
    assert_eq!(statuses, [407, 200]);
    assert_eq!(errors(&a), Vec::<String>::new());
    let p = a.connections[0]
        .proxy
        .as_ref()
        .unwrap_or_else(|| panic!("no proxy"));
    assert_eq!(
        (p.status, p.attempts, p.proxy_authorization),
        (Some(200), 2, true)
    );
    assert_eq!(
        p.request_frame.0,
        f["http"][1]["request_frame"].as_u64().unwrap_or_default()
    );
    assert_eq!(
        a.connections[0].tls.as_ref().map(|t| t.outcome),
        Some(tlsdiag::connection::TlsOutcome::Established)
    );
}

/// tinyproxy closes after its 407 and curl asks again on a new connection:
/// the first 407 is information (with both connections' frames), not an
/// error; a 407 nobody answers (proxy-407.pcapng) stays one.
#[test]
fn proxy_authentication_on_a_new_connection_is_not_an_error() {
    let file = "proxy-auth-new-connection.pcapng";
    let f = facts(file);
    let a = analyze(file);
    let connects: Vec<&Value> = f["http"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|h| h["method"] == "CONNECT")
        .collect();
    let streams: Vec<u64> = connects
        .iter()
        .filter_map(|h| h["stream"].as_u64())
        .collect();
    let statuses: Vec<u64> = connects
        .iter()
        .filter_map(|h| h["status"].as_u64())
        .collect();
    assert_eq!((streams, statuses), (vec![0, 1], vec![407, 200]));
    assert_eq!(errors(&a), Vec::<String>::new());
    let info = a
        .findings
        .iter()
        .find(|x| x.code.as_str() == "proxy-auth-required")
        .unwrap_or_else(|| panic!("{:?}", a.findings));
    assert_eq!(info.severity, Severity::Info);
    let mut ev: Vec<u64> = info.evidence.iter().map(|e| e.0).collect();
    ev.sort_unstable();
    assert_eq!(ev, connect_frames(&f));
    assert!(info.detail.contains("on connection 1"), "{}", info.detail);
    assert_eq!(
        errors(&analyze("proxy-407.pcapng")),
        ["proxy-auth-required"]
    );
}

#[test]
fn dns_cases() {
    for (file, code) in [
        ("dns-nxdomain.pcapng", "dns-nxdomain"),
        ("dns-servfail.pcapng", "dns-servfail"),
        ("dns-no-response.pcapng", "dns-no-response"),
    ] {
        let f = facts(file);
        let a = analyze(file);
        let ev: Vec<u64> = f["dns"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|q| [q["query_frame"].as_u64(), q["response_frame"].as_u64()])
            .flatten()
            .collect();
        let finding = expect(&a, code, &ev);
        assert!(
            finding.title.contains("api-sse.cisco.com"),
            "{}",
            finding.title
        );
        assert_eq!(finding.connection, None);
        assert!(finding.dns.is_some());
        // Queries retried to the server that failed them list each type once
        // ("4 queries: A, AAAA"; an unanswered retransmission is one query).
        let types: Vec<String> = f["dns"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|q| q["type"].as_str().map(str::to_string))
            .collect();
        if code == "dns-servfail" {
            assert!(
                finding
                    .detail
                    .contains(&format!("{} queries: A, AAAA)", types.len())),
                "{}",
                finding.detail
            );
        }
    }
}

#[test]
fn http_and_taxii_cases() {
    let f = facts("http-405.pcapng");
    let a = analyze("http-405.pcapng");
    let h = &f["http"][0];
    let ev = [h["request_frame"].as_u64(), h["response_frame"].as_u64()];
    let finding = expect(
        &a,
        "http-error",
        &ev.into_iter().flatten().collect::<Vec<_>>(),
    );
    assert!(
        finding.detail.contains("trailing slash"),
        "{}",
        finding.detail
    );

    let f = facts("http-errors.pcapng");
    let a = analyze("http-errors.pcapng");
    let statuses: Vec<u64> = f["http"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| h["status"].as_u64())
        .collect();
    let ours: Vec<u16> = a
        .findings
        .iter()
        .filter(|x| x.code.as_str() == "http-error")
        .filter_map(|x| x.title.split_whitespace().nth(1)?.parse().ok())
        .collect();
    assert_eq!(
        ours.len(),
        statuses.len(),
        "one http-error per error response"
    );
    let hint = |status: u16| {
        a.findings
            .iter()
            .find(|x| x.title.starts_with(&format!("HTTP {status} ")))
            .map(|x| x.detail.clone())
            .unwrap_or_default()
    };
    assert!(hint(400).contains("discovery"), "{}", hint(400));
    assert!(hint(401).contains("Credentials"), "{}", hint(401));
    assert!(hint(404).contains("collection"), "{}", hint(404));
    assert!(hint(503).contains("overloaded"), "{}", hint(503));

    let f = facts("taxii-not-found.pcapng");
    let a = analyze("taxii-not-found.pcapng");
    let h = &f["http"][0];
    let ev = [
        h["request_frame"].as_u64(),
        h["response_frame"].as_u64(),
        h["body_frame"].as_u64(),
    ];
    let finding = expect(
        &a,
        "taxii-status",
        &ev.into_iter().flatten().collect::<Vec<_>>(),
    );
    assert!(finding.detail.contains("NOT_FOUND"));
}

#[test]
fn healthy_captures_have_no_error() {
    for file in [
        "tetra-good.pcapng",
        "tls13-ok.pcapng",
        "tls13-hrr.pcapng",
        "api-sse-ok.pcapng",
        "ipv6-tls12.pcapng",
        "vlan-tls.pcapng",
        "sll2-any.pcapng",
        "split-clienthello.pcapng",
        "reorder-dup.pcapng",
        "pcap-nanosec.pcap",
        "bigendian.pcap",
    ] {
        let a = analyze(file);
        assert_eq!(errors(&a), Vec::<String>::new(), "{file}");
    }
}

/// Public corpus captures, when present (their frames are tshark's: the
/// oracle TSVs, or `tshark -r F` as noted).
fn corpus(file: &str) -> Option<Analysis> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/public")
        .join(file);
    path.exists().then(|| {
        tlsdiag::analyze_path(&path, &Options::default()).unwrap_or_else(|e| panic!("{e}"))
    })
}

#[test]
fn handshake_rejected_without_a_profile_names_what_is_unusual() {
    // Oracle: ClientHello frame 4, fatal handshake_failure frame 6.
    let Some(a) = corpus("zeek__tls-1.2-handshake-failure.pcap") else {
        return;
    };
    let f = expect(&a, "handshake-rejected", &[4, 6]);
    assert!(f.detail.contains("only CBC suites"), "{}", f.detail);
}

#[test]
fn tls_to_a_plain_http_port_is_not_tls() {
    // Oracle: ClientHello frame 3; `tshark -r F -d tcp.port==80,tls`: the
    // server's 341-byte "HTTP/1.1 400 Bad Request" completes in frame 8 (it
    // arrives out of order after the FIN of frame 5).
    let Some(a) = corpus("zeek__ssl-to-http-server.pcap") else {
        return;
    };
    let f = expect(&a, "not-tls", &[3, 8]);
    assert!(
        f.detail.contains("HTTP/1.1 400 Bad Request"),
        "{}",
        f.detail
    );
}

#[test]
fn certificate_for_another_name_is_reported() {
    // `tshark -r F -Y tls.handshake.type==11`: certificates in frames 17, 47
    // and 80 (SNI www.example.com, certificate for *.edgecastcdn.net and friends).
    let Some(a) = corpus("ja4__socks-https-example.pcap") else {
        return;
    };
    let frames: Vec<u64> = a
        .findings
        .iter()
        .filter(|f| {
            f.code.as_str() == "cert-untrusted"
                && f.title.contains("does not cover www.example.com")
        })
        .flat_map(|f| f.evidence.iter().map(|e| e.0))
        .collect();
    assert_eq!(frames, [17, 47, 80]);
}

#[test]
fn one_direction_capture_is_not_blamed_on_servers() {
    let Some(a) = corpus("ja4__tls-sni.pcapng") else {
        return;
    };
    assert!(errors(&a).is_empty(), "{:?}", errors(&a));
    assert!(
        a.findings
            .iter()
            .any(|f| f.code.as_str() == "one-sided-capture")
    );
}

#[test]
fn rejected_hello_and_non_tls_server_fixtures() {
    let f = facts("handshake-rejected.pcapng");
    let a = analyze("handshake-rejected.pcapng");
    let mut ev = tls_frames(&f, "client_hello");
    ev.extend(alert_frames(&f));
    let finding = expect(&a, "handshake-rejected", &ev);
    assert!(
        finding.detail.contains("only CBC suites"),
        "{}",
        finding.detail
    );
    assert_eq!(errors(&a), ["handshake-rejected"]);

    // tshark (facts, with heuristics first) sees the ClientHello; the 400
    // status line completes in the frame after it (the server's only data).
    let f = facts("not-tls.pcapng");
    let a = analyze("not-tls.pcapng");
    let ch = tls_frames(&f, "client_hello");
    let reply = a.connections[0]
        .tls
        .as_ref()
        .and_then(|t| t.not_tls.as_ref())
        .map(|n| n.frame.0);
    let finding = expect(
        &a,
        "not-tls",
        &[ch.clone(), reply.into_iter().collect()].concat(),
    );
    assert!(
        finding.detail.contains("HTTP/1.1 400 Bad Request"),
        "{}",
        finding.detail
    );
}

#[test]
fn tls13_client_refusing_the_certificate() {
    let f = facts("tls13-untrusted.pcapng");
    let a = analyze("tls13-untrusted.pcapng");
    let mut ev = tls_frames(&f, "server_hello");
    ev.extend(alert_frames(&f));
    let finding = expect(&a, "cert-untrusted", &ev);
    assert!(
        finding.detail.contains("TLS 1.3 encrypts"),
        "{}",
        finding.detail
    );
}

#[test]
fn taxii_poll_cut_mid_body() {
    let f = facts("taxii-cut-body.pcapng");
    let a = analyze("taxii-cut-body.pcapng");
    let h = &f["http"][0];
    let (req, resp) = (h["request_frame"].as_u64(), h["response_frame"].as_u64());
    let fin = first(&stream(&f, 0), "fin");
    let finding = a
        .findings
        .iter()
        .find(|x| x.code.as_str() == "http-body-cut")
        .cloned()
        .unwrap_or_else(|| panic!("no http-body-cut: {:?}", a.findings));
    let ev: Vec<u64> = finding.evidence.iter().map(|e| e.0).collect();
    // Request, response head, the last body frame (between the two), the FIN.
    assert_eq!(ev.len(), 4, "{ev:?}");
    assert_eq!(ev[0], req.unwrap_or_default());
    assert_eq!(ev[1], resp.unwrap_or_default());
    assert!(ev[2] > ev[1] && Some(ev[2]) < fin);
    assert_eq!(Some(ev[3]), fin);
    assert!(
        finding
            .detail
            .contains("XML Parsing Error: no element found")
    );
    assert!(
        finding
            .remedy
            .unwrap_or_default()
            .contains("Time Span of Poll Segment")
    );
}

#[test]
fn one_direction_fixture_and_proxied_tls13() {
    let f = facts("one-sided.pcapng");
    let a = analyze("one-sided.pcapng");
    assert_eq!(errors(&a), Vec::<String>::new());
    let note = a
        .findings
        .iter()
        .find(|x| x.code.as_str() == "one-sided-capture");
    let first_frame = stream(&f, 0)["first_frame"].as_u64();
    assert_eq!(
        note.map(|n| n.evidence.iter().map(|e| e.0).collect::<Vec<_>>()),
        Some(first_frame.into_iter().collect())
    );

    let a = analyze("proxy-tls13-ok.pcapng");
    assert_eq!(errors(&a), Vec::<String>::new());
    let c = &a.connections[0];
    assert_eq!(c.proxy.as_ref().and_then(|p| p.status), Some(200));
    assert_eq!(
        c.tls
            .as_ref()
            .and_then(|t| t.server_hello.as_ref())
            .and_then(|s| s.version)
            .map(|v| v.to_string())
            .as_deref(),
        Some("0x0304")
    );
}

#[test]
fn client_refusing_a_small_dh_group() {
    let f = facts("client-dh-too-small.pcapng");
    let a = analyze("client-dh-too-small.pcapng");
    let mut ev = tls_frames(&f, "server_hello");
    ev.extend(tls_frames(&f, "certificate"));
    ev.extend(tls_frames(&f, "server_key_exchange"));
    ev.extend(alert_frames(&f));
    let finding = expect(&a, "client-abort", &ev);
    assert!(
        finding.detail.contains("1024-bit Diffie-Hellman group"),
        "{}",
        finding.detail
    );
    assert!(finding.remedy.unwrap_or_default().contains("2048"));
}

#[test]
fn client_leaving_after_the_handshake_refused_the_name() {
    let f = facts("cert-wrong-name.pcapng");
    let a = analyze("cert-wrong-name.pcapng");
    let client_alert: Vec<u64> = f["tls_alerts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|x| x["from"] == "client")
        .filter_map(|x| x["frame"].as_u64())
        .take(1)
        .collect();
    let mut ev = tls_frames(&f, "certificate");
    ev.extend(client_alert);
    let finding = expect(&a, "cert-untrusted", &ev);
    assert!(
        finding.title.contains("does not cover www.example.net"),
        "{}",
        finding.title
    );
    assert!(
        finding.detail.contains("left without sending any data"),
        "{}",
        finding.detail
    );
}

#[test]
fn dns_over_tcp_and_no_dns_at_all() {
    let f = facts("dns-tcp.pcapng");
    let a = analyze("dns-tcp.pcapng");
    let nx: Vec<u64> = f["dns"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|q| q["rcode"] == "NXDOMAIN")
        .flat_map(|q| [q["query_frame"].as_u64(), q["response_frame"].as_u64()])
        .flatten()
        .collect();
    expect(&a, "dns-nxdomain", &nx);
    assert!(a.dns.iter().all(|d| d.transport == "tcp"));

    // An empty capture from a client with no DNS server: nothing to blame on
    // the network, but the absence itself is the clue.
    let a = analyze("no-dns-server.pcapng");
    assert_eq!(a.frames, 0);
    assert_eq!(errors(&a), Vec::<String>::new());
    let note = a
        .findings
        .iter()
        .find(|x| x.code.as_str() == "dns-no-query");
    assert!(note.is_some_and(|n| n.severity == Severity::Warning && n.evidence.is_empty()));
}

#[test]
fn server_closing_without_a_byte_is_silent_whatever_the_client_says() {
    // OpenSSL 3 answers the server's close with a decode_error alert; that
    // alert is not the cause. curl just closes.
    let f = facts("server-closes.pcapng");
    let a = analyze("server-closes.pcapng");
    let mut ev = tls_frames(&f, "client_hello");
    for i in 0..2 {
        let s = stream(&f, i);
        ev.extend(s["fin"].as_array().into_iter().flatten().find_map(|e| {
            (e["from"] == "server")
                .then(|| e["frame"].as_u64())
                .flatten()
        }));
    }
    ev.extend(alert_frames(&f));
    let finding = expect(&a, "server-silent", &ev);
    assert!(
        finding.detail.contains("only its reaction to the close"),
        "{}",
        finding.detail
    );
    assert!(
        !errors(&a).iter().any(|e| e.contains("client-abort")),
        "{:?}",
        errors(&a)
    );
}

#[test]
fn a_segment_the_capture_lost_is_a_warning_not_a_failure() {
    // editcap removed the server's first flight; the client acknowledged it
    // and went on. tshark: "previous segment not captured".
    let f = facts("lost-segment.pcapng");
    assert!(
        !f["tcp_streams"][0]["analysis"]["lost_segment"].is_null(),
        "tshark sees the lost segment"
    );
    let a = analyze("lost-segment.pcapng");
    assert_eq!(errors(&a), Vec::<String>::new());
    let conn = a
        .connections
        .first()
        .unwrap_or_else(|| panic!("no connection"));
    assert!(conn.tcp.missing_bytes > 0);
    let tls = conn.tls.as_ref().unwrap_or_else(|| panic!("no tls"));
    assert!(tls.not_tls.is_none(), "{:?}", tls.not_tls);
    assert!(
        a.warnings
            .iter()
            .any(|w| w.message.contains("lost bytes the capture never saw")),
        "{:?}",
        a.warnings
    );
}

#[test]
fn a_refused_renegotiation_is_not_the_client_walking_away() {
    // The server answers s_client's renegotiation request with an encrypted
    // alert (frame after the client's encrypted handshake record), then the
    // client closes. The name mismatch is real, but the client went on past it.
    let f = facts("renegotiation-refused.pcapng");
    let a = analyze("renegotiation-refused.pcapng");
    assert_eq!(errors(&a), Vec::<String>::new());
    let warning = a
        .findings
        .iter()
        .find(|x| x.code.as_str() == "cert-untrusted")
        .unwrap_or_else(|| panic!("{:?}", a.findings));
    assert_eq!(warning.severity, Severity::Warning);
    let server_alert = f["tls_alerts"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|x| x["from"] == "server")
        .and_then(|x| x["frame"].as_u64());
    let ours = a.connections.first().and_then(|c| c.tls.as_ref()).map(|t| {
        t.alerts
            .iter()
            .filter(|x| x.from == "server")
            .map(|x| x.frame.0)
            .next()
    });
    assert_eq!(ours, Some(server_alert));
}

#[test]
fn a_hello_cut_by_the_snap_length_is_shown_as_cut() {
    let a = analyze("snaplen-cut.pcap");
    let conn = a
        .connections
        .first()
        .unwrap_or_else(|| panic!("no connection"));
    let hello = conn
        .tls
        .as_ref()
        .and_then(|t| t.client_hello.as_ref())
        .unwrap_or_else(|| panic!("no hello"));
    assert!(hello.truncated && hello.cipher_suites.is_none());
    assert!(
        conn.timeline
            .iter()
            .any(|e| e.what == "ClientHello (cut by the capture)"),
        "{:?}",
        conn.timeline
    );
    assert!(tlsdiag::report::table::offered_versions(hello).ends_with("(hello cut)"));
}

#[test]
fn http_authentication_that_succeeds_on_retry_is_not_an_error() {
    // curl --anyauth: 401 first, then the same GET with Basic credentials.
    let f = facts("http-auth-retry.pcapng");
    let statuses: Vec<u64> = f["http"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| h["status"].as_u64())
        .collect();
    assert_eq!(statuses, [401, 200], "tshark's view");
    let a = analyze("http-auth-retry.pcapng");
    assert_eq!(errors(&a), Vec::<String>::new());
}

#[test]
fn search_list_expansions_are_not_failures() {
    // resolv.conf `search corp.example svc.corp.example` + `ndots:5`: the
    // resolver asks for www.example.net.corp.example (NXDOMAIN) and
    // www.example.net.svc.corp.example (NXDOMAIN) before www.example.net,
    // which resolves; the connection works.
    let f = facts("dns-search-list.pcapng");
    let nx: Vec<&str> = f["dns"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["rcode"] == "NXDOMAIN" || d["rcode"] == 3)
        .filter_map(|d| d["name"].as_str())
        .collect();
    assert!(nx.iter().any(|n| n.ends_with(".corp.example")), "{nx:?}");
    let a = analyze("dns-search-list.pcapng");
    assert_eq!(errors(&a), Vec::<String>::new());
    let searched: Vec<&tlsdiag::Finding> = a
        .findings
        .iter()
        .filter(|x| x.code.as_str() == "dns-nxdomain")
        .collect();
    assert_eq!(searched.len(), 2);
    assert!(
        searched
            .iter()
            .all(|x| x.severity == Severity::Info && x.detail.contains("search domain appended"))
    );
}

#[test]
fn an_address_shared_by_two_names_is_named_by_the_latest_lookup() {
    let f = facts("dns-shared-address.pcapng");
    let s = stream(&f, 1);
    let a = analyze("dns-shared-address.pcapng");
    let mut ev = frames(&s["syn_frames"]);
    ev.extend(first(&s, "rst"));
    let finding = expect(&a, "tcp-refused", &ev);
    assert!(
        finding.title.contains("cloud-sa.amp.cisco.com"),
        "{}",
        finding.title
    );
}

/// A stream's application-data records (frame, from, length), as tshark sees them.
fn app_data(f: &Value, stream: u64) -> Vec<(u64, String, u64)> {
    f["tls_application_data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["stream"].as_u64() == Some(stream))
        .map(|r| {
            (
                r["frame"].as_u64().unwrap_or_default(),
                r["from"].as_str().unwrap_or_default().to_string(),
                r["length"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn a_refused_client_certificate_is_named_in_tls_1_2_and_inferred_in_tls_1_3() {
    let file = "client-cert-rejected.pcapng";
    let f = facts(file);
    let a = analyze(file);
    let found: Vec<&tlsdiag::Finding> = a
        .findings
        .iter()
        .filter(|x| x.code.as_str() == "client-cert-rejected")
        .collect();
    assert_eq!(found.len(), 4, "{:?}", errors(&a));
    let req = tls_frames(&f, "certificate_request");
    let client_certs: Vec<u64> = f["tls_handshakes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["type"] == "certificate" && m["from"] == "client")
        .filter_map(|m| m["frame"].as_u64())
        .collect();
    let alerts = alert_frames(&f);
    // TLS 1.2: the request, what the client sent, the server's alert.
    for (i, finding) in found.iter().take(2).enumerate() {
        let mut want = vec![req[i], client_certs[i], alerts[i]];
        want.sort_unstable();
        let got: Vec<u64> = finding.evidence.iter().map(|e| e.0).collect();
        assert_eq!(got, want, "{}", finding.detail);
    }
    assert!(
        found[0].detail.contains("empty Certificate"),
        "{}",
        found[0].detail
    );
    assert!(
        found[1].detail.contains("does not trust that issuer"),
        "{}",
        found[1].detail
    );
    // TLS 1.3: the ServerHello, the client's Finished flight, the server's
    // one 19-byte record, its FIN.
    let sh = tls_frames(&f, "server_hello");
    for (i, finding) in found.iter().skip(2).enumerate() {
        let stream_no = 2 + i as u64;
        let records = app_data(&f, stream_no);
        let client_flight = records
            .iter()
            .find(|r| r.1 == "client")
            .map(|r| r.0)
            .unwrap_or_default();
        let server_after: Vec<&(u64, String, u64)> = records
            .iter()
            .filter(|r| r.1 == "server" && r.0 > client_flight)
            .collect();
        assert_eq!(server_after.len(), 1, "{records:?}");
        assert_eq!(server_after[0].2, 19);
        let s = stream(&f, 2 + i);
        let fin = first(&s, "fin").unwrap_or_default();
        let want = vec![sh[2 + i], client_flight, server_after[0].0, fin];
        let got: Vec<u64> = finding.evidence.iter().map(|e| e.0).collect();
        assert_eq!(got, want, "{}", finding.detail);
        assert_eq!(finding.severity, Severity::Error);
    }
    // The healthy TLS 1.3 fixtures keep no such finding, nor does a server
    // without tickets whose only record answers the client's close_notify.
    for ok in [
        "tls13-client-closes-first.pcapng",
        "tls13-ok.pcapng",
        "tls13-hrr.pcapng",
        "proxy-tls13-ok.pcapng",
    ] {
        assert!(errors(&analyze(ok)).is_empty(), "{ok}");
    }
}

#[test]
fn refusals_by_version_name_and_protocol_say_what_to_change() {
    // A server without SNI refuses a client that connected by address.
    let f = facts("sni-required.pcapng");
    let a = analyze("sni-required.pcapng");
    let ch = tls_frames(&f, "client_hello");
    let refused: Vec<u64> = f["tls_alerts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|x| x["description"] == 112)
        .filter_map(|x| x["frame"].as_u64())
        .collect();
    let finding = expect(&a, "handshake-rejected", &[ch[1], refused[0]]);
    assert!(
        finding.detail.contains("no server name (SNI)"),
        "{}",
        finding.detail
    );
    assert!(
        finding.remedy.unwrap_or_default().contains("host name"),
        "remedy"
    );
    // A TLS 1.0-only server: the client aborts once it is chosen; a client
    // that requires TLS 1.2 is refused, and told the server is the one to fix.
    let f = facts("legacy-tls10-server.pcapng");
    let a = analyze("legacy-tls10-server.pcapng");
    let alerts = alert_frames(&f);
    let sh = tls_frames(&f, "server_hello");
    let abort = a
        .findings
        .iter()
        .find(|x| x.code.as_str() == "client-abort")
        .cloned()
        .unwrap_or_else(|| panic!("{:?}", errors(&a)));
    assert!(abort.evidence.iter().any(|e| e.0 == sh[0]));
    assert!(abort.evidence.iter().any(|e| e.0 == alerts[0]));
    assert!(abort.detail.contains("chose TLS 1.0"), "{}", abort.detail);
    let version = expect(
        &a,
        "protocol-version",
        &[tls_frames(&f, "client_hello")[1], alerts[1]],
    );
    let remedy = version.remedy.unwrap_or_default();
    assert!(remedy.contains("upgrade the server"), "{remedy}");
    // TLS 1.3 suites are not judged as TLS 1.2 ones; ALPN names the offer.
    let f = facts("tls13-suite-mismatch.pcapng");
    let a = analyze("tls13-suite-mismatch.pcapng");
    let ch = tls_frames(&f, "client_hello");
    let alerts = alert_frames(&f);
    let rejected: Vec<&tlsdiag::Finding> = a
        .findings
        .iter()
        .filter(|x| x.code.as_str() == "handshake-rejected")
        .collect();
    assert_eq!(rejected.len(), 2);
    assert_eq!(
        rejected[0].evidence.iter().map(|e| e.0).collect::<Vec<_>>(),
        vec![ch[0], alerts[0]]
    );
    assert!(
        !rejected[0].detail.contains("forward-secret"),
        "{}",
        rejected[0].detail
    );
    assert!(
        rejected[0]
            .detail
            .contains("TLS_AES_128_GCM_SHA256 (0x1301)"),
        "{}",
        rejected[0].detail
    );
    assert!(
        rejected[1].detail.contains("only http/1.1 in ALPN"),
        "{}",
        rejected[1].detail
    );
}

#[test]
fn bad_certificate_for_an_expired_certificate_is_cert_expired() {
    let f = facts("cert-expired-gnutls.pcapng");
    let a = analyze("cert-expired-gnutls.pcapng");
    let mut ev = tls_frames(&f, "certificate");
    ev.extend(alert_frames(&f));
    let finding = expect(&a, "cert-expired", &ev);
    assert!(
        finding.detail.contains("bad_certificate alert (42"),
        "{}",
        finding.detail
    );
    assert!(
        finding.detail.contains("expired on 2021-01-01"),
        "{}",
        finding.detail
    );
}

#[test]
fn a_link_type_not_decoded_is_said_first_and_not_blamed_on_dns() {
    let a = analyze("wifi-radiotap.pcap");
    assert_eq!(
        a.frames,
        facts("wifi-radiotap.pcap")["frames"]
            .as_u64()
            .unwrap_or_default()
    );
    assert!(a.connections.is_empty());
    assert!(a.findings.is_empty(), "{:?}", errors(&a));
    assert!(
        a.warnings
            .first()
            .is_some_and(|w| w.message.contains("link type 127")),
        "{:?}",
        a.warnings
    );
}

#[test]
fn an_answer_the_capture_lost_is_not_a_silent_server() {
    // lost-alert.pcapng: handshake-rejected.pcapng without the frame of the
    // server's alert; the client's ACK and the server's FIN count its 7 bytes.
    let f = facts("lost-alert.pcapng");
    let a = analyze("lost-alert.pcapng");
    let s = stream(&f, 0);
    let server_fin = s["fin"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|x| x["from"] == "server")
        .and_then(|x| x["frame"].as_u64())
        .unwrap_or_default();
    let ch = tls_frames(&f, "client_hello");
    let finding = expect(&a, "handshake-rejected", &[ch[0], server_fin]);
    assert!(
        finding.title.contains("capture lost the answer"),
        "{}",
        finding.title
    );
    assert!(
        finding.detail.contains("one TLS alert record"),
        "{}",
        finding.detail
    );
    assert!(!errors(&a).contains(&"server-silent".to_string()));
    let c = &a.connections[0];
    assert_eq!(c.tcp.missing_bytes, 7);
    assert_eq!(c.tcp.server_bytes, 0);
    assert!(a.warnings.iter().any(|w| w.message.contains("lost bytes")));
}

#[test]
fn a_capture_that_stops_right_after_a_request_does_not_call_it_failed() {
    for (file, code, frame) in [
        (
            "cut-after-hello.pcapng",
            "server-silent",
            tls_frames(&facts("cut-after-hello.pcapng"), "client_hello")[0],
        ),
        (
            "cut-after-syn.pcapng",
            "tcp-unanswered",
            first(&stream(&facts("cut-after-syn.pcapng"), 0), "syn_frames").unwrap_or_default(),
        ),
    ] {
        let a = analyze(file);
        assert!(errors(&a).is_empty(), "{file}: {:?}", errors(&a));
        let f = a
            .findings
            .iter()
            .find(|f| f.code.as_str() == code)
            .unwrap_or_else(|| panic!("{file}: no {code}"));
        assert_eq!(f.severity, Severity::Info, "{file}");
        assert!(f.title.contains("too soon to tell"), "{}", f.title);
        assert_eq!(
            f.evidence.iter().map(|e| e.0).collect::<Vec<_>>(),
            vec![frame]
        );
    }
    // A SYN retransmitted still is unanswered.
    let syns = frames(&stream(&facts("tcp-unanswered.pcapng"), 0)["syn_frames"]);
    let ends = [syns[0], syns[syns.len() - 1]];
    expect(&analyze("tcp-unanswered.pcapng"), "tcp-unanswered", &ends);
}

#[test]
fn a_corrupt_sequence_number_is_ignored_not_counted_as_a_gigabyte_lost() {
    // corrupt-seq.pcap: tetra-good with bit 30 of the seq of the segment that
    // completes the Certificate flipped. tshark: that frame is "previous
    // segment not captured" 1 GiB ahead, the client's next ACK covers a segment
    // that wasn't captured.
    let f = facts("corrupt-seq.pcap");
    let a = analyze("corrupt-seq.pcap");
    let s = stream(&f, 0);
    let corrupt = s["analysis"]["lost_segment"][0]
        .as_u64()
        .unwrap_or_default();
    assert!(corrupt > 0, "{s}");
    let c = &a.connections[0];
    // The bytes the corrupt segment really carried are the only ones lost.
    let tshark_server = s["server_payload_bytes"].as_u64().unwrap_or_default();
    assert_eq!(c.tcp.server_bytes + c.tcp.missing_bytes, tshark_server);
    assert!(
        c.tcp.missing_bytes > 0 && c.tcp.missing_bytes < 1500,
        "{:?}",
        c.tcp
    );
    assert!(
        a.warnings.iter().any(
            |w| w.frame == Some(tlsdiag::FrameNo(corrupt)) && w.message.contains("far outside")
        ),
        "{:?}",
        a.warnings
    );
    let tls = c.tls.as_ref().map(|t| t.outcome);
    assert_eq!(tls, Some(tlsdiag::connection::TlsOutcome::Established));
    assert_eq!(
        c.tls
            .as_ref()
            .and_then(|t| t.server_hello.as_ref())
            .map(|h| h.frame.0),
        tls_frames(&f, "server_hello").first().copied()
    );
    assert!(errors(&a).is_empty(), "{:?}", errors(&a));
}
