//! Plaintext HTTP/1.x: header blocks, request/response pairing, bodies.
//!
//! Used twice: by the CONNECT proxy decoder (request and status line of the
//! tunnel set-up) and for plain HTTP exchanges outside a tunnel. Header blocks are
//! capped at [`MAX_HEADER_BLOCK`]; bodies are skipped by Content-Length or
//! chunked framing (RFC 9112 §6–7), or run to the end of the connection. Only
//! the first [`MAX_BODY_KEPT`] bytes of a body are kept, and only when they may
//! be a TAXII 1.x message (field case 2): its `Status_Message` tells why a poll
//! "succeeded" with nothing in it.

use serde::Serialize;

use crate::capture::FrameNo;

/// Longest request/status line plus headers we buffer.
pub const MAX_HEADER_BLOCK: usize = 64 * 1024;
/// Body bytes kept for TAXII inspection.
pub const MAX_BODY_KEPT: usize = 64 * 1024;

/// Methods that start an HTTP/1.x request (RFC 9110 §9 and WebDAV's common ones).
pub const METHODS: &[&[u8]] = &[
    b"GET ",
    b"POST ",
    b"PUT ",
    b"HEAD ",
    b"DELETE ",
    b"OPTIONS ",
    b"PATCH ",
    b"TRACE ",
    b"PROPFIND ",
];

/// Whether `head` starts an HTTP request other than CONNECT.
pub fn looks_like_request(head: &[u8]) -> bool {
    METHODS.iter().any(|m| head.starts_with(m))
}

/// Whether `head` starts an HTTP/1.x response.
pub fn looks_like_response(head: &[u8]) -> bool {
    head.starts_with(b"HTTP/1.")
}

/// Bytes collected until the blank line that ends a header block.
#[derive(Debug, Default)]
pub struct HeaderBlock {
    buf: Vec<u8>,
}

/// What [`HeaderBlock::push`] did with the bytes.
pub enum HeaderProgress {
    /// Still inside the header block; all bytes used.
    More,
    /// The block ended after this many bytes of the input.
    Done(usize),
    /// Over [`MAX_HEADER_BLOCK`] without an end: not HTTP, or hostile.
    TooLong,
}

impl HeaderBlock {
    /// Takes bytes; says where the block ended, if it did.
    pub fn push(&mut self, data: &[u8]) -> HeaderProgress {
        let already = self.buf.len();
        let room = MAX_HEADER_BLOCK.saturating_sub(already);
        let take = data.len().min(room);
        self.buf
            .extend_from_slice(data.get(..take).unwrap_or_default());
        // Look for the terminator, starting a little before the new bytes.
        let from = already.saturating_sub(3);
        if let Some(end) = find_blank_line(self.buf.get(from..).unwrap_or_default()) {
            let end_abs = from + end;
            let used = end_abs.saturating_sub(already);
            self.buf.truncate(end_abs);
            return HeaderProgress::Done(used);
        }
        if self.buf.len() >= MAX_HEADER_BLOCK {
            HeaderProgress::TooLong
        } else {
            HeaderProgress::More
        }
    }

    /// Heap bytes held.
    pub fn buffered(&self) -> usize {
        self.buf.capacity()
    }

    /// The block, parsed (after `Done`).
    pub fn parse(&self) -> Head {
        Head::parse(&self.buf)
    }
}

/// Position just past the first blank line (`\r\n\r\n` or `\n\n`).
fn find_blank_line(buf: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i < buf.len() {
        if buf.get(i) == Some(&b'\n') {
            match buf.get(i + 1..) {
                Some([b'\n', ..]) => return Some(i + 2),
                Some([b'\r', b'\n', ..]) => return Some(i + 3),
                _ => {}
            }
        }
        i += 1;
    }
    None
}

/// A parsed start line and the headers we use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Head {
    /// Request: method, target, version. Response: version, status, reason.
    pub start: [String; 3],
    /// Headers, names lowercased, in order.
    pub headers: Vec<(String, String)>,
}

