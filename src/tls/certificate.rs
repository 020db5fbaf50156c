//! Certificate chains (TLS ≤ 1.2 Certificate message, RFC 5246 §7.4.2), decoded
//! with x509-parser.
//!
//! Each entry gives what an engineer checks first: subject and issuer as RFC 4514
//! strings (most specific RDN first), validity, whether it is self-signed
//! (subject = issuer), its SHA-256 fingerprint, the DNS names it covers, and its
//! key type (an RSA key cannot serve ECDSA suites: the diagnosis uses it). A DER
//! blob cut by the capture is listed with `truncated: true` and null fields.

use serde::Serialize;
use sha2::{Digest, Sha256};
use x509_parser::prelude::*;
use x509_parser::public_key::PublicKey;

use crate::capture::FrameNo;
use crate::capture::time::rfc3339_seconds;
use crate::tls::codepoints::push_hex;
use crate::wire::Reader;

/// One certificate of a chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Certificate {
    /// The frame that completed the Certificate message.
    pub frame: FrameNo,
    /// Subject DN (RFC 4514).
    pub subject: Option<String>,
    /// Issuer DN (RFC 4514).
    pub issuer: Option<String>,
    /// Start of validity (RFC 3339).
    pub not_before: Option<String>,
    /// End of validity (RFC 3339).
    pub not_after: Option<String>,
    /// Subject equals issuer.
    pub self_signed: bool,
    /// SHA-256 of the DER, lowercase hex.
    pub sha256: Option<String>,
    /// DNS names of subjectAltName.
    pub dns_names: Vec<String>,
    /// Key algorithm and size (`RSA 2048`, `EC`, `Ed25519`, …).
    pub key: Option<String>,
    /// Whether basicConstraints says CA.
    pub is_ca: bool,
    /// Whether the DER was cut by the capture (fields are null then).
    pub truncated: bool,
    /// Why the DER could not be decoded, if it could not.
    pub error: Option<String>,
    /// Validity as Unix seconds, for the diagnosis.
    #[serde(skip)]
    pub validity_unix: Option<(i64, i64)>,
    /// Key family, for the diagnosis.
    #[serde(skip)]
    pub key_family: Option<KeyFamily>,
}

/// The kind of key a certificate carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFamily {
    /// RSA: serves ECDHE_RSA / DHE_RSA / RSA suites.
    Rsa,
    /// Elliptic curve: serves ECDHE_ECDSA suites.
    Ec,
    /// DSA: serves DHE_DSS suites.
    Dsa,
    /// Anything else (EdDSA, GOST, post-quantum, unknown).
    Other,
}

impl Certificate {
    fn empty(frame: FrameNo) -> Self {
        Self {
            frame,
            subject: None,
            issuer: None,
            not_before: None,
            not_after: None,
            self_signed: false,
            sha256: None,
            dns_names: Vec::new(),
            key: None,
            is_ca: false,
            truncated: false,
            error: None,
            validity_unix: None,
            key_family: None,
        }
    }
}

/// Decodes a TLS ≤ 1.2 Certificate message body: a 24-bit list of 24-bit DER
/// blobs. A cut list yields the complete entries and one truncated entry.
pub fn decode_chain(body: &[u8], frame: FrameNo) -> Vec<Certificate> {
    let mut out = Vec::new();
    let mut r = Reader::new(body);
    if r.u24().is_none() {
        return out;
    }
    while !r.is_empty() {
        match r.vec24() {
            Some(der) => out.push(decode_der(der, frame)),
            None => {
                let mut cut = Certificate::empty(frame);
                cut.truncated = true;
                out.push(cut);
                break;
            }
        }
        if out.len() >= MAX_CHAIN {
            break;
        }
    }
    out
}

/// Certificates listed per chain (real chains have 2–5).
pub const MAX_CHAIN: usize = 16;

/// Certificates remembered per thread, so a server's chain is parsed once,
/// not once per connection: a capture of many handshakes with a few servers
/// repeats the same DER blobs (the handshake-dense workload of
/// benches/compare.sh spent a tenth of its time in x509 parsing).
const RECENT_ENTRIES: usize = 32;
/// Larger DER blobs are decoded every time (the cache stays ≤ 128 KiB).
const RECENT_MAX_DER: usize = 4096;

/// A decoded certificate and the DER it came from.
struct Recent {
    hash: u64,
    der: Box<[u8]>,
    cert: Certificate,
}

thread_local! {
    static RECENT: std::cell::RefCell<(Vec<Recent>, usize)> =
        const { std::cell::RefCell::new((Vec::new(), 0)) };
}

