//! TLS: one direction's reassembled bytes → records → handshake messages →
//! [`Handshake`] facts (hellos, certificates, alerts, ChangeCipherSpec,
//! application data).
//!
//! [`TlsStream`] frames records (RFC 8446 §5.1) across segment boundaries and
//! reassembles handshake messages across records (several messages per record,
//! one message over many records). It copies only what it must: handshake bytes
//! of a message split over chunks (capped by [`MAX_HANDSHAKE_MESSAGE`]) and the
//! two bytes of an alert; application data is skipped by counting, so a decided
//! connection costs a record-header read per record.
//!
//! Messages are reported at the frame that completes them. A gap (missing
//! segments, snap length) inside a handshake message decodes what arrived with
//! `truncated: true`; a gap that swallows a record header loses sync, and the
//! decoder resumes at the next plausible record header (two consecutive headers
//! must agree when the bytes allow checking).
//!
//! SSLv2-format records (high bit set in the first byte) are understood for the
//! CLIENT-HELLO and SERVER-HELLO ([`sslv2`]).

pub mod certificate;
pub mod client_hello;
pub mod codepoints;
pub mod handshake;
pub mod ja4;
pub mod key_exchange;
pub mod server_hello;
pub mod sslv2;

use crate::capture::{FrameNo, Timestamp};
use crate::error::Warning;
use crate::flow::Direction;
use codepoints::ProtocolVersion;
pub use handshake::Handshake;
use handshake::{AlertRecord, HandshakeMessage};

/// Largest handshake message buffered whole (a ClientHello with 32,767 suites
/// and thousands of extensions is under 200 KiB; real certificate chains are
/// under 64 KiB). Longer messages are decoded from their first bytes as cut.
pub const MAX_HANDSHAKE_MESSAGE: usize = 256 * 1024;

/// Largest record length we accept as plausible when looking for sync
/// (2^14 plaintext + 2048 expansion, RFC 5246 §6.2.3). A record header that
/// claims more while in sync is still followed (up to 2^16 − 1), with a warning.
pub const MAX_PLAUSIBLE_RECORD: usize = 16384 + 2048;

/// Record content types (RFC 8446 §5.1).
mod content {
    pub const CHANGE_CIPHER_SPEC: u8 = 20;
    pub const ALERT: u8 = 21;
    pub const HANDSHAKE: u8 = 22;
    pub const APPLICATION_DATA: u8 = 23;
    pub const HEARTBEAT: u8 = 24;
}

/// Where a decoder is reporting to.
pub struct RecordContext<'h> {
    /// The direction being decoded.
    pub dir: Direction,
    /// The frame that delivered the bytes.
    pub frame: FrameNo,
    /// Its time.
    pub ts: Timestamp,
    /// The connection's handshake facts.
    pub handshake: &'h mut Handshake,
    /// The capture's warnings.
    pub warnings: &'h mut Vec<Warning>,
}

#[derive(Debug, Clone, Copy)]
struct RecordHeader {
    content_type: u8,
    version: ProtocolVersion,
    /// SSLv2 record (2-byte header).
    sslv2: bool,
}

/// Record framing state of one direction.
#[derive(Debug, Default)]
pub struct TlsStream {
    /// Header bytes collected so far (5 for TLS, 2 for SSLv2).
    head: [u8; 5],
    head_len: usize,
    /// The record whose body is being read.
    record: Option<RecordHeader>,
    /// Body bytes of that record still to come.
    remaining: usize,
    /// Small record bodies (alert, ChangeCipherSpec, SSLv2 hellos), and the
    /// body of a handshake record split over chunks.
    small: Vec<u8>,
    /// Handshake message bytes waiting for the rest of their message.
    pending: Vec<u8>,
    /// Record version of the record that started the pending message.
    pending_record_version: Option<ProtocolVersion>,
    /// Bytes of a cut or oversized message still to be thrown away.
    discard: usize,
    /// Looking for a record header after losing sync.
    lost_sync: bool,
    /// Handshake record bodies are decoded as their bytes arrive instead of
    /// being collected whole (set when buffers were shed under the capture's
    /// buffering cap; messages are then reported at the frame completing them).
    unbuffered: bool,
    /// Whether a record over [`MAX_PLAUSIBLE_RECORD`] was already warned about.
    warned_long_record: bool,
    /// Records read.
    records: u64,
}

