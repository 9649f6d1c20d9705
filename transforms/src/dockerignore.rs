#![doc = include_str!("../docs/dockerignore.md")]

use dockopt_engine::{Cx, Finding, Fixes, Rule, Transform};
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
    ".env",
    ".aws",
    ".ssh",
    "id_rsa",
    "id_ed25519",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
];
/// Left out when a root entry matches the pattern's suffix.
const BY_SUFFIX: &[(&str, &str)] = &[
    (".pem", "*.pem"),
    (".key", "*.key"),
    (".pyc", "*.pyc"),
    (".swp", "*.swp"),
];

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
};

impl Transform for Dockerignore {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let Some(ctx) = cx.context else { return };
        if ctx.has_dockerignore() {
            return;
        }
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
        let mut entries: Vec<String> = Vec::new();
        for e in &root {
            if ALWAYS.contains(&e.as_str())
                || (e.starts_with(".env.") && !e.contains("example") && !e.contains("sample"))
            {
                entries.push(e.clone());
            }
        }
        for (suffix, pattern) in BY_SUFFIX {
            if root.iter().any(|e| e.ends_with(suffix)) {
                entries.push((*pattern).to_string());
            }
        }
        let js = runs_after(cx, &copy, &["npm", "yarn", "pnpm"], &["install", "ci", "i"])
            || runs_after(cx, &copy, &["yarn"], &[]);
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
