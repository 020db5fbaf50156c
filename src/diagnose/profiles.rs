//! Server profiles: what a known service accepts (suites, versions, ports,
//! certificate issuers, HTTP paths), matched by SNI or CONNECT host.
//!
//! The built-in catalogue holds the services of `field-cases.md`. Users add
//! their own from TOML (`--profiles FILE`), or judge against a one-off suite list
//! (`--accept`), or force one profile for every connection (`--profile NAME`).
//!
//! ```toml
//! [[profile]]
//! name = "intranet-api"
//! hosts = ["api.corp.example", "*.api.corp.example"]
//! ports = [443]
//! accepted_suites = ["0xc02f", "TLS_AES_128_GCM_SHA256"]
//! versions = ["TLS 1.2", "TLS 1.3"]
//! expected_issuers = ["Corp Root CA"]
//! ```

use serde::Deserialize;

use crate::error::Error;
use crate::tls::certificate::KeyFamily;
use crate::tls::codepoints::{CipherSuite, ProtocolVersion};

/// What one service accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerProfile {
    /// Short name (`tetra`).
    pub name: String,
    /// What it is.
    pub description: String,
    /// Host names; `*.example.com` matches any subdomain.
    pub hosts: Vec<String>,
    /// Ports it listens on (empty: any).
    pub ports: Vec<u16>,
    /// Suites it accepts, in its order of preference (empty: unknown).
    pub accepted_suites: Vec<CipherSuite>,
    /// Versions it accepts (empty: unknown).
    pub versions: Vec<ProtocolVersion>,
    /// Substrings of the issuer DN its real chain has (empty: unknown).
    pub expected_issuers: Vec<String>,
    /// HTTP paths that are right for it (TAXII poll services).
    pub http_paths: Vec<String>,
    /// Its certificate key, when known (decides ECDSA vs RSA suites).
    pub key: Option<KeyFamily>,
}

impl ServerProfile {
    /// Whether `host` (SNI or CONNECT host) is this service.
    pub fn matches_host(&self, host: &str) -> bool {
        // Case-insensitive without allocating: this runs for every connection.
        let host = host.trim_end_matches('.');
        self.hosts
            .iter()
            .any(|pattern| match pattern.strip_prefix("*.") {
                // `*.example.com` covers any name ending in `.example.com`.
                Some(suffix) => host
                    .len()
                    .checked_sub(suffix.len() + 1)
                    .and_then(|at| host.get(at..))
                    .and_then(|tail| tail.strip_prefix('.'))
                    .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix)),
                None => host.eq_ignore_ascii_case(pattern),
            })
    }

    /// The key its certificate must have: as stated, else what its accepted
    /// TLS ≤ 1.2 suites authenticate with (all RSA → RSA).
    pub fn certificate_key(&self) -> Option<KeyFamily> {
        if self.key.is_some() {
            return self.key;
        }
        let mut families = self
            .accepted_suites
            .iter()
            .filter_map(|s| s.info())
            .filter_map(|i| match i.au {
                tls_parser::TlsCipherAu::Rsa => Some(KeyFamily::Rsa),
                tls_parser::TlsCipherAu::Ecdsa => Some(KeyFamily::Ec),
                tls_parser::TlsCipherAu::Dss => Some(KeyFamily::Dsa),
                _ => None,
            });
        let first = families.next()?;
        families.all(|f| f == first).then_some(first)
    }
}

/// The profiles in force.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileSet {
    /// All profiles, user ones first (they win over built-ins).
    pub profiles: Vec<ServerProfile>,
    /// A profile to apply to every TLS connection (`--profile`, `--accept`).
    pub forced: Option<ServerProfile>,
}

impl Default for ProfileSet {
    fn default() -> Self {
        Self {
            profiles: builtin(),
            forced: None,
        }
    }
}

impl ProfileSet {
    /// The profile for a connection to `host` on `port`.
    pub fn for_host(&self, host: Option<&str>, port: u16) -> Option<&ServerProfile> {
        if let Some(p) = &self.forced {
            return Some(p);
        }
        let host = host?;
        self.profiles
            .iter()
            .find(|p| p.matches_host(host) && (p.ports.is_empty() || p.ports.contains(&port)))
            .or_else(|| self.profiles.iter().find(|p| p.matches_host(host)))
    }

