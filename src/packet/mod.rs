//! Packet decoding: [`Frame`] → [`Packet`] (IP addresses, TCP or UDP header, payload).
//!
//! Link layers are stripped here — Ethernet with any stack of 802.1Q / 802.1ad
//! tags, PPPoE sessions, Linux cooked v1 (SLL) and v2 (SLL2), BSD NULL / OpenBSD
//! LOOP, raw IP, Linux NFLOG — because etherparse covers neither SLL2, NULL nor PPPoE. IPv4
//! (options), IPv6 (extension headers), TCP and UDP are decoded by etherparse's
//! lax slicers, which accept packets cut by the snap length: the TCP payload is
//! then shorter than [`TcpSegment::wire_len`], and reassembly reports the hole.
//!
//! UDP-encapsulated Ethernet (VXLAN on 4789, Geneve on 6081) is unwrapped once,
//! so tunnelled TCP is analysed like any other.
//!
//! IP fragments are not reassembled: a fragmented datagram's first fragment is
//! reported as [`Undecoded::Fragment`] (counted, warned once) and its bytes are
//! treated as missing by reassembly.

use std::net::IpAddr;

pub mod defrag;

use etherparse::{IpNumber, LaxIpSlice, TcpSlice, UdpSlice};

use crate::capture::{Frame, LinkType};
use crate::flow::Seq;

/// TCP flags we track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TcpFlags {
    /// SYN
    pub syn: bool,
    /// ACK
    pub ack: bool,
    /// FIN
    pub fin: bool,
    /// RST
    pub rst: bool,
}

/// A TCP segment, borrowed from the frame.
#[derive(Debug, Clone, Copy)]
pub struct TcpSegment<'a> {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Sequence number of the first payload byte (or of the SYN/FIN).
    pub seq: Seq,
    /// Acknowledgement number (meaningful when `flags.ack`).
    pub ack: Seq,
    /// Flags.
    pub flags: TcpFlags,
    /// The captured payload.
    pub payload: &'a [u8],
    /// Payload length on the wire (from the IP length fields); more than
    /// `payload.len()` when the snap length cut the packet.
    pub wire_len: u32,
}

/// A UDP datagram, borrowed from the frame.
#[derive(Debug, Clone, Copy)]
pub struct UdpDatagram<'a> {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// The captured payload.
    pub payload: &'a [u8],
}

/// Transport layer of a packet.
#[derive(Debug, Clone, Copy)]
pub enum Transport<'a> {
    /// TCP.
    Tcp(TcpSegment<'a>),
    /// UDP.
    Udp(UdpDatagram<'a>),
}

/// A decoded packet.
#[derive(Debug, Clone, Copy)]
pub struct Packet<'a> {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// TCP or UDP.
    pub transport: Transport<'a>,
}

/// Why a frame gave no packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undecoded {
    /// Not IP (ARP, LLDP, …) or not TCP/UDP (ICMP, …): nothing to analyse.
    Ignored,
    /// A link type we do not decode.
    UnsupportedLink(LinkType),
    /// An IP fragment (not reassembled).
    Fragment,
    /// Headers cut by the snap length or malformed.
    Malformed,
}

/// How deep UDP tunnels are unwrapped (a tunnel inside a tunnel is rare and a
/// loop of them is an attack).
const MAX_TUNNEL_DEPTH: u8 = 2;

/// Decodes one frame.
pub fn decode<'a>(frame: &Frame<'a>) -> Result<Packet<'a>, Undecoded> {
    let mut packet = decode_link(frame.link, frame.data, 0)?;
    // Payload the IP length fields claim beyond the captured bytes is missing
    // only when the capture cut the frame (snap length). In a whole frame the
    // header is what is wrong (a bogus length, PPPoE padding): keep what is there.
    let frame_cut = usize::try_from(frame.orig_len).is_ok_and(|n| n > frame.data.len());
    if let Transport::Tcp(seg) = &mut packet.transport {
        if !frame_cut {
            seg.wire_len = u32::try_from(seg.payload.len()).unwrap_or(seg.wire_len);
        }
    }
    Ok(packet)
}

