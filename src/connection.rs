//! Connection records: one TCP connection's TCP state, streams and session facts
//! joined into the contract's [`Connection`] (plus a timeline for `explain`).
//!
//! [`ConnectionTracker`] is the live state while packets arrive: TCP flags, the
//! two [`Reassembler`]s and the [`Session`]. [`ConnectionTracker::finish`]
//! settles who the client is and turns it into the immutable record that the
//! diagnosis and the reports read.

use serde::Serialize;

use crate::capture::{FrameNo, Timestamp};
use crate::error::Warning;
use crate::flow::reassembly::{Budget, OutOfWindow, Reassembler, StreamEvent};
use crate::flow::tcp::{At, TcpOutcome, TcpState};
use crate::flow::{Direction, Endpoint, FlowKey, PerDirection};
use crate::packet::TcpSegment;
use crate::session::Session;
use crate::session::http::HttpExchange;
use crate::session::proxy::ProxyTunnel;
use crate::tls::certificate::Certificate;
use crate::tls::client_hello::ClientHello;
use crate::tls::codepoints::handshake_name;
use crate::tls::handshake::{Alert, Handshake, LaterHello};
use crate::tls::server_hello::ServerHello;

/// Timeline entries kept per connection.
pub const MAX_TIMELINE: usize = 64;

/// How the TLS handshake went (the contract's `tls.outcome`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TlsOutcome {
    /// A plaintext fatal alert during the handshake.
    Failed,
    /// A RST during the handshake.
    Reset,
    /// ClientHello sent; the server sent nothing after it.
    NoResponse,
    /// The capture or connection ends before both sides finished.
    Incomplete,
    /// ServerHello, no fatal alert, and encrypted traffic both ways.
    Established,
}

/// The contract's `tcp` object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TcpSummary {
    /// How the connection went.
    pub outcome: TcpOutcome,
    /// SYNs after the first.
    pub syn_retransmits: u32,
    /// The first SYN's frame.
    pub syn_frame: Option<FrameNo>,
    /// The SYN-ACK's frame.
    pub syn_ack_frame: Option<FrameNo>,
    /// Seconds from the first to the last SYN (how long the client tried).
    pub syn_duration: Option<f64>,
    /// The first RST: frame and who sent it.
    pub rst: Option<TcpEnd>,
    /// The first FIN: frame and who sent it.
    pub fin: Option<TcpEnd>,
    /// Payload bytes from the client.
    pub client_bytes: u64,
    /// Payload bytes from the server.
    pub server_bytes: u64,
    /// Bytes missing from the capture (both directions).
    pub missing_bytes: u64,
    /// Of `missing_bytes`, those the server sent (not in the contract).
    #[serde(skip)]
    pub server_missing_bytes: u64,
    /// Segments ignored as far outside the sequence space (corrupt headers;
    /// not in the contract: a warning says it).
    #[serde(skip)]
    pub out_of_window: OutOfWindow,
    /// Segments that only repeated bytes already seen.
    pub retransmitted_segments: u32,
    /// Segments that arrived ahead of a hole.
    pub out_of_order_segments: u32,
    /// Packets the client sent.
    pub client_packets: u32,
    /// Packets the server sent (0 with data from the client only: a silent
    /// server, or a capture of one direction).
    pub server_packets: u32,
}

/// A FIN or RST: where, and from whom.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TcpEnd {
    /// Frame.
    pub frame: FrameNo,
    /// `client` or `server`.
    pub from: &'static str,
    /// When.
    #[serde(skip)]
    pub ts: Timestamp,
}

/// The contract's `tls` object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tls {
    /// The first ClientHello.
    pub client_hello: Option<ClientHello>,
    /// The HelloRetryRequest.
    pub hello_retry_request: Option<ServerHello>,
    /// The ClientHello answering the HelloRetryRequest.
    pub second_client_hello: Option<ClientHello>,
    /// The ServerHello.
    pub server_hello: Option<ServerHello>,
    /// Further plaintext hellos.
    pub later_hellos: Vec<LaterHello>,
    /// The server's chain as sent (TLS ≤ 1.2).
    pub certificates: Vec<Certificate>,
    /// A chain the client sent (client authentication).
    pub client_certificates: Vec<Certificate>,
    /// Alerts, in order.
    pub alerts: Vec<Alert>,
    /// Outcome.
    pub outcome: TlsOutcome,
    /// Frame at which both sides had switched to encrypted traffic.
    pub established_frame: Option<FrameNo>,
    /// Non-TLS bytes one side sent where TLS was expected.
    pub not_tls: Option<NotTls>,
    /// The server's (EC)DHE group (TLS ≤ 1.2 ServerKeyExchange).
    pub server_key_exchange: Option<crate::tls::key_exchange::ServerKeyExchange>,
    /// First application-data record the client sent (null: it never sent
    /// data, e.g. it gave up right after the handshake).
    pub client_data_frame: Option<FrameNo>,
    /// First application-data record the server sent.
    pub server_data_frame: Option<FrameNo>,
    /// Encrypted records the server sent after the client's first one, and
    /// the first of them (TLS 1.3: what answered the client's Finished).
    #[serde(skip)]
    pub server_records_after_client: (u32, Option<crate::tls::handshake::ServerRecord>),
    /// The client's first alert-sized record after its first encrypted one.
    #[serde(skip)]
    pub client_short_record: Option<FrameNo>,
}

