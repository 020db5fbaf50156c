//! Capture reading: bytes → [`Frame`]s.
//!
//! Consumes a pcap or pcapng stream (see [`input`] for opening files, stdin and
//! gzip) and produces one [`Frame`] per packet record, numbered exactly like
//! Wireshark's `No.` column: every packet record counts (pcapng enhanced, simple
//! and obsolete packet blocks), section / interface / statistics blocks do not.
//!
//! Streaming, constant memory: pcap-parser's circular buffer starts at
//! [`INITIAL_BUFFER`] and grows only for a single record larger than it, up to
//! [`MAX_BUFFER`]. A record cut short by the end of the file is not a frame; a
//! warning names the number it would have had. A corrupt record stops the reading
//! with a warning; what was read before stays analysed.
//!
//! pcap-parser's blocks borrow its buffer until the next `consume`, so the reader
//! is not an `Iterator`: call [`CaptureReader::next_frame`] in a loop.

pub mod decompress;
pub mod input;
pub mod time;

use pcap_parser::pcapng::Block;
use pcap_parser::traits::PcapReaderIterator;
use pcap_parser::{LegacyPcapReader, PcapBlockOwned, PcapError, PcapNGReader};

use crate::error::{Error, Warning};
pub use input::{CaptureFormat, CaptureInput};
pub use time::Timestamp;

/// Initial read buffer: large reads, few refills.
pub const INITIAL_BUFFER: usize = 1 << 20;
/// Largest single record we accept (pcapng blocks of a 16 MiB jumbo capture);
/// a larger claim is treated as corruption.
pub const MAX_BUFFER: usize = 16 << 20;

/// Interfaces kept per pcapng section (a real capture has a handful).
pub const MAX_INTERFACES: usize = 4096;

/// A frame number: 1-based, as Wireshark's `No.` and tshark's `frame.number`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize)]
#[serde(transparent)]
pub struct FrameNo(pub u64);

/// A link-layer header type (LINKTYPE_* from tcpdump.org).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LinkType(pub u32);

impl LinkType {
    /// The tcpdump.org name of a link type that is seen in captures but not
    /// decoded (for the error that says so).
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            6 => "IEEE802_5 (Token Ring)",
            9 => "PPP",
            50 => "PPP_HDLC",
            104 => "C_HDLC (Cisco HDLC)",
            105 => "IEEE802_11 (Wi-Fi)",
            119 => "PRISM_HEADER (Wi-Fi)",
            127 => "IEEE802_11_RADIOTAP (Wi-Fi)",
            147..=162 => "USER (private)",
            163 => "IEEE802_11_AVS (Wi-Fi)",
            187 => "BLUETOOTH_HCI_H4",
            189 | 220 => "USB",
            192 => "PPI (Wi-Fi)",
            195 => "IEEE802_15_4",
            201 => "BLUETOOTH_HCI_H4_WITH_PHDR",
            215 => "NETANALYZER",
            249 => "USBPCAP",
            _ => return None,
        })
    }

    /// BSD loopback: 4-byte address family in host byte order.
    pub const NULL: LinkType = LinkType(0);
    /// Ethernet II (with 802.1Q / QinQ tags, PPPoE).
    pub const ETHERNET: LinkType = LinkType(1);
    /// Raw IP on OpenBSD's DLT_RAW number.
    pub const RAW_OPENBSD: LinkType = LinkType(14);
    /// Raw IP (DLT_RAW on most systems maps here).
    pub const RAW: LinkType = LinkType(101);
    /// OpenBSD loopback: 4-byte address family in network byte order.
    pub const LOOP: LinkType = LinkType(108);
    /// Linux cooked capture v1.
    pub const LINUX_SLL: LinkType = LinkType(113);
    /// Raw IPv4.
    pub const IPV4: LinkType = LinkType(228);
    /// Linux netfilter NFLOG (`tcpdump -i nflog:N`).
    pub const NFLOG: LinkType = LinkType(239);
    /// Raw IPv6.
    pub const IPV6: LinkType = LinkType(229);
    /// Linux cooked capture v2.
    pub const LINUX_SLL2: LinkType = LinkType(276);
    /// A pcapng record that Wireshark numbers as a frame but that carries no
    /// packet (Custom Block, systemd Journal Export Block).
    pub const NOT_A_PACKET: LinkType = LinkType(u32::MAX - 1);
}