/// Decodes one DER certificate (from the per-thread cache when it was seen
/// recently; the result is the same either way).
pub fn decode_der(der: &[u8], frame: FrameNo) -> Certificate {
    if der.len() > RECENT_MAX_DER {
        return decode_der_uncached(der, frame);
    }
    let hash = {
        use std::hash::BuildHasher;
        rustc_hash::FxBuildHasher.hash_one(der)
    };
    let hit = RECENT.with(|recent| {
        let recent = recent.borrow();
        recent
            .0
            .iter()
            .find(|r| r.hash == hash && *r.der == *der)
            .map(|r| Certificate {
                frame,
                ..r.cert.clone()
            })
    });
    if let Some(cert) = hit {
        return cert;
    }
    let cert = decode_der_uncached(der, frame);
    RECENT.with(|recent| {
        let mut recent = recent.borrow_mut();
        let (entries, next) = &mut *recent;
        let entry = Recent {
            hash,
            der: der.into(),
            cert: cert.clone(),
        };
        if entries.len() < RECENT_ENTRIES {
            entries.push(entry);
        } else if let Some(slot) = entries.get_mut(*next) {
            *slot = entry;
        }
        *next = (*next + 1) % RECENT_ENTRIES;
    });
    cert
}

fn decode_der_uncached(der: &[u8], frame: FrameNo) -> Certificate {
    let mut cert = Certificate::empty(frame);
    let mut sha256 = String::new();
    push_hex(&mut sha256, &Sha256::digest(der));
    cert.sha256 = Some(sha256);
    let x509 = match parse_x509_certificate(der) {
        Ok((_, c)) => c,
        Err(e) => {
            cert.error = Some(e.to_string());
            return cert;
        }
    };
    cert.subject = Some(rfc4514(x509.subject()));
    cert.issuer = Some(rfc4514(x509.issuer()));
    let validity = x509.validity();
    let (nb, na) = (
        validity.not_before.timestamp(),
        validity.not_after.timestamp(),
    );
    cert.validity_unix = Some((nb, na));
    cert.not_before = Some(rfc3339_seconds(nb));
    cert.not_after = Some(rfc3339_seconds(na));
    cert.self_signed = x509.subject().as_raw() == x509.issuer().as_raw();
    if let Ok(Some(san)) = x509.subject_alternative_name() {
        cert.dns_names = san
            .value
            .general_names
            .iter()
            .filter_map(|n| match n {
                GeneralName::DNSName(d) => Some((*d).to_string()),
                _ => None,
            })
            .collect();
    }
    if let Ok(Some(bc)) = x509.basic_constraints() {
        cert.is_ca = bc.value.ca;
    }
    let (family, key) = match x509.public_key().parsed() {
        Ok(PublicKey::RSA(rsa)) => (KeyFamily::Rsa, format!("RSA {}", rsa.key_size())),
        Ok(PublicKey::EC(ec)) => (KeyFamily::Ec, format!("EC {}", ec.key_size())),
        Ok(PublicKey::DSA(_)) => (KeyFamily::Dsa, "DSA".to_string()),
        _ => {
            let oid = x509.public_key().algorithm.algorithm.to_id_string();
            let name = match oid.as_str() {
                "1.3.101.112" => "Ed25519".to_string(),
                "1.3.101.113" => "Ed448".to_string(),
                _ => oid,
            };
            (KeyFamily::Other, name)
        }
    };
    cert.key_family = Some(family);
    cert.key = Some(key);
    cert
}

/// RFC 4514 string of a name: RDNs most specific first, `+` inside an RDN.
fn rfc4514(name: &X509Name<'_>) -> String {
    let registry = oid_registry();
    let rdns: Vec<String> = name
        .iter_rdn()
        .map(|rdn| {
            rdn.iter()
                .map(|atv| {
                    let oid = atv.attr_type();
                    let key = oid2abbrev(oid, registry)
                        .map(str::to_string)
                        .unwrap_or_else(|_| oid.to_id_string());
                    let value = match atv.as_str() {
                        Ok(s) => escape_value(s),
                        Err(_) => {
                            let mut hash = String::from("#");
                            push_hex(&mut hash, atv.attr_value().data);
                            hash
                        }
                    };
                    format!("{key}={value}")
                })
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect();
    rdns.into_iter().rev().collect::<Vec<_>>().join(",")
}

/// RFC 4514 §2.4 escaping.
fn escape_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let last = s.chars().count().saturating_sub(1);
    for (i, c) in s.chars().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';')
            || (i == 0 && (c == '#' || c == ' '))
            || (i == last && c == ' ');
        if special {
            out.push('\\');
            out.push(c);
        } else if c == '\0' {
            out.push_str("\\00");
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_value("a,b"), "a\\,b");
        assert_eq!(escape_value(" x "), "\\ x\\ ");
        assert_eq!(escape_value("#1"), "\\#1");
    }

    #[test]
    fn garbage_der_is_an_error_not_a_panic() {
        let c = decode_der(&[0x30, 0x03, 1, 2, 3], FrameNo(3));
        assert!(c.error.is_some());
        assert!(c.sha256.is_some());
    }

    #[test]
    fn cut_chain_lists_a_truncated_entry() {
        let body = [0, 0, 10, 0, 0, 8, 0x30];
        let chain = decode_chain(&body, FrameNo(2));
        assert_eq!(chain.len(), 1);
        assert!(chain[0].truncated);
    }
}