/// A side that answered TLS with something else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotTls {
    /// Frame.
    pub frame: FrameNo,
    /// `client` or `server`.
    pub from: &'static str,
    /// The first line of what it sent (escaped for display by the reports).
    pub sample: String,
}

/// One entry of a connection's ladder diagram.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEvent {
    /// Frame.
    pub frame: FrameNo,
    /// Time.
    pub ts: Timestamp,
    /// Sent by the client (else the server).
    pub from_client: bool,
    /// What happened, in a few words.
    pub what: std::borrow::Cow<'static, str>,
}

/// One TCP connection, as the contract describes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Connection {
    /// Order of first frame, from 0.
    pub id: u32,
    /// The side that opened the connection.
    pub client: Endpoint,
    /// The side that accepted it.
    pub server: Endpoint,
    /// First frame.
    pub first_frame: FrameNo,
    /// Last frame.
    pub last_frame: FrameNo,
    /// Time of the first frame.
    pub start: Timestamp,
    /// Seconds from the first to the last frame.
    pub duration: f64,
    /// TCP facts.
    pub tcp: TcpSummary,
    /// The CONNECT tunnel, if the client asked for one.
    pub proxy: Option<ProxyTunnel>,
    /// Plaintext HTTP exchanges outside a tunnel.
    pub http: Vec<HttpExchange>,
    /// TLS, if a TLS record was seen.
    pub tls: Option<Tls>,
    /// Ladder diagram (not part of the JSON contract).
    #[serde(skip)]
    pub timeline: Vec<TimelineEvent>,
    /// Time of the last frame.
    #[serde(skip)]
    pub end: Timestamp,
    /// When the connection was still open as the capture ended: the time of
    /// the capture's last frame (how long anyone waited for an answer).
    #[serde(skip)]
    pub open_at_capture_end: Option<Timestamp>,
}

impl Connection {
    /// The server name the client wanted: SNI, else CONNECT host, else the
    /// Host of its first plaintext HTTP request (without a port).
    pub fn server_name(&self) -> Option<&str> {
        self.tls
            .as_ref()
            .and_then(|t| t.client_hello.as_ref())
            .and_then(|c| c.sni.as_deref())
            .or(self.proxy.as_ref().map(|p| p.host.as_str()))
            .or_else(|| {
                let host = self.http.iter().find_map(|x| x.host.as_deref())?;
                Some(match host.rsplit_once(':') {
                    Some((h, p)) if !h.contains(':') && p.parse::<u16>().is_ok() => h,
                    _ => host,
                })
            })
    }

    /// The port of the service the client wanted: the CONNECT port; for
    /// plaintext HTTP to a forward proxy (an absolute URL), the URL's port;
    /// else the server's port.
    pub fn service_port(&self) -> u16 {
        if let Some(p) = &self.proxy {
            return p.port.unwrap_or(self.server.port);
        }
        self.http
            .iter()
            .find_map(|x| x.path.as_deref())
            .and_then(absolute_url_port)
            .unwrap_or(self.server.port)
    }
}

/// The port of an absolute `http://` / `https://` URL (its default when none
/// is written); `None` for any other request target.
fn absolute_url_port(target: &str) -> Option<u16> {
    let (scheme, rest) = target.split_once("://")?;
    let default = match scheme.to_ascii_lowercase().as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    Some(match authority.rsplit_once(':') {
        Some((host, port))
            if !host.ends_with(':') && (!host.contains(':') || host.ends_with(']')) =>
        {
            port.parse().unwrap_or(default)
        }
        _ => default,
    })
}

