//! Image references: how Docker reads and normalizes them, and where a
//! Dockerfile names one (`FROM`, `COPY --from`, `RUN --mount=from=`).

use std::collections::HashMap;

use dockopt_syntax::{Instruction, SyntaxTree, TextRange};

/// Docker Hub's canonical domain; `index.docker.io` and
/// `registry-1.docker.io` are aliases of it.
pub const DOCKER_HUB: &str = "docker.io";

/// A parsed image reference, normalized as docker normalizes it:
/// `python:3.12` is `docker.io/library/python:3.12`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ImageRef {
    /// Registry host, with port if any; `docker.io` for Docker Hub.
    pub domain: String,
    /// Repository path on that registry, such as `library/python`.
    pub path: String,
    pub tag: Option<String>,
    /// `algorithm:hex`.
    pub digest: Option<String>,
}

impl ImageRef {
    /// Parses `[domain/]path[:tag][@digest]`.
    pub fn parse(s: &str) -> Result<Self, String> {
        if s.is_empty() {
            return Err("empty image reference".into());
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => {
                check_digest(d)?;
                (r, Some(d.to_string()))
            }
            None => (s, None),
        };
        // A tag is after the last `:` that follows the last `/`.
        let slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[slash..].rfind(':') {
            Some(i) => (&rest[..slash + i], Some(&rest[slash + i + 1..])),
            None => (rest, None),
        };
        if let Some(t) = tag {
            let ok = !t.is_empty()
                && t.len() <= 128
                && t.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
                && !t.starts_with(['.', '-']);
            if !ok {
                return Err(format!("invalid tag {t:?}"));
            }
        }
        let (domain, path) = match name.split_once('/') {
            Some((first, path))
                if first.contains(['.', ':'])
                    || first == "localhost"
                    || first.chars().any(|c| c.is_ascii_uppercase()) =>
            {
                (first.to_string(), path.to_string())
            }
            _ => (DOCKER_HUB.to_string(), name.to_string()),
        };
        let domain = match domain.as_str() {
            "index.docker.io" | "registry-1.docker.io" => DOCKER_HUB.to_string(),
            _ => domain,
        };
        let path = if domain == DOCKER_HUB && !path.contains('/') {
            format!("library/{path}")
        } else {
            path
        };
        let path_ok = !path.is_empty()
            && path.split('/').all(|c| {
                !c.is_empty()
                    && c.chars().all(|ch| {
                        ch.is_ascii_lowercase()
                            || ch.is_ascii_digit()
                            || matches!(ch, '.' | '_' | '-')
                    })
                    && c.starts_with(|ch: char| ch.is_ascii_alphanumeric())
                    && c.ends_with(|ch: char| ch.is_ascii_alphanumeric())
            });
        if !path_ok {
            return Err(format!("invalid repository name {name:?}"));
        }
        Ok(Self {
            domain,
            path,
            tag: tag.map(str::to_string),
            digest,
        })
    }

    /// `domain/path`.
    pub fn repository(&self) -> String {
        format!("{}/{}", self.domain, self.path)
    }

    /// The tag, `latest` when none is written.
    pub fn tag_or_latest(&self) -> &str {
        self.tag.as_deref().unwrap_or("latest")
    }

    /// The short form docker prints: `python:3.12`, `ghcr.io/o/app:1`.
    pub fn familiar(&self) -> String {
        let name = if self.domain == DOCKER_HUB {
            self.path
                .strip_prefix("library/")
                .unwrap_or(&self.path)
                .to_string()
        } else {
            self.repository()
        };
        format!("{name}:{}", self.tag_or_latest())
    }
}

fn check_digest(d: &str) -> Result<(), String> {
    let (alg, hex) = d
        .split_once(':')
        .ok_or_else(|| format!("invalid digest {d:?}"))?;
    let len = match alg {
        "sha256" => 64,
        "sha512" => 128,
        _ => return Err(format!("unsupported digest algorithm {alg:?}")),
    };
    if hex.len() != len || !hex.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')) {
        return Err(format!("invalid digest {d:?}"));
    }
    Ok(())
}

/// Whether a host is on the loopback interface, where docker allows plain
/// HTTP without being told.
pub fn is_loopback(domain: &str) -> bool {
    let host = match domain.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(v6),
        None => domain.rsplit_once(':').map_or(domain, |(h, _)| h),
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Which instruction names an image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SiteKind {
    From,
    CopyFrom,
    MountFrom,
    /// The default of an `ARG` whose value is a whole `FROM` reference.
    ArgDefault,
}

/// What a site names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Image(ImageRef),
    /// An earlier build stage, or a stage index.
    Stage,
    /// `scratch`: no image at all.
    Scratch,
    /// A reference dockopt cannot pin, and why.
    Unresolved(String),
}

