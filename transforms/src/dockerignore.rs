#![doc = include_str!("../docs/dockerignore.md")]

use dockopt_engine::{Cx, Finding, Fixes, Gain, Rule, Severity, Transform};
use dockopt_syntax::Instruction;

use crate::run::run;

pub struct Dockerignore;

const CODE: &str = "DKR013";
const NAME: &str = "dockerignore";

/// Always left out when present.
const ALWAYS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    ".idea",
    ".vscode",
    ".DS_Store",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
];

/// Secrets by name: left out when present, and proposed as additions to an
/// existing `.dockerignore` that lets them through.
const SECRETS: &[&str] = &[
    ".env",
    ".aws",
    ".ssh",
    ".netrc",
    ".git-credentials",
    ".docker",
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
];

/// Secrets by suffix, as (suffix, pattern).
const SECRET_SUFFIXES: &[(&str, &str)] = &[(".pem", "*.pem"), (".key", "*.key")];

/// Whether a package manager's config file holds credentials, not just a
/// registry address or a `${VAR}` the build fills in.
fn has_credentials(name: &str, text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim();
        let (k, v) = l
            .split_once('=')
            .or_else(|| l.split_once(':').filter(|_| name == ".pypirc"))
            .unwrap_or((l, ""));
        let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
        let secret_key = match name {
            ".npmrc" => {
                k.ends_with("_authtoken") || k.ends_with("_auth") || k.ends_with("_password")
            }
            _ => k == "password",
        };
        secret_key && !v.is_empty() && !v.starts_with("${")
    })
}

/// Secrets at the context root that the builder would receive.
fn secrets_in(cx: &Cx<'_>, root: &[String]) -> Vec<String> {
    let Some(ctx) = cx.context else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in root {
        let env_file = e.starts_with(".env.")
            && !["example", "sample", "template", "dist"]
                .iter()
                .any(|w| e.contains(w));
        let config = matches!(e.as_str(), ".npmrc" | ".pypirc")
            && ctx
                .read(e)
                .is_some_and(|b| has_credentials(e, &String::from_utf8_lossy(&b)));
        if SECRETS.contains(&e.as_str()) || env_file || config {
            out.push(e.clone());
        }
    }
    for (suffix, pattern) in SECRET_SUFFIXES {
        if root.iter().any(|e| e.ends_with(suffix)) {
            out.push((*pattern).to_string());
        }
    }
    out
}
/// Left out when a root entry matches the pattern's suffix.
const BY_SUFFIX: &[(&str, &str)] = &[(".pyc", "*.pyc"), (".swp", "*.swp")];

fn broad(inst: &Instruction<'_>) -> bool {
    (inst.is("copy") || inst.is("add"))
        && inst.flag("from").is_none()
        && inst
            .values()
            .split_last()
            .is_some_and(|(_, srcs)| srcs.iter().any(|s| matches!(s.as_str(), "." | "./")))
}

/// Explicit COPY/ADD sources, which must stay in the context.
fn named_sources(cx: &Cx<'_>) -> Vec<String> {
    cx.tree
        .instructions()
        .filter(|i| (i.is("copy") || i.is("add")) && i.flag("from").is_none())
        .flat_map(|i| {
            i.values()
                .split_last()
                .map(|(_, s)| s.to_vec())
                .unwrap_or_default()
        })
        .map(|s| s.trim_start_matches("./").trim_end_matches('/').to_string())
        .filter(|s| !s.is_empty() && s != ".")
        .collect()
}

/// Whether a RUN after `after` in the file runs one of the commands.
fn runs_after(cx: &Cx<'_>, after: &Instruction<'_>, names: &[&str], verbs: &[&str]) -> bool {
    cx.tree
        .instructions()
        .filter(|i| i.range().start > after.range().start)
        .any(|i| {
            run(cx, &i).is_some_and(|r| {
                r.script.commands().iter().any(|c| {
                    names.contains(&c.name.text.as_str())
                        && (verbs.is_empty()
                            || c.args.iter().any(|a| verbs.contains(&a.text.as_str())))
                })
            })
        })
}

