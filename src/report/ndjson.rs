//! NDJSON lines written by hand: the bytes serde_json writes for the same
//! values, at a fraction of the cost.
//!
//! Every streamed connection, DNS exchange and finding becomes one line, and on
//! a handshake-dense capture serializing them through serde_json was ~40% of
//! the wall time: every key and every string went through its escaping
//! formatter, a connection's hundred code points each through a `str`. Here
//! keys are literals (`,"key":`, comma included), strings are scanned eight
//! bytes at a time and copied in runs between the bytes that need escaping,
//! and code points are written as hex directly. Numbers go through the crates
//! serde_json itself uses: itoa, and zmij for floats (serde_json 1.0.154 no
//! longer uses ryu).
//!
//! The serde derives stay where they are (the JSON document, `diff` and the
//! capture lines use them) and remain the reference: this module must write
//! exactly what `serde_json::to_writer` writes for each type — key order,
//! `null`s, escaping, number formatting. Two things keep it so:
//! * each writer destructures its struct without `..`, so a new field is a
//!   compile error here (a field serde skips is bound to `_`), and a field
//!   bound but not written is one too (`unused_variables` is denied);
//! * the tests compare both writers' bytes on hand-made edge cases of every
//!   type and on every item of every capture in the repository.
//!
//! A serde attribute added to one of these types (`rename`, `skip`,
//! `skip_serializing_if`, …) must be mirrored here; the tests say where.

// A field bound in a writer's destructuring but not written is an error, not
// a warning: the other half of the exhaustive-destructuring guard.
#![deny(unused_variables)]

use std::io::Write as _;
use std::net::IpAddr;

use crate::Output;
use crate::capture::{FrameNo, Timestamp};
use crate::connection::{Connection, NotTls, TcpEnd, TcpSummary, Tls, TlsOutcome};
use crate::diagnose::{Finding, FindingCode, Severity};
use crate::flow::Endpoint;
use crate::flow::tcp::TcpOutcome;
use crate::session::dns::DnsExchange;
use crate::session::http::{BodyCut, HttpExchange};
use crate::session::proxy::ProxyTunnel;
use crate::tls::certificate::Certificate;
use crate::tls::client_hello::ClientHello;
use crate::tls::codepoints::{
    CipherSuite, ExtensionType, NamedGroup, ProtocolVersion, SignatureScheme, hex_digit,
};
use crate::tls::handshake::{Alert, LaterHello};
use crate::tls::key_exchange::ServerKeyExchange;
use crate::tls::server_hello::ServerHello;

/// Appends compact JSON to a byte buffer, formatted as serde_json formats it.
#[derive(Debug)]
pub struct JsonWriter<'a> {
    out: &'a mut Vec<u8>,
}

