#![doc = include_str!("../docs/cache-mounts.md")]

use dockopt_engine::model::caches::{self, Tool};
use dockopt_engine::model::State;
use dockopt_engine::{Cx, Edit, Finding, Fix, Fixes, Rule, Transform};
use dockopt_shell::Command;
use dockopt_syntax::TextRange;

use crate::run::{run, stage_runs, subcommand, Run};
use crate::util::{add_syntax_directive, syntax_directive};

pub struct CacheMounts;

const CODE: &str = "DKR012";
const NAME: &str = "cache-mounts";

/// A tool's caches, and whether concurrent builds must take turns.
struct Cache {
    tool: &'static str,
    caches: &'static [Tool],
    sharing_locked: bool,
}

fn cache_for(c: &Command) -> Option<Cache> {
    let n = c.name.text.rsplit('/').next()?;
    let verb = subcommand(c, &["-o", "-c", "-t"]).map(|i| c.args[i].text.as_str());
    let cache = |tool, caches, sharing_locked| {
        Some(Cache {
            tool,
            caches,
            sharing_locked,
        })
    };
    match (n, verb) {
        ("apt-get" | "apt", Some("install" | "update")) => {
            cache("apt", &[Tool::Apt, Tool::AptLists], true)
        }
        (p, Some("install")) if p.starts_with("pip") => cache("pip", &[Tool::Pip], false),
        ("npm", Some("install" | "i" | "ci")) => cache("npm", &[Tool::Npm], false),
        ("yarn", None | Some("install" | "add")) => cache("yarn", &[Tool::Yarn], false),
        ("pnpm", Some("install" | "i" | "add")) => cache("pnpm", &[Tool::Pnpm], false),
        ("go", Some("build" | "test" | "install")) => cache("go", &[Tool::GoBuild], false),
        ("cargo", Some("build" | "install" | "fetch")) => cache("cargo", &[Tool::Cargo], false),
        ("mvn" | "mvnw", _) => cache("maven", &[Tool::Maven], false),
        ("gradle" | "gradlew", _) => cache("gradle", &[Tool::Gradle], false),
        _ => None,
    }
}

/// Why a tool's cache gets no mount.
enum NoMount {
    /// The environment turns the cache off: a mount would stay empty.
    Off,
    /// Where the cache is depends on something the Dockerfile does not say.
    Unknown,
}

/// The folders to mount for a tool in the state the RUN runs in.
fn targets(cache: &Cache, state: &State) -> Result<Vec<String>, NoMount> {
    cache
        .caches
        .iter()
        .map(|&tool| match caches::cache(tool, state) {
            caches::Cache::Off(_) => Err(NoMount::Off),
            c @ caches::Cache::At(_) => c.known().map(str::to_string).ok_or(NoMount::Unknown),
        })
        .collect()
}

/// Cleanup that a cache mount makes pointless, as script ranges.
fn cleanups(r: &Run<'_>, tool: &str) -> Vec<std::ops::Range<usize>> {
    let text = r.script.text();
    let mut out = Vec::new();
    for c in r.script.commands() {
        let words: Vec<&str> = c.args.iter().map(|w| w.text.as_str()).collect();
        match tool {
            "pip" => out.extend(
                c.args
                    .iter()
                    .filter(|w| w.text == "--no-cache-dir")
                    .map(|w| w.range.start - 1..w.range.end),
            ),
            "apt"
                if c.name.text == "rm"
                    && words.iter().any(|w| w.starts_with("/var/lib/apt/lists")) =>
            {
                out.push(c.range.clone());
            }
            "npm" if c.name.text == "npm" && words.first() == Some(&"cache") => {
                out.push(c.range.clone());
            }
            "yarn" if c.name.text == "yarn" && words.first() == Some(&"cache") => {
                out.push(c.range.clone());
            }
            "pnpm" if c.name.text == "pnpm" && words.first() == Some(&"store") => {
                out.push(c.range.clone());
            }
            _ => {}
        }
    }
    // A whole command: also drop the `&&` that joined it to the previous one.
    out.into_iter()
        .map(|r| {
            if text[r.clone()].starts_with("--") {
                return r;
            }
            // Take the separator before the command with it.
            let before = text[..r.start].trim_end();
            if before.ends_with("&&") {
                before.len() - 2..r.end
            } else if before.ends_with(';') {
                before.len() - 1..r.end
            } else {
                r
            }
        })
        .collect()
}

