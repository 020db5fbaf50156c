//! Opening an input: a file, standard input, or a compressed capture.
//!
//! The first bytes are sniffed, never the name: gzip, zstd, xz and bzip2 are
//! decompressed as streams ([`super::decompress`]), then the pcap / pcapng
//! magic numbers decide the format. The sniffed bytes are put back in front of the stream, so
//! pipes work like files.

use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::Path;

use super::decompress::Codec;
use crate::error::Error;

/// The capture file formats we read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CaptureFormat {
    /// libpcap, any byte order, micro- or nanosecond timestamps.
    Pcap,
    /// pcapng, any number of sections and interfaces.
    Pcapng,
}

impl CaptureFormat {
    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            CaptureFormat::Pcap => "pcap",
            CaptureFormat::Pcapng => "pcapng",
        }
    }
}

/// What the first bytes of an input say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// A capture of this format.
    Capture(CaptureFormat),
    /// Compressed data (to be decompressed and sniffed again).
    Compressed(Codec),
    /// Data compressed with something not read here (named).
    Unsupported(&'static str),
    /// Something else.
    Other,
}

/// Classifies an input from its first bytes (at least 4 are needed).
pub fn sniff(head: &[u8]) -> Sniffed {
    if let Some(codec) = Codec::sniff(head) {
        return Sniffed::Compressed(codec);
    }
    match head {
        [0x0a, 0x0d, 0x0d, 0x0a, ..] => Sniffed::Capture(CaptureFormat::Pcapng),
        [0xa1, 0xb2, 0xc3, 0xd4, ..]
        | [0xd4, 0xc3, 0xb2, 0xa1, ..]
        | [0xa1, 0xb2, 0x3c, 0x4d, ..]
        | [0x4d, 0x3c, 0xb2, 0xa1, ..]
        | [0xa1, 0xb2, 0xcd, 0x34, ..]
        | [0x34, 0xcd, 0xb2, 0xa1, ..] => Sniffed::Capture(CaptureFormat::Pcap),
        [0x04, 0x22, 0x4d, 0x18, ..] => Sniffed::Unsupported("lz4"),
        [b'7', b'z', 0xbc, 0xaf, ..] => Sniffed::Unsupported("7-Zip"),
        _ => Sniffed::Other,
    }
}

/// A readable capture stream with its format already known.
pub struct CaptureInput<'r> {
    /// The format, from the magic number.
    pub format: CaptureFormat,
    /// How the bytes were compressed, if they were.
    pub compressed: Option<Codec>,
    /// The stream, positioned at the start of the capture.
    pub stream: Box<dyn Read + Send + 'r>,
}

/// Bytes read to sniff a stream: enough for the magic numbers and a tar
/// header's `ustar` (to say that an archive is one).
const SNIFF_LEN: usize = 512;

/// Opens `path` (`-` is standard input) and identifies its format.
pub fn open(path: &Path) -> Result<CaptureInput<'static>, Error> {
    let io_err = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let stream: Box<dyn Read + Send> = if path.as_os_str() == "-" {
        Box::new(io::stdin())
    } else {
        Box::new(File::open(path).map_err(io_err)?)
    };
    from_reader(path, stream)
}

/// Identifies the format of an already open stream (an archive member, stdin).
/// `path` only names the input in errors.
pub fn from_reader<'r>(
    path: &Path,
    stream: Box<dyn Read + Send + 'r>,
) -> Result<CaptureInput<'r>, Error> {
    let io_err = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let (head, stream) = peek(stream).map_err(io_err)?;
    match sniff(&head) {
        Sniffed::Capture(format) => Ok(CaptureInput {
            format,
            compressed: None,
            stream,
        }),
        Sniffed::Compressed(codec) => {
            let inflated: Box<dyn Read + Send + 'r> =
                Box::new(codec.decoder(io::BufReader::with_capacity(256 * 1024, stream)));
            let (head, stream) = peek(inflated).map_err(io_err)?;
            match sniff(&head) {
                Sniffed::Capture(format) => Ok(CaptureInput {
                    format,
                    compressed: Some(codec),
                    stream,
                }),
                _ => Err(Error::NotACapture {
                    path: path.to_path_buf(),
                    detail: format!("{} data that {}", codec.name(), describe(&head)),
                }),
            }
        }
        Sniffed::Unsupported(how) => Err(Error::NotACapture {
            path: path.to_path_buf(),
            detail: format!(
                "{how}-compressed: decompress it first; captures and archives are read plain or compressed with gzip, zstd, xz or bzip2"
            ),
        }),
        Sniffed::Other => Err(Error::NotACapture {
            path: path.to_path_buf(),
            detail: describe(&head).to_string(),
        }),
    }
}

fn describe(head: &[u8]) -> String {
    if head.is_empty() {
        "is empty".to_string()
    } else if head.starts_with(b"PK\x03\x04") || head.get(257..262) == Some(b"ustar") {
        let kind = if head.starts_with(b"PK") {
            "zip"
        } else {
            "tar"
        };
        format!("is a {kind} archive: `tlsdiag scan` reads the captures inside archives")
    } else {
        let hex: Vec<String> = head.iter().take(4).map(|b| format!("{b:02x}")).collect();
        format!("starts with {}", hex.join(" "))
    }
}

