//! Registry credentials, read the way the docker CLI reads them:
//! `$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`), its
//! `credHelpers` and `credsStore` (by running `docker-credential-<name> get`),
//! then its `auths` (base64 `user:password` in `auth`, or `identitytoken`).

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine;
use serde::Deserialize;

/// The key docker uses for Docker Hub in `config.json` and with helpers.
const HUB_SERVER: &str = "https://index.docker.io/v1/";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    Basic {
        username: String,
        password: String,
    },
    /// An OAuth refresh token (`identitytoken`, or a helper's `<token>`).
    IdentityToken(String),
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConfigFile {
    #[serde(default)]
    auths: HashMap<String, AuthEntry>,
    creds_store: Option<String>,
    #[serde(default)]
    cred_helpers: HashMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
struct AuthEntry {
    auth: Option<String>,
    username: Option<String>,
    password: Option<String>,
    identitytoken: Option<String>,
}

/// The docker CLI's configuration, loaded once.
#[derive(Debug, Default)]
pub struct Credentials {
    config: ConfigFile,
}

fn config_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    std::env::var_os("HOME").map(|h| Path::new(&h).join(".docker"))
}

/// `https://host/v1/` and `host` both name `host`, as docker's
/// `ConvertToHostname` has it.
fn hostname(key: &str) -> &str {
    let k = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    k.split('/').next().unwrap_or(k)
}

fn is_hub(host: &str) -> bool {
    matches!(
        host,
        "docker.io" | "index.docker.io" | "registry-1.docker.io"
    )
}

impl Credentials {
    /// Loads `config.json`; a missing file means no credentials, a broken
    /// one is an error, as it is for docker.
    pub fn load() -> Result<Self, String> {
        let Some(path) = config_dir().map(|d| d.join("config.json")) else {
            return Ok(Self::default());
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(format!("{}: error: {e}", path.display())),
        };
        let config: ConfigFile = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{}: error: invalid docker configuration: {e}",
                path.display()
            )
        })?;
        Ok(Self { config })
    }

    /// The credential for a registry host (`docker.io` for Docker Hub).
    pub fn get(&self, host: &str) -> Result<Option<Credential>, String> {
        let server = if is_hub(host) { HUB_SERVER } else { host };
        let helper = self
            .config
            .cred_helpers
            .iter()
            .find(|(k, _)| {
                let h = hostname(k);
                h == host || (is_hub(host) && is_hub(h))
            })
            .map(|(_, v)| v)
            .or(self.config.creds_store.as_ref())
            .filter(|h| !h.is_empty());
        if let Some(name) = helper {
            if let Some(c) = run_helper(name, server)? {
                return Ok(Some(c));
            }
        }
        let entry = self.config.auths.iter().find(|(k, _)| {
            let h = hostname(k);
            h == host || (is_hub(host) && is_hub(h))
        });
        let Some((key, e)) = entry else {
            return Ok(None);
        };
        if let Some(t) = e.identitytoken.as_ref().filter(|t| !t.is_empty()) {
            return Ok(Some(Credential::IdentityToken(t.clone())));
        }
        if let Some(auth) = e.auth.as_ref().filter(|a| !a.is_empty()) {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(auth.trim())
                .map_err(|_| format!("the auth of {key:?} in config.json is not base64"))?;
            let text = String::from_utf8_lossy(&bytes);
            let (u, p) = text.split_once(':').ok_or_else(|| {
                format!("the auth of {key:?} in config.json is not user:password")
            })?;
            return Ok(Some(Credential::Basic {
                username: u.to_string(),
                password: p.to_string(),
            }));
        }
        match (&e.username, &e.password) {
            (Some(u), Some(p)) => Ok(Some(Credential::Basic {
                username: u.clone(),
                password: p.clone(),
            })),
            _ => Ok(None),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HelperReply {
    username: String,
    secret: String,
}

/// `docker-credential-<name> get`, the server on standard input.
fn run_helper(name: &str, server: &str) -> Result<Option<Credential>, String> {
    let program = format!("docker-credential-{name}");
    let mut child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run credential helper {program}: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(server.as_bytes());
    }
    let out = child
        .wait_with_output()
        .map_err(|e| format!("credential helper {program}: {e}"))?;
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        if msg.to_ascii_lowercase().contains("credentials not found") {
            return Ok(None);
        }
        return Err(format!(
            "credential helper {program} failed for {server}: {}",
            msg.trim()
        ));
    }
    let reply: HelperReply = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("credential helper {program} gave no credentials: {e}"))?;
    if reply.secret.is_empty() {
        return Ok(None);
    }
    Ok(Some(if reply.username == "<token>" {
        Credential::IdentityToken(reply.secret)
    } else {
        Credential::Basic {
            username: reply.username,
            password: reply.secret,
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(json: &str) -> Credentials {
        Credentials {
            config: serde_json::from_str(json).unwrap(),
        }
    }

    #[test]
    fn reads_auths_by_hostname_and_hub_aliases() {
        let c = creds(
            r#"{"auths": {"https://index.docker.io/v1/": {"auth": "dXNlcjpwYTpzcw=="},
                          "registry.example.com": {"identitytoken": "tok"},
                          "https://other.example.com/v2/": {"auth": ""}}}"#,
        );
        assert_eq!(
            c.get("docker.io").unwrap(),
            Some(Credential::Basic {
                username: "user".into(),
                password: "pa:ss".into()
            })
        );
        assert_eq!(
            c.get("registry.example.com").unwrap(),
            Some(Credential::IdentityToken("tok".into()))
        );
        assert_eq!(c.get("other.example.com").unwrap(), None);
        assert_eq!(c.get("ghcr.io").unwrap(), None);
        assert!(creds(r#"{"auths": {"x.io": {"auth": "!!"}}}"#)
            .get("x.io")
            .is_err());
    }

    #[test]
    fn a_missing_helper_is_an_error() {
        let c = creds(r#"{"credHelpers": {"x.io": "dockopt-test-none"}}"#);
        let err = c.get("x.io").unwrap_err();
        assert!(err.contains("docker-credential-dockopt-test-none"), "{err}");
        assert_eq!(c.get("y.io").unwrap(), None);
    }
}
