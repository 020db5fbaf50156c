//! One server's connection in GOOD against its connection in BAD: every field
//! compared, the differences that explain the failure first, the suites aligned.

use super::{FieldDiff, Pair, Side, SuiteRow, failed};
use crate::Analysis;
use crate::connection::Connection;
use crate::diagnose::{ProfileSet, Severity};
use crate::tls::codepoints::CipherSuite;

fn json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

pub(super) fn pair(
    server: &str,
    ga: &Analysis,
    g: &Connection,
    ba: &Analysis,
    b: &Connection,
    profiles: &ProfileSet,
) -> Pair {
    let gt = g.tls.as_ref();
    let bt = b.tls.as_ref();
    let gch = gt.and_then(|t| t.client_hello.as_ref());
    let bch = bt.and_then(|t| t.client_hello.as_ref());
    let gsh = gt.and_then(|t| t.server_hello.as_ref());
    let bsh = bt.and_then(|t| t.server_hello.as_ref());
    let profile = profiles.for_host(g.server_name().or(b.server_name()), g.service_port());

    // What the server is known to accept: the profile, plus what it chose for GOOD.
    let mut accepted: Vec<CipherSuite> = profile
        .map(|p| p.accepted_suites.clone())
        .unwrap_or_default();
    if let Some(chosen) = gsh.and_then(|s| s.cipher_suite) {
        if !accepted.contains(&chosen) {
            accepted.push(chosen);
        }
    }

    let mut explanation = Vec::new();
    let b_failed = failed(ba, b);
    let dns_of = |a: &Analysis, c: &Connection| -> serde_json::Value {
        let name = c.server_name().unwrap_or_default().to_ascii_lowercase();
        let xs: Vec<serde_json::Value> = a
            .dns
            .iter()
            .filter(|d| !name.is_empty() && d.name.eq_ignore_ascii_case(&name))
            .map(|d| serde_json::json!({"type": d.qtype, "rcode": d.rcode, "answers": d.answers}))
            .collect();
        if xs.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::Value::Array(xs)
        }
    };
    let proxy_of = |c: &Connection| {
        c.proxy.as_ref().map(|p| {
            serde_json::json!({"proxy": format!("{}:{}", c.server.ip, c.server.port), "status": p.status})
        })
    };
    let mut fields: Vec<FieldDiff> = Vec::new();
    let mut add = |field: &str, good: serde_json::Value, bad: serde_json::Value, explains: bool| {
        let differs = good != bad;
        fields.push(FieldDiff {
            field: field.to_string(),
            good,
            bad,
            differs,
            explains_failure: differs && explains,
        });
    };

    // Path below TLS.
    let tcp_explains = b_failed && bt.is_none() && b.proxy.is_none();
    add(
        "dns",
        dns_of(ga, g),
        dns_of(ba, b),
        b_failed && bt.is_none(),
    );
    let b_proxy_failed = b.proxy.as_ref().is_some_and(|p| !p.is_open());
    add(
        "proxy",
        json(&proxy_of(g)),
        json(&proxy_of(b)),
        b_failed && b_proxy_failed,
    );
    add(
        "tcp.outcome",
        json(&g.tcp.outcome),
        json(&b.tcp.outcome),
        tcp_explains,
    );
    if g.tcp.outcome != b.tcp.outcome && tcp_explains {
        explanation.push(format!(
            "TCP: the connection {} for GOOD but is {} for BAD.",
            json(&g.tcp.outcome).as_str().unwrap_or("?"),
            json(&b.tcp.outcome).as_str().unwrap_or("?")
        ));
    }
    if let (Some(gp), Some(bp)) = (&g.proxy, &b.proxy) {
        if gp.status != bp.status && b_failed {
            explanation.push(format!(
                "Proxy: CONNECT answered {} for GOOD, {} for BAD.",
                gp.status.map_or("nothing".into(), |s| s.to_string()),
                bp.status.map_or("nothing".into(), |s| s.to_string())
            ));
        }
    } else if g.proxy.is_some() != b.proxy.is_some() && b_failed {
        explanation.push(format!(
            "Path: GOOD goes {}, BAD goes {}.",
            if g.proxy.is_some() {
                "through a proxy"
            } else {
                "direct"
            },
            if b.proxy.is_some() {
                "through a proxy"
            } else {
                "direct"
            }
        ));
    }

    // The ClientHello, field by field.
    let suites_explain = b_failed
        && bch.is_some()
        && bsh.is_none()
        && !accepted.is_empty()
        && !bch
            .and_then(|h| h.cipher_suites.as_ref())
            .is_some_and(|s| s.iter().any(|x| accepted.contains(x)));
    let versions_explain =
        b_failed && bt.is_some_and(|t| t.alerts.iter().any(|a| a.description == Some(70)));
    let suites_explain = suites_explain && !versions_explain;
    let ch_field =
        |h: Option<&crate::tls::client_hello::ClientHello>, f: &str| -> serde_json::Value {
            h.map(|h| json(h).get(f).cloned().unwrap_or_default())
                .unwrap_or_default()
        };
    // A server that wants SNI (alert 112, or a refusal before its hello) and a
    // BAD client that sends another name, or none.
    let (gsni, bsni) = (
        gch.and_then(|h| h.sni.as_deref()),
        bch.and_then(|h| h.sni.as_deref()),
    );
    let sni_explains = b_failed
        && bch.is_some()
        && gsni.is_some()
        && gsni != bsni
        && bt.is_some_and(|t| {
            t.alerts.iter().any(|a| a.description == Some(112)) || (bsni.is_none() && bsh.is_none())
        });
    if sni_explains {
        explanation.push(match bsni {
            None => format!(
                "SNI: GOOD names the server ({}), BAD sends no server name (it connected by address): the server needs the name to choose its certificate.",
                gsni.unwrap_or_default()
            ),
            Some(n) => format!(
                "SNI: GOOD asks for {}, BAD for {n}, which the server does not serve.",
                gsni.unwrap_or_default()
            ),
        });
    }
    for (f, explains) in [
        ("record_version", false),
        ("version", versions_explain),
        ("supported_versions", versions_explain),
        ("sni", sni_explains),
        ("cipher_suites", suites_explain),
        ("extensions", false),
        ("supported_groups", false),
        ("signature_algorithms", false),
        ("key_share_groups", false),
        ("alpn", false),
        ("ja4", false),
    ] {
        add(
            &format!("tls.client_hello.{f}"),
            ch_field(gch, f),
            ch_field(bch, f),
            explains,
        );
    }
    if suites_explain {
        let chosen = gsh.and_then(|s| s.cipher_suite);
        let n = bch
            .and_then(|h| h.cipher_suites.as_ref())
            .map_or(0, |s| s.iter().filter(|x| !x.is_signalling()).count());
        let mut s = match chosen {
            Some(c) => format!(
                "The server chose {} ({c}) for GOOD; BAD does not offer {c}",
                c.name().unwrap_or("?")
            ),
            None => "BAD does not offer".to_string(),
        };
        let extra: Vec<String> = accepted
            .iter()
            .filter(|a| Some(**a) != chosen)
            .map(|a| a.to_string())
            .collect();
        if extra.is_empty() {
            s.push_str(&format!(
                " (its {n} suites include nothing the server is known to accept)."
            ));
        } else {
            s.push_str(&format!(
                " nor any other suite the server is known to accept ({}{}); its {n} suites include none of them.",
                extra.join(", "),
                profile.map(|p| format!(", from profile '{}'", p.name)).unwrap_or_default()
            ));
        }
        explanation.push(s);
    }
    if versions_explain {
        explanation.push(format!(
            "Versions: GOOD offers {}, BAD offers {}; the server refused BAD's with protocol_version (70).",
            gch.map(versions).unwrap_or_default(),
            bch.map(versions).unwrap_or_default()
        ));
    }

    // The server's answer.
    let sh_field =
        |h: Option<&crate::tls::server_hello::ServerHello>, f: &str| -> serde_json::Value {
            h.map(|h| json(h).get(f).cloned().unwrap_or_default())
                .unwrap_or_default()
        };
    add(
        "tls.server_hello.version",
        sh_field(gsh, "version"),
        sh_field(bsh, "version"),
        false,
    );
    add(
        "tls.server_hello.cipher_suite",
        sh_field(gsh, "cipher_suite"),
        sh_field(bsh, "cipher_suite"),
        b_failed,
    );
    let alerts = |t: Option<&crate::connection::Tls>| -> serde_json::Value {
        t.map(|t| {
            serde_json::Value::Array(
                t.alerts
                    .iter()
                    .filter(|a| !a.encrypted)
                    .map(|a| {
                        serde_json::json!(format!(
                            "{} {} {}",
                            a.from,
                            a.level.unwrap_or("?"),
                            a.name.unwrap_or("?")
                        ))
                    })
                    .collect(),
            )
        })
        .unwrap_or_default()
    };
    add("tls.alerts", alerts(gt), alerts(bt), b_failed);
    if let Some(a) = bt.and_then(|t| t.alerts.iter().find(|a| a.level == Some("fatal"))) {
        if b_failed && !suites_explain && !versions_explain {
            explanation.push(format!(
                "BAD's handshake ends with a fatal {} from the {} (frame {}); GOOD's {}.",
                a.name.unwrap_or("alert"),
                a.from,
                a.frame.0,
                gt.map_or("has no TLS".to_string(), |t| format!(
                    "is {}",
                    json(&t.outcome).as_str().unwrap_or("?")
                ))
            ));
        }
    }
    let chain = |t: Option<&crate::connection::Tls>| -> serde_json::Value {
        t.map(|t| {
            serde_json::Value::Array(
                t.certificates
                    .iter()
                    .map(|c| serde_json::json!({"subject": c.subject, "issuer": c.issuer, "sha256": c.sha256}))
                    .collect(),
            )
        })
        .unwrap_or_default()
    };
    let issuers_differ = {
        let leaf_issuer = |t: Option<&crate::connection::Tls>| {
            t.and_then(|t| t.certificates.first())
                .and_then(|c| c.issuer.clone())
        };
        leaf_issuer(gt).is_some() && leaf_issuer(bt).is_some() && leaf_issuer(gt) != leaf_issuer(bt)
    };
    add(
        "tls.certificates",
        chain(gt),
        chain(bt),
        b_failed && issuers_differ,
    );
    if issuers_differ && b_failed {
        explanation.push(format!(
            "Certificates: BAD is shown a chain issued by {} where GOOD gets {}: something on BAD's path intercepts TLS.",
            bt.and_then(|t| t.certificates.first()).and_then(|c| c.issuer.clone()).unwrap_or_default(),
            gt.and_then(|t| t.certificates.first()).and_then(|c| c.issuer.clone()).unwrap_or_default()
        ));
    }
    add(
        "tls.outcome",
        json(&gt.map(|t| t.outcome)),
        json(&bt.map(|t| t.outcome)),
        false,
    );
    let codes = |a: &Analysis, c: &Connection| -> serde_json::Value {
        serde_json::Value::Array(
            a.findings
                .iter()
                .filter(|f| f.connection == Some(c.id) && f.severity <= Severity::Warning)
                .map(|f| serde_json::json!(f.code.as_str()))
                .collect(),
        )
    };
    add("findings", codes(ga, g), codes(ba, b), false);

    // Explaining differences first, then other differences, then the rest.
    fields.sort_by_key(|f| (!f.explains_failure, !f.differs));

    // Suites side by side: the good client's order, then what only BAD offers.
    let offered = |h: Option<&crate::tls::client_hello::ClientHello>| -> Vec<CipherSuite> {
        h.and_then(|h| h.cipher_suites.clone()).unwrap_or_default()
    };
    let (go, bo) = (offered(gch), offered(bch));
    let mut order: Vec<CipherSuite> = go.clone();
    order.extend(bo.iter().filter(|s| !go.contains(s)));
    let suites = order
        .into_iter()
        .map(|code| SuiteRow {
            code,
            name: code.name(),
            good: go.contains(&code),
            bad: bo.contains(&code),
            chosen: if gsh.and_then(|s| s.cipher_suite) == Some(code) {
                Some(Side::Good)
            } else if bsh.and_then(|s| s.cipher_suite) == Some(code) {
                Some(Side::Bad)
            } else {
                None
            },
            accepted: accepted.contains(&code),
        })
        .collect();

    // BAD's own diagnosis of this connection leads: the comparison then says
    // what differs around it.
    let diagnosed: Vec<String> = ba
        .findings
        .iter()
        .filter(|f| f.connection == Some(b.id) && f.severity == crate::diagnose::Severity::Error)
        .map(|f| {
            let frames: Vec<String> = f.evidence.iter().map(|x| x.0.to_string()).collect();
            if frames.is_empty() {
                format!("BAD: {}.", f.title)
            } else {
                format!(
                    "BAD: {} (frame{} {}).",
                    f.title,
                    if frames.len() == 1 { "" } else { "s" },
                    frames.join(", ")
                )
            }
        })
        .collect();
    explanation.splice(0..0, diagnosed);

    Pair {
        server: server.to_string(),
        good_connection: g.id,
        bad_connection: b.id,
        bad_failed: b_failed,
        explanation,
        fields,
        suites,
    }
}

fn versions(h: &crate::tls::client_hello::ClientHello) -> String {
    h.offered_versions()
        .into_iter()
        .map(|v| v.name())
        .collect::<Vec<_>>()
        .join(", ")
}
