//! Batch scanning: directories and archives of captures → one result per
//! capture, in a stable order, analysed in parallel.
//!
//! Inputs are files, directories (walked recursively, sorted), tar and zip
//! archives, and captures and tars compressed with gzip, zstd, xz or bzip2. Everything is recognised by its
//! magic bytes, never its name; files that are not captures are skipped and
//! counted. Archive members are read as streams, never extracted to disk: zip
//! members are opened by each worker on its own handle; tar members (a tar can
//! only be read in order) are read into memory when at most
//! [`MAX_BUFFERED_MEMBER`] bytes — at most `2 × jobs` of them at a time — and
//! larger ones are analysed as they stream by. Memory is therefore bounded by
//! the number of jobs, whatever the archive's size. Archives inside archives
//! (a support bundle's zip of per-host tar.gz files) are opened too, up to
//! [`MAX_NESTING`] deep: a nested tar streams, a nested zip (it needs random
//! access) is read into memory when at most [`MAX_BUFFERED_MEMBER`] bytes.
//!
//! A member that cannot be analysed at all (unreadable, bad header) gives a
//! result carrying its error; the scan goes on.

use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;

use crate::capture::CaptureReader;
use crate::capture::decompress::Codec;
use crate::capture::input::{self, Sniffed};
use crate::error::Error;
use crate::report::fleet::CaptureDigest;
use crate::{Options, analyze_stream};

/// Largest tar member read into memory to be analysed on another core.
pub const MAX_BUFFERED_MEMBER: usize = 64 << 20;
/// How deep directories are walked.
const MAX_DEPTH: usize = 64;
/// How deep archives inside archives are opened (a zip holding a tar.gz
/// holding a zip is three deep).
const MAX_NESTING: usize = 4;

/// A zip archive a worker thread has open.
type OpenZip = Option<(PathBuf, zip::ZipArchive<BufReader<File>>)>;

thread_local! {
    /// The zip this worker read a member of last: its members come in a run.
    static OPEN_ZIP: std::cell::RefCell<OpenZip> = const { std::cell::RefCell::new(None) };
}

/// Where a capture comes from.
#[derive(Debug)]
enum Source {
    /// A file (plain or compressed capture).
    File(PathBuf),
    /// A member of a zip archive.
    Zip { archive: PathBuf, index: usize },
    /// A tar member read into memory.
    Bytes(Vec<u8>),
}

/// Everything a scan reports about one capture.
#[derive(Debug)]
pub struct CaptureResult {
    /// Its name: a path, or `archive!/member`.
    pub name: String,
    /// Its digest, or why it could not be analysed.
    pub outcome: Result<CaptureDigest, Error>,
}

/// How a scan runs.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Analysis options for every capture.
    pub analysis: Options,
    /// Worker threads.
    pub jobs: usize,
    /// Keep each capture's NDJSON lines (they are buffered per capture to keep
    /// the output in input order).
    pub keep_lines: bool,
    /// Files never read as input (the report being written, `--out`).
    pub exclude: Vec<PathBuf>,
}

/// Counts for the whole scan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanTotals {
    /// Captures analysed (partly analysed ones included).
    pub captures: u64,
    /// Files that are not captures, skipped.
    pub skipped: u64,
    /// Captures that could not be analysed at all.
    pub unreadable: u64,
}

/// Progress events, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub enum Progress {
    /// Another capture was found.
    Found,
    /// A capture finished.
    Done,
}

enum Message {
    Result(u64, Box<CaptureResult>),
    Skipped,
    Found,
}

