//! ServerHello and HelloRetryRequest decoding (RFC 8446 §4.1.3–4.1.4,
//! RFC 5246 §7.4.1.3, and the TLS 1.3 drafts' shorter form).
//!
//! The negotiated version is the supported_versions extension when present
//! (TLS 1.3), else the hello's version. A ServerHello whose random is the
//! HelloRetryRequest marker is a HelloRetryRequest. TLS 1.3 drafts up to 21
//! (version `0x7fxx` in the hello itself) have no session id and no compression
//! method. Like the ClientHello, a cut message decodes as far as it goes; a
//! TLS 1.2-looking hello cut before the end of its extensions has no negotiated
//! version, since the supported_versions extension past the cut could have said
//! TLS 1.3 (RFC 8446 §4.1.3: a TLS 1.3 ServerHello's own version is 0x0303).

use serde::Serialize;
use tls_parser::TlsExtension;

use crate::capture::FrameNo;
use crate::tls::codepoints::{
    CipherSuite, ExtensionType, HELLO_RETRY_REQUEST_RANDOM, NamedGroup, ProtocolVersion,
};
use crate::wire::Reader;

/// A ServerHello (or HelloRetryRequest).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerHello {
    /// The frame that completed it.
    pub frame: FrameNo,
    /// Version in the header of the record that carried it (`0x0002` for SSLv2).
    pub record_version: ProtocolVersion,
    /// The negotiated version (supported_versions, else the hello's version).
    pub version: Option<ProtocolVersion>,
    /// The hello's own version field.
    pub legacy_version: Option<ProtocolVersion>,
    /// The chosen suite.
    pub cipher_suite: Option<CipherSuite>,
    /// Its IANA name.
    pub cipher_suite_name: Option<&'static str>,
    /// Extension types, in order.
    pub extensions: Option<Vec<ExtensionType>>,
    /// key_share: the group of the server's share (or, in a HelloRetryRequest,
    /// the group it asks for).
    pub selected_group: Option<NamedGroup>,
    /// The ALPN protocol chosen.
    pub alpn: Option<String>,
    /// Whether the message was cut before its end.
    pub truncated: bool,
    /// Whether the random is the HelloRetryRequest marker.
    #[serde(skip)]
    pub is_retry_request: bool,
}

/// Decodes a ServerHello body (after the 4-byte handshake header).
pub fn decode(
    body: &[u8],
    complete: bool,
    record_version: ProtocolVersion,
    frame: FrameNo,
) -> ServerHello {
    let mut hello = decode_fields(body, complete, record_version, frame);
    // Cut before the end of its extensions without a supported_versions seen:
    // a 0x0303 hello may be TLS 1.2 or 1.3, and which is past the cut.
    let versions_seen = hello
        .extensions
        .as_ref()
        .is_some_and(|e| e.contains(&ExtensionType(43)))
        || hello.version != hello.legacy_version;
    if !complete
        && hello.extensions.is_none()
        && !versions_seen
        && hello.legacy_version == Some(ProtocolVersion::TLS12)
    {
        hello.version = None;
    }
    hello
}

