//! Which transforms run: `--select`, `--ignore` and configuration.

use crate::transform::Transform;

/// A set of transforms named by code or name; `ALL` names every one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// `None`: the default set.
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
}

fn names(t: &dyn Transform, key: &str) -> bool {
    key.eq_ignore_ascii_case("all") || key.eq_ignore_ascii_case(t.code()) || key == t.name()
}

impl Selection {
    /// Whether `t` runs: selected (or in the default set when nothing is
    /// selected) and not ignored.
    pub fn enabled(&self, t: &dyn Transform) -> bool {
        let selected = match &self.select {
            Some(keys) => keys.iter().any(|k| names(t, k)),
            None => t.default_enabled(),
        };
        selected && !self.ignore.iter().any(|k| names(t, k))
    }

    /// Keys that name no transform, for a usage error.
    pub fn unknown<'k>(&'k self, all: &[&dyn Transform]) -> Vec<&'k str> {
        self.select
            .iter()
            .flatten()
            .chain(&self.ignore)
            .filter(|k| !all.iter().any(|t| names(*t, k)))
            .map(String::as_str)
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

/// Whether `key` names transform `t`; also used by suppression comments.
pub fn matches(t_code: &str, t_name: &str, key: &str) -> bool {
    key.eq_ignore_ascii_case("all") || key.eq_ignore_ascii_case(t_code) || key == t_name
}
