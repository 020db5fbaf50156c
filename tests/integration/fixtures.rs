//! The fixture captures (`captures/`), made by real software, against what
//! tshark reports for each of them (`captures/facts.json`, layout at the top of
//! `captures/README.md`).
//!
//! One data-driven suite: for every file in `facts.json` the library's
//! [`tlsdiag::Analysis`] (serialized with serde, so the contract's field names
//! are what is compared) must agree with tshark on frames, TCP connections, TLS
//! hellos, certificates and alerts, CONNECT tunnels, HTTP exchanges and DNS.
//! Every mismatch is collected and reported with file, connection, field, our
//! value and tshark's, so one run shows everything that is off.
//!
//! Where our output legitimately differs from tshark's view, the difference is
//! allowed by a narrow rule below that says why (search for `EXCEPTION`);
//! nothing is loosened globally, and no fixture is skipped.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

fn captures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("captures")
}

fn load_facts() -> Value {
    let path = captures_dir().join("facts.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

fn arr(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or_default()
}

fn num(v: &Value) -> u64 {
    v.as_u64().unwrap_or(u64::MAX)
}

/// Collects mismatches for one capture.
struct Check<'a> {
    file: &'a str,
    failures: &'a mut Vec<String>,
    /// Listed exceptions that were needed (a listed one never needed is stale).
    used_exceptions: &'a mut Vec<String>,
}

impl Check<'_> {
    fn fail(&mut self, place: &str, what: impl std::fmt::Display) {
        self.failures
            .push(format!("{}: {place}: {what}", self.file));
    }

    /// `ours.field` must equal `tshark` exactly (JSON equality).
    fn same(&mut self, place: &str, field: &str, ours: &Value, tshark: &Value) {
        if ours != tshark {
            self.fail(place, format!("{field}: ours {ours}, tshark {tshark}"));
        }
    }

    /// The same field on both sides.
    fn field(&mut self, place: &str, field: &str, ours: &Value, tshark: &Value) {
        self.same(place, field, &ours[field], &tshark[field]);
    }
}

/// What the facts say about one file, with the per-stream views we need.
struct FileFacts<'a> {
    f: &'a Value,
    /// tshark stream number → the stream's facts.
    streams: BTreeMap<u64, &'a Value>,
}

impl<'a> FileFacts<'a> {
    fn new(f: &'a Value) -> Self {
        let streams = arr(&f["tcp_streams"])
            .iter()
            .map(|s| (num(&s["stream"]), s))
            .collect();
        Self { f, streams }
    }

    fn of_stream(&self, key: &str, stream: u64) -> Vec<&'a Value> {
        let mut v: Vec<&Value> = arr(&self.f[key])
            .iter()
            .filter(|x| num(&x["stream"]) == stream)
            .collect();
        v.sort_by_key(|x| num(&x["frame"]));
        v
    }

    /// Frames the snap length cut (tshark: `frame.cap_len < frame.len`).
    fn cut_frames(&self) -> BTreeSet<u64> {
        arr(&self.f["frames_cut_by_snaplen"])
            .iter()
            .map(num)
            .collect()
    }

    /// The last frame of a capture whose last record was cut short by the end
    /// of the file: what it carried of a message is all there will ever be.
    fn capture_cut_at(&self) -> Option<u64> {
        (self.f["truncated_record"] == true).then(|| num(&self.f["frames"]))
    }

    /// Whether a message reported at `frame` was cut by the capture itself
    /// (snap length, or the end of a truncated file).
    fn cut_by_capture(&self, frame: u64) -> bool {
        self.cut_frames().contains(&frame) || self.capture_cut_at() == Some(frame)
    }

    /// Frames tshark's TCP analysis calls retransmissions, in any stream.
    fn tshark_retransmissions(&self) -> BTreeSet<u64> {
        self.streams
            .values()
            .flat_map(|s| arr(&s["analysis"]["retransmission"]))
            .map(num)
            .collect()
    }

    /// A capture with one segment's sequence number corrupted
    /// (`captures/tools/flip_seq.py`, listed in [`CORRUPT_SEQ`]): tshark follows
    /// the corrupt number, so it takes the real segments after it for
    /// retransmissions and dissects none of their TLS; we drop the corrupt
    /// segment (a warning says so) and decode what follows.
    fn derailed_by_corrupt_seq(&self, file: &str) -> bool {
        CORRUPT_SEQ.contains(&file)
    }
}