/// One place where a Dockerfile names an image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    pub kind: SiteKind,
    /// The reference as written.
    pub written: String,
    /// Where `written` is in the source: the bytes a pin edits.
    pub range: TextRange,
    pub target: Target,
    /// The range of the whole instruction, for messages and suppressions.
    pub instruction: TextRange,
    /// A `FROM`'s `--platform`, when written out (no variables).
    pub platform: Option<String>,
}

/// Whether an index's platform (`os/arch[/variant]`) serves a requested one;
/// a request without a variant takes any, and `arm64` means `arm64/v8`.
pub fn platform_matches(requested: &str, available: &str) -> bool {
    let split = |p: &str| {
        let mut it = p.split('/');
        let os = it.next().unwrap_or("").to_string();
        let arch = it.next().unwrap_or("").to_string();
        let variant = it.next().map(str::to_string);
        let variant = match (arch.as_str(), variant) {
            ("arm64", None) => Some("v8".to_string()),
            (_, v) => v,
        };
        (os, arch, variant)
    };
    let (ro, ra, rv) = split(requested);
    let (ao, aa, av) = split(available);
    ro == ao && ra == aa && (rv.is_none() || rv == av || requested.split('/').count() == 2)
}

impl Site {
    /// The edit that pins this site to `digest`: inserted after the tag, or
    /// replacing the digest already there. A reference with no tag gets
    /// `:latest` so the lock and the reader see which tag it was.
    pub fn pin_edit(&self, digest: &str) -> (TextRange, String) {
        let Target::Image(img) = &self.target else {
            return (TextRange::empty(self.range.end), String::new());
        };
        match self.written.find('@') {
            Some(at) => (
                TextRange::new(self.range.start + at as u32 + 1, self.range.end),
                digest.to_string(),
            ),
            None if img.tag.is_none() => (
                TextRange::empty(self.range.end),
                format!(":latest@{digest}"),
            ),
            None => (TextRange::empty(self.range.end), format!("@{digest}")),
        }
    }
}

/// Build arguments with defaults in scope: global ones for `FROM`, the
/// stage's own (and redeclared globals) for the stage's instructions.
#[derive(Clone, Debug, Default)]
struct Args {
    values: HashMap<String, Option<String>>,
    /// Where each default is written: (instruction, value range).
    defaults: HashMap<String, (TextRange, TextRange)>,
}

impl Args {
    fn declare(&mut self, inst: &Instruction<'_>, globals: Option<&Args>) {
        let args_src = inst.tree().text(inst.args_range());
        for word in inst.values() {
            let (name, value) = match word.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (
                    word.clone(),
                    globals.and_then(|g| g.values.get(word.as_str()).cloned().flatten()),
                ),
            };
            if let Some((n, v)) = word.split_once('=') {
                // The default's bytes, when written plainly (no quotes or
                // escapes), so that a pin can edit them.
                if let Some(at) = find_word(args_src, word.as_bytes()) {
                    let start = inst.args_range().start + at as u32 + n.len() as u32 + 1;
                    let range = TextRange::new(start, start + v.len() as u32);
                    self.defaults.insert(n.to_string(), (inst.range(), range));
                }
            }
            self.values.insert(name, value);
        }
    }

    /// Expands `$NAME` and `${NAME}` (plain forms only); `Err` names the
    /// first variable with no known value, or a form not handled.
    fn expand(&self, s: &str) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find('$') {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            let (name, len) = if let Some(inner) = after.strip_prefix('{') {
                let end = inner.find('}').ok_or_else(|| s.to_string())?;
                (&inner[..end], end + 2)
            } else {
                let end = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                (&after[..end], end)
            };
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!("${{{name}}}"));
            }
            match self.values.get(name) {
                Some(Some(v)) => out.push_str(v),
                _ => return Err(format!("${{{name}}}")),
            }
            rest = &after[len..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// The offset of `word` in `hay` where it stands alone (blank or edge on
/// both sides).
fn find_word(hay: &[u8], word: &[u8]) -> Option<usize> {
    if word.is_empty() || word.len() > hay.len() {
        return None;
    }
    (0..=hay.len() - word.len()).find(|&i| {
        hay[i..].starts_with(word)
            && (i == 0 || hay[i - 1].is_ascii_whitespace())
            && hay.get(i + word.len()).is_none_or(u8::is_ascii_whitespace)
    })
}

/// How often `$NAME` or `${NAME...}` appears in the file's instructions.
fn uses_of(tree: &SyntaxTree, name: &str) -> usize {
    let plain = format!("${name}");
    let braced = format!("${{{name}");
    tree.instructions()
        .map(|i| {
            let line = i.line();
            let mut n = 0;
            for (at, _) in line.match_indices(&plain) {
                let next = line[at + plain.len()..].chars().next();
                if !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                    n += 1;
                }
            }
            for (at, _) in line.match_indices(&braced) {
                let next = line[at + braced.len()..].chars().next();
                if matches!(next, Some('}' | ':')) {
                    n += 1;
                }
            }
            n
        })
        .sum()
}

