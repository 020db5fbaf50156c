//! One connection's TLS handshake: what both directions' record decoders saw,
//! joined into the contract's `tls` object and its outcome.
//!
//! Decoders report by [`Direction`]; which direction is the client is settled
//! when the record is finished ([`Handshake::finish`]), from the TCP handshake
//! or the hellos themselves, so captures that start mid-stream work too.

use serde::Serialize;

use crate::capture::{FrameNo, Timestamp};
use crate::flow::{Direction, PerDirection};
use crate::tls::certificate::Certificate;
use crate::tls::client_hello::ClientHello;
use crate::tls::codepoints::{ProtocolVersion, alert_name};
use crate::tls::server_hello::ServerHello;

/// Handshake messages kept per connection for the timeline (beyond the hellos).
pub const MAX_MESSAGES: usize = 32;
/// Alerts kept per connection.
pub const MAX_ALERTS: usize = 16;
/// Extra hellos kept per connection (`later_hellos`).
pub const MAX_LATER_HELLOS: usize = 8;

/// An alert record as seen on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertRecord {
    /// The frame that completed it.
    pub frame: FrameNo,
    /// When.
    pub ts: Timestamp,
    /// Who sent it.
    pub dir: Direction,
    /// `(level, description)` when readable; `None` when encrypted.
    pub plain: Option<(u8, u8)>,
}

impl AlertRecord {
    /// Whether this is a readable fatal alert.
    pub fn is_fatal(&self) -> bool {
        matches!(self.plain, Some((2, _)))
    }
}

/// A handshake message other than the hellos, for the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandshakeMessage {
    /// Frame that completed it.
    pub frame: FrameNo,
    /// When.
    pub ts: Timestamp,
    /// Who sent it.
    pub dir: Direction,
    /// Handshake type (RFC 8446 §4).
    pub kind: u8,
}

/// A hello after the ones the contract names.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LaterHello {
    /// Another ClientHello.
    ClientHello(ClientHello),
    /// Another ServerHello.
    ServerHello(ServerHello),
}

/// Everything seen of one connection's TLS, by direction.
#[derive(Debug, Clone, Default)]
pub struct Handshake {
    /// Direction of the first ClientHello.
    pub client_hello_dir: Option<Direction>,
    /// Direction of the first ServerHello (or HelloRetryRequest).
    pub server_hello_dir: Option<Direction>,
    /// The first ClientHello.
    pub client_hello: Option<ClientHello>,
    /// The HelloRetryRequest, if any.
    pub hello_retry_request: Option<ServerHello>,
    /// The ClientHello answering it.
    pub second_client_hello: Option<ClientHello>,
    /// The (real) ServerHello.
    pub server_hello: Option<ServerHello>,
    /// Any further plaintext hellos.
    pub later_hellos: Vec<LaterHello>,
    /// The server's chain (TLS ≤ 1.2), with the direction that sent it.
    pub certificates: Vec<(Direction, Certificate)>,
    /// Alerts, in order.
    pub alerts: Vec<AlertRecord>,
    /// Other handshake messages, in order (capped).
    pub messages: Vec<HandshakeMessage>,
    /// First ChangeCipherSpec per direction.
    pub change_cipher_spec: PerDirection<Option<(FrameNo, Timestamp)>>,
    /// First application-data record per direction.
    pub application_data: PerDirection<Option<(FrameNo, Timestamp)>>,
    /// Application-data records the server sent after the client's first one
    /// (TLS 1.3: after the client's Finished), and the first of them.
    pub server_records_after_client: (u32, Option<ServerRecord>),
    /// The first alert-sized application-data record the client sent after
    /// its first one (its close_notify, as a rule).
    pub client_short_record: Option<FrameNo>,
    /// First TLS record per direction.
    pub first_record: PerDirection<Option<(FrameNo, Timestamp)>>,
    /// Bytes of non-TLS data a direction sent where TLS was expected (e.g. an
    /// HTTP server answering a ClientHello), with the frame and a sample.
    pub not_tls: PerDirection<Option<(FrameNo, String)>>,
    /// Alerts that did not fit under [`MAX_ALERTS`].
    pub alerts_dropped: u32,
    /// Hellos that did not fit under [`MAX_LATER_HELLOS`].
    pub hellos_dropped: u32,
    /// The server's (EC)DHE parameters (TLS ≤ 1.2).
    pub server_key_exchange: Option<crate::tls::key_exchange::ServerKeyExchange>,
}

/// One encrypted record: where, when, how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerRecord {
    /// The frame that carries its header.
    pub frame: FrameNo,
    /// When.
    pub ts: Timestamp,
    /// Its length (ciphertext, tag included).
    pub len: usize,
}

