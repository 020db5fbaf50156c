//! Per-direction TCP reassembly: segments → ordered [`StreamEvent`]s.
//!
//! In-order payload is handed on as a slice of the packet: nothing is copied on
//! the common path. A segment that arrives ahead of a hole is copied and held
//! until the hole fills, the stream ends, or a cap is reached; then the hole is
//! reported as a [`StreamEvent::Gap`] and the held bytes follow, so decoders can
//! resynchronise after it.
//!
//! Overlap policy — **first copy wins**: bytes already handed on are never
//! replaced by a later retransmission (the policy of Wireshark and of Zeek's
//! default); among held segments, the one that arrived first keeps the bytes it
//! covers, and a later copy that overlaps it — starting before, at or after it —
//! only adds the bytes no held segment covers. A decoder therefore sees exactly
//! one version of every byte, the one the receiver most likely took first
//! (captures/adversarial/overlap-conflict.pcap: conflicting copies of a
//! ClientHello's SNI, in order and out of order, decode as the first copy).
//!
//! Caps: [`MAX_HELD_PER_DIRECTION`] bytes held per direction, and a shared
//! [`Budget`] across all flows of a capture (each held segment is charged its
//! bytes plus [`HELD_ENTRY_COST`]). Reaching either forces the oldest
//! hole to be declared a gap (the event says so): memory stays bounded, and no
//! byte is dropped silently.
//!
//! Stream offsets are 64-bit, counted from the first byte seen, so sequence
//! numbers may wrap any number of times (RFC 9293 §3.4 arithmetic in [`Seq`]).

use std::collections::BTreeMap;

use crate::capture::{FrameNo, Timestamp};
use crate::flow::Seq;
use crate::packet::TcpSegment;

/// Bytes held out of order per direction before the oldest hole is given up.
pub const MAX_HELD_PER_DIRECTION: usize = 1 << 20;
/// Bytes held out of order across all flows of a capture (default of [`Budget`]).
pub const MAX_HELD_TOTAL: usize = 64 << 20;

/// What holding one segment costs besides its bytes (map node, `Vec` header),
/// charged to the caps: a flood of one-byte segments must not hold 80 bytes of
/// bookkeeping per byte counted.
pub const HELD_ENTRY_COST: usize = 64;

/// Distance (bytes) beyond which first data is taken as a new numbering rather
/// than a hole, while nothing has been delivered.
const REANCHOR_DISTANCE: u64 = 1 << 20;

/// Why bytes are missing from a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GapCause {
    /// Segments that were never captured.
    NotCaptured,
    /// Bytes cut by the capture's snap length.
    SnapLength,
    /// A hole given up because a buffer cap was reached.
    BufferCap,
}

/// What a direction's stream delivers, in order.
#[derive(Debug, Clone, Copy)]
pub enum StreamEvent<'a> {
    /// Bytes, with the frame that completed them.
    Data {
        /// The bytes.
        bytes: &'a [u8],
        /// The frame that delivered them (for held segments: the frame that
        /// filled the hole before them, as Wireshark reports reassembly).
        frame: FrameNo,
        /// Its time.
        ts: Timestamp,
    },
    /// Bytes that will never come.
    Gap {
        /// How many.
        len: u64,
        /// The frame at which the loss became certain.
        frame: FrameNo,
        /// Why.
        cause: GapCause,
    },
}

/// The most bytes believed lost at the end of a direction (FIN or
/// acknowledgements beyond the data seen); a larger jump is a corrupt header.
const MAX_TAIL_GAP: u64 = 16 << 20;

/// Bytes held out of order across all flows of one capture.
#[derive(Debug, Clone)]
pub struct Budget {
    /// Bytes held now.
    pub used: usize,
    /// The cap.
    pub max: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            used: 0,
            max: MAX_HELD_TOTAL,
        }
    }
}

#[derive(Debug)]
struct Held {
    data: Vec<u8>,
    /// Sequence-space length (captured bytes plus bytes cut by the snap length).
    wire_len: u64,
    /// The frame that carried it, and its time.
    frame: FrameNo,
    ts: Timestamp,
}

/// Counters for one direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamStats {
    /// Segments that carried only bytes already seen.
    pub retransmitted: u32,
    /// Segments that arrived ahead of a hole.
    pub out_of_order: u32,
    /// Bytes reported missing.
    pub missing_bytes: u64,
}