/// Whether serde_json escapes this byte in a string: `"`, `\` and the C0
/// controls. DEL and everything non-ASCII are written as they are.
const fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Whether any of the eight bytes of `x` may need escaping (never false when
/// one does; the bytes are then looked at one by one).
const fn may_need_escape(x: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A byte below 0x20 (exact for thresholds up to 0x80), or equal to `"` or
    // `\` (the byte XOR the character is zero).
    let control = x.wrapping_sub(ONES * 0x20) & !x;
    let q = x ^ (ONES * b'"' as u64);
    let quote = q.wrapping_sub(ONES) & !q;
    let b = x ^ (ONES * b'\\' as u64);
    let backslash = b.wrapping_sub(ONES) & !b;
    (control | quote | backslash) & HIGH != 0
}

/// The index of the first byte of `bytes` that needs escaping, eight bytes at
/// a time: most strings (names, titles, details) need none.
fn first_escape(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        if let Ok(word) = <[u8; 8]>::try_from(chunk) {
            if may_need_escape(u64::from_le_bytes(word)) {
                if let Some(i) = word.iter().position(|&b| needs_escape(b)) {
                    return Some(at + i);
                }
            }
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| needs_escape(b))
        .map(|i| at + i)
}

impl<'a> JsonWriter<'a> {
    /// A writer appending to `out`.
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        Self { out }
    }

    /// Appends bytes that are already JSON (punctuation, keys).
    #[inline]
    pub fn raw(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }

    /// `{`.
    #[inline]
    pub fn open(&mut self) {
        self.out.push(b'{');
    }

    /// `}`.
    #[inline]
    pub fn close(&mut self) {
        self.out.push(b'}');
    }

    /// `null`.
    #[inline]
    pub fn null(&mut self) {
        self.raw(b"null");
    }

    /// `true` or `false`.
    #[inline]
    pub fn bool(&mut self, v: bool) {
        self.raw(if v { b"true" } else { b"false" });
    }

    /// An unsigned integer (itoa, as serde_json).
    #[inline]
    pub fn u64(&mut self, v: u64) {
        if v < 10 {
            // Counts are mostly 0: one byte, no copy of a variable length.
            self.out.push(b'0' + v as u8);
            return;
        }
        self.raw(itoa::Buffer::new().format(v).as_bytes());
    }

    /// A float: shortest round-trip form (zmij, as serde_json: `0.0`, `1e-7`),
    /// `null` when not finite.
    #[inline]
    pub fn f64(&mut self, v: f64) {
        if v.is_finite() {
            self.raw(zmij::Buffer::new().format_finite(v).as_bytes());
        } else {
            self.null();
        }
    }

    /// A string, quoted and escaped.
    #[inline]
    pub fn str(&mut self, s: &str) {
        self.out.push(b'"');
        self.str_contents(s);
        self.out.push(b'"');
    }

    /// A string's escaped contents, without the quotes: runs of bytes that need
    /// no escape are copied whole.
    pub fn str_contents(&mut self, s: &str) {
        let mut rest = s.as_bytes();
        while let Some(at) = first_escape(rest) {
            let Some((run, tail)) = rest.split_at_checked(at) else {
                break;
            };
            let Some((&b, tail)) = tail.split_first() else {
                break;
            };
            self.raw(run);
            match b {
                b'"' => self.raw(b"\\\""),
                b'\\' => self.raw(b"\\\\"),
                0x08 => self.raw(b"\\b"),
                0x0c => self.raw(b"\\f"),
                b'\n' => self.raw(b"\\n"),
                b'\r' => self.raw(b"\\r"),
                b'\t' => self.raw(b"\\t"),
                _ => self.raw(&[b'\\', b'u', b'0', b'0', hex_digit(b >> 4), hex_digit(b)]),
            }
            rest = tail;
        }
        self.raw(rest);
    }

    /// A code point as serde writes it: `"0x"` and `digits` lowercase hex
    /// digits of the low bits of `v` (4 or 6).
    #[inline]
    pub fn hex(&mut self, v: u32, digits: u32) {
        if digits == 6 {
            let [_, a, b, c] = v.to_be_bytes();
            let ([a0, a1], [b0, b1], [c0, c1]) = (hex_pair(a), hex_pair(b), hex_pair(c));
            self.raw(&[b'"', b'0', b'x', a0, a1, b0, b1, c0, c1, b'"']);
        } else {
            self.raw(&hex4(v as u16)[..8]);
        }
    }

    /// A JSON array of 16-bit code points: each element is the same nine
    /// bytes (`"0x1234",`), written into place without a check per element;
    /// the last comma becomes the `]`.
    pub fn hex_list(&mut self, values: impl ExactSizeIterator<Item = u16>) {
        if values.len() == 0 {
            self.raw(b"[]");
            return;
        }
        self.out.push(b'[');
        let start = self.out.len();
        self.out.resize(start + values.len() * 9, b',');
        if let Some(dst) = self.out.get_mut(start..) {
            for (slot, v) in dst.chunks_exact_mut(9).zip(values) {
                slot.copy_from_slice(&hex4(v));
            }
        }
        if let Some(last) = self.out.last_mut() {
            *last = b']';
        }
    }

    /// Any value with a writer.
    #[inline]
    pub fn value<T: WriteJson + ?Sized>(&mut self, v: &T) {
        v.write_json(self);
    }
}

