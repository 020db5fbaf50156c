//! TLS code points as types, and the few small tables tls-parser lacks.
//!
//! Code points stay typed until the report, where they serialize as lowercase
//! hex strings (`"0xc030"`), as the contract asks. Cipher-suite names and
//! attributes come from tls-parser's IANA table ([`tls_parser::TlsCipherSuite`]);
//! nothing here repeats it. What is here: alert names in the RFCs' snake_case
//! (tls-parser only has Rust-cased variants), GREASE detection (RFC 8701 §2), the
//! HelloRetryRequest random (RFC 8446 §4.1.3) and version names.

use std::fmt;

use serde::{Serialize, Serializer};

macro_rules! hex_code_point {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u16);

        impl $name {
            /// Whether this is a GREASE value (RFC 8701): `0x?a?a` with equal bytes.
            pub fn is_grease(self) -> bool {
                is_grease(self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "0x{:04x}", self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                hex_str(u32::from(self.0), 4, s)
            }
        }
    };
}

hex_code_point!(
    /// A protocol version (`0x0303` = TLS 1.2; `0x0002` = SSL 2.0).
    ProtocolVersion
);
hex_code_point!(
    /// A TLS extension type.
    ExtensionType
);
hex_code_point!(
    /// A named group (supported_groups, key_share).
    NamedGroup
);
hex_code_point!(
    /// A signature scheme (signature_algorithms).
    SignatureScheme
);

/// RFC 8701 §2: GREASE values are `0x0a0a`, `0x1a1a`, … `0xfafa`.
pub fn is_grease(v: u16) -> bool {
    v & 0x0f0f == 0x0a0a && (v >> 8) == (v & 0xff)
}

impl ProtocolVersion {
    /// SSL 2.0 (the record version SSLv2-format hellos report).
    pub const SSL2: ProtocolVersion = ProtocolVersion(0x0002);
    /// SSL 3.0.
    pub const SSL3: ProtocolVersion = ProtocolVersion(0x0300);
    /// TLS 1.0.
    pub const TLS10: ProtocolVersion = ProtocolVersion(0x0301);
    /// TLS 1.1.
    pub const TLS11: ProtocolVersion = ProtocolVersion(0x0302);
    /// TLS 1.2.
    pub const TLS12: ProtocolVersion = ProtocolVersion(0x0303);
    /// TLS 1.3.
    pub const TLS13: ProtocolVersion = ProtocolVersion(0x0304);

    /// Human name: `TLS 1.2`, `TLS 1.3 draft 23`, or the hex value.
    pub fn name(self) -> String {
        match self.0 {
            0x0002 => "SSL 2.0".into(),
            0x0300 => "SSL 3.0".into(),
            0x0301 => "TLS 1.0".into(),
            0x0302 => "TLS 1.1".into(),
            0x0303 => "TLS 1.2".into(),
            0x0304 => "TLS 1.3".into(),
            v if v >> 8 == 0x7f => format!("TLS 1.3 draft {}", v & 0xff),
            v if v >> 8 == 0x7e => format!("TLS 1.3 draft (Facebook {})", v & 0xff),
            v if is_grease(v) => format!("GREASE 0x{v:04x}"),
            v => format!("0x{v:04x}"),
        }
    }

    /// Whether this is TLS 1.3 or one of its drafts (whose handshake encrypts
    /// everything after the ServerHello).
    pub fn is_tls13(self) -> bool {
        self.0 == 0x0304 || self.0 >> 8 == 0x7f || self.0 >> 8 == 0x7e
    }

    /// Ordering key: SSL 2.0 < SSL 3.0 < TLS 1.0 … < drafts < TLS 1.3.
    pub fn rank(self) -> u32 {
        match self.0 {
            0x0002 => 1,
            0x0300..=0x0304 => u32::from(self.0) * 256,
            v if v >> 8 == 0x7f || v >> 8 == 0x7e => 0x0303 * 256 + 1 + u32::from(v & 0xfe),
            _ => 0,
        }
    }
}

/// A cipher suite as offered or chosen. TLS suites are 16-bit; SSLv2 cipher
/// specs are 24-bit, and those of the form `0x00XXXX` are the TLS suite `0xXXXX`
/// (so they are stored as such).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CipherSuite(pub u32);

