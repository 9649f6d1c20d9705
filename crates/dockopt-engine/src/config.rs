//! `.dockopt.yaml`: which transforms run, where, and with what options.
//!
//! Everything in the file is checked when it is loaded, with the line and
//! column of what is wrong: unknown keys, transforms that do not exist,
//! empty names, bad globs, and options their transform rejects. Globs
//! (`exclude`, `per-path`) are gitignore-style, like `--exclude`.

use std::collections::BTreeMap;
use std::fmt;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_saphyr::Spanned;

use crate::select::{self, Selection};
use crate::transform::Transform;

/// The configuration file's name; it is looked up from each Dockerfile's
/// directory upward.
pub const FILE_NAME: &str = ".dockopt.yaml";

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Transforms to run, by code, code prefix or name; `ALL` for all.
    /// Default: the default set.
    pub select: Option<Vec<Spanned<String>>>,
    /// Transforms not to run.
    #[serde(default)]
    pub ignore: Vec<Spanned<String>>,
    /// Also apply unsafe fixes.
    #[serde(rename = "unsafe")]
    pub unsafe_fixes: Option<bool>,
    /// Gitignore-style globs (relative to this file) of Dockerfiles to skip.
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    /// Settings for matching paths, applied in order after the top level.
    #[serde(default)]
    pub per_path: Vec<PerPath>,
    /// Options for single transforms, keyed by transform name.
    #[serde(default)]
    pub options: Options,
    #[serde(skip)]
    globs: Globs,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PerPath {
    /// A gitignore-style glob relative to the configuration file.
    pub path: Spanned<String>,
    pub select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub ignore: Vec<Spanned<String>>,
    #[serde(rename = "unsafe")]
    pub unsafe_fixes: Option<bool>,
    #[serde(default)]
    pub options: Options,
}

/// Transform options in file order, each key and value with its place.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Options(pub Vec<(Spanned<String>, Spanned<serde_json::Value>)>);

impl<'de> Deserialize<'de> for Options {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Options;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping from transform names to their options")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Options, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = map.next_key::<Spanned<String>>()? {
                    out.push((k, map.next_value()?));
                }
                Ok(Options(out))
            }
        }
        d.deserialize_map(V)
    }
}

impl Options {
    fn to_map(&self) -> BTreeMap<String, serde_json::Value> {
        self.0
            .iter()
            .map(|(k, v)| (k.value.clone(), v.value.clone()))
            .collect()
    }
}

/// The compiled globs: `exclude`, then each `per-path` entry's.
#[derive(Clone, Debug, Default)]
struct Globs {
    exclude: Option<Gitignore>,
    per_path: Vec<Option<Gitignore>>,
}

impl PartialEq for Globs {
    /// Compiled from the fields that are compared.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// What is wrong with a configuration, and where (1-based).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub message: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
}