/// One packet record, borrowed from the reader's buffer.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    /// Its number.
    pub no: FrameNo,
    /// When it was captured.
    pub ts: Timestamp,
    /// How to decode `data`.
    pub link: LinkType,
    /// The captured bytes (possibly fewer than were on the wire).
    pub data: &'a [u8],
    /// How many bytes were on the wire.
    pub orig_len: u32,
}

/// A pcapng interface: link type and timestamp units.
#[derive(Debug, Clone, Copy)]
struct Interface {
    link: LinkType,
    /// Timestamp ticks per second (`if_tsresol`).
    units_per_sec: u64,
    /// Seconds added to every timestamp (`if_tsoffset`).
    offset_secs: i64,
}

/// pcapng: what the current section header and interface blocks said.
#[derive(Debug, Default)]
struct Section {
    big_endian: bool,
    interfaces: Vec<Interface>,
    /// Whether interfaces past [`MAX_INTERFACES`] were ignored (warned once).
    interfaces_dropped: bool,
    /// Whether frames without a timestamp were warned about.
    untimed_warned: bool,
}

/// Where a frame's packet bytes sit inside the block just parsed.
struct FrameMeta {
    /// `None`: the record has no time of its own (it gets the previous frame's).
    ts: Option<Timestamp>,
    link: LinkType,
    start: usize,
    len: usize,
    orig_len: u32,
}

/// A record read by [`CaptureReader::fast_record`].
struct FastRecord {
    ts: Timestamp,
    link: LinkType,
    /// Offset of the packet bytes in the record.
    start: usize,
    len: usize,
    /// Bytes after the packet bytes (padding, options, trailer).
    skip: usize,
    orig_len: u32,
}

/// pcapng Enhanced Packet Block type.
const EPB_TYPE: u32 = 6;

fn read_u32(data: &[u8], at: usize, big_endian: bool) -> Option<u32> {
    let bytes: [u8; 4] = data.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(if big_endian {
        u32::from_be_bytes(bytes)
    } else {
        u32::from_le_bytes(bytes)
    })
}

/// What the block just parsed was.
enum Step {
    Frame(FrameMeta),
    Skip,
}

/// Streams frames out of a pcap or pcapng input.
pub struct CaptureReader<'r> {
    inner: Box<dyn PcapReaderIterator + 'r>,
    format: CaptureFormat,
    /// Bytes of the previous block still to be consumed.
    pending: usize,
    /// Frames returned so far (the last frame's number).
    frames: u64,
    /// The last frame's time (given to records that have none).
    last_ts: Timestamp,
    /// pcap: link type and timestamp units from the file header.
    legacy_link: LinkType,
    legacy_units: u64,
    /// pcap with standard 16-byte record headers: their byte order (big
    /// endian?), for the fast path of [`CaptureReader::next_frame`].
    legacy_order: Option<bool>,
    /// pcapng: the current section's byte order and interfaces.
    section: Section,
    buffer_size: usize,
    warnings: Vec<Warning>,
    done: bool,
    /// What the capture is called in errors.
    path: std::path::PathBuf,
    /// The input's last read error (a cut or corrupt gzip stream, an I/O error).
    read_error: std::sync::Arc<std::sync::Mutex<Option<String>>>,
}

