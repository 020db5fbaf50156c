//! Reports: analyses → what people and scripts read.
//!
//! [`json`] writes the contract (`../shared/spec/report.md`): one document per
//! capture, or NDJSON lines as soon as each item is final ([`ndjson`] writes
//! those lines by hand, byte for byte as serde would). [`table`] renders
//! comfy-tables for people. Every string that came from a capture (SNI, Host,
//! paths, certificate names, DNS names) goes through [`escape`] before a
//! terminal sees it: a capture is hostile input, and an SNI carrying an ANSI
//! escape or a bidi override must never reach stdout raw.

pub mod diff;
pub mod explain;
pub mod fleet;
pub mod json;
pub mod ndjson;
pub mod profiles;
pub mod suites;
pub mod table;

use std::borrow::Cow;

/// Escapes control characters (C0, DEL, C1), bidi controls and other invisible
/// format characters as `\u{…}` so they cannot move the cursor, recolour the
/// terminal or reorder text. Printable text, including non-ASCII letters, is kept.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            match c {
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                _ => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200b}'..='\u{200f}'   // zero-width, LRM/RLM
            | '\u{202a}'..='\u{202e}' // bidi embeddings and overrides
            | '\u{2066}'..='\u{2069}' // bidi isolates
            | '\u{061c}'              // Arabic letter mark
            | '\u{feff}'              // BOM / zero-width no-break space
            | '\u{fff9}'..='\u{fffb}' // interlinear annotation
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_controls() {
        assert_eq!(escape("example.com"), "example.com");
        assert_eq!(escape("a\u{1b}[31mred"), "a\\u{1b}[31mred");
        assert_eq!(escape("evil\u{202e}moc.x"), "evil\\u{202e}moc.x");
        assert_eq!(escape("x\u{9b}y"), "x\\u{9b}y");
        assert_eq!(escape("café"), "café");
    }
}
