//! ClientHello decoding (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2), partial when cut.
//!
//! The contract wants a ClientHello cut by the snap length or the end of the
//! capture "decoded as far as its bytes go", every field past the cut `null`.
//! tls-parser decodes whole messages only, so the top-level fields are read here
//! with a bounded [`Reader`]; each *complete* extension is handed to tls-parser's
//! `parse_tls_client_hello_extension` for its typed value.

use serde::Serialize;
use tls_parser::TlsExtension;

use crate::capture::FrameNo;
use crate::tls::codepoints::{
    CipherSuite, ExtensionType, NamedGroup, ProtocolVersion, SignatureScheme, is_grease,
};
use crate::tls::ja4;
use crate::wire::{Reader, u16_list};

/// A ClientHello as seen on the wire.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClientHello {
    /// The frame that completed it (or the last frame of a cut one).
    pub frame: FrameNo,
    /// Version in the record header (`0x0002` for an SSLv2-format hello).
    pub record_version: ProtocolVersion,
    /// `legacy_version` of the hello.
    pub version: Option<ProtocolVersion>,
    /// The supported_versions extension, in order (`null` when absent).
    pub supported_versions: Option<Vec<ProtocolVersion>>,
    /// server_name (host_name) value.
    pub sni: Option<String>,
    /// ALPN protocol names, in order.
    pub alpn: Option<Vec<String>>,
    /// Offered suites, in order, GREASE included.
    pub cipher_suites: Option<Vec<CipherSuite>>,
    /// Extension types, in order, GREASE included.
    pub extensions: Option<Vec<ExtensionType>>,
    /// supported_groups, in order.
    pub supported_groups: Option<Vec<NamedGroup>>,
    /// signature_algorithms, in order.
    pub signature_algorithms: Option<Vec<SignatureScheme>>,
    /// Groups of the key shares sent (TLS 1.3), in order.
    pub key_share_groups: Option<Vec<NamedGroup>>,
    /// JA4 fingerprint (FoxIO), when the hello is complete enough to compute it.
    pub ja4: Option<String>,
    /// Whether any GREASE value appears (suites, extensions, groups, versions).
    pub grease: bool,
    /// Whether the message was cut before its end.
    pub truncated: bool,
}

impl ClientHello {
    /// An empty hello for `frame`, every field unknown.
    fn empty(frame: FrameNo, record_version: ProtocolVersion, truncated: bool) -> Self {
        Self {
            frame,
            record_version,
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
            truncated,
        }
    }

    /// The highest version the client offers: from supported_versions when
    /// present (ignoring GREASE), else `legacy_version`.
    pub fn max_version(&self) -> Option<ProtocolVersion> {
        match &self.supported_versions {
            Some(list) => list
                .iter()
                .copied()
                .filter(|v| !v.is_grease())
                .max_by_key(|v| v.rank()),
            None => self.version,
        }
    }

    /// Every version the client offers (supported_versions, else the legacy
    /// version and everything below it down to TLS 1.0).
    pub fn offered_versions(&self) -> Vec<ProtocolVersion> {
        match &self.supported_versions {
            Some(list) => list.iter().copied().filter(|v| !v.is_grease()).collect(),
            None => match self.version {
                Some(v) if v.0 >= 0x0301 && v.0 <= 0x0304 => {
                    (0x0301..=v.0).rev().map(ProtocolVersion).collect()
                }
                Some(v) => vec![v],
                None => Vec::new(),
            },
        }
    }
}

/// Decodes a ClientHello body (after the 4-byte handshake header).
/// `complete` is false when the bytes stop before the message's declared end.
pub fn decode(
    body: &[u8],
    complete: bool,
    record_version: ProtocolVersion,
    frame: FrameNo,
) -> ClientHello {
    let mut hello = ClientHello::empty(frame, record_version, !complete);
    let mut r = Reader::new(body);
    let Some(version) = r.u16() else {
        return hello;
    };
    hello.version = Some(ProtocolVersion(version));
    // random (32) and session id; cut here leaves everything after null.
    if r.take(32).is_none() || r.vec8().is_none() {
        return hello;
    }
    let Some(suites) = r.vec16() else {
        return hello;
    };
    let suites: Vec<CipherSuite> = u16_list(suites).into_iter().map(CipherSuite::tls).collect();
    hello.grease |= suites.iter().any(|s| s.is_grease());
    hello.cipher_suites = Some(suites);
    if r.vec8().is_none() {
        // compression methods
        return hello;
    }
    if r.is_empty() {
        // No extensions at all (allowed before TLS 1.2): seen, and empty.
        if complete {
            hello.extensions = Some(Vec::new());
            hello.ja4 = Some(ja4::client_hello(&hello, None));
        }
        return hello;
    }
    let declared = r.u16();
    let ext_bytes = r.rest();
    let whole = declared.is_some_and(|d| usize::from(d) <= ext_bytes.len());
    let ext_bytes = match declared {
        Some(d) if whole => ext_bytes.get(..usize::from(d)).unwrap_or(ext_bytes),
        _ => ext_bytes,
    };
    let mut types = Vec::new();
    let mut first_alpn_raw: Option<Vec<u8>> = None;
    let mut er = Reader::new(ext_bytes);
    let mut cut = false;
    while !er.is_empty() {
        let start = er.position();
        let (Some(kind), Some(data)) = (er.u16(), er.vec16()) else {
            cut = true;
            break;
        };
        types.push(ExtensionType(kind));
        hello.grease |= is_grease(kind);
        let raw = ext_bytes.get(start..er.position()).unwrap_or_default();
        apply_extension(&mut hello, kind, data, raw, &mut first_alpn_raw);
    }
    if whole && !cut {
        hello.extensions = Some(types);
        if complete {
            hello.ja4 = Some(ja4::client_hello(&hello, first_alpn_raw.as_deref()));
        }
    }
    hello
}

