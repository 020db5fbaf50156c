//! IP fragment reassembly (RFC 791 §3.2, RFC 8200 §4.5), bounded.
//!
//! A ClientHello bigger than a path's MTU arrives in fragments when a router
//! fragments for a sender that cleared DF (`ip-fragments.pcapng`). Fragments are
//! collected per (source, destination, identification, protocol) with
//! etherparse's [`IpDefragBuf`]; when a datagram is whole its payload is handed
//! back, attributed to the frame that completed it (as Wireshark does).
//!
//! Caps: at most [`MAX_DATAGRAMS`] datagrams in progress and
//! [`MAX_HELD_BYTES`] bytes held in all; a datagram not completed within
//! [`TIMEOUT_NANOS`] of capture time is dropped. What is dropped is counted,
//! and the analyzer warns once with the count.

use std::net::IpAddr;

use etherparse::defrag::IpDefragBuf;
use etherparse::{IpFragOffset, IpNumber, Ipv6ExtensionSlice, LaxIpSlice};
use rustc_hash::FxHashMap;

use crate::capture::Timestamp;

/// Datagrams being reassembled at once.
pub const MAX_DATAGRAMS: usize = 1024;
/// Bytes held across all datagrams being reassembled.
pub const MAX_HELD_BYTES: usize = 4 << 20;
/// Capture time a datagram may take to complete (Linux's ipfrag_time).
pub const TIMEOUT_NANOS: i64 = 30_000_000_000;

/// One fragment, borrowed from its frame.
#[derive(Debug, Clone, Copy)]
pub struct Fragment<'a> {
    key: FragKey,
    offset: IpFragOffset,
    more: bool,
    payload: &'a [u8],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct FragKey {
    src: IpAddr,
    dst: IpAddr,
    id: u32,
    proto: IpNumber,
}

/// A whole datagram's payload.
#[derive(Debug)]
pub struct Datagram {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// Transport protocol.
    pub proto: IpNumber,
    /// The reassembled transport bytes.
    pub payload: Vec<u8>,
}

/// Reads the fragment fields of an IP packet that is a fragment.
pub fn fragment(data: &[u8]) -> Option<Fragment<'_>> {
    let (ip, _) = LaxIpSlice::from_slice(data).ok()?;
    let payload = ip.payload();
    if !payload.fragmented {
        return None;
    }
    let (id, offset, more) = match &ip {
        LaxIpSlice::Ipv4(v4) => {
            let h = v4.header();
            (
                u32::from(h.identification()),
                h.fragments_offset(),
                h.more_fragments(),
            )
        }
        LaxIpSlice::Ipv6(v6) => v6
            .extensions()
            .clone()
            .into_iter()
            .find_map(|ext| match ext {
                Ipv6ExtensionSlice::Fragment(f) => {
                    Some((f.identification(), f.fragment_offset(), f.more_fragments()))
                }
                _ => None,
            })?,
    };
    Some(Fragment {
        key: FragKey {
            src: ip.source_addr(),
            dst: ip.destination_addr(),
            id,
            proto: payload.ip_number,
        },
        offset,
        more,
        payload: payload.payload,
    })
}

struct Pending {
    buf: IpDefragBuf,
    started: Timestamp,
    held: usize,
}

/// Reassembles fragmented datagrams across a capture.
#[derive(Default)]
pub struct Defragmenter {
    active: FxHashMap<FragKey, Pending>,
    held: usize,
    /// Datagrams given up (cap, timeout, inconsistent fragments).
    pub dropped: u64,
    /// Datagrams reassembled.
    pub reassembled: u64,
}

impl std::fmt::Debug for Defragmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Defragmenter")
            .field("active", &self.active.len())
            .field("held", &self.held)
            .field("dropped", &self.dropped)
            .finish()
    }
}