fn decode_fields(
    body: &[u8],
    complete: bool,
    record_version: ProtocolVersion,
    frame: FrameNo,
) -> ServerHello {
    let mut hello = ServerHello {
        frame,
        record_version,
        version: None,
        legacy_version: None,
        cipher_suite: None,
        cipher_suite_name: None,
        extensions: None,
        selected_group: None,
        alpn: None,
        truncated: !complete,
        is_retry_request: false,
    };
    let mut r = Reader::new(body);
    let Some(version) = r.u16().map(ProtocolVersion) else {
        return hello;
    };
    hello.legacy_version = Some(version);
    hello.version = Some(version);
    let Some(random) = r.take(32) else {
        return hello;
    };
    hello.is_retry_request = random == HELLO_RETRY_REQUEST_RANDOM;
    let draft_form = version.is_tls13();
    if !draft_form && r.vec8().is_none() {
        return hello;
    }
    let Some(suite) = r.u16().map(CipherSuite::tls) else {
        return hello;
    };
    hello.cipher_suite = Some(suite);
    hello.cipher_suite_name = suite.name();
    if !draft_form && r.u8().is_none() {
        return hello;
    }
    if r.is_empty() {
        if complete {
            hello.extensions = Some(Vec::new());
        }
        return hello;
    }
    let Some(ext_bytes) = r.vec16() else {
        return hello;
    };
    let mut types = Vec::new();
    let mut er = Reader::new(ext_bytes);
    while !er.is_empty() {
        let start = er.position();
        let (Some(kind), Some(data)) = (er.u16(), er.vec16()) else {
            return hello;
        };
        types.push(ExtensionType(kind));
        let raw = ext_bytes.get(start..er.position()).unwrap_or_default();
        match kind {
            43 => {
                if let Ok((_, TlsExtension::SupportedVersions(vs))) =
                    tls_parser::parse_tls_server_hello_extension(raw)
                {
                    if let Some(v) = vs.first() {
                        hello.version = Some(ProtocolVersion(v.0));
                    }
                }
            }
            // key_share: ServerHello has (group, key); HelloRetryRequest only the
            // group (RFC 8446 §4.2.8). Draft 23- used type 40 with the same shape.
            51 | 40 => {
                let mut kr = Reader::new(data);
                hello.selected_group = kr.u16().map(NamedGroup);
            }
            16 => {
                if let Ok((_, TlsExtension::ALPN(protos))) =
                    tls_parser::parse_tls_server_hello_extension(raw)
                {
                    hello.alpn = protos.first().map(|p| crate::wire::text(p));
                }
            }
            _ => {}
        }
    }
    hello.extensions = Some(types);
    hello
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(random: [u8; 32], exts: &[u8]) -> Vec<u8> {
        let mut b = vec![0x03, 0x03];
        b.extend_from_slice(&random);
        b.push(0);
        b.extend_from_slice(&[0x13, 0x01, 0]);
        b.extend_from_slice(&(exts.len() as u16).to_be_bytes());
        b.extend_from_slice(exts);
        b
    }

    #[test]
    fn tls13_version_comes_from_supported_versions() {
        let b = body([7; 32], &[0, 43, 0, 2, 3, 4, 0, 51, 0, 4, 0, 0x1d, 0, 0]);
        let h = decode(&b, true, ProtocolVersion::TLS12, FrameNo(6));
        assert_eq!(h.version, Some(ProtocolVersion::TLS13));
        assert_eq!(h.legacy_version, Some(ProtocolVersion::TLS12));
        assert_eq!(h.cipher_suite_name, Some("TLS_AES_128_GCM_SHA256"));
        assert_eq!(h.selected_group, Some(NamedGroup(0x1d)));
        assert!(!h.is_retry_request);
    }

    #[test]
    fn hello_retry_request() {
        let b = body(
            HELLO_RETRY_REQUEST_RANDOM,
            &[0, 43, 0, 2, 3, 4, 0, 51, 0, 2, 0, 0x18],
        );
        let h = decode(&b, true, ProtocolVersion::TLS12, FrameNo(6));
        assert!(h.is_retry_request);
        assert_eq!(h.selected_group, Some(NamedGroup(0x18)));
    }

    #[test]
    fn cut_before_the_extensions_end_has_no_negotiated_version() {
        let b = body([7; 32], &[0xff, 0x01, 0, 1, 0, 0, 43, 0, 2, 3, 4]);
        // Cut inside the extensions, before supported_versions: 1.2 or 1.3?
        let h = decode(&b[..b.len() - 6], false, ProtocolVersion::TLS12, FrameNo(6));
        assert_eq!(h.legacy_version, Some(ProtocolVersion::TLS12));
        assert_eq!(h.cipher_suite, Some(CipherSuite::tls(0x1301)));
        assert_eq!(h.extensions, None);
        assert_eq!(h.version, None);
        assert!(h.truncated);
        // Whole, it says TLS 1.3.
        let h = decode(&b, true, ProtocolVersion::TLS12, FrameNo(6));
        assert_eq!(h.version, Some(ProtocolVersion::TLS13));
        assert_eq!(h.record_version, ProtocolVersion::TLS12);
    }

    #[test]
    fn prefixes_never_panic() {
        let b = body([7; 32], &[0, 43, 0, 2, 3, 4]);
        for n in 0..b.len() {
            let h = decode(&b[..n], false, ProtocolVersion::TLS12, FrameNo(1));
            assert!(h.truncated);
        }
    }
}