static RULE: Rule = Rule {
    code: CODE,
    name: NAME,
    summary: "Propose a .dockerignore when the whole context is copied without one",
    docs: include_str!("../docs/dockerignore.md"),
    fixes: Fixes::None,
    gain: Gain::Rebuild,
};

impl Transform for Dockerignore {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let Some(ctx) = cx.context else { return };
        let Some(copy) = cx.tree.instructions().find(|i| broad(i)) else {
            return;
        };
        let root = ctx.list("");
        let named = named_sources(cx);
        let keep = |entry: &str| {
            !named
                .iter()
                .any(|n| n == entry || n.starts_with(&format!("{entry}/")))
        };
        let js = runs_after(cx, &copy, &["npm", "yarn", "pnpm"], &["install", "ci", "i"])
            || runs_after(cx, &copy, &["yarn"], &[]);
        // npm reads the project's .npmrc: leaving it out could break the
        // install (build-secrets shows how to pass the token instead).
        let secrets: Vec<String> = secrets_in(cx, &root)
            .into_iter()
            .filter(|e| !(js && e == ".npmrc"))
            .collect();
        if ctx.has_dockerignore() {
            // The ignore file lets these through: propose additions.
            let mut leaks = secrets;
            if root.iter().any(|e| e == ".git") {
                leaks.push(".git".into());
            }
            leaks.retain(|e| keep(e));
            if leaks.is_empty() {
                return;
            }
            let f = Finding::new(
                CODE,
                NAME,
                format!(
                    "this COPY sends {} into the image: .dockerignore does not leave them out",
                    leaks.join(", ")
                ),
                copy.keyword_range(),
            );
            // Secrets in the image: worth acting on, though not by dockopt.
            out.push(
                f.refused(format!("add to .dockerignore: {}", leaks.join(" ")))
                    .with_severity(Severity::Warning),
            );
            return;
        }
        let mut entries: Vec<String> = secrets;
        for e in &root {
            if ALWAYS.contains(&e.as_str()) {
                entries.push(e.clone());
            }
        }
        for (suffix, pattern) in BY_SUFFIX {
            if root.iter().any(|e| e.ends_with(suffix)) {
                entries.push((*pattern).to_string());
            }
        }
        let py = runs_after(cx, &copy, &["pip", "pip3", "pipenv", "poetry", "uv"], &[]);
        for (dir, reinstalled) in [("node_modules", js), (".venv", py), ("venv", py)] {
            if reinstalled && root.iter().any(|e| e == dir) {
                entries.push(dir.to_string());
            }
        }
        let js_build = runs_after(cx, &copy, &["npm", "yarn", "pnpm"], &["build"]);
        let jvm_build = runs_after(
            cx,
            &copy,
            &["cargo", "mvn", "./mvnw", "gradle", "./gradlew"],
            &["build", "package", "install"],
        );
        for (dir, rebuilt) in [
            ("dist", js_build),
            ("build", js_build || jvm_build),
            ("target", jvm_build),
        ] {
            if rebuilt && root.iter().any(|e| e == dir) {
                entries.push(dir.to_string());
            }
        }
        entries.retain(|e| keep(e));
        entries.dedup();
        if entries.is_empty() {
            return;
        }
        let content = format!(
            "# Proposed by dockopt: what the image does not need.\n{}\n",
            entries.join("\n")
        );
        let f = Finding::new(
            CODE,
            NAME,
            format!(
                "no .dockerignore: this COPY sends {} into the build",
                entries.join(", ")
            ),
            copy.keyword_range(),
        );
        out.push(
            f.with_new_file(".dockerignore", content)
                .refused("write it with `dockopt fix --dockerignore`"),
        );
    }
}
