//! A bounded cursor over bytes: every read checks the length and returns `None`
//! past the end, so decoders of capture bytes cannot index out of bounds
//! (the `Reader` of rustls' `msgs/codec.rs`, in miniature).

/// Reads big-endian integers and length-prefixed fields from a slice.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A cursor at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// Whether everything was read.
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// The bytes not read yet, without consuming them.
    pub fn rest(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or_default()
    }

    /// Position from the start.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let out = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(out)
    }

    /// The next `N` bytes as an array.
    pub fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N).and_then(|b| b.try_into().ok())
    }

    /// One byte.
    pub fn u8(&mut self) -> Option<u8> {
        self.array::<1>().map(|[b]| b)
    }

    /// A big-endian u16.
    pub fn u16(&mut self) -> Option<u16> {
        self.array().map(u16::from_be_bytes)
    }

    /// A big-endian 24-bit integer.
    pub fn u24(&mut self) -> Option<u32> {
        self.array::<3>()
            .map(|[a, b, c]| u32::from_be_bytes([0, a, b, c]))
    }

    /// A big-endian u32.
    pub fn u32(&mut self) -> Option<u32> {
        self.array().map(u32::from_be_bytes)
    }

    /// A field preceded by a one-byte length.
    pub fn vec8(&mut self) -> Option<&'a [u8]> {
        let n = self.u8()?;
        self.take(usize::from(n))
    }

    /// A field preceded by a two-byte length.
    pub fn vec16(&mut self) -> Option<&'a [u8]> {
        let n = self.u16()?;
        self.take(usize::from(n))
    }

    /// A field preceded by a three-byte length.
    pub fn vec24(&mut self) -> Option<&'a [u8]> {
        let n = self.u24()?;
        self.take(usize::try_from(n).ok()?)
    }
}

/// Text from capture bytes (SNI, ALPN, HTTP heads, DNS names): valid UTF-8 is
/// kept as is and each byte that is not is written `\x{ff}`, so nothing is lost
/// (`from_utf8_lossy` would turn every bad byte into the same U+FFFD) and the
/// reports' `escape` shows control characters on top of it.
pub fn text(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{{{b:02x}}}"));
        }
    }
    out
}

/// Splits a byte list into big-endian u16 values (an odd trailing byte is ignored).
pub fn u16_list(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks_exact(2)
        .filter_map(|c| c.try_into().ok().map(u16::from_be_bytes))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_stops_at_the_end() {
        let mut r = Reader::new(&[0, 3, 1, 2, 3, 9]);
        assert_eq!(r.vec16(), Some(&[1u8, 2, 3][..]));
        assert_eq!(r.u16(), None);
        assert_eq!(r.u8(), Some(9));
        assert_eq!(r.u8(), None);
        assert!(r.is_empty());
    }

    #[test]
    fn issue_7_invalid_utf8_is_escaped_not_replaced() {
        assert_eq!(text(b"a.example"), "a.example");
        assert_eq!(text(b"evil\xff.ex\xc3"), "evil\\x{ff}.ex\\x{c3}");
        assert_eq!(text("café".as_bytes()), "café");
    }

    #[test]
    fn lengths_past_the_end_fail() {
        let mut r = Reader::new(&[0xff, 0xff, 0xff, 1]);
        assert_eq!(r.vec24(), None);
        let mut r = Reader::new(&[5, 1]);
        assert_eq!(r.vec8(), None);
    }
}
