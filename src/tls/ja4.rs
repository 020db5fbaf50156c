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
use crate::tls::codepoints::{hex_digit, is_grease};

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
    let suites: Vec<u16> = hello
        .cipher_suites
        .iter()
        .flatten()
        .filter_map(|s| s.tls_id())
        .filter(|s| !is_grease(*s))
        .collect();
    let extensions: Vec<u16> = hello
        .extensions
        .iter()
        .flatten()
        .map(|e| e.0)
        .filter(|e| !is_grease(*e))
        .collect();
    let (alpn_first, alpn_last) = alpn_chars(first_alpn);
    let a = format!(
        "t{version}{sni}{:02}{:02}{alpn_first}{alpn_last}",
        suites.len().min(99),
        extensions.len().min(99)
    );

    let mut sorted_suites = suites;
    sorted_suites.sort_unstable();
    let b = hash12_or_zeros(&hex_list(&sorted_suites));

    let mut sorted_ext: Vec<u16> = extensions
        .into_iter()
        .filter(|e| *e != 0x0000 && *e != 0x0010)
        .collect();
    sorted_ext.sort_unstable();
    let c = if sorted_ext.is_empty() {
        "000000000000".to_string()
    } else {
        let sigs: Vec<u16> = hello
            .signature_algorithms
            .iter()
            .flatten()
            .map(|s| s.0)
            .collect();
        let mut input = hex_list(&sorted_ext);
        if !sigs.is_empty() {
            input.push('_');
            input.push_str(&hex_list(&sigs));
        }
        hash12(&input)
    };
    format!("{a}_{b}_{c}")
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

/// `values` as 4-digit lowercase hex, comma-joined (one allocation: this runs
/// for every ClientHello, and per-item `format!` was a fifth of the time of a
/// handshake-dense capture).
fn hex_list(values: &[u16]) -> String {
    let mut out = String::with_capacity(values.len() * 5);
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for shift in [12u16, 8, 4, 0] {
            out.push(char::from(hex_digit((v >> shift) as u8)));
        }
    }
    out
}

fn hash12(input: &str) -> String {
    let digest = Sha256::digest(input.as_bytes());
    let mut out = String::with_capacity(12);
    for b in digest.iter().take(6) {
        out.push(char::from(hex_digit(b >> 4)));
        out.push(char::from(hex_digit(*b)));
    }
    out
}

fn hash12_or_zeros(input: &str) -> String {
    if input.is_empty() {
        "000000000000".to_string()
    } else {
        hash12(input)
    }
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
        // sha256("") = e3b0c442 98fc1c14…
        assert_eq!(hash12(""), "e3b0c44298fc");
    }

    #[test]
    fn hex_list_is_comma_joined_4_digit_lowercase() {
        assert_eq!(hex_list(&[0x002f, 0xc02b, 0x1301]), "002f,c02b,1301");
        assert_eq!(hex_list(&[]), "");
    }
}