impl Handshake {
    /// The negotiated version, once a ServerHello (or HelloRetryRequest) said it.
    pub fn negotiated(&self) -> Option<ProtocolVersion> {
        self.server_hello
            .as_ref()
            .or(self.hello_retry_request.as_ref())
            .and_then(|h| h.version)
    }

    /// Whether records of `dir` are encrypted: after its ChangeCipherSpec in
    /// TLS ≤ 1.2 (TLS 1.3's ChangeCipherSpec is a middlebox-compatibility dummy).
    pub fn is_encrypted(&self, dir: Direction) -> bool {
        self.change_cipher_spec[dir].is_some()
            && !self.negotiated().is_some_and(ProtocolVersion::is_tls13)
    }

    /// Records a ClientHello.
    pub fn on_client_hello(&mut self, dir: Direction, hello: ClientHello) {
        if self.client_hello.is_none() {
            self.client_hello_dir = Some(dir);
            self.client_hello = Some(hello);
        } else if self.hello_retry_request.is_some()
            && self.second_client_hello.is_none()
            && self.server_hello.is_none()
        {
            self.second_client_hello = Some(hello);
        } else if self.later_hellos.len() < MAX_LATER_HELLOS {
            self.later_hellos.push(LaterHello::ClientHello(hello));
        } else {
            self.hellos_dropped = self.hellos_dropped.saturating_add(1);
        }
    }

    /// Records a ServerHello or HelloRetryRequest.
    pub fn on_server_hello(&mut self, dir: Direction, hello: ServerHello) {
        self.server_hello_dir.get_or_insert(dir);
        if hello.is_retry_request
            && self.hello_retry_request.is_none()
            && self.server_hello.is_none()
        {
            self.hello_retry_request = Some(hello);
        } else if self.server_hello.is_none() {
            self.server_hello = Some(hello);
        } else if self.later_hellos.len() < MAX_LATER_HELLOS {
            self.later_hellos.push(LaterHello::ServerHello(hello));
        } else {
            self.hellos_dropped = self.hellos_dropped.saturating_add(1);
        }
    }

    /// Records a certificate chain.
    pub fn on_certificates(&mut self, dir: Direction, chain: Vec<Certificate>) {
        // Keep the first chain per direction (the server's, and a client's if
        // it authenticates); renegotiations repeat them.
        if self.certificates.iter().any(|(d, _)| *d == dir) {
            return;
        }
        self.certificates
            .extend(chain.into_iter().map(|c| (dir, c)));
    }

    /// Records another handshake message.
    pub fn on_message(&mut self, msg: HandshakeMessage) {
        if self.messages.len() < MAX_MESSAGES {
            self.messages.push(msg);
        }
    }

    /// Records an alert.
    pub fn on_alert(&mut self, alert: AlertRecord) {
        if self.alerts.len() < MAX_ALERTS {
            self.alerts.push(alert);
        } else {
            self.alerts_dropped = self.alerts_dropped.saturating_add(1);
        }
    }

    /// Records a ChangeCipherSpec.
    pub fn on_change_cipher_spec(&mut self, dir: Direction, frame: FrameNo, ts: Timestamp) {
        self.change_cipher_spec[dir].get_or_insert((frame, ts));
    }

    /// Records an application-data record of `len` bytes.
    pub fn on_application_data(
        &mut self,
        dir: Direction,
        frame: FrameNo,
        ts: Timestamp,
        len: usize,
    ) {
        let later = self.application_data[dir].is_some();
        self.application_data[dir].get_or_insert((frame, ts));
        let from_server = self.client_direction().is_some_and(|c| c != dir);
        if !from_server && later && matches!(len, 11 | 19) {
            // Alert-sized: most likely the client's close_notify.
            self.client_short_record.get_or_insert(frame);
        }
        if from_server && self.application_data[dir.reverse()].is_some() {
            let (n, first) = &mut self.server_records_after_client;
            *n = n.saturating_add(1);
            first.get_or_insert(ServerRecord { frame, ts, len });
        }
    }

    /// Records that a direction carried a TLS record.
    pub fn on_record(&mut self, dir: Direction, frame: FrameNo, ts: Timestamp) {
        self.first_record[dir].get_or_insert((frame, ts));
    }

    /// Which direction is the client according to the hellos, if they tell.
    pub fn client_direction(&self) -> Option<Direction> {
        self.client_hello_dir
            .or(self.server_hello_dir.map(Direction::reverse))
    }