/// Ethertypes.
const ETH_IPV4: u16 = 0x0800;
const ETH_IPV6: u16 = 0x86dd;
const ETH_VLAN: u16 = 0x8100;
const ETH_QINQ: u16 = 0x88a8;
const ETH_QINQ_OLD: u16 = 0x9100;
const ETH_PPPOE_SESSION: u16 = 0x8864;
const ETH_MPLS: u16 = 0x8847;
const ETH_MPLS_MULTICAST: u16 = 0x8848;
/// Ethernet inside GRE (gretap) and Geneve.
const ETH_TRANSPARENT_BRIDGING: u16 = 0x6558;
/// MPLS labels popped at most.
const MAX_MPLS_LABELS: usize = 8;

fn be16(data: &[u8], at: usize) -> Option<u16> {
    data.get(at..at + 2)
        .and_then(|b| b.try_into().ok())
        .map(u16::from_be_bytes)
}

fn decode_link(link: LinkType, data: &[u8], depth: u8) -> Result<Packet<'_>, Undecoded> {
    decode_ip(ip_layer(link, data)?, depth)
}

/// The IP packet inside a frame of link type `link`.
pub fn ip_layer(link: LinkType, data: &[u8]) -> Result<&[u8], Undecoded> {
    match link {
        LinkType::ETHERNET => {
            let ethertype = be16(data, 12).ok_or(Undecoded::Malformed)?;
            ethertype_payload(ethertype, data.get(14..).unwrap_or_default())
        }
        LinkType::LINUX_SLL => {
            // 16-byte header; protocol (ethertype) in the last two bytes.
            let proto = be16(data, 14).ok_or(Undecoded::Malformed)?;
            ethertype_payload(proto, data.get(16..).unwrap_or_default())
        }
        LinkType::LINUX_SLL2 => {
            // 20-byte header; protocol first.
            let proto = be16(data, 0).ok_or(Undecoded::Malformed)?;
            ethertype_payload(proto, data.get(20..).unwrap_or_default())
        }
        LinkType::NULL | LinkType::LOOP => {
            // Address family, host order for NULL, network order for LOOP; values
            // differ by OS (IPv6 is 24, 28 or 30), so just read the IP version.
            Ok(data.get(4..).unwrap_or_default())
        }
        LinkType::RAW | LinkType::RAW_OPENBSD | LinkType::IPV4 | LinkType::IPV6 | LinkType(12) => {
            Ok(data)
        }
        LinkType::NFLOG => {
            // Linux netfilter log: TLVs, the packet is the payload attribute.
            match pcap_parser::data::get_packetdata_nflog(data, data.len()) {
                Some(pcap_parser::data::PacketData::L3(_, payload)) => Ok(payload),
                _ => Err(Undecoded::Malformed),
            }
        }
        LinkType::NOT_A_PACKET => Err(Undecoded::Ignored),
        other => Err(Undecoded::UnsupportedLink(other)),
    }
}

fn ethertype_payload(mut ethertype: u16, mut rest: &[u8]) -> Result<&[u8], Undecoded> {
    // Any stack of VLAN tags (802.1Q, QinQ), bounded by the packet length.
    while matches!(ethertype, ETH_VLAN | ETH_QINQ | ETH_QINQ_OLD) {
        ethertype = be16(rest, 2).ok_or(Undecoded::Malformed)?;
        rest = rest.get(4..).unwrap_or_default();
    }
    match ethertype {
        ETH_IPV4 | ETH_IPV6 => Ok(rest),
        ETH_MPLS | ETH_MPLS_MULTICAST => {
            // Pop the label stack (4 bytes each, bottom-of-stack bit in the
            // third byte); IP follows when its version nibble says so (a
            // pseudowire's control word or Ethernet is not followed).
            for _ in 0..MAX_MPLS_LABELS {
                let bottom = rest.get(2).ok_or(Undecoded::Malformed)? & 1 == 1;
                rest = rest.get(4..).unwrap_or_default();
                if bottom {
                    return match rest.first().map(|b| b >> 4) {
                        Some(4 | 6) => Ok(rest),
                        _ => Err(Undecoded::Ignored),
                    };
                }
            }
            Err(Undecoded::Malformed)
        }
        ETH_PPPOE_SESSION => {
            // PPPoE header (6 bytes, its length field counts the PPP frame)
            // then the PPP protocol (2 bytes). The length, not the IP header,
            // bounds the packet: Ethernet padding follows it.
            let ppp_len = usize::from(be16(rest, 4).ok_or(Undecoded::Malformed)?);
            let proto = be16(rest, 6).ok_or(Undecoded::Malformed)?;
            let end = 6usize.saturating_add(ppp_len).min(rest.len());
            match proto {
                0x0021 | 0x0057 => Ok(rest.get(8..end).unwrap_or_default()),
                _ => Err(Undecoded::Ignored),
            }
        }
        _ => Err(Undecoded::Ignored),
    }
}

