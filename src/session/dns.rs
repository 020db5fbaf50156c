//! DNS (RFC 1035) over UDP and TCP: messages → query/response pairs.
//!
//! Field case 3 starts with name resolution: a name that does not exist, a
//! server that fails (SERVFAIL) or never answers, explains why no TLS connection
//! was even attempted. Queries are paired with responses by client, server and
//! transaction id; a repeated query with the same id is a retransmission of the
//! same exchange (tshark agrees: `dns.retransmission`, dns-no-response.pcapng),
//! counted and its frame kept (up to [`MAX_RETRANSMISSION_FRAMES`]) so findings
//! can cite every query the client sent. At most [`MAX_PENDING`] queries wait
//! for an answer: older ones are closed as unanswered (with a warning) so a query
//! flood cannot grow memory.

use serde::Serialize;

use crate::capture::{FrameNo, Timestamp};
use crate::flow::Endpoint;
use crate::wire::Reader;

/// Queries waiting for an answer, capture-wide.
pub const MAX_PENDING: usize = 65_536;
/// Frames of retransmitted queries kept per exchange (the count goes on).
pub const MAX_RETRANSMISSION_FRAMES: usize = 16;
/// Answers kept per response.
const MAX_ANSWERS: usize = 1024;
/// Compression pointers followed per name (RFC 1035 §4.1.4 loops are an attack).
const MAX_POINTERS: usize = 32;

/// A decoded DNS message (what we need of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsMessage {
    /// Transaction id.
    pub id: u16,
    /// Response (QR) bit.
    pub is_response: bool,
    /// Response code (low 4 bits of the header; extended codes are rare here).
    pub rcode: u8,
    /// First question's name.
    pub name: String,
    /// First question's type.
    pub qtype: u16,
    /// Answer records, formatted (`10.0.0.1`, `CNAME x.example`).
    pub answers: Vec<String>,
}

/// Decodes a DNS message; `None` when it is not one.
pub fn decode(msg: &[u8]) -> Option<DnsMessage> {
    let mut r = Reader::new(msg);
    let id = r.u16()?;
    let flags = r.u16()?;
    let qdcount = r.u16()?;
    let ancount = r.u16()?;
    let _nscount = r.u16()?;
    let _arcount = r.u16()?;
    if qdcount == 0 || flags & 0x7800 != 0 {
        // No question, or an opcode other than QUERY: not what we pair.
        return None;
    }
    let name = read_name(msg, &mut r)?;
    let qtype = r.u16()?;
    let _qclass = r.u16()?;
    for _ in 1..qdcount {
        read_name(msg, &mut r)?;
        r.take(4)?;
    }
    let mut answers = Vec::new();
    for _ in 0..ancount {
        let Some(_) = read_name(msg, &mut r) else {
            break;
        };
        let (Some(rtype), Some(_class), Some(_ttl), Some(rdata)) =
            (r.u16(), r.u16(), r.u32(), r.vec16())
        else {
            break;
        };
        if answers.len() < MAX_ANSWERS {
            let rdata_start = r.position().saturating_sub(rdata.len());
            answers.push(format_rdata(msg, rtype, rdata, rdata_start));
        }
    }
    Some(DnsMessage {
        id,
        is_response: flags & 0x8000 != 0,
        rcode: (flags & 0x000f) as u8,
        name,
        qtype,
        answers,
    })
}

fn format_rdata(msg: &[u8], rtype: u16, rdata: &[u8], at: usize) -> String {
    let v4: Option<[u8; 4]> = rdata.try_into().ok();
    let v6: Option<[u8; 16]> = rdata.try_into().ok();
    match (rtype, v4, v6) {
        (1, Some(b), _) => std::net::Ipv4Addr::from(b).to_string(),
        (28, _, Some(b)) => std::net::Ipv6Addr::from(b).to_string(),
        (5 | 2 | 12, _, _) => {
            let mut r = Reader::new(msg);
            let _ = r.take(at);
            let target = read_name(msg, &mut r).unwrap_or_default();
            format!("{} {}", type_name(rtype), target)
        }
        _ => format!("{} ({} bytes)", type_name(rtype), rdata.len()),
    }
}

