//! `.dockopt.yaml`: which transforms run, where, and with what options.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::dockerignore::Pattern;
use crate::select::Selection;

/// The configuration file's name; it is looked up from each Dockerfile's
/// directory upward.
pub const FILE_NAME: &str = ".dockopt.yaml";

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Transforms to run, by code or name; `ALL` for all. Default: all.
    pub select: Option<Vec<String>>,
    /// Transforms not to run.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Also apply unsafe fixes.
    #[serde(rename = "unsafe")]
    pub unsafe_fixes: Option<bool>,
    /// Globs (relative to this file) of Dockerfiles to skip.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Settings for matching paths, applied in order after the top level.
    #[serde(default)]
    pub per_path: Vec<PerPath>,
    /// Options for single transforms, keyed by transform name.
    #[serde(default)]
    pub options: BTreeMap<String, serde_json::Value>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PerPath {
    /// A glob relative to the configuration file, `**` allowed.
    pub path: String,
    pub select: Option<Vec<String>>,
    #[serde(default)]
    pub ignore: Vec<String>,
    #[serde(rename = "unsafe")]
    pub unsafe_fixes: Option<bool>,
    #[serde(default)]
    pub options: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Config {
    /// Parses the file. Unknown keys are errors, shown with a snippet.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        let cfg: Self = serde_saphyr::from_str(text).map_err(|e| ConfigError(e.to_string()))?;
        for p in cfg
            .exclude
            .iter()
            .chain(cfg.per_path.iter().map(|p| &p.path))
        {
            Pattern::new(p).map_err(|e| ConfigError(format!("bad glob {p:?}: {e}")))?;
        }
        Ok(cfg)
    }

    /// Settings for a Dockerfile at `rel` (relative to the config file).
    pub fn settings_for(&self, rel: &str) -> Settings {
        let mut s = Settings {
            selection: Selection {
                select: self.select.clone(),
                ignore: self.ignore.clone(),
            },
            unsafe_fixes: self.unsafe_fixes.unwrap_or(false),
            options: self.options.clone(),
            target: None,
        };
        for pp in &self.per_path {
            let hit = Pattern::new(&pp.path)
                .ok()
                .flatten()
                .is_some_and(|p| p.matches_or_parent(rel));
            if !hit {
                continue;
            }
            if let Some(sel) = &pp.select {
                s.selection.select = Some(sel.clone());
            }
            s.selection.ignore.extend(pp.ignore.iter().cloned());
            if let Some(u) = pp.unsafe_fixes {
                s.unsafe_fixes = u;
            }
            s.options.extend(pp.options.clone());
        }
        s
    }

    pub fn is_excluded(&self, rel: &str) -> bool {
        self.exclude
            .iter()
            .filter_map(|p| Pattern::new(p).ok().flatten())
            .any(|p| p.matches_or_parent(rel))
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

    #[test]
    fn parses_and_resolves_per_path() {
        let cfg = Config::parse(
            "select: [ALL]\nignore: [merge-runs]\nunsafe: false\nper-path:\n  - path: legacy/**\n    ignore: [apt]\n    unsafe: true\noptions:\n  apt:\n    keep-lists: true\n",
        )
        .unwrap();
        let s = cfg.settings_for("legacy/app/Dockerfile");
        assert!(s.unsafe_fixes);
        assert_eq!(s.selection.ignore, ["merge-runs", "apt"]);
        assert!(!cfg.settings_for("app/Dockerfile").unsafe_fixes);
        assert_eq!(s.options["apt"]["keep-lists"], serde_json::json!(true));
    }

    #[test]
    fn unknown_keys_are_errors_with_a_snippet() {
        let err = Config::parse("selct: [a]\n").unwrap_err().to_string();
        assert!(err.contains("selct"), "{err}");
    }
}