/// Decodes a datagram whose fragments were reassembled.
pub fn decode_datagram(d: &defrag::Datagram) -> Result<Packet<'_>, Undecoded> {
    transport(d.src, d.dst, d.proto, &d.payload, d.payload.len(), 0)
}

fn decode_ip(data: &[u8], depth: u8) -> Result<Packet<'_>, Undecoded> {
    let (ip, _) = LaxIpSlice::from_slice(data).map_err(|_| Undecoded::Malformed)?;
    let payload = ip.payload();
    if payload.fragmented {
        return Err(Undecoded::Fragment);
    }
    let src = ip.source_addr();
    let dst = ip.destination_addr();
    // Bytes of transport on the wire, from the IP length fields. etherparse
    // falls back to the slice (`LenSource::Slice`) both when the header's length
    // is unusable (zero, as TSO captures have: the slice is all there is) and
    // when the snap length cut the packet (`incomplete`): then the header's
    // length is the truth, and the bytes past the cut are a hole in the stream,
    // not the end of the segment (snaplen-cut.pcap: `tcpdump -s 150`).
    let wire_transport_len = match payload.len_source {
        etherparse::LenSource::Slice if !payload.incomplete => payload.payload.len(),
        _ => wire_ip_payload_len(&ip).unwrap_or(payload.payload.len()),
    };
    transport(
        src,
        dst,
        payload.ip_number,
        payload.payload,
        wire_transport_len,
        depth,
    )
}

