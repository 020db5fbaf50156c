//! Sessions: each direction's reassembled bytes → what protocol they carry, and
//! its facts (CONNECT tunnel, HTTP exchanges, TLS handshake, DNS over TCP).
//!
//! A direction is classified by its first bytes, never by port (field case 1
//! runs its proxy on 6050): a TLS handshake record or SSLv2 hello, `CONNECT `,
//! an HTTP method, `HTTP/1.`; TCP port 53 is DNS. After a CONNECT answered 2xx
//! both directions are classified again: the tunnel's bytes go to the TLS
//! decoder. Unrecognised bytes (SMTP, POP3…) are watched at every segment start
//! for a TLS handshake, which catches STARTTLS.

pub mod dns;
pub mod http;
pub mod proxy;

use std::collections::VecDeque;

use crate::capture::{FrameNo, Timestamp};
use crate::error::Warning;
use crate::flow::reassembly::{GapCause, StreamEvent};
use crate::flow::{Direction, PerDirection};
use crate::tls::{self, Handshake, RecordContext, TlsStream};
use http::{BodyFraming, BodyReader, HeaderBlock, HeaderProgress, HttpExchange};
use proxy::ProxyTunnel;

/// Bytes collected before a direction is classified (enough for every test).
const SNIFF_BYTES: usize = 8;
/// HTTP exchanges kept per connection.
pub const MAX_HTTP_EXCHANGES: usize = 64;
/// DNS-over-TCP bytes buffered per direction (a DNS message is at most 64 KiB).
const MAX_DNS_TCP_BUFFER: usize = 65_537;

/// What a direction is carrying.
#[derive(Debug)]
enum DirState {
    /// Not classified yet; the first bytes.
    Sniff(Vec<u8>),
    /// A client's CONNECT request head.
    ConnectRequest(HeaderBlock),
    /// The proxy's answer to a CONNECT.
    ProxyResponse(HeaderBlock),
    /// The body of a refused CONNECT's answer.
    ProxyBody(BodyReader),
    /// An HTTP request head.
    RequestHead(HeaderBlock),
    /// An HTTP request body.
    RequestBody(BodyReader),
    /// An HTTP response head.
    ResponseHead(HeaderBlock),
    /// An HTTP response body, for exchange `usize`.
    ResponseBody(BodyReader, usize),
    /// TLS records.
    Tls(TlsStream),
    /// DNS messages with 2-byte length prefixes.
    DnsTcp(Vec<u8>),
    /// Something else: watched for a TLS handshake at segment starts.
    Opaque,
}

/// The context a TLS decoder reports into: the session's handshake (made on
/// first use) and the capture's warnings.
fn record_context<'h>(
    handshake: &'h mut Option<Box<Handshake>>,
    dir: Direction,
    frame: FrameNo,
    ts: Timestamp,
    warnings: &'h mut Vec<Warning>,
) -> RecordContext<'h> {
    RecordContext {
        dir,
        frame,
        ts,
        handshake: handshake.get_or_insert_with(Box::default),
        warnings,
    }
}

/// Whether a short first chunk may be the beginning of something we recognise
/// (so waiting for the next chunk is worth it). Anything else is classified at
/// once, so that a protocol switch at the next segment (STARTTLS) is seen.
fn could_grow_into_known(buf: &[u8]) -> bool {
    const OTHERS: &[&[u8]] = &[b"CONNECT ", b"HTTP/1."];
    if http::METHODS
        .iter()
        .chain(OTHERS)
        .any(|s| s.starts_with(buf))
    {
        return true;
    }
    // A TLS record header cut short, or an SSLv2 hello's first bytes.
    match buf {
        [] => true,
        [20..=24] | [20..=24, 3] | [20..=24, 3, 0..=4] | [20..=24, 3, 0..=4, _] => true,
        [b0, ..] if b0 & 0x80 != 0 && buf.len() < 5 => true,
        _ => false,
    }
}