    /// Whether the handshake finished: a ServerHello, and both sides went on to
    /// encrypted traffic (both ChangeCipherSpecs in TLS ≤ 1.2; application-data
    /// records both ways in TLS 1.3, where ChangeCipherSpec means nothing).
    pub fn completed(&self) -> bool {
        if self.server_hello.is_none() {
            return false;
        }
        let both = |x: &PerDirection<Option<(FrameNo, Timestamp)>>| x.all(Option::is_some);
        if self.negotiated().is_some_and(ProtocolVersion::is_tls13) {
            both(&self.application_data)
        } else {
            both(&self.change_cipher_spec) || both(&self.application_data)
        }
    }

    /// The first readable fatal alert.
    pub fn first_fatal_alert(&self) -> Option<&AlertRecord> {
        self.alerts.iter().find(|a| a.is_fatal())
    }

    /// The frame and time at which the handshake completed, if it did: the
    /// later of the two directions' first encrypted records. In TLS 1.3 only
    /// application-data records count: a ChangeCipherSpec there is a dummy sent
    /// before anything is encrypted, even before the second ClientHello
    /// (tls13-hrr.pcapng: both dummies by frame 8, the client's Finished at 12).
    pub fn completed_at(&self) -> Option<(FrameNo, Timestamp)> {
        if !self.completed() {
            return None;
        }
        let tls13 = self.negotiated().is_some_and(ProtocolVersion::is_tls13);
        let pick = |dir: Direction| {
            let ccs = self.change_cipher_spec[dir].filter(|_| !tls13);
            let app = self.application_data[dir];
            match (ccs, app) {
                (Some(c), Some(a)) => Some(if c.0 <= a.0 { c } else { a }),
                (c, a) => c.or(a),
            }
        };
        match (pick(Direction::LoToHi), pick(Direction::HiToLo)) {
            (Some(a), Some(b)) => Some(if a.0 >= b.0 { a } else { b }),
            _ => None,
        }
    }
}

/// Contract form of an alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    /// The frame that completed it.
    pub frame: FrameNo,
    /// `client` or `server`.
    pub from: &'static str,
    /// Whether it could not be read (after ChangeCipherSpec in TLS ≤ 1.2).
    pub encrypted: bool,
    /// `warning` / `fatal`, or null when encrypted.
    pub level: Option<&'static str>,
    /// The description code, or null when encrypted.
    pub description: Option<u8>,
    /// The description's RFC name, or null.
    pub name: Option<&'static str>,
}

impl Alert {
    /// The contract form of `a`, given which direction is the client.
    pub fn from_record(a: &AlertRecord, client: Direction) -> Alert {
        let from = if a.dir == client { "client" } else { "server" };
        match a.plain {
            Some((level, desc)) => Alert {
                frame: a.frame,
                from,
                encrypted: false,
                level: Some(if level == 2 { "fatal" } else { "warning" }),
                description: Some(desc),
                name: alert_name(desc),
            },
            None => Alert {
                frame: a.frame,
                from,
                encrypted: true,
                level: None,
                description: None,
                name: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::server_hello;

    fn at(frame: u64) -> Option<(FrameNo, Timestamp)> {
        Some((FrameNo(frame), Timestamp::default()))
    }

    #[test]
    fn tls13_completes_at_encrypted_records_not_at_the_dummy_change_cipher_spec() {
        let (c, s) = (Direction::LoToHi, Direction::HiToLo);
        let mut hs = Handshake::default();
        // ServerHello with supported_versions = TLS 1.3.
        let mut body = vec![3, 3];
        body.extend_from_slice(&[7; 32]);
        body.extend_from_slice(&[0, 0x13, 0x02, 0, 0, 6, 0, 43, 0, 2, 3, 4]);
        hs.on_server_hello(
            s,
            server_hello::decode(&body, true, ProtocolVersion::TLS12, FrameNo(9)),
        );
        hs.change_cipher_spec[s] = at(6);
        hs.change_cipher_spec[c] = at(8);
        hs.application_data[s] = at(9);
        hs.application_data[c] = at(12);
        assert_eq!(hs.completed_at().map(|a| a.0), Some(FrameNo(12)));
    }

    #[test]
    fn tls12_completes_at_the_later_change_cipher_spec() {
        let (c, s) = (Direction::LoToHi, Direction::HiToLo);
        let mut hs = Handshake::default();
        let mut body = vec![3, 3];
        body.extend_from_slice(&[7; 32]);
        body.extend_from_slice(&[0, 0xc0, 0x30, 0, 0, 0]);
        hs.on_server_hello(
            s,
            server_hello::decode(&body, true, ProtocolVersion::TLS12, FrameNo(6)),
        );
        hs.change_cipher_spec[c] = at(10);
        hs.change_cipher_spec[s] = at(11);
        hs.application_data[c] = at(12);
        assert_eq!(hs.completed_at().map(|a| a.0), Some(FrameNo(11)));
    }
}
