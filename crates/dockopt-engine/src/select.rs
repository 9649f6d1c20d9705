//! Which transforms run: `--select`, `--ignore` and configuration.
//!
//! A key names transforms by code (`DKR008`), code prefix (`DKR00`), name
//! (`exec-form`) or `ALL`, in any case.

use crate::transform::Transform;

/// A set of transforms named by code or name; `ALL` names every one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// `None`: the default set.
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
}

impl Selection {
    /// Whether `t` runs: selected (or in the default set when nothing is
    /// selected) and not ignored.
    pub fn enabled(&self, t: &dyn Transform) -> bool {
        let selected = match &self.select {
            Some(keys) => keys.iter().any(|k| matches(t.code(), t.name(), k)),
            None => t.default_enabled(),
        };
        selected && !self.ignore.iter().any(|k| matches(t.code(), t.name(), k))
    }

    /// Keys that name no transform, for a usage error.
    pub fn unknown<'k>(&'k self, all: &[&dyn Transform]) -> Vec<&'k str> {
        self.select
            .iter()
            .flatten()
            .chain(&self.ignore)
            .map(String::as_str)
            .filter(|k| check_key(k, all).is_err())
            .collect()
    }
}

/// Whether the selection names `t` itself (or `ALL`), rather than leaving
/// it to the default set.
pub fn names_explicitly(sel: &Selection, t_code: &str, t_name: &str) -> bool {
    sel.select
        .iter()
        .flatten()
        .any(|k| matches(t_code, t_name, k))
}

/// Whether `key` names the transform with this code and name; also used by
/// suppression comments.
pub fn matches(code: &str, name: &str, key: &str) -> bool {
    let key = key.trim();
    if key.is_empty() {
        return false;
    }
    key.eq_ignore_ascii_case("all")
        || key.eq_ignore_ascii_case(name)
        || is_code_prefix(key) && starts_with_ignore_case(code, key)
}

/// A code or the start of one: letters, then digits.
fn is_code_prefix(key: &str) -> bool {
    let letters = key.bytes().take_while(u8::is_ascii_alphabetic).count();
    letters > 0 && key[letters..].bytes().all(|b| b.is_ascii_digit())
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// Why `key` cannot be used to select transforms, if it cannot.
pub fn check_key(key: &str, all: &[&dyn Transform]) -> Result<(), String> {
    if key.trim().is_empty() {
        return Err("an empty transform name".into());
    }
    if all.iter().any(|t| matches(t.code(), t.name(), key)) {
        Ok(())
    } else {
        Err(format!("unknown transform {key:?} (see `dockopt rule`)"))
    }
}

/// The transform a key names exactly (code or name, any case), for pages
/// and options.
pub fn find<'a>(key: &str, all: &[&'a dyn Transform]) -> Option<&'a dyn Transform> {
    all.iter()
        .copied()
        .find(|t| t.code().eq_ignore_ascii_case(key) || t.name().eq_ignore_ascii_case(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_names_prefixes_any_case() {
        assert!(matches("DKR008", "exec-form", "DKR008"));
        assert!(matches("DKR008", "exec-form", "dkr008"));
        assert!(matches("DKR008", "exec-form", "DKR00"));
        assert!(matches("DKR008", "exec-form", "dkr"));
        assert!(matches("DKR008", "exec-form", "Exec-Form"));
        assert!(matches("DKR008", "exec-form", "all"));
        assert!(!matches("DKR008", "exec-form", "DKR01"));
        assert!(!matches("DKR008", "exec-form", "exec"));
        assert!(!matches("DKR008", "exec-form", ""));
        assert!(!matches("DKR008", "exec-form", "DKR008x"));
    }
}