/// Reads up to [`SNIFF_LEN`] bytes and returns them with a stream that replays them.
fn peek<'r>(
    mut stream: Box<dyn Read + Send + 'r>,
) -> io::Result<(Vec<u8>, Box<dyn Read + Send + 'r>)> {
    let mut head = vec![0u8; SNIFF_LEN];
    let mut filled = 0;
    while filled < SNIFF_LEN {
        let Some(space) = head.get_mut(filled..) else {
            break;
        };
        match stream.read(space) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    head.truncate(filled);
    let replay = Cursor::new(head.clone()).chain(stream);
    Ok((head, Box::new(replay)))
}

/// A reader whose first `read` fills the caller's buffer as far as the stream goes.
///
/// pcap-parser decodes the file header from its first read only; a pipe may hand
/// over a few bytes at a time, so the first read must not be short. Later reads
/// pass through, so a live `tcpdump -w - | tlsdiag -` is not held back.
pub struct FillFirst<R> {
    inner: R,
    first: bool,
    /// The last read error, for the warning that stops the analysis (the
    /// capture parser only says that reading failed).
    last_error: std::sync::Arc<std::sync::Mutex<Option<String>>>,
    /// An error met after the first read had data: returned by the next read.
    deferred: Option<io::Error>,
}

impl<R: Read> FillFirst<R> {
    /// Wraps `inner`.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            first: true,
            last_error: std::sync::Arc::default(),
            deferred: None,
        }
    }

    /// Where the last read error will be kept.
    pub fn error_slot(&self) -> std::sync::Arc<std::sync::Mutex<Option<String>>> {
        std::sync::Arc::clone(&self.last_error)
    }

    fn note(&self, e: &io::Error) {
        if let Ok(mut slot) = self.last_error.lock() {
            *slot = Some(e.to_string());
        }
    }
}

impl<R: Read> Read for FillFirst<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let r = self.read_inner(buf);
        if let Err(e) = &r {
            self.note(e);
        }
        r
    }
}

impl<R: Read> FillFirst<R> {
    fn read_inner(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(e) = self.deferred.take() {
            return Err(e);
        }
        if !self.first {
            return self.inner.read(buf);
        }
        self.first = false;
        let mut filled = 0;
        while filled < buf.len() {
            let Some(space) = buf.get_mut(filled..) else {
                break;
            };
            match self.inner.read(space) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if filled > 0 => {
                    // Report what we have; the error is returned by the next
                    // read (a decoder that failed may not say it twice).
                    self.deferred = Some(e);
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(filled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_magic_numbers() {
        assert_eq!(
            sniff(&[0xd4, 0xc3, 0xb2, 0xa1]),
            Sniffed::Capture(CaptureFormat::Pcap)
        );
        assert_eq!(
            sniff(&[0xa1, 0xb2, 0x3c, 0x4d]),
            Sniffed::Capture(CaptureFormat::Pcap)
        );
        assert_eq!(
            sniff(&[0x0a, 0x0d, 0x0d, 0x0a]),
            Sniffed::Capture(CaptureFormat::Pcapng)
        );
        assert_eq!(sniff(&[0x1f, 0x8b, 8, 0]), Sniffed::Compressed(Codec::Gzip));
        assert_eq!(
            sniff(&[0x28, 0xb5, 0x2f, 0xfd]),
            Sniffed::Compressed(Codec::Zstd)
        );
        assert_eq!(sniff(b"7z\xbc\xaf\x27\x1c"), Sniffed::Unsupported("7-Zip"));
        assert_eq!(sniff(b"hello"), Sniffed::Other);
        assert_eq!(sniff(b""), Sniffed::Other);
    }

    #[test]
    fn rejects_text_with_a_clear_error() {
        let err = from_reader(
            Path::new("notes.txt"),
            Box::new(Cursor::new(b"hello world".to_vec())),
        )
        .err()
        .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("notes.txt: not a pcap or pcapng capture (starts with 68 65 6c 6c)")
        );
    }

    #[test]
    fn empty_input_is_not_a_capture() {
        let err = from_reader(Path::new("-"), Box::new(Cursor::new(Vec::new())))
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("-: not a pcap or pcapng capture (is empty)")
        );
    }

    /// A stream that hands out one byte per read, like a slow pipe.
    struct Trickle(Cursor<Vec<u8>>);
    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(1);
            self.0.read(&mut buf[..n])
        }
    }

    #[test]
    fn fill_first_fills_the_first_read_only() {
        let mut r = FillFirst::new(Trickle(Cursor::new((0u8..100).collect())));
        let mut buf = [0u8; 50];
        assert_eq!(r.read(&mut buf).ok(), Some(50));
        assert_eq!(r.read(&mut buf).ok(), Some(1));
    }
}