    /// A profile by name.
    pub fn by_name(&self, name: &str) -> Option<&ServerProfile> {
        self.profiles
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// Adds profiles read from TOML text (they take precedence).
    pub fn load_toml(&mut self, text: &str, origin: &str) -> Result<(), Error> {
        let file: ProfileFile =
            toml::from_str(text).map_err(|e| Error::Usage(format!("{origin}: {}", e.message())))?;
        let mut loaded = Vec::new();
        for p in file.profile {
            let accepted_suites = p
                .accepted_suites
                .iter()
                .map(|s| {
                    parse_suite(s)
                        .map_err(|e| Error::Usage(format!("{origin}: profile '{}': {e}", p.name)))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let versions = p
                .versions
                .iter()
                .map(|v| {
                    parse_version(v)
                        .map_err(|e| Error::Usage(format!("{origin}: profile '{}': {e}", p.name)))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let key = match p.key.as_deref().map(str::to_ascii_lowercase).as_deref() {
                None => None,
                Some("rsa") => Some(KeyFamily::Rsa),
                Some("ec" | "ecdsa") => Some(KeyFamily::Ec),
                Some("dsa") => Some(KeyFamily::Dsa),
                Some(other) => {
                    return Err(Error::Usage(format!(
                        "{origin}: profile '{}': key '{other}' is not rsa, ecdsa or dsa",
                        p.name
                    )));
                }
            };
            loaded.push(ServerProfile {
                name: p.name,
                description: p.description.unwrap_or_default(),
                hosts: p.hosts,
                ports: p.ports,
                accepted_suites,
                versions,
                expected_issuers: p.expected_issuers,
                http_paths: p.http_paths,
                key,
            });
        }
        loaded.append(&mut self.profiles);
        self.profiles = loaded;
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    #[serde(default)]
    profile: Vec<ProfileEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileEntry {
    name: String,
    description: Option<String>,
    #[serde(default)]
    hosts: Vec<String>,
    #[serde(default)]
    ports: Vec<u16>,
    #[serde(default)]
    accepted_suites: Vec<String>,
    #[serde(default)]
    versions: Vec<String>,
    #[serde(default)]
    expected_issuers: Vec<String>,
    #[serde(default)]
    http_paths: Vec<String>,
    key: Option<String>,
}

/// Parses a suite given as hex (`0xc030`, `c030`) or IANA name.
pub fn parse_suite(s: &str) -> Result<CipherSuite, String> {
    let t = s.trim();
    let hex = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X"));
    if let Some(h) = hex {
        return u16::from_str_radix(h, 16)
            .map(CipherSuite::tls)
            .map_err(|_| format!("'{s}' is not a 16-bit hex suite"));
    }
    if let Some(info) = tls_parser::TlsCipherSuite::from_name(t) {
        return Ok(CipherSuite::tls(info.id.0));
    }
    if t.len() == 4 && t.chars().all(|c| c.is_ascii_hexdigit()) {
        if let Ok(v) = u16::from_str_radix(t, 16) {
            return Ok(CipherSuite::tls(v));
        }
    }
    Err(format!(
        "'{s}' is neither a hex code nor an IANA suite name"
    ))
}

/// Parses a version given as `TLS 1.2`, `tls1.2`, `1.2` or hex.
pub fn parse_version(s: &str) -> Result<ProtocolVersion, String> {
    let t: String = s
        .trim()
        .to_ascii_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != 'v' && *c != '_')
        .collect();
    let t = t.strip_prefix("tls").unwrap_or(&t);
    Ok(match t {
        "1.0" | "1" | "10" => ProtocolVersion::TLS10,
        "1.1" | "11" => ProtocolVersion::TLS11,
        "1.2" | "12" => ProtocolVersion::TLS12,
        "1.3" | "13" => ProtocolVersion::TLS13,
        "ssl3" | "ssl3.0" => ProtocolVersion::SSL3,
        other => match other.strip_prefix("0x") {
            Some(h) => u16::from_str_radix(h, 16)
                .map(ProtocolVersion)
                .map_err(|_| format!("'{s}' is not a TLS version"))?,
            None => return Err(format!("'{s}' is not a TLS version")),
        },
    })
}

fn suites(ids: &[u16]) -> Vec<CipherSuite> {
    ids.iter().copied().map(CipherSuite::tls).collect()
}

/// Issuers of the public CAs Cisco's cloud services use (IdenTrust's
/// HydrantID intermediates, QuoVadis, DigiCert), as substrings of the DN.
const CISCO_ISSUERS: &[&str] = &["HydrantID", "IdenTrust", "QuoVadis", "DigiCert", "Cisco"];

/// The built-in catalogue: the services of the field cases.
pub fn builtin() -> Vec<ServerProfile> {
    let cisco_issuers: Vec<String> = CISCO_ISSUERS.iter().map(|s| s.to_string()).collect();
    let modern = vec![ProtocolVersion::TLS12, ProtocolVersion::TLS13];
    vec![
        ServerProfile {
            name: "tetra".into(),
            description: "Cisco Secure Endpoint (AMP) TETRA definition updates".into(),
            hosts: vec!["tetra-defs.amp.cisco.com".into()],
            ports: vec![443],
            // Field case 1: exactly these four, and nothing else.
            accepted_suites: suites(&[0xc030, 0xc02f, 0x009e, 0x1301]),
            versions: modern.clone(),
            expected_issuers: cisco_issuers.clone(),
            http_paths: Vec::new(),
            key: Some(KeyFamily::Rsa),
        },
        ServerProfile {
            name: "api-sse".into(),
            description: "Cisco cloud registration (SSE API and connector)".into(),
            hosts: vec!["api-sse.cisco.com".into()],
            ports: vec![443, 8989],
            accepted_suites: Vec::new(),
            versions: modern.clone(),
            expected_issuers: cisco_issuers.clone(),
            http_paths: Vec::new(),
            key: None,
        },
        ServerProfile {
            name: "amp-cloud".into(),
            description: "Cisco AMP cloud services".into(),
            hosts: vec![
                "cloud-sa.amp.cisco.com".into(),
                "api.amp.sourcefire.com".into(),
                "panacea.threatgrid.com".into(),
            ],
            ports: vec![443],
            accepted_suites: Vec::new(),
            versions: modern.clone(),
            expected_issuers: cisco_issuers,
            http_paths: Vec::new(),
            key: None,
        },
        ServerProfile {
            name: "otx-taxii".into(),
            description: "AlienVault OTX TAXII 1.x feed (collection user_AlienVault)".into(),
            hosts: vec!["otx.alienvault.com".into()],
            ports: vec![443, 80],
            accepted_suites: Vec::new(),
            versions: modern.clone(),
            expected_issuers: Vec::new(),
            http_paths: vec!["/taxii/poll/".into(), "/taxii/discovery/".into()],
            key: None,
        },
        ServerProfile {
            name: "anomali-taxii".into(),
            description: "Anomali Limo TAXII 1.x feed".into(),
            hosts: vec!["limo.anomali.com".into()],
            ports: vec![443, 80],
            accepted_suites: Vec::new(),
            versions: modern,
            expected_issuers: Vec::new(),
            http_paths: vec![
                "/api/v1/taxii/poll/".into(),
                "/api/v1/taxii/taxii-discovery-service/".into(),
            ],
            key: None,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_suites_by_hex_and_name() {
        assert_eq!(parse_suite("0xc030"), Ok(CipherSuite::tls(0xc030)));
        assert_eq!(
            parse_suite("TLS_AES_128_GCM_SHA256"),
            Ok(CipherSuite::tls(0x1301))
        );
        assert!(parse_suite("nope").is_err());
    }

    #[test]
    fn tetra_profile_is_rsa_and_matches_its_host() {
        let set = ProfileSet::default();
        let p = set.for_host(Some("TETRA-DEFS.amp.cisco.com"), 443);
        assert_eq!(p.map(|p| p.name.as_str()), Some("tetra"));
        assert_eq!(
            p.and_then(ServerProfile::certificate_key),
            Some(KeyFamily::Rsa)
        );
    }

    #[test]
    fn toml_profiles_load_and_win() {
        let mut set = ProfileSet::default();
        let text = r#"
[[profile]]
name = "mine"
hosts = ["*.corp.example"]
accepted_suites = ["0xc02f", "TLS_AES_256_GCM_SHA384"]
versions = ["TLS 1.2"]
"#;
        assert!(set.load_toml(text, "t.toml").is_ok());
        let p = set.for_host(Some("a.corp.example"), 443);
        assert_eq!(p.map(|p| p.accepted_suites.len()), Some(2));
        assert!(set.load_toml("[[profile]]\nname=1", "bad.toml").is_err());
    }
}