/// Bytes of SSLv2 hello records kept (the CLIENT-HELLO's specs; SERVER-HELLO's certificate).
const MAX_SSLV2_RECORD: usize = 32 * 1024;

/// Capacity an emptied buffer may keep; a larger one is freed, so that an idle
/// connection holds no memory for the big message it once reassembled.
const KEPT_CAPACITY: usize = 4096;

impl TlsStream {
    /// A direction at the start of its TLS bytes.
    pub fn new() -> Self {
        Self::default()
    }

    /// A direction whose first TLS bytes were never captured: it reads from
    /// the next plausible record header on.
    pub fn resyncing() -> Self {
        Self {
            lost_sync: true,
            ..Self::default()
        }
    }

    /// Records read so far.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Heap bytes held for partial records and messages (what the capture-wide
    /// buffering cap counts).
    pub fn buffered(&self) -> usize {
        self.small
            .capacity()
            .saturating_add(self.pending.capacity())
    }

    /// Gives up what is buffered, under the capture's buffering cap: the handshake
    /// record in progress is decoded as far as it arrived, a partial message is
    /// decoded as cut (`truncated`) and its rest skipped, and from now on record
    /// bodies are decoded as they arrive instead of being collected. Returns a
    /// description of what was cut, if anything was.
    pub fn shed(&mut self, ctx: &mut RecordContext<'_>) -> Option<String> {
        if self.buffered() == 0 {
            return None;
        }
        let mut what = None;
        match self.record {
            Some(header) if !header.sslv2 && header.content_type == content::HANDSHAKE => {
                if self.is_plain_handshake(ctx) {
                    let body = std::mem::take(&mut self.small);
                    self.handshake_bytes(&body, header.version, ctx);
                } else if !self.small.is_empty() {
                    what = Some(format!(
                        "an encrypted handshake record ({} bytes collected)",
                        self.small.len()
                    ));
                }
                self.small = Vec::new();
            }
            // SSLv2 hellos (at most MAX_SSLV2_RECORD), alerts (8 bytes): kept.
            _ => {}
        }
        if let Some(declared) = message_len(&self.pending) {
            let kind = self.pending.first().copied().unwrap_or_default();
            what = Some(format!(
                "a TLS {} of {declared} bytes, decoded from its first {} and marked truncated",
                codepoints::handshake_name(kind),
                self.pending.len().saturating_sub(4)
            ));
            self.cut_message(0, ctx);
        }
        self.pending = Vec::new();
        self.unbuffered = true;
        what
    }

    /// Takes the next bytes of this direction.
    pub fn feed(&mut self, mut data: &[u8], ctx: &mut RecordContext<'_>) {
        while !data.is_empty() {
            if self.lost_sync {
                match find_record_start(data) {
                    Some(at) => {
                        data = data.get(at..).unwrap_or_default();
                        self.lost_sync = false;
                    }
                    None => return,
                }
            }
            if self.record.is_none() {
                let Some(rest) = self.read_header(data, ctx) else {
                    return;
                };
                data = rest;
                continue;
            }
            let take = self.remaining.min(data.len());
            let (part, rest) = data.split_at(take);
            data = rest;
            self.remaining -= take;
            // A whole handshake record inside one chunk is decoded in place;
            // otherwise its body is collected first. Messages are reported when
            // their record completes, as Wireshark does.
            if (self.unbuffered || (self.remaining == 0 && self.small.is_empty()))
                && self.is_plain_handshake(ctx)
            {
                let version = self.record.map_or(ProtocolVersion::TLS10, |r| r.version);
                self.handshake_bytes(part, version, ctx);
                if self.remaining == 0 {
                    self.record = None;
                }
                continue;
            }
            self.body(part);
            if self.remaining == 0 {
                self.end_record(ctx);
            }
        }
    }