/// TCP or UDP over `data` (the IP payload), `wire_transport_len` bytes on the wire.
fn transport(
    src: IpAddr,
    dst: IpAddr,
    proto: IpNumber,
    data: &[u8],
    wire_transport_len: usize,
    depth: u8,
) -> Result<Packet<'_>, Undecoded> {
    match proto {
        IpNumber::TCP => {
            let tcp = match TcpSlice::from_slice(data) {
                Ok(tcp) => tcp,
                // The snap length cut the options: the fixed header still
                // gives ports, numbers and flags (tshark decodes it too).
                Err(_) => return tcp_fixed_header(src, dst, data, wire_transport_len),
            };
            let header_len = usize::from(tcp.data_offset()) * 4;
            let wire_len = wire_transport_len.saturating_sub(header_len);
            let captured = tcp.payload();
            let captured = captured
                .get(..wire_len.min(captured.len()))
                .unwrap_or(captured);
            Ok(Packet {
                src,
                dst,
                transport: Transport::Tcp(TcpSegment {
                    src_port: tcp.source_port(),
                    dst_port: tcp.destination_port(),
                    seq: Seq(tcp.sequence_number()),
                    ack: Seq(tcp.acknowledgment_number()),
                    flags: TcpFlags {
                        syn: tcp.syn(),
                        ack: tcp.ack(),
                        fin: tcp.fin(),
                        rst: tcp.rst(),
                    },
                    payload: captured,
                    wire_len: u32::try_from(wire_len.max(captured.len())).unwrap_or(u32::MAX),
                }),
            })
        }
        IpNumber::UDP => {
            let udp = UdpSlice::from_slice_lax(data).map_err(|_| Undecoded::Malformed)?;
            let (src_port, dst_port) = (udp.source_port(), udp.destination_port());
            if depth < MAX_TUNNEL_DEPTH {
                // VXLAN (8-byte header) and Geneve (8 bytes + options) carry Ethernet.
                if dst_port == 4789 {
                    if let Some(inner) = udp.payload().get(8..) {
                        if let Ok(p) = decode_link(LinkType::ETHERNET, inner, depth + 1) {
                            return Ok(p);
                        }
                    }
                } else if dst_port == 6081 {
                    let p = udp.payload();
                    let opt_len = p.first().map(|b| usize::from(b & 0x3f) * 4).unwrap_or(0);
                    let proto = be16(p, 2);
                    if let Some(inner) = p.get(8 + opt_len..) {
                        let inner_pkt = match proto {
                            Some(ETH_TRANSPARENT_BRIDGING) => {
                                decode_link(LinkType::ETHERNET, inner, depth + 1)
                            }
                            Some(ETH_IPV4 | ETH_IPV6) => decode_ip(inner, depth + 1),
                            _ => Err(Undecoded::Ignored),
                        };
                        if let Ok(p) = inner_pkt {
                            return Ok(p);
                        }
                    }
                }
            }
            Ok(Packet {
                src,
                dst,
                transport: Transport::Udp(UdpDatagram {
                    src_port,
                    dst_port,
                    payload: udp.payload(),
                }),
            })
        }
        // IP in IP (RFC 2003, 6in4 / 4in6, RFC 2473) and GRE (RFC 2784/2890).
        IpNumber::IPV4 | IpNumber::IPV6 if depth < MAX_TUNNEL_DEPTH => decode_ip(data, depth + 1),
        IpNumber::GRE if depth < MAX_TUNNEL_DEPTH => gre(data, depth + 1),
        _ => Err(Undecoded::Ignored),
    }
}

/// A TCP segment whose options the snap length cut: the 20-byte fixed header
/// is there, the payload was not captured.
fn tcp_fixed_header(
    src: IpAddr,
    dst: IpAddr,
    data: &[u8],
    wire_transport_len: usize,
) -> Result<Packet<'_>, Undecoded> {
    let word = |at: usize| -> Option<u32> {
        data.get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_be_bytes)
    };
    let (Some(ports), Some(seq), Some(ack), Some(bits)) = (word(0), word(4), word(8), word(12))
    else {
        return Err(Undecoded::Malformed);
    };
    let header_len = ((bits >> 28) as usize) * 4;
    if header_len < 20 || data.len() >= header_len {
        // Not a cut: the header itself is wrong.
        return Err(Undecoded::Malformed);
    }
    // Byte 13 (flags) is bits 16..24 of the big-endian word at 12.
    let flag = |bit: u32| bits & (1 << (16 + bit)) != 0;
    let wire_len = wire_transport_len.saturating_sub(header_len);
    Ok(Packet {
        src,
        dst,
        transport: Transport::Tcp(TcpSegment {
            src_port: (ports >> 16) as u16,
            dst_port: (ports & 0xffff) as u16,
            seq: Seq(seq),
            ack: Seq(ack),
            flags: TcpFlags {
                fin: flag(0),
                syn: flag(1),
                rst: flag(2),
                ack: flag(4),
            },
            payload: &[],
            wire_len: u32::try_from(wire_len).unwrap_or(u32::MAX),
        }),
    })
}