/// A connection while its packets arrive.
#[derive(Debug)]
pub struct ConnectionTracker {
    id: u32,
    key: FlowKey,
    first: At,
    last: At,
    tcp: TcpState,
    streams: PerDirection<Reassembler>,
    /// Created with the first payload byte: a connection that never carries
    /// data (a SYN flood, a refused port) costs no session state.
    session: Option<Box<Session>>,
    /// One end is TCP port 53 (the session decodes DNS over TCP).
    dns_port: bool,
}

impl ConnectionTracker {
    /// A new connection whose first packet is `frame`.
    pub fn new(id: u32, key: FlowKey, frame: FrameNo, ts: Timestamp) -> Self {
        let dns = key.lo.port == 53 || key.hi.port == 53;
        Self {
            id,
            key,
            first: (frame, ts),
            last: (frame, ts),
            tcp: TcpState::default(),
            streams: PerDirection::default(),
            session: None,
            dns_port: dns,
        }
    }

    /// This connection's id.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// Time of its last packet.
    pub fn last_seen(&self) -> Timestamp {
        self.last.1
    }

    /// Whether FIN both ways or a RST was seen.
    pub fn is_closed(&self) -> bool {
        self.tcp.is_closed()
    }

    /// Whether `seg` starts a new connection on this one's addresses (port
    /// reuse): a fresh SYN after this one closed.
    pub fn is_reuse(&self, seg: &TcpSegment<'_>) -> bool {
        seg.flags.syn && !seg.flags.ack && self.tcp.is_closed()
    }

    /// Takes one segment.
    pub fn on_segment(
        &mut self,
        dir: Direction,
        seg: &TcpSegment<'_>,
        frame: FrameNo,
        ts: Timestamp,
        budget: &mut Budget,
        warnings: &mut Vec<Warning>,
    ) {
        self.last = (frame, ts);
        self.tcp.on_packet(dir, seg.flags, frame, ts);
        if seg.wire_len > 0 && self.session.is_none() {
            self.session = Some(Box::new(Session::new(self.dns_port)));
        }
        let Some(session) = self.session.as_deref_mut() else {
            // No payload yet: only sequence numbers to follow.
            self.streams[dir].push(seg, frame, ts, budget, &mut |_| {});
            if seg.flags.ack {
                self.streams[dir.reverse()].acked(seg.ack, frame, budget, &mut |_| {});
            }
            return;
        };
        let mut sink = |ev: StreamEvent<'_>| session.on_stream_event(dir, ev, ts, warnings);
        self.streams[dir].push(seg, frame, ts, budget, &mut sink);
        if seg.flags.ack {
            // The acknowledgement may prove the other direction lost bytes.
            let other = dir.reverse();
            let mut sink = |ev: StreamEvent<'_>| session.on_stream_event(other, ev, ts, warnings);
            self.streams[other].acked(seg.ack, frame, budget, &mut sink);
        }
    }

    /// Heap bytes its session holds for partial messages (the capture-wide
    /// buffering cap counts them).
    pub fn buffered(&self) -> usize {
        self.session.as_deref().map_or(0, Session::buffered)
    }

    /// Gives up its partial messages under the capture's buffering cap, with a
    /// warning (once) saying what was lost; true when that warning was given now.
    pub fn shed_buffers(
        &mut self,
        frame: FrameNo,
        ts: Timestamp,
        cap: usize,
        warnings: &mut Vec<Warning>,
    ) -> bool {
        self.session
            .as_deref_mut()
            .is_some_and(|s| s.shed(frame, ts, cap, warnings))
    }

    /// DNS messages decoded from this (TCP port 53) connection since the last call.
    pub fn take_dns_messages(
        &mut self,
    ) -> Vec<(
        crate::session::dns::DnsMessage,
        Endpoint,
        Endpoint,
        FrameNo,
        Timestamp,
    )> {
        let key = self.key;
        let Some(session) = self.session.as_deref_mut() else {
            return Vec::new();
        };
        session
            .dns_messages
            .drain(..)
            .map(|(m, dir, f, t)| (m, key.source(dir), key.source(dir.reverse()), f, t))
            .collect()
    }

    /// Which direction is the client: from the SYN, else from the content
    /// (ClientHello, CONNECT, request), else the side with the higher port.
    fn client_direction_with(&self, session: &Session) -> Direction {
        if let Some(d) = self.tcp.syn_dir {
            return d;
        }
        let session = Some(session);
        if let Some(d) = session
            .and_then(|s| s.handshake.as_deref())
            .and_then(Handshake::client_direction)
            .or(session.and_then(|s| s.client_by_content))
        {
            return d;
        }
        if self.key.lo.port < self.key.hi.port {
            Direction::HiToLo
        } else if self.key.hi.port < self.key.lo.port {
            Direction::LoToHi
        } else {
            self.tcp.first_dir.unwrap_or(Direction::LoToHi)
        }
    }