    /// Collects header bytes; returns the bytes after the header once complete.
    fn read_header<'d>(&mut self, data: &'d [u8], ctx: &mut RecordContext<'_>) -> Option<&'d [u8]> {
        let first = if self.head_len > 0 {
            self.head[0]
        } else {
            *data.first()?
        };
        // SSLv2 framing: a 2-byte header (high bit set), or — once the server
        // answered in SSLv2 — a 3-byte header with padding (high bit clear).
        let sslv2_session = ctx
            .handshake
            .server_hello
            .as_ref()
            .is_some_and(|s| s.version == Some(ProtocolVersion::SSL2));
        let need: usize = if first & 0x80 != 0 {
            2
        } else if sslv2_session {
            3
        } else {
            5
        };
        let take = need.saturating_sub(self.head_len).min(data.len());
        let (part, rest) = data.split_at(take);
        if let Some(dst) = self.head.get_mut(self.head_len..self.head_len + take) {
            dst.copy_from_slice(part);
        }
        self.head_len += take;
        if self.head_len < need {
            return None;
        }
        self.head_len = 0;
        let [b0, b1, b2, b3, b4] = self.head;
        if need < 5 {
            let len = if need == 2 {
                u16::from_be_bytes([b0 & 0x7f, b1])
            } else {
                u16::from_be_bytes([b0 & 0x3f, b1])
            };
            self.start_record(
                RecordHeader {
                    content_type: 0,
                    version: ProtocolVersion::SSL2,
                    sslv2: true,
                },
                usize::from(len),
                ctx,
            );
            return Some(rest);
        }
        let len = usize::from(u16::from_be_bytes([b3, b4]));
        let valid_type = (content::CHANGE_CIPHER_SPEC..=content::HEARTBEAT).contains(&b0);
        if !valid_type || b1 != 3 || b2 > 4 {
            ctx.warnings.push(Warning::at(
                ctx.frame,
                format!(
                    "bytes that are not a TLS record header ({b0:02x} {b1:02x} {b2:02x}) in a TLS stream; resuming at the next record"
                ),
            ));
            self.lost_sync = true;
            // Rescan from the byte after the bogus header's first byte.
            return Some(rest);
        }
        if len > MAX_PLAUSIBLE_RECORD && !self.warned_long_record {
            // Once per direction: a hostile stream may send nothing else.
            self.warned_long_record = true;
            ctx.warnings.push(Warning::at(
                ctx.frame,
                format!("TLS record of {len} bytes, longer than the protocol allows"),
            ));
        }
        self.start_record(
            RecordHeader {
                content_type: b0,
                version: ProtocolVersion(u16::from_be_bytes([b1, b2])),
                sslv2: false,
            },
            len,
            ctx,
        );
        Some(rest)
    }

    fn start_record(&mut self, header: RecordHeader, len: usize, ctx: &mut RecordContext<'_>) {
        self.records = self.records.saturating_add(1);
        ctx.handshake.on_record(ctx.dir, ctx.frame, ctx.ts);
        self.record = Some(header);
        self.remaining = len;
        self.small.clear();
        if header.content_type == content::APPLICATION_DATA {
            ctx.handshake
                .on_application_data(ctx.dir, ctx.frame, ctx.ts, len);
        }
        if len == 0 {
            self.end_record(ctx);
        }
    }

    fn is_plain_handshake(&self, ctx: &RecordContext<'_>) -> bool {
        self.record.is_some_and(|r| {
            !r.sslv2 && r.content_type == content::HANDSHAKE && !ctx.handshake.is_encrypted(ctx.dir)
        })
    }

    fn body(&mut self, part: &[u8]) {
        let Some(header) = self.record else { return };
        match header.content_type {
            _ if header.sslv2 => {
                let room = MAX_SSLV2_RECORD.saturating_sub(self.small.len());
                self.small
                    .extend_from_slice(part.get(..room.min(part.len())).unwrap_or_default());
            }
            content::HANDSHAKE if !self.unbuffered => {
                // A record is at most 2^16 - 1 bytes: bounded. Encrypted ones are
                // kept too: see `end_record`.
                self.small.extend_from_slice(part);
            }
            content::ALERT | content::CHANGE_CIPHER_SPEC => {
                // Only the first bytes matter (an alert is two).
                let room = 8usize.saturating_sub(self.small.len());
                self.small
                    .extend_from_slice(part.get(..room.min(part.len())).unwrap_or_default());
            }
            _ => {}
        }
    }

