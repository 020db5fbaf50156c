//! The hand-written lines against serde_json, the reference: every type on
//! edge cases, and every item of every capture in the repository.

use std::io::Read as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde::Serialize;

use super::*;
use crate::connection::TimelineEvent;
use crate::report::json::line_into_serde;
use crate::tls::certificate::KeyFamily;

fn ours<T: WriteJson + ?Sized>(v: &T) -> String {
    let mut buf = Vec::new();
    JsonWriter::new(&mut buf).value(v);
    String::from_utf8(buf).unwrap()
}

/// Where `ours` parts from `reference`, if it does.
fn difference(ours: &[u8], reference: &[u8]) -> Option<String> {
    if ours == reference {
        return None;
    }
    let at = ours
        .iter()
        .zip(reference)
        .take_while(|(a, b)| a == b)
        .count();
    let around = |s: &[u8]| {
        let from = at.saturating_sub(80);
        String::from_utf8_lossy(s.get(from..(at + 40).min(s.len())).unwrap_or_default())
            .into_owned()
    };
    Some(format!(
        "differ at byte {at}:\n  serde: …{}…\n  ours:  …{}…",
        around(reference),
        around(ours)
    ))
}

/// Fails, showing where they part, unless `ours` is `reference`.
#[track_caller]
fn assert_bytes(ours: &[u8], reference: &[u8]) {
    if let Some(d) = difference(ours, reference) {
        panic!("{d}");
    }
}

/// Both writers give the same bytes for `v`.
#[track_caller]
fn same<T: WriteJson + Serialize + ?Sized>(v: &T) {
    let serde = serde_json::to_string(v).unwrap();
    assert_bytes(ours(v).as_bytes(), serde.as_bytes());
}

/// Both line writers give the same bytes for `item`, with the name escaped per
/// line and once per capture.
#[track_caller]
fn same_line(capture: &str, item: &Output) {
    let mut reference = Vec::new();
    line_into_serde(&mut reference, capture, item).unwrap();
    let mut line = b"left over from the last line".to_vec();
    line_into(&mut line, capture, item);
    assert_bytes(&line, &reference);
    CaptureLines::new(capture).line_into(&mut line, item);
    assert_bytes(&line, &reference);
}

const NASTY: &[&str] = &[
    "",
    "plain",
    "\"",
    "\\",
    "a\"b\\c",
    "\\\"\\\"",
    "\u{7f}",
    "del\u{7f}del",
    "café ☕ 𝄞 日本語",
    "\u{80}\u{9b}\u{a0}\u{200b}\u{202e}\u{2028}\u{2029}\u{feff}\u{10ffff}",
    "tab\there\nnewline\r\n",
    "\u{1b}[31mred\u{1b}[0m",
    "ends with escape\n",
    "\nstarts with escape",
    "/slash/ is not escaped",
];

fn every_control() -> String {
    (0u8..0x20).map(char::from).collect()
}

#[test]
fn strings() {
    for s in NASTY {
        same(*s);
        same(&s.to_string());
    }
    same(every_control().as_str());
    for b in 0u8..=0x7f {
        let one = char::from(b).to_string();
        same(one.as_str());
        same(format!("x{one}y{one}{one}z").as_str());
    }
    let long: String = NASTY.concat().repeat(50);
    same(long.as_str());
}

#[test]
fn numbers() {
    for v in [
        0u64,
        1,
        9,
        10,
        99,
        100,
        12345,
        u64::from(u32::MAX),
        u64::MAX,
    ] {
        same(&v);
    }
    same(&u32::MAX);
    same(&u16::MAX);
    same(&u8::MAX);
    same(&0u8);
    same(&true);
    same(&false);
    for v in [
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.1,
        1e-7,
        1e-6,
        1e-5,
        1e15,
        1e16,
        1e17,
        1e21,
        1e22,
        123.456,
        0.000_123,
        1_234_567.0,
        9_007_199_254_740_993.0,
        f64::MAX,
        f64::MIN,
        f64::MIN_POSITIVE,
        f64::EPSILON,
        5e-324,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        -f64::NAN,
    ] {
        same(&v);
    }
}