/// The packet inside a GRE header (version 0: optional checksum, key and
/// sequence number words; IPv4, IPv6 or Ethernet inside).
fn gre(data: &[u8], depth: u8) -> Result<Packet<'_>, Undecoded> {
    let flags = be16(data, 0).ok_or(Undecoded::Malformed)?;
    let proto = be16(data, 2).ok_or(Undecoded::Malformed)?;
    if flags & 0x0007 != 0 {
        // Version 1 (PPTP's enhanced GRE) carries PPP: not followed.
        return Err(Undecoded::Ignored);
    }
    let words = [0x8000u16, 0x2000, 0x1000]
        .iter()
        .filter(|bit| flags & **bit != 0)
        .count();
    let inner = data.get(4 + 4 * words..).ok_or(Undecoded::Malformed)?;
    match proto {
        ETH_IPV4 | ETH_IPV6 => decode_ip(inner, depth),
        ETH_TRANSPARENT_BRIDGING => decode_link(LinkType::ETHERNET, inner, depth),
        _ => Err(Undecoded::Ignored),
    }
}

/// Transport bytes on the wire according to the IP header(s).
fn wire_ip_payload_len(ip: &LaxIpSlice<'_>) -> Option<usize> {
    match ip {
        LaxIpSlice::Ipv4(v4) => {
            let h = v4.header();
            usize::from(h.total_len()).checked_sub(h.slice().len())
        }
        LaxIpSlice::Ipv6(v6) => {
            let h = v6.header();
            usize::from(h.payload_length()).checked_sub(v6.extensions().slice().len())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{FrameNo, Timestamp};

    /// A frame of `link` holding `data`, of which `cut` bytes were not captured.
    fn frame(link: LinkType, data: &[u8], cut: u32) -> Frame<'_> {
        Frame {
            no: FrameNo(1),
            ts: Timestamp::default(),
            link,
            data,
            orig_len: data.len() as u32 + cut,
        }
    }

    /// Ethernet + 802.1Q + IPv4 + TCP SYN (ports 51771 → 6050), hand-assembled
    /// to exercise the VLAN path; real captures cover the rest in tests/.
    fn vlan_syn() -> Vec<u8> {
        let mut v = vec![0u8; 12];
        v.extend_from_slice(&[0x81, 0x00, 0x00, 0x0a, 0x08, 0x00]);
        v.extend_from_slice(&[
            0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 5, 10, 0, 0, 1,
        ]);
        v.extend_from_slice(&[
            0xca, 0x3b, 0x17, 0xa2, 0, 0, 0, 100, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0,
        ]);
        v
    }

    #[test]
    fn decodes_vlan_tagged_tcp() {
        let data = vlan_syn();
        let frame = frame(LinkType::ETHERNET, &data, 0);
        let p = decode(&frame).ok();
        let Some(Packet {
            src,
            transport: Transport::Tcp(t),
            ..
        }) = p
        else {
            panic!("not decoded: {p:?}");
        };
        assert_eq!(src.to_string(), "10.0.0.5");
        assert_eq!((t.src_port, t.dst_port), (51771, 6050));
        assert!(t.flags.syn && !t.flags.ack);
        assert_eq!(t.seq, Seq(100));
        assert_eq!(t.wire_len, 0);
    }

    /// A segment cut by the snap length keeps its wire length (from the IP
    /// total length), so reassembly sees a hole, not a short segment.
    #[test]
    fn snap_length_cut_keeps_the_wire_length() {
        let mut data = vlan_syn();
        // IPv4 total length 20 + 20 + 100 payload bytes; only 10 are captured.
        data[14 + 4 + 3] = 140;
        data[14 + 4 + 20 + 13] = 0x18; // PSH, ACK
        data.extend_from_slice(&[0x16; 10]);
        let frame = frame(LinkType::ETHERNET, &data, 90);
        let Ok(Packet {
            transport: Transport::Tcp(t),
            ..
        }) = decode(&frame)
        else {
            panic!("not decoded");
        };
        assert_eq!(t.payload.len(), 10);
        assert_eq!(t.wire_len, 100);
    }

    /// The IPv4 + TCP SYN of [`vlan_syn`], without its link header.
    fn ip_syn() -> Vec<u8> {
        vlan_syn().split_off(18)
    }

    /// An outer IPv4 header (10.9.0.1 → 10.9.0.2) carrying `proto`.
    fn outer_ipv4(proto: u8, inner: &[u8]) -> Vec<u8> {
        let total = (20 + inner.len()) as u16;
        let mut v = vec![
            0x45,
            0,
            (total >> 8) as u8,
            total as u8,
            0,
            2,
            0x40,
            0,
            64,
            proto,
        ];
        v.extend_from_slice(&[0, 0, 10, 9, 0, 1, 10, 9, 0, 2]);
        v.extend_from_slice(inner);
        v
    }

    fn raw_ip_tcp(data: &[u8]) -> Option<TcpSegment<'_>> {
        match decode(&frame(LinkType::RAW, data, 0)) {
            Ok(Packet {
                src,
                transport: Transport::Tcp(t),
                ..
            }) if src.to_string() == "10.0.0.5" => Some(t),
            _ => None,
        }
    }

    #[test]
    fn tunnels_ipip_gre_and_mpls_are_unwrapped() {
        // IP in IP (protocol 4).
        let ipip = outer_ipv4(4, &ip_syn());
        assert!(raw_ip_tcp(&ipip).is_some_and(|t| t.dst_port == 6050));
        // GRE with a key (K bit) carrying IPv4.
        let mut gre = vec![0x20, 0x00, 0x08, 0x00, 0, 0, 0, 42];
        gre.extend_from_slice(&ip_syn());
        assert!(raw_ip_tcp(&outer_ipv4(47, &gre)).is_some_and(|t| t.flags.syn));
        // gretap: GRE carrying Ethernet (with its VLAN tag).
        let mut tap = vec![0x00, 0x00, 0x65, 0x58];
        tap.extend_from_slice(&vlan_syn());
        assert!(raw_ip_tcp(&outer_ipv4(47, &tap)).is_some());
        // GRE version 1 (PPTP) is not followed.
        let mut v1 = vec![0x30, 0x01, 0x88, 0x0b, 0, 0, 0, 0];
        v1.extend_from_slice(&ip_syn());
        assert!(raw_ip_tcp(&outer_ipv4(47, &v1)).is_none());
        // MPLS: two labels, the second bottom-of-stack, then IPv4.
        let mut mpls = vec![0u8; 12];
        mpls.extend_from_slice(&[0x88, 0x47, 0, 1, 0, 64, 0, 2, 1, 64]);
        mpls.extend_from_slice(&ip_syn());
        let frame = frame(LinkType::ETHERNET, &mpls, 0);
        assert!(matches!(
            decode(&frame),
            Ok(Packet {
                transport: Transport::Tcp(_),
                ..
            })
        ));
        // Tunnels inside tunnels stop at MAX_TUNNEL_DEPTH.
        let mut nested = ip_syn();
        for _ in 0..=MAX_TUNNEL_DEPTH {
            nested = outer_ipv4(4, &nested);
        }
        assert!(raw_ip_tcp(&nested).is_none());
    }

    #[test]
    fn tcp_options_cut_by_the_snap_length_keep_the_fixed_header() {
        // A SYN with 20 bytes of options, captured up to 10 of them.
        let mut data = ip_syn();
        data[3] = 60; // IPv4 total length: 20 + 40
        data[20 + 12] = 0xa0; // data offset 10 words
        data.extend_from_slice(&[1; 10]);
        let frame = frame(LinkType::RAW, &data, 10);
        let Ok(Packet {
            transport: Transport::Tcp(t),
            ..
        }) = decode(&frame)
        else {
            panic!("not decoded");
        };
        assert!(t.flags.syn && !t.flags.ack && !t.flags.fin && !t.flags.rst);
        assert_eq!((t.src_port, t.dst_port, t.seq), (51771, 6050, Seq(100)));
        assert_eq!((t.payload.len(), t.wire_len), (0, 0));
    }

    #[test]
    fn garbage_never_panics() {
        for len in 0..80 {
            let data: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            for link in [0, 1, 101, 113, 276, 228, 229, 999] {
                let frame = Frame {
                    no: FrameNo(1),
                    ts: Timestamp::default(),
                    link: LinkType(link),
                    data: &data,
                    orig_len: 0,
                };
                let _ = decode(&frame);
            }
        }
    }
}
