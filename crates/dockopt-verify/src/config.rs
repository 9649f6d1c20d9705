//! Image configuration compared key by key: each environment variable,
//! label, port and volume on its own, the rest whole.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::intent::{ConfigIntent, Intent};

/// The keys compared, in the order reported.
pub const KEYS: &[&str] = &[
    "Env",
    "Cmd",
    "Entrypoint",
    "WorkingDir",
    "User",
    "ExposedPorts",
    "Volumes",
    "Labels",
    "StopSignal",
    "Healthcheck",
    "Shell",
];

/// Labels a builder stamps on every image it makes.
const BUILDER_LABELS: &[&str] = &["io.buildah.version"];

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConfigChange {
    /// `Cmd`, or `Env.PATH`, `Labels.version`, `ExposedPorts.8080/tcp`.
    pub key: String,
    /// `null` when the key is absent.
    pub original: Value,
    pub rewritten: Value,
    /// The rule that announces this change, or `base image` for a value
    /// each image takes from its own base.
    pub explained_by: Option<String>,
}

/// Flattens a config into comparable keys. Empty values count as absent.
pub fn flatten(config: &Value) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for &key in KEYS {
        let Some(v) = config.get(key) else { continue };
        match (key, v) {
            (_, Value::Null) => {}
            ("Env", Value::Array(items)) => {
                for item in items.iter().filter_map(Value::as_str) {
                    let (name, value) = item.split_once('=').unwrap_or((item, ""));
                    out.insert(format!("Env.{name}"), Value::String(value.into()));
                }
            }
            ("Labels" | "ExposedPorts" | "Volumes", Value::Object(map)) => {
                for (k, v) in map {
                    if key == "Labels" && BUILDER_LABELS.contains(&k.as_str()) {
                        continue;
                    }
                    out.insert(format!("{key}.{k}"), v.clone());
                }
            }
            (_, Value::String(s)) if s.is_empty() => {}
            (_, Value::Array(a)) if a.is_empty() => {}
            _ => {
                out.insert(key.to_string(), v.clone());
            }
        }
    }
    out
}

/// Whether `new` is the exec form of the shell-form `old`.
fn is_exec_form_of(old: &Value, new: &Value) -> bool {
    let (Some(old), Some(new)) = (old.as_array(), new.as_array()) else {
        return false;
    };
    let [sh, dash_c, script] = old.as_slice() else {
        return false;
    };
    if sh.as_str() != Some("/bin/sh") || dash_c.as_str() != Some("-c") {
        return false;
    }
    let script: Vec<&str> = script.as_str().unwrap_or("").split_whitespace().collect();
    let words: Vec<&str> = new.iter().filter_map(Value::as_str).collect();
    words.len() == new.len()
        && script
            .iter()
            .map(|w| w.trim_matches(['"', '\'']))
            .eq(words.iter().flat_map(|w| w.split_whitespace()))
}

/// The base images' flattened configs, when the rewrite changes its base.
pub struct Bases<'a> {
    pub original: &'a BTreeMap<String, Value>,
    pub rewritten: &'a BTreeMap<String, Value>,
}

pub fn compare(
    original: &Value,
    rewritten: &Value,
    intents: &[&Intent],
    bases: Option<&Bases<'_>>,
) -> Vec<ConfigChange> {
    let a = flatten(original);
    let b = flatten(rewritten);
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort_by_key(|k| {
        let top = k.split('.').next().unwrap_or(k);
        (KEYS.iter().position(|x| *x == top), (*k).clone())
    });
    keys.dedup();
    let mut out = Vec::new();
    for key in keys {
        let (old, new) = (
            a.get(key).cloned().unwrap_or(Value::Null),
            b.get(key).cloned().unwrap_or(Value::Null),
        );
        if old == new {
            continue;
        }
        let explained_by = explain(key, &old, &new, intents, bases);
        out.push(ConfigChange {
            key: key.clone(),
            original: old,
            rewritten: new,
            explained_by,
        });
    }
    out
}

fn explain(
    key: &str,
    old: &Value,
    new: &Value,
    intents: &[&Intent],
    bases: Option<&Bases<'_>>,
) -> Option<String> {
    for i in intents {
        for c in i.config {
            let hit = match c {
                ConfigIntent::ExecForm => {
                    matches!(key, "Cmd" | "Entrypoint") && is_exec_form_of(old, new)
                }
                ConfigIntent::Key(k) => *k == key,
            };
            if hit {
                return Some(i.rule.to_string());
            }
        }
    }
    let inherited =
        |map: &BTreeMap<String, Value>, v: &Value| map.get(key).unwrap_or(&Value::Null) == v;
    if let Some(b) = bases {
        if intents.iter().any(|i| i.base)
            && inherited(b.original, old)
            && inherited(b.rewritten, new)
        {
            return Some("base image".to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::for_rule;
    use serde_json::json;

    #[test]
    fn env_labels_and_ports_compare_one_by_one() {
        let a = json!({"Env": ["PATH=/bin", "A=1"], "Labels": {"x": "1", "io.buildah.version": "1"}, "ExposedPorts": {"80/tcp": {}}});
        let b = json!({"Env": ["PATH=/bin", "A=2"], "Labels": {"x": "1", "io.buildah.version": "2"}, "ExposedPorts": {"80/tcp": {}, "443/tcp": {}}});
        let got = compare(&a, &b, &[], None);
        let keys: Vec<&str> = got.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["Env.A", "ExposedPorts.443/tcp"]);
        assert_eq!(got[0].original, json!("1"));
        assert_eq!(got[1].original, Value::Null);
        assert!(got.iter().all(|c| c.explained_by.is_none()));
    }

    #[test]
    fn exec_form_is_explained_only_for_the_same_words() {
        let a = json!({"Cmd": ["/bin/sh", "-c", "node server.js"], "User": "app"});
        let same = json!({"Cmd": ["node", "server.js"], "User": "app"});
        let other = json!({"Cmd": ["node", "other.js"], "User": "root"});
        let intents = [for_rule("exec-form").unwrap()];
        let ok = compare(&a, &same, &intents, None);
        assert_eq!(ok[0].explained_by.as_deref(), Some("exec-form"));
        let bad = compare(&a, &other, &intents, None);
        assert_eq!(bad.len(), 2);
        assert!(bad.iter().all(|c| c.explained_by.is_none()), "{bad:?}");
        // Without the rule applied, even the same words are a difference.
        assert!(compare(&a, &same, &[], None)[0].explained_by.is_none());
    }

    #[test]
    fn values_from_each_base_are_explained_by_a_split() {
        let a = json!({"Env": ["GOPATH=/go", "APP=1"]});
        let b = json!({"Env": ["APP=2"]});
        let base_a = flatten(&json!({"Env": ["GOPATH=/go"]}));
        let base_b = flatten(&json!({"Env": []}));
        let bases = Bases {
            original: &base_a,
            rewritten: &base_b,
        };
        let split = [for_rule("multi-stage-split").unwrap()];
        let got = compare(&a, &b, &split, Some(&bases));
        assert_eq!(got[0].key, "Env.APP");
        assert!(got[0].explained_by.is_none());
        assert_eq!(got[1].key, "Env.GOPATH");
        assert_eq!(got[1].explained_by.as_deref(), Some("base image"));
    }
}
