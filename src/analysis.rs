//! The pipeline driver: frames → packets → flows → connection records and DNS
//! exchanges, handed to a sink as soon as each is final.
//!
//! The flow table maps a [`FlowKey`] to its live [`ConnectionTracker`]. A
//! connection is final [`CLOSE_GRACE_NANOS`] (2 s) of capture time after its FIN/FIN or RST
//! (late ACKs and retransmissions still count), when its addresses are reused by a
//! new SYN, when the table is full ([`Limits::max_flows`]: the longest idle go
//! first, with a warning), or at the end of the capture. After a connection is
//! final its key stays as a tombstone for [`TOMBSTONE_TTL_NANOS`] (120 s), so stray late
//! packets are not mistaken for a new connection seen mid-stream. Tombstones are
//! 8-byte fingerprints in their own table, at most [`MAX_TOMBSTONES`] (the
//! oldest go first past it), so closed connections cost memory for a bounded
//! time and a bounded amount, whatever the capture's length.

use std::collections::VecDeque;

use rustc_hash::FxHashMap;

use crate::capture::{CaptureFormat, CaptureReader, Frame, FrameNo, LinkType, Timestamp};
use crate::connection::{Connection, ConnectionTracker};
use crate::error::{Error, Warning};
use crate::flow::reassembly::Budget;
use crate::flow::{Endpoint, FlowKey};
use crate::packet::{self, Packet, Transport, Undecoded};
use crate::session::dns::{self, DnsExchange, DnsTracker};

/// Capture time a closed connection waits for late packets before it is final.
pub const CLOSE_GRACE_NANOS: i64 = 2_000_000_000;
/// How long the key of a final connection keeps absorbing stray packets.
pub const TOMBSTONE_TTL_NANOS: i64 = 120_000_000_000;
/// How often (capture time) the flow table is swept.
const SWEEP_EVERY_NANOS: i64 = 1_000_000_000;
/// Warnings kept per capture; more are counted in a last warning.
pub const MAX_WARNINGS: usize = 200;

/// Resource caps for one capture.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Live connections in the flow table.
    pub max_flows: usize,
    /// Out-of-order bytes held across all connections.
    pub max_held_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_flows: 200_000,
            max_held_bytes: crate::flow::reassembly::MAX_HELD_TOTAL,
        }
    }
}

/// Something final, ready to report.
#[derive(Debug)]
// Each item is built once and moved once: boxing the DNS variant buys nothing.
#[allow(clippy::large_enum_variant)]
pub enum Item {
    /// A connection record.
    Connection(Box<Connection>),
    /// A DNS exchange.
    Dns(DnsExchange),
}

/// What is known of a capture once it has been read.
#[derive(Debug, Clone)]
pub struct CaptureSummary {
    /// File format.
    pub format: CaptureFormat,
    /// Frames read.
    pub frames: u64,
    /// Problems found inside it.
    pub warnings: Vec<Warning>,
    /// Connections reported.
    pub connections: u64,
    /// Time of the last frame.
    pub last_time: Option<Timestamp>,
    /// UDP datagrams to or from port 443 (QUIC, which is not analysed).
    pub quic_datagrams: u64,
    /// Not one frame had a link layer that could be decoded.
    pub nothing_decodable: bool,
}

/// A final connection's key, remembered compactly: see [`fingerprint`].
type Fingerprint = u64;

/// A tombstone's key: SipHash-1-3 of the flow key with fixed keys (runs stay
/// deterministic). Tombstones only say "a packet here without a SYN is a
/// straggler", so they keep 8 bytes instead of the 40-byte key: a capture
/// closes thousands of connections within [`TOMBSTONE_TTL_NANOS`], and with
/// full keys in the flow table they were its largest growing part (0.9 MB of
/// a 4.9 MB peak heap on bench-1g.pcap). Two keys sharing a fingerprint
/// would only make a straggler of one look like the other's.
fn fingerprint(key: &FlowKey) -> Fingerprint {
    use std::hash::BuildHasher;
    std::hash::BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default()
        .hash_one(key)
}

/// Tombstones kept at most; past it the oldest half of their lifetime is forgotten
/// (about 2 MB: a flood of short connections cannot grow memory without bound).
pub const MAX_TOMBSTONES: usize = 1 << 16;