/// The two lowercase hex digits of a byte.
#[inline]
fn hex_pair(b: u8) -> [u8; 2] {
    [hex_digit(b >> 4), hex_digit(b)]
}

/// `"0x1234",`: a 16-bit code point and the comma that follows it in a list.
#[inline]
fn hex4(v: u16) -> [u8; 9] {
    let [hi, lo] = v.to_be_bytes();
    let ([a, b], [c, d]) = (hex_pair(hi), hex_pair(lo));
    [b'"', b'0', b'x', a, b, c, d, b'"', b',']
}

/// Each byte's decimal digits followed by `.`, and how many of the four bytes
/// that is (IPv4 addresses).
// Indexing in a const initializer cannot panic at run time: out of bounds
// would fail the build.
#[allow(clippy::indexing_slicing)]
static DOTTED_OCTETS: [([u8; 4], u8); 256] = {
    let mut table = [([0u8; 4], 0u8); 256];
    let mut i = 0;
    while i < 256 {
        let v = i as u8;
        table[i] = if v >= 100 {
            ([b'0' + v / 100, b'0' + v / 10 % 10, b'0' + v % 10, b'.'], 4)
        } else if v >= 10 {
            ([b'0' + v / 10, b'0' + v % 10, b'.', 0], 3)
        } else {
            ([b'0' + v, b'.', 0, 0], 2)
        };
        i += 1;
    }
    table
};