    fn end_record(&mut self, ctx: &mut RecordContext<'_>) {
        let Some(header) = self.record.take() else {
            return;
        };
        match header.content_type {
            _ if header.sslv2 => self.end_sslv2_record(ctx),
            content::HANDSHAKE => {
                // After this side's ChangeCipherSpec a handshake record is
                // normally an encrypted Finished. But a TLS 1.3 client in
                // middlebox-compatibility mode sends a dummy ChangeCipherSpec
                // before its second ClientHello, and the HelloRetryRequest that
                // explains it may be missing from the capture: a record that is
                // exactly one well-formed hello is read as one. (Ciphertext
                // passes this test with probability below 2^-32.)
                let body = std::mem::take(&mut self.small);
                if !ctx.handshake.is_encrypted(ctx.dir) || is_whole_hello(&body) {
                    self.handshake_bytes(&body, header.version, ctx);
                }
                self.small = body;
            }
            content::ALERT => {
                // Readable only as exactly level + description with a valid
                // level, and not after this side's ChangeCipherSpec (TLS ≤ 1.2).
                let plain = match self.small.as_slice() {
                    [level @ (1 | 2), desc] if !ctx.handshake.is_encrypted(ctx.dir) => {
                        Some((*level, *desc))
                    }
                    _ => None,
                };
                ctx.handshake.on_alert(AlertRecord {
                    frame: ctx.frame,
                    ts: ctx.ts,
                    dir: ctx.dir,
                    plain,
                });
            }
            content::CHANGE_CIPHER_SPEC => {
                ctx.handshake
                    .on_change_cipher_spec(ctx.dir, ctx.frame, ctx.ts);
            }
            _ => {}
        }
        self.small.clear();
        if self.small.capacity() > KEPT_CAPACITY {
            // A large record body was collected: give the memory back.
            self.small = Vec::new();
        }
    }

    fn end_sslv2_record(&mut self, ctx: &mut RecordContext<'_>) {
        let msg = std::mem::take(&mut self.small);
        match msg.first() {
            Some(&sslv2::CLIENT_HELLO) => {
                let hello = sslv2::decode_client_hello(&msg, ctx.frame);
                ctx.handshake.on_client_hello(ctx.dir, hello);
            }
            Some(&sslv2::SERVER_HELLO) if ctx.handshake.server_hello.is_none() => {
                let (hello, chain) = sslv2::decode_server_hello(&msg, ctx.frame);
                ctx.handshake.on_server_hello(ctx.dir, hello);
                ctx.handshake.on_certificates(ctx.dir, chain);
            }
            _ => {
                // Encrypted SSLv2 records after the hellos.
                ctx.handshake
                    .on_application_data(ctx.dir, ctx.frame, ctx.ts, 0);
            }
        }
    }

    /// Handshake-record payload: split into messages, decode the complete ones.
    fn handshake_bytes(
        &mut self,
        mut part: &[u8],
        version: ProtocolVersion,
        ctx: &mut RecordContext<'_>,
    ) {
        if self.discard > 0 {
            let n = self.discard.min(part.len());
            self.discard -= n;
            part = part.get(n..).unwrap_or_default();
        }
        if part.is_empty() {
            return;
        }
        if self.pending.is_empty() {
            // Fast path: whole messages straight from the segment.
            let used = self.messages(part, version, ctx);
            part = part.get(used..).unwrap_or_default();
            if part.is_empty() {
                return;
            }
            self.pending_record_version = Some(version);
        }
        self.buffer(part, ctx);
        let pending = std::mem::take(&mut self.pending);
        let record_version = self.pending_record_version.unwrap_or(version);
        let used = self.messages(&pending, record_version, ctx);
        self.pending = pending;
        self.pending.drain(..used.min(self.pending.len()));
        if self.pending.is_empty() {
            if self.pending.capacity() > KEPT_CAPACITY {
                self.pending = Vec::new();
            }
            self.pending_record_version = None;
        } else if used > 0 {
            self.pending_record_version = Some(version);
        }
    }