/// Frames that gave no packet, by reason (reported once per capture).
#[derive(Default)]
struct Undecodable {
    fragments: u64,
    malformed: u64,
    first_malformed: Option<FrameNo>,
    links: Vec<(LinkType, u64)>,
}

/// Reads one capture.
pub struct Analyzer {
    limits: Limits,
    table: FxHashMap<FlowKey, Box<ConnectionTracker>>,
    /// Final connections' keys, and when they became final.
    tombstones: FxHashMap<Fingerprint, Timestamp>,
    closing: VecDeque<(Timestamp, FlowKey, u32)>,
    next_id: u32,
    budget: Budget,
    /// Heap bytes all live sessions hold for partial messages (TLS, HTTP, DNS),
    /// capped at [`Limits::max_held_bytes`] like the out-of-order bytes.
    session_bytes: usize,
    /// Connections that lost partial messages to that cap, and the first frame.
    shed: (u64, Option<FrameNo>),
    /// Writing the end-of-capture summaries, which are never hidden by [`MAX_WARNINGS`].
    summarizing: bool,
    defrag: packet::defrag::Defragmenter,
    dns: DnsTracker,
    dns_done: Vec<DnsExchange>,
    warnings: Vec<Warning>,
    warnings_dropped: u64,
    undecodable: Undecodable,
    now: Timestamp,
    next_sweep: Timestamp,
    evicted: u64,
    /// Connections with bytes never captured: how many, bytes, the first one's frame.
    lossy: (u64, u64, Option<FrameNo>),
    /// Segments ignored as out of their stream's window, and the first.
    out_of_window: (u64, Option<FrameNo>),
    connections: u64,
    quic_datagrams: u64,
    nothing_decodable: bool,
    /// The capture has ended: connections still in the table are emitted.
    at_end: bool,
}

impl Analyzer {
    /// An analyzer with these caps.
    pub fn new(limits: Limits) -> Self {
        let budget = Budget {
            used: 0,
            max: limits.max_held_bytes,
        };
        Self {
            limits,
            table: FxHashMap::default(),
            tombstones: FxHashMap::default(),
            closing: VecDeque::new(),
            next_id: 0,
            budget,
            session_bytes: 0,
            shed: (0, None),
            summarizing: false,
            defrag: packet::defrag::Defragmenter::default(),
            dns: DnsTracker::default(),
            dns_done: Vec::new(),
            warnings: Vec::new(),
            warnings_dropped: 0,
            undecodable: Undecodable::default(),
            now: Timestamp::default(),
            next_sweep: Timestamp::from_nanos(i64::MIN),
            evicted: 0,
            lossy: (0, 0, None),
            out_of_window: (0, None),
            connections: 0,
            quic_datagrams: 0,
            nothing_decodable: false,
            at_end: false,
        }
    }

    /// Reads every frame of `reader`, calling `sink` with each final item.
    pub fn run(
        mut self,
        mut reader: CaptureReader<'_>,
        sink: &mut dyn FnMut(Item),
    ) -> Result<CaptureSummary, Error> {
        let format = reader.format();
        let mut last_time = None;
        while let Some(frame) = reader.next_frame()? {
            last_time = Some(frame.ts);
            self.frame(&frame, sink);
        }
        let frames = reader.frames();
        let reader_warnings = reader.take_warnings();
        // Nothing decodable at all: said first, with what to do.
        let undecodable: u64 = self.undecodable.links.iter().map(|(_, n)| n).sum();
        if frames > 0 && undecodable == frames {
            let kinds: Vec<String> = self
                .undecodable
                .links
                .iter()
                .map(|(l, _)| match l.name() {
                    Some(name) => format!("{} ({name})", l.0),
                    None => l.0.to_string(),
                })
                .collect();
            self.undecodable.links.clear();
            self.nothing_decodable = true;
            self.warn(Warning::general(format!(
                "nothing could be analysed: all {frames} frames have link type {}, which tlsdiag does not decode (it reads Ethernet with VLAN/PPPoE/MPLS, Linux cooked SLL/SLL2, raw IPv4/IPv6, BSD loopback and NFLOG; capture on a wired or `any` interface)",
                kinds.join(", ")
            )));
        }
        for w in reader_warnings {
            self.warn(w);
        }
        self.finish(sink);
        Ok(CaptureSummary {
            format,
            frames,
            warnings: self.warnings,
            connections: self.connections,
            last_time,
            quic_datagrams: self.quic_datagrams,
            nothing_decodable: self.nothing_decodable,
        })
    }

