//! `tlsdiag profiles`: the server profiles in force, as a table.

use std::io::Write;

use crate::diagnose::ProfileSet;
use crate::error::Error;
use crate::report::table;

/// Writes every profile (a forced one first): name and description, hosts,
/// ports, accepted suites, versions and expected issuers.
pub fn write(out: &mut dyn Write, set: &ProfileSet) -> Result<(), Error> {
    let mut t = table::new_table(&[
        "name",
        "hosts",
        "ports",
        "accepted suites",
        "versions",
        "expected issuers",
    ]);
    for p in set.forced.iter().chain(set.profiles.iter()) {
        let join = |items: Vec<String>, sep: &str| items.join(sep);
        t.add_row(vec![
            format!("{}\n{}", p.name, p.description),
            p.hosts.join("\n"),
            join(p.ports.iter().map(u16::to_string).collect(), ", "),
            if p.accepted_suites.is_empty() {
                "(not known)".to_string()
            } else {
                join(
                    p.accepted_suites
                        .iter()
                        .map(|s| format!("{s} {}", s.name().unwrap_or("?")))
                        .collect(),
                    "\n",
                )
            },
            join(p.versions.iter().map(|v| v.name()).collect(), ", "),
            p.expected_issuers.join(", "),
        ]);
    }
    writeln!(out, "{t}")?;
    Ok(())
}