    /// Appends to the pending message, within [`MAX_HANDSHAKE_MESSAGE`]: a
    /// message claiming more is decoded from its first bytes and the rest dropped.
    fn buffer(&mut self, part: &[u8], ctx: &mut RecordContext<'_>) {
        let room = MAX_HANDSHAKE_MESSAGE.saturating_sub(self.pending.len());
        if part.len() <= room {
            self.pending.extend_from_slice(part);
            return;
        }
        self.pending
            .extend_from_slice(part.get(..room).unwrap_or_default());
        let declared = message_len(&self.pending).unwrap_or(0);
        ctx.warnings.push(Warning::at(
            ctx.frame,
            format!(
                "TLS handshake message claims {declared} bytes, over the {} KiB cap; decoded from its first bytes",
                MAX_HANDSHAKE_MESSAGE / 1024
            ),
        ));
        let had = self.pending.len() - 4;
        let leftover = part.len() - room;
        self.flush_partial(ctx);
        // Drop the rest of the oversized message (what arrived and what will).
        self.discard = declared.saturating_sub(had).saturating_sub(leftover);
    }

    /// Decodes every complete message at the start of `buf`; returns bytes used.
    fn messages(
        &mut self,
        buf: &[u8],
        record_version: ProtocolVersion,
        ctx: &mut RecordContext<'_>,
    ) -> usize {
        let mut used = 0;
        while let Some(rest) = buf.get(used..) {
            let Some(len) = message_len(rest) else { break };
            let Some(body) = rest.get(4..4 + len) else {
                break;
            };
            let kind = rest.first().copied().unwrap_or_default();
            self.message(kind, body, true, record_version, ctx);
            used += 4 + len;
        }
        used
    }

    fn message(
        &mut self,
        kind: u8,
        body: &[u8],
        complete: bool,
        record_version: ProtocolVersion,
        ctx: &mut RecordContext<'_>,
    ) {
        let hs = &mut *ctx.handshake;
        match kind {
            1 => {
                let hello = client_hello::decode(body, complete, record_version, ctx.frame);
                hs.on_client_hello(ctx.dir, hello);
            }
            2 => {
                let hello = server_hello::decode(body, complete, record_version, ctx.frame);
                hs.on_server_hello(ctx.dir, hello);
            }
            11 if !hs.negotiated().is_some_and(ProtocolVersion::is_tls13) => {
                let chain = certificate::decode_chain(body, ctx.frame);
                hs.on_certificates(ctx.dir, chain);
                hs.on_message(HandshakeMessage {
                    frame: ctx.frame,
                    ts: ctx.ts,
                    dir: ctx.dir,
                    kind,
                });
            }
            12 => {
                let suite = hs.server_hello.as_ref().and_then(|h| h.cipher_suite);
                if let Some(k) = key_exchange::decode(body, suite, ctx.frame) {
                    hs.server_key_exchange.get_or_insert(k);
                }
                hs.on_message(HandshakeMessage {
                    frame: ctx.frame,
                    ts: ctx.ts,
                    dir: ctx.dir,
                    kind,
                });
            }
            _ => hs.on_message(HandshakeMessage {
                frame: ctx.frame,
                ts: ctx.ts,
                dir: ctx.dir,
                kind,
            }),
        }
    }

    /// Decodes the pending, incomplete message as cut, and forgets it.
    fn flush_partial(&mut self, ctx: &mut RecordContext<'_>) {
        let pending = std::mem::take(&mut self.pending);
        if let (Some(&kind), Some(body)) = (pending.first(), pending.get(4..)) {
            if matches!(kind, 1 | 2 | 11) {
                let version = self
                    .pending_record_version
                    .unwrap_or(ProtocolVersion::TLS10);
                self.message(kind, body, false, version, ctx);
            }
        }
        self.pending_record_version = None;
    }

    /// Bytes that will never come.
    pub fn gap(&mut self, len: u64, ctx: &mut RecordContext<'_>) {
        if self.lost_sync {
            return;
        }
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        if let Some(header) = self.record {
            if header.content_type == content::HANDSHAKE
                && !header.sslv2
                && !ctx.handshake.is_encrypted(ctx.dir)
            {
                let body = std::mem::take(&mut self.small);
                self.handshake_bytes(&body, header.version, ctx);
                self.cut_message(len.min(self.remaining), ctx);
            }
            if header.sslv2 {
                // An SSLv2 hello cut: decode what there is.
                self.remaining = 0;
                self.end_record(ctx);
                self.lost_sync = true;
                return;
            }
            if len < self.remaining {
                self.remaining -= len;
                return;
            }
            let past = len - self.remaining;
            self.remaining = 0;
            if header.content_type != content::HANDSHAKE {
                self.end_record(ctx);
            }
            self.record = None;
            self.small.clear();
            if past == 0 {
                return;
            }
        }
        // The gap holds record headers: find the next one.
        self.head_len = 0;
        self.lost_sync = true;
    }