proptest! {
    #[test]
    fn any_string(s in any::<String>()) {
        prop_assert_eq!(ours(s.as_str()), serde_json::to_string(&s).unwrap());
    }

    #[test]
    fn any_ascii_heavy_string(s in "[\\x00-\\x7f]{0,64}") {
        prop_assert_eq!(ours(s.as_str()), serde_json::to_string(&s).unwrap());
    }

    #[test]
    fn any_float(bits in any::<u64>()) {
        let v = f64::from_bits(bits);
        prop_assert_eq!(ours(&v), serde_json::to_string(&v).unwrap());
    }

    #[test]
    fn any_duration(nanos in any::<i64>()) {
        let v = nanos as f64 / 1e9;
        prop_assert_eq!(ours(&v), serde_json::to_string(&v).unwrap());
    }

    #[test]
    fn any_integer(v in any::<u64>()) {
        prop_assert_eq!(ours(&v), serde_json::to_string(&v).unwrap());
    }

    #[test]
    fn any_address(v4 in any::<u32>(), v6 in any::<u128>(), low in any::<u16>()) {
        for ip in [
            IpAddr::V4(Ipv4Addr::from(v4)),
            IpAddr::V6(Ipv6Addr::from(v6)),
            // Mostly zeros: the `::` compressions and the embedded-IPv4 forms.
            IpAddr::V6(Ipv6Addr::from(v6 & 0xffff_ffff)),
            IpAddr::V6(Ipv6Addr::from((0xffff_u128 << 32) | u128::from(v4))),
            IpAddr::V6(Ipv6Addr::from(u128::from(low) << 64)),
        ] {
            prop_assert_eq!(ours(&ip), serde_json::to_string(&ip).unwrap());
        }
    }

    #[test]
    fn any_timestamp(nanos in any::<i64>()) {
        same(&Timestamp::from_nanos(nanos));
    }
}

#[test]
fn addresses() {
    for ip in [
        "0.0.0.0",
        "255.255.255.255",
        "10.0.0.1",
        "192.168.100.200",
        "::",
        "::1",
        "::ffff:1.2.3.4",
        "::1.2.3.4",
        "2001:db8::1",
        "2001:db8:0:0:1:0:0:1",
        "fe80::1:2:3:4",
        "1001:1002:1003:1004:1005:1006:1007:1008",
        "64:ff9b::192.0.2.33",
    ] {
        let ip: IpAddr = ip.parse().unwrap();
        same(&ip);
        same(&Endpoint { ip, port: 0 });
        same(&Endpoint { ip, port: u16::MAX });
    }
}

#[test]
fn timestamps() {
    for nanos in [
        i64::MIN,
        i64::MIN + 1,
        -1,
        0,
        1,
        999,
        1_000,
        951_782_400_000_000_000, // 2000-02-29
        1_659_632_237_390_368_123,
        i64::MAX,
    ] {
        same(&Timestamp::from_nanos(nanos));
    }
    // Saturated (i64 nanoseconds stay within 1677–2262, so the `Display`
    // path for years outside 0–9999 is never taken).
    same(&Timestamp::from_parts(-70_000_000_000, 5, 10));
    same(&Timestamp::from_parts(300_000_000_000, 5, 10));
}

#[test]
fn code_points() {
    for v in [0u16, 1, 0x0a0a, 0x0303, 0x7f17, 0xabcd, 0xfafa, u16::MAX] {
        same(&ProtocolVersion(v));
        same(&ExtensionType(v));
        same(&NamedGroup(v));
        same(&SignatureScheme(v));
        same(&CipherSuite::tls(v));
    }
    for v in [
        0x0001_0000,
        0x0007_00c0,
        0x00ff_ffff,
        0x0100_0000,
        0x1234_5678,
        u32::MAX,
    ] {
        same(&CipherSuite(v));
    }
    same(&vec![
        CipherSuite(0x1301),
        CipherSuite(0x0a0a),
        CipherSuite(0x0700c0),
    ]);
    same::<[NamedGroup]>(&[]);
    same(&Some(vec![ExtensionType(0), ExtensionType(0xff01)]));
    same(&None::<Vec<ExtensionType>>);
}

/// Every variant of a unit enum, in order: `next` is an exhaustive match, so
/// a new variant cannot be added without it naming a successor.
fn all<T: Copy>(first: T, next: fn(T) -> Option<T>) -> Vec<T> {
    std::iter::successors(Some(first), |v| next(*v)).collect()
}