/// Scans `inputs` with `jobs` workers, calling `on_result` for every capture in
/// input order (directory entries sorted, archive members in archive order).
pub fn scan(
    inputs: &[PathBuf],
    scan_options: &ScanOptions,
    on_result: &mut dyn FnMut(CaptureResult),
    on_progress: &mut dyn FnMut(Progress),
) -> Result<ScanTotals, Error> {
    // Nothing to scan at all is a usage error; one missing path among others
    // is reported in its row and the scan goes on.
    let missing = |p: &PathBuf| p.as_os_str() != "-" && std::fs::metadata(p).is_err();
    if let Some(p) = inputs.first().filter(|_| inputs.iter().all(missing)) {
        return Err(Error::Io {
            path: p.clone(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
        });
    }
    let jobs = scan_options.jobs.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {jobs} workers: {e}")))?;
    let options = Arc::new(scan_options.clone());
    let (tx, rx) = mpsc::channel::<Message>();
    // Tokens bound the captures queued or in flight (their buffers included).
    let (slot_tx, slot_rx) = mpsc::sync_channel::<()>(jobs * 2);
    let inputs = inputs.to_vec();
    let mut totals = ScanTotals::default();
    std::thread::scope(|scope| {
        let dispatcher_tx = tx.clone();
        let pool = &pool;
        let options = Arc::clone(&options);
        scope.spawn(move || {
            let visited = options
                .exclude
                .iter()
                .filter_map(|p| std::fs::canonicalize(p).ok())
                .collect();
            let mut d = Dispatcher {
                pool,
                options,
                tx: dispatcher_tx,
                slots: slot_tx,
                next: 0,
                visited,
            };
            for input in &inputs {
                d.input(input, 0);
            }
        });
        drop(tx);
        let mut pending = std::collections::BTreeMap::new();
        let mut next_out = 0u64;
        for msg in rx {
            match msg {
                Message::Found => on_progress(Progress::Found),
                Message::Skipped => totals.skipped += 1,
                Message::Result(seq, result) => {
                    let _ = slot_rx.try_recv();
                    on_progress(Progress::Done);
                    pending.insert(seq, result);
                    while let Some(r) = pending.remove(&next_out) {
                        if r.outcome.is_ok() {
                            totals.captures += 1;
                        } else {
                            totals.unreadable += 1;
                        }
                        on_result(*r);
                        next_out += 1;
                    }
                }
            }
        }
        for (_, r) in std::mem::take(&mut pending) {
            if r.outcome.is_ok() {
                totals.captures += 1;
            } else {
                totals.unreadable += 1;
            }
            on_result(*r);
        }
    });
    Ok(totals)
}

struct Dispatcher<'p> {
    pool: &'p rayon::ThreadPool,
    options: Arc<ScanOptions>,
    tx: mpsc::Sender<Message>,
    slots: mpsc::SyncSender<()>,
    next: u64,
    /// Directories and files already scanned, by canonical path: a symlink
    /// loop or a second link to the same file is not followed again.
    visited: std::collections::HashSet<PathBuf>,
}