/// Held segments [`Reassembler::finish`] dropped because they lay beyond any
/// plausible end of the stream (a corrupt sequence number).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutOfWindow {
    /// How many.
    pub segments: u32,
    /// The earliest one's frame.
    pub first: Option<FrameNo>,
}

impl OutOfWindow {
    /// Both directions' together.
    pub fn merge(self, other: Self) -> Self {
        Self {
            segments: self.segments.saturating_add(other.segments),
            first: [self.first, other.first].into_iter().flatten().min(),
        }
    }
}

/// One direction of a TCP connection.
#[derive(Debug, Default)]
pub struct Reassembler {
    /// Sequence number of the next expected byte, once known.
    next_seq: Option<Seq>,
    /// Stream offset of that byte.
    next_off: u64,
    held: BTreeMap<u64, Held>,
    held_bytes: usize,
    /// Offset just past the FIN, when seen, and the FIN's frame.
    fin: Option<(u64, FrameNo)>,
    /// The furthest offset the peer acknowledged, and the frame that did.
    acked_max: Option<(u64, FrameNo)>,
    /// Whether the consumer wants no more bytes (sequence tracking only).
    skipping: bool,
    stats: StreamStats,
}

impl Reassembler {
    /// A direction not seen yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stops delivering bytes: the consumer has all it needs. Held bytes are freed.
    pub fn skip_rest(&mut self, budget: &mut Budget) {
        self.skipping = true;
        self.release(budget);
    }

    /// Whether bytes are still delivered.
    pub fn is_skipping(&self) -> bool {
        self.skipping
    }

    /// Counters so far.
    pub fn stats(&self) -> StreamStats {
        self.stats
    }

    /// Bytes delivered or declared missing so far (the stream position).
    pub fn position(&self) -> u64 {
        self.next_off
    }

    /// Whether a FIN was seen and every byte before it was delivered.
    pub fn finished(&self) -> bool {
        self.fin
            .map(|(f, _)| f)
            .is_some_and(|f| self.next_off >= f.saturating_sub(1))
    }