/// Reads a possibly compressed name at the reader's position.
fn read_name<'m>(msg: &'m [u8], r: &mut Reader<'m>) -> Option<String> {
    let mut labels: Vec<String> = Vec::new();
    let mut jumps = 0;
    let mut cursor = r.clone();
    let mut main_done = false;
    let mut total = 0usize;
    loop {
        let len = cursor.u8()?;
        match len {
            0 => {
                if !main_done {
                    *r = cursor.clone();
                }
                break;
            }
            l if l & 0xc0 == 0xc0 => {
                let lo = cursor.u8()?;
                if !main_done {
                    *r = cursor.clone();
                    main_done = true;
                }
                jumps += 1;
                if jumps > MAX_POINTERS {
                    return None;
                }
                let target = usize::from(u16::from_be_bytes([l & 0x3f, lo]));
                let mut next = Reader::new(msg);
                next.take(target)?;
                cursor = next;
            }
            l if l & 0xc0 == 0 => {
                let label = cursor.take(usize::from(l))?;
                total += label.len() + 1;
                if total > 255 {
                    return None;
                }
                labels.push(crate::wire::text(label));
            }
            _ => return None,
        }
    }
    Some(if labels.is_empty() {
        ".".to_string()
    } else {
        labels.join(".")
    })
}

/// Record type names (RFC 1035 §3.2.2, RFC 3596, RFC 9460).
pub fn type_name(t: u16) -> String {
    match t {
        1 => "A".into(),
        2 => "NS".into(),
        5 => "CNAME".into(),
        6 => "SOA".into(),
        12 => "PTR".into(),
        15 => "MX".into(),
        16 => "TXT".into(),
        28 => "AAAA".into(),
        33 => "SRV".into(),
        64 => "SVCB".into(),
        65 => "HTTPS".into(),
        255 => "ANY".into(),
        other => format!("TYPE{other}"),
    }
}

/// Response code names (RFC 1035 §4.1.1, RFC 2136).
pub fn rcode_name(rcode: u8) -> String {
    match rcode {
        0 => "NOERROR".into(),
        1 => "FORMERR".into(),
        2 => "SERVFAIL".into(),
        3 => "NXDOMAIN".into(),
        4 => "NOTIMP".into(),
        5 => "REFUSED".into(),
        6 => "YXDOMAIN".into(),
        7 => "YXRRSET".into(),
        8 => "NXRRSET".into(),
        9 => "NOTAUTH".into(),
        10 => "NOTZONE".into(),
        other => format!("RCODE{other}"),
    }
}

/// A query and its response.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DnsExchange {
    /// Order of the query in the capture (0-based).
    pub id: u32,
    /// Frame of the query (null when only the response was captured).
    pub query_frame: Option<FrameNo>,
    /// Frame of the response, or null.
    pub response_frame: Option<FrameNo>,
    /// Queried name.
    pub name: String,
    /// Queried type (`A`, `AAAA`, …).
    #[serde(rename = "type")]
    pub qtype: String,
    /// Response code name, or null without a response.
    pub rcode: Option<String>,
    /// Answer data.
    pub answers: Vec<String>,
    /// The server asked.
    pub server: Endpoint,
    /// The client that asked.
    pub client: Endpoint,
    /// `udp` or `tcp`.
    pub transport: &'static str,
    /// Query copies with the same id (client retries).
    pub retransmissions: u32,
    /// Their frames, in order (the first [`MAX_RETRANSMISSION_FRAMES`]).
    pub retransmission_frames: Vec<FrameNo>,
    /// When the query was sent.
    pub query_time: Option<Timestamp>,
    /// Seconds from query to response.
    pub response_time: Option<f64>,
}

impl DnsExchange {
    /// Whether the name resolved to at least one address.
    pub fn resolved(&self) -> bool {
        self.rcode.as_deref() == Some("NOERROR")
            && self
                .answers
                .iter()
                .any(|a| a.parse::<std::net::IpAddr>().is_ok())
    }
}

type PendingKey = (Endpoint, Endpoint, u16);

/// Pairs queries with responses across a capture.
#[derive(Debug, Default)]
pub struct DnsTracker {
    next_id: u32,
    pending: rustc_hash::FxHashMap<PendingKey, DnsExchange>,
    /// Order of pending keys, for eviction of the oldest.
    order: std::collections::VecDeque<PendingKey>,
    /// Pending queries evicted by [`MAX_PENDING`].
    pub evicted: u64,
}

