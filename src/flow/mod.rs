//! Flows: TCP packets → connections, per-direction byte streams, TCP outcome.
//!
//! A [`FlowKey`] names both directions of a connection with one key; the
//! [`Direction`] says which way a packet goes relative to the key's canonical
//! order. [`tcp::TcpState`] follows SYN / SYN-ACK / FIN / RST into a
//! [`tcp::TcpOutcome`]; [`reassembly::Reassembler`] turns each direction's
//! segments into ordered [`reassembly::StreamEvent`]s.

pub mod reassembly;
pub mod tcp;

use std::cmp::Ordering;
use std::net::IpAddr;
use std::ops::{Index, IndexMut};

/// A TCP sequence number: 32-bit, compared and subtracted modulo 2^32 (RFC 9293 §3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Seq(pub u32);

impl Seq {
    /// `self + n`, wrapping.
    pub fn wrapping_add(self, n: u32) -> Seq {
        Seq(self.0.wrapping_add(n))
    }

    /// Signed distance from `other` to `self` (positive when `self` is later),
    /// valid while the two are within 2^31 of each other.
    pub fn diff(self, other: Seq) -> i64 {
        i64::from(self.0.wrapping_sub(other.0) as i32)
    }
}

impl PartialOrd for Seq {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.diff(*other).cmp(&0))
    }
}

/// One end of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Endpoint {
    /// Address.
    pub ip: IpAddr,
    /// Port.
    pub port: u16,
}

/// Both ends of a connection, in canonical order (lower endpoint first), so the
/// two directions of a connection find the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FlowKey {
    /// The lower endpoint.
    pub lo: Endpoint,
    /// The higher endpoint.
    pub hi: Endpoint,
}

/// Which way a packet goes relative to its [`FlowKey`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// From `lo` to `hi`.
    LoToHi,
    /// From `hi` to `lo`.
    HiToLo,
}

impl Direction {
    /// Both directions, `LoToHi` first.
    pub const BOTH: [Direction; 2] = [Direction::LoToHi, Direction::HiToLo];

    /// The other direction.
    pub fn reverse(self) -> Direction {
        match self {
            Direction::LoToHi => Direction::HiToLo,
            Direction::HiToLo => Direction::LoToHi,
        }
    }
}

/// One value per direction, indexed by [`Direction`] (no integer indexing).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PerDirection<T> {
    /// The `LoToHi` value.
    pub lo_to_hi: T,
    /// The `HiToLo` value.
    pub hi_to_lo: T,
}

impl<T> PerDirection<T> {
    /// Both values from one function of the direction.
    pub fn from_fn(mut f: impl FnMut(Direction) -> T) -> Self {
        Self {
            lo_to_hi: f(Direction::LoToHi),
            hi_to_lo: f(Direction::HiToLo),
        }
    }

    /// Whether both values satisfy `f`.
    pub fn all(&self, f: impl Fn(&T) -> bool) -> bool {
        f(&self.lo_to_hi) && f(&self.hi_to_lo)
    }

    /// Whether either value satisfies `f`.
    pub fn any(&self, f: impl Fn(&T) -> bool) -> bool {
        f(&self.lo_to_hi) || f(&self.hi_to_lo)
    }

    /// `(direction, value)` pairs, `LoToHi` first.
    pub fn iter(&self) -> impl Iterator<Item = (Direction, &T)> {
        [
            (Direction::LoToHi, &self.lo_to_hi),
            (Direction::HiToLo, &self.hi_to_lo),
        ]
        .into_iter()
    }
}

impl<T> Index<Direction> for PerDirection<T> {
    type Output = T;
    fn index(&self, dir: Direction) -> &T {
        match dir {
            Direction::LoToHi => &self.lo_to_hi,
            Direction::HiToLo => &self.hi_to_lo,
        }
    }
}

impl<T> IndexMut<Direction> for PerDirection<T> {
    fn index_mut(&mut self, dir: Direction) -> &mut T {
        match dir {
            Direction::LoToHi => &mut self.lo_to_hi,
            Direction::HiToLo => &mut self.hi_to_lo,
        }
    }
}

impl FlowKey {
    /// The key of a packet from `src` to `dst`, and its direction.
    pub fn of(src: Endpoint, dst: Endpoint) -> (FlowKey, Direction) {
        if src <= dst {
            (FlowKey { lo: src, hi: dst }, Direction::LoToHi)
        } else {
            (FlowKey { lo: dst, hi: src }, Direction::HiToLo)
        }
    }

    /// The sender of packets going `dir`.
    pub fn source(&self, dir: Direction) -> Endpoint {
        match dir {
            Direction::LoToHi => self.lo,
            Direction::HiToLo => self.hi,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seq_wraps() {
        let a = Seq(u32::MAX - 1);
        let b = a.wrapping_add(4);
        assert_eq!(b, Seq(2));
        assert_eq!(b.diff(a), 4);
        assert_eq!(a.diff(b), -4);
        assert!(b > a);
    }

    #[test]
    fn flow_key_is_symmetric() {
        let a = Endpoint {
            ip: "10.0.0.5".parse().unwrap_or(IpAddr::from([0, 0, 0, 0])),
            port: 51771,
        };
        let b = Endpoint {
            ip: "10.0.0.1".parse().unwrap_or(IpAddr::from([0, 0, 0, 0])),
            port: 6050,
        };
        let (k1, d1) = FlowKey::of(a, b);
        let (k2, d2) = FlowKey::of(b, a);
        assert_eq!(k1, k2);
        assert_eq!(d1, d2.reverse());
        assert_eq!(k1.source(d1), a);
    }
}