/// Fixtures with a corrupted TCP sequence number (see
/// `FileFacts::derailed_by_corrupt_seq`).
const CORRUPT_SEQ: &[&str] = &["corrupt-seq.pcap"];

#[test]
fn every_fixture_matches_tshark() {
    let facts = load_facts();
    let files = facts["files"].as_object().cloned().unwrap_or_default();

    // No fixture escapes: every capture on disk has facts, and every file the
    // facts describe is on disk.
    let on_disk: BTreeSet<String> = std::fs::read_dir(captures_dir())
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".pcap") || n.ends_with(".pcapng"))
        .collect();
    let described: BTreeSet<String> = files.keys().cloned().collect();
    assert_eq!(on_disk, described, "captures/ and facts.json disagree");
    assert!(described.len() >= 36, "only {} fixtures", described.len());

    let mut failures = Vec::new();
    let mut used = Vec::new();
    for (name, f) in &files {
        check_file(name, f, &mut failures, &mut used);
    }
    for (file, frame, _) in RESYNCED_ALERTS {
        let key = format!("{file} alert@{frame}");
        if !used.contains(&key) {
            failures.push(format!(
                "RESYNCED_ALERTS lists {key}, which is not needed: remove it"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches with tshark:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn check_file(name: &str, f: &Value, failures: &mut Vec<String>, used: &mut Vec<String>) {
    let mut c = Check {
        file: name,
        failures,
        used_exceptions: used,
    };
    let analysis =
        match tlsdiag::analyze_path(&captures_dir().join(name), &tlsdiag::Options::default()) {
            Ok(a) => a,
            Err(e) => {
                c.fail("analyze", e);
                return;
            }
        };
    let doc = match serde_json::to_value(&analysis) {
        Ok(d) => d,
        Err(e) => {
            c.fail("serialize", e);
            return;
        }
    };
    let ff = FileFacts::new(f);

    c.field("capture", "format", &doc, f);
    c.field("capture", "frames", &doc, f);
    check_truncation(&mut c, &doc, f);

    // Connections: one per tshark stream, matched by first frame.
    let ours = arr(&doc["connections"]);
    if ours.len() as u64 != num(&f["tcp_stream_count"]) {
        c.fail(
            "connections",
            format!(
                "count: ours {} (first frames {:?}), tshark {}",
                ours.len(),
                ours.iter()
                    .map(|o| num(&o["first_frame"]))
                    .collect::<Vec<_>>(),
                f["tcp_stream_count"]
            ),
        );
    }
    for (&stream, s) in &ff.streams {
        let Some(conn) = ours.iter().find(|o| o["first_frame"] == s["first_frame"]) else {
            c.fail(
                &format!("tshark stream {stream}"),
                format!("no connection of ours starts at frame {}", s["first_frame"]),
            );
            continue;
        };
        let end = |e: &Value| format!("{}:{}", e["ip"].as_str().unwrap_or("?"), e["port"]);
        let place = format!(
            "connection {} (tshark stream {stream}, {} -> {})",
            conn["id"],
            end(&s["client"]),
            end(&s["server"])
        );
        check_connection(&mut c, &place, conn, s);
        check_tls(&mut c, &place, conn, &ff, stream);
        check_http(&mut c, &place, conn, &ff, stream);
    }
    check_dns(&mut c, &doc, f);
}

/// A truncated last record: not a frame, and a warning naming the number it
/// would have had. No such warning otherwise.
fn check_truncation(c: &mut Check<'_>, doc: &Value, f: &Value) {
    let warnings: Vec<&str> = arr(&doc["warnings"])
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let truncation: Vec<&&str> = warnings
        .iter()
        .filter(|w| w.contains("truncated record"))
        .collect();
    if f["truncated_record"] == true {
        let want = format!(
            "frame {}: truncated record, analysis stops here",
            f["truncated_record_would_be_frame"]
        );
        if !warnings.contains(&want.as_str()) {
            c.fail(
                "warnings",
                format!(
                    "missing {want:?}; ours {warnings:?} (tshark: {})",
                    f["tshark_error"]
                ),
            );
        }
    } else if !truncation.is_empty() {
        c.fail(
            "warnings",
            format!("ours {truncation:?}, but tshark read every record whole"),
        );
    }
}

fn check_connection(c: &mut Check<'_>, place: &str, conn: &Value, s: &Value) {
    for side in ["client", "server"] {
        for k in ["ip", "port"] {
            c.same(place, &format!("{side}.{k}"), &conn[side][k], &s[side][k]);
        }
    }
    c.field(place, "first_frame", conn, s);
    c.field(place, "last_frame", conn, s);
    c.field(place, "start", conn, s);
    let (ours_d, tshark_d) = (conn["duration"].as_f64(), s["duration"].as_f64());
    // facts.py rounds (float(t1) - float(t0)) to 6 decimals: at most 0.5 µs of
    // rounding plus the float error of epoch seconds (< 0.25 µs); ours is
    // exact to the nanosecond.
    if !matches!((ours_d, tshark_d), (Some(a), Some(b)) if (a - b).abs() < 1e-6) {
        c.fail(
            place,
            format!("duration: ours {ours_d:?}, tshark {tshark_d:?}"),
        );
    }
    c.same(
        place,
        "tcp.outcome",
        &conn["tcp"]["outcome"],
        &s["outcome_per_spec"],
    );
    // The first SYN, SYN-ACK, FIN and RST (ours also say who sent the latter).
    let first = |key: &str| arr(&s[key]).first().cloned().unwrap_or(Value::Null);
    c.same(
        place,
        "tcp.syn_frame",
        &conn["tcp"]["syn_frame"],
        &first("syn_frames"),
    );
    c.same(
        place,
        "tcp.syn_ack_frame",
        &conn["tcp"]["syn_ack_frame"],
        &first("synack_frames"),
    );
    for key in ["fin", "rst"] {
        let mut theirs: Vec<&Value> = arr(&s[key]).iter().collect();
        theirs.sort_by_key(|e| num(&e["frame"]));
        let ours = &conn["tcp"][key];
        let want = theirs.first().copied().unwrap_or(&Value::Null);
        if ours["frame"] != want["frame"] || ours["from"] != want["from"] {
            c.fail(
                place,
                format!("tcp.{key}: ours {ours}, tshark's first {want}"),
            );
        }
    }
    c.same(
        place,
        "tcp.syn_retransmits",
        &conn["tcp"]["syn_retransmits"],
        &s["syn_retransmits"],
    );
}

/// Our hellos of one connection, with the slot each sits in.
fn our_hellos(tls: &Value) -> Vec<(String, &Value)> {
    let mut v = Vec::new();
    for slot in [
        "client_hello",
        "hello_retry_request",
        "second_client_hello",
        "server_hello",
    ] {
        if !tls[slot].is_null() {
            v.push((slot.to_string(), &tls[slot]));
        }
    }
    for h in arr(&tls["later_hellos"]) {
        v.push((
            format!("later_hellos[{}]", h["type"].as_str().unwrap_or("?")),
            h,
        ));
    }
    v
}

fn check_tls(c: &mut Check<'_>, place: &str, conn: &Value, ff: &FileFacts<'_>, stream: u64) {
    let tls = &conn["tls"];
    let messages = ff.of_stream("tls_handshakes", stream);
    let alerts = ff.of_stream("tls_alerts", stream);
    if !tls.is_null() && messages.is_empty() && alerts.is_empty() {
        // `tls` is null unless a TLS record was seen: none can be where no
        // payload was sent, nor on a plaintext HTTP connection.
        let s = ff.streams.get(&stream).copied().unwrap_or(&Value::Null);
        let no_payload = s["client_payload_bytes"] == 0 && s["server_payload_bytes"] == 0;
        let plain_http = arr(&ff.f["http"])
            .iter()
            .any(|x| num(&x["stream"]) == stream && x["method"] != "CONNECT");
        if no_payload || plain_http {
            c.fail(
                place,
                format!("tls: ours {tls}, but no TLS record can be here"),
            );
        }
    }
    if tls.is_null() {
        if !messages.is_empty() || !alerts.is_empty() {
            c.fail(
                place,
                format!(
                    "tls: ours null, tshark saw {} handshake messages and {} alerts",
                    messages.len(),
                    alerts.len()
                ),
            );
        }
        return;
    }

    // Which slot each tshark hello belongs in, by the contract: the first
    // ClientHello, the HelloRetryRequest, the ClientHello answering it, the
    // first real ServerHello; every other plaintext hello is a later hello.
    let hellos: Vec<&Value> = messages
        .iter()
        .copied()
        .filter(|m| m["type"] == "client_hello" || m["type"] == "server_hello")
        .collect();
    let hrr = hellos
        .iter()
        .find(|m| m["type"] == "server_hello" && m["hello_retry_request"] == true)
        .copied();
    let mut expected: Vec<(String, &Value)> = Vec::new();
    let mut later: Vec<&Value> = Vec::new();
    for m in &hellos {
        let is_ch = m["type"] == "client_hello";
        let slot = if is_ch && !expected.iter().any(|(s, _)| s == "client_hello") {
            Some("client_hello")
        } else if is_ch
            && hrr.is_some_and(|h| num(&h["frame"]) <= num(&m["frame"]))
            && !expected
                .iter()
                .any(|(s, _)| s == "second_client_hello" || s == "server_hello")
        {
            Some("second_client_hello")
        } else if !is_ch && hrr.is_some_and(|h| std::ptr::eq(h, *m)) {
            Some("hello_retry_request")
        } else if !is_ch && !expected.iter().any(|(s, _)| s == "server_hello") {
            Some("server_hello")
        } else {
            None
        };
        match slot {
            Some(s) => expected.push((s.to_string(), m)),
            None => later.push(m),
        }
    }
    for m in later {
        let t = m["type"].as_str().unwrap_or("?");
        expected.push((format!("later_hellos[{t}]"), m));
    }

    let mut ours = our_hellos(tls);
    for (slot, m) in &expected {
        let at = ours
            .iter()
            .position(|(s, h)| s == slot && h["frame"] == m["frame"]);
        let Some(at) = at else {
            let found: Vec<String> = ours
                .iter()
                .map(|(s, h)| format!("{s}@{}", h["frame"]))
                .collect();
            c.fail(
                place,
                format!(
                    "tshark's {} at frame {} should be our tls.{slot}; ours has {found:?}",
                    m["type"], m["frame"]
                ),
            );
            continue;
        };
        let (_, h) = ours.remove(at);
        let here = format!("{place} tls.{slot}@{}", m["frame"]);
        if m["type"] == "client_hello" {
            compare_client_hello(c, &here, h, m);
        } else {
            compare_server_hello(c, &here, h, m);
        }
    }
    // Hellos tshark does not show.
    for (slot, h) in ours {
        let frame = num(&h["frame"]);
        // EXCEPTION: tshark does not dissect a hello whose record the snap
        // length cut (it shows only the record header); the contract wants it
        // decoded as far as its bytes go, with `truncated: true`. Checked
        // against the captured bytes tshark shows for that frame.
        if h["truncated"] == true && ff.cut_frames().contains(&frame) {
            check_cut_hello(c, &format!("{place} tls.{slot}@{frame}"), h, ff, frame);
            continue;
        }
        c.fail(
            place,
            format!("tls.{slot} at frame {frame}: tshark shows no hello there ({h})"),
        );
    }

    check_certificates(c, place, tls, &messages, ff);
    check_alerts(c, place, conn, &alerts, ff);
}

fn compare_client_hello(c: &mut Check<'_>, place: &str, ours: &Value, m: &Value) {
    for k in [
        "record_version",
        "version",
        "cipher_suites",
        "extensions",
        "supported_versions",
        "sni",
        "alpn",
        "supported_groups",
        "signature_algorithms",
        "key_share_groups",
    ] {
        c.field(place, k, ours, m);
    }
    c.same(place, "truncated", &ours["truncated"], &Value::Bool(false));
}

fn compare_server_hello(c: &mut Check<'_>, place: &str, ours: &Value, m: &Value) {
    c.field(place, "record_version", ours, m);
    // The contract's `version` is the negotiated one; the hello's own field is
    // our `legacy_version`.
    c.same(place, "version", &ours["version"], &m["negotiated_version"]);
    c.same(
        place,
        "legacy_version",
        &ours["legacy_version"],
        &m["version"],
    );
    c.field(place, "cipher_suite", ours, m);
    c.field(place, "extensions", ours, m);
    // A HelloRetryRequest's key_share names the group it asks for; a
    // ServerHello's carries the group of its share.
    let group = if m["hello_retry_request"] == true {
        &m["selected_group"]
    } else {
        &m["key_share_group"]
    };
    c.same(place, "selected_group", &ours["selected_group"], group);
    c.same(place, "truncated", &ours["truncated"], &Value::Bool(false));
}

/// A hello cut by the snap length, against the bytes tshark shows of its frame
/// (`cut_frames_detail[].tcp_payload_captured_hex`): fields whose bytes are all
/// there must be decoded, fields past the cut or cut mid-value must be null.
fn check_cut_hello(c: &mut Check<'_>, place: &str, ours: &Value, ff: &FileFacts<'_>, frame: u64) {
    let Some(detail) = arr(&ff.f["cut_frames_detail"])
        .iter()
        .find(|d| num(&d["frame"]) == frame)
    else {
        c.fail(place, "no cut_frames_detail for this frame");
        return;
    };
    let bytes = hex(detail["tcp_payload_captured_hex"]
        .as_str()
        .unwrap_or_default());
    // The record tshark saw starting in this frame (content type 22).
    let record = arr(&detail["tls_records"]).first();
    if record.is_none_or(|r| r["content_type"] != 22) {
        c.fail(
            place,
            format!("tshark saw no handshake record here: {detail}"),
        );
        return;
    }
    let record = record.unwrap_or(&Value::Null);
    let at = |i: usize| bytes.get(i).copied().map(usize::from);
    let u16_at = |i: usize| Some((at(i)? << 8) | at(i + 1)?);
    let hexv = |v: usize| Value::String(format!("0x{v:04x}"));
    let list = |from: usize, len: usize| -> Value {
        match bytes.get(from..from + len) {
            Some(b) => Value::Array(
                b.chunks_exact(2)
                    .map(|p| hexv((usize::from(p[0]) << 8) | usize::from(p[1])))
                    .collect(),
            ),
            None => Value::Null,
        }
    };
    // record header 5, handshake header 4, version 2, random 32, session id.
    let kind = at(5);
    let version = u16_at(9).map_or(Value::Null, hexv);
    let sid_len = at(43);
    let after_sid = sid_len.map(|n| 44 + n);
    match kind {
        Some(1) => {
            c.same(
                place,
                "record_version",
                &ours["record_version"],
                &record["record_version"],
            );
            c.same(place, "version", &ours["version"], &version);
            let suites = after_sid
                .and_then(|p| u16_at(p).map(|n| list(p + 2, n)))
                .unwrap_or(Value::Null);
            c.same(place, "cipher_suites", &ours["cipher_suites"], &suites);
            if suites.is_null() {
                // Everything after the suites is past the cut.
                for k in [
                    "extensions",
                    "supported_versions",
                    "sni",
                    "alpn",
                    "supported_groups",
                    "signature_algorithms",
                ] {
                    c.same(place, k, &ours[k], &Value::Null);
                }
            }
        }
        Some(2) => {
            c.same(place, "legacy_version", &ours["legacy_version"], &version);
            let suite = after_sid
                .and_then(|p| u16_at(p).map(hexv))
                .unwrap_or(Value::Null);
            c.same(place, "cipher_suite", &ours["cipher_suite"], &suite);
            // The extension list is cut (the record is longer than what was
            // captured): no list, and no negotiated version, since a
            // supported_versions extension past the cut could say TLS 1.3.
            let record_len = num(&record["length"]) as usize;
            if bytes.len() < 5 + record_len {
                c.same(place, "extensions", &ours["extensions"], &Value::Null);
                c.same(place, "version", &ours["version"], &Value::Null);
            }
        }
        other => c.fail(
            place,
            format!("handshake type {other:?} in the captured bytes"),
        ),
    }
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .filter_map(|i| u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}

fn check_certificates(
    c: &mut Check<'_>,
    place: &str,
    tls: &Value,
    messages: &[&Value],
    ff: &FileFacts<'_>,
) {
    for (from, key) in [
        ("server", "certificates"),
        ("client", "client_certificates"),
    ] {
        let ours = arr(&tls[key]);
        // We keep the first chain each side sends (renegotiation repeats it).
        let msg = messages
            .iter()
            .find(|m| m["type"] == "certificate" && m["from"] == from);
        let theirs: Vec<&Value> = msg
            .map(|m| arr(&m["certificates"]).iter().collect())
            .unwrap_or_default();
        let frame = msg.map(|m| &m["frame"]);
        if theirs.is_empty() && !ours.is_empty() {
            // EXCEPTION: a Certificate message cut by the end of a truncated
            // capture (or by the snap length) is one tshark never completes, so
            // never shows; the contract wants it decoded as far as its bytes go,
            // the cut certificate listed with `truncated: true`.
            let last = ours.last().unwrap_or(&Value::Null);
            let all_at_cut = ours
                .iter()
                .all(|o| ff.cut_by_capture(num(&o["frame"])) && o["frame"] == last["frame"]);
            // EXCEPTION: after a corrupt sequence number tshark never completes
            // the Certificate whose last segment it was; the bytes the capture
            // lost with it cut the chain, decoded as far as they go.
            let all_at_cut = all_at_cut || ff.derailed_by_corrupt_seq(c.file);
            if all_at_cut && last["truncated"] == true {
                for o in &ours[..ours.len() - 1] {
                    let p = format!("{place} tls.{key}@{}", o["frame"]);
                    c.same(&p, "truncated", &o["truncated"], &Value::Bool(false));
                    if o["subject"].is_null() || o["sha256"].is_null() {
                        c.fail(&p, format!("a whole certificate with null fields: {o}"));
                    }
                }
                for k in ["subject", "issuer", "sha256", "not_before", "not_after"] {
                    c.same(
                        &format!("{place} tls.{key} (cut)"),
                        k,
                        &last[k],
                        &Value::Null,
                    );
                }
                continue;
            }
        }
        if ours.len() != theirs.len() {
            c.fail(
                place,
                format!(
                    "tls.{key}: ours {} certificates, tshark {} (frame {})",
                    ours.len(),
                    theirs.len(),
                    frame.unwrap_or(&Value::Null)
                ),
            );
            continue;
        }
        for (i, (o, t)) in ours.iter().zip(&theirs).enumerate() {
            let p = format!("{place} tls.{key}[{i}]");
            c.same(&p, "frame", &o["frame"], frame.unwrap_or(&Value::Null));
            for k in [
                "subject",
                "issuer",
                "sha256",
                "self_signed",
                "not_before",
                "not_after",
            ] {
                c.field(&p, k, o, t);
            }
            c.same(&p, "truncated", &o["truncated"], &Value::Bool(false));
        }
    }
}

fn check_alerts(
    c: &mut Check<'_>,
    place: &str,
    conn: &Value,
    alerts: &[&Value],
    ff: &FileFacts<'_>,
) {
    let mut ours: Vec<&Value> = arr(&conn["tls"]["alerts"]).iter().collect();
    for t in alerts {
        let Some(at) = ours.iter().position(|o| o["frame"] == t["frame"]) else {
            c.fail(
                place,
                format!(
                    "tls.alerts: tshark's alert at frame {} is missing ({t})",
                    t["frame"]
                ),
            );
            continue;
        };
        let o = ours.remove(at);
        let p = format!("{place} tls.alerts@{}", t["frame"]);
        c.field(&p, "from", o, t);
        c.field(&p, "encrypted", o, t);
        c.same(&p, "level", &o["level"], &t["level_name"]);
        c.field(&p, "description", o, t);
        c.field(&p, "name", o, t);
    }
    for o in ours {
        // EXCEPTION (listed in RESYNCED_ALERTS): after bytes cut by the snap
        // length tshark's TLS dissector waits for the rest of the cut record and
        // dissects nothing more in that direction; we resynchronise at the next
        // record header, so we also see the encrypted alerts that follow.
        let listed = RESYNCED_ALERTS
            .iter()
            .any(|(f, frame, from)| *f == c.file && o["frame"] == *frame && o["from"] == *from);
        // EXCEPTION: after a corrupt sequence number (CORRUPT_SEQ) tshark
        // takes the frame of an encrypted alert for a retransmission and does
        // not dissect it.
        let derailed = ff.derailed_by_corrupt_seq(c.file)
            && ff.tshark_retransmissions().contains(&num(&o["frame"]));
        if derailed && o["encrypted"] == true {
            continue;
        }
        if listed && o["encrypted"] == true && ff.cut_frames().iter().any(|f| *f < num(&o["frame"]))
        {
            c.used_exceptions
                .push(format!("{} alert@{}", c.file, o["frame"]));
            continue;
        }
        c.fail(
            place,
            format!("tls.alerts: ours has an alert tshark does not show: {o}"),
        );
    }
}

/// Alerts tshark does not dissect because an earlier record of the same
/// direction was cut by the snap length (see `check_alerts`): file, frame,
/// sender. Each was read from tshark's `tcp.payload` of that frame: an alert
/// record header `15 03 03 00 1a` (26 bytes: encrypted) and nothing else.
const RESYNCED_ALERTS: &[(&str, u64, &str)] = &[
    ("snaplen-cut.pcap", 14, "server"),
    ("snaplen-cut.pcap", 16, "client"),
];

fn check_http(c: &mut Check<'_>, place: &str, conn: &Value, ff: &FileFacts<'_>, stream: u64) {
    let mut exchanges: Vec<&Value> = arr(&ff.f["http"])
        .iter()
        .filter(|x| num(&x["stream"]) == stream)
        .collect();
    exchanges.sort_by_key(|x| num(&x["request_frame"]));
    let (connects, plain): (Vec<&Value>, Vec<&Value>) = exchanges
        .into_iter()
        .partition(|x| x["method"] == "CONNECT");

    // CONNECT belongs in `proxy` (the last attempt on the connection).
    let proxy = &conn["proxy"];
    match connects.last() {
        None => c.same(place, "proxy", proxy, &Value::Null),
        Some(x) => {
            let p = format!("{place} proxy");
            let uri = x["uri"].as_str().unwrap_or_default();
            let (host, port) = match uri.rsplit_once(':') {
                Some((h, p)) => (
                    Value::from(h.trim_start_matches('[').trim_end_matches(']')),
                    p.parse::<u64>().map_or(Value::Null, Value::from),
                ),
                None => (Value::from(uri), Value::Null),
            };
            c.same(&p, "host", &proxy["host"], &host);
            c.same(&p, "port", &proxy["port"], &port);
            c.field(&p, "request_frame", proxy, x);
            c.field(&p, "response_frame", proxy, x);
            c.field(&p, "status", proxy, x);
        }
    }

    // Everything else in `http`, in request order.
    let ours = arr(&conn["http"]);
    if ours.len() != plain.len() {
        c.fail(
            place,
            format!(
                "http: ours {} exchanges (requests at {:?}), tshark {} (requests at {:?})",
                ours.len(),
                ours.iter().map(|o| &o["request_frame"]).collect::<Vec<_>>(),
                plain.len(),
                plain
                    .iter()
                    .map(|x| &x["request_frame"])
                    .collect::<Vec<_>>()
            ),
        );
        return;
    }
    for (o, x) in ours.iter().zip(&plain) {
        let p = format!("{place} http@{}", x["request_frame"]);
        for k in [
            "request_frame",
            "response_frame",
            "body_frame",
            "method",
            "host",
            "status",
        ] {
            c.field(&p, k, o, x);
        }
        c.same(&p, "path", &o["path"], &x["uri"]);
        if let Some(t) = x.get("taxii_status_type") {
            c.same(&p, "taxii_status", &o["taxii_status"], t);
        }
    }
}

fn check_dns(c: &mut Check<'_>, doc: &Value, f: &Value) {
    let ours = arr(&doc["dns"]);
    let theirs = arr(&f["dns"]);
    // EXCEPTION: a query tshark itself flags as a retransmission
    // (`dns.retransmission`) of an earlier query still unanswered — same
    // client, server, id, name and type — is one exchange to us, counted in
    // its `retransmissions` with its frame in `retransmission_frames`; the
    // facts list each query packet on its own row.
    let same_query = |a: &Value, b: &Value| {
        ["client", "server", "id", "name", "type"]
            .iter()
            .all(|k| a[*k] == b[*k])
    };
    let mut folded: BTreeMap<u64, Vec<Value>> = BTreeMap::new();
    let mut expected = Vec::new();
    for (i, t) in theirs.iter().enumerate() {
        let original = theirs.get(..i).unwrap_or_default().iter().find(|e| {
            same_query(e, t) && e["response_frame"].is_null() && e["tshark_retransmission"] == false
        });
        match original {
            Some(e) if t["tshark_retransmission"] == true && t["response_frame"].is_null() => {
                folded
                    .entry(num(&e["query_frame"]))
                    .or_default()
                    .push(t["query_frame"].clone());
            }
            _ => expected.push(t),
        }
    }
    if ours.len() != expected.len() {
        c.fail(
            "dns",
            format!(
                "count: ours {} (queries at {:?}), tshark {} exchanges (queries at {:?})",
                ours.len(),
                ours.iter().map(|o| &o["query_frame"]).collect::<Vec<_>>(),
                expected.len(),
                expected
                    .iter()
                    .map(|t| &t["query_frame"])
                    .collect::<Vec<_>>()
            ),
        );
    }
    for t in expected {
        let p = format!("dns query@{}", t["query_frame"]);
        let Some(o) = ours.iter().find(|o| o["query_frame"] == t["query_frame"]) else {
            c.fail(&p, format!("missing ({t})"));
            continue;
        };
        for k in [
            "response_frame",
            "name",
            "type",
            "rcode",
            "answers",
            "client",
            "server",
        ] {
            c.field(&p, k, o, t);
        }
        let retrans = folded
            .get(&num(&t["query_frame"]))
            .cloned()
            .unwrap_or_default();
        c.same(
            &p,
            "retransmissions",
            &o["retransmissions"],
            &Value::from(retrans.len()),
        );
        c.same(
            &p,
            "retransmission_frames",
            &o["retransmission_frames"],
            &Value::Array(retrans),
        );
    }
}