#[test]
fn unit_enums() {
    let tcp = all(TcpOutcome::Midstream, |v| match v {
        TcpOutcome::Midstream => Some(TcpOutcome::Refused),
        TcpOutcome::Refused => Some(TcpOutcome::Unanswered),
        TcpOutcome::Unanswered => Some(TcpOutcome::Reset),
        TcpOutcome::Reset => Some(TcpOutcome::Closed),
        TcpOutcome::Closed => Some(TcpOutcome::Established),
        TcpOutcome::Established => None,
    });
    assert_eq!(tcp.len(), 6);
    tcp.iter().for_each(same);

    let tls = all(TlsOutcome::Failed, |v| match v {
        TlsOutcome::Failed => Some(TlsOutcome::Reset),
        TlsOutcome::Reset => Some(TlsOutcome::NoResponse),
        TlsOutcome::NoResponse => Some(TlsOutcome::Incomplete),
        TlsOutcome::Incomplete => Some(TlsOutcome::Established),
        TlsOutcome::Established => None,
    });
    assert_eq!(tls.len(), 5);
    tls.iter().for_each(same);

    let severities = all(Severity::Error, |v| match v {
        Severity::Error => Some(Severity::Warning),
        Severity::Warning => Some(Severity::Info),
        Severity::Info => None,
    });
    assert_eq!(severities.len(), 3);
    severities.iter().for_each(same);

    use FindingCode as C;
    let codes = all(C::NoSharedCipher, |v| match v {
        C::NoSharedCipher => Some(C::HandshakeRejected),
        C::HandshakeRejected => Some(C::ProtocolVersion),
        C::ProtocolVersion => Some(C::CertUntrusted),
        C::CertUntrusted => Some(C::CertExpired),
        C::CertExpired => Some(C::TlsInterception),
        C::TlsInterception => Some(C::ServerSilent),
        C::ServerSilent => Some(C::ResetDuringHandshake),
        C::ResetDuringHandshake => Some(C::TcpRefused),
        C::TcpRefused => Some(C::TcpUnanswered),
        C::TcpUnanswered => Some(C::ProxyAuthRequired),
        C::ProxyAuthRequired => Some(C::ProxyDenied),
        C::ProxyDenied => Some(C::ProxyUpstreamFailed),
        C::ProxyUpstreamFailed => Some(C::DnsNxdomain),
        C::DnsNxdomain => Some(C::DnsServfail),
        C::DnsServfail => Some(C::DnsNoResponse),
        C::DnsNoResponse => Some(C::HttpError),
        C::HttpError => Some(C::TaxiiStatus),
        C::TaxiiStatus => Some(C::NotTls),
        C::NotTls => Some(C::ClientAbort),
        C::ClientAbort => Some(C::OneSidedCapture),
        C::OneSidedCapture => Some(C::HttpBodyCut),
        C::HttpBodyCut => Some(C::DnsNoQuery),
        C::DnsNoQuery => Some(C::ClientCertRejected),
        C::ClientCertRejected => None,
    });
    assert_eq!(codes.len(), 24);
    codes.iter().for_each(same);
}

fn ts(n: i64) -> Timestamp {
    Timestamp::from_nanos(1_659_632_237_390_368_000 + n)
}

fn endpoint(ip: &str, port: u16) -> Endpoint {
    Endpoint {
        ip: ip.parse().unwrap(),
        port,
    }
}

fn full_client_hello(frame: u64) -> ClientHello {
    ClientHello {
        frame: FrameNo(frame),
        record_version: ProtocolVersion(0x0301),
        version: Some(ProtocolVersion::TLS12),
        supported_versions: Some(vec![ProtocolVersion(0x2a2a), ProtocolVersion::TLS13]),
        sni: Some("evil\u{202e}\"moc\\.example\u{1b}".into()),
        alpn: Some(vec!["h2".into(), "http/1.1".into(), "\u{0}\u{7f}é".into()]),
        cipher_suites: Some(vec![
            CipherSuite(0x1301),
            CipherSuite(0x0a0a),
            CipherSuite(0x0700c0),
        ]),
        extensions: Some(vec![ExtensionType(0), ExtensionType(0xfe0d)]),
        supported_groups: Some(vec![NamedGroup(0x001d), NamedGroup(0x11ec)]),
        signature_algorithms: Some(vec![SignatureScheme(0x0403)]),
        key_share_groups: Some(Vec::new()),
        ja4: Some("t13d1516h2_8daaf6152771_e5627efa2ab1".into()),
        grease: true,
        truncated: false,
    }
}