impl ConfigError {
    fn at<T>(s: &Spanned<T>, message: impl Into<String>) -> Self {
        let loc = s.referenced;
        let known = loc.line() > 0;
        Self {
            message: message.into(),
            line: known.then(|| loc.line()),
            column: known.then(|| loc.column()),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{l}:{c}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

/// Compiles gitignore-style globs relative to `root`, the one dialect of
/// `--exclude`, `exclude` and `per-path`. A malformed glob, an unclosed `[`
/// included, is an error: the index of the glob, and why.
pub fn gitignore<'a>(
    root: &std::path::Path,
    globs: impl IntoIterator<Item = &'a str>,
) -> Result<Gitignore, (usize, String)> {
    let mut b = GitignoreBuilder::new(root);
    b.allow_unclosed_class(false);
    for (i, g) in globs.into_iter().enumerate() {
        let text = g.trim();
        if text.is_empty() {
            return Err((i, "an empty glob".into()));
        }
        b.add_line(None, text)
            .map_err(|e| (i, format!("bad glob {g:?}: {e}")))?;
    }
    b.build().map_err(|e| (0, format!("bad glob: {e}")))
}

/// Whether `rel` (relative to the matcher's root) or a directory above it
/// is excluded, the way `exclude` and `--exclude` both decide.
pub fn excluded(g: &Gitignore, rel: &std::path::Path) -> bool {
    g.matched_path_or_any_parents(rel, false).is_ignore()
}

fn compile(globs: &[&Spanned<String>]) -> Result<Option<Gitignore>, ConfigError> {
    if globs.is_empty() {
        return Ok(None);
    }
    gitignore(
        std::path::Path::new(""),
        globs.iter().map(|g| g.value.as_str()),
    )
    .map(Some)
    .map_err(|(i, why)| ConfigError::at(globs[i], why))
}

/// The parser's message without the place it already gives
/// (`error: line 1 column 1: `), which the caller prints its own way.
fn bare_message(rendered: &str) -> String {
    let m = rendered.strip_prefix("error: ").unwrap_or(rendered);
    let place = m.strip_prefix("line ").and_then(|rest| {
        let (_, rest) = rest.split_once(" column ")?;
        let (col, rest) = rest.split_once(": ")?;
        col.bytes().all(|b| b.is_ascii_digit()).then_some(rest)
    });
    let m = place.unwrap_or(m).trim_end();
    // ... and the place it may give again at the end.
    let tail = m.rsplit_once(" at line ").filter(|(_, t)| {
        t.split_once(", column ")
            .is_some_and(|(l, c)| [l, c].iter().all(|n| n.bytes().all(|b| b.is_ascii_digit())))
    });
    tail.map_or(m, |(head, _)| head).to_string()
}

fn matches(g: Option<&Gitignore>, rel: &str) -> bool {
    !rel.is_empty() && g.is_some_and(|g| excluded(g, std::path::Path::new(rel)))
}

impl Config {
    /// Parses the file's syntax; see [`Config::load`] for the full check.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        serde_saphyr::from_str(text).map_err(|e| {
            let loc = e.location();
            ConfigError {
                message: bare_message(&e.without_snippet().to_string()),
                line: loc.map(|l| l.line()).filter(|&l| l > 0),
                column: loc.map(|l| l.column()).filter(|&c| c > 0),
            }
        })
    }

    /// Parses and checks a configuration against the transforms there are.
    /// Option keys are rewritten to the transform's name.
    pub fn load(text: &str, all: &[&dyn Transform]) -> Result<Self, Vec<ConfigError>> {
        let mut cfg = Self::parse(text).map_err(|e| vec![e])?;
        let errors = cfg.check(all);
        if errors.is_empty() {
            Ok(cfg)
        } else {
            Err(errors)
        }
    }

    fn check(&mut self, all: &[&dyn Transform]) -> Vec<ConfigError> {
        let mut errors = Vec::new();
        let keys = self.select.iter().flatten().chain(&self.ignore).chain(
            self.per_path
                .iter()
                .flat_map(|p| p.select.iter().flatten().chain(&p.ignore)),
        );
        for k in keys {
            if let Err(why) = select::check_key(&k.value, all) {
                errors.push(ConfigError::at(k, why));
            }
        }
        check_options(&mut self.options, all, &mut errors);
        for p in &mut self.per_path {
            check_options(&mut p.options, all, &mut errors);
        }
        match compile(&self.exclude.iter().collect::<Vec<_>>()) {
            Ok(g) => self.globs.exclude = g,
            Err(e) => errors.push(e),
        }
        self.globs.per_path.clear();
        for p in &self.per_path {
            match compile(&[&p.path]) {
                Ok(g) => self.globs.per_path.push(g),
                Err(e) => {
                    errors.push(e);
                    self.globs.per_path.push(None);
                }
            }
        }
        errors
    }

    /// Settings for a Dockerfile at `rel` (relative to the config file).
    pub fn settings_for(&self, rel: &str) -> Settings {
        let names = |v: &[Spanned<String>]| v.iter().map(|s| s.value.clone()).collect::<Vec<_>>();
        let mut s = Settings {
            selection: Selection {
                select: self.select.as_deref().map(names),
                ignore: names(&self.ignore),
            },
            unsafe_fixes: self.unsafe_fixes.unwrap_or(false),
            options: self.options.to_map(),
            target: None,
        };
        for (i, pp) in self.per_path.iter().enumerate() {
            if !matches(self.globs.per_path.get(i).and_then(Option::as_ref), rel) {
                continue;
            }
            if let Some(sel) = &pp.select {
                s.selection.select = Some(names(sel));
            }
            s.selection.ignore.extend(names(&pp.ignore));
            if let Some(u) = pp.unsafe_fixes {
                s.unsafe_fixes = u;
            }
            s.options.extend(pp.options.to_map());
        }
        s
    }

    /// Whether `exclude` names the Dockerfile at `rel` or a directory
    /// above it.
    pub fn is_excluded(&self, rel: &str) -> bool {
        matches(self.globs.exclude.as_ref(), rel)
    }
}