impl<'r> CaptureReader<'r> {
    /// Starts reading an opened input. `path` only names it in errors.
    pub fn new(input: CaptureInput<'r>, path: &std::path::Path) -> Result<Self, Error> {
        let stream = input::FillFirst::new(input.stream);
        let read_error = stream.error_slot();
        let bad_header = |e: PcapError<&[u8]>| Error::BadHeader {
            path: path.to_path_buf(),
            detail: describe_error(&e),
        };
        let inner: Box<dyn PcapReaderIterator + 'r> = match input.format {
            CaptureFormat::Pcap => {
                Box::new(LegacyPcapReader::new(INITIAL_BUFFER, stream).map_err(&bad_header)?)
            }
            CaptureFormat::Pcapng => {
                Box::new(PcapNGReader::new(INITIAL_BUFFER, stream).map_err(&bad_header)?)
            }
        };
        Ok(Self {
            inner,
            format: input.format,
            pending: 0,
            frames: 0,
            last_ts: Timestamp::default(),
            legacy_link: LinkType::ETHERNET,
            legacy_units: 1_000_000,
            legacy_order: None,
            section: Section::default(),
            buffer_size: INITIAL_BUFFER,
            warnings: Vec::new(),
            done: false,
            path: path.to_path_buf(),
            read_error,
        })
    }

    /// Opens a path (`-` for stdin) and starts reading it.
    pub fn open(path: &std::path::Path) -> Result<CaptureReader<'static>, Error> {
        let input = input::open(path)?;
        CaptureReader::new(input, path)
    }

    /// The name it was opened with (`-` for standard input).
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// The file format.
    pub fn format(&self) -> CaptureFormat {
        self.format
    }

    /// Frames read so far (the number of the last one returned).
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Takes the warnings collected so far (truncation, corruption).
    pub fn take_warnings(&mut self) -> Vec<Warning> {
        std::mem::take(&mut self.warnings)
    }

    /// The next frame, or `None` at the end of the capture (or where it stops
    /// being readable, with a warning).
    pub fn next_frame(&mut self) -> Result<Option<Frame<'_>>, Error> {
        if self.done {
            return Ok(None);
        }
        loop {
            if self.pending > 0 {
                // Not `consume`: circular's `consume` moves the unread half of
                // the buffer to its start every time the read position passes
                // the middle, i.e. memmoves every byte of the file once more
                // (8% of a bulk run). `refill` shifts only the partial record
                // left at the end, before each read.
                self.inner.consume_noshift(self.pending);
                self.pending = 0;
            }
            if let Some(r) = self.fast_record() {
                self.pending = r.start.saturating_add(r.len).saturating_add(r.skip);
                let meta = FrameMeta {
                    ts: Some(r.ts),
                    link: r.link,
                    start: r.start,
                    len: r.len,
                    orig_len: r.orig_len,
                };
                return Ok(Some(self.frame_at(meta)));
            }
            let step = match self.inner.next() {
                Ok((offset, block)) => {
                    self.pending = offset;
                    classify(
                        block,
                        &mut self.section,
                        &mut self.legacy_link,
                        &mut self.legacy_units,
                        &mut self.legacy_order,
                        &mut self.warnings,
                        self.frames + 1,
                    )
                }
                Err(PcapError::Eof) => {
                    self.done = true;
                    return Ok(None);
                }
                Err(PcapError::Incomplete(_)) => {
                    if self.inner.refill().is_err() {
                        self.stop_reading();
                        return Ok(None);
                    }
                    continue;
                }
                Err(PcapError::BufferTooSmall) => {
                    let next = self.buffer_size.saturating_mul(2);
                    if next > MAX_BUFFER || !self.inner.grow(next) {
                        self.stop(&format!(
                            "record larger than {} MiB, treated as corrupt; analysis stops here",
                            MAX_BUFFER >> 20
                        ));
                        return Ok(None);
                    }
                    self.buffer_size = next;
                    if self.inner.refill().is_err() {
                        self.stop_reading();
                        return Ok(None);
                    }
                    continue;
                }
                Err(PcapError::UnexpectedEof) => {
                    match self.cut_block_name() {
                        // A cut block that is not a packet (dumpcap's closing
                        // statistics): no frame is lost.
                        Some(name) => {
                            self.done = true;
                            self.warnings.push(Warning::general(format!(
                                "after frame {}: truncated pcapng {name} block (not a packet), the capture ends here",
                                self.frames
                            )));
                        }
                        None => self.stop("truncated record, analysis stops here"),
                    }
                    return Ok(None);
                }
                Err(PcapError::ReadError) => {
                    self.stop_reading();
                    return Ok(None);
                }
                Err(e) => {
                    let what = describe_error(&e);
                    match self.cut_block_name() {
                        Some(name) => {
                            self.done = true;
                            self.warnings.push(Warning::general(format!(
                                "after frame {}: corrupt pcapng {name} block ({what}; not a packet), analysis stops here",
                                self.frames
                            )));
                        }
                        None => self.stop(&format!("corrupt record ({what}), analysis stops here")),
                    }
                    return Ok(None);
                }
            };
            match step {
                Step::Skip => continue,
                Step::Frame(meta) => return Ok(Some(self.frame_at(meta))),
            }
        }
    }

    /// The common records decoded straight from the buffer, without going
    /// through pcap-parser's block parsers (a third of the reading cost): a
    /// pcap record with a standard header, or a pcapng Enhanced Packet Block
    /// whose lengths are consistent. Anything else (headers, other blocks, a
    /// record not wholly in the buffer, odd lengths) returns `None` and takes
    /// the general path, which handles refills, growth and corruption.
    fn fast_record(&mut self) -> Option<FastRecord> {
        let data = self.inner.data();
        match self.format {
            CaptureFormat::Pcap => {
                let big_endian = self.legacy_order?;
                let word = |at: usize| read_u32(data, at, big_endian);
                let caplen = usize::try_from(word(8)?).ok()?;
                data.get(16..16usize.checked_add(caplen)?)?;
                Some(FastRecord {
                    ts: Timestamp::from_parts(
                        i64::from(word(0)?),
                        u64::from(word(4)?),
                        self.legacy_units,
                    ),
                    link: self.legacy_link,
                    start: 16,
                    len: caplen,
                    skip: 0,
                    orig_len: word(12)?,
                })
            }
            CaptureFormat::Pcapng => {
                let big_endian = self.section.big_endian;
                let word = |at: usize| read_u32(data, at, big_endian);
                if word(0)? != EPB_TYPE || self.section.interfaces.is_empty() {
                    return None;
                }
                let total = usize::try_from(word(4)?).ok()?;
                let caplen = usize::try_from(word(20)?).ok()?;
                // 28 bytes of header, the padded data, options, 4 bytes of trailer.
                let body_end = total.checked_sub(4)?;
                if total % 4 != 0 || 28usize.checked_add(caplen)? > body_end {
                    return None;
                }
                if word(body_end)? != word(4)? {
                    return None;
                }
                let iface = *self
                    .section
                    .interfaces
                    .get(usize::try_from(word(8)?).ok()?)?;
                let ticks = (u64::from(word(12)?) << 32) | u64::from(word(16)?);
                Some(FastRecord {
                    ts: ticks_to_time(ticks, iface),
                    link: iface.link,
                    start: 28,
                    len: caplen,
                    skip: total - 28 - caplen,
                    orig_len: word(24)?,
                })
            }
        }
    }

    /// Counts the next frame and lends out its bytes from the buffer.
    fn frame_at(&mut self, meta: FrameMeta) -> Frame<'_> {
        self.frames += 1;
        let data = self
            .inner
            .data()
            .get(meta.start..meta.start.saturating_add(meta.len))
            .unwrap_or_default();
        let ts = match meta.ts {
            Some(ts) => {
                self.last_ts = ts;
                ts
            }
            None => self.last_ts,
        };
        Frame {
            no: FrameNo(self.frames),
            ts,
            link: meta.link,
            data,
            orig_len: meta.orig_len,
        }
    }

    /// The kind of a pcapng block cut by the end of the file (or corrupt),
    /// when it is not one that carries a packet.
    fn cut_block_name(&self) -> Option<&'static str> {
        if self.format != CaptureFormat::Pcapng {
            return None;
        }
        let head: [u8; 4] = self.inner.data().get(..4)?.try_into().ok()?;
        let kind = if self.section.big_endian {
            u32::from_be_bytes(head)
        } else {
            u32::from_le_bytes(head)
        };
        Some(match kind {
            0x0A0D_0D0A => "Section Header",
            1 => "Interface Description",
            4 => "Name Resolution",
            5 => "Interface Statistics",
            0x0A => "Decryption Secrets",
            0x0BAD | 0x4000_0BAD => "Custom",
            _ => return None,
        })
    }

    /// Reading the input failed: says why, when the input said (and names
    /// no frame when it failed between records).
    fn stop_reading(&mut self) {
        let why = self
            .read_error
            .lock()
            .ok()
            .and_then(|e| e.clone())
            .map_or_else(
                || "read error, analysis stops here".to_string(),
                |e| format!("read error ({e}), analysis stops here"),
            );
        if self.inner.data().is_empty() {
            self.done = true;
            self.warnings.push(Warning::general(format!(
                "after frame {}: {why}",
                self.frames
            )));
        } else {
            self.stop(&why);
        }
    }

    fn stop(&mut self, why: &str) {
        self.done = true;
        self.warnings
            .push(Warning::at(FrameNo(self.frames + 1), why.to_string()));
    }
}