/// Headers kept from a block (the rest are not needed and not stored).
const KEPT_HEADERS: &[&str] = &[
    "host",
    "content-length",
    "transfer-encoding",
    "content-type",
    "connection",
    "proxy-authenticate",
    "proxy-authorization",
    "www-authenticate",
    "authorization",
    "location",
    "server",
    "proxy-agent",
    "user-agent",
    "via",
    "x-squid-error",
];

impl Head {
    fn parse(buf: &[u8]) -> Head {
        let text = crate::wire::text(buf);
        let mut lines = text.split('\n').map(|l| l.trim_end_matches('\r'));
        let start_line = lines.next().unwrap_or_default();
        let mut parts = start_line.splitn(3, ' ');
        let start = [
            parts.next().unwrap_or_default().to_string(),
            parts.next().unwrap_or_default().to_string(),
            parts.next().unwrap_or_default().to_string(),
        ];
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .filter(|(k, _)| KEPT_HEADERS.contains(&k.as_str()))
            .collect();
        Head { start, headers }
    }

    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a header, joined with ", " (servers send one
    /// WWW-Authenticate / Proxy-Authenticate line per scheme they accept).
    pub fn header_all(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }

    /// The status code of a response head.
    pub fn status(&self) -> Option<u16> {
        self.start[1].parse().ok()
    }

    /// An interim response (`100 Continue`, `102`, `103 Early Hints`): the
    /// final response to the same request follows (RFC 9110 §15.2). `101
    /// Switching Protocols` is final: the connection speaks something else next.
    pub fn is_interim(&self) -> bool {
        self.status()
            .is_some_and(|s| (100..200).contains(&s) && s != 101)
    }

    /// How the body that follows is framed.
    pub fn body_framing(&self, is_response: bool, request_method: Option<&str>) -> BodyFraming {
        if is_response {
            let status = self.status().unwrap_or(0);
            if request_method == Some("HEAD")
                || (100..200).contains(&status)
                || status == 204
                || status == 304
                || (request_method == Some("CONNECT") && (200..300).contains(&status))
            {
                return BodyFraming::None;
            }
        }
        if self
            .header("transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
        {
            return BodyFraming::Chunked;
        }
        if let Some(n) = self
            .header("content-length")
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            // An empty body ends with its head (its frame completes it).
            return if n == 0 {
                BodyFraming::None
            } else {
                BodyFraming::Length(n)
            };
        }
        if is_response {
            BodyFraming::UntilClose
        } else {
            BodyFraming::None
        }
    }
}

/// How a message body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFraming {
    /// No body.
    None,
    /// Exactly this many bytes.
    Length(u64),
    /// Chunked transfer coding.
    Chunked,
    /// Until the connection closes.
    UntilClose,
}

/// Reads a body: tells when it ends, keeps its first bytes when asked.
#[derive(Debug)]
pub struct BodyReader {
    framing: BodyFraming,
    /// Bytes left in a Length body or in the current chunk.
    left: u64,
    chunk: ChunkState,
    line: Vec<u8>,
    /// Kept bytes (when `keep`).
    pub kept: Vec<u8>,
    keep: bool,
    /// Body bytes seen so far.
    pub received: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChunkState {
    Size,
    Data,
    DataEnd,
    Trailer,
}

impl BodyReader {
    /// A reader for a body framed by `framing`; `keep` keeps its first bytes.
    pub fn new(framing: BodyFraming, keep: bool) -> Self {
        Self {
            framing,
            left: match framing {
                BodyFraming::Length(n) => n,
                _ => 0,
            },
            chunk: ChunkState::Size,
            line: Vec::new(),
            kept: Vec::new(),
            keep,
            received: 0,
        }
    }