impl DnsTracker {
    /// Takes a message from `src` to `dst`; returns exchanges that became final.
    #[allow(clippy::too_many_arguments)]
    pub fn on_message(
        &mut self,
        msg: &DnsMessage,
        src: Endpoint,
        dst: Endpoint,
        transport: &'static str,
        frame: FrameNo,
        ts: Timestamp,
        done: &mut Vec<DnsExchange>,
    ) {
        if !msg.is_response {
            let key = (src, dst, msg.id);
            if let Some(x) = self.pending.get_mut(&key) {
                x.retransmissions = x.retransmissions.saturating_add(1);
                if x.retransmission_frames.len() < MAX_RETRANSMISSION_FRAMES {
                    x.retransmission_frames.push(frame);
                }
                return;
            }
            if self.pending.len() >= MAX_PENDING {
                while let Some(old) = self.order.pop_front() {
                    if let Some(x) = self.pending.remove(&old) {
                        self.evicted += 1;
                        done.push(x);
                        break;
                    }
                }
            }
            let x = DnsExchange {
                id: self.take_id(),
                query_frame: Some(frame),
                response_frame: None,
                name: msg.name.clone(),
                qtype: type_name(msg.qtype),
                rcode: None,
                answers: Vec::new(),
                server: dst,
                client: src,
                transport,
                retransmissions: 0,
                retransmission_frames: Vec::new(),
                query_time: Some(ts),
                response_time: None,
            };
            self.order.push_back(key);
            self.pending.insert(key, x);
            return;
        }
        let key = (dst, src, msg.id);
        let mut x = match self.pending.remove(&key) {
            Some(x) => x,
            None => DnsExchange {
                id: self.take_id(),
                query_frame: None,
                response_frame: None,
                name: msg.name.clone(),
                qtype: type_name(msg.qtype),
                rcode: None,
                answers: Vec::new(),
                server: src,
                client: dst,
                transport,
                retransmissions: 0,
                retransmission_frames: Vec::new(),
                query_time: None,
                response_time: None,
            },
        };
        x.response_frame = Some(frame);
        x.rcode = Some(rcode_name(msg.rcode));
        x.answers = msg.answers.clone();
        x.response_time = x.query_time.map(|q| ts.seconds_since(q));
        done.push(x);
    }

    fn take_id(&mut self) -> u32 {
        let id = self.next_id;
        self.next_id = self.next_id.saturating_add(1);
        id
    }

    /// The capture ended: every query still waiting is unanswered.
    pub fn finish(&mut self, done: &mut Vec<DnsExchange>) {
        let mut rest: Vec<DnsExchange> = self.pending.drain().map(|(_, x)| x).collect();
        rest.sort_by_key(|x| x.id);
        self.order.clear();
        done.extend(rest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(id: u16, flags: u16, answers: &[u8], ancount: u16) -> Vec<u8> {
        let mut m = Vec::new();
        m.extend_from_slice(&id.to_be_bytes());
        m.extend_from_slice(&flags.to_be_bytes());
        m.extend_from_slice(&[0, 1]);
        m.extend_from_slice(&ancount.to_be_bytes());
        m.extend_from_slice(&[0, 0, 0, 0]);
        m.extend_from_slice(b"\x07api-sse\x05cisco\x03com\x00\x00\x01\x00\x01");
        m.extend_from_slice(answers);
        m
    }

    #[test]
    fn decodes_query_and_compressed_answer() {
        let q = decode(&query(0x1234, 0x0100, &[], 0));
        assert_eq!(
            q.as_ref().map(|m| m.name.as_str()),
            Some("api-sse.cisco.com")
        );
        assert_eq!(q.as_ref().map(|m| m.is_response), Some(false));
        let ans = [0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 1, 7];
        let r = decode(&query(0x1234, 0x8180, &ans, 1));
        assert_eq!(
            r.as_ref().map(|m| m.answers.clone()),
            Some(vec!["10.0.1.7".to_string()])
        );
        let nx = decode(&query(1, 0x8183, &[], 0));
        assert_eq!(
            nx.map(|m| rcode_name(m.rcode)),
            Some("NXDOMAIN".to_string())
        );
    }

    #[test]
    fn pointer_loops_are_rejected() {
        let mut m = query(
            1,
            0x8180,
            &[0xc0, 40, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4],
            1,
        );
        // Make the answer's pointer point at itself.
        let at = m.len() - 16;
        m[at + 1] = at as u8;
        let _ = decode(&m);
    }

    #[test]
    fn a_repeated_query_is_a_retransmission_with_its_frame() {
        let ep = |last: u8, port: u16| Endpoint {
            ip: std::net::IpAddr::from([10, 0, 0, last]),
            port,
        };
        let (client, server) = (ep(5, 55176), ep(53, 53));
        let Some(q) = decode(&query(0x8223, 0x0100, &[], 0)) else {
            panic!("query not decoded");
        };
        let mut t = DnsTracker::default();
        let mut done = Vec::new();
        for frame in [1, 3] {
            let ts = Timestamp::default();
            t.on_message(&q, client, server, "udp", FrameNo(frame), ts, &mut done);
        }
        t.finish(&mut done);
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].query_frame, Some(FrameNo(1)));
        assert_eq!(done[0].retransmissions, 1);
        assert_eq!(done[0].retransmission_frames, vec![FrameNo(3)]);
        assert_eq!(done[0].response_frame, None);
    }

    #[test]
    fn garbage_never_panics() {
        for n in 0..64 {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 91 + 7) as u8).collect();
            let _ = decode(&bytes);
        }
    }
}