/// Decodes one block into a frame position, updating per-section state.
fn classify(
    block: PcapBlockOwned<'_>,
    section: &mut Section,
    legacy_link: &mut LinkType,
    legacy_units: &mut u64,
    legacy_order: &mut Option<bool>,
    warnings: &mut Vec<Warning>,
    next_frame: u64,
) -> Step {
    match block {
        PcapBlockOwned::LegacyHeader(h) => {
            // The upper bits of the field may say whether frames end with an
            // FCS and how long it is (draft-ietf-opsawg-pcap §4): the link
            // type is the low 16 bits.
            *legacy_link = LinkType(h.network.0 as u32 & 0xffff);
            *legacy_order = (!h.is_modified_format()).then(|| h.is_bigendian());
            *legacy_units = if h.is_nanosecond_precision() {
                1_000_000_000
            } else {
                1_000_000
            };
            Step::Skip
        }
        PcapBlockOwned::Legacy(b) => Step::Frame(FrameMeta {
            ts: Some(Timestamp::from_parts(
                i64::from(b.ts_sec),
                u64::from(b.ts_usec),
                *legacy_units,
            )),
            link: *legacy_link,
            // The "modified" (Kuznetzov) format has 24-byte record headers
            // (interface index, protocol, packet type after the usual 16).
            start: if legacy_order.is_none() { 24 } else { 16 },
            len: b.data.len(),
            orig_len: b.origlen,
        }),
        PcapBlockOwned::NG(block) => match block {
            Block::SectionHeader(shb) => {
                section.big_endian = shb.big_endian();
                section.interfaces.clear();
                Step::Skip
            }
            Block::InterfaceDescription(idb) => {
                let units_per_sec = match idb.if_tsresol() {
                    Some(Ok(r)) => tsresol_units(r),
                    _ => 1_000_000,
                };
                if section.interfaces.len() < MAX_INTERFACES {
                    section.interfaces.push(Interface {
                        link: LinkType(idb.linktype.0 as u32),
                        units_per_sec,
                        offset_secs: idb.ts_offset(),
                    });
                } else if !section.interfaces_dropped {
                    section.interfaces_dropped = true;
                    // Packets on the interfaces past the cap get the unknown-
                    // interface warning; say why once.
                    warnings.push(Warning::at(
                        FrameNo(next_frame),
                        format!("more than {MAX_INTERFACES} interfaces in one pcapng section; the rest are not decoded"),
                    ));
                }
                Step::Skip
            }
            Block::EnhancedPacket(epb) => {
                let iface = interface(&section.interfaces, epb.if_id, warnings, next_frame);
                let ticks = (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low);
                let len = (epb.caplen as usize).min(epb.data.len());
                Step::Frame(FrameMeta {
                    ts: Some(ticks_to_time(ticks, iface)),
                    link: iface.link,
                    start: 28,
                    len,
                    orig_len: epb.origlen,
                })
            }
            Block::SimplePacket(spb) => {
                if !section.untimed_warned {
                    section.untimed_warned = true;
                    warnings.push(Warning::at(
                        FrameNo(next_frame),
                        "pcapng Simple Packet Blocks carry no timestamp (Wireshark shows them at time 0): times and durations of their connections mean nothing, and certificate dates are not judged",
                    ));
                }
                let iface = interface(&section.interfaces, 0, warnings, next_frame);
                // A simple packet block has no timestamp; Wireshark shows 0.
                let len = (spb.origlen as usize).min(spb.data.len());
                Step::Frame(FrameMeta {
                    ts: Some(Timestamp::from_parts(iface.offset_secs, 0, 1)),
                    link: iface.link,
                    start: 12,
                    len,
                    orig_len: spb.origlen,
                })
            }
            Block::Unknown(ub) if ub.block_type == OBSOLETE_PACKET_BLOCK => obsolete_packet(
                ub.data,
                section.big_endian,
                &section.interfaces,
                warnings,
                next_frame,
            ),
            // Wireshark numbers these as frames: so must we, or every later
            // frame number is off by one.
            Block::Custom(_) | Block::SystemdJournalExport(_) => Step::Frame(FrameMeta {
                ts: None,
                link: LinkType::NOT_A_PACKET,
                start: 0,
                len: 0,
                orig_len: 0,
            }),
            _ => Step::Skip,
        },
    }
}