    /// Ends the connection: flushes the streams and builds the record.
    pub fn finish(mut self, budget: &mut Budget, warnings: &mut Vec<Warning>) -> Connection {
        let (last_frame, last_ts) = self.last;
        let mut session = self
            .session
            .take()
            .unwrap_or_else(|| Box::new(Session::new(self.dns_port)));
        let mut out_of_window = OutOfWindow::default();
        for dir in Direction::BOTH {
            let session = &mut session;
            let mut sink =
                |ev: StreamEvent<'_>| session.on_stream_event(dir, ev, last_ts, warnings);
            out_of_window = out_of_window.merge(self.streams[dir].finish(budget, &mut sink));
        }
        for dir in Direction::BOTH {
            if let Some((frame, _)) = self.tcp.fin[dir] {
                session.fin(dir, frame);
            }
        }
        session.finish(last_frame, last_ts, warnings);
        let client_dir = self.client_direction_with(&session);
        let c = client_dir;
        let s = client_dir.reverse();
        let role = |d: Direction| if d == client_dir { "client" } else { "server" };
        let end_of = |ends: &PerDirection<Option<At>>| -> Option<TcpEnd> {
            ends.iter()
                .filter_map(|(d, at)| at.map(|a| (a, d)))
                .min_by_key(|((frame, _), _)| *frame)
                .map(|((frame, ts), d)| TcpEnd {
                    frame,
                    ts,
                    from: role(d),
                })
        };
        let stats = PerDirection::from_fn(|d| self.streams[d].stats());
        let tcp = TcpSummary {
            outcome: self.tcp.outcome(client_dir),
            syn_retransmits: self.tcp.syn_retransmits(),
            syn_frame: self.tcp.first_syn.map(|a| a.0),
            syn_ack_frame: self.tcp.syn_ack.map(|a| a.0),
            syn_duration: match (self.tcp.first_syn, self.tcp.last_syn) {
                (Some(a), Some(b)) => Some(b.1.seconds_since(a.1)),
                _ => None,
            },
            rst: end_of(&self.tcp.rst),
            fin: end_of(&self.tcp.fin),
            client_bytes: session.bytes[c],
            server_bytes: session.bytes[s],
            missing_bytes: stats
                .lo_to_hi
                .missing_bytes
                .saturating_add(stats.hi_to_lo.missing_bytes),
            server_missing_bytes: stats[s].missing_bytes,
            out_of_window,
            retransmitted_segments: stats
                .lo_to_hi
                .retransmitted
                .saturating_add(stats.hi_to_lo.retransmitted),
            out_of_order_segments: stats
                .lo_to_hi
                .out_of_order
                .saturating_add(stats.hi_to_lo.out_of_order),
            client_packets: self.tcp.packets[c],
            server_packets: self.tcp.packets[s],
        };

        let proxy = session.proxy.take();
        let http = std::mem::take(&mut session.http);
        let start = self.first.1;
        // The timeline reads the handshake first; then its hellos, chain and
        // alerts move into the record instead of being cloned.
        let hs = session.handshake.take();
        let timeline = timeline(
            proxy.as_ref(),
            &http,
            start,
            &self.tcp,
            hs.as_deref(),
            client_dir,
            &session.frame_times,
        );
        let tls = hs.map(|hs| build_tls(*hs, client_dir, &tcp, &session));
        let (client, server) = (
            self.key.source(client_dir),
            self.key.source(client_dir.reverse()),
        );
        Connection {
            id: self.id,
            client,
            server,
            first_frame: self.first.0,
            last_frame,
            start,
            duration: last_ts.seconds_since(start),
            tcp,
            proxy,
            http,
            tls,
            timeline,
            end: last_ts,
            open_at_capture_end: None,
        }
    }
}

