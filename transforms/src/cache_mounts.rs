#![doc = include_str!("../docs/cache-mounts.md")]

use dockopt_engine::model::caches::{self, Tool};
use dockopt_engine::model::State;
use dockopt_engine::{Cx, Edit, Finding, Fix, Fixes, Gain, Rule, Transform};
use dockopt_shell::Command;
use dockopt_syntax::{Instruction, TextRange};

use crate::run::{run, stage_runs, subcommand, Run};
use crate::util::frontend_has;

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

/// A dependency pre-fetch: a step whose layer exists to keep the downloads
/// cached for the build after it (`mvn dependency:go-offline`, `gradle
/// dependencies`, `cargo fetch`). A cache mount would empty that layer, and
/// a builder without a persistent cache would download everything on every
/// build.
fn prefetch(c: &Command) -> bool {
    let n = c.name.text.rsplit('/').next().unwrap_or_default();
    let has = |f: &dyn Fn(&str) -> bool| c.args.iter().any(|a| f(&a.text));
    match n {
        "mvn" | "mvnw" => has(&|a| a.starts_with("dependency:") || a.ends_with(":go-offline")),
        "gradle" | "gradlew" => has(&|a| a == "dependencies" || a == "--refresh-dependencies"),
        "cargo" => subcommand(c, &[]).is_some_and(|i| c.args[i].text == "fetch"),
        _ => false,
    }
}

/// Whether the image's apt configuration keeps downloaded archives: the
/// Debian and Ubuntu images' `docker-clean` deletes them after every
/// install, which leaves an archive mount empty, unless a RUN removes it or
/// sets `Keep-Downloaded-Packages`.
fn apt_keeps_archives(texts: &[&str]) -> bool {
    texts.iter().any(|t| {
        t.contains("Keep-Downloaded-Packages") || (t.contains("docker-clean") && t.contains("rm "))
    })
}

/// The RUN, here or in a stage this one is built on, that already keeps
/// `tool`'s cache in a layer: a mount here would hide it.
fn cache_in_layer_below(cx: &Cx<'_>, inst: &Instruction<'_>, tool: &str) -> Option<u32> {
    let m = cx.model.inst(inst)?;
    let mut stage = m.stage;
    let mut before = m.index;
    while let Some(s) = stage {
        let info = &cx.model.stages[s];
        for i in cx.model.insts[info.insts.start..before.min(info.insts.end)]
            .iter()
            .rev()
        {
            let Some(r) = run(cx, &i.syntax) else {
                continue;
            };
            let fills = r.script.commands().iter().any(|c| {
                cache_for(c).is_some_and(|k| {
                    k.tool == tool
                        && targets(&k, &i.state)
                            .is_ok_and(|t| !t.iter().any(|t| r.cache_mount_covers(t)))
                })
            });
            if fills && cleanups(&r, tool).is_empty() {
                return Some(i.syntax.start_line());
            }
        }
        stage = info.base_stage();
        before = stage.map_or(0, |b| cx.model.stages[b].insts.end);
    }
    None
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
fn still_parses(cx: &Cx<'_>, text: &str, removed: &[std::ops::Range<usize>]) -> bool {
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
    // Through the model's cache: the script as the next round reads it.
    cx.model.parse(&out).is_some()
}

/// The mounts for `targets`, and the cleanup they make pointless removed.
fn mount_fix(
    cx: &Cx<'_>,
    inst: &Instruction<'_>,
    r: &Run<'_>,
    cache: &Cache,
    targets: &[String],
    mounted: bool,
) -> Result<Fix, String> {
    let sharing = if cache.sharing_locked {
        ",sharing=locked"
    } else {
        ""
    };
    let mounts: Vec<String> = targets
        .iter()
        .map(|t| format!("--mount=type=cache,target={t}{sharing}"))
        .collect();
    let removed = cleanups(r, cache.tool);
    // Deleting text across a comment line of the continuation would end
    // the RUN early; adding a mount next to the keyword is fine.
    if !removed.is_empty() && crate::util::has_inner_comments(inst) {
        return Err("no mount: the cleanup to drop sits among comment lines inside the RUN".into());
    }
    if !still_parses(cx, r.script.text(), &removed) {
        return Err("no mount: removing the cleanup would leave a broken script".into());
    }
    let kw = inst.keyword_range();
    let mut edits = Vec::new();
    if !mounted {
        edits.push(Edit::insert(kw.end, format!(" {}", mounts.join(" "))));
    }
    let src = cx.tree.source();
    let esc = cx.tree.escape();
    for range in removed {
        let mut start = r.src_at(range.start);
        let end = r.src_at(range.end - 1) + 1;
        // Also drop the line break and indentation before it.
        while start > 0
            && (matches!(src[start as usize - 1], b' ' | b'\t' | b'\n' | b'\r')
                || src[start as usize - 1] == esc)
        {
            start -= 1;
        }
        edits.push(Edit::delete(TextRange::new(start, end)));
    }
    Ok(Fix::unsafe_(
        format!("Mount a cache for {}", cache.tool),
        edits,
    ))
}

static RULE: Rule = Rule {
    code: CODE,
    name: NAME,
    summary: "BuildKit cache mounts instead of deleting package caches (opt-in)",
    docs: include_str!("../docs/cache-mounts.md"),
    fixes: Fixes::Unsafe,
    gain: Gain::Rebuild,
};

impl Transform for CacheMounts {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let frontend = frontend_has(cx.tree, 2, "cache mounts");
        for (_, insts) in stage_runs(cx) {
            for inst in &insts {
                let Some(m) = cx.model.inst(inst) else {
                    continue;
                };
                let Some(r) = run(cx, inst) else { continue };
                let mut seen: Vec<&str> = Vec::new();
                for c in r.script.commands() {
                    let Some(mut cache) = cache_for(c) else {
                        continue;
                    };
                    if seen.contains(&cache.tool) || prefetch(c) {
                        continue;
                    }
                    seen.push(cache.tool);
                    if cache.tool == "apt" && !apt_keeps_archives(&[r.script.text()]) {
                        cache.caches = &[Tool::AptLists];
                    }
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
                    if let Err(why) = &frontend {
                        out.push(f.refused(format!("no mount: {why}")));
                        continue;
                    }
                    if let Some(line) = cache_in_layer_below(cx, inst, cache.tool) {
                        out.push(f.refused(format!(
                            "no mount: the RUN at line {line} keeps the {} cache in a layer, which a mount here would hide",
                            cache.tool
                        )));
                        continue;
                    }
                    let Ok(targets) = targets else {
                        out.push(f.refused(
                            "no mount: where the cache is depends on something the Dockerfile does not say",
                        ));
                        continue;
                    };
                    match mount_fix(cx, inst, &r, &cache, &targets, mounted) {
                        Ok(fix) => out.push(f.with_fix(fix)),
                        Err(why) => out.push(f.refused(why)),
                    }
                }
            }
        }
    }
}