/// `$NAME` or `${NAME}` alone.
fn whole_variable(s: &str) -> Option<&str> {
    let name = s
        .strip_prefix("${")
        .and_then(|r| r.strip_suffix('}'))
        .or_else(|| s.strip_prefix('$'))?;
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(name)
}

struct Walker<'t> {
    tree: &'t SyntaxTree,
    stages: Vec<String>,
    globals: Args,
    out: Vec<Site>,
}

impl Walker<'_> {
    fn is_stage(&self, s: &str) -> bool {
        let l = s.to_ascii_lowercase();
        self.stages.contains(&l) || s.parse::<usize>().is_ok()
    }

    /// Adds a site for `written` at joined-line range `joined` of `inst`.
    fn add(
        &mut self,
        kind: SiteKind,
        inst: &Instruction<'_>,
        written: &str,
        range: TextRange,
        args: &Args,
        stage_ok: bool,
    ) {
        let platform = inst
            .flag("platform")
            .and_then(|f| f.value)
            .filter(|p| !p.contains('$') && inst.is("from"));
        let site = |target, written: &str, range, kind| Site {
            kind,
            written: written.to_string(),
            range,
            target,
            instruction: inst.range(),
            platform: platform.clone(),
        };
        if written.eq_ignore_ascii_case("scratch") {
            self.out.push(site(Target::Scratch, written, range, kind));
            return;
        }
        if stage_ok && self.is_stage(written) {
            self.out.push(site(Target::Stage, written, range, kind));
            return;
        }
        if !written.contains('$') {
            let target = match ImageRef::parse(written) {
                Ok(r) => Target::Image(r),
                Err(e) => Target::Unresolved(e),
            };
            self.out.push(site(target, written, range, kind));
            return;
        }
        // A whole variable whose default is a plain reference used nowhere
        // else: pin the default.
        if let Some(name) = whole_variable(written) {
            let declared = args.defaults.get(name).copied();
            if let (Some((arg_inst, value_range)), Some(Some(value))) =
                (declared, args.values.get(name))
            {
                let value = value.clone();
                let target = if value.contains('$') {
                    Target::Unresolved(format!("the default of ARG {name} uses another variable"))
                } else if self.tree.text(value_range) != value.as_bytes()
                    || value.contains(['"', '\'', '\\'])
                {
                    Target::Unresolved(format!("the default of ARG {name} is quoted or escaped"))
                } else if self.is_stage(&value) || value.eq_ignore_ascii_case("scratch") {
                    Target::Stage
                } else if uses_of(self.tree, name) > self.whole_uses(name) {
                    Target::Unresolved(format!("ARG {name} is used for more than image references"))
                } else {
                    match ImageRef::parse(&value) {
                        Ok(r) => Target::Image(r),
                        Err(e) => Target::Unresolved(e),
                    }
                };
                if !self
                    .out
                    .iter()
                    .any(|s| s.kind == SiteKind::ArgDefault && s.range == value_range)
                {
                    self.out.push(Site {
                        kind: SiteKind::ArgDefault,
                        written: value,
                        range: value_range,
                        target,
                        instruction: arg_inst,
                        platform: None,
                    });
                }
                return;
            }
        }
        let why = match args.expand(written) {
            Ok(v) => format!(
                "{written} depends on build arguments (by default {v}); pin the argument's value where it is set"
            ),
            Err(var) => format!("{written} depends on {var}, which has no default"),
        };
        self.out
            .push(site(Target::Unresolved(why), written, range, kind));
    }

    /// Uses of `$name` that are a whole image reference.
    fn whole_uses(&self, name: &str) -> usize {
        let mut n = 0;
        for inst in self.tree.instructions() {
            for (written, _) in refs_of(&inst) {
                if whole_variable(&written) == Some(name) {
                    n += 1;
                }
            }
        }
        n
    }
}

