//! The table of toolchain images and their runtime images, kept as data in
//! `transforms/runtimes.yaml` and extendable from the configuration.

use std::borrow::Cow;

use serde::Deserialize;

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Entry {
    pub ecosystem: String,
    pub toolchain: Vec<String>,
    pub runtime: String,
    #[serde(default)]
    pub static_runtime: Option<String>,
    /// The runtime when the toolchain tag names a Debian suite.
    #[serde(default)]
    pub suite_runtime: Option<String>,
    /// The web server image for a static front end the toolchain builds.
    #[serde(default)]
    pub web_server: Option<String>,
    /// The runtime for a binary built on an Alpine toolchain tag that links
    /// musl; `{alpine}` is the tag's Alpine version (`3` when it names none).
    #[serde(default)]
    pub alpine_runtime: Option<String>,
    /// Runtime images for tags without a version that name a moving
    /// release (`latest`, `lts`): the runtime tag that moves with it.
    #[serde(default)]
    pub aliases: std::collections::BTreeMap<String, String>,
}

const TABLE: &str = include_str!("../runtimes.yaml");
const PACKAGES: &str = include_str!("../runtime-packages.yaml");

/// One distribution's packages, from `runtime-packages.yaml`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Distro {
    /// Compilers, headers and tools only a build uses (`*` ends a prefix).
    pub build_only: Vec<String>,
    /// Build-only tools that count as such only when a build step runs one
    /// of the commands listed.
    #[serde(default)]
    pub used_by: std::collections::BTreeMap<String, Vec<String>>,
    /// Header packages and the run-time packages what is built links.
    pub dev: std::collections::BTreeMap<String, Vec<String>>,
    /// Programs every image of the distribution has.
    pub base: Vec<String>,
}

/// Run-time packages per distribution; `None` where none is known.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PerDistro<T> {
    pub debian: Option<T>,
    pub alpine: Option<T>,
}

/// What built programs need from the system at run time.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Packages {
    pub debian: Distro,
    pub alpine: Distro,
    /// PyPI distributions, by normalized name.
    pub python: std::collections::BTreeMap<String, PerDistro<Vec<String>>>,
    /// npm packages.
    pub node: std::collections::BTreeMap<String, PerDistro<Vec<String>>>,
    /// Programs an application runs, and the package that installs each.
    pub programs: std::collections::BTreeMap<String, PerDistro<String>>,
}

/// The Linux distribution an image is built on, as far as its packages go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Debian,
    Alpine,
}

impl Packages {
    pub fn distro(&self, family: Family) -> &Distro {
        match family {
            Family::Debian => &self.debian,
            Family::Alpine => &self.alpine,
        }
    }
}

impl<T> PerDistro<T> {
    pub fn get(&self, family: Family) -> Option<&T> {
        match family {
            Family::Debian => self.debian.as_ref(),
            Family::Alpine => self.alpine.as_ref(),
        }
    }
}

impl Distro {
    /// Whether a package is a compiler, header or tool only builds use.
    pub fn build_only(&self, package: &str) -> bool {
        self.build_only.iter().any(|p| match p.strip_suffix('*') {
            Some(prefix) => package.starts_with(prefix),
            None => p == package,
        })
    }
}

/// The built-in package table, read once.
pub fn packages() -> Result<&'static Packages, String> {
    static BUILTIN: std::sync::OnceLock<Result<Packages, String>> = std::sync::OnceLock::new();
    BUILTIN
        .get_or_init(|| serde_saphyr::from_str(PACKAGES).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(Clone::clone)
}

/// The newest Debian suite the toolchain images are built on.
const NEWEST_SUITE: &str = "trixie";

/// The built-in table, read once.
fn builtin() -> Result<&'static [Entry], String> {
    static BUILTIN: std::sync::OnceLock<Result<Vec<Entry>, String>> = std::sync::OnceLock::new();
    BUILTIN
        .get_or_init(|| serde_saphyr::from_str(TABLE).map_err(|e| e.to_string()))
        .as_deref()
        .map_err(Clone::clone)
}

/// The built-in table, after any entries from the transform's options.
pub fn table(options: Option<&serde_json::Value>) -> Result<Cow<'static, [Entry]>, String> {
    let builtin = builtin()?;
    match options.and_then(|o| o.get("runtimes")) {
        Some(v) => {
            let mut out: Vec<Entry> = serde_json::from_value(v.clone())
                .map_err(|e| format!("bad runtimes option: {e}"))?;
            out.extend_from_slice(builtin);
            Ok(Cow::Owned(out))
        }
        None => Ok(Cow::Borrowed(builtin)),
    }
}

/// An image reference split into name and tag.
pub struct Image<'a> {
    pub name: &'a str,
    pub tag: &'a str,
}

pub fn parse_image(image: &str) -> Image<'_> {
    let image = image.split('@').next().unwrap_or(image);
    let (name, tag) = match image.rsplit_once(':') {
        Some((n, t)) if !t.contains('/') => (n, t),
        _ => (image, "latest"),
    };
    let name = name.strip_prefix("docker.io/").unwrap_or(name);
    let name = name.strip_prefix("library/").unwrap_or(name);
    Image { name, tag }
}

impl Entry {
    pub fn matches(&self, image: &Image<'_>) -> bool {
        self.toolchain.iter().any(|t| t == image.name)
    }