    /// A gap of `lost` bytes inside a handshake record: decode the message in
    /// progress as cut and skip what is left of it.
    fn cut_message(&mut self, lost: usize, ctx: &mut RecordContext<'_>) {
        if self.discard > 0 {
            self.discard = self.discard.saturating_sub(lost);
            return;
        }
        let Some(declared) = message_len(&self.pending) else {
            // Not even the message header: nothing to decode.
            self.pending.clear();
            self.discard = 0;
            return;
        };
        let had = self.pending.len() - 4;
        self.flush_partial(ctx);
        self.discard = declared.saturating_sub(had).saturating_sub(lost);
    }

    /// The stream ended: a message still waiting is decoded as cut.
    pub fn finish(&mut self, ctx: &mut RecordContext<'_>) {
        if let Some(header) = self.record {
            if header.sslv2 {
                self.remaining = 0;
                self.end_record(ctx);
                return;
            }
            if self.is_plain_handshake(ctx) {
                // The record was cut: its messages are decoded as far as they go.
                let body = std::mem::take(&mut self.small);
                self.handshake_bytes(&body, header.version, ctx);
            }
        }
        if message_len(&self.pending).is_some() {
            self.flush_partial(ctx);
        }
        self.pending.clear();
    }
}

/// Whether `body` is exactly one ClientHello or ServerHello with a TLS version.
fn is_whole_hello(body: &[u8]) -> bool {
    matches!(body, [1 | 2, _, _, _, 3, 0..=4, ..])
        && message_len(body).is_some_and(|n| n + 4 == body.len())
}

/// Length of the handshake message starting `buf` (needs its 4-byte header).
fn message_len(buf: &[u8]) -> Option<usize> {
    match buf {
        [_, a, b, c, ..] => usize::try_from(u32::from_be_bytes([0, *a, *b, *c])).ok(),
        _ => None,
    }
}

/// Whether `b` could start a TLS record header.
fn plausible_header(b: &[u8]) -> Option<usize> {
    match b {
        [t @ 20..=23, 3, minor @ 0..=4, hi, lo, ..] => {
            let _ = (t, minor);
            let len = usize::from(u16::from_be_bytes([*hi, *lo]));
            (len <= MAX_PLAUSIBLE_RECORD).then_some(len)
        }
        _ => None,
    }
}

/// The offset of the first plausible record header in `data`: a header whose
/// record ends exactly at the end of `data`, runs past it, or is followed by
/// another plausible header.
fn find_record_start(data: &[u8]) -> Option<usize> {
    (0..data.len()).find(|&i| {
        let Some(rest) = data.get(i..) else {
            return false;
        };
        let Some(len) = plausible_header(rest) else {
            return false;
        };
        match rest.get(5 + len..) {
            None => true,
            Some([]) => true,
            Some(next) if next.len() < 5 => true,
            Some(next) => plausible_header(next).is_some(),
        }
    })
}

/// Whether `head` could be the start of a TLS stream as sent by `role`: a
/// handshake record (or an SSLv2 hello) — what the session layer sniffs.
pub fn looks_like_tls_start(head: &[u8]) -> bool {
    matches!(head, [content::HANDSHAKE, 3, 0..=4, ..])
        || sslv2::looks_like_client_hello(head)
        || sslv2::looks_like_server_hello(head)
}