fn empty_client_hello() -> ClientHello {
    ClientHello {
        frame: FrameNo(0),
        record_version: ProtocolVersion::SSL2,
        version: None,
        supported_versions: None,
        sni: None,
        alpn: None,
        cipher_suites: None,
        extensions: None,
        supported_groups: None,
        signature_algorithms: None,
        key_share_groups: None,
        ja4: None,
        grease: false,
        truncated: true,
    }
}

fn full_server_hello(retry: bool) -> ServerHello {
    ServerHello {
        frame: FrameNo(7),
        record_version: ProtocolVersion::TLS12,
        version: Some(ProtocolVersion::TLS13),
        legacy_version: Some(ProtocolVersion::TLS12),
        cipher_suite: Some(CipherSuite(0x1302)),
        cipher_suite_name: Some("TLS_AES_256_GCM_SHA384"),
        extensions: Some(vec![ExtensionType(43), ExtensionType(51)]),
        selected_group: Some(NamedGroup(0x001d)),
        alpn: Some("h2\n".into()),
        truncated: false,
        is_retry_request: retry,
    }
}

fn empty_server_hello() -> ServerHello {
    ServerHello {
        frame: FrameNo(u64::MAX),
        record_version: ProtocolVersion(0),
        version: None,
        legacy_version: None,
        cipher_suite: None,
        cipher_suite_name: None,
        extensions: None,
        selected_group: None,
        alpn: None,
        truncated: true,
        is_retry_request: false,
    }
}

fn certificate(full: bool) -> Certificate {
    if full {
        Certificate {
            frame: FrameNo(9),
            subject: Some("CN=\"quoted\\, name\",O=Ünïcødé".into()),
            issuer: Some("CN=Issuer\u{0}NUL".into()),
            not_before: Some("2020-01-01T00:00:00Z".into()),
            not_after: Some("@-99999999999".into()),
            self_signed: true,
            sha256: Some("00ff".repeat(16)),
            dns_names: vec!["a.example".into(), "*.b.example".into(), String::new()],
            key: Some("RSA 2048".into()),
            is_ca: true,
            truncated: false,
            error: Some("bad\tDER".into()),
            validity_unix: Some((0, 1)),
            key_family: Some(KeyFamily::Rsa),
        }
    } else {
        Certificate {
            frame: FrameNo(0),
            subject: None,
            issuer: None,
            not_before: None,
            not_after: None,
            self_signed: false,
            sha256: None,
            dns_names: Vec::new(),
            key: None,
            is_ca: false,
            truncated: true,
            error: None,
            validity_unix: None,
            key_family: None,
        }
    }
}

fn full_tls() -> Tls {
    Tls {
        client_hello: Some(full_client_hello(4)),
        hello_retry_request: Some(full_server_hello(true)),
        second_client_hello: Some(empty_client_hello()),
        server_hello: Some(empty_server_hello()),
        later_hellos: vec![
            LaterHello::ClientHello(full_client_hello(20)),
            LaterHello::ServerHello(full_server_hello(false)),
            LaterHello::ClientHello(empty_client_hello()),
            LaterHello::ServerHello(empty_server_hello()),
        ],
        certificates: vec![certificate(true), certificate(false)],
        client_certificates: vec![certificate(false)],
        alerts: vec![
            Alert {
                frame: FrameNo(11),
                from: "server",
                encrypted: false,
                level: Some("fatal"),
                description: Some(40),
                name: Some("handshake_failure"),
            },
            Alert {
                frame: FrameNo(12),
                from: "client",
                encrypted: true,
                level: None,
                description: None,
                name: None,
            },
            Alert {
                frame: FrameNo(13),
                from: "client",
                encrypted: false,
                level: Some("warning"),
                description: Some(255),
                name: None,
            },
        ],
        outcome: TlsOutcome::Failed,
        established_frame: Some(FrameNo(14)),
        not_tls: Some(NotTls {
            frame: FrameNo(5),
            from: "server",
            sample: "HTTP/1.1 400 \"Bad\" \\ Request\r".into(),
        }),
        server_key_exchange: Some(ServerKeyExchange {
            frame: FrameNo(8),
            group: Some(NamedGroup(23)),
            dh_bits: Some(1024),
        }),
        client_data_frame: Some(FrameNo(15)),
        server_data_frame: Some(FrameNo(16)),
        server_records_after_client: (0, None),
        client_short_record: None,
    }
}