/// Option keys must name a transform, which must accept the value. Keys are
/// rewritten to the transform's name, so `DKR014` or `Multi-Stage-Split`
/// work too.
fn check_options(opts: &mut Options, all: &[&dyn Transform], errors: &mut Vec<ConfigError>) {
    for (k, v) in &mut opts.0 {
        match select::find(&k.value, all) {
            None => errors.push(ConfigError::at(
                k,
                format!(
                    "options for unknown transform {:?} (see `dockopt rule`)",
                    k.value
                ),
            )),
            Some(t) => {
                k.value = t.name().to_string();
                if let Err(why) = t.check_options(&v.value) {
                    errors.push(ConfigError::at(
                        v,
                        format!("options of {}: {why}", t.name()),
                    ));
                }
            }
        }
    }
}

/// Everything that decides what the pipeline does to one file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    pub selection: Selection,
    pub unsafe_fixes: bool,
    pub options: BTreeMap<String, serde_json::Value>,
    /// The stage to build (`--target`); the last stage when `None`.
    pub target: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Finding;
    use crate::transform::{Cx, Fixes, Gain, Rule};

    static APT: Rule = Rule {
        code: "DKR002",
        name: "apt",
        summary: "",
        docs: "",
        fixes: Fixes::Safe,
        gain: Gain::Size,
    };
    static MERGE: Rule = Rule {
        code: "DKR001",
        name: "merge-runs",
        summary: "",
        docs: "",
        fixes: Fixes::Safe,
        gain: Gain::Size,
    };

    struct Fake(&'static Rule);

    impl Transform for Fake {
        fn rule(&self) -> &'static Rule {
            self.0
        }

        fn check(&self, _: &Cx<'_>, _: &mut Vec<Finding>) {}

        fn check_options(&self, options: &serde_json::Value) -> Result<(), String> {
            match options.get("keep-lists") {
                Some(serde_json::Value::Bool(_)) | None => Ok(()),
                Some(_) => Err("keep-lists is true or false".into()),
            }
        }
    }

    const ALL: &[&dyn Transform] = &[&Fake(&MERGE), &Fake(&APT)];

    #[test]
    fn parses_and_resolves_per_path() {
        let cfg = Config::load(
            "select: [ALL]\nignore: [merge-runs]\nunsafe: false\nper-path:\n  - path: legacy/**\n    ignore: [apt]\n    unsafe: true\noptions:\n  apt:\n    keep-lists: true\n",
            ALL,
        )
        .unwrap();
        let s = cfg.settings_for("legacy/app/Dockerfile");
        assert!(s.unsafe_fixes);
        assert_eq!(s.selection.ignore, ["merge-runs", "apt"]);
        assert!(!cfg.settings_for("app/Dockerfile").unsafe_fixes);
        assert_eq!(s.options["apt"]["keep-lists"], serde_json::json!(true));
    }

    #[test]
    fn unknown_keys_are_errors_with_a_place() {
        let err = Config::parse("select: [apt]\nselct: [a]\n").unwrap_err();
        assert!(err.message.starts_with("unknown field `selct`"), "{err}");
        assert!(!err.message.contains("<input>"), "{err}");
        assert_eq!(err.line, Some(2), "{err}");
    }

    #[test]
    fn unknown_transforms_anywhere_are_errors_at_their_place() {
        let errs = Config::load(
            "select: [apt, nope]\nignore: ['']\nper-path:\n  - path: a/**\n    ignore: [DKR9]\noptions:\n  aptt: {}\n  apt:\n    keep-lists: 3\n",
            ALL,
        )
        .unwrap_err();
        let got: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "1:15: unknown transform \"nope\" (see `dockopt rule`)",
                "2:10: an empty transform name",
                "5:14: unknown transform \"DKR9\" (see `dockopt rule`)",
                "7:3: options for unknown transform \"aptt\" (see `dockopt rule`)",
                "9:5: options of apt: keep-lists is true or false",
            ]
        );
    }

    #[test]
    fn option_keys_take_codes_and_any_case() {
        let cfg = Config::load("options:\n  DKR002:\n    keep-lists: true\n", ALL).unwrap();
        assert!(cfg.settings_for("Dockerfile").options.contains_key("apt"));
    }

    #[test]
    fn globs_are_gitignore_style() {
        let cfg = Config::load(
            "exclude: [vendor/, '*.legacy', '!keep.legacy']\nper-path:\n  - path: Dockerfile.dev\n    unsafe: true\n",
            ALL,
        )
        .unwrap();
        assert!(cfg.is_excluded("vendor/x/Dockerfile"));
        assert!(cfg.is_excluded("a/b/Dockerfile.legacy"));
        assert!(!cfg.is_excluded("keep.legacy"));
        assert!(!cfg.is_excluded("app/Dockerfile"));
        // A glob without a slash matches at any depth.
        assert!(cfg.settings_for("svc/Dockerfile.dev").unsafe_fixes);
        assert!(!cfg.settings_for("svc/Dockerfile").unsafe_fixes);
    }
}