/// Everything the session layer learns about one connection.
#[derive(Debug)]
pub struct Session {
    dirs: PerDirection<DirState>,
    /// Whether a direction is inside an opened CONNECT tunnel.
    tunnelled: PerDirection<bool>,
    /// The last CONNECT attempt.
    pub proxy: Option<ProxyTunnel>,
    /// Plain HTTP exchanges, in request order.
    pub http: Vec<HttpExchange>,
    /// Exchanges waiting for their response.
    awaiting_response: VecDeque<usize>,
    /// TLS facts, once a TLS record was seen.
    pub handshake: Option<Box<Handshake>>,
    /// DNS messages decoded from TCP, for the capture's DNS tracker.
    pub dns_messages: Vec<(dns::DnsMessage, Direction, FrameNo, Timestamp)>,
    /// Payload bytes per direction.
    pub bytes: PerDirection<u64>,
    /// First and last payload frame per direction.
    pub first_data: PerDirection<Option<(FrameNo, Timestamp)>>,
    /// Last payload frame per direction.
    pub last_data: PerDirection<Option<(FrameNo, Timestamp)>>,
    /// Bytes reported missing per direction.
    pub missing: PerDirection<u64>,
    /// Direction the session layer believes is the client (first CONNECT or
    /// HTTP request), if it learned it.
    pub client_by_content: Option<Direction>,
    /// Times of the first data frames (for timelines; hellos and proxy
    /// answers come early in a connection).
    pub frame_times: Vec<(FrameNo, Timestamp)>,
    dns_port: bool,
    http_dropped: u32,
    /// Whether buffers were already shed under the capture's cap (warned once).
    shed_warned: bool,
    /// Whether the out-of-order cap already cost this connection bytes (warned once).
    cap_gap_warned: PerDirection<bool>,
    /// Frame of each direction's FIN, told at the end.
    fin_frame: PerDirection<Option<FrameNo>>,
}

/// Bytes quoted from a side that answered TLS with something else.
const MAX_SAMPLE: usize = 80;

/// Data frames whose time is remembered per connection.
const MAX_FRAME_TIMES: usize = 64;

impl Session {
    /// A session for a connection; `dns_port` when one end is TCP port 53.
    pub fn new(dns_port: bool) -> Self {
        Self {
            dirs: PerDirection::from_fn(|_| DirState::Sniff(Vec::new())),
            tunnelled: PerDirection::default(),
            proxy: None,
            http: Vec::new(),
            awaiting_response: VecDeque::new(),
            handshake: None,
            dns_messages: Vec::new(),
            bytes: PerDirection::default(),
            first_data: PerDirection::default(),
            last_data: PerDirection::default(),
            missing: PerDirection::default(),
            client_by_content: None,
            frame_times: Vec::new(),
            dns_port,
            http_dropped: 0,
            shed_warned: false,
            cap_gap_warned: PerDirection::default(),
            fin_frame: PerDirection::default(),
        }
    }

    /// Heap bytes held for partial messages (TLS records and handshake
    /// messages, HTTP header blocks and kept bodies, DNS-over-TCP messages):
    /// what the capture-wide buffering cap ([`crate::Limits::max_held_bytes`]) counts.
    pub fn buffered(&self) -> usize {
        let one = |state: &DirState| match state {
            DirState::Sniff(buf) | DirState::DnsTcp(buf) => buf.capacity(),
            DirState::ConnectRequest(b)
            | DirState::ProxyResponse(b)
            | DirState::RequestHead(b)
            | DirState::ResponseHead(b) => b.buffered(),
            DirState::ProxyBody(b) | DirState::RequestBody(b) | DirState::ResponseBody(b, _) => {
                b.buffered()
            }
            DirState::Tls(stream) => stream.buffered(),
            DirState::Opaque => 0,
        };
        one(&self.dirs.lo_to_hi).saturating_add(one(&self.dirs.hi_to_lo))
    }

