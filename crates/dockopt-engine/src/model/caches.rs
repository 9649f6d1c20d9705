//! Where package managers and build tools keep their caches, in the state
//! an instruction runs in: the environment moves them (`PIP_CACHE_DIR`,
//! `npm_config_cache`, `PNPM_HOME`, `GOCACHE`, `XDG_CACHE_HOME`...) or turns
//! them off (`PIP_NO_CACHE_DIR`).

use super::state::{Certainty, State, Value};

/// A tool with a download or build cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tool {
    Pip,
    Npm,
    Yarn,
    Pnpm,
    GoBuild,
    GoModules,
    Cargo,
    Maven,
    Gradle,
    Composer,
    /// apt's downloaded archives.
    Apt,
    /// apt's package lists.
    AptLists,
    Apk,
}

/// A tool's cache in some state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cache {
    /// The folder it fills; a value with its certainty.
    At(Value),
    /// The environment turns the cache off: nothing to clean or mount.
    Off(&'static str),
}

impl Cache {
    /// The folder, unless it depends on something unknown. A folder under
    /// a home assumed from an unknown base image counts, as root's home.
    pub fn known(&self) -> Option<&str> {
        match self {
            Self::At(v) if v.certainty > Certainty::Unknown => Some(&v.text),
            _ => None,
        }
    }
}

fn join(base: &Value, rest: &str) -> Value {
    Value {
        text: format!("{}/{rest}", base.text.trim_end_matches('/')),
        certainty: base.certainty,
    }
}

/// A variable the environment of RUN sets (`ENV` or a build argument), as
/// a path value.
fn var(state: &State, name: &str) -> Option<Value> {
    state.run_var(name).cloned()
}

/// `$XDG_CACHE_HOME`, else `$HOME/.cache`.
fn xdg_cache(state: &State) -> Value {
    var(state, "XDG_CACHE_HOME").unwrap_or_else(|| join(&state.home(), ".cache"))
}

/// pip reads `PIP_NO_CACHE_DIR` as a flag that any non-empty value turns
/// on (even `0` or `false`, a long-standing quirk).
/// A build argument of that name counts too: whoever builds may set it.
fn pip_cache_off(state: &State) -> bool {
    state
        .run_var("PIP_NO_CACHE_DIR")
        .is_some_and(|v| !v.text.is_empty() || v.certainty == Certainty::Unknown)
}

