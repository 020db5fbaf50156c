//! Compressed inputs: gzip, zstd, xz and bzip2, recognised by their magic
//! numbers and decoded as streams (concatenated streams and frames included),
//! in bounded memory. Captures and archives arrive compressed with any of
//! them: `gzip` by default, `zstd` for large captures (Wireshark reads it),
//! `xz` and `bzip2` in `.tar.xz` / `.tar.bz2` bundles.

use std::io::{self, Read};

/// A compression format we decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// RFC 1952 gzip (flate2, zlib-rs backend).
    Gzip,
    /// Zstandard (ruzstd).
    Zstd,
    /// xz / LZMA2 (lzma-rust2).
    Xz,
    /// bzip2 (bzip2 with its Rust backend).
    Bzip2,
}

/// Largest memory an xz stream may ask for: `xz -9` needs 65 MiB to decode,
/// a hostile header may ask for 4 GiB. (ruzstd caps a zstd window at 100 MiB;
/// bzip2 needs at most ~4 MiB.)
const XZ_MEMORY_LIMIT_KIB: u32 = 128 * 1024;

/// First bytes of a zstd frame, and the range of skippable-frame magics.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];
const ZSTD_SKIPPABLE: std::ops::RangeInclusive<u32> = 0x184d_2a50..=0x184d_2a5f;

impl Codec {
    /// The format's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Codec::Gzip => "gzip",
            Codec::Zstd => "zstd",
            Codec::Xz => "xz",
            Codec::Bzip2 => "bzip2",
        }
    }

    /// The codec whose magic number `head` starts with.
    pub fn sniff(head: &[u8]) -> Option<Codec> {
        match head {
            [0x1f, 0x8b, ..] => Some(Codec::Gzip),
            [0x28, 0xb5, 0x2f, 0xfd, ..] => Some(Codec::Zstd),
            [0xfd, b'7', b'z', b'X', b'Z', 0x00, ..] => Some(Codec::Xz),
            // "BZh" and the block size digit.
            [b'B', b'Z', b'h', b'1'..=b'9', ..] => Some(Codec::Bzip2),
            _ => None,
        }
    }

    /// The decompressed stream of `compressed`.
    pub fn decoder<R: Read>(self, compressed: R) -> Decoder<R> {
        Decoder(match self {
            Codec::Gzip => Inner::Gzip(Box::new(flate2::read::MultiGzDecoder::new(compressed))),
            Codec::Bzip2 => Inner::Bzip2(bzip2::read::MultiBzDecoder::new(compressed)),
            Codec::Xz => Inner::Xz(Box::new(lzma_rust2::XzReader::new_mem_limit(
                compressed,
                true,
                XZ_MEMORY_LIMIT_KIB,
            ))),
            Codec::Zstd => Inner::Zstd(ZstdFrames::Between(Replay::new(compressed))),
        })
    }
}

/// A decompressing reader (`Send` when its input is).
pub struct Decoder<R: Read>(Inner<R>);

enum Inner<R: Read> {
    Gzip(Box<flate2::read::MultiGzDecoder<R>>),
    Bzip2(bzip2::read::MultiBzDecoder<R>),
    Xz(Box<lzma_rust2::XzReader<R>>),
    Zstd(ZstdFrames<R>),
}

impl<R: Read> Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let (codec, read) = match &mut self.0 {
            Inner::Gzip(d) => (Codec::Gzip, d.read(buf)),
            Inner::Bzip2(d) => (Codec::Bzip2, d.read(buf)),
            Inner::Xz(d) => (Codec::Xz, d.read(buf)),
            Inner::Zstd(d) => (Codec::Zstd, d.read(buf)),
        };
        // Say which format failed: "decompression not finished but EOF
        // reached" alone does not tell a cut .bz2 from a bad disk.
        read.map_err(|e| {
            let text = e.to_string();
            if text.contains(codec.name()) {
                e
            } else {
                io::Error::new(e.kind(), format!("{} data: {text}", codec.name()))
            }
        })
    }
}

/// A reader that first gives back a few bytes already read from it (a zstd
/// frame's magic, read to tell a frame from a skippable one or the end).
struct Replay<R> {
    pending: [u8; 4],
    at: usize,
    len: usize,
    inner: R,
}

impl<R: Read> Replay<R> {
    fn new(inner: R) -> Self {
        Self {
            pending: [0; 4],
            at: 0,
            len: 0,
            inner,
        }
    }
}

impl<R: Read> Read for Replay<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(left) = self
            .pending
            .get(self.at..self.len)
            .filter(|l| !l.is_empty())
        {
            let n = left.len().min(buf.len());
            if let (Some(dst), Some(src)) = (buf.get_mut(..n), left.get(..n)) {
                dst.copy_from_slice(src);
            }
            self.at += n;
            return Ok(n);
        }
        self.inner.read(buf)
    }
}

