//! Suite lists pasted by users → cipher suites, and the check of such a list
//! against a server profile (`tlsdiag suites`).
//!
//! Accepted input, mixed freely, one or many per line:
//! * `Get-TlsCipherSuite | ft name` (header `Name` / `----` lines skipped), and
//!   `Format-List` output (`Name : TLS_…`); files saved by Windows PowerShell's
//!   `>` are UTF-16 with a BOM, which is decoded; the legacy SChannel curve
//!   suffixes (`_P256`, `_P384`, `_P521`) are dropped;
//! * the group policy "SSL Cipher Suite Order" line (comma-separated IANA names);
//! * an OpenSSL cipher string (`ECDHE-RSA-AES256-GCM-SHA384:AES128-SHA`): each
//!   OpenSSL name is rewritten to its IANA form by its parts and looked up in
//!   tls-parser's table (no table is kept here);
//! * hex codes (`0xc030`, `c030`).
//!
//! Unrecognised tokens are reported, never silently dropped.

use crate::diagnose::profiles::ServerProfile;
use crate::tls::codepoints::CipherSuite;

/// A list read from user input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SuiteList {
    /// Suites in the order given (duplicates removed).
    pub suites: Vec<CipherSuite>,
    /// Tokens that are not suites.
    pub unknown: Vec<String>,
}

/// Tokens read from one list at most (a pasted list has a few dozen).
pub const MAX_TOKENS: usize = 4096;

