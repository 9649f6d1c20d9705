//! What each fix changes in the image on purpose, keyed by rule name, and
//! what differs between any two builds of the same Dockerfile. This is the
//! one place that says so: a difference matched here is summarised apart
//! and does not make the verdict `different`.
//!
//! Globs are matched against absolute paths in the image; `*` stays within
//! one path segment and `**` crosses them. A glob names a path and, when it
//! is a directory, nothing below it: write `{,/**}` to take both.

/// A config change a fix makes on purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigIntent {
    /// `CMD`/`ENTRYPOINT` from shell form to the same words in exec form.
    ExecForm,
    /// Any change to this key (`Env.PATH`, `Cmd`, ...).
    Key(&'static str),
}

#[derive(Debug)]
pub struct Intent {
    pub rule: &'static str,
    /// What the fix leaves out or changes, in a few words for the report.
    pub summary: &'static str,
    /// Paths the fix may leave out or change.
    pub paths: &'static [&'static str],
    /// Paths the fix may add (cache mount points, a virtual environment).
    pub adds: &'static [&'static str],
    pub config: &'static [ConfigIntent],
    /// Differences inherited from a new base image: a path or config key
    /// that each image takes unchanged from its own base.
    pub base: bool,
    /// Paths the build no longer receives because a proposed
    /// `.dockerignore` leaves them out of the context (known at run time).
    pub context: bool,
}

const NONE: Intent = Intent {
    rule: "",
    summary: "",
    paths: &[],
    adds: &[],
    config: &[],
    base: false,
    context: false,
};

const APT_LISTS: &str = "/var/lib/apt/lists/**";
const APT_CACHE: &str = "/var/cache/apt/**";

pub const INTENTS: &[Intent] = &[
    Intent {
        rule: "apt",
        summary: "apt package lists and caches",
        paths: &[APT_LISTS, APT_CACHE],
        ..NONE
    },
    Intent {
        rule: "apk",
        summary: "the apk index cache",
        paths: &["/var/cache/apk/**"],
        ..NONE
    },
    Intent {
        rule: "dnf-yum-zypper",
        summary: "dnf, yum and zypper caches",
        paths: &[
            "/var/cache/dnf/**",
            "/var/cache/yum/**",
            "/var/cache/zypp/**",
            "/var/cache/libdnf5/**",
        ],
        ..NONE
    },
    Intent {
        rule: "pip",
        summary: "pip's download cache",
        paths: &["**/.cache/pip{,/**}"],
        ..NONE
    },
    // An install that rewrites its lock file (`npm install` with a lock out
    // of step with package.json) rewrites it before the broad COPY now, and
    // the COPY brings the build context's copy back: the packages installed
    // are the same.
    Intent {
        rule: "hoist-manifests",
        summary: "lock files the install rewrote, as in the build context",
        paths: &[
            "**/package-lock.json",
            "**/npm-shrinkwrap.json",
            "**/yarn.lock",
            "**/pnpm-lock.yaml",
            "**/composer.lock",
            "**/Gemfile.lock",
            "**/Pipfile.lock",
            "**/poetry.lock",
            "**/uv.lock",
            "**/go.sum",
        ],
        ..NONE
    },
    Intent {
        rule: "package-cache",
        summary: "npm, yarn, pnpm and composer caches; gem documentation",
        paths: &[
            "**/.npm/_cacache{,/**}",
            "**/.cache/yarn{,/**}",
            "**/.yarn/berry/cache{,/**}",
            "**/.local/share/pnpm/store{,/**}",
            "**/.cache/composer{,/**}",
            "**/.composer/cache{,/**}",
            "**/gems/*/doc/**",
            "/usr/local/bundle/doc/**",
            "/usr/share/ri/**",
        ],
        ..NONE
    },
    Intent {
        rule: "downloads",
        summary: "downloaded archives once extracted",
        paths: &[
            "**/*.tar",
            "**/*.tar.*",
            "**/*.tgz",
            "**/*.txz",
            "**/*.tbz2",
            "**/*.zip",
        ],
        ..NONE
    },
    Intent {
        rule: "exec-form",
        summary: "CMD and ENTRYPOINT in exec form",
        config: &[ConfigIntent::ExecForm],
        ..NONE
    },
    Intent {
        rule: "cache-mounts",
        summary: "package-manager and compiler caches, now in cache mounts",
        paths: &[
            "/var/cache/apt{,/**}",
            "/var/lib/apt{,/**}",
            "**/.cache/pip{,/**}",
            "**/.npm{,/**}",
            "/usr/local/share/.cache/yarn{,/**}",
            "**/.local/share/pnpm/store{,/**}",
            "**/.cache/go-build{,/**}",
            "/usr/local/cargo/registry{,/**}",
            "**/.m2{,/**}",
            "**/.gradle{,/**}",
        ],
        adds: &[
            "/var/cache/apt",
            "/var/lib/apt",
            "**/.cache",
            "**/.cache/pip",
            "**/.npm",
            "/usr/local/share/.cache",
            "/usr/local/share/.cache/yarn",
            "**/.local",
            "**/.local/share",
            "**/.local/share/pnpm",
            "**/.local/share/pnpm/store",
            "**/.cache/go-build",
            "/usr/local/cargo/registry",
            "**/.m2",
            "**/.gradle",
        ],
        ..NONE
    },
    Intent {
        rule: "dockerignore",
        summary: "context files the proposed .dockerignore leaves out",
        context: true,
        ..NONE
    },
    Intent {
        rule: "multi-stage-split",
        summary: "the build toolchain and what the build stage leaves behind",
        paths: &[
            // Package managers' state and caches of the build stage.
            "/var/lib/dpkg/**",
            "/var/lib/apt/**",
            "/var/cache/**",
            "/var/log/**",
            "/root/.cache{,/**}",
            "/root/.npm{,/**}",
            "/root/go{,/**}",
            "/go{,/**}",
            "/tmp/**",
            // Python packages move into the virtual environment.
            "/usr/local/lib/python3*/site-packages/**",
            "/usr/local/lib/python3*/dist-packages/**",
        ],
        adds: &["/opt/venv{,/**}"],
        config: &[ConfigIntent::ExecForm, ConfigIntent::Key("Env.PATH")],
        base: true,
        ..NONE
    },
];

