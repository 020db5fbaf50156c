//! `tlsdiag suites`: a client's enabled suites against a server profile, and
//! the fix (PowerShell lines, the group-policy list).

use std::io::Write;

use crate::diagnose::ServerProfile;
use crate::diagnose::suite_list::{SuiteCheck, SuiteList};
use crate::error::Error;
use crate::report::{escape, table};
use crate::tls::codepoints::CipherSuite;

/// Writes the check for people.
pub fn write(
    out: &mut dyn Write,
    profile: &ServerProfile,
    list: &SuiteList,
    check: &SuiteCheck,
) -> Result<(), Error> {
    let hosts = if profile.hosts.is_empty() {
        String::new()
    } else {
        format!(" ({})", profile.hosts.join(", "))
    };
    writeln!(
        out,
        "Profile '{}'{hosts} accepts {} suites; your list enables {} suites.",
        profile.name,
        profile.accepted_suites.len(),
        list.suites.len()
    )?;
    let mut t = table::new_table(&["code", "suite the server accepts", "in your list"]);
    for s in &profile.accepted_suites {
        let present = if check.present.contains(s) {
            "yes"
        } else {
            "MISSING"
        };
        t.add_row(vec![
            s.to_string(),
            s.name().unwrap_or("?").to_string(),
            present.to_string(),
        ]);
    }
    writeln!(out, "{t}")?;
    if !list.unknown.is_empty() {
        let shown: Vec<String> = list
            .unknown
            .iter()
            .map(|u| escape(u).into_owned())
            .collect();
        writeln!(
            out,
            "Not recognised as suites (ignored): {}",
            shown.join(", ")
        )?;
    }
    if check.can_connect() {
        let names: Vec<&str> = check.present.iter().filter_map(|s| s.name()).collect();
        writeln!(
            out,
            "\nOK: the client can negotiate {} with this server.",
            names.join(", ")
        )?;
        if !check.missing.is_empty() {
            writeln!(
                out,
                "Optional: the server also accepts suites this list lacks (see above)."
            )?;
        }
        return Ok(());
    }
    writeln!(
        out,
        "\nNone of the {} suites the server accepts is enabled: this client gets a fatal handshake_failure (40) — no-shared-cipher.",
        profile.accepted_suites.len()
    )?;
    writeln!(
        out,
        "\nFix on the Windows endpoint (PowerShell as Administrator):"
    )?;
    for line in check.powershell() {
        writeln!(out, "  {line}")?;
    }
    writeln!(
        out,
        "\nIf the group policy \"SSL Cipher Suite Order\" (Computer Configuration → Administrative Templates → Network → SSL Configuration Settings) is Enabled, it overrides the lines above: set it to Not Configured, or replace its list with:\n  {}",
        check.policy_line(list)
    )?;
    writeln!(out, "\nThen reboot and retry the update.")?;
    Ok(())
}

/// Writes the check as one JSON object.
pub fn write_json(
    out: &mut dyn Write,
    profile: &ServerProfile,
    list: &SuiteList,
    check: &SuiteCheck,
) -> Result<(), Error> {
    let name = |s: &CipherSuite| serde_json::json!({"code": s.to_string(), "name": s.name()});
    let doc = serde_json::json!({
        "profile": profile.name,
        "listed": list.suites.iter().map(name).collect::<Vec<_>>(),
        "unrecognised": list.unknown,
        "present": check.present.iter().map(name).collect::<Vec<_>>(),
        "missing": check.missing.iter().map(name).collect::<Vec<_>>(),
        "can_connect": check.can_connect(),
        "powershell": check.powershell(),
        "group_policy": check.policy_line(list),
    });
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(std::io::Error::from)?;
    writeln!(out)?;
    Ok(())
}