/// The image-reference words of one instruction, with their joined-line
/// ranges: the FROM base, `--from=` of COPY/ADD, `from=` of `--mount`.
fn refs_of(inst: &Instruction<'_>) -> Vec<(String, TextRange)> {
    let mut out = Vec::new();
    let line = inst.data().line.as_bytes();
    if inst.is("from") {
        let args = inst.command().args;
        if let Some(first) = inst.values().first() {
            let start = args.start;
            out.push((
                first.clone(),
                TextRange::new(start, start + first.len() as u32),
            ));
        }
    } else if inst.is("copy") || inst.is("add") {
        for (flag, r) in inst.command().flags.iter().zip(&inst.command().flag_ranges) {
            if let Some(v) = flag.strip_prefix("--from=") {
                let start = r.start + "--from=".len() as u32;
                if line.get(start as usize..(start as usize + v.len())) == Some(v.as_bytes()) {
                    out.push((v.to_string(), TextRange::new(start, start + v.len() as u32)));
                }
            }
        }
    } else if inst.is("run") {
        for (flag, r) in inst.command().flags.iter().zip(&inst.command().flag_ranges) {
            let Some(v) = flag.strip_prefix("--mount=") else {
                continue;
            };
            let mut at = r.start as usize + "--mount=".len();
            for field in v.split(',') {
                if let Some(from) = field.strip_prefix("from=") {
                    let start = (at + "from=".len()) as u32;
                    if line.get(start as usize..start as usize + from.len())
                        == Some(from.as_bytes())
                    {
                        out.push((
                            from.to_string(),
                            TextRange::new(start, start + from.len() as u32),
                        ));
                    }
                }
                at += field.len() + 1;
            }
        }
    }
    out
}