/// Records the value of one complete extension.
fn apply_extension(
    hello: &mut ClientHello,
    kind: u16,
    data: &[u8],
    raw: &[u8],
    first_alpn_raw: &mut Option<Vec<u8>>,
) {
    match kind {
        // server_name: tls-parser gives (type, name) pairs; host_name is type 0.
        0 => {
            if let Ok((_, TlsExtension::SNI(names))) =
                tls_parser::parse_tls_client_hello_extension(raw)
            {
                hello.sni = names
                    .iter()
                    .find(|(t, _)| t.0 == 0)
                    .map(|(_, n)| crate::wire::text(n));
            }
        }
        10 => {
            // supported_groups; tls-parser keeps every value, GREASE included.
            if let Ok((_, TlsExtension::EllipticCurves(groups))) =
                tls_parser::parse_tls_client_hello_extension(raw)
            {
                let groups: Vec<NamedGroup> = groups.iter().map(|g| NamedGroup(g.0)).collect();
                hello.grease |= groups.iter().any(|g| g.is_grease());
                hello.supported_groups = Some(groups);
            }
        }
        13 => {
            if let Ok((_, TlsExtension::SignatureAlgorithms(algs))) =
                tls_parser::parse_tls_client_hello_extension(raw)
            {
                hello.signature_algorithms = Some(algs.into_iter().map(SignatureScheme).collect());
            }
        }
        16 => {
            if let Ok((_, TlsExtension::ALPN(protos))) =
                tls_parser::parse_tls_client_hello_extension(raw)
            {
                *first_alpn_raw = protos.first().map(|p| p.to_vec());
                hello.alpn = Some(protos.iter().map(|p| crate::wire::text(p)).collect());
            }
        }
        43 => {
            // supported_versions (client form: u8 length, then u16 list)
            if let Ok((_, TlsExtension::SupportedVersions(vs))) =
                tls_parser::parse_tls_client_hello_extension(raw)
            {
                let vs: Vec<ProtocolVersion> = vs.iter().map(|v| ProtocolVersion(v.0)).collect();
                hello.grease |= vs.iter().any(|v| v.is_grease());
                hello.supported_versions = Some(vs);
            }
        }
        51 => {
            // key_share (client form): u16 length, then (group u16, key vec16)*.
            // tls-parser leaves it as raw bytes.
            let mut r = Reader::new(data);
            if let Some(list) = r.vec16() {
                let mut lr = Reader::new(list);
                let mut groups = Vec::new();
                while let (Some(g), Some(_)) = (lr.u16(), lr.vec16()) {
                    groups.push(NamedGroup(g));
                }
                hello.key_share_groups = Some(groups);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A TLS 1.2 ClientHello body: two suites, SNI "a.b", supported_groups x25519.
    pub(crate) fn sample_body() -> Vec<u8> {
        let mut b = vec![0x03, 0x03];
        b.extend_from_slice(&[0x11; 32]);
        b.push(0); // session id
        b.extend_from_slice(&[0, 4, 0xc0, 0x30, 0x0a, 0x0a]); // suites incl. GREASE
        b.extend_from_slice(&[1, 0]); // compression
        let sni: &[u8] = &[0, 0, 0, 8, 0, 6, 0, 0, 3, b'a', b'.', b'b'];
        let groups: &[u8] = &[0, 10, 0, 4, 0, 2, 0, 0x1d];
        let len = (sni.len() + groups.len()) as u16;
        b.extend_from_slice(&len.to_be_bytes());
        b.extend_from_slice(sni);
        b.extend_from_slice(groups);
        b
    }

    #[test]
    fn decodes_fields() {
        let h = decode(&sample_body(), true, ProtocolVersion::TLS10, FrameNo(4));
        assert_eq!(h.version, Some(ProtocolVersion::TLS12));
        assert_eq!(
            h.cipher_suites,
            Some(vec![CipherSuite::tls(0xc030), CipherSuite::tls(0x0a0a)])
        );
        assert_eq!(h.sni.as_deref(), Some("a.b"));
        assert_eq!(
            h.extensions,
            Some(vec![ExtensionType(0), ExtensionType(10)])
        );
        assert_eq!(h.supported_groups, Some(vec![NamedGroup(0x1d)]));
        assert_eq!(h.supported_versions, None);
        assert!(h.grease);
        assert!(!h.truncated);
        assert!(h.ja4.is_some());
    }

    #[test]
    fn cut_mid_sni_gives_nulls_past_the_cut() {
        let body = sample_body();
        // Cut inside the SNI name: suites known, SNI and extensions not.
        let cut = &body[..body.len() - 10];
        let h = decode(cut, false, ProtocolVersion::TLS10, FrameNo(4));
        assert!(h.truncated);
        assert_eq!(h.cipher_suites.as_ref().map(Vec::len), Some(2));
        assert_eq!(h.sni, None);
        assert_eq!(h.extensions, None);
        assert_eq!(h.ja4, None);
    }

    #[test]
    fn every_prefix_decodes_without_panic() {
        let body = sample_body();
        for n in 0..body.len() {
            let h = decode(&body[..n], false, ProtocolVersion::TLS10, FrameNo(1));
            assert!(h.truncated);
        }
    }
}
