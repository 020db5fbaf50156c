//! Offered suites against what a server accepts — and *why* each offered suite
//! cannot be chosen.
//!
//! "No overlap" is the weak answer. The strong one groups the offer by reason,
//! from tls-parser's suite attributes (key exchange, authentication, cipher
//! mode, MAC), never a hand-written table: ECDSA suites against an RSA
//! certificate, DSS suites, CBC or other non-AEAD suites against an AEAD-only
//! server, TLS 1.3 suites without TLS 1.3 in supported_versions, signalling
//! values. The near misses — right cipher, wrong authentication — are named,
//! because they are what makes a list look fine to a human.

use tls_parser::{TlsCipherAu, TlsCipherEncMode, TlsCipherKx, TlsCipherMac};

use crate::tls::certificate::KeyFamily;
use crate::tls::client_hello::ClientHello;
use crate::tls::codepoints::{CipherSuite, ProtocolVersion};

/// Why an offered suite cannot be chosen by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Obstacle {
    /// The server accepts it.
    Accepted,
    /// An ECDSA suite; the server's certificate is RSA (or DSA).
    NeedsEcdsaCertificate,
    /// An RSA-authenticated suite; the server's certificate is EC.
    NeedsRsaCertificate,
    /// A DSS suite; the server's certificate is not DSA.
    NeedsDsaCertificate,
    /// A TLS 1.3 suite, but the client does not offer TLS 1.3.
    Tls13NotOffered,
    /// CBC / stream cipher with HMAC; the server accepts only AEAD suites.
    NotAead,
    /// Static RSA key exchange (no forward secrecy); the server wants (EC)DHE.
    NoForwardSecrecy,
    /// Signalling value (SCSV) or GREASE, never chosen.
    Signalling,
    /// Otherwise simply not on the server's list.
    NotAccepted,
}

impl Obstacle {
    /// Explanation for people.
    pub fn explain(self) -> &'static str {
        match self {
            Obstacle::Accepted => "accepted by the server",
            Obstacle::NeedsEcdsaCertificate => {
                "ECDHE_ECDSA suites need an ECDSA certificate; this server has an RSA certificate"
            }
            Obstacle::NeedsRsaCertificate => {
                "RSA-authenticated suites need an RSA certificate; this server has an ECDSA certificate"
            }
            Obstacle::NeedsDsaCertificate => {
                "DHE_DSS suites need a DSA certificate, which public servers no longer use"
            }
            Obstacle::Tls13NotOffered => {
                "TLS 1.3 suites, but the client does not offer TLS 1.3 (no supported_versions)"
            }
            Obstacle::NotAead => {
                "CBC suites (HMAC, not AEAD); the server accepts only AEAD (GCM) suites"
            }
            Obstacle::NoForwardSecrecy => {
                "static RSA key exchange (no forward secrecy); the server requires ECDHE or DHE"
            }
            Obstacle::Signalling => "signalling values (SCSV, GREASE), never chosen",
            Obstacle::NotAccepted => "not on the server's list",
        }
    }
}

/// An offer compared with an accepted list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// Offered suites the server accepts, in the client's order.
    pub common: Vec<CipherSuite>,
    /// Offered suites grouped by what stops each, in order of first appearance.
    pub obstacles: Vec<(Obstacle, Vec<CipherSuite>)>,
    /// Accepted suites the client does not offer, in the server's order.
    pub missing: Vec<CipherSuite>,
    /// Offered suites with the same bulk cipher as an accepted one but the wrong
    /// authentication or key exchange ("near misses").
    pub near_misses: Vec<(CipherSuite, CipherSuite)>,
    /// Real suites offered (signalling values excluded).
    pub offered_real: usize,
}