/// Block type of the obsolete pcapng Packet Block, still counted as a frame.
const OBSOLETE_PACKET_BLOCK: u32 = 2;

/// The obsolete Packet Block: interface id (u16), drops (u16), timestamp high
/// and low, captured length, original length, data (all after the 8-byte header).
fn obsolete_packet(
    body: &[u8],
    big_endian: bool,
    interfaces: &[Interface],
    warnings: &mut Vec<Warning>,
    next_frame: u64,
) -> Step {
    let word = |at: usize| -> Option<u32> {
        body.get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map(|b: [u8; 4]| {
                if big_endian {
                    u32::from_be_bytes(b)
                } else {
                    u32::from_le_bytes(b)
                }
            })
    };
    let (Some(ids), Some(hi), Some(lo), Some(cap), Some(orig)) =
        (word(0), word(4), word(8), word(12), word(16))
    else {
        return Step::Skip;
    };
    // interface id is the first u16 of the first word, in section byte order
    let if_id = if big_endian { ids >> 16 } else { ids & 0xffff };
    let iface = interface(interfaces, if_id, warnings, next_frame);
    let ticks = (u64::from(hi) << 32) | u64::from(lo);
    let len = (cap as usize).min(body.len().saturating_sub(20));
    Step::Frame(FrameMeta {
        ts: Some(ticks_to_time(ticks, iface)),
        link: iface.link,
        start: 28,
        len,
        orig_len: orig,
    })
}

