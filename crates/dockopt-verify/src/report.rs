//! The result of one verification, as the JSON output gives it (see
//! `docs/cli.md`; `version` changes when a field changes meaning or goes).

use serde::Serialize;

use crate::compare::FileDiffs;
use crate::config::ConfigChange;

/// The JSON format's version.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Both build, probes agree, and every difference is one the applied
    /// fixes announce.
    Equivalent,
    /// Both build, but something else differs; `differences` names it.
    Different,
    /// The original or the rewrite does not build.
    Failed,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Equivalent => "equivalent",
            Self::Different => "different",
            Self::Failed => "failed",
        }
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct BuilderInfo {
    pub name: String,
    pub program: String,
    pub version: String,
    /// Why this builder, and why the ones before it were skipped.
    pub chosen_because: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Applied {
    pub code: String,
    pub name: String,
    pub safe: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct LayerReport {
    pub size_bytes: u64,
    /// The instruction that made the layer, when the image's history says.
    pub created_by: Option<String>,
    /// Also a layer of the other image, at the same place from the bottom.
    pub shared: bool,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Build {
    pub built: bool,
    pub size_bytes: Option<u64>,
    pub layers: Option<usize>,
    pub layer_sizes: Vec<LayerReport>,
    pub build_seconds: Option<f64>,
    pub rebuild_seconds: Option<f64>,
    /// When the build failed: the step that failed, as the builder names it.
    pub failed_step: Option<String>,
    /// When the build failed: the last lines of its log.
    pub log_tail: Vec<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ProbeRun {
    pub status: Option<i32>,
    pub output: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Probe {
    pub command: String,
    pub original: ProbeRun,
    pub rewritten: ProbeRun,
    pub same: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Trial {
    /// The rule left out of the fix.
    pub without: String,
    pub verdict: Verdict,
    /// The differences that remain without it.
    pub differences: Vec<String>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Bisect {
    /// The fixes whose removal alone makes the rewrite build and agree.
    pub responsible: Vec<String>,
    pub trials: Vec<Trial>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub version: u32,
    pub dockerfile: String,
    pub builder: BuilderInfo,
    /// Whether the rewrite differs from the original text at all.
    pub changed: bool,
    pub applied: Vec<Applied>,
    pub verdict: Verdict,
    /// Each difference that decided the verdict, in words.
    pub differences: Vec<String>,
    pub original: Build,
    pub rewritten: Build,
    pub config_changes: Vec<ConfigChange>,
    pub files: FileDiffs,
    pub probes: Vec<Probe>,
    /// The context file a line was appended to for the rebuild times.
    pub rebuild_touched: Option<String>,
    pub bisect: Option<Bisect>,
}

impl Report {
    pub fn new(dockerfile: String, builder: BuilderInfo) -> Self {
        Self {
            version: FORMAT_VERSION,
            dockerfile,
            builder,
            changed: false,
            applied: Vec::new(),
            verdict: Verdict::Failed,
            differences: Vec::new(),
            original: Build::default(),
            rewritten: Build::default(),
            config_changes: Vec::new(),
            files: FileDiffs::default(),
            probes: Vec::new(),
            rebuild_touched: None,
            bisect: None,
        }
    }

    /// Sets `verdict` and `differences` from what was found.
    pub fn decide(&mut self) {
        self.differences = differences(self);
        self.verdict = if !self.original.built || !self.rewritten.built {
            Verdict::Failed
        } else if self.differences.is_empty() {
            Verdict::Equivalent
        } else {
            Verdict::Different
        };
    }
}

fn differences(r: &Report) -> Vec<String> {
    let mut out = Vec::new();
    if !r.original.built {
        out.push(format!(
            "the original does not build{}",
            step_suffix(&r.original)
        ));
    }
    if r.original.built && !r.rewritten.built {
        out.push(format!(
            "the rewrite does not build{}",
            step_suffix(&r.rewritten)
        ));
    }
    if !out.is_empty() {
        return out;
    }
    for p in r.probes.iter().filter(|p| !p.same) {
        out.push(format!("probe `{}` gives another result", p.command));
    }
    for c in r.config_changes.iter().filter(|c| c.explained_by.is_none()) {
        out.push(format!("config {} changed", c.key));
    }
    for (what, list) in [
        ("added", &r.files.added),
        ("removed", &r.files.removed),
        ("changed", &r.files.changed),
    ] {
        for f in list {
            out.push(format!("{} {what}", f.describe()));
        }
    }
    out
}

fn step_suffix(b: &Build) -> String {
    b.failed_step
        .as_ref()
        .map(|s| format!(": {s}"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_has_the_documented_keys() {
        let mut r = Report::new("Dockerfile".into(), BuilderInfo::default());
        r.original.built = true;
        r.rewritten.built = true;
        r.changed = true;
        r.decide();
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(v["verdict"], "equivalent");
        for side in ["original", "rewritten"] {
            for key in [
                "built",
                "size_bytes",
                "layers",
                "layer_sizes",
                "build_seconds",
                "rebuild_seconds",
                "failed_step",
                "log_tail",
            ] {
                assert!(v[side].get(key).is_some(), "{side}.{key}");
            }
        }
        for key in [
            "config_changes",
            "probes",
            "bisect",
            "differences",
            "applied",
            "builder",
        ] {
            assert!(v.get(key).is_some(), "{key}");
        }
        for key in ["added", "removed", "changed", "explained", "compared"] {
            assert!(v["files"].get(key).is_some(), "files.{key}");
        }
    }

    #[test]
    fn verdicts_follow_builds_then_differences() {
        let mut r = Report::new("Dockerfile".into(), BuilderInfo::default());
        r.decide();
        assert_eq!(r.verdict, Verdict::Failed);
        assert_eq!(r.differences, ["the original does not build"]);
        r.original.built = true;
        r.decide();
        assert_eq!(r.differences, ["the rewrite does not build"]);
        r.rewritten.built = true;
        r.probes.push(Probe {
            command: "true".into(),
            original: ProbeRun {
                status: Some(0),
                output: String::new(),
            },
            rewritten: ProbeRun {
                status: Some(1),
                output: String::new(),
            },
            same: false,
        });
        r.config_changes.push(ConfigChange {
            key: "User".into(),
            original: serde_json::Value::Null,
            rewritten: "app".into(),
            explained_by: None,
        });
        r.decide();
        assert_eq!(r.verdict, Verdict::Different);
        assert_eq!(
            r.differences,
            ["probe `true` gives another result", "config User changed"]
        );
    }
}