/// Decodes the bytes of a pasted list (UTF-8, or UTF-16 with a BOM).
pub fn decode_text(bytes: &[u8]) -> String {
    let utf16 = |be: bool, rest: &[u8]| -> String {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .filter_map(|c| <[u8; 2]>::try_from(c).ok())
            .map(|b| {
                if be {
                    u16::from_be_bytes(b)
                } else {
                    u16::from_le_bytes(b)
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    match bytes {
        [0xff, 0xfe, rest @ ..] => utf16(false, rest),
        [0xfe, 0xff, rest @ ..] => utf16(true, rest),
        [0xef, 0xbb, 0xbf, rest @ ..] => String::from_utf8_lossy(rest).into_owned(),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Parses a pasted list.
pub fn parse(text: &str) -> SuiteList {
    let mut list = SuiteList::default();
    let tokens = text
        .split(|c: char| c == ',' || c == ':' || c == ';' || c.is_whitespace())
        .map(|t| t.trim_matches(|c: char| c == '"' || c == '\'' || c == '{' || c == '}'))
        .filter(|t| !t.is_empty())
        .take(MAX_TOKENS);
    for token in tokens {
        // PowerShell table/list decorations.
        if token.eq_ignore_ascii_case("name") || token.chars().all(|c| c == '-') {
            continue;
        }
        match suite_of(token) {
            Some(s) => {
                if !list.suites.contains(&s) {
                    list.suites.push(s);
                }
            }
            None => {
                // OpenSSL keywords (`!aNULL`, `HIGH`, `@SECLEVEL=0`) are not suites.
                let keyword = token.starts_with(['!', '+', '-', '@'])
                    || token
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                        && !token.contains('_')
                        && token.len() <= 8;
                if !keyword && list.unknown.len() < 64 {
                    list.unknown.push(token.to_string());
                }
            }
        }
    }
    list
}

/// One token → a suite: hex, IANA name (with SChannel curve suffix), or OpenSSL name.
fn suite_of(token: &str) -> Option<CipherSuite> {
    let hex = token
        .strip_prefix("0x")
        .or_else(|| token.strip_prefix("0X"))
        .or(Some(token).filter(|t| t.len() == 4 && t.chars().all(|c| c.is_ascii_hexdigit())));
    if let Some(h) = hex {
        return u16::from_str_radix(h, 16).ok().map(CipherSuite::tls);
    }
    let upper = token.to_ascii_uppercase();
    let iana = ["_P256", "_P384", "_P521"]
        .iter()
        .find_map(|suffix| upper.strip_suffix(suffix))
        .unwrap_or(&upper);
    if let Some(info) = tls_parser::TlsCipherSuite::from_name(iana) {
        return Some(CipherSuite::tls(info.id.0));
    }
    let from_openssl = openssl_to_iana(&upper)?;
    tls_parser::TlsCipherSuite::from_name(&from_openssl).map(|i| CipherSuite::tls(i.id.0))
}

/// Rewrites an OpenSSL suite name into the IANA form, part by part
/// (`ECDHE-RSA-AES256-GCM-SHA384` → `TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384`).
fn openssl_to_iana(name: &str) -> Option<String> {
    if !name.contains('-') {
        return None;
    }
    let parts: Vec<&str> = name.split('-').collect();
    // Key exchange and authentication come first when present.
    let (kx_au, rest): (&str, &[&str]) = match parts.as_slice() {
        ["ECDHE", "RSA", rest @ ..] => ("ECDHE_RSA", rest),
        ["ECDHE", "ECDSA", rest @ ..] => ("ECDHE_ECDSA", rest),
        ["ECDHE", "PSK", rest @ ..] => ("ECDHE_PSK", rest),
        ["DHE" | "EDH", "RSA", rest @ ..] => ("DHE_RSA", rest),
        ["DHE" | "EDH", "DSS", rest @ ..] => ("DHE_DSS", rest),
        ["DHE", "PSK", rest @ ..] => ("DHE_PSK", rest),
        ["RSA", "PSK", rest @ ..] => ("RSA_PSK", rest),
        ["PSK", rest @ ..] => ("PSK", rest),
        ["ADH", rest @ ..] => ("DH_anon", rest),
        ["AECDH", rest @ ..] => ("ECDH_anon", rest),
        ["SRP", rest @ ..] => ("SRP_SHA", rest),
        rest => ("RSA", rest),
    };
    let (cipher, mac): (String, &str) = match rest {
        [c, "GCM", mac] => (format!("{}_GCM", sized(c)?), mac),
        [c, "CCM8"] => (format!("{}_CCM_8", sized(c)?), ""),
        [c, "CCM"] => (format!("{}_CCM", sized(c)?), ""),
        ["CHACHA20", "POLY1305"] => ("CHACHA20_POLY1305".into(), "SHA256"),
        ["DES", "CBC3", mac] => ("3DES_EDE_CBC".into(), mac),
        ["RC4", mac] => ("RC4_128".into(), mac),
        ["SEED", mac] => ("SEED_CBC".into(), mac),
        ["IDEA", "CBC", mac] => ("IDEA_CBC".into(), mac),
        ["NULL", mac] => ("NULL".into(), mac),
        [c, mac] => (format!("{}_CBC", sized(c)?), mac),
        _ => return None,
    };
    let mac = match mac {
        "SHA" | "SHA1" => "_SHA",
        "SHA256" => "_SHA256",
        "SHA384" => "_SHA384",
        "MD5" => "_MD5",
        "" => "",
        _ => return None,
    };
    Some(format!("TLS_{kx_au}_WITH_{cipher}{mac}"))
}

/// `AES128` → `AES_128`, `CAMELLIA256` → `CAMELLIA_256`, `ARIA128` → `ARIA_128`.
fn sized(cipher: &str) -> Option<String> {
    let split = cipher.find(|c: char| c.is_ascii_digit())?;
    let (alg, bits) = cipher.split_at(split);
    (!alg.is_empty() && bits.chars().all(|c| c.is_ascii_digit())).then(|| format!("{alg}_{bits}"))
}

/// A list checked against a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuiteCheck {
    /// Accepted suites the list enables, in the profile's order.
    pub present: Vec<CipherSuite>,
    /// Accepted suites the list lacks, in the profile's order.
    pub missing: Vec<CipherSuite>,
}

impl SuiteCheck {
    /// Compares `list` with what `profile` accepts.
    pub fn new(list: &SuiteList, profile: &ServerProfile) -> Self {
        let (present, missing) = profile
            .accepted_suites
            .iter()
            .partition(|s| list.suites.contains(s));
        Self { present, missing }
    }

    /// Whether the client can connect at all.
    pub fn can_connect(&self) -> bool {
        !self.present.is_empty()
    }

    /// PowerShell lines that enable the missing suites, first in order.
    pub fn powershell(&self) -> Vec<String> {
        self.missing
            .iter()
            .rev()
            .filter_map(|s| s.name())
            .map(|n| format!("Enable-TlsCipherSuite -Name {n} -Position 0"))
            .collect()
    }

    /// The value for the group policy "SSL Cipher Suite Order": the missing
    /// accepted suites first, then the list as it was.
    pub fn policy_line(&self, list: &SuiteList) -> String {
        self.missing
            .iter()
            .chain(list.suites.iter())
            .filter_map(|s| s.name())
            .collect::<Vec<_>>()
            .join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powershell_table_output() {
        let text = "\r\nName\r\n----\r\nTLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P384  \r\nTLS_RSA_WITH_AES_128_CBC_SHA\r\n\r\n";
        let l = parse(text);
        assert_eq!(
            l.suites,
            vec![CipherSuite::tls(0xc028), CipherSuite::tls(0x002f)]
        );
        assert!(l.unknown.is_empty(), "{:?}", l.unknown);
    }

    #[test]
    fn utf16_file_from_windows_powershell() {
        let text = "Name\r\n----\r\nTLS_AES_128_GCM_SHA256\r\n";
        let mut bytes = vec![0xff, 0xfe];
        for u in text.encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(
            parse(&decode_text(&bytes)).suites,
            vec![CipherSuite::tls(0x1301)]
        );
    }

    #[test]
    fn openssl_cipher_string() {
        let l = parse(
            "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:AES128-SHA:DHE-DSS-AES256-SHA256:DES-CBC3-SHA:!aNULL:@SECLEVEL=0",
        );
        let codes: Vec<String> = l.suites.iter().map(ToString::to_string).collect();
        assert_eq!(codes, ["0xc030", "0xcca9", "0x002f", "0x006a", "0x000a"]);
        assert!(l.unknown.is_empty(), "{:?}", l.unknown);
    }

    #[test]
    fn hex_and_policy_line_and_unknowns() {
        let l = parse("0xc030, c02f,TLS_AES_128_GCM_SHA256, bogus_suite");
        assert_eq!(l.suites.len(), 3);
        assert_eq!(l.unknown, ["bogus_suite"]);
    }
}