/// Whether the script still parses with the ranges removed.
fn still_parses(text: &str, removed: &[std::ops::Range<usize>]) -> bool {
    let mut sorted = removed.to_vec();
    sorted.sort_by_key(|r| r.start);
    let mut out = String::new();
    let mut at = 0;
    for r in sorted {
        if r.start < at {
            return false;
        }
        out.push_str(&text[at..r.start]);
        at = r.end;
    }
    out.push_str(&text[at..]);
    dockopt_shell::Script::parse(&out).is_ok()
}

static RULE: Rule = Rule {
    code: CODE,
    name: NAME,
    summary: "BuildKit cache mounts instead of deleting package caches (opt-in)",
    docs: include_str!("../docs/cache-mounts.md"),
    fixes: Fixes::Unsafe,
};

impl Transform for CacheMounts {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let has_syntax = syntax_directive(cx.tree).is_some();
        for (_, insts) in stage_runs(cx) {
            for inst in &insts {
                let Some(m) = cx.model.inst(inst) else {
                    continue;
                };
                let Some(r) = run(cx, inst) else { continue };
                let mut seen: Vec<&str> = Vec::new();
                for c in r.script.commands() {
                    let Some(cache) = cache_for(c) else { continue };
                    if seen.contains(&cache.tool) {
                        continue;
                    }
                    seen.push(cache.tool);
                    let targets = targets(&cache, &m.state);
                    let mounted = match &targets {
                        Ok(t) => t.iter().any(|t| r.cache_mount_covers(t)),
                        Err(_) => false,
                    };
                    if mounted && cleanups(&r, cache.tool).is_empty() {
                        continue;
                    }
                    if matches!(targets, Err(NoMount::Off)) {
                        continue;
                    }
                    let f = Finding::new(
                        CODE,
                        NAME,
                        format!(
                            "{} could keep its cache in a BuildKit cache mount",
                            cache.tool
                        ),
                        r.src(c.name.range.clone()),
                    );
                    if !m.state.is_root() {
                        out.push(f.refused("no mount: a non-root USER is in force"));
                        continue;
                    }
                    let Ok(targets) = targets else {
                        out.push(f.refused(
                            "no mount: where the cache is depends on something the Dockerfile does not say",
                        ));
                        continue;
                    };
                    if crate::util::has_inner_comments(inst) {
                        out.push(f.refused("no mount: comment lines inside the RUN"));
                        continue;
                    }
                    let mounts: Vec<String> = targets
                        .iter()
                        .map(|t| {
                            format!(
                                "--mount=type=cache,target={t}{}",
                                if cache.sharing_locked {
                                    ",sharing=locked"
                                } else {
                                    ""
                                }
                            )
                        })
                        .collect();
                    let removed = cleanups(&r, cache.tool);
                    if !still_parses(r.script.text(), &removed) {
                        out.push(
                            f.refused("no mount: removing the cleanup would leave a broken script"),
                        );
                        continue;
                    }
                    let kw = inst.keyword_range();
                    let mut edits = Vec::new();
                    if !mounted {
                        edits.push(Edit::insert(kw.end, format!(" {}", mounts.join(" "))));
                    }
                    for range in removed {
                        let mut start = r.src_at(range.start);
                        let end = r.src_at(range.end - 1) + 1;
                        // Also drop the line break and indentation before it.
                        let src = cx.tree.source();
                        let esc = cx.tree.escape();
                        while start > 0
                            && (matches!(src[start as usize - 1], b' ' | b'\t' | b'\n' | b'\r')
                                || src[start as usize - 1] == esc)
                        {
                            start -= 1;
                        }
                        edits.push(Edit::delete(TextRange::new(start, end)));
                    }
                    if !has_syntax && !mounted {
                        edits.push(add_syntax_directive(cx.tree));
                    }
                    out.push(f.with_fix(Fix::unsafe_(
                        format!("Mount a cache for {}", cache.tool),
                        edits,
                    )));
                }
            }
        }
    }
}
