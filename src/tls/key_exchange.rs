//! ServerKeyExchange (RFC 5246 §7.4.3, RFC 8422 §5.4): the group the server
//! picked for (EC)DHE in TLS ≤ 1.2. A finite-field group's size explains a
//! client that aborts with "dh key too small" (OpenSSL refuses primes under
//! 2048 bits at its default security level since 3.0).

use serde::Serialize;
use tls_parser::TlsCipherKx;

use crate::capture::FrameNo;
use crate::tls::codepoints::{CipherSuite, NamedGroup};
use crate::wire::Reader;

/// What the server's key exchange says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ServerKeyExchange {
    /// The frame that completed it.
    pub frame: FrameNo,
    /// ECDHE: the named group.
    pub group: Option<NamedGroup>,
    /// DHE: the size of the prime, in bits.
    pub dh_bits: Option<u32>,
}

/// Decodes a ServerKeyExchange body for the chosen `suite`; `None` when the
/// suite's key exchange is not (EC)DHE or the body is cut before the group.
pub fn decode(
    body: &[u8],
    suite: Option<CipherSuite>,
    frame: FrameNo,
) -> Option<ServerKeyExchange> {
    let kx = suite?.info()?.kx;
    let mut r = Reader::new(body);
    match kx {
        TlsCipherKx::Ecdhe => {
            // ECParameters: curve_type 3 (named_curve), then the group.
            (r.u8()? == 3).then_some(())?;
            Some(ServerKeyExchange {
                frame,
                group: Some(NamedGroup(r.u16()?)),
                dh_bits: None,
            })
        }
        TlsCipherKx::Dhe => {
            let p = r.vec16()?;
            let leading = p.iter().take_while(|b| **b == 0).count();
            let significant = p.get(leading..).unwrap_or_default();
            let top_bits = significant.first().map_or(0, |b| 8 - b.leading_zeros());
            let bits = u32::try_from(significant.len().saturating_sub(1))
                .ok()?
                .saturating_mul(8)
                .saturating_add(top_bits);
            Some(ServerKeyExchange {
                frame,
                group: None,
                dh_bits: Some(bits),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dh_prime_size() {
        let mut body = vec![0, 128, 0xff];
        body.extend(std::iter::repeat_n(0x11, 127));
        body.extend_from_slice(&[0, 1, 2]);
        let k = decode(&body, Some(CipherSuite::tls(0x009e)), FrameNo(8));
        assert_eq!(k.and_then(|k| k.dh_bits), Some(1024));
    }

    #[test]
    fn ecdhe_group() {
        let k = decode(
            &[3, 0, 0x1d, 32],
            Some(CipherSuite::tls(0xc030)),
            FrameNo(8),
        );
        assert_eq!(k.and_then(|k| k.group), Some(NamedGroup(0x1d)));
        assert_eq!(
            decode(&[3, 0], Some(CipherSuite::tls(0xc030)), FrameNo(8)),
            None
        );
        assert_eq!(
            decode(&[3, 0, 0x1d], Some(CipherSuite::tls(0x002f)), FrameNo(8)),
            None
        );
    }
}