fn empty_tls() -> Tls {
    Tls {
        client_hello: None,
        hello_retry_request: None,
        second_client_hello: None,
        server_hello: None,
        later_hellos: Vec::new(),
        certificates: Vec::new(),
        client_certificates: Vec::new(),
        alerts: Vec::new(),
        outcome: TlsOutcome::Incomplete,
        established_frame: None,
        not_tls: None,
        server_key_exchange: Some(ServerKeyExchange {
            frame: FrameNo(8),
            group: None,
            dh_bits: None,
        }),
        client_data_frame: None,
        server_data_frame: None,
        server_records_after_client: (0, None),
        client_short_record: None,
    }
}

fn full_http() -> HttpExchange {
    HttpExchange {
        request_frame: Some(FrameNo(3)),
        method: Some("GET".into()),
        host: Some("example.com:8080".into()),
        path: Some("/a\"b\\c?d=\u{1}".into()),
        status: Some(401),
        response_frame: Some(FrameNo(5)),
        reason: Some("Unauthorized".into()),
        content_type: Some("text/html; charset=\"utf-8\"".into()),
        www_authenticate: Some("Basic realm=\"x\"".into()),
        proxy_authenticate: Some("Negotiate".into()),
        request_authorization: true,
        proxy_error: Some("ERR_DNS_FAIL 0".into()),
        body_frame: Some(FrameNo(6)),
        body_cut: Some(BodyCut {
            received: 10,
            declared: Some(u64::MAX),
            last_frame: FrameNo(6),
        }),
        taxii_status: Some("FAILURE".into()),
        taxii_message: Some("line\nbreak".into()),
    }
}

fn connection(full: bool) -> Connection {
    Connection {
        id: if full { u32::MAX } else { 0 },
        client: endpoint("10.0.0.1", 50000),
        server: endpoint("2001:db8::1", 443),
        first_frame: FrameNo(1),
        last_frame: FrameNo(u64::MAX),
        start: ts(0),
        duration: if full { 1.234_567 } else { 0.0 },
        tcp: TcpSummary {
            outcome: if full {
                TcpOutcome::Reset
            } else {
                TcpOutcome::Midstream
            },
            syn_retransmits: 2,
            syn_frame: full.then_some(FrameNo(1)),
            syn_ack_frame: full.then_some(FrameNo(2)),
            syn_duration: full.then_some(3.000_001),
            rst: full.then_some(TcpEnd {
                frame: FrameNo(17),
                from: "server",
                ts: ts(17),
            }),
            fin: full.then_some(TcpEnd {
                frame: FrameNo(16),
                from: "client",
                ts: ts(16),
            }),
            client_bytes: 517,
            server_bytes: u64::MAX,
            missing_bytes: 0,
            server_missing_bytes: 0,
            out_of_window: Default::default(),
            retransmitted_segments: 1,
            out_of_order_segments: u32::MAX,
            client_packets: 9,
            server_packets: 0,
        },
        proxy: full.then(|| ProxyTunnel {
            host: "target\".example".into(),
            port: Some(443),
            request_frame: FrameNo(3),
            status: Some(407),
            response_frame: Some(FrameNo(4)),
            reason: Some("Proxy Authentication Required".into()),
            proxy_authenticate: Some("Basic realm=\"corp\"".into()),
            proxy_authorization: true,
            proxy_agent: Some("squid/5.7".into()),
            proxy_error: Some("ERR_CACHE_ACCESS_DENIED 0".into()),
            attempts: 2,
        }),
        http: if full {
            vec![full_http(), HttpExchange::empty()]
        } else {
            Vec::new()
        },
        tls: Some(if full { full_tls() } else { empty_tls() }),
        timeline: vec![TimelineEvent {
            frame: FrameNo(1),
            ts: ts(0),
            from_client: true,
            what: "SYN".into(),
        }],
        end: ts(99),
        open_at_capture_end: None,
    }
}

fn finding(full: bool) -> Finding {
    Finding {
        code: FindingCode::NoSharedCipher,
        severity: if full {
            Severity::Error
        } else {
            Severity::Info
        },
        connection: full.then_some(7),
        dns: full.then_some(u32::MAX),
        title: "No \"shared\" cipher \\ suite".into(),
        detail: "The client offered:\n\t0x1301 …".into(),
        evidence: if full {
            vec![FrameNo(4), FrameNo(5)]
        } else {
            Vec::new()
        },
        remedy: full.then(|| "Enable ECDHE\u{7f}".into()),
    }
}