impl Defragmenter {
    /// Takes a fragment seen at `ts`; returns the datagram it completes.
    pub fn push(&mut self, frag: &Fragment<'_>, ts: Timestamp) -> Option<Datagram> {
        self.expire(ts);
        if !self.active.contains_key(&frag.key)
            && (self.active.len() >= MAX_DATAGRAMS
                || self.held.saturating_add(frag.payload.len()) > MAX_HELD_BYTES)
        {
            self.dropped = self.dropped.saturating_add(1);
            return None;
        }
        let pending = self.active.entry(frag.key).or_insert_with(|| Pending {
            buf: IpDefragBuf::new(frag.key.proto, Vec::new(), Vec::new()),
            started: ts,
            held: 0,
        });
        if pending
            .buf
            .add(frag.offset, frag.more, frag.payload)
            .is_err()
        {
            // Overlapping with different sizes, too big, or after the end:
            // a broken or hostile datagram.
            self.drop_key(&frag.key);
            return None;
        }
        pending.held = pending.held.saturating_add(frag.payload.len());
        self.held = self.held.saturating_add(frag.payload.len());
        if !pending.buf.is_complete() {
            return None;
        }
        let done = self.active.remove(&frag.key)?;
        self.held = self.held.saturating_sub(done.held);
        self.reassembled = self.reassembled.saturating_add(1);
        let (payload, _) = done.buf.take_bufs();
        Some(Datagram {
            src: frag.key.src,
            dst: frag.key.dst,
            proto: frag.key.proto,
            payload,
        })
    }

    fn drop_key(&mut self, key: &FragKey) {
        if let Some(p) = self.active.remove(key) {
            self.held = self.held.saturating_sub(p.held);
            self.dropped = self.dropped.saturating_add(1);
        }
    }

    fn expire(&mut self, now: Timestamp) {
        if self.active.is_empty() {
            return;
        }
        let before = self.active.len();
        let mut freed = 0usize;
        self.active.retain(|_, p| {
            let keep = p.started.as_nanos().saturating_add(TIMEOUT_NANOS) >= now.as_nanos();
            if !keep {
                freed = freed.saturating_add(p.held);
            }
            keep
        });
        self.held = self.held.saturating_sub(freed);
        self.dropped = self
            .dropped
            .saturating_add((before - self.active.len()) as u64);
    }

    /// Datagrams still incomplete (at the end of the capture).
    pub fn incomplete(&self) -> usize {
        self.active.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An IPv4 header (no options) for a fragment of a UDP datagram.
    fn ipv4_fragment(id: u16, offset_units: u16, more: bool, payload: &[u8]) -> Vec<u8> {
        let total = (20 + payload.len()) as u16;
        let flags_offset = (if more { 0x2000 } else { 0 }) | offset_units;
        let mut v = vec![0x45, 0];
        v.extend_from_slice(&total.to_be_bytes());
        v.extend_from_slice(&id.to_be_bytes());
        v.extend_from_slice(&flags_offset.to_be_bytes());
        v.extend_from_slice(&[64, 17, 0, 0, 10, 0, 0, 5, 10, 0, 0, 53]);
        v.extend_from_slice(payload);
        v
    }

    #[test]
    fn two_fragments_make_a_datagram_in_any_order() {
        let whole: Vec<u8> = (0u8..40).collect();
        let first = ipv4_fragment(7, 0, true, &whole[..24]);
        let second = ipv4_fragment(7, 3, false, &whole[24..]);
        let mut d = Defragmenter::default();
        let f2 = fragment(&second).unwrap_or_else(|| panic!("second is a fragment"));
        assert!(d.push(&f2, Timestamp::default()).is_none());
        let f1 = fragment(&first).unwrap_or_else(|| panic!("first is a fragment"));
        let done = d.push(&f1, Timestamp::default());
        assert_eq!(done.map(|x| x.payload), Some(whole));
        assert_eq!((d.reassembled, d.incomplete(), d.dropped), (1, 0, 0));
    }

    #[test]
    fn stale_and_excess_datagrams_are_dropped() {
        let mut d = Defragmenter::default();
        let part = ipv4_fragment(1, 0, true, &[0u8; 16]);
        let f = fragment(&part).unwrap_or_else(|| panic!("fragment"));
        assert!(d.push(&f, Timestamp::from_nanos(0)).is_none());
        let later = ipv4_fragment(2, 0, true, &[0u8; 16]);
        let g = fragment(&later).unwrap_or_else(|| panic!("fragment"));
        assert!(
            d.push(&g, Timestamp::from_nanos(TIMEOUT_NANOS + 1))
                .is_none()
        );
        assert_eq!((d.incomplete(), d.dropped), (1, 1));
        for id in 3..(MAX_DATAGRAMS as u16 + 10) {
            let p = ipv4_fragment(id, 0, true, &[0u8; 8]);
            if let Some(f) = fragment(&p) {
                let _ = d.push(&f, Timestamp::from_nanos(TIMEOUT_NANOS + 1));
            }
        }
        assert!(d.incomplete() <= MAX_DATAGRAMS);
        assert!(d.dropped > 1);
    }
}
