//! Node: a server on the slim Node image, or a static front end on a web
//! server image.

use dockopt_engine::Cx;
use dockopt_syntax::Stage;

use super::files::{calls, context_text};
use super::{command, Input, Split};
use crate::util::frontend_has;

mod static_site;

pub(super) fn node(input: Input<'_, '_>) -> Result<Split, String> {
    let (cx, stage, app) = input.parts();
    let app = app.ok_or("no WORKDIR: the application directory is unknown")?;
    if let Some((dir, served)) = static_site::plan(cx, stage, app)? {
        let runtime = input
            .rt
            .web_server
            .clone()
            .ok_or("the runtime table names no web server for this toolchain")?;
        return Ok(Split {
            runtime,
            lines: vec![static_site::nginx_conf(&served)],
            copies: vec![(dir, "/usr/share/nginx/html".into())],
            build_edits: {
                frontend_has(cx.tree, 4, "heredocs")?;
                Vec::new()
            },
            site: true,
            ..Split::default()
        });
    }
    // Global installs put programs outside the application directory: the
    // runtime stage runs the same install, from the same registry.
    let mut globals = Vec::new();
    for c in calls(cx, stage, None) {
        let global = c
            .args
            .iter()
            .any(|a| matches!(a.as_str(), "-g" | "--global" | "global"));
        if !(matches!(c.name.as_str(), "npm" | "yarn" | "pnpm") && global) {
            continue;
        }
        let local = c.args.iter().any(|a| {
            a.starts_with('.')
                || a.starts_with('/')
                || a.contains('$')
                || a.to_ascii_lowercase().ends_with(".tgz")
        });
        if local || c.text.contains(['&', '|', ';', '>']) {
            return Err(
                "a global install of local files writes outside the application directory".into(),
            );
        }
        globals.push(format!("RUN {}", c.text));
    }
    let (words, _) = command(stage).expect("checked");
    let first = words.first().map(String::as_str).unwrap_or_default();
    // A program a global install of the stage puts on PATH.
    let global_bin = globals.iter().any(|g| {
        g.split_whitespace()
            .filter(|w| {
                !w.starts_with('-')
                    && !matches!(
                        *w,
                        "RUN" | "npm" | "yarn" | "pnpm" | "install" | "i" | "add" | "global"
                    )
            })
            .any(|pkg| {
                let name = pkg
                    .rsplit_once('@')
                    .filter(|(n, _)| !n.is_empty())
                    .map_or(pkg, |(n, _)| n);
                name.rsplit('/').next() == Some(first)
            })
    });
    let starts = first == "node" || is_start(&words) || global_bin;
    if !starts {
        let script = run_script(&words);
        match (script, package_json(cx)) {
            (Some(name), Some(json)) => {
                let text = json["scripts"][name].as_str().unwrap_or_default();
                if text.split_whitespace().next() != Some("node") {
                    return Err(format!(
                        "the package script {name} runs `{text}`, not `node ...`"
                    ));
                }
            }
            (Some(name), None) => {
                return Err(format!(
                    "package.json is not in the build context: what the script {name} runs cannot be told"
                ));
            }
            (None, _) => {
                return Err("the container command is not `node ...` or a package script".into());
            }
        }
    }
    let runtime = input.runtime_image(false)?;
    Ok(Split {
        runtime,
        lines: globals,
        copies: vec![(app.to_string(), app.to_string())],
        build_tail: prune(cx, stage, &words).into_iter().collect(),
        ..Split::default()
    })
}

/// A RUN that drops dev dependencies once the build has used them, after
/// the stage's last RUN (so as the same user), when the lock file names the
/// package manager, there are dev dependencies, nothing prunes them yet,
/// and the command does not run one.
fn prune(cx: &Cx<'_>, stage: &Stage<'_>, words: &[String]) -> Option<String> {
    let ctx = cx.context?;
    let manifest = package_json(cx)?;
    let dev = manifest["devDependencies"]
        .as_object()
        .filter(|d| !d.is_empty())?;
    // The manager the lock file names, and that the stage itself runs.
    let (manager, command) =
        if ctx.is_file("package-lock.json") || ctx.is_file("npm-shrinkwrap.json") {
            ("npm", "npm prune --omit=dev")
        } else if ctx.is_file("pnpm-lock.yaml") {
            ("pnpm", "pnpm prune --prod")
        } else {
            return None;
        };
    let mut installs = false;
    let mut pruned = false;
    for c in calls(cx, stage, Some(manager)) {
        let first = c.args.first().map(String::as_str);
        installs |= matches!(first, Some("ci" | "install" | "i"));
        pruned |= first == Some("prune")
            || c.args
                .iter()
                .any(|a| matches!(a.as_str(), "--omit=dev" | "--production" | "--prod"));
    }
    if !installs {
        return None;
    }
    let runs = runs_words(&manifest, words);
    let uses_dev = runs.iter().any(|w| {
        dev.contains_key(*w) || dev.contains_key(w.trim_start_matches("node_modules/.bin/"))
    });
    stage.instructions.iter().rev().find(|i| i.is("run"))?;
    (!pruned && !uses_dev).then(|| format!("RUN {command}"))
}

/// package.json from the build context, parsed.
pub(super) fn package_json(cx: &Cx<'_>) -> Option<serde_json::Value> {
    serde_json::from_str(&context_text(cx, "package.json")?).ok()
}

/// Whether the command runs the package's start script (`npm start`,
/// `npm run start`, `yarn start --port 3000`).
fn is_start(words: &[String]) -> bool {
    words
        .first()
        .is_some_and(|w| matches!(w.as_str(), "npm" | "yarn" | "pnpm"))
        && words.iter().skip(1).any(|w| w == "start")
}

/// The package script a command runs: `npm run build:prod`, `yarn serve`,
/// `pnpm run x`.
fn run_script(words: &[String]) -> Option<&str> {
    match words {
        [m, run, name, ..] if matches!(m.as_str(), "npm" | "pnpm" | "yarn") && run == "run" => {
            Some(name)
        }
        [m, name, ..] if matches!(m.as_str(), "pnpm" | "yarn") && !name.starts_with('-') => {
            Some(name)
        }
        _ => None,
    }
}

/// The words the command runs: its own, or its start script's.
pub(super) fn runs_words<'a>(manifest: &'a serde_json::Value, words: &'a [String]) -> Vec<&'a str> {
    if is_start(words) {
        let start = manifest["scripts"]["start"].as_str().unwrap_or_default();
        start.split_whitespace().collect()
    } else {
        words.iter().map(String::as_str).collect()
    }
}