/// A value this module can write as serde_json would serialize it.
pub trait WriteJson {
    /// Appends the value's JSON.
    fn write_json(&self, w: &mut JsonWriter<'_>);

    /// Appends a JSON array of `items` (what a `[T]` or `Vec<T>` writes; code
    /// points write theirs in one go).
    fn write_slice(items: &[Self], w: &mut JsonWriter<'_>)
    where
        Self: Sized,
    {
        w.raw(b"[");
        let mut items = items.iter();
        if let Some(first) = items.next() {
            first.write_json(w);
            for item in items {
                w.raw(b",");
                item.write_json(w);
            }
        }
        w.raw(b"]");
    }
}

/// A struct: its members (without braces) can be joined to other members, as
/// the line's tags or an internally tagged enum's tag.
pub trait WriteMembers {
    /// Appends `"key":value` pairs, comma-separated, without braces.
    fn write_members(&self, w: &mut JsonWriter<'_>);
}

impl<T: WriteJson + ?Sized> WriteJson for &T {
    #[inline]
    fn write_json(&self, w: &mut JsonWriter<'_>) {
        (**self).write_json(w);
    }
}

impl WriteJson for str {
    #[inline]
    fn write_json(&self, w: &mut JsonWriter<'_>) {
        w.str(self);
    }
}

impl WriteJson for String {
    #[inline]
    fn write_json(&self, w: &mut JsonWriter<'_>) {
        w.str(self);
    }
}

impl WriteJson for bool {
    #[inline]
    fn write_json(&self, w: &mut JsonWriter<'_>) {
        w.bool(*self);
    }
}

macro_rules! unsigned {
    ($($t:ty),*) => {$(
        impl WriteJson for $t {
            #[inline]
            fn write_json(&self, w: &mut JsonWriter<'_>) {
                w.u64(u64::from(*self));
            }
        }
    )*};
}
unsigned!(u8, u16, u32, u64);

impl WriteJson for f64 {
    #[inline]
    fn write_json(&self, w: &mut JsonWriter<'_>) {
        w.f64(*self);
    }
}

impl<T: WriteJson> WriteJson for Option<T> {
    #[inline]
    fn write_json(&self, w: &mut JsonWriter<'_>) {
        match self {
            Some(v) => v.write_json(w),
            None => w.null(),
        }
    }
}

impl<T: WriteJson> WriteJson for [T] {
    #[inline]
    fn write_json(&self, w: &mut JsonWriter<'_>) {
        T::write_slice(self, w);
    }
}

impl<T: WriteJson> WriteJson for Vec<T> {
    #[inline]
    fn write_json(&self, w: &mut JsonWriter<'_>) {
        self.as_slice().write_json(w);
    }
}

impl WriteJson for FrameNo {
    /// `#[serde(transparent)]`: the number.
    #[inline]
    fn write_json(&self, w: &mut JsonWriter<'_>) {
        w.u64(self.0);
    }
}

impl WriteJson for Timestamp {
    /// The RFC 3339 string of its custom `Serialize` (the `Display` form
    /// outside years 0–9999).
    fn write_json(&self, w: &mut JsonWriter<'_>) {
        match self.rfc3339_micros() {
            Some(text) => {
                w.raw(b"\"");
                w.raw(&text);
                w.raw(b"\"");
            }
            None => w.str(&self.to_string()),
        }
    }
}

impl WriteJson for IpAddr {
    /// serde's human-readable form: the `Display` string.
    fn write_json(&self, w: &mut JsonWriter<'_>) {
        w.raw(b"\"");
        match self {
            IpAddr::V4(a) => {
                // Each octet as a fixed four-byte store (digits, then `.`),
                // cut back to its length: no per-octet copy of a variable size.
                for octet in a.octets() {
                    let (text, len) = DOTTED_OCTETS
                        .get(usize::from(octet))
                        .copied()
                        .unwrap_or_default();
                    let at = w.out.len();
                    w.out.extend_from_slice(&text);
                    w.out.truncate(at + usize::from(len));
                }
                w.out.pop(); // the last `.`
            }
            // Hex digits, colons and dots: nothing to escape. Writing to a
            // Vec cannot fail.
            IpAddr::V6(a) => {
                let _ = write!(w.out, "{a}");
            }
        }
        w.raw(b"\"");
    }
}

macro_rules! code_point {
    ($($t:ty),*) => {$(
        impl WriteJson for $t {
            /// `"0x"` and four hex digits (`codepoints::hex_str`).
            #[inline]
            fn write_json(&self, w: &mut JsonWriter<'_>) {
                w.hex(u32::from(self.0), 4);
            }

            #[inline]
            fn write_slice(items: &[Self], w: &mut JsonWriter<'_>) {
                w.hex_list(items.iter().map(|v| v.0));
            }
        }
    )*};
}
code_point!(ProtocolVersion, ExtensionType, NamedGroup, SignatureScheme);

impl WriteJson for CipherSuite {
    /// Four hex digits, six for a 24-bit SSLv2 cipher spec.
    #[inline]
    fn write_json(&self, w: &mut JsonWriter<'_>) {
        w.hex(self.0, if self.0 <= 0xffff { 4 } else { 6 });
    }

    fn write_slice(items: &[Self], w: &mut JsonWriter<'_>) {
        if items.iter().all(|s| s.0 <= 0xffff) {
            w.hex_list(items.iter().map(|s| s.0 as u16));
        } else {
            // An SSLv2 hello's 24-bit specs: element by element.
            w.raw(b"[");
            for (i, s) in items.iter().enumerate() {
                if i > 0 {
                    w.raw(b",");
                }
                s.write_json(w);
            }
            w.raw(b"]");
        }
    }
}

/// A unit enum as its serde name.
macro_rules! unit_enum {
    ($t:ty { $($variant:ident => $name:literal),* $(,)? }) => {
        impl WriteJson for $t {
            #[inline]
            fn write_json(&self, w: &mut JsonWriter<'_>) {
                w.raw(match self {
                    $(<$t>::$variant => concat!("\"", $name, "\"").as_bytes(),)*
                });
            }
        }
    };
}

// `rename_all = "lowercase"`
unit_enum!(TcpOutcome {
    Midstream => "midstream",
    Refused => "refused",
    Unanswered => "unanswered",
    Reset => "reset",
    Closed => "closed",
    Established => "established",
});

// `rename_all = "kebab-case"`
unit_enum!(TlsOutcome {
    Failed => "failed",
    Reset => "reset",
    NoResponse => "no-response",
    Incomplete => "incomplete",
    Established => "established",
});

// `rename_all = "lowercase"`
unit_enum!(Severity {
    Error => "error",
    Warning => "warning",
    Info => "info",
});

impl WriteJson for FindingCode {
    /// `rename_all = "kebab-case"`, which `as_str` spells (the tests check
    /// every code against serde).
    #[inline]
    fn write_json(&self, w: &mut JsonWriter<'_>) {
        w.raw(b"\"");
        w.raw(self.as_str().as_bytes());
        w.raw(b"\"");
    }
}

/// The key of a member: the field's name, or its `#[serde(rename)]`.
macro_rules! key {
    ($field:ident) => {
        stringify!($field)
    };
    ($field:ident $rename:literal) => {
        $rename
    };
}

/// Writes the members of a destructured struct, in serde's order: the first
/// without a comma, each key with its quotes, colon and comma as one literal.
/// `field as "name"` is a `#[serde(rename = "name")]`.
macro_rules! members {
    ($w:ident; $first:ident $(as $frename:literal)? $(, $field:ident $(as $rename:literal)?)* $(,)?) => {{
        $w.raw(concat!("\"", key!($first $($frename)?), "\":").as_bytes());
        $w.value($first);
        $(
            $w.raw(concat!(",\"", key!($field $($rename)?), "\":").as_bytes());
            $w.value($field);
        )*
    }};
}

/// A struct's object: its members in braces.
macro_rules! object {
    ($($t:ty),* $(,)?) => {$(
        impl WriteJson for $t {
            #[inline]
            fn write_json(&self, w: &mut JsonWriter<'_>) {
                w.open();
                self.write_members(w);
                w.close();
            }
        }
    )*};
}

object!(
    Connection,
    Endpoint,
    TcpSummary,
    TcpEnd,
    ProxyTunnel,
    HttpExchange,
    BodyCut,
    Tls,
    NotTls,
    ClientHello,
    ServerHello,
    Certificate,
    Alert,
    ServerKeyExchange,
    Finding,
    DnsExchange,
);

impl WriteMembers for Connection {
    fn write_members(&self, w: &mut JsonWriter<'_>) {
        let Connection {
            id,
            client,
            server,
            first_frame,
            last_frame,
            start,
            duration,
            tcp,
            proxy,
            http,
            tls,
            timeline: _,
            end: _,
            open_at_capture_end: _,
        } = self;
        members!(w; id, client, server, first_frame, last_frame, start, duration, tcp, proxy, http, tls);
    }
}

impl WriteMembers for Endpoint {
    #[inline]
    fn write_members(&self, w: &mut JsonWriter<'_>) {
        let Endpoint { ip, port } = self;
        members!(w; ip, port);
    }
}

impl WriteMembers for TcpSummary {
    fn write_members(&self, w: &mut JsonWriter<'_>) {
        let TcpSummary {
            outcome,
            syn_retransmits,
            syn_frame,
            syn_ack_frame,
            syn_duration,
            rst,
            fin,
            client_bytes,
            server_bytes,
            missing_bytes,
            server_missing_bytes: _,
            out_of_window: _,
            retransmitted_segments,
            out_of_order_segments,
            client_packets,
            server_packets,
        } = self;
        members!(w;
            outcome,
            syn_retransmits,
            syn_frame,
            syn_ack_frame,
            syn_duration,
            rst,
            fin,
            client_bytes,
            server_bytes,
            missing_bytes,
            retransmitted_segments,
            out_of_order_segments,
            client_packets,
            server_packets,
        );
    }
}

impl WriteMembers for TcpEnd {
    fn write_members(&self, w: &mut JsonWriter<'_>) {
        let TcpEnd { frame, from, ts: _ } = self;
        members!(w; frame, from);
    }
}

impl WriteMembers for ProxyTunnel {
    fn write_members(&self, w: &mut JsonWriter<'_>) {
        let ProxyTunnel {
            host,
            port,
            request_frame,
            status,
            response_frame,
            reason,
            proxy_authenticate,
            proxy_authorization,
            proxy_agent,
            proxy_error,
            attempts,
        } = self;
        members!(w;
            host,
            port,
            request_frame,
            status,
            response_frame,
            reason,
            proxy_authenticate,
            proxy_authorization,
            proxy_agent,
            proxy_error,
            attempts,
        );
    }
}

impl WriteMembers for HttpExchange {
    fn write_members(&self, w: &mut JsonWriter<'_>) {
        let HttpExchange {
            request_frame,
            method,
            host,
            path,
            status,
            response_frame,
            reason,
            content_type,
            www_authenticate,
            proxy_authenticate,
            request_authorization,
            proxy_error,
            body_frame,
            body_cut,
            taxii_status,
            taxii_message,
        } = self;
        members!(w;
            request_frame,
            method,
            host,
            path,
            status,
            response_frame,
            reason,
            content_type,
            www_authenticate,
            proxy_authenticate,
            request_authorization,
            proxy_error,
            body_frame,
            body_cut,
            taxii_status,
            taxii_message,
        );
    }
}

impl WriteMembers for BodyCut {
    fn write_members(&self, w: &mut JsonWriter<'_>) {
        let BodyCut {
            received,
            declared,
            last_frame,
        } = self;
        members!(w; received, declared, last_frame);
    }
}

impl WriteMembers for Tls {
    fn write_members(&self, w: &mut JsonWriter<'_>) {
        let Tls {
            client_hello,
            hello_retry_request,
            second_client_hello,
            server_hello,
            later_hellos,
            certificates,
            client_certificates,
            alerts,
            outcome,
            established_frame,
            not_tls,
            server_key_exchange,
            client_data_frame,
            server_data_frame,
            server_records_after_client: _,
            client_short_record: _,
        } = self;
        members!(w;
            client_hello,
            hello_retry_request,
            second_client_hello,
            server_hello,
            later_hellos,
            certificates,
            client_certificates,
            alerts,
            outcome,
            established_frame,
            not_tls,
            server_key_exchange,
            client_data_frame,
            server_data_frame,
        );
    }
}

impl WriteMembers for NotTls {
    fn write_members(&self, w: &mut JsonWriter<'_>) {
        let NotTls {
            frame,
            from,
            sample,
        } = self;
        members!(w; frame, from, sample);
    }
}

impl WriteMembers for ClientHello {
    fn write_members(&self, w: &mut JsonWriter<'_>) {
        let ClientHello {
            frame,
            record_version,
            version,
            supported_versions,
            sni,
            alpn,
            cipher_suites,
            extensions,
            supported_groups,
            signature_algorithms,
            key_share_groups,
            ja4,
            grease,
            truncated,
        } = self;
        members!(w;
            frame,
            record_version,
            version,
            supported_versions,
            sni,
            alpn,
            cipher_suites,
            extensions,
            supported_groups,
            signature_algorithms,
            key_share_groups,
            ja4,
            grease,
            truncated,
        );
    }
}

impl WriteMembers for ServerHello {
    fn write_members(&self, w: &mut JsonWriter<'_>) {
        let ServerHello {
            frame,
            record_version,
            version,
            legacy_version,
            cipher_suite,
            cipher_suite_name,
            extensions,
            selected_group,
            alpn,
            truncated,
            is_retry_request: _,
        } = self;
        members!(w;
            frame,
            record_version,
            version,
            legacy_version,
            cipher_suite,
            cipher_suite_name,
            extensions,
            selected_group,
            alpn,
            truncated,
        );
    }
}

impl WriteJson for LaterHello {
    /// `#[serde(tag = "type", rename_all = "snake_case")]`: the tag first,
    /// then the hello's own members.
    fn write_json(&self, w: &mut JsonWriter<'_>) {
        match self {
            LaterHello::ClientHello(h) => {
                w.raw(b"{\"type\":\"client_hello\",");
                h.write_members(w);
            }
            LaterHello::ServerHello(h) => {
                w.raw(b"{\"type\":\"server_hello\",");
                h.write_members(w);
            }
        }
        w.close();
    }
}

impl WriteMembers for Certificate {
    fn write_members(&self, w: &mut JsonWriter<'_>) {
        let Certificate {
            frame,
            subject,
            issuer,
            not_before,
            not_after,
            self_signed,
            sha256,
            dns_names,
            key,
            is_ca,
            truncated,
            error,
            validity_unix: _,
            key_family: _,
        } = self;
        members!(w;
            frame,
            subject,
            issuer,
            not_before,
            not_after,
            self_signed,
            sha256,
            dns_names,
            key,
            is_ca,
            truncated,
            error,
        );
    }
}

impl WriteMembers for Alert {
    fn write_members(&self, w: &mut JsonWriter<'_>) {
        let Alert {
            frame,
            from,
            encrypted,
            level,
            description,
            name,
        } = self;
        members!(w; frame, from, encrypted, level, description, name);
    }
}

impl WriteMembers for ServerKeyExchange {
    fn write_members(&self, w: &mut JsonWriter<'_>) {
        let ServerKeyExchange {
            frame,
            group,
            dh_bits,
        } = self;
        members!(w; frame, group, dh_bits);
    }
}

impl WriteMembers for Finding {
    fn write_members(&self, w: &mut JsonWriter<'_>) {
        let Finding {
            code,
            severity,
            connection,
            dns,
            title,
            detail,
            evidence,
            remedy,
        } = self;
        members!(w; code, severity, connection, dns, title, detail, evidence, remedy);
    }
}

impl WriteMembers for DnsExchange {
    fn write_members(&self, w: &mut JsonWriter<'_>) {
        let DnsExchange {
            id,
            query_frame,
            response_frame,
            name,
            qtype,
            rcode,
            answers,
            server,
            client,
            transport,
            retransmissions,
            retransmission_frames,
            query_time,
            response_time,
        } = self;
        members!(w;
            id,
            query_frame,
            response_frame,
            name,
            qtype as "type",
            rcode,
            answers,
            server,
            client,
            transport,
            retransmissions,
            retransmission_frames,
            query_time,
            response_time,
        );
    }
}

/// The NDJSON lines of one capture: its name is escaped once, not per line.
#[derive(Debug, Clone)]
pub struct CaptureLines {
    /// `"capture":"<name, escaped>",`
    capture: Vec<u8>,
}

impl CaptureLines {
    /// Lines tagged with the capture `name`.
    pub fn new(name: &str) -> Self {
        let mut capture = Vec::with_capacity(name.len() + 16);
        capture_member(&mut JsonWriter::new(&mut capture), name);
        Self { capture }
    }

    /// Writes `item`'s line into `buf` (cleared first), newline included.
    #[inline]
    pub fn line_into(&self, buf: &mut Vec<u8>, item: &Output) {
        write_line(buf, item, |w| w.raw(&self.capture));
    }
}

/// Writes `item`'s line, tagged with the capture `name`, into `buf` (cleared
/// first), newline included. [`CaptureLines`] saves escaping the name per line.
pub fn line_into(buf: &mut Vec<u8>, name: &str, item: &Output) {
    write_line(buf, item, |w| capture_member(w, name));
}

/// Writes `item`'s line into `buf` (cleared first), newline included:
/// `{"kind":…,` then the `"capture":…,` member that `capture` writes, then the
/// item's own members (what `#[serde(flatten)]` would give).
#[inline]
fn write_line(buf: &mut Vec<u8>, item: &Output, capture: impl FnOnce(&mut JsonWriter<'_>)) {
    buf.clear();
    let mut w = JsonWriter::new(buf);
    match item {
        Output::Connection(c) => {
            w.raw(b"{\"kind\":\"connection\",");
            capture(&mut w);
            c.write_members(&mut w);
        }
        Output::Dns(d) => {
            w.raw(b"{\"kind\":\"dns\",");
            capture(&mut w);
            d.write_members(&mut w);
        }
        Output::Finding(f) => {
            w.raw(b"{\"kind\":\"finding\",");
            capture(&mut w);
            f.write_members(&mut w);
        }
    }
    w.raw(b"}\n");
}

/// Writes the `"capture":"<name>",` member of a line.
fn capture_member(w: &mut JsonWriter<'_>, name: &str) {
    w.raw(b"\"capture\":");
    w.str(name);
    w.raw(b",");
}

#[cfg(test)]
mod tests;
