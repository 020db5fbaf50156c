//! TCP connection state: SYN, SYN-ACK, FIN, RST per direction → [`TcpOutcome`].
//!
//! Which side is the client is known from the SYN when the capture has it; for
//! a connection seen mid-stream it is left to the session layer (who sent the
//! ClientHello, the CONNECT, the request) and, failing that, to ports.

use serde::Serialize;

use crate::capture::{FrameNo, Timestamp};
use crate::flow::{Direction, PerDirection};
use crate::packet::TcpFlags;

/// How a TCP connection went (the contract's `tcp.outcome`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TcpOutcome {
    /// The capture starts after the SYN.
    Midstream,
    /// SYN answered by RST.
    Refused,
    /// SYN never answered.
    Unanswered,
    /// Any RST, even after a FIN.
    Reset,
    /// FIN.
    Closed,
    /// Still open at capture end.
    Established,
}

/// A frame and its time.
pub type At = (FrameNo, Timestamp);

/// What was seen of the TCP control flags.
#[derive(Debug, Clone, Default)]
pub struct TcpState {
    /// Direction of the first packet seen.
    pub first_dir: Option<Direction>,
    /// Whether the first packet was a SYN without ACK.
    pub starts_with_syn: bool,
    /// Direction of the SYN (client → server), when seen.
    pub syn_dir: Option<Direction>,
    /// First SYN.
    pub first_syn: Option<At>,
    /// Last SYN (retransmission).
    pub last_syn: Option<At>,
    /// SYNs sent, the first included.
    pub syn_count: u32,
    /// First SYN-ACK.
    pub syn_ack: Option<At>,
    /// First FIN per direction.
    pub fin: PerDirection<Option<At>>,
    /// First RST per direction.
    pub rst: PerDirection<Option<At>>,
    /// Packets per direction.
    pub packets: PerDirection<u32>,
}

impl TcpState {
    /// Takes the flags of one packet going `dir`.
    pub fn on_packet(&mut self, dir: Direction, flags: TcpFlags, frame: FrameNo, ts: Timestamp) {
        if self.first_dir.is_none() {
            self.first_dir = Some(dir);
            self.starts_with_syn = flags.syn && !flags.ack;
        }
        self.packets[dir] = self.packets[dir].saturating_add(1);
        if flags.syn && !flags.ack {
            if self.syn_dir.is_none() && self.syn_ack.is_none() {
                self.syn_dir = Some(dir);
            }
            if self.syn_dir == Some(dir) {
                self.syn_count = self.syn_count.saturating_add(1);
                self.first_syn.get_or_insert((frame, ts));
                self.last_syn = Some((frame, ts));
            }
        }
        if flags.syn && flags.ack {
            self.syn_ack.get_or_insert((frame, ts));
            if self.syn_dir.is_none() {
                self.syn_dir = Some(dir.reverse());
            }
        }
        if flags.fin {
            self.fin[dir].get_or_insert((frame, ts));
        }
        if flags.rst {
            self.rst[dir].get_or_insert((frame, ts));
        }
    }

    /// Whether both sides closed, or one reset: nothing more is expected.
    pub fn is_closed(&self) -> bool {
        self.fin.all(Option::is_some) || self.rst.any(Option::is_some)
    }

    /// The outcome, given which direction is the client.
    pub fn outcome(&self, client: Direction) -> TcpOutcome {
        let server = client.reverse();
        if !self.starts_with_syn {
            return TcpOutcome::Midstream;
        }
        if self.syn_ack.is_none() {
            if self.rst[server].is_some() {
                return TcpOutcome::Refused;
            }
            if self.packets[server] == 0 {
                return TcpOutcome::Unanswered;
            }
        }
        if self.rst.any(Option::is_some) {
            return TcpOutcome::Reset;
        }
        if self.fin.any(Option::is_some) {
            return TcpOutcome::Closed;
        }
        TcpOutcome::Established
    }

    /// SYN retransmissions (SYNs after the first).
    pub fn syn_retransmits(&self) -> u32 {
        self.syn_count.saturating_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SYN: TcpFlags = TcpFlags {
        syn: true,
        ack: false,
        fin: false,
        rst: false,
    };
    const RST_ACK: TcpFlags = TcpFlags {
        syn: false,
        ack: true,
        fin: false,
        rst: true,
    };

    #[test]
    fn refused_and_unanswered() {
        let c = Direction::LoToHi;
        let mut t = TcpState::default();
        t.on_packet(c, SYN, FrameNo(1), Timestamp::default());
        t.on_packet(c, SYN, FrameNo(2), Timestamp::default());
        assert_eq!(t.outcome(c), TcpOutcome::Unanswered);
        assert_eq!(t.syn_retransmits(), 1);
        t.on_packet(c.reverse(), RST_ACK, FrameNo(3), Timestamp::default());
        assert_eq!(t.outcome(c), TcpOutcome::Refused);
    }

    #[test]
    fn midstream() {
        let mut t = TcpState::default();
        t.on_packet(Direction::HiToLo, RST_ACK, FrameNo(1), Timestamp::default());
        assert_eq!(t.outcome(Direction::LoToHi), TcpOutcome::Midstream);
    }
}