    /// The capture's buffering cap was reached: gives up this connection's
    /// partial messages (a TLS message is decoded as cut, an HTTP header block
    /// or DNS message in progress is abandoned, a kept body is dropped), with a
    /// warning (the first time) saying what was lost. Returns whether that
    /// warning was given now.
    pub fn shed(
        &mut self,
        frame: FrameNo,
        ts: Timestamp,
        cap: usize,
        warnings: &mut Vec<Warning>,
    ) -> bool {
        let mut lost = Vec::new();
        for dir in Direction::BOTH {
            let state = std::mem::replace(&mut self.dirs[dir], DirState::Opaque);
            self.dirs[dir] = match state {
                DirState::Tls(mut stream) => {
                    let mut ctx = record_context(&mut self.handshake, dir, frame, ts, warnings);
                    lost.extend(stream.shed(&mut ctx));
                    DirState::Tls(stream)
                }
                DirState::ConnectRequest(b)
                | DirState::ProxyResponse(b)
                | DirState::RequestHead(b)
                | DirState::ResponseHead(b) => {
                    lost.push(format!(
                        "an HTTP header block in progress ({} bytes); the rest of this direction is not decoded",
                        b.buffered()
                    ));
                    DirState::Opaque
                }
                DirState::ResponseBody(mut body, i) => {
                    let n = body.shed();
                    if n > 0 {
                        lost.push(format!("{n} kept bytes of an HTTP response body"));
                    }
                    DirState::ResponseBody(body, i)
                }
                DirState::DnsTcp(buf) if !buf.is_empty() => {
                    lost.push(format!(
                        "a DNS-over-TCP message in progress ({} bytes); the rest of this direction is not decoded",
                        buf.len()
                    ));
                    DirState::Opaque
                }
                other => other,
            };
        }
        let first = !lost.is_empty() && !self.shed_warned;
        if first {
            self.shed_warned = true;
            warnings.push(Warning::at(
                frame,
                format!(
                    "partial messages buffered across all connections reached the cap of {} MiB (--max-buffer-mib); this connection lost {}",
                    cap >> 20,
                    lost.join("; ")
                ),
            ));
        }
        first
    }

    /// Bytes of direction `dir`, delivered by `frame`.
    pub fn on_data(
        &mut self,
        dir: Direction,
        data: &[u8],
        frame: FrameNo,
        ts: Timestamp,
        warnings: &mut Vec<Warning>,
    ) {
        let d = dir;
        self.bytes[d] = self.bytes[d].saturating_add(data.len() as u64);
        self.first_data[d].get_or_insert((frame, ts));
        self.last_data[d] = Some((frame, ts));
        // Only frames that may still carry a hello, a CONNECT or an HTTP
        // message are timed: a bulk transfer's frames would hold a slot each
        // for as long as the connection is open.
        let steady = match &self.dirs[d] {
            DirState::Opaque => true,
            DirState::Tls(_) => self
                .handshake
                .as_ref()
                .is_some_and(|h| h.application_data[d].is_some()),
            _ => false,
        };
        if !steady
            && self.frame_times.len() < MAX_FRAME_TIMES
            && self.frame_times.last().is_none_or(|(f, _)| *f != frame)
        {
            self.frame_times.push((frame, ts));
        }
        // Unknown protocols are watched for a TLS handshake at each segment start.
        if matches!(self.dirs[d], DirState::Opaque) && tls::looks_like_tls_start(data) {
            self.dirs[d] = DirState::Tls(TlsStream::new());
            self.handshake.get_or_insert_with(Box::default);
        }
        self.feed(dir, data, frame, ts, warnings);
    }