impl CipherSuite {
    /// A 16-bit TLS suite.
    pub fn tls(id: u16) -> Self {
        CipherSuite(u32::from(id))
    }

    /// The 16-bit TLS id, unless this is an SSLv2-only cipher spec.
    pub fn tls_id(self) -> Option<u16> {
        u16::try_from(self.0).ok()
    }

    /// tls-parser's IANA entry for this suite.
    pub fn info(self) -> Option<&'static tls_parser::TlsCipherSuite> {
        self.tls_id().and_then(tls_parser::TlsCipherSuite::from_id)
    }

    /// The IANA name, or a description for signalling values and GREASE.
    pub fn name(self) -> Option<&'static str> {
        if let Some(info) = self.info() {
            return Some(info.name);
        }
        match self.0 {
            // RFC 5746 §3.3 and RFC 7507 §2: signalling values, not suites.
            0x00ff => Some("TLS_EMPTY_RENEGOTIATION_INFO_SCSV"),
            0x5600 => Some("TLS_FALLBACK_SCSV"),
            v if v <= 0xffff && is_grease(v as u16) => Some("GREASE"),
            _ => None,
        }
    }

    /// Whether this is a GREASE value.
    pub fn is_grease(self) -> bool {
        self.tls_id().is_some_and(is_grease)
    }

    /// Whether this is a signalling value rather than a suite (SCSVs, GREASE).
    pub fn is_signalling(self) -> bool {
        matches!(self.0, 0x00ff | 0x5600) || self.is_grease()
    }
}

impl fmt::Display for CipherSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 <= 0xffff {
            write!(f, "0x{:04x}", self.0)
        } else {
            write!(f, "0x{:06x}", self.0)
        }
    }
}

impl Serialize for CipherSuite {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        hex_str(self.0, if self.0 <= 0xffff { 4 } else { 6 }, s)
    }
}

/// The lowercase hex digit of the low 4 bits of `n`.
pub fn hex_digit(n: u8) -> u8 {
    b"0123456789abcdef"
        .get(usize::from(n & 0xf))
        .copied()
        .unwrap_or(b'0')
}

/// Appends `bytes` as lowercase hex (certificate fingerprints, JA4 hashes,
/// raw DN values).
pub fn push_hex(out: &mut String, bytes: &[u8]) {
    out.reserve(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(hex_digit(b >> 4)));
        out.push(char::from(hex_digit(*b)));
    }
}

/// Serializes `v` as `0x` and `digits` lowercase hex digits (the `Display`
/// form), from a stack buffer: a connection record carries a hundred code
/// points, and going through `fmt` for each was a measurable share of writing
/// NDJSON (benches/compare.sh, dense workload).
fn hex_str<S: Serializer>(v: u32, digits: usize, s: S) -> Result<S::Ok, S::Error> {
    let mut buf = *b"0x00000000";
    let digits = digits.min(8);
    for (i, slot) in buf.iter_mut().skip(2).take(digits).enumerate() {
        let shift = 4 * (digits - 1 - i);
        *slot = hex_digit((v >> shift) as u8);
    }
    match buf
        .get(..2 + digits)
        .and_then(|b| std::str::from_utf8(b).ok())
    {
        Some(text) => s.serialize_str(text),
        None => s.serialize_str(""),
    }
}

/// The HelloRetryRequest marker: a ServerHello whose random is
/// SHA-256("HelloRetryRequest") (RFC 8446 §4.1.3).
pub const HELLO_RETRY_REQUEST_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// Alert descriptions with their RFC names (RFC 8446 §6, RFC 5246 §7.2,
/// RFC 6066, RFC 7301, RFC 8701 registry).
pub fn alert_name(description: u8) -> Option<&'static str> {
    Some(match description {
        0 => "close_notify",
        10 => "unexpected_message",
        20 => "bad_record_mac",
        21 => "decryption_failed",
        22 => "record_overflow",
        30 => "decompression_failure",
        40 => "handshake_failure",
        41 => "no_certificate",
        42 => "bad_certificate",
        43 => "unsupported_certificate",
        44 => "certificate_revoked",
        45 => "certificate_expired",
        46 => "certificate_unknown",
        47 => "illegal_parameter",
        48 => "unknown_ca",
        49 => "access_denied",
        50 => "decode_error",
        51 => "decrypt_error",
        60 => "export_restriction",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        90 => "user_canceled",
        100 => "no_renegotiation",
        109 => "missing_extension",
        110 => "unsupported_extension",
        111 => "certificate_unobtainable",
        112 => "unrecognized_name",
        113 => "bad_certificate_status_response",
        114 => "bad_certificate_hash_value",
        115 => "unknown_psk_identity",
        116 => "certificate_required",
        120 => "no_application_protocol",
        121 => "ech_required",
        _ => return None,
    })
}