type ZstdFrame<R> = ruzstd::decoding::StreamingDecoder<Replay<R>, ruzstd::decoding::FrameDecoder>;

/// Every frame of a zstd stream in turn (ruzstd's decoder reads one frame;
/// `pzstd` and `cat a.zst b.zst` make several), skippable frames skipped.
enum ZstdFrames<R: Read> {
    Frame(Box<ZstdFrame<R>>),
    Between(Replay<R>),
    Done,
}

impl<R: Read> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            match std::mem::replace(self, ZstdFrames::Done) {
                ZstdFrames::Done => return Ok(0),
                ZstdFrames::Frame(mut frame) => {
                    let n = frame.read(buf)?;
                    if n > 0 {
                        *self = ZstdFrames::Frame(frame);
                        return Ok(n);
                    }
                    *self = ZstdFrames::Between(frame.into_inner());
                }
                ZstdFrames::Between(mut rest) => {
                    let mut magic = [0u8; 4];
                    let got = read_up_to(&mut rest, &mut magic)?;
                    if got == 0 {
                        return Ok(0);
                    }
                    let word = u32::from_le_bytes(magic);
                    if got == magic.len() && ZSTD_SKIPPABLE.contains(&word) {
                        let mut len = [0u8; 4];
                        if read_up_to(&mut rest, &mut len)? < len.len() {
                            return Err(cut("a skippable frame's header"));
                        }
                        let len = u64::from(u32::from_le_bytes(len));
                        if io::copy(&mut (&mut rest).take(len), &mut io::sink())? < len {
                            return Err(cut("a skippable frame"));
                        }
                        *self = ZstdFrames::Between(rest);
                        continue;
                    }
                    if magic != ZSTD_MAGIC {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            "data after the last frame is not a frame",
                        ));
                    }
                    rest.pending = magic;
                    rest.at = 0;
                    rest.len = got;
                    let frame = ruzstd::decoding::StreamingDecoder::new(rest)
                        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
                    *self = ZstdFrames::Frame(Box::new(frame));
                }
            }
        }
    }
}

fn cut(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        format!("the input ends inside {what}"),
    )
}

/// Reads until `buf` is full or the input ends; the count read.
fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while let Some(space) = buf.get_mut(got..).filter(|s| !s.is_empty()) {
        match r.read(space) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn fixture(name: &str) -> Vec<u8> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("captures");
        std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn inflate(data: &[u8]) -> io::Result<Vec<u8>> {
        let codec = Codec::sniff(data).ok_or_else(|| io::Error::other("no codec"))?;
        let mut out = Vec::new();
        codec.decoder(data).read_to_end(&mut out)?;
        Ok(out)
    }

    /// Files made by zstd, xz and bzip2 (captures/compressed/make.sh) give
    /// back the capture byte for byte.
    #[test]
    fn each_codec_gives_back_the_capture() {
        let plain = fixture("tls13-ok.pcapng");
        for (name, codec) in [
            ("tls13-ok.pcapng.zst", Codec::Zstd),
            ("tls13-ok.pcapng.xz", Codec::Xz),
            ("tls13-ok.pcapng.bz2", Codec::Bzip2),
        ] {
            let data = fixture(&format!("compressed/{name}"));
            assert_eq!(Codec::sniff(&data), Some(codec), "{name}");
            assert_eq!(inflate(&data).ok().as_deref(), Some(&plain[..]), "{name}");
        }
    }

    /// Two zstd frames (and a skippable frame before them, as some tools
    /// write metadata) are one stream.
    #[test]
    fn zstd_frames_follow_each_other() {
        let plain = fixture("tetra-good.pcapng");
        let two_frames = fixture("compressed/tetra-good.pcapng.zst");
        assert_eq!(inflate(&two_frames).ok().as_deref(), Some(&plain[..]));
        let mut skippable = vec![0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, b'a', b'b', b'c'];
        skippable.extend_from_slice(&two_frames);
        // Sniffing sees the skippable frame's magic, not a zstd frame's.
        let mut out = Vec::new();
        let read = Codec::Zstd.decoder(&skippable[..]).read_to_end(&mut out);
        assert!(read.is_ok(), "{read:?}");
        assert_eq!(out, plain);
    }

    /// A cut stream and trailing garbage are errors, never a panic or a
    /// silently shorter capture.
    #[test]
    fn cut_or_corrupt_streams_are_errors() {
        for name in [
            "tls13-ok.pcapng.zst",
            "tls13-ok.pcapng.xz",
            "tls13-ok.pcapng.bz2",
        ] {
            let data = fixture(&format!("compressed/{name}"));
            let cut = data.get(..data.len() / 2).unwrap_or_default();
            assert!(inflate(cut).is_err(), "{name} cut in half");
        }
        let mut trailing = fixture("compressed/tls13-ok.pcapng.zst");
        trailing.extend_from_slice(b"garbage!");
        assert!(inflate(&trailing).is_err());
    }
}