    fn feed(
        &mut self,
        dir: Direction,
        mut data: &[u8],
        frame: FrameNo,
        ts: Timestamp,
        warnings: &mut Vec<Warning>,
    ) {
        let d = dir;
        // Fast path: a TLS direction (nearly every chunk of a TLS connection)
        // is fed in place, without moving its state out and back.
        if let DirState::Tls(stream) = &mut self.dirs[d] {
            let mut ctx = record_context(&mut self.handshake, dir, frame, ts, warnings);
            stream.feed(data, &mut ctx);
            return;
        }
        while !data.is_empty() {
            let state = std::mem::replace(&mut self.dirs[d], DirState::Opaque);
            let (next, used) = match state {
                DirState::Sniff(mut buf) => {
                    let take = SNIFF_BYTES.saturating_sub(buf.len()).min(data.len());
                    buf.extend_from_slice(data.get(..take).unwrap_or_default());
                    data = data.get(take..).unwrap_or_default();
                    if buf.len() < SNIFF_BYTES && data.is_empty() && could_grow_into_known(&buf) {
                        self.dirs[d] = DirState::Sniff(buf);
                        return;
                    }
                    let next = self.classify(dir, &buf, data, frame);
                    self.dirs[d] = next;
                    // Replay the sniffed bytes into the new state first.
                    self.feed(dir, &buf, frame, ts, warnings);
                    continue;
                }
                DirState::Tls(mut stream) => {
                    let mut ctx = record_context(&mut self.handshake, dir, frame, ts, warnings);
                    stream.feed(data, &mut ctx);
                    (DirState::Tls(stream), data.len())
                }
                DirState::ConnectRequest(mut block) => match block.push(data) {
                    HeaderProgress::More => (DirState::ConnectRequest(block), data.len()),
                    HeaderProgress::TooLong => (DirState::Opaque, data.len()),
                    HeaderProgress::Done(n) => {
                        let head = block.parse();
                        let attempts = self
                            .proxy
                            .as_ref()
                            .map_or(0, |p| p.attempts)
                            .saturating_add(1);
                        self.proxy = Some(ProxyTunnel::from_request(&head, frame, attempts));
                        self.client_by_content.get_or_insert(dir);
                        let other = dir.reverse();
                        if matches!(
                            self.dirs[other],
                            DirState::Sniff(_) | DirState::Opaque | DirState::ResponseHead(_)
                        ) {
                            self.dirs[other] = DirState::ProxyResponse(HeaderBlock::default());
                        }
                        // What the client sends next goes through the tunnel
                        // (or is another CONNECT, if this one is refused).
                        self.tunnelled[d] = true;
                        (DirState::Sniff(Vec::new()), n)
                    }
                },
                DirState::ProxyResponse(mut block) => match block.push(data) {
                    HeaderProgress::More => (DirState::ProxyResponse(block), data.len()),
                    HeaderProgress::TooLong => (DirState::Opaque, data.len()),
                    HeaderProgress::Done(n) => {
                        let head = block.parse();
                        let framing = head.body_framing(true, Some("CONNECT"));
                        let open = match self.proxy.as_mut() {
                            Some(p) => {
                                p.set_response(&head, frame);
                                p.is_open()
                            }
                            None => false,
                        };
                        if open {
                            self.tunnelled[d] = true;
                            (DirState::Sniff(Vec::new()), n)
                        } else {
                            match framing {
                                BodyFraming::None => {
                                    (DirState::ProxyResponse(HeaderBlock::default()), n)
                                }
                                f => (DirState::ProxyBody(BodyReader::new(f, false)), n),
                            }
                        }
                    }
                },
                DirState::ProxyBody(mut body) => {
                    let (n, done) = body.push(data);
                    if done {
                        (DirState::ProxyResponse(HeaderBlock::default()), n)
                    } else {
                        (DirState::ProxyBody(body), n.max(1).min(data.len()))
                    }
                }
                DirState::RequestHead(mut block) => match block.push(data) {
                    HeaderProgress::More => (DirState::RequestHead(block), data.len()),
                    HeaderProgress::TooLong => (DirState::Opaque, data.len()),
                    HeaderProgress::Done(n) => {
                        let head = block.parse();
                        self.client_by_content.get_or_insert(dir);
                        let framing = head.body_framing(false, None);
                        if self.http.len() < MAX_HTTP_EXCHANGES {
                            self.http.push(HttpExchange::from_request(&head, frame));
                            self.awaiting_response.push_back(self.http.len() - 1);
                        } else {
                            self.http_dropped = self.http_dropped.saturating_add(1);
                        }
                        let other = dir.reverse();
                        if matches!(self.dirs[other], DirState::Sniff(_) | DirState::Opaque) {
                            self.dirs[other] = DirState::ResponseHead(HeaderBlock::default());
                        }
                        match framing {
                            BodyFraming::None => (DirState::RequestHead(HeaderBlock::default()), n),
                            f => (DirState::RequestBody(BodyReader::new(f, false)), n),
                        }
                    }
                },
                DirState::RequestBody(mut body) => {
                    let (n, done) = body.push(data);
                    if done {
                        (DirState::RequestHead(HeaderBlock::default()), n)
                    } else {
                        (DirState::RequestBody(body), n.max(1).min(data.len()))
                    }
                }
                DirState::ResponseHead(mut block) => match block.push(data) {
                    HeaderProgress::More => (DirState::ResponseHead(block), data.len()),
                    HeaderProgress::TooLong => (DirState::Opaque, data.len()),
                    HeaderProgress::Done(n) => 'head: {
                        let head = block.parse();
                        if head.is_interim() {
                            // 100 Continue and the like: the final response follows.
                            break 'head (DirState::ResponseHead(HeaderBlock::default()), n);
                        }
                        let index = match self.awaiting_response.pop_front() {
                            Some(i) => Some(i),
                            None if self.http.len() < MAX_HTTP_EXCHANGES => {
                                self.http.push(HttpExchange::empty());
                                Some(self.http.len() - 1)
                            }
                            None => None,
                        };
                        match index.and_then(|i| self.http.get_mut(i).map(|x| (i, x))) {
                            Some((i, x)) => {
                                x.set_response(&head, frame);
                                let framing = head.body_framing(true, x.method.as_deref());
                                let keep = x.may_be_taxii();
                                match framing {
                                    BodyFraming::None => {
                                        x.body_frame = Some(frame);
                                        (DirState::ResponseHead(HeaderBlock::default()), n)
                                    }
                                    f => (DirState::ResponseBody(BodyReader::new(f, keep), i), n),
                                }
                            }
                            None => (DirState::Opaque, data.len()),
                        }
                    }
                },
                DirState::ResponseBody(mut body, i) => {
                    let (n, done) = body.push(data);
                    if done {
                        if let Some(x) = self.http.get_mut(i) {
                            x.set_body(&body.kept, frame);
                        }
                        (DirState::ResponseHead(HeaderBlock::default()), n)
                    } else {
                        (DirState::ResponseBody(body, i), n.max(1).min(data.len()))
                    }
                }
                DirState::DnsTcp(mut buf) => {
                    let room = MAX_DNS_TCP_BUFFER.saturating_sub(buf.len());
                    buf.extend_from_slice(data.get(..room.min(data.len())).unwrap_or_default());
                    let mut used = 0;
                    while let Some([hi, lo, rest @ ..]) = buf.get(used..) {
                        let len = usize::from(u16::from_be_bytes([*hi, *lo]));
                        let Some(msg) = rest.get(..len) else { break };
                        if let Some(m) = dns::decode(msg) {
                            self.dns_messages.push((m, dir, frame, ts));
                        }
                        used += 2 + len;
                    }
                    buf.drain(..used.min(buf.len()));
                    if buf.len() >= MAX_DNS_TCP_BUFFER {
                        (DirState::Opaque, data.len())
                    } else {
                        (DirState::DnsTcp(buf), data.len())
                    }
                }
                DirState::Opaque => (DirState::Opaque, data.len()),
            };
            self.dirs[d] = next;
            data = data.get(used.max(1).min(data.len())..).unwrap_or_default();
        }
    }

    /// Chooses a direction's decoder from its first bytes (`head`; `more` is
    /// what follows in the same chunk, used only to quote a sample).
    fn classify(&mut self, dir: Direction, head: &[u8], more: &[u8], frame: FrameNo) -> DirState {
        let d = dir;
        if self.dns_port {
            return DirState::DnsTcp(Vec::new());
        }
        if tls::looks_like_tls_start(head) || tls::looks_like_tls_record(head) {
            self.handshake.get_or_insert_with(Box::default);
            return DirState::Tls(TlsStream::new());
        }
        if proxy::looks_like_connect(head) {
            return DirState::ConnectRequest(HeaderBlock::default());
        }
        if !self.tunnelled[d] {
            if http::looks_like_request(head) {
                return DirState::RequestHead(HeaderBlock::default());
            }
            if http::looks_like_response(head) && self.handshake.is_none() {
                return DirState::ResponseHead(HeaderBlock::default());
            }
        }
        if self.missing[d] > 0 {
            // Its first bytes were never captured: these are the middle of
            // something, not what the endpoint opened with. Beside TLS, read on
            // from the next record header; otherwise follow nothing.
            return if self.handshake.is_some() {
                DirState::Tls(TlsStream::resyncing())
            } else {
                DirState::Opaque
            };
        }
        // Not a protocol we follow. If the other side speaks TLS, this side
        // answering with something else is worth saying (an HTTP server on the
        // TLS port, a proxy's error page).
        if let Some(hs) = self.handshake.as_mut() {
            let sample: String = head
                .iter()
                .chain(more)
                .take(MAX_SAMPLE)
                .take_while(|b| **b != b'\r' && **b != b'\n')
                .map(|&b| b as char)
                .collect();
            hs.not_tls[d].get_or_insert((frame, sample));
        }
        DirState::Opaque
    }

    /// One event of direction `dir`'s reassembled stream: bytes (at their own
    /// frame and time), or a gap (at `now`, the time of the frame that proved it).
    pub fn on_stream_event(
        &mut self,
        dir: Direction,
        event: StreamEvent<'_>,
        now: Timestamp,
        warnings: &mut Vec<Warning>,
    ) {
        match event {
            StreamEvent::Data { bytes, frame, ts } => self.on_data(dir, bytes, frame, ts, warnings),
            StreamEvent::Gap { len, frame, cause } => {
                self.on_gap(dir, len, cause, frame, now, warnings)
            }
        }
    }

    /// Bytes of direction `dir` that will never come, and why. A hole given up
    /// because an out-of-order cap was reached is said in a warning (once per
    /// direction: `tcp.missing_bytes` counts them all).
    pub fn on_gap(
        &mut self,
        dir: Direction,
        len: u64,
        cause: GapCause,
        frame: FrameNo,
        ts: Timestamp,
        warnings: &mut Vec<Warning>,
    ) {
        let d = dir;
        self.missing[d] = self.missing[d].saturating_add(len);
        if cause == GapCause::BufferCap && !self.cap_gap_warned[d] {
            self.cap_gap_warned[d] = true;
            warnings.push(Warning::at(
                frame,
                format!(
                    "out-of-order TCP data reached its cap ({} MiB per direction, or --max-buffer-mib across all connections): the {len} missing bytes before it were declared lost, and so will later holes of this stream (counted in tcp.missing_bytes)",
                    crate::flow::reassembly::MAX_HELD_PER_DIRECTION >> 20
                ),
            ));
        }
        let state = std::mem::replace(&mut self.dirs[d], DirState::Opaque);
        self.dirs[d] = match state {
            DirState::Tls(mut stream) => {
                let mut ctx = record_context(&mut self.handshake, dir, frame, ts, warnings);
                stream.gap(len, &mut ctx);
                DirState::Tls(stream)
            }
            // A gap in the first bytes: classify what follows afresh.
            DirState::Sniff(buf) if buf.is_empty() => DirState::Sniff(buf),
            _ => DirState::Opaque,
        };
    }

    /// The FIN of direction `dir` was in frame `frame`.
    pub fn fin(&mut self, dir: Direction, frame: FrameNo) {
        self.fin_frame[dir] = Some(frame);
    }

    /// The connection ended (or the capture did): flush what is half-decoded,
    /// and say what the per-connection caps left out.
    pub fn finish(&mut self, frame: FrameNo, ts: Timestamp, warnings: &mut Vec<Warning>) {
        self.flush(frame, ts, warnings);
        let mut left_out = Vec::new();
        if self.http_dropped > 0 {
            left_out.push(format!(
                "{} HTTP exchanges (at most {MAX_HTTP_EXCHANGES} are kept)",
                self.http_dropped
            ));
        }
        if let Some(hs) = &self.handshake {
            if hs.alerts_dropped > 0 {
                left_out.push(format!(
                    "{} TLS alerts (at most {} are kept)",
                    hs.alerts_dropped,
                    tls::handshake::MAX_ALERTS
                ));
            }
            if hs.hellos_dropped > 0 {
                left_out.push(format!(
                    "{} further hellos (at most {} later hellos are kept)",
                    hs.hellos_dropped,
                    tls::handshake::MAX_LATER_HELLOS
                ));
            }
        }
        if !left_out.is_empty() {
            warnings.push(Warning::at(
                frame,
                format!(
                    "the connection ending here had more than its record keeps: {} not listed",
                    left_out.join(", ")
                ),
            ));
        }
    }

    fn flush(&mut self, frame: FrameNo, ts: Timestamp, warnings: &mut Vec<Warning>) {
        for dir in Direction::BOTH {
            let d = dir;
            let state = std::mem::replace(&mut self.dirs[d], DirState::Opaque);
            match state {
                DirState::Sniff(buf) if !buf.is_empty() => {
                    // Fewer than SNIFF_BYTES ever came: classify what there is.
                    let next = self.classify(dir, &buf, &[], frame);
                    self.dirs[d] = next;
                    self.feed(dir, &buf, frame, ts, warnings);
                    if let DirState::Tls(mut stream) =
                        std::mem::replace(&mut self.dirs[d], DirState::Opaque)
                    {
                        let mut ctx = record_context(&mut self.handshake, dir, frame, ts, warnings);
                        stream.finish(&mut ctx);
                    }
                }
                DirState::Tls(mut stream) => {
                    let mut ctx = record_context(&mut self.handshake, dir, frame, ts, warnings);
                    stream.finish(&mut ctx);
                }
                DirState::ResponseBody(body, i) => {
                    if let Some(x) = self.http.get_mut(i) {
                        let last = self.last_data[d].map_or(frame, |(f, _)| f);
                        if body.is_cut() {
                            // Never completed: no body frame, but say how far it got.
                            x.body_cut = Some(http::BodyCut {
                                received: body.received,
                                declared: body.declared(),
                                last_frame: last,
                            });
                        } else {
                            // A body that runs until the close completes at the
                            // sender's FIN (where Wireshark shows it). Ended by a
                            // RST or the capture's end, nothing says it was whole:
                            // no body frame (tshark shows none either), but what
                            // came is still read.
                            let end = self.fin_frame[d].filter(|f| *f >= last);
                            x.set_body(&body.kept, end.unwrap_or(last));
                            x.body_frame = end;
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_7_alerts_over_the_cap_are_warned_not_dropped_silently() {
        let mut s = Session::new(false);
        let mut warnings = Vec::new();
        let mut bytes = vec![22, 3, 1, 0, 4, 1, 0, 0, 0];
        for _ in 0..20 {
            bytes.extend_from_slice(&[21, 3, 3, 0, 2, 1, 0]);
        }
        s.on_data(
            Direction::LoToHi,
            &bytes,
            FrameNo(3),
            Timestamp::default(),
            &mut warnings,
        );
        s.finish(FrameNo(9), Timestamp::default(), &mut warnings);
        let text: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        assert!(
            text.iter()
                .any(|w| w.contains("4 TLS alerts (at most 16 are kept)")),
            "{text:?}"
        );
    }

    #[test]
    fn issue_7_shed_decodes_a_partial_client_hello_as_cut_and_warns() {
        let mut s = Session::new(false);
        let mut warnings = Vec::new();
        // A record claiming 300 bytes with a ClientHello claiming 296, 20 sent.
        let mut bytes = vec![22, 3, 1, 1, 44, 1, 0, 1, 40, 3, 3];
        bytes.extend_from_slice(&[7; 14]);
        s.on_data(
            Direction::LoToHi,
            &bytes,
            FrameNo(4),
            Timestamp::default(),
            &mut warnings,
        );
        assert!(s.buffered() > 0);
        assert!(s.shed(FrameNo(5), Timestamp::default(), 1 << 20, &mut warnings));
        assert_eq!(s.buffered(), 0);
        let ch = s.handshake.as_ref().and_then(|h| h.client_hello.as_ref());
        assert!(ch.is_some_and(|c| c.truncated), "{ch:?}");
        assert!(
            warnings.iter().any(|w| w
                .to_string()
                .contains("lost a TLS ClientHello of 296 bytes, decoded from its first 16")),
            "{warnings:?}"
        );
        // The rest of the record passes without being collected.
        s.on_data(
            Direction::LoToHi,
            &[0; 280],
            FrameNo(6),
            Timestamp::default(),
            &mut warnings,
        );
        assert_eq!(s.buffered(), 0);
    }
}