/// Whether `head` plausibly continues a TLS stream mid-way (a capture that
/// starts after the handshake): any record type with a sane length.
pub fn looks_like_tls_record(head: &[u8]) -> bool {
    plausible_header(head).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Harness {
        hs: Handshake,
        warnings: Vec<Warning>,
        stream: TlsStream,
    }

    impl Harness {
        fn new() -> Self {
            Self {
                hs: Handshake::default(),
                warnings: Vec::new(),
                stream: TlsStream::new(),
            }
        }
        fn feed(&mut self, frame: u64, bytes: &[u8]) {
            let mut ctx = RecordContext {
                dir: Direction::LoToHi,
                frame: FrameNo(frame),
                ts: Timestamp::default(),
                handshake: &mut self.hs,
                warnings: &mut self.warnings,
            };
            self.stream.feed(bytes, &mut ctx);
        }
        fn gap(&mut self, frame: u64, len: u64) {
            let mut ctx = RecordContext {
                dir: Direction::LoToHi,
                frame: FrameNo(frame),
                ts: Timestamp::default(),
                handshake: &mut self.hs,
                warnings: &mut self.warnings,
            };
            self.stream.gap(len, &mut ctx);
        }
    }

    fn client_hello_record() -> Vec<u8> {
        let body = client_hello::tests::sample_body();
        let mut msg = vec![1, 0, 0, body.len() as u8];
        msg.extend_from_slice(&body);
        let mut rec = vec![22, 3, 1, 0, msg.len() as u8];
        rec.extend_from_slice(&msg);
        rec
    }

    #[test]
    fn record_split_byte_by_byte_completes_at_last_frame() {
        let rec = client_hello_record();
        let mut h = Harness::new();
        for (i, b) in rec.iter().enumerate() {
            h.feed(i as u64 + 1, std::slice::from_ref(b));
        }
        let ch = h.hs.client_hello.as_ref();
        assert_eq!(ch.map(|c| c.frame), Some(FrameNo(rec.len() as u64)));
        assert_eq!(ch.and_then(|c| c.sni.clone()).as_deref(), Some("a.b"));
        assert_eq!(ch.map(|c| c.record_version), Some(ProtocolVersion::TLS10));
    }

    #[test]
    fn message_split_over_two_records() {
        let rec = client_hello_record();
        let msg = &rec[5..];
        let (a, b) = msg.split_at(20);
        let mut bytes = vec![22, 3, 1, 0, a.len() as u8];
        bytes.extend_from_slice(a);
        bytes.extend_from_slice(&[22, 3, 1, 0, b.len() as u8]);
        bytes.extend_from_slice(b);
        let mut h = Harness::new();
        h.feed(3, &bytes);
        assert!(h.hs.client_hello.as_ref().is_some_and(|c| !c.truncated));
    }

    #[test]
    fn alert_plain_and_after_ccs_encrypted() {
        let mut h = Harness::new();
        h.feed(5, &[21, 3, 3, 0, 2, 2, 40]);
        h.feed(6, &[20, 3, 3, 0, 1, 1]);
        h.feed(7, &[21, 3, 3, 0, 2, 1, 0]);
        assert_eq!(h.hs.alerts.len(), 2);
        assert_eq!(h.hs.alerts[0].plain, Some((2, 40)));
        assert_eq!(h.hs.alerts[1].plain, None);
    }

    #[test]
    fn gap_inside_hello_gives_truncated_hello_and_resyncs() {
        let rec = client_hello_record();
        let mut h = Harness::new();
        h.feed(1, &rec[..30]);
        h.gap(2, (rec.len() - 30) as u64);
        h.feed(3, &[21, 3, 3, 0, 2, 2, 40]);
        assert!(h.hs.client_hello.as_ref().is_some_and(|c| c.truncated));
        assert_eq!(h.hs.alerts.len(), 1);
    }

    #[test]
    fn garbage_resyncs() {
        let mut h = Harness::new();
        h.feed(1, b"GET / HTTP/1.1\r\n\r\n");
        h.feed(2, &[21, 3, 3, 0, 2, 2, 40]);
        assert_eq!(h.hs.alerts.len(), 1);
        assert!(!h.warnings.is_empty());
    }

    #[test]
    fn oversized_message_is_capped() {
        let mut h = Harness::new();
        // ClientHello claiming 16 MiB, in max-size records.
        let mut first = vec![1, 0xff, 0xff, 0xff, 3, 3];
        first.resize(0xffff, 0x41);
        let mut bytes = vec![22, 3, 1, 0xff, 0xff];
        bytes.extend_from_slice(&first);
        for i in 0..6 {
            h.feed(i + 1, &bytes);
            bytes = vec![22, 3, 1, 0xff, 0xff];
            bytes.resize(5 + 0xffff, 0x42);
        }
        assert!(h.stream.pending.len() <= MAX_HANDSHAKE_MESSAGE);
        assert!(h.hs.client_hello.as_ref().is_some_and(|c| c.truncated));
    }
}