    fn warn(&mut self, w: Warning) {
        if self.summarizing || self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(w);
        } else {
            self.warnings_dropped += 1;
        }
    }

    /// Takes one frame.
    pub fn frame(&mut self, frame: &Frame<'_>, sink: &mut dyn FnMut(Item)) {
        if frame.ts > self.now {
            self.now = frame.ts;
        }
        if self.now >= self.next_sweep {
            self.sweep(sink);
            self.next_sweep =
                Timestamp::from_nanos(self.now.as_nanos().saturating_add(SWEEP_EVERY_NANOS));
        }
        match packet::decode(frame) {
            Ok(p) => self.packet(&p, frame, sink),
            Err(Undecoded::Ignored) => {}
            Err(Undecoded::Fragment) => {
                self.undecodable.fragments += 1;
                let fragment = packet::ip_layer(frame.link, frame.data)
                    .ok()
                    .and_then(packet::defrag::fragment);
                if let Some(datagram) = fragment.and_then(|f| self.defrag.push(&f, frame.ts)) {
                    // Whole again: analysed at the frame that completed it.
                    if let Ok(p) = packet::decode_datagram(&datagram) {
                        self.packet(&p, frame, sink);
                    }
                }
            }
            Err(Undecoded::Malformed) => {
                self.undecodable.malformed += 1;
                self.undecodable.first_malformed.get_or_insert(frame.no);
            }
            Err(Undecoded::UnsupportedLink(l)) => {
                match self.undecodable.links.iter_mut().find(|(k, _)| *k == l) {
                    Some((_, n)) => *n += 1,
                    None => self.undecodable.links.push((l, 1)),
                }
            }
        }
    }

    fn packet(&mut self, p: &Packet<'_>, frame: &Frame<'_>, sink: &mut dyn FnMut(Item)) {
        match p.transport {
            Transport::Tcp(seg) => {
                let src = Endpoint {
                    ip: p.src,
                    port: seg.src_port,
                };
                let dst = Endpoint {
                    ip: p.dst,
                    port: seg.dst_port,
                };
                let (key, dir) = FlowKey::of(src, dst);
                let new_needed = match self.table.get_mut(&key) {
                    Some(t) => {
                        if t.is_reuse(&seg) {
                            true
                        } else {
                            let was_closed = t.is_closed();
                            let held = t.buffered();
                            t.on_segment(
                                dir,
                                &seg,
                                frame.no,
                                frame.ts,
                                &mut self.budget,
                                &mut self.warnings,
                            );
                            self.session_bytes = cap_session_bytes(
                                t,
                                self.session_bytes.saturating_sub(held),
                                self.limits.max_held_bytes,
                                frame,
                                &mut self.warnings,
                                &mut self.shed,
                            );
                            if !was_closed && t.is_closed() {
                                self.closing.push_back((frame.ts, key, t.id()));
                            }
                            if key.lo.port == 53 || key.hi.port == 53 {
                                let msgs = t.take_dns_messages();
                                for (m, s, d, f, ts) in msgs {
                                    self.dns
                                        .on_message(&m, s, d, "tcp", f, ts, &mut self.dns_done);
                                }
                            }
                            false
                        }
                    }
                    None => {
                        (seg.flags.syn && !seg.flags.ack)
                            || self.tombstones.is_empty()
                            || !self.tombstones.contains_key(&fingerprint(&key))
                    }
                };
                if new_needed {
                    if let Some(old) = self.table.remove(&key) {
                        self.emit(*old, sink);
                    }
                    if self.table.len() >= self.limits.max_flows {
                        self.evict_idle(sink);
                    }
                    let mut t = Box::new(ConnectionTracker::new(
                        self.next_id,
                        key,
                        frame.no,
                        frame.ts,
                    ));
                    self.next_id = self.next_id.saturating_add(1);
                    t.on_segment(
                        dir,
                        &seg,
                        frame.no,
                        frame.ts,
                        &mut self.budget,
                        &mut self.warnings,
                    );
                    self.session_bytes = cap_session_bytes(
                        &mut t,
                        self.session_bytes,
                        self.limits.max_held_bytes,
                        frame,
                        &mut self.warnings,
                        &mut self.shed,
                    );
                    if t.is_closed() {
                        self.closing.push_back((frame.ts, key, t.id()));
                    }
                    self.table.insert(key, t);
                }
                self.flush_dns(sink);
                self.cap_warnings();
            }
            Transport::Udp(udp) => {
                if udp.src_port == 443 || udp.dst_port == 443 {
                    self.quic_datagrams = self.quic_datagrams.saturating_add(1);
                }
                if udp.src_port != 53 && udp.dst_port != 53 {
                    return;
                }
                if let Some(m) = dns::decode(udp.payload) {
                    let src = Endpoint {
                        ip: p.src,
                        port: udp.src_port,
                    };
                    let dst = Endpoint {
                        ip: p.dst,
                        port: udp.dst_port,
                    };
                    self.dns.on_message(
                        &m,
                        src,
                        dst,
                        "udp",
                        frame.no,
                        frame.ts,
                        &mut self.dns_done,
                    );
                    self.flush_dns(sink);
                }
            }
        }
    }

    /// Keeps at most [`MAX_WARNINGS`], counting the rest.
    fn cap_warnings(&mut self) {
        if self.warnings.len() > MAX_WARNINGS {
            let extra = self.warnings.len() - MAX_WARNINGS;
            self.warnings.truncate(MAX_WARNINGS);
            self.warnings_dropped += extra as u64;
        }
    }

    fn flush_dns(&mut self, sink: &mut dyn FnMut(Item)) {
        for x in self.dns_done.drain(..) {
            sink(Item::Dns(x));
        }
    }

    fn emit(&mut self, tracker: ConnectionTracker, sink: &mut dyn FnMut(Item)) {
        self.session_bytes = self.session_bytes.saturating_sub(tracker.buffered());
        let open = !tracker.is_closed();
        let mut conn = tracker.finish(&mut self.budget, &mut self.warnings);
        if self.at_end && open {
            conn.open_at_capture_end = Some(self.now);
        }
        self.connections += 1;
        if conn.tcp.missing_bytes > 0 {
            let (n, bytes, first) = &mut self.lossy;
            *n += 1;
            *bytes = bytes.saturating_add(conn.tcp.missing_bytes);
            first.get_or_insert(conn.first_frame);
        }
        if let Some(first) = conn.tcp.out_of_window.first {
            let (total, seen) = &mut self.out_of_window;
            *total = total.saturating_add(u64::from(conn.tcp.out_of_window.segments));
            *seen = Some(seen.map_or(first, |s| s.min(first)));
        }
        sink(Item::Connection(Box::new(conn)));
    }

    /// Finalizes connections closed for longer than the grace period, and
    /// forgets old tombstones.
    fn sweep(&mut self, sink: &mut dyn FnMut(Item)) {
        let now = self.now.as_nanos();
        while let Some(&(closed_at, key, id)) = self.closing.front() {
            if closed_at.as_nanos().saturating_add(CLOSE_GRACE_NANOS) > now {
                break;
            }
            self.closing.pop_front();
            let final_now =
                matches!(self.table.get(&key), Some(t) if t.id() == id && t.is_closed());
            if final_now {
                if let Some(t) = self.table.remove(&key) {
                    self.tombstones.insert(fingerprint(&key), self.now);
                    self.emit(*t, sink);
                }
            }
        }
        if self.tombstones.len() > 1024 {
            let mut ttl = TOMBSTONE_TTL_NANOS;
            loop {
                self.tombstones
                    .retain(|_, at| at.as_nanos().saturating_add(ttl) > now);
                if self.tombstones.len() <= MAX_TOMBSTONES || ttl < CLOSE_GRACE_NANOS {
                    break;
                }
                ttl /= 2;
            }
        }
    }

    /// The table is full: finalize the tenth of live connections idle longest.
    fn evict_idle(&mut self, sink: &mut dyn FnMut(Item)) {
        let mut idle: Vec<(Timestamp, u32, FlowKey)> = self
            .table
            .iter()
            .map(|(k, t)| (t.last_seen(), t.id(), *k))
            .collect();
        idle.sort_unstable_by_key(|(ts, id, _)| (*ts, *id));
        let n = (self.limits.max_flows / 10).max(1);
        for (_, _, key) in idle.into_iter().take(n) {
            if let Some(t) = self.table.remove(&key) {
                self.evicted += 1;
                self.emit(*t, sink);
            }
        }
    }

    fn finish(&mut self, sink: &mut dyn FnMut(Item)) {
        self.at_end = true;
        let mut live: Vec<Box<ConnectionTracker>> = self.table.drain().map(|(_, t)| t).collect();
        live.sort_unstable_by_key(|t| t.id());
        for t in live {
            self.emit(*t, sink);
        }
        self.dns.finish(&mut self.dns_done);
        self.flush_dns(sink);
        // Summaries of what was lost come after the per-frame warnings, and
        // are never hidden by MAX_WARNINGS.
        self.cap_warnings();
        self.summarizing = true;
        if let (n @ 1.., Some(first)) = self.shed {
            self.warn(Warning::at(
                first,
                format!(
                    "{n} connections gave up partial TLS/HTTP/DNS messages because buffers across all connections reached the cap of {} MiB (--max-buffer-mib); the first is here, and those messages are reported truncated",
                    self.limits.max_held_bytes >> 20
                ),
            ));
        }
        let u = std::mem::take(&mut self.undecodable);
        let lost = self
            .defrag
            .dropped
            .saturating_add(self.defrag.incomplete() as u64);
        if u.fragments > 0 && lost > 0 {
            self.warn(Warning::general(format!(
                "{} frames are IP fragments: {} datagrams reassembled, {lost} never completed or dropped (over {} datagrams or {} MiB at once, or older than {} s); their bytes count as missing",
                u.fragments,
                self.defrag.reassembled,
                packet::defrag::MAX_DATAGRAMS,
                packet::defrag::MAX_HELD_BYTES >> 20,
                packet::defrag::TIMEOUT_NANOS / 1_000_000_000
            )));
        }
        if let Some(first) = u.first_malformed {
            self.warn(Warning::at(
                first,
                format!(
                    "{} frames have malformed or cut IP/TCP/UDP headers (this is the first)",
                    u.malformed
                ),
            ));
        }
        for (link, n) in u.links {
            self.warn(Warning::general(format!(
                "{n} frames have link type {}, which is not decoded",
                link.0
            )));
        }
        if self.quic_datagrams > 0 {
            self.warn(Warning::general(format!(
                "{} UDP datagrams to or from port 443 (QUIC / HTTP/3): their TLS handshakes are encrypted inside QUIC and not analysed",
                self.quic_datagrams
            )));
        }
        if let (n @ 1.., Some(first)) = self.out_of_window {
            self.warn(Warning::at(
                first,
                format!(
                    "{n} TCP segment{} carried a sequence number far outside {} connection's stream (past its FIN, or megabytes beyond anything sent or acknowledged): a corrupt header, ignored rather than counted as lost bytes. The first is here",
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "its" } else { "their" },
                ),
            ));
        }
        if let (n @ 1.., bytes, Some(first)) = self.lossy {
            self.warn(Warning::at(
                first,
                format!(
                    "{n} connection{} lost bytes the capture never saw ({bytes} in all: packets dropped by the capturing host, or cut by its snap length); decoding went on from the next whole record, and each connection's tcp.missing_bytes says how much it lost. The first starts here",
                    if n == 1 { "" } else { "s" }
                ),
            ));
        }
        if self.evicted > 0 {
            self.warn(Warning::general(format!(
                "{} connections were finalized early because the flow table reached its cap of {}",
                self.evicted, self.limits.max_flows
            )));
        }
        if self.dns.evicted > 0 {
            self.warn(Warning::general(format!(
                "{} DNS queries were closed as unanswered early because {} were pending",
                self.dns.evicted,
                dns::MAX_PENDING
            )));
        }
        if self.warnings_dropped > 0 {
            let n = self.warnings_dropped;
            self.warnings
                .push(Warning::general(format!("{n} more warnings not shown")));
        }
    }
}

/// Adds what `t` now buffers to `others` (what every other session holds); over
/// `cap`, `t` gives up its partial messages (with a warning). Returns the new total.
fn cap_session_bytes(
    t: &mut ConnectionTracker,
    others: usize,
    cap: usize,
    frame: &Frame<'_>,
    warnings: &mut Vec<Warning>,
    shed: &mut (u64, Option<FrameNo>),
) -> usize {
    let mut total = others.saturating_add(t.buffered());
    if total > cap {
        if t.shed_buffers(frame.no, frame.ts, cap, warnings) {
            shed.0 += 1;
            shed.1.get_or_insert(frame.no);
        }
        total = others.saturating_add(t.buffered());
    }
    total
}
