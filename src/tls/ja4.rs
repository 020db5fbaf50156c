//! JA4 client fingerprints (FoxIO JA4 specification, `JA4.md` of FoxIO-LLC/ja4).
//!
//! `JA4 = a_b_c`:
//! * `a`: `t` (TCP), the version (highest non-GREASE supported_versions entry,
//!   else the hello's version: `13`, `12`, `11`, `10`, `s3`, `s2`, `00`), `d` if SNI
//!   is present else `i`, the number of suites and of extensions (GREASE removed,
//!   2 digits, at most 99), and the first and last characters of the first ALPN
//!   value (`00` without ALPN; a non-ASCII character counts as `9`; a one-character
//!   value gives `<c>0`).
//! * `b`: the first 12 hex digits of SHA-256 over the sorted suites (4 hex digits,
//!   comma-joined); `000000000000` when there are none.
//! * `c`: the same over the sorted extensions without SNI and ALPN, then `_` and the
//!   signature algorithms in wire order (the `_` part only when there are some).

use sha2::{Digest, Sha256};

use crate::tls::client_hello::ClientHello;
use crate::tls::codepoints::{hex_digit, is_grease, push_hex};

/// Computes the JA4 of a complete ClientHello; `first_alpn` is the first ALPN
/// value's raw bytes.
pub fn client_hello(hello: &ClientHello, first_alpn: Option<&[u8]>) -> String {
    let version = hello
        .max_version()
        .map(|v| match v.0 {
            0x0304 => "13",
            0x0303 => "12",
            0x0302 => "11",
            0x0301 => "10",
            0x0300 => "s3",
            0x0002 => "s2",
            _ => "00",
        })
        .unwrap_or("00");
    let sni = if hello.sni.is_some() { 'd' } else { 'i' };
    let mut suites: Vec<u16> = hello
        .cipher_suites
        .iter()
        .flatten()
        .filter_map(|s| s.tls_id())
        .filter(|s| !is_grease(*s))
        .collect();
    let mut extensions: Vec<u16> = hello
        .extensions
        .iter()
        .flatten()
        .map(|e| e.0)
        .filter(|e| !is_grease(*e))
        .collect();
    let (alpn_first, alpn_last) = alpn_chars(first_alpn);
    // Written into one string (this runs for every ClientHello).
    let mut out = String::with_capacity(36);
    out.push('t');
    out.push_str(version);
    out.push(sni);
    push_two_digits(&mut out, suites.len());
    push_two_digits(&mut out, extensions.len());
    out.push(alpn_first);
    out.push(alpn_last);

    out.push('_');
    suites.sort_unstable();
    let mut input = String::with_capacity(5 * suites.len().max(extensions.len() + 20));
    push_hex_list(&mut input, suites.iter().copied());
    push_hash12_or_zeros(&mut out, &input);

    out.push('_');
    extensions.retain(|e| *e != 0x0000 && *e != 0x0010);
    extensions.sort_unstable();
    input.clear();
    if !extensions.is_empty() {
        push_hex_list(&mut input, extensions.iter().copied());
        let mut sigs = hello
            .signature_algorithms
            .iter()
            .flatten()
            .map(|s| s.0)
            .peekable();
        if sigs.peek().is_some() {
            input.push('_');
            push_hex_list(&mut input, sigs);
        }
    }
    push_hash12_or_zeros(&mut out, &input);
    out
}

/// Two decimal digits of `n`, at most 99.
fn push_two_digits(out: &mut String, n: usize) {
    let n = u8::try_from(n.min(99)).unwrap_or(99);
    out.push(char::from(b'0' + n / 10));
    out.push(char::from(b'0' + n % 10));
}

fn alpn_chars(first_alpn: Option<&[u8]>) -> (char, char) {
    let Some(raw) = first_alpn else {
        return ('0', '0');
    };
    let text = String::from_utf8_lossy(raw);
    let ascii_or_9 = |c: char| if c.is_ascii() { c } else { '9' };
    let mut chars = text.chars();
    let first = chars.next().map(ascii_or_9).unwrap_or('0');
    let last = chars.next_back().map(ascii_or_9).unwrap_or('0');
    (first, last)
}

/// `values` as 4-digit lowercase hex, comma-joined, appended to `out` (no
/// per-item `format!`: that was a fifth of a handshake-dense run).
fn push_hex_list(out: &mut String, values: impl Iterator<Item = u16>) {
    for (i, v) in values.enumerate() {
        if i > 0 {
            out.push(',');
        }
        for shift in [12u16, 8, 4, 0] {
            out.push(char::from(hex_digit((v >> shift) as u8)));
        }
    }
}

/// The first 12 hex digits of SHA-256(`input`), or twelve zeros for an empty input.
fn push_hash12_or_zeros(out: &mut String, input: &str) {
    if input.is_empty() {
        out.push_str("000000000000");
        return;
    }
    let digest = Sha256::digest(input.as_bytes());
    push_hex(out, digest.get(..6).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpn_edge_cases() {
        assert_eq!(alpn_chars(Some(b"h2")), ('h', '2'));
        assert_eq!(alpn_chars(Some(b"http/1.1")), ('h', '1'));
        assert_eq!(alpn_chars(Some(b"x")), ('x', '0'));
        assert_eq!(alpn_chars(Some("\u{e9}t\u{e9}".as_bytes())), ('9', '9'));
        assert_eq!(alpn_chars(None), ('0', '0'));
    }

    #[test]
    fn hash_is_first_six_bytes() {
        // sha256("a") = ca978112 ca1b…
        let mut out = String::new();
        push_hash12_or_zeros(&mut out, "a");
        assert_eq!(out, "ca978112ca1b");
        out.clear();
        push_hash12_or_zeros(&mut out, "");
        assert_eq!(out, "000000000000");
    }

    #[test]
    fn hex_list_is_comma_joined_4_digit_lowercase() {
        let mut out = String::new();
        push_hex_list(&mut out, [0x002f, 0xc02b, 0x1301].into_iter());
        assert_eq!(out, "002f,c02b,1301");
    }
}