    /// The runtime image for a toolchain tag, or `None` when the tag has no
    /// version to carry over (`latest`, `alpine`).
    pub fn runtime_for(&self, tag: &str, static_binary: bool) -> Option<String> {
        if let Some(alias) = self.aliases.get(tag) {
            return Some(alias.clone());
        }
        let version: String = tag.split('-').next()?.to_string();
        if !version.starts_with(|c: char| c.is_ascii_digit()) || tag.contains("windows") {
            return None;
        }
        let alpine = if let Some(at) = tag.find("alpine") {
            if static_binary {
                return self.static_runtime.clone();
            }
            let v: String = tag[at + "alpine".len()..]
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            Some(if v.is_empty() { "3".to_string() } else { v })
        } else {
            None
        };
        let named = ["trixie", "bookworm", "bullseye", "buster"]
            .into_iter()
            .find(|s| tag.contains(s));
        // A tag without a suite may be built on any of them; glibc runs
        // programs built against older versions, so the newest is safe.
        let suite = named.unwrap_or(NEWEST_SUITE);
        let pattern = if alpine.is_some() {
            self.alpine_runtime.as_ref()?
        } else if static_binary {
            self.static_runtime.as_ref().unwrap_or(&self.runtime)
        } else {
            match (&self.suite_runtime, named) {
                (Some(p), Some(_)) => p,
                _ => &self.runtime,
            }
        };
        let mut out = pattern
            .replace("{version}", &version)
            .replace("{suite}", suite)
            .replace("{alpine}", alpine.as_deref().unwrap_or("3"));
        if out.contains("{java}") {
            out = out.replace("{java}", &java_major(tag)?);
        }
        Some(out)
    }
}

/// The Java major version a tag names: `21-jdk`, `3.9-eclipse-temurin-21`,
/// `8-jdk17`, `8.7-jdk21-jammy`.
fn java_major(tag: &str) -> Option<String> {
    let digits = |s: &str| {
        s.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
    };
    for marker in ["temurin-", "jdk", "openjdk-", "java"] {
        if let Some(at) = tag.find(marker) {
            let d = digits(&tag[at + marker.len()..]);
            if !d.is_empty() {
                return Some(d);
            }
        }
    }
    let first = digits(tag);
    (tag.contains("jdk") || tag[first.len()..].is_empty() || tag[first.len()..].starts_with('-'))
        .then_some(first)
        .filter(|d| !d.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The runtime the built-in table gives an image.
    fn runtime(image: &str, static_binary: bool) -> Option<String> {
        let t = table(None).unwrap();
        let image = parse_image(image);
        let entry = t.iter().find(|r| r.matches(&image)).unwrap();
        entry.runtime_for(image.tag, static_binary)
    }

    #[test]
    fn table_reads_and_resolves() {
        let cases = [
            ("node:18", false, Some("node:18-slim")),
            ("node:20-bookworm", false, Some("node:20-bookworm-slim")),
            ("node:lts", false, Some("node:lts-slim")),
            ("node:latest", false, Some("node:slim")),
            ("node:current-bookworm", false, None),
            ("node:18-alpine", false, None),
            (
                "golang:1.24-alpine",
                true,
                Some("gcr.io/distroless/static-debian12"),
            ),
            ("golang:1.24-alpine3.21", false, Some("alpine:3.21")),
            ("golang:1.24-alpine", false, Some("alpine:3")),
            (
                "gradle:8.7-jdk17-alpine",
                false,
                Some("eclipse-temurin:17-jre-alpine"),
            ),
            (
                "docker.io/library/golang:1.19",
                false,
                Some("debian:trixie-slim"),
            ),
            ("golang:1.21-bullseye", false, Some("debian:bullseye-slim")),
            (
                "golang:1.19",
                true,
                Some("gcr.io/distroless/static-debian12"),
            ),
        ];
        for (image, static_binary, want) in cases {
            assert_eq!(runtime(image, static_binary).as_deref(), want, "{image}");
        }
    }

    #[test]
    fn package_table_reads() {
        let p = packages().unwrap();
        assert_eq!(p.debian.dev["libpq-dev"], ["libpq5"]);
        assert_eq!(p.alpine.dev["postgresql-dev"], ["libpq"]);
        assert!(p.debian.build_only("gcc-12"));
        assert!(p.debian.build_only("build-essential"));
        assert!(!p.debian.build_only("libpq5"));
        assert_eq!(
            p.python["psycopg2"].get(Family::Debian).unwrap(),
            &["libpq5"]
        );
        assert_eq!(p.programs["git"].get(Family::Alpine).unwrap(), "git");
        assert!(p.programs["gosu"].get(Family::Alpine).is_none());
    }

    #[test]
    fn java_versions() {
        assert_eq!(java_major("21-jdk").as_deref(), Some("21"));
        assert_eq!(java_major("3.9-eclipse-temurin-21").as_deref(), Some("21"));
        assert_eq!(java_major("8-jdk17").as_deref(), Some("17"));
        assert_eq!(java_major("8.7-jdk21-jammy").as_deref(), Some("21"));
        assert_eq!(
            runtime("maven:3.9-eclipse-temurin-21", false).as_deref(),
            Some("eclipse-temurin:21-jre")
        );
        assert_eq!(
            runtime("mcr.microsoft.com/dotnet/sdk:8.0", false).as_deref(),
            Some("mcr.microsoft.com/dotnet/aspnet:8.0")
        );
    }

    #[test]
    fn options_extend_the_table() {
        let opts = serde_json::json!({"runtimes": [{"ecosystem": "node", "toolchain": ["corp/node"], "runtime": "corp/node:{version}-min"}]});
        let t = table(Some(&opts)).unwrap();
        let r = t
            .iter()
            .find(|r| r.matches(&parse_image("corp/node:20")))
            .unwrap();
        assert_eq!(
            r.runtime_for("20", false).as_deref(),
            Some("corp/node:20-min")
        );
        assert!(table(Some(&serde_json::json!({"runtimes": [{"bogus": 1}]}))).is_err());
    }
}