/// Every place the file names an image, in source order.
pub fn sites(tree: &SyntaxTree) -> Vec<Site> {
    let stages: Vec<String> = tree
        .stages()
        .iter()
        .filter_map(dockopt_syntax::Stage::name)
        .collect();
    let mut w = Walker {
        tree,
        stages,
        globals: Args::default(),
        out: Vec::new(),
    };
    for inst in tree.global_instructions() {
        if inst.is("arg") {
            w.globals.declare(&inst, None);
        }
    }
    for stage in tree.stages() {
        let globals = w.globals.clone();
        let mut local = Args::default();
        // FROM sees only global arguments, and only earlier stages.
        for (written, joined) in refs_of(&stage.from) {
            let range = stage.from.source_range(joined);
            if tree.text(range) == written.as_bytes() {
                w.add(SiteKind::From, &stage.from, &written, range, &globals, true);
            }
        }
        for inst in &stage.instructions {
            if inst.is("arg") {
                local.declare(inst, Some(&globals));
                continue;
            }
            let kind = if inst.is("run") {
                SiteKind::MountFrom
            } else {
                SiteKind::CopyFrom
            };
            for (written, joined) in refs_of(inst) {
                let range = inst.source_range(joined);
                if tree.text(range) == written.as_bytes() {
                    w.add(kind, inst, &written, range, &local, true);
                }
            }
        }
    }
    w.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_docker() {
        let r = ImageRef::parse("python:3.12-slim").unwrap();
        assert_eq!(r.repository(), "docker.io/library/python");
        assert_eq!(r.familiar(), "python:3.12-slim");
        let r = ImageRef::parse("index.docker.io/bitnami/redis").unwrap();
        assert_eq!(r.repository(), "docker.io/bitnami/redis");
        assert_eq!(r.tag_or_latest(), "latest");
        let r = ImageRef::parse("localhost:5000/app:1@sha256:".to_string().as_str());
        assert!(r.is_err());
        let d = format!("sha256:{}", "a".repeat(64));
        let r = ImageRef::parse(&format!("127.0.0.1:5000/team/app:v1@{d}")).unwrap();
        assert_eq!(r.domain, "127.0.0.1:5000");
        assert_eq!(r.path, "team/app");
        assert_eq!(r.digest.as_deref(), Some(d.as_str()));
        assert!(ImageRef::parse("Python:3").is_err());
        assert!(
            is_loopback("127.0.0.1:5000") && is_loopback("localhost") && is_loopback("[::1]:80")
        );
        assert!(!is_loopback("registry.example.com:5000"));
    }

    fn kinds(src: &str) -> Vec<(SiteKind, String, String)> {
        let tree = dockopt_syntax::parse(src);
        sites(&tree)
            .into_iter()
            .map(|s| {
                let t = match &s.target {
                    Target::Image(r) => r.familiar(),
                    Target::Stage => "stage".into(),
                    Target::Scratch => "scratch".into(),
                    Target::Unresolved(w) => format!("?{w}"),
                };
                assert_eq!(tree.text(s.range), s.written.as_bytes());
                (s.kind, s.written, t)
            })
            .collect()
    }

    #[test]
    fn finds_every_image_and_skips_stages() {
        let got = kinds(
            "# syntax=docker/dockerfile:1\nARG BASE=debian:12\nARG PY=3.12\nFROM --platform=$BUILDPLATFORM golang:1.22 AS Build\nRUN --mount=type=bind,from=alpine:3,target=/a \\\n    --mount=type=cache,target=/c true\nFROM ${BASE}\nCOPY --from=build /a /a\nCOPY --from=nginx:1.27 /etc/nginx /etc/nginx\nCOPY --from=0 /b /b\nFROM python:${PY}-slim\nFROM scratch\n",
        );
        let want = [
            (SiteKind::From, "golang:1.22", "golang:1.22"),
            (SiteKind::MountFrom, "alpine:3", "alpine:3"),
            (SiteKind::ArgDefault, "debian:12", "debian:12"),
            (SiteKind::CopyFrom, "build", "stage"),
            (SiteKind::CopyFrom, "nginx:1.27", "nginx:1.27"),
            (SiteKind::CopyFrom, "0", "stage"),
        ];
        for (i, w) in want.iter().enumerate() {
            assert_eq!((got[i].0, got[i].1.as_str(), got[i].2.as_str()), *w);
        }
        assert!(
            got[6].2.starts_with(
                "?python:${PY}-slim depends on build arguments (by default python:3.12-slim)"
            ),
            "{:?}",
            got[6]
        );
        assert_eq!(got[7].2, "scratch");
        assert_eq!(got.len(), 8);
    }

    #[test]
    fn arg_defaults_used_elsewhere_are_not_pinned() {
        let got = kinds("ARG BASE=debian:12\nFROM $BASE\nARG BASE\nLABEL base=$BASE\n");
        assert!(
            got[0].2.contains("used for more than image references"),
            "{got:?}"
        );
        let got = kinds("ARG BASE\nFROM $BASE\n");
        assert!(got[0].2.contains("no default"), "{got:?}");
        let got = kinds("ARG BASE=\"debian:12\"\nFROM $BASE\n");
        assert!(got[0].2.contains("quoted or escaped"), "{got:?}");
    }

    #[test]
    fn platforms_match_like_docker() {
        assert!(platform_matches("linux/arm64", "linux/arm64/v8"));
        assert!(platform_matches("linux/arm64/v8", "linux/arm64"));
        assert!(platform_matches("linux/arm/v7", "linux/arm/v7"));
        assert!(!platform_matches("linux/arm/v6", "linux/arm/v7"));
        assert!(platform_matches("linux/arm", "linux/arm/v7"));
        assert!(!platform_matches("linux/s390x", "linux/amd64"));
        let tree = dockopt_syntax::parse(
            "FROM --platform=linux/arm64 a\nFROM --platform=$BUILDPLATFORM b\n",
        );
        let s = sites(&tree);
        assert_eq!(s[0].platform.as_deref(), Some("linux/arm64"));
        assert_eq!(s[1].platform, None);
    }

    #[test]
    fn pin_edits() {
        let d = format!("sha256:{}", "b".repeat(64));
        let tree = dockopt_syntax::parse(format!(
            "FROM python \\\n  AS x\nFROM node:20@sha256:{}\nFROM debian:12\n",
            "a".repeat(64)
        ));
        let s = sites(&tree);
        assert_eq!(s[0].pin_edit(&d).1, format!(":latest@{d}"));
        let (r, t) = s[1].pin_edit(&d);
        assert_eq!(t, d);
        assert_eq!(
            tree.text(r),
            format!("sha256:{}", "a".repeat(64)).as_bytes()
        );
        assert_eq!(s[2].pin_edit(&d).1, format!("@{d}"));
    }
}