/// Paths that differ between two builds of the same Dockerfile: logs,
/// timestamps and caches that tools rewrite on every run.
pub const NOISE: &[&str] = &[
    "/var/log/**",
    "/var/cache/debconf/*",
    "/var/cache/ldconfig/aux-cache",
    "/var/lib/dpkg/*-old",
    "/var/lib/apt/extended_states",
    "/etc/ld.so.cache",
    "**/.npm/_logs{,/**}",
    "**/.npm/_update-notifier-last-checked",
    "**/__pycache__/*.pyc",
    "**/.wget-hsts",
    // Go's build cache keys its entries by time and build ID; npm's and
    // pip's cache entries record when they were fetched.
    "**/.cache/go-build/**",
    "**/.npm/_cacache/**",
    "**/.cache/pip/**",
    // node-gyp writes the gyp files a native module's Makefile depends on
    // in set order, which changes from one build to the next.
    "**/node_modules/**/build*/Makefile",
];

pub const NOISE_SUMMARY: &str = "logs and caches that differ between any two builds";

/// The entry for a rule, if the rule changes anything on purpose.
pub fn for_rule(rule: &str) -> Option<&'static Intent> {
    INTENTS.iter().find(|i| i.rule == rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_name_is_unique_and_globs_compile() {
        let mut seen = std::collections::HashSet::new();
        for i in INTENTS {
            assert!(seen.insert(i.rule), "{} twice", i.rule);
            for g in i.paths.iter().chain(i.adds).chain(NOISE) {
                // An empty alternative is only understood as this suffix.
                let g = g.strip_suffix("{,/**}").unwrap_or(g);
                assert!(!g.contains("{,"), "{g}");
                globset::Glob::new(g).unwrap();
            }
        }
    }
}