    /// Whether the body, at the end of the connection, is known to be cut:
    /// fewer bytes than Content-Length, or a chunked body without its last chunk.
    pub fn is_cut(&self) -> bool {
        match self.framing {
            BodyFraming::Length(_) => self.left > 0,
            BodyFraming::Chunked => self.chunk != ChunkState::Trailer || !self.line.is_empty(),
            BodyFraming::None | BodyFraming::UntilClose => false,
        }
    }

    /// Heap bytes held (kept body bytes, a chunk-size line in progress).
    pub fn buffered(&self) -> usize {
        self.kept.capacity().saturating_add(self.line.capacity())
    }

    /// Stops keeping body bytes and frees them (under the capture's buffering
    /// cap); returns how many kept bytes were given up.
    pub fn shed(&mut self) -> usize {
        let n = self.kept.len();
        self.keep = false;
        self.kept = Vec::new();
        n
    }

    /// The Content-Length, when the body has one.
    pub fn declared(&self) -> Option<u64> {
        match self.framing {
            BodyFraming::Length(n) => Some(n),
            _ => None,
        }
    }

    fn keep_bytes(&mut self, b: &[u8]) {
        self.received = self.received.saturating_add(b.len() as u64);
        if self.keep && self.kept.len() < MAX_BODY_KEPT {
            let room = MAX_BODY_KEPT - self.kept.len();
            self.kept
                .extend_from_slice(b.get(..room.min(b.len())).unwrap_or(b));
        }
    }

    /// Takes bytes; returns how many belonged to the body and whether it ended.
    pub fn push(&mut self, data: &[u8]) -> (usize, bool) {
        match self.framing {
            BodyFraming::None => (0, true),
            BodyFraming::UntilClose => {
                self.keep_bytes(data);
                (data.len(), false)
            }
            BodyFraming::Length(_) => {
                let n = usize::try_from(self.left)
                    .unwrap_or(usize::MAX)
                    .min(data.len());
                self.keep_bytes(data.get(..n).unwrap_or_default());
                self.left -= n as u64;
                (n, self.left == 0)
            }
            BodyFraming::Chunked => self.push_chunked(data),
        }
    }

    fn push_chunked(&mut self, data: &[u8]) -> (usize, bool) {
        let mut used = 0;
        while used < data.len() {
            let rest = data.get(used..).unwrap_or_default();
            match self.chunk {
                ChunkState::Data => {
                    let n = usize::try_from(self.left)
                        .unwrap_or(usize::MAX)
                        .min(rest.len());
                    self.keep_bytes(rest.get(..n).unwrap_or_default());
                    self.left -= n as u64;
                    used += n;
                    if self.left == 0 {
                        self.chunk = ChunkState::DataEnd;
                    }
                }
                ChunkState::Size | ChunkState::DataEnd | ChunkState::Trailer => {
                    let Some(nl) = rest.iter().position(|b| *b == b'\n') else {
                        if self.line.len() < 1024 {
                            self.line.extend_from_slice(rest);
                        }
                        return (data.len(), false);
                    };
                    if self.line.len() < 1024 {
                        self.line
                            .extend_from_slice(rest.get(..nl).unwrap_or_default());
                    }
                    used += nl + 1;
                    let line = std::mem::take(&mut self.line);
                    let line = String::from_utf8_lossy(&line);
                    let line = line.trim();
                    match self.chunk {
                        ChunkState::Size => {
                            let hex = line.split(';').next().unwrap_or_default().trim();
                            let size = u64::from_str_radix(hex, 16).unwrap_or(0);
                            if size == 0 {
                                self.chunk = ChunkState::Trailer;
                            } else {
                                self.left = size;
                                self.chunk = ChunkState::Data;
                            }
                        }
                        ChunkState::DataEnd => self.chunk = ChunkState::Size,
                        _ => {
                            if line.is_empty() {
                                return (used, true);
                            }
                        }
                    }
                }
            }
        }
        (used, false)
    }
}

/// A response body the connection's end cut short.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BodyCut {
    /// Body bytes received.
    pub received: u64,
    /// Content-Length, when there was one (else the body was chunked).
    pub declared: Option<u64>,
    /// The last frame of the body.
    pub last_frame: FrameNo,
}