/// Compares `hello`'s offer with `accepted`; `key` is the server's certificate key.
pub fn compare(
    hello: &ClientHello,
    accepted: &[CipherSuite],
    key: Option<KeyFamily>,
) -> Comparison {
    let offered = hello.cipher_suites.as_deref().unwrap_or_default();
    let offers_tls13 = hello
        .supported_versions
        .as_ref()
        .is_some_and(|v| v.iter().any(|v| v.is_tls13()));
    let accepted_all_aead = accepted
        .iter()
        .filter_map(|s| s.info())
        .all(|i| i.mac == TlsCipherMac::Aead);
    let accepted_all_fs = accepted
        .iter()
        .filter_map(|s| s.info())
        .filter(|i| i.kx != TlsCipherKx::Tls13)
        .all(|i| matches!(i.kx, TlsCipherKx::Ecdhe | TlsCipherKx::Dhe));

    let mut common = Vec::new();
    let mut obstacles: Vec<(Obstacle, Vec<CipherSuite>)> = Vec::new();
    for &suite in offered {
        let obstacle = if suite.is_signalling() {
            Obstacle::Signalling
        } else if accepted.contains(&suite) {
            let tls13_suite = suite.info().is_some_and(|i| i.kx == TlsCipherKx::Tls13);
            if tls13_suite && !offers_tls13 {
                Obstacle::Tls13NotOffered
            } else {
                Obstacle::Accepted
            }
        } else {
            obstacle_for(suite, key, offers_tls13, accepted_all_aead, accepted_all_fs)
        };
        if obstacle == Obstacle::Accepted {
            common.push(suite);
            continue;
        }
        match obstacles.iter_mut().find(|(o, _)| *o == obstacle) {
            Some((_, list)) => list.push(suite),
            None => obstacles.push((obstacle, vec![suite])),
        }
    }
    let missing = accepted
        .iter()
        .copied()
        .filter(|s| !offered.contains(s))
        .collect();
    let near_misses = offered
        .iter()
        .filter(|s| !accepted.contains(s))
        .filter_map(|&s| {
            let i = s.info()?;
            accepted.iter().copied().find_map(|a| {
                let ai = a.info()?;
                (ai.enc == i.enc
                    && ai.enc_mode == i.enc_mode
                    && ai.enc_size == i.enc_size
                    && ai.kx != TlsCipherKx::Tls13
                    && (ai.au != i.au || ai.kx != i.kx))
                    .then_some((s, a))
            })
        })
        .collect();
    Comparison {
        common,
        obstacles,
        missing,
        near_misses,
        offered_real: offered.iter().filter(|s| !s.is_signalling()).count(),
    }
}

fn obstacle_for(
    suite: CipherSuite,
    key: Option<KeyFamily>,
    offers_tls13: bool,
    accepted_all_aead: bool,
    accepted_all_fs: bool,
) -> Obstacle {
    let Some(info) = suite.info() else {
        return Obstacle::NotAccepted;
    };
    if info.kx == TlsCipherKx::Tls13 {
        return if offers_tls13 {
            Obstacle::NotAccepted
        } else {
            Obstacle::Tls13NotOffered
        };
    }
    match (info.au, key) {
        (TlsCipherAu::Ecdsa, Some(k)) if k != KeyFamily::Ec => {
            return Obstacle::NeedsEcdsaCertificate;
        }
        (TlsCipherAu::Rsa, Some(KeyFamily::Ec)) => return Obstacle::NeedsRsaCertificate,
        (TlsCipherAu::Dss, Some(k)) if k != KeyFamily::Dsa => return Obstacle::NeedsDsaCertificate,
        _ => {}
    }
    if accepted_all_aead && info.mac != TlsCipherMac::Aead {
        return Obstacle::NotAead;
    }
    if accepted_all_fs && info.kx == TlsCipherKx::Rsa {
        return Obstacle::NoForwardSecrecy;
    }
    Obstacle::NotAccepted
}

/// What is unusual in an offer, for a rejection with no profile to judge
/// against: the shapes public servers most often refuse.
pub fn unusual_offer(hello: &ClientHello) -> Vec<String> {
    let offered: Vec<&tls_parser::TlsCipherSuite> = hello
        .cipher_suites
        .iter()
        .flatten()
        .filter_map(|s| s.info())
        .collect();
    let mut notes = Vec::new();
    if offered.is_empty() {
        return notes;
    }
    // TLS 1.3 suites and the older ones are judged apart: a TLS 1.3 suite is
    // always forward-secret AEAD, and a TLS 1.2 server ignores them.
    let (tls13, legacy): (Vec<&tls_parser::TlsCipherSuite>, Vec<_>) =
        offered.iter().partition(|i| i.kx == TlsCipherKx::Tls13);
    let versions = hello.offered_versions();
    let offers_tls13 = versions.iter().any(|v| v.is_tls13());
    let offers_legacy = versions.iter().any(|v| !v.is_tls13());
    if offers_legacy && !legacy.is_empty() {
        let ecdhe_rsa_aead = legacy.iter().any(|i| {
            i.kx == TlsCipherKx::Ecdhe && i.au == TlsCipherAu::Rsa && i.mac == TlsCipherMac::Aead
        });
        let ecdhe_ecdsa_aead = legacy.iter().any(|i| {
            i.kx == TlsCipherKx::Ecdhe && i.au == TlsCipherAu::Ecdsa && i.mac == TlsCipherMac::Aead
        });
        if !ecdhe_rsa_aead {
            notes.push(
                "no ECDHE_RSA suite with AEAD (GCM/ChaCha20) — the kind most servers with an RSA certificate require"
                    .to_string(),
            );
        }
        if !ecdhe_rsa_aead && !ecdhe_ecdsa_aead {
            notes.push(if tls13.is_empty() {
                "no forward-secret AEAD suite at all".to_string()
            } else {
                "no forward-secret AEAD suite for TLS 1.2".to_string()
            });
        }
        if legacy
            .iter()
            .all(|i| i.enc_mode == TlsCipherEncMode::Cbc || i.mac != TlsCipherMac::Aead)
        {
            notes.push(if tls13.is_empty() {
                "only CBC suites".to_string()
            } else {
                "only CBC suites below TLS 1.3".to_string()
            });
        }
    } else if offers_legacy && !offers_tls13 {
        notes.push("no suite for the versions it offers".to_string());
    }
    if offers_tls13 {
        if tls13.is_empty() {
            notes.push("TLS 1.3 offered without a TLS 1.3 suite".to_string());
        } else if !hello.cipher_suites.iter().flatten().any(|s| s.0 == 0x1301) {
            let names: Vec<&str> = tls13.iter().map(|i| i.name).collect();
            notes.push(format!(
                "of the TLS 1.3 suites only {} — not TLS_AES_128_GCM_SHA256 (0x1301), the one every TLS 1.3 server must implement (RFC 8446 §9.1)",
                names.join(", ")
            ));
        }
        if !offers_legacy && !tls13.is_empty() {
            let names: Vec<&str> = tls13.iter().map(|i| i.name).collect();
            notes.push(format!(
                "TLS 1.3 only, with {}: a server without TLS 1.3, or one that enables none of these suites, cannot answer",
                names.join(", ")
            ));
        }
    }
    if !tls13.is_empty() && !offers_tls13 {
        notes.push("TLS 1.3 suites offered without TLS 1.3 in supported_versions".to_string());
    }
    if hello
        .max_version()
        .is_some_and(|v| v.rank() < ProtocolVersion::TLS12.rank())
    {
        notes.push(format!(
            "highest version offered is {}",
            hello
                .max_version()
                .map(ProtocolVersion::name)
                .unwrap_or_default()
        ));
    }
    notes
}