/// Handshake message names (RFC 8446 §4, RFC 5246 §7.4), for timelines.
pub fn handshake_name(kind: u8) -> &'static str {
    match kind {
        0 => "HelloRequest",
        1 => "ClientHello",
        2 => "ServerHello",
        4 => "NewSessionTicket",
        5 => "EndOfEarlyData",
        8 => "EncryptedExtensions",
        11 => "Certificate",
        12 => "ServerKeyExchange",
        13 => "CertificateRequest",
        14 => "ServerHelloDone",
        15 => "CertificateVerify",
        16 => "ClientKeyExchange",
        20 => "Finished",
        22 => "CertificateStatus",
        24 => "KeyUpdate",
        _ => "Handshake",
    }
}

/// Named group names for people (the report keeps the hex).
pub fn group_name(g: NamedGroup) -> String {
    match g.0 {
        0x001d => "x25519".into(),
        0x001e => "x448".into(),
        0x0017 => "secp256r1".into(),
        0x0018 => "secp384r1".into(),
        0x0019 => "secp521r1".into(),
        v if is_grease(v) => "GREASE".into(),
        v => tls_parser::NamedGroup(v)
            .to_string()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialized_code_points_equal_their_display_form() {
        for v in [0u16, 0x0a0a, 0x1301, 0xc02b, 0xffff] {
            let json = serde_json::to_string(&ExtensionType(v)).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", ExtensionType(v)));
        }
        for v in [0x002fu32, 0xc030, 0x010080, 0x0700c0] {
            let json = serde_json::to_string(&CipherSuite(v)).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", CipherSuite(v)));
        }
    }

    #[test]
    fn grease() {
        assert!(is_grease(0x0a0a));
        assert!(is_grease(0xfafa));
        assert!(!is_grease(0x0a1a));
        assert!(!is_grease(0xc030));
    }

    #[test]
    fn suite_names_come_from_the_iana_table() {
        assert_eq!(
            CipherSuite::tls(0xc030).name(),
            Some("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")
        );
        assert_eq!(
            CipherSuite::tls(0x0038).name(),
            Some("TLS_DHE_DSS_WITH_AES_256_CBC_SHA")
        );
        assert_eq!(
            CipherSuite::tls(0x1301).name(),
            Some("TLS_AES_128_GCM_SHA256")
        );
    }

    #[test]
    fn hex_forms() {
        assert_eq!(CipherSuite::tls(0x2f).to_string(), "0x002f");
        assert_eq!(CipherSuite(0x010080).to_string(), "0x010080");
        assert_eq!(ProtocolVersion(0x0303).to_string(), "0x0303");
        assert_eq!(
            serde_json::to_string(&ExtensionType(10)).unwrap_or_default(),
            "\"0x000a\""
        );
    }

    #[test]
    fn version_names() {
        assert_eq!(ProtocolVersion(0x7f17).name(), "TLS 1.3 draft 23");
        assert!(ProtocolVersion(0x7f10).is_tls13());
        assert!(ProtocolVersion::TLS13.rank() > ProtocolVersion(0x7f1c).rank());
        assert!(ProtocolVersion(0x7f1c).rank() > ProtocolVersion::TLS12.rank());
    }

    #[test]
    fn alert_names() {
        assert_eq!(alert_name(40), Some("handshake_failure"));
        assert_eq!(alert_name(48), Some("unknown_ca"));
        assert_eq!(alert_name(200), None);
    }
}