/// A plaintext HTTP request and its response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HttpExchange {
    /// The frame that completed the request line and headers.
    pub request_frame: Option<FrameNo>,
    /// Method.
    pub method: Option<String>,
    /// Host header.
    pub host: Option<String>,
    /// Request target.
    pub path: Option<String>,
    /// Response status.
    pub status: Option<u16>,
    /// The frame that completed the status line and headers.
    pub response_frame: Option<FrameNo>,
    /// Reason phrase.
    pub reason: Option<String>,
    /// Response Content-Type.
    pub content_type: Option<String>,
    /// Response WWW-Authenticate (the schemes a 401 asks for).
    pub www_authenticate: Option<String>,
    /// Response Proxy-Authenticate (the schemes a forward proxy's 407 asks for).
    pub proxy_authenticate: Option<String>,
    /// Whether the request carried credentials (Authorization).
    pub request_authorization: bool,
    /// A forward proxy's own error code (Squid's `X-Squid-Error`): the
    /// response came from the proxy, not from the server.
    pub proxy_error: Option<String>,
    /// The frame that completed the response body.
    pub body_frame: Option<FrameNo>,
    /// When the connection ended inside the response body: the bytes that came
    /// and, with a Content-Length, the bytes announced.
    pub body_cut: Option<BodyCut>,
    /// TAXII 1.x `Status_Message` status_type in the response body.
    pub taxii_status: Option<String>,
    /// TAXII `Message` text, when present.
    pub taxii_message: Option<String>,
}

impl HttpExchange {
    /// An exchange from a request head.
    pub fn from_request(head: &Head, frame: FrameNo) -> Self {
        Self {
            request_frame: Some(frame),
            method: Some(head.start[0].clone()),
            host: head.header("host").map(str::to_string),
            path: Some(head.start[1].clone()),
            request_authorization: head.header("authorization").is_some()
                || head.header("proxy-authorization").is_some(),
            ..Self::empty()
        }
    }

    /// An exchange with nothing known.
    pub fn empty() -> Self {
        Self {
            request_frame: None,
            method: None,
            host: None,
            path: None,
            status: None,
            response_frame: None,
            reason: None,
            content_type: None,
            www_authenticate: None,
            proxy_authenticate: None,
            request_authorization: false,
            proxy_error: None,
            body_frame: None,
            body_cut: None,
            taxii_status: None,
            taxii_message: None,
        }
    }

    /// Fills in the response head.
    pub fn set_response(&mut self, head: &Head, frame: FrameNo) {
        self.status = head.status();
        self.reason = Some(head.start[2].clone()).filter(|r| !r.is_empty());
        self.response_frame = Some(frame);
        self.content_type = head.header("content-type").map(str::to_string);
        self.www_authenticate = head.header_all("www-authenticate");
        self.proxy_authenticate = head.header_all("proxy-authenticate");
        self.proxy_error = head.header("x-squid-error").map(str::to_string);
    }

    /// Whether the response body is worth keeping (it may be TAXII XML).
    pub fn may_be_taxii(&self) -> bool {
        self.content_type
            .as_deref()
            .is_some_and(|c| c.to_ascii_lowercase().contains("xml"))
            || self
                .path
                .as_deref()
                .is_some_and(|p| p.to_ascii_lowercase().contains("taxii"))
    }

    /// Reads the TAXII 1.x status out of a kept body.
    pub fn set_body(&mut self, body: &[u8], frame: FrameNo) {
        self.body_frame = Some(frame);
        if body.is_empty() {
            return;
        }
        let text = String::from_utf8_lossy(body);
        if !text.contains("Status_Message") {
            return;
        }
        self.taxii_status = attribute(&text, "status_type");
        self.taxii_message = element_text(&text, "Message");
    }
}