/// Whether an offer looks like a Windows SChannel list restricted by group
/// policy: TLS 1.2 at most, no ChaCha20 (SChannel has none), and DHE_DSS
/// suites (which only SChannel still offers among mainstream stacks).
pub fn looks_like_schannel(hello: &ClientHello) -> bool {
    let suites: Vec<&tls_parser::TlsCipherSuite> = hello
        .cipher_suites
        .iter()
        .flatten()
        .filter_map(|s| s.info())
        .collect();
    let no_chacha = suites
        .iter()
        .all(|i| i.enc != tls_parser::TlsCipherEnc::Chacha20_Poly1305);
    let dss = suites.iter().any(|i| i.au == TlsCipherAu::Dss);
    let no_tls13 = hello.supported_versions.is_none();
    no_chacha && (dss || no_tls13) && !suites.is_empty()
}

/// `NAME (0xhhhh)` for people.
pub fn label(s: CipherSuite) -> String {
    match s.name() {
        Some(n) => format!("{n} ({s})"),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::FrameNo;
    use crate::tls::codepoints::ProtocolVersion;

    fn hello(suites: &[u16]) -> ClientHello {
        let mut body = vec![3, 3];
        body.extend_from_slice(&[0; 32]);
        body.push(0);
        body.extend_from_slice(&((suites.len() * 2) as u16).to_be_bytes());
        for s in suites {
            body.extend_from_slice(&s.to_be_bytes());
        }
        body.extend_from_slice(&[1, 0, 0, 0]);
        crate::tls::client_hello::decode(&body, true, ProtocolVersion::TLS12, FrameNo(1))
    }

    /// Field case 1: the failing endpoint's 16 suites against tetra's 4.
    #[test]
    fn field_case_one() {
        let offered = [
            0x003c, 0x002f, 0x003d, 0x0035, 0xc013, 0xc014, 0xc02b, 0xc023, 0xc02c, 0xc024, 0xc009,
            0xc00a, 0x0040, 0x0032, 0x006a, 0x0038,
        ];
        let accepted: Vec<CipherSuite> = [0xc030, 0xc02f, 0x009e, 0x1301]
            .into_iter()
            .map(CipherSuite::tls)
            .collect();
        let h = hello(&offered);
        let c = compare(&h, &accepted, Some(KeyFamily::Rsa));
        assert!(c.common.is_empty());
        assert_eq!(c.offered_real, 16);
        let group = |o: Obstacle| {
            c.obstacles
                .iter()
                .find(|(x, _)| *x == o)
                .map(|(_, l)| l.len())
                .unwrap_or(0)
        };
        assert_eq!(group(Obstacle::NeedsEcdsaCertificate), 6);
        assert_eq!(group(Obstacle::NeedsDsaCertificate), 4);
        assert_eq!(group(Obstacle::NotAead), 6);
        assert_eq!(c.missing.len(), 4);
        // ECDHE_ECDSA_AES_128_GCM is the near miss of ECDHE_RSA_AES_128_GCM.
        assert!(
            c.near_misses
                .contains(&(CipherSuite::tls(0xc02b), CipherSuite::tls(0xc02f)))
        );
        assert!(looks_like_schannel(&h));
    }
}