fn interface(
    interfaces: &[Interface],
    id: u32,
    warnings: &mut Vec<Warning>,
    next_frame: u64,
) -> Interface {
    match interfaces.get(id as usize) {
        Some(i) => *i,
        None => {
            if warnings.len() < 100 {
                warnings.push(Warning::at(
                    FrameNo(next_frame),
                    format!("packet names interface {id}, which was never described; not decoded"),
                ));
            }
            Interface {
                link: LinkType(u32::MAX),
                units_per_sec: 1_000_000,
                offset_secs: 0,
            }
        }
    }
}

/// `if_tsresol`: high bit clear → 10^-n seconds, set → 2^-n seconds.
fn tsresol_units(r: u8) -> u64 {
    let n = u32::from(r & 0x7f);
    if r & 0x80 == 0 {
        10u64.checked_pow(n).unwrap_or(1_000_000)
    } else {
        1u64.checked_shl(n).unwrap_or(1_000_000)
    }
}

fn ticks_to_time(ticks: u64, iface: Interface) -> Timestamp {
    let units = iface.units_per_sec.max(1);
    let secs = i64::try_from(ticks / units).unwrap_or(i64::MAX);
    Timestamp::from_parts(secs.saturating_add(iface.offset_secs), ticks % units, units)
}

fn describe_error(e: &PcapError<&[u8]>) -> String {
    match e {
        PcapError::Eof | PcapError::UnexpectedEof | PcapError::Incomplete(_) => {
            "file ends inside the header".to_string()
        }
        PcapError::BufferTooSmall => "block larger than the read buffer".to_string(),
        PcapError::ReadError => "read error".to_string(),
        PcapError::HeaderNotRecognized => "header not recognized".to_string(),
        PcapError::NomError(_, kind) | PcapError::OwnedNomError(_, kind) => {
            format!("invalid block ({})", kind.description())
        }
    }
}