fn build_tls(hs: Handshake, client_dir: Direction, tcp: &TcpSummary, session: &Session) -> Tls {
    let s = client_dir.reverse();
    let completed_at = hs.completed_at();
    let during_handshake = |frame: FrameNo| completed_at.is_none_or(|(f, _)| frame <= f);
    let fatal = hs
        .alerts
        .iter()
        .find(|a| a.is_fatal() && during_handshake(a.frame));
    let rst_during = tcp.rst.is_some_and(|r| during_handshake(r.frame)) && completed_at.is_none();
    let ch_frame = hs.client_hello.as_ref().map(|c| c.frame);
    // Bytes the server sent that the capture missed (its FIN or the client's
    // acknowledgements say so) are an answer too: not "no response".
    let server_after_hello = match (ch_frame, session.last_data[s]) {
        (Some(ch), Some((last, _))) => last > ch,
        (Some(_), None) => tcp.server_missing_bytes > 0,
        (None, _) => true,
    };
    let outcome = if fatal.is_some() {
        TlsOutcome::Failed
    } else if rst_during {
        TlsOutcome::Reset
    } else if ch_frame.is_some() && !server_after_hello {
        TlsOutcome::NoResponse
    } else if completed_at.is_some() {
        TlsOutcome::Established
    } else {
        TlsOutcome::Incomplete
    };
    let role = |d: Direction| if d == client_dir { "client" } else { "server" };
    let not_tls = hs.not_tls.iter().find_map(|(d, nt)| {
        nt.as_ref().map(|(frame, sample)| NotTls {
            frame: *frame,
            from: role(d),
            sample: sample.clone(),
        })
    });
    let established_frame = completed_at.map(|(f, _)| f);
    let alerts = hs
        .alerts
        .iter()
        .map(|a| Alert::from_record(a, client_dir))
        .collect();
    let (certificates, client_certificates) = hs
        .certificates
        .into_iter()
        .map(|(d, c)| (d == client_dir, c))
        .partition::<Vec<_>, _>(|(from_client, _)| !from_client);
    let client_data_frame = hs.application_data[client_dir].map(|(f, _)| f);
    let server_data_frame = hs.application_data[client_dir.reverse()].map(|(f, _)| f);
    Tls {
        client_hello: hs.client_hello,
        hello_retry_request: hs.hello_retry_request,
        second_client_hello: hs.second_client_hello,
        server_hello: hs.server_hello,
        later_hellos: hs.later_hellos,
        certificates: certificates.into_iter().map(|(_, c)| c).collect(),
        client_certificates: client_certificates.into_iter().map(|(_, c)| c).collect(),
        alerts,
        outcome,
        established_frame,
        not_tls,
        server_key_exchange: hs.server_key_exchange,
        client_data_frame,
        server_data_frame,
        server_records_after_client: hs.server_records_after_client,
        client_short_record: hs.client_short_record,
    }
}

/// Adds a timeline entry; most entries are fixed words, borrowed, not allocated.
fn push_event(
    events: &mut Vec<TimelineEvent>,
    frame: FrameNo,
    ts: Timestamp,
    from_client: bool,
    what: impl Into<std::borrow::Cow<'static, str>>,
) {
    events.push(TimelineEvent {
        frame,
        ts,
        from_client,
        what: what.into(),
    });
}

