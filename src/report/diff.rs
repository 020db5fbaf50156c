//! Rendering of [`crate::diff::Diff`]: what explains the failure, then a
//! side-by-side table of the fields (unchanged ones collapsed unless asked),
//! then the suites of both ClientHellos aligned and marked.

use std::io::Write;

use crate::diff::{Diff, Side};
use crate::error::Error;
use crate::report::{escape, table};

/// A JSON value in a cell: strings bare, lists joined, long lists counted.
fn cell(v: &serde_json::Value, field: &str) -> String {
    match v {
        serde_json::Value::Null => "—".into(),
        serde_json::Value::String(s) => escape(s).into_owned(),
        serde_json::Value::Array(a) if field.ends_with("cipher_suites") => {
            format!("{} suites", a.len())
        }
        serde_json::Value::Array(a) => {
            let parts: Vec<String> = a.iter().map(|x| cell(x, "")).collect();
            let joined = parts.join(", ");
            if joined.len() > 120 {
                format!(
                    "{} items: {}…",
                    a.len(),
                    joined.chars().take(110).collect::<String>()
                )
            } else {
                joined
            }
        }
        serde_json::Value::Object(o) => {
            let parts: Vec<String> = o
                .iter()
                .map(|(k, v)| format!("{k}: {}", cell(v, k)))
                .collect();
            parts.join("; ")
        }
        other => other.to_string(),
    }
}

/// Writes the diff as text.
pub fn write(out: &mut dyn Write, d: &Diff, all: bool) -> Result<(), Error> {
    writeln!(out, "GOOD {}\nBAD  {}", escape(&d.good), escape(&d.bad))?;
    for (side, warnings) in [("GOOD", &d.good_warnings), ("BAD", &d.bad_warnings)] {
        for w in warnings {
            writeln!(out, "warning ({side}): {}", escape(&w.to_string()))?;
        }
    }
    if d.pairs.is_empty() {
        match &d.server_filter {
            Some(f) if d.only_good.is_empty() && d.only_bad.is_empty() => writeln!(
                out,
                "\nNo server matching \"{}\" in either capture.",
                escape(f)
            )?,
            _ => writeln!(out, "\nNo server appears in both captures.")?,
        }
    }
    for p in &d.pairs {
        writeln!(
            out,
            "\n{} — GOOD connection {}, BAD connection {}",
            escape(&p.server),
            p.good_connection,
            p.bad_connection
        )?;
        if !p.bad_failed {
            writeln!(
                out,
                "  BAD's connection did not fail: the differences below are for information."
            )?;
        } else if p.explanation.is_empty() {
            writeln!(out, "  Nothing in the comparison explains a failure here.")?;
        } else {
            writeln!(out, "  Why BAD fails:")?;
            for e in &p.explanation {
                writeln!(out, "  • {}", escape(e))?;
            }
        }
        let mut t = table::new_table(&["field", "GOOD", "BAD", ""]);
        let mut hidden = 0;
        for f in &p.fields {
            if !f.differs && !all {
                hidden += 1;
                continue;
            }
            let mark = if f.explains_failure {
                "explains the failure"
            } else if f.differs {
                "differs"
            } else {
                "same"
            };
            t.add_row(vec![
                f.field.clone(),
                cell(&f.good, &f.field),
                cell(&f.bad, &f.field),
                mark.into(),
            ]);
        }
        writeln!(out, "{t}")?;
        if hidden > 0 {
            writeln!(
                out,
                "  ({hidden} identical fields not shown; --all shows them)"
            )?;
        }
        if !p.suites.is_empty() {
            let mut t = table::new_table(&["suite", "GOOD offers", "BAD offers", ""]);
            for s in &p.suites {
                let name = s.name.unwrap_or("?");
                let mut marks = vec![match (s.good, s.bad) {
                    (true, true) => "common",
                    (true, false) => "only GOOD",
                    (false, true) => "only BAD",
                    (false, false) => "",
                }];
                match s.chosen {
                    Some(Side::Good) => marks.push("chosen for GOOD"),
                    Some(Side::Bad) => marks.push("chosen for BAD"),
                    None => {}
                }
                if s.accepted {
                    marks.push("server accepts");
                }
                t.add_row(vec![
                    s.code.to_string(),
                    if s.good {
                        name.to_string()
                    } else {
                        String::new()
                    },
                    if s.bad {
                        name.to_string()
                    } else {
                        String::new()
                    },
                    marks.join(", "),
                ]);
            }
            writeln!(out, "{t}")?;
        }
    }
    for u in &d.only_good {
        if let Some(why) = &u.other_side {
            writeln!(
                out,
                "\n{} — only GOOD reaches it\n  • {}",
                escape(&u.server),
                escape(why)
            )?;
        }
    }
    for (label, list) in [("Only in GOOD", &d.only_good), ("Only in BAD", &d.only_bad)] {
        if list.is_empty() {
            continue;
        }
        let items: Vec<String> = list
            .iter()
            .map(|u| {
                format!(
                    "{} ({} connection{}{})",
                    escape(&u.server),
                    u.connections.len(),
                    if u.connections.len() == 1 { "" } else { "s" },
                    if u.failed { ", failing" } else { "" }
                )
            })
            .collect();
        writeln!(out, "\n{label}: {}", items.join("; "))?;
    }
    Ok(())
}