/// Where `tool` keeps its cache when run in `state`.
pub fn cache(tool: Tool, state: &State) -> Cache {
    let at = Cache::At;
    match tool {
        Tool::Pip => {
            if pip_cache_off(state) {
                return Cache::Off("PIP_NO_CACHE_DIR is set");
            }
            at(var(state, "PIP_CACHE_DIR").unwrap_or_else(|| join(&xdg_cache(state), "pip")))
        }
        Tool::Npm => at(var(state, "npm_config_cache")
            .or_else(|| var(state, "NPM_CONFIG_CACHE"))
            .unwrap_or_else(|| join(&state.home(), ".npm"))),
        Tool::Yarn => at(var(state, "YARN_CACHE_FOLDER").unwrap_or_else(|| {
            // Yarn 1 keeps root's cache outside $HOME.
            if state.is_root() {
                Value {
                    text: "/usr/local/share/.cache/yarn".into(),
                    certainty: state.user.certainty,
                }
            } else {
                join(&xdg_cache(state), "yarn")
            }
        })),
        Tool::Pnpm => at(var(state, "npm_config_store_dir")
            .or_else(|| var(state, "PNPM_STORE_DIR"))
            .or_else(|| var(state, "PNPM_HOME").map(|h| join(&h, "store")))
            .or_else(|| var(state, "XDG_DATA_HOME").map(|d| join(&d, "pnpm/store")))
            .unwrap_or_else(|| join(&state.home(), ".local/share/pnpm/store"))),
        Tool::GoBuild => {
            at(var(state, "GOCACHE").unwrap_or_else(|| join(&xdg_cache(state), "go-build")))
        }
        Tool::GoModules => at(var(state, "GOMODCACHE").unwrap_or_else(|| {
            let gopath = var(state, "GOPATH").map_or_else(
                || join(&state.home(), "go"),
                |p| Value {
                    text: p.text.split(':').next().unwrap_or_default().to_string(),
                    certainty: p.certainty,
                },
            );
            join(&gopath, "pkg/mod")
        })),
        Tool::Cargo => at(join(
            &var(state, "CARGO_HOME").unwrap_or_else(|| join(&state.home(), ".cargo")),
            "registry",
        )),
        Tool::Maven => at(join(&state.home(), ".m2")),
        Tool::Gradle => {
            at(var(state, "GRADLE_USER_HOME").unwrap_or_else(|| join(&state.home(), ".gradle")))
        }
        Tool::Composer => at(var(state, "COMPOSER_CACHE_DIR")
            .or_else(|| var(state, "COMPOSER_HOME").map(|h| join(&h, "cache")))
            .unwrap_or_else(|| join(&xdg_cache(state), "composer"))),
        Tool::Apt => at(Value {
            text: "/var/cache/apt".into(),
            certainty: Certainty::Exact,
        }),
        Tool::AptLists => at(Value {
            text: "/var/lib/apt".into(),
            certainty: Certainty::Exact,
        }),
        Tool::Apk => at(Value {
            text: "/var/cache/apk".into(),
            certainty: Certainty::Exact,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(image: &str, env: &[(&str, &str)]) -> State {
        let mut s = State::for_image(Some(image));
        for (k, v) in env {
            s.set_env(k, Value::exact(*v));
        }
        s
    }

    #[test]
    fn defaults_follow_home_and_the_image() {
        let py = state("python:3.12", &[]);
        assert_eq!(cache(Tool::Pip, &py).known(), Some("/root/.cache/pip"));
        assert_eq!(cache(Tool::Npm, &py).known(), Some("/root/.npm"));
        assert_eq!(
            cache(Tool::Yarn, &py).known(),
            Some("/usr/local/share/.cache/yarn")
        );
        assert_eq!(
            cache(Tool::Pnpm, &py).known(),
            Some("/root/.local/share/pnpm/store")
        );
        let go = state("golang:1.22", &[]);
        assert_eq!(cache(Tool::GoModules, &go).known(), Some("/go/pkg/mod"));
        assert_eq!(
            cache(Tool::GoBuild, &go).known(),
            Some("/root/.cache/go-build")
        );
        let rust = state("rust:1.80", &[]);
        assert_eq!(
            cache(Tool::Cargo, &rust).known(),
            Some("/usr/local/cargo/registry")
        );
    }

    #[test]
    fn the_environment_moves_or_turns_off_caches() {
        let s = state(
            "python:3.12",
            &[
                ("PIP_NO_CACHE_DIR", "1"),
                ("npm_config_cache", "/tmp/npm"),
                ("PNPM_HOME", "/pnpm"),
                ("XDG_CACHE_HOME", "/cache"),
                ("GOPATH", "/gp:/other"),
            ],
        );
        assert!(matches!(cache(Tool::Pip, &s), Cache::Off(_)));
        assert_eq!(cache(Tool::Npm, &s).known(), Some("/tmp/npm"));
        assert_eq!(cache(Tool::Pnpm, &s).known(), Some("/pnpm/store"));
        assert_eq!(cache(Tool::GoBuild, &s).known(), Some("/cache/go-build"));
        assert_eq!(cache(Tool::GoModules, &s).known(), Some("/gp/pkg/mod"));
        let empty = state("python:3.12", &[("PIP_NO_CACHE_DIR", "")]);
        assert_eq!(cache(Tool::Pip, &empty).known(), Some("/root/.cache/pip"));
    }

    #[test]
    fn other_users_homes_are_unknown() {
        let mut s = state("python:3.12", &[]);
        s.user = Value::exact("app");
        assert_eq!(cache(Tool::Pip, &s).known(), None);
        s.set_env("HOME", Value::exact("/home/app"));
        assert_eq!(cache(Tool::Pip, &s).known(), Some("/home/app/.cache/pip"));
    }
}