fn dns(full: bool) -> DnsExchange {
    DnsExchange {
        id: 3,
        query_frame: full.then_some(FrameNo(1)),
        response_frame: full.then_some(FrameNo(2)),
        name: "xn--caf-dma.example\u{0}.".into(),
        qtype: "AAAA".into(),
        rcode: full.then(|| "NXDOMAIN".into()),
        answers: if full {
            vec!["2001:db8::1".into(), "\"txt\\record\"".into()]
        } else {
            Vec::new()
        },
        server: endpoint("8.8.8.8", 53),
        client: endpoint("fe80::1", 5353),
        transport: if full { "tcp" } else { "udp" },
        retransmissions: 1,
        retransmission_frames: vec![FrameNo(1)],
        query_time: full.then(|| ts(-5)),
        response_time: full.then_some(0.000_123),
    }
}

#[test]
fn structs() {
    for full in [true, false] {
        let c = connection(full);
        same(&c);
        same(&c.tcp);
        same(&c.proxy);
        same(&c.http);
        same(&c.tls);
        same(&full_tls().later_hellos);
        same(&certificate(full));
        same(&finding(full));
        same(&dns(full));
    }
    same(&full_http());
    same(&HttpExchange::empty());
    same(&full_server_hello(true));
    same(&empty_client_hello());
}

#[test]
fn lines() {
    for capture in [
        "plain.pcap",
        "",
        "dir with \"quotes\"/and\\backslash.pcap",
        "scan.zip!inner/\u{1}ctl\u{7f}é.pcapng",
    ] {
        for full in [true, false] {
            same_line(capture, &Output::Connection(Box::new(connection(full))));
            same_line(capture, &Output::Dns(dns(full)));
            same_line(capture, &Output::Finding(finding(full)));
        }
    }
}

fn captures_under(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            captures_under(&path, found);
        } else if path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
            [".pcap", ".pcapng", ".cap", ".gz"]
                .iter()
                .any(|e| n.ends_with(e))
        }) {
            found.push(path);
        }
    }
}

/// Bytes of each capture read by an unoptimised test build.
const DEBUG_BYTES_PER_CAPTURE: u64 = 4 << 20;

/// Every item of every capture of the repository (and of the shared public
/// corpus, when it is there): the hand-written line is serde's, byte for byte.
/// A writer that drifts from its struct (a field renamed, reordered, or a new
/// serde attribute) fails here as soon as a capture exercises it.
#[test]
fn every_capture_writes_what_serde_writes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    captures_under(&root.join("captures"), &mut paths);
    let in_repo = paths.len();
    captures_under(&root.join("../shared/corpus/public"), &mut paths);
    paths.sort();
    assert!(in_repo >= 60, "captures/ holds {in_repo} captures");

    let options = crate::Options::default();
    let (mut ours, mut reference) = (Vec::new(), Vec::new());
    let mut counts = [0usize; 3];
    let mut failures = Vec::new();
    for path in &paths {
        let name = path.display().to_string();
        let lines = CaptureLines::new(&name);
        let Ok(mut input) = crate::capture::input::open(path) else {
            continue;
        };
        if cfg!(debug_assertions) {
            // Unoptimised, the two largest adversarial captures (415 MB and
            // 56 MB inflated, 2.1 million lines) take minutes: their first
            // megabytes show every shape they hold. `--release` reads all.
            input.stream = Box::new(input.stream.take(DEBUG_BYTES_PER_CAPTURE));
        }
        let Ok(reader) = crate::CaptureReader::new(input, path) else {
            continue;
        };
        let _ = crate::analyze_stream(reader, &options, &mut |item| {
            counts[match &item {
                Output::Connection(_) => 0,
                Output::Dns(_) => 1,
                Output::Finding(_) => 2,
            }] += 1;
            line_into_serde(&mut reference, &name, &item).unwrap();
            lines.line_into(&mut ours, &item);
            if let Some(d) = difference(&ours, &reference) {
                if failures.len() < 5 {
                    failures.push(format!("{name}: {d}"));
                }
            }
        });
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The corpus exercises every kind of line, many times.
    assert!(
        counts[0] > 1000 && counts[1] > 50 && counts[2] > 100,
        "{counts:?}"
    );
}
