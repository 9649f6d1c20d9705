//! A client for the OCI distribution API, just enough to resolve a tag to a
//! digest: `HEAD /v2/<name>/manifests/<tag>` with the index and manifest
//! media types, token or basic auth, Docker Hub's aliases, mirrors, and
//! docker's rules for plain HTTP and certificates.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use dockopt_engine::image::{is_loopback, ImageRef, DOCKER_HUB};
use sha2::Digest;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
use ureq::Agent;

use super::credentials::{Credential, Credentials};

/// Indexes first: pinning an index keeps every platform working.
const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, \
application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.v2+json";

/// Docker Hub's API host.
const HUB_API: &str = "registry-1.docker.io";

/// Manifests are small; anything bigger is not one.
const MAX_MANIFEST: u64 = 4 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub digest: String,
    pub media_type: Option<String>,
    /// For an index: the platforms it has images for (`linux/arm64/v8`).
    pub platforms: Option<Vec<String>>,
}

/// Whether a media type is an image index (a manifest list).
fn is_index(media_type: Option<&str>) -> bool {
    matches!(
        media_type,
        Some(
            "application/vnd.oci.image.index.v1+json"
                | "application/vnd.docker.distribution.manifest.list.v2+json"
        )
    )
}

/// The platforms an index lists, without attestation entries
/// (`unknown/unknown`).
pub fn index_platforms(body: &[u8]) -> Option<Vec<String>> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let mut out: Vec<String> = v
        .get("manifests")?
        .as_array()?
        .iter()
        .filter_map(|m| {
            let p = m.get("platform")?;
            let os = p.get("os")?.as_str()?;
            let arch = p.get("architecture")?.as_str()?;
            if os == "unknown" {
                return None;
            }
            Some(match p.get("variant").and_then(|v| v.as_str()) {
                Some(var) if !var.is_empty() => format!("{os}/{arch}/{var}"),
                _ => format!("{os}/{arch}"),
            })
        })
        .collect();
    out.sort();
    out.dedup();
    Some(out)
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Hosts (with port) where plain HTTP and unverified TLS are allowed.
    pub insecure: Vec<String>,
    /// A mirror for Docker Hub, as dockerd's `registry-mirrors`: a URL
    /// (`https://mirror.example.com`, `http://127.0.0.1:5000`) or a host.
    pub mirror: Option<String>,
    /// docker's `certs.d`: `<dir>/<host[:port]>/*.crt` are the CAs trusted
    /// for that registry.
    pub certs_dir: PathBuf,
}

pub struct Client {
    opts: Options,
    creds: Credentials,
    agents: Mutex<HashMap<(String, bool), Agent>>,
    /// Bearer tokens by (realm, service, scope).
    tokens: Mutex<HashMap<String, String>>,
}

/// One place to ask: scheme and host.
#[derive(Clone, Debug)]
struct Endpoint {
    scheme: &'static str,
    host: String,
    /// Whether the next endpoint is tried on any failure (a mirror).
    fallible: bool,
}

/// A failure before any HTTP status: connection, DNS, TLS.
enum Failure {
    Transport(String),
    Status(String),
}

fn www_authenticate(header: &str) -> (String, HashMap<String, String>) {
    let (scheme, rest) = header.trim().split_once(' ').unwrap_or((header, ""));
    let mut params = HashMap::new();
    let mut rest = rest.trim();
    while !rest.is_empty() {
        let Some((k, v)) = rest.split_once('=') else {
            break;
        };
        let k = k.trim().trim_start_matches(',').trim().to_ascii_lowercase();
        let v = v.trim_start();
        let (value, after) = if let Some(q) = v.strip_prefix('"') {
            let end = q.find('"').unwrap_or(q.len());
            (&q[..end], q.get(end + 1..).unwrap_or(""))
        } else {
            let end = v.find(',').unwrap_or(v.len());
            (&v[..end], &v[end..])
        };
        params.insert(k, value.to_string());
        rest = after.trim_start().trim_start_matches(',').trim_start();
    }
    (scheme.to_ascii_lowercase(), params)
}