impl Dispatcher<'_> {
    fn seq(&mut self) -> u64 {
        let s = self.next;
        self.next += 1;
        let _ = self.tx.send(Message::Found);
        s
    }

    /// Queues one capture for a worker (waiting for a free slot).
    fn dispatch(&mut self, name: String, source: Source) {
        let seq = self.seq();
        if self.slots.send(()).is_err() {
            return;
        }
        let tx = self.tx.clone();
        let options = Arc::clone(&self.options);
        self.pool.spawn(move || {
            let outcome = analyze_source(&name, source, &options);
            let _ = tx.send(Message::Result(
                seq,
                Box::new(CaptureResult { name, outcome }),
            ));
        });
    }

    fn input(&mut self, path: &Path, depth: usize) {
        if path.as_os_str() == "-" {
            let seq = self.seq();
            let outcome = analyze_reader_named("-", Box::new(std::io::stdin()), &self.options);
            let _ = self.tx.send(Message::Result(
                seq,
                Box::new(CaptureResult {
                    name: "-".into(),
                    outcome,
                }),
            ));
            return;
        }
        if let Ok(real) = std::fs::canonicalize(path) {
            if !self.visited.insert(real) {
                return;
            }
        }
        if let Ok(meta) = std::fs::metadata(path) {
            if !meta.is_dir() && !meta.is_file() {
                // A FIFO, socket or device: reading it could block forever.
                let _ = self.tx.send(Message::Skipped);
                return;
            }
        }
        if path.is_dir() {
            if depth >= MAX_DEPTH {
                return;
            }
            let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
                Ok(rd) => rd.flatten().map(|e| e.path()).collect(),
                Err(e) => {
                    self.unreadable(
                        path.display().to_string(),
                        Error::Io {
                            path: path.to_path_buf(),
                            source: e,
                        },
                    );
                    return;
                }
            };
            entries.sort();
            for e in entries {
                self.input(&e, depth + 1);
            }
            return;
        }
        let name = path.display().to_string();
        match classify_file(path) {
            Ok(Kind::Capture) => self.dispatch(name, Source::File(path.to_path_buf())),
            Ok(Kind::Zip) => self.zip(path),
            Ok(Kind::Tar { codec }) => self.tar(path, codec),
            Ok(Kind::Other) => {
                let _ = self.tx.send(Message::Skipped);
            }
            Err(e) => self.unreadable(name, e),
        }
    }

    fn unreadable(&mut self, name: String, error: Error) {
        let seq = self.seq();
        let _ = self.tx.send(Message::Result(
            seq,
            Box::new(CaptureResult {
                name,
                outcome: Err(error),
            }),
        ));
    }

    fn zip(&mut self, path: &Path) {
        let archive_name = path.display().to_string();
        let file = match open(path) {
            Ok(f) => f,
            Err(e) => return self.unreadable(archive_name, e),
        };
        match zip::ZipArchive::new(BufReader::new(file)) {
            Ok(mut zip) => self.zip_members(&archive_name, path, &mut zip, true, 0),
            Err(e) => self.unreadable(archive_name, archive_error(path, e)),
        }
    }

    /// Every member of a zip: captures are analysed (opened again by the
    /// worker when the zip is a file, else read into memory), archives opened.
    fn zip_members<R: Read + Seek>(
        &mut self,
        archive_name: &str,
        path: &Path,
        zip: &mut zip::ZipArchive<R>,
        on_disk: bool,
        nesting: usize,
    ) {
        for index in 0..zip.len() {
            // The central directory names the member even when its data
            // cannot be read (an unsupported compression, encryption).
            let listed = zip
                .name_for_index(index)
                .map_or_else(|| format!("#{index}"), str::to_string);
            let (member, kind) = match zip.by_index(index) {
                Ok(mut f) if f.is_file() => {
                    let name = f.name().to_string();
                    (name, member_kind(&mut f))
                }
                Ok(_) => continue,
                Err(e) => {
                    self.unreadable(format!("{archive_name}!/{listed}"), archive_error(path, e));
                    continue;
                }
            };
            let name = format!("{archive_name}!/{member}");
            match kind {
                Kind::Other => {
                    let _ = self.tx.send(Message::Skipped);
                }
                Kind::Capture if on_disk => self.dispatch(
                    name,
                    Source::Zip {
                        archive: path.to_path_buf(),
                        index,
                    },
                ),
                kind => {
                    let read = zip
                        .by_index(index)
                        .map_err(|e| archive_error(path, e))
                        .and_then(|f| read_member(f, path));
                    match read {
                        Ok(data) => self.member(name, path, kind, data, nesting),
                        Err(e) => self.unreadable(name, e),
                    }
                }
            }
        }
    }

    fn tar(&mut self, path: &Path, codec: Option<Codec>) {
        let archive_name = path.display().to_string();
        let file = match open(path) {
            Ok(f) => f,
            Err(e) => return self.unreadable(archive_name, e),
        };
        let reader: Box<dyn Read> = match codec {
            Some(codec) => Box::new(codec.decoder(BufReader::new(file))),
            None => Box::new(BufReader::new(file)),
        };
        self.tar_members(&archive_name, path, reader, 0);
    }

    /// A member read into memory, found inside an archive `nesting` deep:
    /// a capture is queued, an archive opened in turn.
    fn member(&mut self, name: String, path: &Path, kind: Kind, data: Vec<u8>, nesting: usize) {
        let inner = nesting + 1;
        match kind {
            Kind::Capture => self.dispatch(name, Source::Bytes(data)),
            Kind::Other => {
                let _ = self.tx.send(Message::Skipped);
            }
            _ if inner > MAX_NESTING => self.unreadable(name, too_deep(path)),
            Kind::Zip => match zip::ZipArchive::new(std::io::Cursor::new(data)) {
                Ok(mut zip) => self.zip_members(&name, path, &mut zip, false, inner),
                Err(e) => self.unreadable(name, archive_error(path, e)),
            },
            Kind::Tar { codec } => {
                let data = std::io::Cursor::new(data);
                let reader: Box<dyn Read> = match codec {
                    Some(codec) => Box::new(codec.decoder(data)),
                    None => Box::new(data),
                };
                self.tar_members(&name, path, reader, inner);
            }
        }
    }

    /// Every member of a tar, in order (a tar can only be read once).
    fn tar_members(
        &mut self,
        archive_name: &str,
        path: &Path,
        reader: Box<dyn Read + '_>,
        nesting: usize,
    ) {
        let mut archive = tar::Archive::new(reader);
        let entries = match archive.entries() {
            Ok(e) => e,
            Err(e) => return self.unreadable(archive_name.to_string(), archive_error(path, e)),
        };
        for entry in entries {
            let mut entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    // A broken tar cannot be read past this point.
                    self.unreadable(format!("{archive_name}!/…"), archive_error(path, e));
                    return;
                }
            };
            if !entry.header().entry_type().is_file() {
                continue;
            }
            // `tar -C dir .` stores `./name`: the tag drops the `./`.
            let member = entry
                .path()
                .map(|p| {
                    p.strip_prefix(".")
                        .map_or_else(|_| p.display().to_string(), |q| q.display().to_string())
                })
                .unwrap_or_else(|_| "?".into());
            let name = format!("{archive_name}!/{member}");
            let size = usize::try_from(entry.size()).unwrap_or(usize::MAX);
            if size <= MAX_BUFFERED_MEMBER {
                let mut data = Vec::with_capacity(size);
                if let Err(e) = entry.read_to_end(&mut data) {
                    // The archive is cut (or corrupt) inside this member: what
                    // came of it is analysed as far as it goes (its warnings say
                    // where it stops), and nothing can be read past it.
                    if matches!(member_kind(data.as_slice()), Kind::Capture) {
                        self.dispatch(name, Source::Bytes(data));
                    } else {
                        self.unreadable(name, archive_error(path, e));
                    }
                    return;
                }
                let kind = member_kind(data.as_slice());
                self.member(name, path, kind, data, nesting);
                continue;
            }
            // Too big to hold: analysed (or opened) here, as it streams by.
            let mut head = vec![0u8; HEAD_BYTES];
            let (got, _) = read_prefix(&mut entry, &mut head);
            head.truncate(got);
            let kind = member_kind(head.as_slice());
            let stream = std::io::Cursor::new(head).chain(&mut entry);
            match kind {
                Kind::Other => {
                    let _ = self.tx.send(Message::Skipped);
                }
                Kind::Capture => {
                    let seq = self.seq();
                    let outcome = analyze_unsend(&name, stream, &self.options);
                    let _ = self.tx.send(Message::Result(
                        seq,
                        Box::new(CaptureResult { name, outcome }),
                    ));
                }
                _ if nesting + 1 > MAX_NESTING => self.unreadable(name, too_deep(path)),
                Kind::Tar { codec } => {
                    let reader: Box<dyn Read + '_> = match codec {
                        Some(codec) => Box::new(codec.decoder(stream)),
                        None => Box::new(stream),
                    };
                    self.tar_members(&name, path, reader, nesting + 1);
                }
                Kind::Zip => self.unreadable(
                    name,
                    Error::Archive {
                        path: path.to_path_buf(),
                        detail: format!(
                            "a zip inside an archive is opened in memory, and this one is over {} MiB: extract it first",
                            MAX_BUFFERED_MEMBER >> 20
                        ),
                    },
                ),
            }
        }
    }
}

