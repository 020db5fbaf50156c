//! One criterion benchmark per pipeline stage, on the shipped captures
//! (`captures/` and `../shared/corpus/public`, about 4 MB in all), held in memory:
//!
//! * `capture`    — pcap/pcapng reading: bytes → frames
//! * `packet`     — frames → IP/TCP/UDP packets
//! * `reassembly` — TCP segments → per-direction ordered bytes
//! * `tls`        — reassembled TLS directions → records → handshake facts
//! * `analyze`    — the whole library pipeline (`analyze_stream`, with the diagnosis)
//! * `ndjson`     — its connections, DNS exchanges and findings → NDJSON lines
//!
//! Every stage reports throughput in bytes of *capture file* (`Throughput::Bytes`),
//! so the stages' MB/s add up like costs: 1/total = Σ 1/stage, roughly. The inputs
//! of a stage are prepared outside the timed loop, so each number is that stage alone.
//!
//! `cargo bench --bench stages` (about two minutes on 2 cores). End-to-end numbers
//! against tshark and ssldump on the big workloads come from `benches/compare.sh`.

use std::hint::black_box;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rustc_hash::FxHashMap;

use tlsdiag::capture::{CaptureReader, FrameNo, LinkType, Timestamp, input};
use tlsdiag::flow::reassembly::{Budget, Reassembler, StreamEvent};
use tlsdiag::flow::{Direction, Endpoint, FlowKey, PerDirection};
use tlsdiag::packet::{self, Transport};
use tlsdiag::report::json;
use tlsdiag::tls::{Handshake, RecordContext, TlsStream, looks_like_tls_start};
use tlsdiag::{Options, Output, Warning};

/// A capture file's bytes.
struct Capture {
    name: PathBuf,
    bytes: Vec<u8>,
}

/// Every pcap/pcapng file under the shipped capture directories (by magic number).
fn shipped_captures() -> Vec<Capture> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in [root.join("captures"), root.join("../shared/corpus/public")] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for name in paths {
            let Ok(bytes) = std::fs::read(&name) else {
                continue;
            };
            if matches!(input::sniff(&bytes), input::Sniffed::Capture(_)) {
                out.push(Capture { name, bytes });
            }
        }
    }
    assert!(!out.is_empty(), "no shipped captures found");
    out
}

fn reader(c: &Capture) -> CaptureReader<'_> {
    let stream = Box::new(Cursor::new(c.bytes.as_slice()));
    let input = input::from_reader(&c.name, stream).expect("shipped capture opens");
    CaptureReader::new(input, &c.name).expect("shipped capture has a header")
}

/// A frame copied out of its capture (input of the packet stage).
struct OwnedFrame {
    no: FrameNo,
    ts: Timestamp,
    link: LinkType,
    data: Vec<u8>,
    orig_len: u32,
}

fn frames(caps: &[Capture]) -> Vec<OwnedFrame> {
    let mut out = Vec::new();
    for c in caps {
        let mut r = reader(c);
        while let Ok(Some(f)) = r.next_frame() {
            out.push(OwnedFrame {
                no: f.no,
                ts: f.ts,
                link: f.link,
                data: f.data.to_vec(),
                orig_len: f.orig_len,
            });
        }
    }
    out
}

/// A TCP segment with its flow (input of the reassembly stage). Flows of
/// different captures are kept apart by the capture's index.
struct OwnedSegment {
    capture: usize,
    key: FlowKey,
    dir: Direction,
    frame: OwnedFrame,
}

fn segments(caps: &[Capture]) -> Vec<OwnedSegment> {
    let mut out = Vec::new();
    for (i, c) in caps.iter().enumerate() {
        for f in frames(std::slice::from_ref(c)) {
            let view = tlsdiag::capture::Frame {
                no: f.no,
                ts: f.ts,
                link: f.link,
                data: &f.data,
                orig_len: f.orig_len,
            };
            let Ok(p) = packet::decode(&view) else {
                continue;
            };
            let Transport::Tcp(seg) = p.transport else {
                continue;
            };
            let (key, dir) = FlowKey::of(
                Endpoint {
                    ip: p.src,
                    port: seg.src_port,
                },
                Endpoint {
                    ip: p.dst,
                    port: seg.dst_port,
                },
            );
            out.push(OwnedSegment {
                capture: i,
                key,
                dir,
                frame: f,
            });
        }
    }
    out
}