/// Reads a whole capture from a byte slice and calls `f` for every frame (tests, fuzzing).
pub fn for_each_frame(
    bytes: &[u8],
    mut f: impl FnMut(&Frame<'_>),
) -> Result<(u64, Vec<Warning>), Error> {
    let path = std::path::Path::new("<memory>");
    let input = input::from_reader(path, Box::new(std::io::Cursor::new(bytes.to_vec())))?;
    let mut reader = CaptureReader::new(input, path)?;
    while let Some(frame) = reader.next_frame()? {
        f(&frame);
    }
    Ok((reader.frames(), reader.take_warnings()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A little-endian pcap header (Ethernet, microseconds) and two records.
    fn tiny_pcap() -> Vec<u8> {
        let mut v = vec![
            0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0,
            0,
        ];
        for (i, len) in [(1u32, 3u32), (2, 5)] {
            v.extend_from_slice(&i.to_le_bytes());
            v.extend_from_slice(&500u32.to_le_bytes());
            v.extend_from_slice(&len.to_le_bytes());
            v.extend_from_slice(&(len + 10).to_le_bytes());
            v.extend(std::iter::repeat_n(0xab, len as usize));
        }
        v
    }

    #[test]
    fn counts_pcap_records() {
        let mut seen = Vec::new();
        let (n, warnings) = for_each_frame(&tiny_pcap(), |f| {
            seen.push((f.no.0, f.data.len(), f.orig_len, f.ts.to_string()))
        })
        .map_err(|e| e.to_string())
        .unwrap_or_default();
        assert_eq!(n, 2);
        assert!(warnings.is_empty());
        assert_eq!(
            seen[0],
            (1, 3, 13, "1970-01-01T00:00:01.000500Z".to_string())
        );
        assert_eq!(seen[1].1, 5);
    }

    #[test]
    fn truncated_last_record_is_not_a_frame() {
        let mut bytes = tiny_pcap();
        bytes.truncate(bytes.len() - 2);
        let (n, warnings) = for_each_frame(&bytes, |_| {}).unwrap_or_default();
        assert_eq!(n, 1);
        assert_eq!(
            warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
            vec!["frame 2: truncated record, analysis stops here".to_string()]
        );
    }

    #[test]
    fn a_cut_statistics_block_at_the_end_loses_no_frame() {
        // dumpcap closes its files with Interface Statistics Blocks: cut the
        // last one of a real capture in the middle.
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/captures/tls13-ok.pcapng");
        let bytes = std::fs::read(path).unwrap_or_default();
        let mut at = 0;
        let mut last = (0, 0);
        while at + 8 <= bytes.len() {
            let kind = u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
            let len =
                u32::from_le_bytes([bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]]);
            last = (at, kind);
            at += len as usize;
        }
        assert_eq!(
            last.1, 5,
            "the file ends with an Interface Statistics Block"
        );
        let (whole, _) = for_each_frame(&bytes, |_| {}).unwrap_or_default();
        let cut = &bytes[..last.0 + 12];
        let (n, warnings) = for_each_frame(cut, |_| {}).unwrap_or_default();
        assert_eq!(n, whole);
        assert_eq!(
            warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
            vec![format!(
                "after frame {whole}: truncated pcapng Interface Statistics block (not a packet), the capture ends here"
            )]
        );
    }

    #[test]
    fn simple_packet_blocks_are_frames_at_time_zero_with_a_warning() {
        // A real capture's Enhanced Packet Blocks rewritten as Simple Packet
        // Blocks (same packet bytes, no interface id, no timestamp).
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/captures/tls13-ok.pcapng");
        let bytes = std::fs::read(path).unwrap_or_default();
        let le = |at: usize| {
            u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        let mut out = Vec::new();
        let mut at = 0;
        let mut packets = 0;
        while at + 8 <= bytes.len() {
            let (kind, len) = (le(at), le(at + 4) as usize);
            if kind == 6 {
                let (cap, orig) = (le(at + 20) as usize, le(at + 24));
                let padded = cap.div_ceil(4) * 4;
                let total = (16 + padded) as u32;
                out.extend_from_slice(&3u32.to_le_bytes());
                out.extend_from_slice(&total.to_le_bytes());
                out.extend_from_slice(&orig.to_le_bytes());
                out.extend_from_slice(&bytes[at + 28..at + 28 + cap]);
                out.resize(out.len() + padded - cap, 0);
                out.extend_from_slice(&total.to_le_bytes());
                packets += 1;
            } else if kind != 5 {
                out.extend_from_slice(&bytes[at..at + len]);
            }
            at += len;
        }
        let mut times = Vec::new();
        let (n, warnings) = for_each_frame(&out, |f| times.push(f.ts)).unwrap_or_default();
        assert_eq!(n, packets);
        assert!(times.iter().all(|t| t.as_nanos() == 0));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0]
                .to_string()
                .starts_with("frame 1: pcapng Simple Packet Blocks carry no timestamp")
        );
    }

    #[test]
    fn fcs_bits_in_the_pcap_link_type_are_masked() {
        // Ethernet, with "FCS of 4 bytes present" in the upper bits.
        let mut bytes = tiny_pcap();
        bytes[20..24].copy_from_slice(&(1u32 | 0x0400_0000 | 2 << 28).to_le_bytes());
        let mut links = Vec::new();
        let _ = for_each_frame(&bytes, |f| links.push(f.link));
        assert_eq!(links, [LinkType::ETHERNET, LinkType::ETHERNET]);
    }

    #[test]
    fn modified_pcap_records_start_after_their_24_byte_header() {
        // Kuznetzov's format (magic a1b2cd34): each record header has 8 more
        // bytes (interface index, protocol, packet type, padding).
        let mut v = tiny_pcap();
        v.truncate(24);
        v[0..4].copy_from_slice(&0xa1b2_cd34u32.to_le_bytes());
        for (i, len) in [(1u32, 3u32), (2, 5)] {
            for word in [i, 500, len, len + 10] {
                v.extend_from_slice(&word.to_le_bytes());
            }
            v.extend_from_slice(&[7, 0, 0, 0, 8, 0, 4, 0]);
            v.extend(std::iter::repeat_n(0xab, len as usize));
        }
        let mut seen = Vec::new();
        let (n, _) = for_each_frame(&v, |f| seen.push(f.data.to_vec())).unwrap_or_default();
        assert_eq!(n, 2);
        assert_eq!(seen, [vec![0xab; 3], vec![0xab; 5]]);
    }

    /// A little-endian pcapng: section header, one Ethernet interface.
    fn pcapng_head() -> Vec<u8> {
        let mut v = Vec::new();
        for w in [0x0a0d_0d0au32, 28, 0x1a2b_3c4d] {
            v.extend_from_slice(&w.to_le_bytes());
        }
        v.extend_from_slice(&[1, 0, 0, 0]);
        v.extend_from_slice(&u64::MAX.to_le_bytes());
        v.extend_from_slice(&28u32.to_le_bytes());
        for w in [1u32, 20, 1, 0xffff, 20] {
            v.extend_from_slice(&w.to_le_bytes());
        }
        v
    }

    fn block(v: &mut Vec<u8>, kind: u32, body: &[u8]) {
        let total = (12 + body.len()) as u32;
        v.extend_from_slice(&kind.to_le_bytes());
        v.extend_from_slice(&total.to_le_bytes());
        v.extend_from_slice(body);
        v.extend_from_slice(&total.to_le_bytes());
    }

    fn epb(v: &mut Vec<u8>, secs: u32) {
        let mut body = Vec::new();
        let ticks = u64::from(secs) * 1_000_000;
        for w in [0u32, (ticks >> 32) as u32, ticks as u32, 4, 4] {
            body.extend_from_slice(&w.to_le_bytes());
        }
        body.extend_from_slice(&[0xab; 4]);
        block(v, 6, &body);
    }

    #[test]
    fn custom_and_journal_blocks_are_numbered_like_wireshark() {
        let mut v = pcapng_head();
        epb(&mut v, 100);
        // Custom Block (PEN 32473, the documentation number) and a systemd
        // Journal Export Block: Wireshark gives each a frame number.
        block(&mut v, 0x0000_0bad, &[0x59, 0x7e, 0, 0, 1, 2, 3, 4]);
        block(&mut v, 9, b"MESSAGE=x\n\0\0");
        epb(&mut v, 200);
        let mut seen = Vec::new();
        let (n, warnings) =
            for_each_frame(&v, |f| seen.push((f.no.0, f.data.len(), f.ts))).unwrap_or_default();
        assert_eq!(n, 4, "{warnings:?}");
        let ts = |s: i64| Timestamp::from_nanos(s * 1_000_000_000);
        assert_eq!(
            seen,
            [
                (1, 4, ts(100)),
                (2, 0, ts(100)),
                (3, 0, ts(100)),
                (4, 4, ts(200))
            ]
        );
    }

    #[test]
    fn tsresol() {
        assert_eq!(tsresol_units(6), 1_000_000);
        assert_eq!(tsresol_units(9), 1_000_000_000);
        assert_eq!(tsresol_units(0x80 | 10), 1024);
    }
}
