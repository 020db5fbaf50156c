//! Arbitrary bytes as the reassembled payload of a TCP connection, both
//! directions, with gaps: drives `session::Session` (classification, CONNECT,
//! HTTP, DNS over TCP, TLS) and, on the same bytes, one `tls::TlsStream` per
//! direction directly (so TLS framing is reached even when the session layer
//! would classify the bytes as something else).
//!
//! Input layout: byte 0 chooses the setup (bit 0: one end is TCP port 53).
//! Then operations, each a tag byte:
//!   bit 0      direction (0 = LoToHi, 1 = HiToLo)
//!   bits 1..2  0, 1 = data, 2 = gap (of length 0: shed buffers, as under the
//!              capture-wide buffering cap), 3 = data that starts a new frame number
//!   bit 3      length is 2 bytes (big-endian) instead of 1
//! followed by the length and, for data, that many bytes (fewer at the end of
//! the input). A gap's length is the length field shifted left by bits 4..7
//! of the tag, so gaps of up to 2^31 bytes are reachable.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlsdiag::capture::{FrameNo, Timestamp};
use tlsdiag::error::Warning;
use tlsdiag::flow::Direction;
use tlsdiag::flow::reassembly::GapCause;
use tlsdiag::session::Session;
use tlsdiag::tls::{Handshake, RecordContext, TlsStream};

struct Direct {
    stream: TlsStream,
    hs: Handshake,
}

fuzz_target!(|data: &[u8]| {
    let Some((&setup, mut rest)) = data.split_first() else {
        return;
    };
    let mut session = Session::new(setup & 1 != 0);
    let mut direct = [
        Direct {
            stream: TlsStream::new(),
            hs: Handshake::default(),
        },
        Direct {
            stream: TlsStream::new(),
            hs: Handshake::default(),
        },
    ];
    let mut warnings: Vec<Warning> = Vec::new();
    let mut frame = 1u64;
    let ts = Timestamp::default();
    while let Some((&tag, tail)) = rest.split_first() {
        rest = tail;
        let dir = if tag & 1 == 0 {
            Direction::LoToHi
        } else {
            Direction::HiToLo
        };
        let idx = usize::from(tag & 1);
        let op = (tag >> 1) & 3;
        let len = if tag & 8 != 0 {
            let Some((l, tail)) = rest.split_first_chunk::<2>() else {
                break;
            };
            rest = tail;
            usize::from(u16::from_be_bytes(*l))
        } else {
            let Some((&l, tail)) = rest.split_first() else {
                break;
            };
            rest = tail;
            usize::from(l)
        };
        if op == 3 {
            frame += 1;
        }
        let f = FrameNo(frame);
        if op == 2 && len == 0 {
            // The capture-wide buffering cap was reached: shed.
            session.shed(f, ts, 1 << 20, &mut warnings);
            let d = &mut direct[idx];
            let mut ctx = RecordContext {
                dir,
                frame: f,
                ts,
                handshake: &mut d.hs,
                warnings: &mut warnings,
            };
            d.stream.shed(&mut ctx);
        } else if op == 2 {
            let gap = (len as u64) << (tag >> 4);
            let cause = if tag & 0x10 != 0 {
                GapCause::BufferCap
            } else {
                GapCause::NotCaptured
            };
            session.on_gap(dir, gap, cause, f, ts, &mut warnings);
            let d = &mut direct[idx];
            let mut ctx = RecordContext {
                dir,
                frame: f,
                ts,
                handshake: &mut d.hs,
                warnings: &mut warnings,
            };
            d.stream.gap(gap, &mut ctx);
        } else {
            let (chunk, tail) = rest.split_at(len.min(rest.len()));
            rest = tail;
            session.on_data(dir, chunk, f, ts, &mut warnings);
            let d = &mut direct[idx];
            let mut ctx = RecordContext {
                dir,
                frame: f,
                ts,
                handshake: &mut d.hs,
                warnings: &mut warnings,
            };
            d.stream.feed(chunk, &mut ctx);
        }
        frame += 1;
        // The analyzer caps warnings after every packet; do the same.
        warnings.truncate(200);
    }
    let f = FrameNo(frame);
    session.finish(f, ts, &mut warnings);
    for (i, dir) in Direction::BOTH.into_iter().enumerate() {
        if let Some(d) = direct.get_mut(i) {
            let mut ctx = RecordContext {
                dir,
                frame: f,
                ts,
                handshake: &mut d.hs,
                warnings: &mut warnings,
            };
            d.stream.finish(&mut ctx);
        }
    }
    // What the reports would serialise.
    for hs in session.handshake.iter().chain(direct.iter().map(|d| &d.hs)) {
        let _ = serde_json::to_vec(&hs.client_hello);
        let _ = serde_json::to_vec(&hs.server_hello);
        let _ = serde_json::to_vec(&hs.second_client_hello);
        let _ = serde_json::to_vec(&hs.later_hellos);
        let certs: Vec<_> = hs.certificates.iter().map(|(_, c)| c).collect();
        let _ = serde_json::to_vec(&certs);
        let _ = hs.completed_at();
    }
    let _ = serde_json::to_vec(&session.proxy);
    let _ = serde_json::to_vec(&session.http);
});
