//! SSL 2.0 record-format hellos (draft-hickman-netscape-ssl-00; RFC 6101 App. E.2).
//!
//! Old clients send a CLIENT-HELLO in the SSLv2 record format (2-byte header with
//! the high bit set) even when they offer TLS: the server then answers with a TLS
//! ServerHello. Its 3-byte cipher specs of the form `0x00XXXX` are TLS suite
//! `0xXXXX`. A pure SSLv2 server answers with SERVER-HELLO (type 4), which
//! carries the certificate and the server's cipher specs.

use crate::capture::FrameNo;
use crate::tls::certificate::{self, Certificate};
use crate::tls::client_hello::ClientHello;
use crate::tls::codepoints::{CipherSuite, ProtocolVersion};
use crate::tls::server_hello::ServerHello;
use crate::wire::Reader;

/// SSLv2 message types.
pub const CLIENT_HELLO: u8 = 1;
/// SSLv2 SERVER-HELLO.
pub const SERVER_HELLO: u8 = 4;

/// Whether `head` starts an SSLv2-format record holding a CLIENT-HELLO for
/// SSL 2.0, 3.0 or TLS 1.x: the test Wireshark and OpenSSL use.
pub fn looks_like_client_hello(head: &[u8]) -> bool {
    matches!(head, [b0, _, CLIENT_HELLO, 0x00, 0x02, ..] | [b0, _, CLIENT_HELLO, 0x03, 0..=4, ..] if b0 & 0x80 != 0)
}

/// Whether `head` starts an SSLv2 SERVER-HELLO.
pub fn looks_like_server_hello(head: &[u8]) -> bool {
    matches!(head, [b0, _, SERVER_HELLO, _, _, 0x00, 0x02, ..] if b0 & 0x80 != 0)
}

fn spec(b: &[u8]) -> CipherSuite {
    match b {
        [x, y, z] => CipherSuite(u32::from_be_bytes([0, *x, *y, *z])),
        _ => CipherSuite(0),
    }
}

/// Decodes a CLIENT-HELLO message (starting at its type byte).
pub fn decode_client_hello(msg: &[u8], frame: FrameNo) -> ClientHello {
    let mut r = Reader::new(msg);
    let _ = r.u8();
    let version = r.u16().map(ProtocolVersion);
    let lens = (r.u16(), r.u16(), r.u16());
    let suites = match lens {
        (Some(specs_len), Some(_), Some(_)) => r
            .take(usize::from(specs_len))
            .map(|b| b.chunks_exact(3).map(spec).collect::<Vec<_>>()),
        _ => None,
    };
    let truncated = suites.is_none()
        || match lens {
            (Some(_), Some(sid), Some(ch)) => r.remaining() < usize::from(sid) + usize::from(ch),
            _ => true,
        };
    ClientHello {
        frame,
        record_version: ProtocolVersion::SSL2,
        version,
        supported_versions: None,
        sni: None,
        alpn: None,
        grease: false,
        cipher_suites: suites,
        extensions: None,
        supported_groups: None,
        signature_algorithms: None,
        key_share_groups: None,
        ja4: None,
        truncated,
    }
}

/// Decodes a SERVER-HELLO message (starting at its type byte): the hello and
/// the certificate it carries.
pub fn decode_server_hello(msg: &[u8], frame: FrameNo) -> (ServerHello, Vec<Certificate>) {
    let mut r = Reader::new(msg);
    let _ = (r.u8(), r.u8(), r.u8());
    let version = r.u16().map(ProtocolVersion);
    let (cert_len, specs_len, _conn_id_len) = (r.u16(), r.u16(), r.u16());
    let cert = cert_len.and_then(|n| r.take(usize::from(n)));
    let specs = specs_len.and_then(|n| r.take(usize::from(n)));
    let chosen = specs.and_then(|s| s.chunks_exact(3).next().map(spec));
    let hello = ServerHello {
        frame,
        record_version: ProtocolVersion::SSL2,
        version,
        legacy_version: version,
        cipher_suite: chosen,
        cipher_suite_name: chosen.and_then(CipherSuite::name),
        extensions: None,
        selected_group: None,
        alpn: None,
        truncated: specs.is_none(),
        is_retry_request: false,
    };
    let chain = cert
        .filter(|c| !c.is_empty())
        .map(|c| vec![certificate::decode_der(c, frame)])
        .unwrap_or_default();
    (hello, chain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_hello_specs() {
        // header (2), type, version 0x0301, specs 6, sid 0, challenge 2, specs, challenge
        let rec = [
            0x80, 0x11, 1, 3, 1, 0, 6, 0, 0, 0, 2, 0x01, 0x00, 0x80, 0x00, 0x00, 0x2f, 0xaa, 0xbb,
        ];
        assert!(looks_like_client_hello(&rec));
        let h = decode_client_hello(&rec[2..], FrameNo(1));
        assert_eq!(h.version, Some(ProtocolVersion::TLS10));
        let suites: Vec<String> = h
            .cipher_suites
            .iter()
            .flatten()
            .map(ToString::to_string)
            .collect();
        assert_eq!(suites, ["0x010080", "0x002f"]);
        assert!(!h.truncated);
        assert_eq!(h.record_version.to_string(), "0x0002");
    }
}
