//! The state each instruction runs in: working directory, user, shell,
//! environment and build arguments, as BuildKit tracks them.

use std::rc::Rc;

/// How much a value can be trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Certainty {
    /// It depends on something the Dockerfile does not say (a build argument
    /// without a default, a variable the base image may set).
    Unknown,
    /// Inherited from a base image dockopt knows nothing about, taken to be
    /// the usual default (`/`, `root`).
    Assumed,
    /// It uses a build argument's default, which `--build-arg` may change.
    ArgDefault,
    /// Written in the Dockerfile, or known for the base image.
    Exact,
}

/// A value and how much it can be trusted.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Value {
    pub text: String,
    pub certainty: Certainty,
}

impl Value {
    pub fn exact(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            certainty: Certainty::Exact,
        }
    }

    pub fn assumed(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            certainty: Certainty::Assumed,
        }
    }

    pub fn unknown() -> Self {
        Self {
            text: String::new(),
            certainty: Certainty::Unknown,
        }
    }

    /// The text, when it is written in the file or known for the base.
    pub fn known(&self) -> Option<&str> {
        (self.certainty >= Certainty::ArgDefault).then_some(self.text.as_str())
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// What a lookup of an environment variable gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup<'a> {
    Set(&'a Value),
    /// Not set by the Dockerfile, and the base sets nothing dockopt does not
    /// know of.
    Unset,
    /// Not set by the Dockerfile; the base image may set it.
    Unknown,
}

impl<'a> Lookup<'a> {
    /// The value, treating a variable the base might set as unset.
    pub fn value(self) -> Option<&'a Value> {
        match self {
            Self::Set(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_set(self) -> bool {
        matches!(self, Self::Set(_))
    }
}

/// The state in force when an instruction runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// Absolute and cleaned.
    pub workdir: Value,
    /// As written in `USER` (`name`, `uid`, `name:group`).
    pub user: Value,
    /// The `SHELL` in force, as exec-form words.
    pub shell: Vec<String>,
    /// Whether `SHELL` was set in this stage or a stage it is built on (else
    /// the default, or the base image's own).
    pub shell_set: bool,
    /// `ENV` in force, in order of definition (a later one replaces an
    /// earlier one of the same name, which is removed).
    pub env: Vec<(String, Value)>,
    /// Build arguments in scope, in order.
    pub args: Vec<(String, Value)>,
    /// Whether the base could set environment variables dockopt does not
    /// know about (every image; not `scratch`).
    pub base_env_open: bool,
    /// Whether the stage runs on a Windows base image.
    pub windows: bool,
}

pub const DEFAULT_SHELL: &[&str] = &["/bin/sh", "-c"];

impl State {
    /// The state at the start of a stage built from an image, or scratch.
    pub fn for_image(image: Option<&str>) -> Self {
        let facts = image.map(super::images::facts).unwrap_or_default();
        let known = |v: Option<&str>, default: &str| match v {
            Some(v) => Value::exact(v),
            None if image.is_none() => Value::exact(default),
            None => Value::assumed(default),
        };
        Self {
            workdir: known(facts.workdir, "/"),
            user: known(facts.user, "root"),
            shell: DEFAULT_SHELL.iter().map(|s| (*s).to_string()).collect(),
            shell_set: false,
            env: facts
                .env
                .iter()
                .map(|(k, v)| ((*k).to_string(), Value::exact(*v)))
                .collect(),
            args: Vec::new(),
            base_env_open: image.is_some(),
            windows: image.is_some_and(is_windows_image),
        }
    }

    /// The state at the start of a stage built on another stage: what that
    /// stage ended with, minus its build arguments, which do not carry over.
    pub fn for_stage(end: &Self) -> Self {
        Self {
            args: Vec::new(),
            ..end.clone()
        }
    }

    pub fn env(&self, name: &str) -> Lookup<'_> {
        match self.env.iter().rev().find(|(k, _)| k == name) {
            Some((_, v)) => Lookup::Set(v),
            None if self.base_env_open => Lookup::Unknown,
            None => Lookup::Unset,
        }
    }

    pub fn arg(&self, name: &str) -> Option<&Value> {
        self.args
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// What `$name` expands to in an instruction: `ENV` wins over `ARG`.
    pub fn var(&self, name: &str) -> Option<&Value> {
        match self.env(name) {
            Lookup::Set(v) => Some(v),
            _ => self.arg(name),
        }
    }

    /// A variable in the environment RUN commands see: `ENV`, else a build
    /// argument in scope (its default, or unknown when it has none).
    pub fn run_var(&self, name: &str) -> Option<&Value> {
        self.var(name)
    }

    pub fn set_env(&mut self, name: &str, value: Value) {
        self.env.retain(|(k, _)| k != name);
        self.env.push((name.to_string(), value));
    }

    pub fn set_arg(&mut self, name: &str, value: Value) {
        self.args.retain(|(k, _)| k != name);
        self.args.push((name.to_string(), value));
    }

    /// The user's name or uid, without a group.
    pub fn user_name(&self) -> &str {
        self.user.text.split(':').next().unwrap_or_default()
    }

    /// Whether the user in force is root, as far as can be told.
    pub fn is_root(&self) -> bool {
        matches!(self.user_name(), "root" | "0" | "")
    }

    /// `$HOME` as programs see it: the variable if set, else root's home.
    /// Other users' homes come from the image's passwd file: unknown.
    pub fn home(&self) -> Value {
        if let Some(v) = self.env("HOME").value() {
            return v.clone();
        }
        if self.is_root() {
            Value {
                text: "/root".into(),
                certainty: self.user.certainty,
            }
        } else {
            Value::unknown()
        }
    }

    /// Whether RUN's shell form goes to a POSIX shell.
    pub fn posix_shell(&self) -> bool {
        if self.windows && !self.shell_set {
            return false;
        }
        self.shell.first().is_some_and(|s| is_posix_shell(s))
    }

    /// Whether the shell runs scripts with errexit (`["/bin/sh", "-ec"]`,
    /// `["bash", "-o", "errexit", "-c"]`).
    pub fn errexit(&self) -> bool {
        shell_errexit(&self.shell)
    }
}

/// Whether a program names a POSIX shell.
pub fn is_posix_shell(argv0: &str) -> bool {
    let base = argv0.rsplit('/').next().unwrap_or(argv0);
    matches!(
        base,
        "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh" | "mksh" | "busybox"
    )
}

/// Whether shell options turn on errexit.
pub fn shell_errexit(shell: &[String]) -> bool {
    shell.iter().enumerate().skip(1).any(|(k, a)| {
        (a.starts_with('-') && !a.starts_with("--") && a[1..].contains('e'))
            || (a == "-o" && shell.get(k + 1).is_some_and(|n| n == "errexit"))
    })
}

pub fn is_windows_image(image: &str) -> bool {
    let i = image.to_ascii_lowercase();
    ["windows", "nanoserver", "servercore", "ltsc20"]
        .iter()
        .any(|w| i.contains(w))
}

/// Joins a path onto a working directory and cleans it, as BuildKit does
/// for `WORKDIR` and relative `COPY` destinations.
pub fn absolute(workdir: &str, path: &str) -> String {
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{}/{path}", workdir.trim_end_matches('/'))
    };
    let cleaned = crate::dockerignore::clean(&joined);
    if cleaned.starts_with('/') {
        cleaned
    } else {
        format!("/{cleaned}")
    }
}

/// Shared states: consecutive instructions that do not change the state
/// share one allocation.
pub type StateRef = Rc<State>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_wins_over_args_and_images_leave_env_open() {
        let mut s = State::for_image(Some("debian:bookworm-slim"));
        s.set_arg("V", Value::exact("arg"));
        assert_eq!(s.var("V").unwrap().text, "arg");
        s.set_env("V", Value::exact("env"));
        assert_eq!(s.var("V").unwrap().text, "env");
        assert_eq!(s.env("PIP_NO_CACHE_DIR"), Lookup::Unknown);
        let scratch = State::for_image(None);
        assert_eq!(scratch.env("X"), Lookup::Unset);
        assert_eq!(scratch.workdir, Value::exact("/"));
        assert_eq!(s.workdir, Value::exact("/"));
        let other = State::for_image(Some("acme/base:1"));
        assert_eq!(other.workdir, Value::assumed("/"));
    }

    #[test]
    fn paths_join_and_clean() {
        assert_eq!(absolute("/app", "src/../lib/"), "/app/lib");
        assert_eq!(absolute("/app", "/x"), "/x");
        assert_eq!(absolute("/", "."), "/");
        assert_eq!(absolute("/app/", "./"), "/app");
    }

    #[test]
    fn shells() {
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_string()).collect::<Vec<_>>();
        assert!(shell_errexit(&s(&["/bin/sh", "-ec"])));
        assert!(shell_errexit(&s(&["bash", "-o", "errexit", "-c"])));
        assert!(!shell_errexit(&s(&["bash", "-o", "pipefail", "-c"])));
        assert!(!shell_errexit(&s(&["/bin/sh", "-c"])));
        let mut st = State::for_image(Some("mcr.microsoft.com/windows/servercore:ltsc2022"));
        assert!(!st.posix_shell());
        st.shell = s(&["bash", "-c"]);
        st.shell_set = true;
        assert!(st.posix_shell());
    }
}