fn basic(username: &str, password: &str) -> String {
    let raw = format!("{username}:{password}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

impl Client {
    pub fn new(opts: Options, creds: Credentials) -> Self {
        Self {
            opts,
            creds,
            agents: Mutex::new(HashMap::new()),
            tokens: Mutex::new(HashMap::new()),
        }
    }

    fn insecure(&self, host: &str) -> bool {
        self.opts.insecure.iter().any(|h| h == host)
    }

    /// CAs from `certs.d/<host>/`, as docker reads them.
    fn host_roots(&self, host: &str) -> Vec<Certificate<'static>> {
        let dir = self.opts.certs_dir.join(host);
        let Ok(rd) = std::fs::read_dir(&dir) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "crt"))
            .collect();
        files.sort();
        let mut certs = Vec::new();
        for f in files {
            let Ok(bytes) = std::fs::read(&f) else {
                continue;
            };
            for item in ureq::tls::parse_pem(&bytes).flatten() {
                if let PemItem::Certificate(c) = item {
                    certs.push(c);
                }
            }
        }
        certs
    }

    fn agent(&self, host: &str) -> Agent {
        let insecure = self.insecure(host);
        let key = (host.to_string(), insecure);
        let mut agents = self
            .agents
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        agents
            .entry(key)
            .or_insert_with(|| {
                let roots = self.host_roots(host);
                let roots = if roots.is_empty() {
                    RootCerts::PlatformVerifier
                } else {
                    RootCerts::Specific(Arc::new(roots))
                };
                let tls = TlsConfig::builder()
                    .root_certs(roots)
                    .disable_verification(insecure)
                    .build();
                Agent::config_builder()
                    .http_status_as_error(false)
                    .tls_config(tls)
                    .timeout_global(Some(Duration::from_mins(1)))
                    .timeout_connect(Some(Duration::from_secs(15)))
                    .user_agent(concat!("dockopt/", env!("CARGO_PKG_VERSION")))
                    .build()
                    .new_agent()
            })
            .clone()
    }

    fn endpoints(&self, domain: &str) -> Vec<Endpoint> {
        let mut out = Vec::new();
        let plain_ok = |host: &str| is_loopback(host) || self.insecure(host);
        let mut push = |host: &str, scheme: Option<&'static str>, fallible: bool| {
            let schemes: &[&'static str] = match scheme {
                Some("http") => &["http"],
                None if plain_ok(host) => &["https", "http"],
                _ => &["https"],
            };
            for s in schemes {
                out.push(Endpoint {
                    scheme: s,
                    host: host.to_string(),
                    fallible,
                });
            }
        };
        if domain == DOCKER_HUB {
            if let Some(m) = &self.opts.mirror {
                let m = m.trim_end_matches('/');
                let (scheme, host) = if let Some(h) = m.strip_prefix("https://") {
                    (Some("https"), h)
                } else if let Some(h) = m.strip_prefix("http://") {
                    (Some("http"), h)
                } else {
                    (None, m)
                };
                // Plain HTTP to a mirror follows the same rule as to a
                // registry.
                let scheme = match scheme {
                    Some("http") if !plain_ok(host) => Some("https"),
                    s => s,
                };
                push(host, scheme, true);
            }
            push(HUB_API, Some("https"), false);
        } else {
            push(domain, None, false);
        }
        out
    }

    /// Resolves an image's tag to the digest of what it names now.
    pub fn resolve(&self, image: &ImageRef) -> Result<Resolved, String> {
        let what = image.familiar();
        let mut errors: Vec<String> = Vec::new();
        let endpoints = self.endpoints(&image.domain);
        let mut i = 0;
        while i < endpoints.len() {
            let ep = &endpoints[i];
            match self.head(ep, image) {
                Ok(r) => return Ok(r),
                Err(Failure::Transport(e)) => {
                    errors.push(format!("{}://{}: {e}", ep.scheme, ep.host));
                    i += 1;
                }
                Err(Failure::Status(e)) => {
                    errors.push(format!("{}://{}: {e}", ep.scheme, ep.host));
                    if !ep.fallible {
                        break;
                    }
                    // Skip the mirror's plain-HTTP retry: it answered.
                    let host = ep.host.clone();
                    i += 1;
                    while endpoints.get(i).is_some_and(|e| e.host == host) {
                        i += 1;
                    }
                }
            }
        }
        Err(format!("cannot resolve {what}: {}", errors.join("; ")))
    }

    fn head(&self, ep: &Endpoint, image: &ImageRef) -> Result<Resolved, Failure> {
        let url = format!(
            "{}://{}/v2/{}/manifests/{}",
            ep.scheme,
            ep.host,
            image.path,
            image.tag_or_latest()
        );
        let agent = self.agent(&ep.host);
        let send = |auth: Option<&str>, get: bool| {
            let req = if get {
                agent.get(&url)
            } else {
                agent.head(&url)
            };
            let req = req.header("Accept", ACCEPT);
            let req = match auth {
                Some(a) => req.header("Authorization", a),
                None => req,
            };
            req.call().map_err(|e| Failure::Transport(e.to_string()))
        };
        let mut auth: Option<String> = None;
        let mut resp = send(None, false)?;
        if resp.status().as_u16() == 401 {
            let challenge = resp
                .headers()
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            auth = Some(self.authorize(&ep.host, image, &challenge)?);
            resp = send(auth.as_deref(), false)?;
        }
        let status = resp.status().as_u16();
        match status {
            200 => {}
            401 | 403 => {
                return Err(Failure::Status(format!(
                    "access denied ({status}){}",
                    if auth.is_some() {
                        ""
                    } else {
                        ": log in with `docker login`"
                    }
                )))
            }
            404 => {
                return Err(Failure::Status(format!(
                    "{} not found (manifest unknown)",
                    image.familiar()
                )))
            }
            _ => return Err(Failure::Status(format!("the registry answered {status}"))),
        }
        let header = |resp: &ureq::http::Response<ureq::Body>, name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|s| s.trim().to_string())
        };
        let media_type_of = |resp: &ureq::http::Response<ureq::Body>| {
            header(resp, "content-type")
                .map(|t| t.split(';').next().unwrap_or(&t).trim().to_string())
                .filter(|t| !t.is_empty())
        };
        let media_type = media_type_of(&resp);
        let said = header(&resp, "docker-content-digest")
            .filter(|d| ImageRef::parse(&format!("x@{d}")).is_ok());
        if let Some(d) = &said {
            if !is_index(media_type.as_deref()) {
                return Ok(Resolved {
                    digest: d.clone(),
                    media_type,
                    platforms: None,
                });
            }
        }
        self.get(ep, image, auth.as_deref(), said, media_type)
    }

    /// GETs the manifest (by digest when the registry said it): an index to
    /// list its platforms, or any manifest to hash when no digest was said.
    fn get(
        &self,
        ep: &Endpoint,
        image: &ImageRef,
        auth: Option<&str>,
        said: Option<String>,
        media_type: Option<String>,
    ) -> Result<Resolved, Failure> {
        let agent = self.agent(&ep.host);
        // An index is read to list its platforms; a registry that leaves the
        // digest out has what it serves hashed. By digest when known, so
        // that a tag pushed in between changes nothing.
        let reference = said
            .clone()
            .unwrap_or_else(|| image.tag_or_latest().to_string());
        let url = format!(
            "{}://{}/v2/{}/manifests/{reference}",
            ep.scheme, ep.host, image.path
        );
        let req = agent.get(&url).header("Accept", ACCEPT);
        let req = match auth {
            Some(a) => req.header("Authorization", a),
            None => req,
        };
        let mut resp = req.call().map_err(|e| Failure::Transport(e.to_string()))?;
        if resp.status().as_u16() != 200 {
            return Err(Failure::Status(format!(
                "the registry answered {} to GET",
                resp.status().as_u16()
            )));
        }
        let media_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(|t| t.split(';').next().unwrap_or(t).trim().to_string())
            .filter(|t| !t.is_empty())
            .or(media_type);
        let body = resp
            .body_mut()
            .with_config()
            .limit(MAX_MANIFEST)
            .read_to_vec()
            .map_err(|e| Failure::Transport(e.to_string()))?;
        let hex = sha2::Sha256::digest(&body)
            .iter()
            .fold(String::new(), |mut acc, b| {
                let _ = write!(acc, "{b:02x}");
                acc
            });
        let hashed = format!("sha256:{hex}");
        let digest = match said {
            Some(d) if d.starts_with("sha256:") && d != hashed => {
                return Err(Failure::Status(format!(
                    "the manifest served for {d} hashes to {hashed}"
                )))
            }
            Some(d) => d,
            None => hashed,
        };
        let platforms = if is_index(media_type.as_deref()) {
            index_platforms(&body)
        } else {
            None
        };
        Ok(Resolved {
            digest,
            media_type,
            platforms,
        })
    }

    /// The `Authorization` value that answers a challenge.
    fn authorize(&self, host: &str, image: &ImageRef, challenge: &str) -> Result<String, Failure> {
        let (scheme, params) = www_authenticate(challenge);
        let cred_host = if host == HUB_API || image.domain == DOCKER_HUB && self.is_mirror(host) {
            DOCKER_HUB
        } else {
            host
        };
        let cred = self.creds.get(cred_host).map_err(Failure::Status)?;
        match scheme.as_str() {
            "basic" => match cred {
                Some(Credential::Basic { username, password }) => Ok(basic(&username, &password)),
                _ => Err(Failure::Status(format!(
                    "{host} asks for a password: log in with `docker login {host}`"
                ))),
            },
            "bearer" => {
                let realm = params
                    .get("realm")
                    .ok_or_else(|| Failure::Status("token challenge without realm".into()))?;
                let service = params.get("service").cloned().unwrap_or_default();
                let scope = params
                    .get("scope")
                    .cloned()
                    .unwrap_or_else(|| format!("repository:{}:pull", image.path));
                let key = format!("{realm} {service} {scope}");
                if let Some(t) = self
                    .tokens
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .get(&key)
                {
                    return Ok(format!("Bearer {t}"));
                }
                let token = self.token(realm, &service, &scope, cred.as_ref())?;
                self.tokens
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .insert(key, token.clone());
                Ok(format!("Bearer {token}"))
            }
            _ => Err(Failure::Status(format!(
                "unsupported authentication {challenge:?}"
            ))),
        }
    }

    fn is_mirror(&self, host: &str) -> bool {
        self.opts.mirror.as_deref().is_some_and(|m| {
            m.trim_end_matches('/')
                .trim_start_matches("https://")
                .trim_start_matches("http://")
                == host
        })
    }

    /// Fetches a bearer token from the realm the registry named.
    fn token(
        &self,
        realm: &str,
        service: &str,
        scope: &str,
        cred: Option<&Credential>,
    ) -> Result<String, Failure> {
        let realm_host = realm
            .split("://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .unwrap_or("");
        if !(realm.starts_with("https://") || realm.starts_with("http://")) {
            return Err(Failure::Status(format!("bad token realm {realm:?}")));
        }
        if realm.starts_with("http://") && !(is_loopback(realm_host) || self.insecure(realm_host)) {
            return Err(Failure::Status(format!(
                "the token realm {realm} is plain HTTP: credentials are not sent there"
            )));
        }
        let agent = self.agent(realm_host);
        let resp = match cred {
            Some(Credential::IdentityToken(t)) => agent.post(realm).send_form([
                ("grant_type", "refresh_token"),
                ("refresh_token", t.as_str()),
                ("service", service),
                ("scope", scope),
                ("client_id", "dockopt"),
            ]),
            other => {
                let mut req = agent.get(realm).query("scope", scope);
                if !service.is_empty() {
                    req = req.query("service", service);
                }
                if let Some(Credential::Basic { username, password }) = other {
                    req = req.header("Authorization", basic(username, password));
                }
                req.call()
            }
        };
        let mut resp = resp.map_err(|e| Failure::Transport(format!("token: {e}")))?;
        let status = resp.status().as_u16();
        if status != 200 {
            return Err(Failure::Status(format!(
                "the token service answered {status}{}",
                if cred.is_none() {
                    ": log in with `docker login`"
                } else {
                    ""
                }
            )));
        }
        let body = resp
            .body_mut()
            .with_config()
            .limit(MAX_MANIFEST)
            .read_to_vec()
            .map_err(|e| Failure::Transport(format!("token: {e}")))?;
        let v: serde_json::Value =
            serde_json::from_slice(&body).map_err(|e| Failure::Status(format!("token: {e}")))?;
        v.get("token")
            .or_else(|| v.get("access_token"))
            .and_then(|t| t.as_str())
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .ok_or_else(|| Failure::Status("the token service gave no token".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_index_platforms_without_attestations() {
        let body = br#"{"manifests": [
            {"platform": {"os": "linux", "architecture": "amd64"}},
            {"platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}},
            {"platform": {"os": "unknown", "architecture": "unknown"}}]}"#;
        assert_eq!(
            index_platforms(body).unwrap(),
            ["linux/amd64", "linux/arm64/v8"]
        );
    }

    #[test]
    fn parses_challenges() {
        let (s, p) = www_authenticate(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/python:pull""#,
        );
        assert_eq!(s, "bearer");
        assert_eq!(p["realm"], "https://auth.docker.io/token");
        assert_eq!(p["service"], "registry.docker.io");
        assert_eq!(p["scope"], "repository:library/python:pull");
        let (s, p) = www_authenticate(r#"Basic realm="Registry Realm""#);
        assert_eq!(
            (s.as_str(), p["realm"].as_str()),
            ("basic", "Registry Realm")
        );
    }

    #[test]
    fn plain_http_only_for_loopback_and_insecure_hosts() {
        let c = Client::new(
            Options {
                insecure: vec!["reg.internal:5000".into()],
                mirror: Some("http://mirror.example.com".into()),
                certs_dir: PathBuf::from("/nonexistent"),
            },
            Credentials::default(),
        );
        let shown = |d: &str| {
            c.endpoints(d)
                .iter()
                .map(|e| format!("{}://{}", e.scheme, e.host))
                .collect::<Vec<_>>()
        };
        assert_eq!(shown("ghcr.io"), ["https://ghcr.io"]);
        assert_eq!(
            shown("127.0.0.1:5000"),
            ["https://127.0.0.1:5000", "http://127.0.0.1:5000"]
        );
        assert_eq!(
            shown("reg.internal:5000"),
            ["https://reg.internal:5000", "http://reg.internal:5000"]
        );
        assert_eq!(
            shown("docker.io"),
            ["https://mirror.example.com", "https://registry-1.docker.io"]
        );
    }
}