/// The ladder diagram: TCP control, proxy, HTTP and TLS events by frame.
fn timeline(
    proxy: Option<&ProxyTunnel>,
    http: &[HttpExchange],
    start: Timestamp,
    tcp: &TcpState,
    hs: Option<&Handshake>,
    client_dir: Direction,
    frame_times: &[(FrameNo, Timestamp)],
) -> Vec<TimelineEvent> {
    // Sized once: SYNs, FINs, hellos, the other messages, alerts, HTTP.
    let mut events = Vec::with_capacity(
        12 + http.len() * 2 + hs.map_or(0, |h| h.messages.len() + h.alerts.len()),
    );
    let c = client_dir;
    if let Some((f, t)) = tcp.first_syn {
        push_event(&mut events, f, t, true, "SYN");
    }
    if let (Some((f, t)), n) = (tcp.last_syn, tcp.syn_retransmits()) {
        if n > 0 {
            push_event(
                &mut events,
                f,
                t,
                true,
                format!("SYN (retransmission #{n})"),
            );
        }
    }
    if let Some((f, t)) = tcp.syn_ack {
        push_event(&mut events, f, t, false, "SYN-ACK");
    }
    for (d, fin) in tcp.fin.iter() {
        if let Some((f, t)) = fin {
            push_event(&mut events, *f, *t, d == c, "FIN");
        }
    }
    for (d, rst) in tcp.rst.iter() {
        if let Some((f, t)) = rst {
            push_event(&mut events, *f, *t, d == c, "RST");
        }
    }
    let at = |frame: FrameNo| -> Timestamp {
        frame_times
            .iter()
            .find(|(f, _)| *f == frame)
            .map_or(start, |(_, t)| *t)
    };
    if let Some(p) = proxy {
        let port = p.port.map(|p| format!(":{p}")).unwrap_or_default();
        push_event(
            &mut events,
            p.request_frame,
            at(p.request_frame),
            true,
            format!("CONNECT {}{port}", p.host),
        );
        if let (Some(f), Some(status)) = (p.response_frame, p.status) {
            let reason = p.reason.clone().unwrap_or_default();
            push_event(
                &mut events,
                f,
                at(f),
                false,
                format!("HTTP {status} {reason}").trim_end().to_string(),
            );
        }
    }
    for x in http {
        if let Some(f) = x.request_frame {
            push_event(
                &mut events,
                f,
                at(f),
                true,
                format!(
                    "{} {}",
                    x.method.as_deref().unwrap_or("?"),
                    x.path.as_deref().unwrap_or("?")
                ),
            );
        }
        if let (Some(f), Some(s)) = (x.response_frame, x.status) {
            push_event(
                &mut events,
                f,
                at(f),
                false,
                format!("HTTP {s} {}", x.reason.as_deref().unwrap_or(""))
                    .trim_end()
                    .to_string(),
            );
        }
    }
    if let Some(hs) = hs {
        let from_client = |d: Direction| d == client_dir;
        if let Some(ch) = &hs.client_hello {
            let what = match &ch.cipher_suites {
                Some(list) => format!("ClientHello ({} suites)", list.len()),
                None => "ClientHello (cut by the capture)".to_string(),
            };
            push_event(&mut events, ch.frame, at(ch.frame), true, what);
        }
        if let Some(h) = &hs.hello_retry_request {
            push_event(
                &mut events,
                h.frame,
                at(h.frame),
                false,
                "HelloRetryRequest",
            );
        }
        if let Some(ch) = &hs.second_client_hello {
            push_event(
                &mut events,
                ch.frame,
                at(ch.frame),
                true,
                "ClientHello (retry)",
            );
        }
        if let Some(sh) = &hs.server_hello {
            let suite = sh
                .cipher_suite
                .map(|s| format!(" {}", s.name().unwrap_or("?")))
                .unwrap_or_default();
            push_event(
                &mut events,
                sh.frame,
                at(sh.frame),
                false,
                format!("ServerHello{suite}"),
            );
        }
        for m in &hs.messages {
            push_event(
                &mut events,
                m.frame,
                m.ts,
                from_client(m.dir),
                handshake_name(m.kind),
            );
        }
        for (d, ccs) in hs.change_cipher_spec.iter() {
            if let Some((f, t)) = ccs {
                push_event(&mut events, *f, *t, d == c, "ChangeCipherSpec");
            }
        }
        for (d, app) in hs.application_data.iter() {
            if let Some((f, t)) = app {
                push_event(&mut events, *f, *t, d == c, "encrypted data");
            }
        }
        for a in &hs.alerts {
            let what = match a.plain {
                Some((level, desc)) => format!(
                    "Alert {} {} ({desc})",
                    if level == 2 { "fatal" } else { "warning" },
                    crate::tls::codepoints::alert_name(desc).unwrap_or("unknown")
                ),
                None => "Alert (encrypted)".into(),
            };
            push_event(&mut events, a.frame, a.ts, from_client(a.dir), what);
        }
    }
    events.sort_by_key(|e| e.frame);
    events.truncate(MAX_TIMELINE);
    events
}

#[cfg(test)]
mod tests {
    /// A live connection's own state is what a SYN flood multiplies by the flow
    /// cap: keep it small (session and handshake live behind boxes, made only
    /// when bytes arrive).
    #[test]
    fn tracker_stays_small() {
        assert!(std::mem::size_of::<super::ConnectionTracker>() <= 512);
        assert!(std::mem::size_of::<crate::session::Session>() <= 768);
    }

    #[test]
    fn ports_of_absolute_urls() {
        use super::absolute_url_port as port;
        assert_eq!(port("http://otx.alienvault.com/taxii/poll/"), Some(80));
        assert_eq!(port("HTTP://feed.example:8080"), Some(8080));
        assert_eq!(port("https://u:p@feed.example:8443/x?y=1:2"), Some(8443));
        assert_eq!(port("http://[2001:db8::1]:81/"), Some(81));
        assert_eq!(port("http://[2001:db8::1]/"), Some(80));
        assert_eq!(port("/taxii/poll/"), None);
        assert_eq!(port("ftp://host/"), None);
    }
}