/// The value of `name="..."` (or `'...'`) in XML text.
fn attribute(text: &str, name: &str) -> Option<String> {
    let at = text.find(&format!("{name}="))?;
    let rest = text.get(at + name.len() + 1..)?;
    let quote = rest.chars().next()?;
    if quote != '"' && quote != '\'' {
        return None;
    }
    let rest = rest.get(1..)?;
    let end = rest.find(quote)?;
    Some(rest.get(..end)?.to_string())
}

/// The text of the first `<...:name>` element.
fn element_text(text: &str, name: &str) -> Option<String> {
    let open = text
        .find(&format!(":{name}>"))
        .map(|i| i + name.len() + 2)
        .or_else(|| text.find(&format!("<{name}>")).map(|i| i + name.len() + 2))?;
    let rest = text.get(open..)?;
    let end = rest.find('<')?;
    Some(rest.get(..end)?.trim().to_string()).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_block_split_anywhere() {
        let msg = b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"x\"\r\nContent-Length: 5\r\n\r\nhello";
        for split in 1..msg.len() - 5 {
            let mut hb = HeaderBlock::default();
            let (a, b) = msg.split_at(split);
            let used = match hb.push(a) {
                HeaderProgress::Done(n) => n,
                HeaderProgress::More => match hb.push(b) {
                    HeaderProgress::Done(n) => a.len() + n,
                    _ => panic!("no end"),
                },
                HeaderProgress::TooLong => panic!("too long"),
            };
            assert_eq!(used, msg.len() - 5, "split at {split}");
            let head = hb.parse();
            assert_eq!(head.status(), Some(407));
            assert_eq!(head.header("proxy-authenticate"), Some("Basic realm=\"x\""));
            assert_eq!(
                head.body_framing(true, Some("CONNECT")),
                BodyFraming::Length(5)
            );
        }
    }

    #[test]
    fn chunked_body() {
        let mut r = BodyReader::new(BodyFraming::Chunked, true);
        let body = b"4\r\nWiki\r\n5;x=y\r\npedia\r\n0\r\n\r\nNEXT";
        let (used, done) = r.push(body);
        assert!(done);
        assert_eq!(used, body.len() - 4);
        assert_eq!(r.kept, b"Wikipedia");
    }

    #[test]
    fn cut_bodies_are_told_apart_from_whole_ones() {
        let mut r = BodyReader::new(BodyFraming::Length(10), false);
        r.push(b"12345");
        assert!(r.is_cut());
        assert_eq!((r.received, r.declared()), (5, Some(10)));
        r.push(b"67890");
        assert!(!r.is_cut());
        let mut c = BodyReader::new(BodyFraming::Chunked, false);
        c.push(b"5\r\nhel");
        assert!(c.is_cut());
        let mut c = BodyReader::new(BodyFraming::Chunked, false);
        c.push(b"0\r\n\r\n");
        assert!(!c.is_cut());
        assert!(!BodyReader::new(BodyFraming::UntilClose, false).is_cut());
    }

    #[test]
    fn taxii_status() {
        let mut x = HttpExchange::empty();
        x.set_body(
            br#"<taxii_11:Status_Message xmlns:taxii_11="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" message_id="1" in_response_to="2" status_type="NOT_FOUND"><taxii_11:Message>Collection not found</taxii_11:Message></taxii_11:Status_Message>"#,
            FrameNo(9),
        );
        assert_eq!(x.taxii_status.as_deref(), Some("NOT_FOUND"));
        assert_eq!(x.taxii_message.as_deref(), Some("Collection not found"));
    }

    #[test]
    fn header_block_cap() {
        let mut hb = HeaderBlock::default();
        let junk = vec![b'a'; MAX_HEADER_BLOCK + 10];
        assert!(matches!(hb.push(&junk), HeaderProgress::TooLong));
    }
}