/// Bytes read from the start of a member too big to hold, to tell what it is
/// (enough compressed bytes to hold a tar header once decompressed).
const HEAD_BYTES: usize = 64 << 10;

fn archive_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Archive {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

fn too_deep(path: &Path) -> Error {
    Error::Archive {
        path: path.to_path_buf(),
        detail: format!("archives nested more than {MAX_NESTING} deep are not opened"),
    }
}

/// A zip member read into memory, at most [`MAX_BUFFERED_MEMBER`] bytes.
fn read_member(member: impl Read, path: &Path) -> Result<Vec<u8>, Error> {
    let mut data = Vec::new();
    let limit = MAX_BUFFERED_MEMBER as u64 + 1;
    member
        .take(limit)
        .read_to_end(&mut data)
        .map_err(|e| archive_error(path, e))?;
    if data.len() > MAX_BUFFERED_MEMBER {
        return Err(Error::Archive {
            path: path.to_path_buf(),
            detail: format!(
                "a member of a zip inside an archive is read into memory, and this one is over {} MiB: extract it first",
                MAX_BUFFERED_MEMBER >> 20
            ),
        });
    }
    Ok(data)
}

fn open(path: &Path) -> Result<File, Error> {
    File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// What a file is, from its first bytes.
enum Kind {
    Capture,
    Zip,
    Tar { codec: Option<Codec> },
    Other,
}

/// Fills `buf` as far as the stream goes: the count read, and the error that
/// stopped it if it did not just end.
fn read_prefix(r: &mut dyn Read, buf: &mut [u8]) -> (usize, Option<std::io::Error>) {
    let mut got = 0;
    while got < buf.len() {
        match buf.get_mut(got..).map(|b| r.read(b)) {
            Some(Ok(0)) | None => break,
            Some(Err(e)) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Some(Err(e)) => return (got, Some(e)),
            Some(Ok(n)) => got += n,
        }
    }
    (got, None)
}

/// What a stream holds, from its first bytes (reading at most a few hundred
/// of them, decompressed when compressed): a capture, an archive, or something else.
/// Compressed data that cannot be decompressed counts as a capture, so its
/// analysis reports the error (the same in a directory as inside an archive);
/// compressed data holding anything else (a log) does not.
fn member_kind(mut r: impl Read) -> Kind {
    let mut head = [0u8; 512];
    let (got, failed) = read_prefix(&mut r, &mut head);
    if got == 0 && failed.is_some() {
        // Not one byte could be read (a zip member whose data does not
        // decode): analysed, so that the error is reported, not skipped.
        return Kind::Capture;
    }
    let head = head.get(..got).unwrap_or_default();
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Kind::Zip;
    }
    if is_tar_header(head) {
        return Kind::Tar { codec: None };
    }
    match input::sniff(head) {
        Sniffed::Capture(_) => Kind::Capture,
        Sniffed::Compressed(codec) => {
            compressed_holds(codec, std::io::Cursor::new(head.to_vec()).chain(r))
        }
        // lz4, 7-Zip: reported unreadable, saying so, never silently skipped.
        Sniffed::Unsupported(_) => Kind::Capture,
        Sniffed::Other => Kind::Other,
    }
}

/// What a compressed stream holds, from its first decompressed bytes.
fn compressed_holds(codec: Codec, r: impl Read) -> Kind {
    let mut inflated = codec.decoder(r);
    let mut inner = [0u8; 512];
    let (got, _) = read_prefix(&mut inflated, &mut inner);
    let inner = inner.get(..got).unwrap_or_default();
    if inner.is_empty() {
        // Cut or corrupt before its first byte: analysed, to say why.
        Kind::Capture
    } else if is_tar_header(inner) {
        Kind::Tar { codec: Some(codec) }
    } else if matches!(input::sniff(inner), Sniffed::Capture(_)) {
        Kind::Capture
    } else {
        Kind::Other
    }
}

fn is_tar_header(block: &[u8]) -> bool {
    block.get(257..262) == Some(b"ustar")
}

fn classify_file(path: &Path) -> Result<Kind, Error> {
    let file = open(path)?;
    Ok(member_kind(BufReader::new(file)))
}

fn analyze_source(
    name: &str,
    source: Source,
    options: &ScanOptions,
) -> Result<CaptureDigest, Error> {
    match source {
        Source::File(path) => {
            let reader = CaptureReader::open(&path)?;
            digest(name, reader, options)
        }
        Source::Bytes(data) => {
            analyze_reader_named(name, Box::new(std::io::Cursor::new(data)), options)
        }
        Source::Zip { archive, index } => OPEN_ZIP.with(|cell| {
            // Each worker reads an archive's central directory once, not once
            // per member (that made a zip of thousands of captures quadratic).
            let mut open = cell.borrow_mut();
            if open.as_ref().is_none_or(|(path, _)| *path != archive) {
                *open = None;
                let file = File::open(&archive).map_err(|e| Error::Io {
                    path: archive.clone(),
                    source: e,
                })?;
                let zip = zip::ZipArchive::new(BufReader::new(file))
                    .map_err(|e| archive_error(&archive, e))?;
                *open = Some((archive.clone(), zip));
            }
            let Some((_, zip)) = open.as_mut() else {
                return Err(archive_error(&archive, "cannot be opened"));
            };
            let member = zip
                .by_index(index)
                .map_err(|e| archive_error(&archive, e))?;
            analyze_unsend(name, member, options)
        }),
    }
}

fn analyze_reader_named(
    name: &str,
    stream: Box<dyn Read + Send + '_>,
    options: &ScanOptions,
) -> Result<CaptureDigest, Error> {
    let path = Path::new(name);
    let input = input::from_reader(path, stream)?;
    let reader = CaptureReader::new(input, path)?;
    digest(name, reader, options)
}

/// Analyses a stream that is not `Send` (a zip or tar member borrowing its
/// archive) by moving its bytes through a bounded pipe: this thread reads, a
/// scoped thread analyses.
fn analyze_unsend(
    name: &str,
    mut stream: impl Read,
    options: &ScanOptions,
) -> Result<CaptureDigest, Error> {
    let (tx, rx) = mpsc::sync_channel::<std::io::Result<Vec<u8>>>(4);
    std::thread::scope(|scope| {
        let worker = scope
            .spawn(move || analyze_reader_named(name, Box::new(ChannelReader::new(rx)), options));
        loop {
            let mut buf = vec![0u8; 256 * 1024];
            let (n, failed) = read_prefix(&mut stream, &mut buf);
            buf.truncate(n);
            if n > 0 && tx.send(Ok(buf)).is_err() {
                break;
            }
            if let Some(why) = failed {
                // The archive's stream broke (a cut .tar.xz): the analysis
                // says why it stops, as for a file.
                let _ = tx.send(Err(why));
                break;
            }
            if n == 0 {
                break;
            }
        }
        drop(tx);
        worker
            .join()
            .unwrap_or_else(|_| Err(Error::Usage(format!("{name}: analysis thread failed"))))
    })
}

/// Reads chunks from a channel as one stream.
struct ChannelReader {
    rx: mpsc::Receiver<std::io::Result<Vec<u8>>>,
    chunk: Vec<u8>,
    pos: usize,
}

impl ChannelReader {
    fn new(rx: mpsc::Receiver<std::io::Result<Vec<u8>>>) -> Self {
        Self {
            rx,
            chunk: Vec::new(),
            pos: 0,
        }
    }
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.pos >= self.chunk.len() {
            match self.rx.recv() {
                Ok(Ok(c)) => {
                    self.chunk = c;
                    self.pos = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(0),
            }
        }
        let rest = self.chunk.get(self.pos..).unwrap_or_default();
        let n = rest.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), rest.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.pos += n;
        Ok(n)
    }
}

fn digest(
    name: &str,
    reader: CaptureReader<'_>,
    options: &ScanOptions,
) -> Result<CaptureDigest, Error> {
    let mut digest = CaptureDigest::default();
    let summary = analyze_stream(reader, &options.analysis, &mut |o| {
        digest.add(name, &o, options.keep_lines)
    })?;
    digest.finish(&summary);
    Ok(digest)
}