/// Runs segments through per-direction reassemblers; `sink` gets each event.
fn reassemble(
    segs: &[OwnedSegment],
    mut sink: impl FnMut(usize, FlowKey, Direction, StreamEvent<'_>),
) {
    let mut flows: FxHashMap<(usize, FlowKey), PerDirection<Reassembler>> = FxHashMap::default();
    let mut budget = Budget::default();
    for s in segs {
        let view = tlsdiag::capture::Frame {
            no: s.frame.no,
            ts: s.frame.ts,
            link: s.frame.link,
            data: &s.frame.data,
            orig_len: s.frame.orig_len,
        };
        let Ok(packet::Packet {
            transport: Transport::Tcp(seg),
            ..
        }) = packet::decode(&view)
        else {
            continue;
        };
        let streams = flows.entry((s.capture, s.key)).or_default();
        streams[s.dir].push(&seg, s.frame.no, s.frame.ts, &mut budget, &mut |ev| {
            sink(s.capture, s.key, s.dir, ev)
        });
    }
    for ((capture, key), mut streams) in flows {
        for dir in Direction::BOTH {
            streams[dir].finish(&mut budget, &mut |ev| sink(capture, key, dir, ev));
        }
    }
}

/// Reassembled bytes of one direction, with the frame that delivered each chunk.
type Chunks = Vec<(FrameNo, Vec<u8>)>;

/// One reassembled direction that starts like TLS (input of the TLS stage).
struct TlsDirection {
    dir: Direction,
    chunks: Chunks,
}

fn tls_directions(segs: &[OwnedSegment]) -> Vec<Vec<TlsDirection>> {
    let mut streams: FxHashMap<(usize, FlowKey, Direction), Chunks> = FxHashMap::default();
    reassemble(segs, |capture, key, dir, ev| {
        if let StreamEvent::Data { bytes, frame, .. } = ev {
            streams
                .entry((capture, key, dir))
                .or_default()
                .push((frame, bytes.to_vec()));
        }
    });
    // Group both directions of a connection: they share one Handshake.
    let mut conns: FxHashMap<(usize, FlowKey), Vec<TlsDirection>> = FxHashMap::default();
    for ((capture, key, dir), chunks) in streams {
        let starts_tls = chunks.first().is_some_and(|(_, b)| looks_like_tls_start(b));
        if starts_tls {
            conns
                .entry((capture, key))
                .or_default()
                .push(TlsDirection { dir, chunks });
        }
    }
    let mut out: Vec<Vec<TlsDirection>> = conns.into_values().collect();
    out.sort_by_key(|c| c.first().and_then(|d| d.chunks.first()).map(|(f, _)| *f));
    out
}

fn stages(c: &mut Criterion) {
    let caps = shipped_captures();
    let total: u64 = caps.iter().map(|c| c.bytes.len() as u64).sum();
    let owned_frames = frames(&caps);
    let segs = segments(&caps);
    let tls = tls_directions(&segs);

    let mut g = c.benchmark_group("stages");
    g.throughput(Throughput::Bytes(total));
    g.sample_size(30);
    g.warm_up_time(Duration::from_secs(2));
    g.measurement_time(Duration::from_secs(6));

    g.bench_function("capture", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for cap in &caps {
                let mut r = reader(cap);
                while let Ok(Some(f)) = r.next_frame() {
                    n += f.data.len();
                }
            }
            black_box(n)
        })
    });

    g.bench_function("packet", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for f in &owned_frames {
                let view = tlsdiag::capture::Frame {
                    no: f.no,
                    ts: f.ts,
                    link: f.link,
                    data: &f.data,
                    orig_len: f.orig_len,
                };
                if let Ok(p) = packet::decode(&view) {
                    n += match p.transport {
                        Transport::Tcp(t) => t.payload.len(),
                        Transport::Udp(u) => u.payload.len(),
                    };
                }
            }
            black_box(n)
        })
    });

    g.bench_function("reassembly", |b| {
        b.iter(|| {
            let mut n = 0u64;
            reassemble(&segs, |_, _, _, ev| match ev {
                StreamEvent::Data { bytes, .. } => n += bytes.len() as u64,
                StreamEvent::Gap { len, .. } => n += len,
            });
            black_box(n)
        })
    });

    g.bench_function("tls", |b| {
        b.iter(|| {
            let mut warnings: Vec<Warning> = Vec::new();
            let mut hellos = 0usize;
            for conn in &tls {
                let mut hs = Handshake::default();
                for d in conn {
                    let mut stream = TlsStream::new();
                    for (frame, bytes) in &d.chunks {
                        let mut ctx = RecordContext {
                            dir: d.dir,
                            frame: *frame,
                            ts: Timestamp::default(),
                            handshake: &mut hs,
                            warnings: &mut warnings,
                        };
                        stream.feed(bytes, &mut ctx);
                    }
                    let mut ctx = RecordContext {
                        dir: d.dir,
                        frame: FrameNo(0),
                        ts: Timestamp::default(),
                        handshake: &mut hs,
                        warnings: &mut warnings,
                    };
                    stream.finish(&mut ctx);
                }
                hellos += usize::from(hs.client_hello.is_some());
            }
            black_box(hellos)
        })
    });

    let options = Options::default();
    g.bench_function("analyze", |b| {
        b.iter(|| {
            let mut items = 0usize;
            for cap in &caps {
                let summary = tlsdiag::analyze_stream(reader(cap), &options, &mut |out| {
                    black_box(&out);
                    items += 1;
                })
                .expect("shipped capture analyses");
                items += summary.frames as usize;
            }
            black_box(items)
        })
    });
    let items: Vec<(String, Vec<Output>)> = caps
        .iter()
        .map(|cap| {
            let mut items = Vec::new();
            tlsdiag::analyze_stream(reader(cap), &options, &mut |out| items.push(out))
                .expect("shipped capture analyses");
            (cap.name.display().to_string(), items)
        })
        .collect();
    g.bench_function("ndjson", |b| {
        let mut line = Vec::with_capacity(4096);
        b.iter(|| {
            let mut n = 0usize;
            for (name, items) in &items {
                let lines = json::CaptureLines::new(name);
                for item in items {
                    lines.line_into(&mut line, item);
                    n += line.len();
                }
            }
            black_box(n)
        })
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