    /// Takes one segment of this direction.
    pub fn push<F>(
        &mut self,
        seg: &TcpSegment<'_>,
        frame: FrameNo,
        ts: Timestamp,
        budget: &mut Budget,
        sink: &mut F,
    ) where
        F: FnMut(StreamEvent<'_>),
    {
        // Data on a SYN (TCP Fast Open) starts one past the SYN's sequence number.
        let data_seq = if seg.flags.syn {
            seg.seq.wrapping_add(1)
        } else {
            seg.seq
        };
        let next_seq = match self.next_seq {
            // A SYN with another initial sequence number before any byte was
            // delivered: the peer restarted the handshake (TCP Fast Open retries,
            // port reuse); follow the new numbering.
            Some(s)
                if seg.flags.syn && s != data_seq && self.next_off == 0 && self.held.is_empty() =>
            {
                self.next_seq = Some(data_seq);
                data_seq
            }
            Some(s) => s,
            None => {
                if seg.wire_len == 0 && !seg.flags.syn && !seg.flags.fin {
                    // A bare ACK teaches nothing about where data starts.
                    return;
                }
                self.next_seq = Some(data_seq);
                data_seq
            }
        };
        let wire_len = u64::from(seg.wire_len);
        let mut rel = data_seq.diff(next_seq);
        if rel.unsigned_abs() > REANCHOR_DISTANCE && self.next_off == 0 && self.held.is_empty() {
            // Nothing delivered yet and the data is nowhere near the expected
            // numbering (a SYN-ACK from an earlier attempt was retransmitted
            // after the one that counts): start from this segment instead.
            self.next_seq = Some(data_seq);
            rel = 0;
        }
        let start = if rel < 0 {
            self.next_off.saturating_sub(rel.unsigned_abs())
        } else {
            self.next_off.saturating_add(rel.unsigned_abs())
        };
        let end = start.saturating_add(wire_len);
        if seg.flags.fin && self.fin.is_none() {
            // The FIN occupies one sequence number after the data.
            self.fin = Some((end.saturating_add(1), frame));
        }
        if wire_len == 0 {
            return;
        }
        if end <= self.next_off {
            self.stats.retransmitted = self.stats.retransmitted.saturating_add(1);
            return;
        }
        if self.skipping {
            if start <= self.next_off {
                self.advance_to(end);
            }
            return;
        }
        if start <= self.next_off {
            self.deliver(start, seg.payload, wire_len, frame, ts, sink);
            self.drain(Some((frame, ts)), budget, sink);
        } else {
            self.stats.out_of_order = self.stats.out_of_order.saturating_add(1);
            self.hold(start, seg.payload, wire_len, (frame, ts), budget);
            while self.held_bytes > MAX_HELD_PER_DIRECTION || budget.used > budget.max {
                if !self.give_up_first_hole(GapCause::BufferCap, budget, sink) {
                    break;
                }
            }
        }
    }

    /// The peer acknowledged this direction up to `ack`. A hole that the
    /// acknowledgement covers entirely, with bytes held after it, was received
    /// by the peer but never captured: it becomes a gap now (not when the
    /// stream ends), so the held bytes are decoded at the frame that proves
    /// the loss. Without held bytes nothing is decided: an acknowledgement can
    /// precede the data it covers in a capture merged from two interfaces.
    pub fn acked<F>(&mut self, ack: Seq, frame: FrameNo, budget: &mut Budget, sink: &mut F)
    where
        F: FnMut(StreamEvent<'_>),
    {
        let Some(next_seq) = self.next_seq else {
            return;
        };
        let rel = ack.diff(next_seq);
        if rel <= 0 {
            return;
        }
        let acked_off = self.next_off.saturating_add(rel.unsigned_abs());
        if self.acked_max.is_none_or(|(o, _)| acked_off > o) {
            self.acked_max = Some((acked_off, frame));
        }
        if self.skipping || self.held.is_empty() {
            return;
        }
        while let Some((&first, _)) = self.held.first_key_value() {
            if first > acked_off || !self.give_up_first_hole(GapCause::NotCaptured, budget, sink) {
                break;
            }
        }
    }

    /// The stream ends (connection closed or capture over): every hole before
    /// held bytes becomes a gap, and the held bytes are delivered. Returns the
    /// held segments dropped as out of the stream's window.
    pub fn finish<F>(&mut self, budget: &mut Budget, sink: &mut F) -> OutOfWindow
    where
        F: FnMut(StreamEvent<'_>),
    {
        let mut dropped = OutOfWindow::default();
        if self.skipping {
            self.release(budget);
        } else {
            dropped = self.drop_out_of_window(budget);
            while self.give_up_first_hole(GapCause::NotCaptured, budget, sink) {}
        }
        self.tail_gap(sink);
        dropped
    }

    /// Held segments that start past any plausible end of the stream are a
    /// corrupt sequence number, not data after a loss: past the FIN, or more
    /// than [`MAX_TAIL_GAP`] ahead of the stream and of everything the peer
    /// acknowledged. They are dropped and counted instead of turning the
    /// distance into "missing bytes" (a flipped high bit made a gigabyte).
    fn drop_out_of_window(&mut self, budget: &mut Budget) -> OutOfWindow {
        let by_fin = self
            .fin
            .map(|(f, _)| f.saturating_sub(1))
            .filter(|&end| end >= self.next_off);
        let limit = by_fin.unwrap_or_else(|| {
            let acked = self.acked_max.map_or(0, |(o, _)| o);
            self.next_off.saturating_add(MAX_TAIL_GAP).max(acked)
        });
        let mut dropped = OutOfWindow::default();
        while let Some(entry) = self.held.last_entry() {
            // Data may start exactly at `limit` only when no FIN bounds it.
            let beyond = if by_fin.is_some() {
                *entry.key() >= limit
            } else {
                *entry.key() > limit
            };
            if !beyond {
                break;
            }
            let held = entry.remove();
            let cost = held.data.len().saturating_add(HELD_ENTRY_COST);
            self.held_bytes = self.held_bytes.saturating_sub(cost);
            budget.used = budget.used.saturating_sub(cost);
            dropped = dropped.merge(OutOfWindow {
                segments: 1,
                first: Some(held.frame),
            });
        }
        dropped
    }

    /// Bytes sent after the last captured ones: the FIN's sequence number, or
    /// the peer's acknowledgements, go further than the data seen (a lost
    /// alert before a close). A bogus jump (a corrupt header) is not believed.
    fn tail_gap<F>(&mut self, sink: &mut F)
    where
        F: FnMut(StreamEvent<'_>),
    {
        let data_end = self.fin.map(|(f, _)| f.saturating_sub(1));
        let by_fin = self.fin.map(|(f, frame)| (f.saturating_sub(1), frame));
        // Without a FIN, an acknowledgement one past the data is the FIN's
        // (which the capture missed), not a lost byte.
        let by_ack = self.acked_max.and_then(|(o, f)| match data_end {
            Some(e) => Some((o.min(e), f)),
            None => (o != self.next_off.saturating_add(1)).then_some((o, f)),
        });
        let Some((end, frame)) = [by_fin, by_ack]
            .into_iter()
            .flatten()
            .max_by_key(|(o, _)| *o)
        else {
            return;
        };
        if end <= self.next_off || end - self.next_off > MAX_TAIL_GAP {
            return;
        }
        self.lose_to(end, frame, GapCause::NotCaptured, sink);
    }

    /// The bytes from `next_off` to `end` will never come: counted, skipped,
    /// and reported to the consumer (unless it wants no more bytes).
    fn lose_to<F>(&mut self, end: u64, frame: FrameNo, cause: GapCause, sink: &mut F)
    where
        F: FnMut(StreamEvent<'_>),
    {
        let len = end.saturating_sub(self.next_off);
        self.stats.missing_bytes = self.stats.missing_bytes.saturating_add(len);
        self.advance_to(end);
        if !self.skipping {
            sink(StreamEvent::Gap { len, frame, cause });
        }
    }

    fn advance_to(&mut self, off: u64) {
        if off > self.next_off {
            let delta = off - self.next_off;
            self.next_off = off;
            if let Some(s) = self.next_seq {
                // Wrapping: only the low 32 bits of the offset matter for Seq.
                self.next_seq = Some(s.wrapping_add(delta as u32));
            }
        }
    }

    /// Delivers a segment starting at or before `next_off` (trimming what was
    /// already delivered), then reports bytes cut by the snap length.
    fn deliver<F>(
        &mut self,
        start: u64,
        captured: &[u8],
        wire_len: u64,
        frame: FrameNo,
        ts: Timestamp,
        sink: &mut F,
    ) where
        F: FnMut(StreamEvent<'_>),
    {
        let end = start.saturating_add(wire_len);
        let skip = usize::try_from(self.next_off - start).unwrap_or(usize::MAX);
        let captured_end = start.saturating_add(captured.len() as u64);
        if let Some(bytes) = captured.get(skip..) {
            if !bytes.is_empty() {
                self.advance_to(captured_end);
                sink(StreamEvent::Data { bytes, frame, ts });
            }
        }
        if end > self.next_off {
            self.lose_to(end, frame, GapCause::SnapLength, sink);
        }
    }

    /// Delivers held segments that the stream has reached: at `at`, the frame
    /// that filled the hole before them, or at their own frames when no frame
    /// did (the hole was given up).
    fn drain<F>(&mut self, at: Option<(FrameNo, Timestamp)>, budget: &mut Budget, sink: &mut F)
    where
        F: FnMut(StreamEvent<'_>),
    {
        while let Some(entry) = self.held.first_entry() {
            if *entry.key() > self.next_off {
                break;
            }
            let start = *entry.key();
            let held = entry.remove();
            let cost = held.data.len().saturating_add(HELD_ENTRY_COST);
            self.held_bytes = self.held_bytes.saturating_sub(cost);
            budget.used = budget.used.saturating_sub(cost);
            if start.saturating_add(held.wire_len) > self.next_off {
                let (frame, ts) = at.unwrap_or((held.frame, held.ts));
                self.deliver(start, &held.data, held.wire_len, frame, ts, sink);
            }
        }
    }

    /// Holds a segment that starts ahead of the stream. First copy wins: the
    /// bytes of any held segment it overlaps (before, at or after its start)
    /// are kept, and only the parts no held segment covers are added.
    fn hold(
        &mut self,
        start: u64,
        captured: &[u8],
        wire_len: u64,
        (frame, ts): (FrameNo, Timestamp),
        budget: &mut Budget,
    ) {
        let end = start.saturating_add(wire_len);
        let mut pos = start;
        // A held segment starting earlier may reach into this one.
        if let Some((&s, h)) = self.held.range(..start).next_back() {
            pos = pos.max(s.saturating_add(h.wire_len));
        }
        let mut pieces: Vec<(u64, u64)> = Vec::new();
        for (&s, h) in self.held.range(start..end) {
            if s > pos {
                pieces.push((pos, s));
            }
            pos = pos.max(s.saturating_add(h.wire_len));
            if pos >= end {
                break;
            }
        }
        if pos < end {
            pieces.push((pos, end));
        }
        for (from, to) in pieces {
            let lo = usize::try_from(from - start).unwrap_or(usize::MAX);
            let hi = usize::try_from(to - start).unwrap_or(usize::MAX);
            let data = captured
                .get(lo.min(captured.len())..hi.min(captured.len()))
                .unwrap_or_default();
            let cost = data.len().saturating_add(HELD_ENTRY_COST);
            self.held_bytes = self.held_bytes.saturating_add(cost);
            budget.used = budget.used.saturating_add(cost);
            self.held.insert(
                from,
                Held {
                    data: data.to_vec(),
                    wire_len: to - from,
                    frame,
                    ts,
                },
            );
        }
    }

    /// Declares the hole before the first held segment missing and delivers
    /// what follows it. Returns false when nothing was held.
    fn give_up_first_hole<F>(&mut self, cause: GapCause, budget: &mut Budget, sink: &mut F) -> bool
    where
        F: FnMut(StreamEvent<'_>),
    {
        let Some((&first, held)) = self.held.first_key_value() else {
            return false;
        };
        if first > self.next_off {
            // The hole shows at the first frame after it (where Wireshark says
            // "previous segment not captured"); what follows keeps its frames.
            let frame = held.frame;
            self.lose_to(first, frame, cause, sink);
        }
        self.drain(None, budget, sink);
        true
    }

    fn release(&mut self, budget: &mut Budget) {
        budget.used = budget.used.saturating_sub(self.held_bytes);
        self.held_bytes = 0;
        self.held.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::TcpFlags;

    fn seg(seq: u32, payload: &[u8]) -> TcpSegment<'_> {
        TcpSegment {
            src_port: 1,
            dst_port: 2,
            seq: Seq(seq),
            ack: Seq(0),
            flags: TcpFlags {
                ack: true,
                ..TcpFlags::default()
            },
            payload,
            wire_len: payload.len() as u32,
        }
    }

    /// Runs segments through a reassembler and renders its events.
    fn run(isn: u32, segs: &[(u32, &[u8])], finish: bool) -> Vec<String> {
        let mut r = Reassembler::new();
        let mut budget = Budget::default();
        let mut out = Vec::new();
        let mut sink = |ev: StreamEvent<'_>| match ev {
            StreamEvent::Data { bytes, frame, .. } => {
                out.push(format!("{}@{}", String::from_utf8_lossy(bytes), frame.0))
            }
            StreamEvent::Gap { len, frame, .. } => out.push(format!("gap{}@{}", len, frame.0)),
        };
        let syn = TcpSegment {
            flags: TcpFlags {
                syn: true,
                ..TcpFlags::default()
            },
            ..seg(isn, b"")
        };
        r.push(
            &syn,
            FrameNo(1),
            Timestamp::default(),
            &mut budget,
            &mut sink,
        );
        for (i, (seq, data)) in segs.iter().enumerate() {
            let s = seg(*seq, data);
            r.push(
                &s,
                FrameNo(i as u64 + 2),
                Timestamp::default(),
                &mut budget,
                &mut sink,
            );
        }
        if finish {
            r.finish(&mut budget, &mut sink);
        }
        assert_eq!(budget.used, 0, "budget returned");
        out
    }

    #[test]
    fn in_order() {
        assert_eq!(
            run(100, &[(101, b"ab"), (103, b"cd")], false),
            ["ab@2", "cd@3"]
        );
    }

    #[test]
    fn out_of_order_is_delivered_at_the_frame_that_fills_the_hole() {
        assert_eq!(
            run(100, &[(103, b"cd"), (101, b"ab")], false),
            ["ab@3", "cd@3"]
        );
    }

    #[test]
    fn retransmission_and_overlap_first_copy_wins() {
        assert_eq!(
            run(100, &[(101, b"abc"), (101, b"XYZ"), (102, b"QRST")], false),
            ["abc@2", "ST@4"]
        );
    }

    #[test]
    fn issue_7_a_later_copy_starting_earlier_does_not_replace_held_bytes() {
        // "EFGH" held at 105; a later copy "xxXYZW" at 103 overlaps it: only
        // its first two bytes are new. Then "abcd" fills the hole.
        assert_eq!(
            run(
                100,
                &[(105, b"EFGH"), (103, b"xxXYZW"), (101, b"abcd")],
                true
            ),
            ["abcd@4", "EFGH@4"]
        );
        // A later copy that covers two held segments and the space between.
        assert_eq!(
            run(
                100,
                &[(103, b"C"), (105, b"E"), (102, b"xyzwv"), (101, b"a")],
                true
            ),
            ["a@5", "x@5", "C@5", "z@5", "E@5", "v@5"]
        );
    }

    #[test]
    fn wraps_around() {
        let isn = u32::MAX - 2;
        assert_eq!(
            run(isn, &[(u32::MAX - 1, b"ab"), (0, b"cd"), (2, b"ef")], false),
            ["ab@2", "cd@3", "ef@4"]
        );
    }

    #[test]
    fn a_hole_the_peer_acknowledged_is_given_up_at_once() {
        let mut r = Reassembler::new();
        let mut budget = Budget::default();
        let out = std::cell::RefCell::new(Vec::new());
        let mut sink = |ev: StreamEvent<'_>| match ev {
            StreamEvent::Data { bytes, frame, .. } => {
                out.borrow_mut()
                    .push(format!("{}@{}", String::from_utf8_lossy(bytes), frame.0))
            }
            StreamEvent::Gap { len, frame, .. } => {
                out.borrow_mut().push(format!("gap{}@{}", len, frame.0))
            }
        };
        let t = Timestamp::default();
        r.push(&seg(100, b"ab"), FrameNo(1), t, &mut budget, &mut sink);
        // Bytes 102..109 never captured; "zz" at 109 is held.
        r.push(&seg(109, b"zz"), FrameNo(2), t, &mut budget, &mut sink);
        // An acknowledgement short of the held bytes decides nothing.
        r.acked(Seq(105), FrameNo(6), &mut budget, &mut sink);
        assert_eq!(*out.borrow(), ["ab@1"]);
        // The peer acknowledges past the hole: the capture lost it. The hole
        // shows at the frame after it, and "zz" keeps its own frame.
        r.acked(Seq(111), FrameNo(7), &mut budget, &mut sink);
        assert_eq!(*out.borrow(), ["ab@1", "gap7@2", "zz@2"]);
        assert_eq!(budget.used, 0, "budget returned");
    }

    #[test]
    fn hole_at_end_becomes_a_gap() {
        assert_eq!(
            run(100, &[(101, b"ab"), (110, b"zz")], true),
            ["ab@2", "gap7@3", "zz@3"]
        );
    }

    #[test]
    fn a_segment_far_past_the_stream_is_a_corrupt_header_not_a_gap() {
        // 16 MiB + 1 ahead with nothing acknowledged there: dropped, counted.
        // ("ab" and "cd" take offsets 0..4; "zz" starts at MAX_TAIL_GAP + 5.)
        let far = 106u32.wrapping_add(MAX_TAIL_GAP as u32);
        let mut r = Reassembler::new();
        let mut budget = Budget::default();
        let mut out = Vec::new();
        let mut sink = |ev: StreamEvent<'_>| match ev {
            StreamEvent::Data { bytes, .. } => {
                out.push(String::from_utf8_lossy(bytes).into_owned())
            }
            StreamEvent::Gap { len, .. } => out.push(format!("gap{len}")),
        };
        let t = Timestamp::default();
        r.push(&seg(101, b"ab"), FrameNo(2), t, &mut budget, &mut sink);
        r.push(&seg(far, b"zz"), FrameNo(3), t, &mut budget, &mut sink);
        r.push(&seg(103, b"cd"), FrameNo(4), t, &mut budget, &mut sink);
        let dropped = r.finish(&mut budget, &mut sink);
        assert_eq!(out, ["ab", "cd"]);
        assert_eq!(r.stats().missing_bytes, 0);
        assert_eq!(
            dropped,
            OutOfWindow {
                segments: 1,
                first: Some(FrameNo(3))
            }
        );
        assert_eq!(budget.used, 0, "budget returned");

        // The same distance, acknowledged by the peer: a real loss.
        let mut r = Reassembler::new();
        let mut gaps = Vec::new();
        let mut sink = |ev: StreamEvent<'_>| {
            if let StreamEvent::Gap { len, .. } = ev {
                gaps.push(len)
            }
        };
        r.push(&seg(101, b"ab"), FrameNo(2), t, &mut budget, &mut sink);
        r.push(&seg(far, b"zz"), FrameNo(3), t, &mut budget, &mut sink);
        r.acked(Seq(far.wrapping_add(2)), FrameNo(4), &mut budget, &mut sink);
        let dropped = r.finish(&mut budget, &mut sink);
        assert_eq!(gaps, [u64::from(far - 103)]);
        assert_eq!(dropped.segments, 0);

        // Data after the FIN cannot be: dropped however near.
        let mut r = Reassembler::new();
        let mut out = Vec::new();
        let mut sink = |ev: StreamEvent<'_>| {
            if let StreamEvent::Data { bytes, .. } = ev {
                out.push(String::from_utf8_lossy(bytes).into_owned())
            }
        };
        let fin = TcpSegment {
            flags: TcpFlags {
                fin: true,
                ack: true,
                ..TcpFlags::default()
            },
            ..seg(103, b"")
        };
        r.push(&seg(101, b"ab"), FrameNo(2), t, &mut budget, &mut sink);
        r.push(&seg(110, b"zz"), FrameNo(3), t, &mut budget, &mut sink);
        r.push(&fin, FrameNo(4), t, &mut budget, &mut sink);
        let dropped = r.finish(&mut budget, &mut sink);
        assert_eq!(out, ["ab"]);
        assert_eq!(dropped.segments, 1);
        assert_eq!(budget.used, 0, "budget returned");
    }

    #[test]
    fn midstream_starts_at_first_data() {
        let mut r = Reassembler::new();
        let mut budget = Budget::default();
        let mut got = Vec::new();
        let s = seg(5000, b"hello");
        r.push(
            &s,
            FrameNo(7),
            Timestamp::default(),
            &mut budget,
            &mut |ev| {
                if let StreamEvent::Data { bytes, .. } = ev {
                    got.extend_from_slice(bytes)
                }
            },
        );
        assert_eq!(got, b"hello");
    }

    #[test]
    fn snap_length_cut_reports_a_gap() {
        let mut r = Reassembler::new();
        let mut budget = Budget::default();
        let mut events = Vec::new();
        let s = TcpSegment {
            wire_len: 10,
            ..seg(1, b"abcd")
        };
        r.push(
            &s,
            FrameNo(3),
            Timestamp::default(),
            &mut budget,
            &mut |ev| {
                events.push(
                    format!("{ev:?}")
                        .split_whitespace()
                        .next()
                        .map(String::from),
                )
            },
        );
        assert_eq!(events.len(), 2);
        assert_eq!(r.position(), 10);
    }

    #[test]
    fn held_bytes_are_capped() {
        let mut r = Reassembler::new();
        let mut budget = Budget { used: 0, max: 1000 };
        let mut gaps = 0;
        let first = seg(0, b"x");
        let chunk = vec![b'a'; 400];
        let mut sink = |ev: StreamEvent<'_>| {
            if matches!(ev, StreamEvent::Gap { .. }) {
                gaps += 1
            }
        };
        r.push(
            &first,
            FrameNo(1),
            Timestamp::default(),
            &mut budget,
            &mut sink,
        );
        for i in 0..10u32 {
            let s = seg(1000 + i * 1000, &chunk);
            r.push(&s, FrameNo(2), Timestamp::default(), &mut budget, &mut sink);
        }
        assert!(budget.used <= 1000);
        assert!(gaps > 0);
    }
}
