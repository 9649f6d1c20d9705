#![doc = include_str!("../docs/non-root-user.md")]

use dockopt_engine::image::ImageRef;
use dockopt_engine::model::{Base, Certainty, Model, State};
use dockopt_engine::{Cx, Edit, Finding, Fix, Fixes, Gain, Rule, Severity, Transform};
use dockopt_shell::Script;
use dockopt_syntax::{Instruction, SyntaxTree};

use crate::util::same_case;

pub struct NonRootUser;

const CODE: &str = "DKR016";
const NAME: &str = "non-root-user";

/// Programs that need root, or switch users themselves, when the container
/// starts: package managers, privilege tools, daemons that bind low ports
/// or write system paths.
const ROOT_TOOLS: &[&str] = &[
    "apt-get",
    "apt",
    "aptitude",
    "dpkg",
    "apk",
    "yum",
    "dnf",
    "microdnf",
    "zypper",
    "rpm",
    "sudo",
    "su",
    "gosu",
    "su-exec",
    "setpriv",
    "runuser",
    "chroot",
    "mount",
    "sysctl",
    "setcap",
    "useradd",
    "adduser",
    "groupadd",
    "addgroup",
    "usermod",
    "chown",
    "service",
    "systemctl",
    "nginx",
    "apache2",
    "apache2ctl",
    "httpd",
    "sshd",
    "cron",
    "crond",
    "rsyslogd",
    "dockerd",
    "iptables",
    "update-ca-certificates",
    "ldconfig",
];

/// Commands that write the paths they are given.
const WRITERS: &[&str] = &[
    "cp", "mv", "rm", "mkdir", "touch", "ln", "tee", "install", "chmod", "truncate", "rsync",
];

/// Directories only root may write in a stock image.
const SYSTEM: &[&str] = &[
    "/etc", "/usr", "/bin", "/sbin", "/lib", "/lib64", "/opt", "/var", "/root", "/boot", "/srv",
    "/sys", "/proc",
];

/// Whether a path is one only root may write: a system directory, or
/// inside one (`/var/tmp` is everyone's).
fn system_path(p: &str) -> bool {
    let p = p.trim_matches(['"', '\'']);
    p == "/"
        || (!p.starts_with("/var/tmp")
            && SYSTEM
                .iter()
                .any(|s| p == *s || p.starts_with(&format!("{s}/"))))
}

/// The user convention of a base image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    /// Official Node images: the `node` user exists.
    Node,
    /// Distroless: `nonroot` exists; there is no shell.
    Distroless,
    /// Debian and Ubuntu based: `useradd`.
    Debian,
    /// Alpine based: BusyBox `adduser`.
    Alpine,
}

/// Official images built on Debian or Ubuntu (Alpine when the tag says so).
const DEBIAN_BASED: &[&str] = &[
    "debian",
    "ubuntu",
    "python",
    "golang",
    "ruby",
    "rust",
    "php",
    "perl",
    "openjdk",
    "eclipse-temurin",
    "amazoncorretto",
    "buildpack-deps",
    "gcc",
    "node",
    "alpine",
];

/// Images that already run as a user other than root.
fn non_root_by_default(img: &ImageRef) -> bool {
    let repo = img.repository();
    let tag = img.tag_or_latest();
    (repo.starts_with("gcr.io/distroless/") && tag.contains("nonroot"))
        || repo.starts_with("cgr.dev/chainguard/") && !tag.contains("-dev")
        || repo.starts_with("docker.io/bitnami/")
        || repo.ends_with("-unprivileged")
}

fn family(img: &ImageRef) -> Option<Family> {
    let repo = img.repository();
    if repo.starts_with("gcr.io/distroless/") {
        return Some(Family::Distroless);
    }
    let name = repo.strip_prefix("docker.io/library/")?;
    if !DEBIAN_BASED.contains(&name) {
        return None;
    }
    let tag = img.tag_or_latest();
    if tag.contains("windows") || tag.contains("nanoserver") || tag.contains("servercore") {
        return None;
    }
    Some(if name == "node" {
        Family::Node
    } else if name == "alpine" || tag.contains("alpine") {
        Family::Alpine
    } else {
        Family::Debian
    })
}

/// Whether a USER value is root; `None` when it depends on a variable.
fn is_root(user: &str) -> Option<bool> {
    if user.contains('$') {
        return None;
    }
    let name = user.split(':').next().unwrap_or(user).trim();
    Some(name == "root" || name == "0")
}

/// The target stage and the stages it is built on, target first.
fn chain(model: &Model<'_>) -> Vec<usize> {
    let Some(mut cur) = model.target else {
        return Vec::new();
    };
    let mut out = vec![cur];
    while let Some(parent) = model.stages[cur].base_stage() {
        if out.contains(&parent) {
            break;
        }
        out.push(parent);
        cur = parent;
    }
    out
}

/// Instructions of the chain after their FROMs, in build order.
fn in_order<'a>(model: &Model<'a>, chain: &[usize]) -> Vec<Instruction<'a>> {
    chain
        .iter()
        .rev()
        .flat_map(|&i| model.body(i).iter().map(|x| x.syntax))
        .collect()
}

/// Why a shell script needs root at run time, if it seems to.
fn script_needs_root(text: &str) -> Option<String> {
    let Ok(script) = Script::parse(text) else {
        return None;
    };
    for w in text.split_whitespace() {
        if matches!(w, "sudo" | "su" | "gosu" | "su-exec") {
            return Some(format!("it runs `{w}`"));
        }
    }
    for c in script.commands() {
        let name = c.name.text.rsplit('/').next().unwrap_or(&c.name.text);
        if ROOT_TOOLS.contains(&name) {
            return Some(format!("it runs `{name}`"));
        }
        let sed_in_place = name == "sed" && c.args.iter().any(|a| a.text.starts_with("-i"));
        if WRITERS.contains(&name) || sed_in_place {
            if let Some(p) = c
                .args
                .iter()
                .map(|a| a.text.as_str())
                .find(|a| system_path(a))
            {
                return Some(format!("`{name}` writes {p}"));
            }
        }
        if let Some(p) = low_port(c.args.iter().map(|a| a.text.as_str())) {
            return Some(format!("it listens on port {p}"));
        }
    }
    // Redirections are not arguments: look for `> /etc/...`.
    let bytes = text.as_bytes();
    for (i, _) in text.match_indices('>') {
        let rest = text[i + 1..].trim_start_matches('>').trim_start();
        let target = rest.split_whitespace().next().unwrap_or("");
        if target.starts_with('/') && system_path(target) && !target.starts_with("/dev/") {
            let _ = bytes;
            return Some(format!("it writes {target}"));
        }
    }
    None
}

/// A port below 1024 named by common flags or `host:port` words.
fn low_port<'a>(words: impl Iterator<Item = &'a str>) -> Option<u16> {
    let low = |s: &str| {
        s.trim_matches(['"', '\''])
            .parse::<u16>()
            .ok()
            .filter(|p| *p < 1024 && *p > 0)
    };
    let mut prev = "";
    for w in words {
        let w = w.trim_matches(['"', '\'']);
        if matches!(
            prev,
            "--port" | "-p" | "--listen" | "--bind" | "-b" | "--http-port"
        ) {
            if let Some(p) = low(w.rsplit(':').next().unwrap_or(w)) {
                return Some(p);
            }
        }
        if let Some((k, v)) = w.split_once('=') {
            if matches!(k, "--port" | "--listen" | "--bind" | "--http-port") {
                if let Some(p) = low(v.rsplit(':').next().unwrap_or(v)) {
                    return Some(p);
                }
            }
        }
        if let Some((host, port)) = w.rsplit_once(':') {
            let hostish = host.is_empty()
                || host == "localhost"
                || host.chars().all(|c| c.is_ascii_digit() || c == '.')
                || host.ends_with("//0.0.0.0")
                || host.ends_with("//localhost");
            if hostish {
                if let Some(p) = low(port) {
                    return Some(p);
                }
            }
        }
        prev = w;
    }
    None
}

/// The argv of CMD or ENTRYPOINT, and the shell script when the command is
/// one (shell form, or `sh -c '...'`).
fn command_parts(inst: &Instruction<'_>) -> (Vec<String>, Option<String>) {
    let values = inst.values().to_vec();
    if !inst.is_json() {
        let script = values.first().cloned().unwrap_or_default();
        return (Vec::new(), Some(script));
    }
    let shell = values
        .first()
        .is_some_and(|p| matches!(p.rsplit('/').next(), Some("sh" | "bash" | "ash" | "dash")));
    if shell && values.get(1).is_some_and(|f| f == "-c") {
        return (Vec::new(), values.get(2).cloned());
    }
    (values, None)
}

/// The context file a COPY or ADD put at `image_path`, if one did.
fn copied_from_context(order: &[Instruction<'_>], image_path: &str) -> Option<String> {
    let mut workdir = String::from("/");
    let mut found = None;
    for inst in order {
        if inst.is("workdir") {
            if let Some(w) = inst.values().first() {
                workdir = if w.starts_with('/') {
                    w.clone()
                } else {
                    format!("{}/{w}", workdir.trim_end_matches('/'))
                };
            }
            continue;
        }
        if !(inst.is("copy") || inst.is("add")) || inst.flag("from").is_some() {
            continue;
        }
        let Some((dest, srcs)) = inst.values().split_last() else {
            continue;
        };
        let dest_abs = if dest.starts_with('/') {
            dest.clone()
        } else {
            format!("{}/{dest}", workdir.trim_end_matches('/'))
        };
        let target = if image_path.starts_with('/') {
            image_path.to_string()
        } else {
            format!("{}/{image_path}", workdir.trim_end_matches('/'))
        };
        let dest_dir = dest_abs.trim_end_matches('/');
        for src in srcs {
            let src_clean = src.trim_start_matches("./").trim_end_matches('/');
            let base = src_clean.rsplit('/').next().unwrap_or(src_clean);
            if target == dest_dir && !dest.ends_with('/') && srcs.len() == 1 {
                found = Some(src_clean.to_string());
            } else if let Some(rel) = target.strip_prefix(&format!("{dest_dir}/")) {
                if rel == base {
                    found = Some(src_clean.to_string());
                }
                // A directory copied whole (`COPY . /app`).
                let dir = if src_clean.is_empty() || src_clean == "." {
                    String::new()
                } else {
                    format!("{src_clean}/")
                };
                found.get_or_insert_with(|| format!("{dir}{rel}"));
            }
        }
    }
    found
}

/// Why a shell script the command runs, copied in from the build context,
/// needs root; or that it cannot be read.
fn context_scripts(
    cx: &Cx<'_>,
    order: &[Instruction<'_>],
    argv: &[String],
    script: Option<&str>,
) -> Option<String> {
    // (word, whether it is a program name, looked up on PATH)
    let mut programs: Vec<(String, bool)> = argv
        .iter()
        .take(2)
        .enumerate()
        .map(|(i, w)| (w.clone(), i == 0))
        .collect();
    if let Some(s) = script {
        if let Ok(parsed) = Script::parse(s) {
            for c in parsed.commands() {
                programs.push((c.name.text.clone(), true));
                programs.extend(c.args.first().map(|a| (a.text.clone(), false)));
            }
        }
    }
    for (p, program) in programs {
        let found = if program && !p.contains('/') {
            [
                "/usr/local/sbin",
                "/usr/local/bin",
                "/usr/sbin",
                "/usr/bin",
                "/sbin",
                "/bin",
            ]
            .iter()
            .find_map(|d| copied_from_context(order, &format!("{d}/{p}")))
        } else {
            copied_from_context(order, &p)
        };
        let Some(src) = found else {
            continue;
        };
        let Some(bytes) = cx.context.and_then(|ctx| ctx.read(&src)) else {
            // A script the image runs that dockopt cannot read is where
            // entrypoints switch users (gosu, su-exec).
            let sh = std::path::Path::new(&p)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("sh"));
            if sh || p.contains("entrypoint") {
                return Some(format!(
                    "it runs {p}, and dockopt cannot read it in the build context"
                ));
            }
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let shell = text.starts_with("#!/bin/sh")
            || text.starts_with("#!/bin/bash")
            || text.starts_with("#!/usr/bin/env sh")
            || text.starts_with("#!/usr/bin/env bash")
            || std::path::Path::new(&src)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("sh"));
        if shell {
            if let Some(why) = script_needs_root(&text) {
                return Some(format!("{src}, which it runs, needs root: {why}"));
            }
        }
    }
    None
}

/// Why the image's command seems to need root.
fn needs_root(cx: &Cx<'_>, order: &[Instruction<'_>]) -> Option<String> {
    for inst in order {
        if inst.is("expose") {
            for v in inst.values() {
                let port = v.split('/').next().unwrap_or(v);
                if port.parse::<u16>().is_ok_and(|p| p < 1024) {
                    return Some(format!("it exposes port {port}, below 1024"));
                }
            }
        }
        if inst.is("env") {
            let v = inst.values();
            for pair in v.chunks(2) {
                if let [k, val] = pair {
                    if (k == "PORT" || k.ends_with("_PORT"))
                        && val.parse::<u16>().is_ok_and(|p| p < 1024 && p > 0)
                    {
                        return Some(format!("{k}={val} is below 1024"));
                    }
                }
            }
        }
    }
    let commands: Vec<&Instruction<'_>> = order
        .iter()
        .filter(|i| i.is("cmd") || i.is("entrypoint") || i.is("healthcheck"))
        .collect();
    for inst in commands {
        let (argv, script) = if inst.is("healthcheck") {
            // HEALTHCHECK CMD ...: values are the command after `CMD`.
            let v = inst.values();
            match v.first().map(String::as_str) {
                Some("CMD-SHELL") => (Vec::new(), v.get(1).cloned()),
                Some("CMD") => (v[1..].to_vec(), None),
                _ => continue,
            }
        } else {
            command_parts(inst)
        };
        if let Some(s) = &script {
            if let Some(why) = script_needs_root(s) {
                return Some(format!("its command needs root: {why}"));
            }
        }
        if !argv.is_empty() {
            let name = argv[0].rsplit('/').next().unwrap_or(&argv[0]);
            if ROOT_TOOLS.contains(&name) {
                return Some(format!("its command needs root: it runs `{name}`"));
            }
            if let Some(p) = low_port(argv.iter().map(String::as_str)) {
                return Some(format!("its command listens on port {p}"));
            }
        }
        if let Some(why) = context_scripts(cx, order, &argv, script.as_deref()) {
            return Some(why);
        }
    }
    None
}

/// The working directory the app may write to, when it is the app's own
/// and known.
fn workdir(state: &State) -> Option<String> {
    let d = state.workdir.known()?.trim_end_matches('/').to_string();
    let mine = !d.is_empty()
        && !d.contains('$')
        && !d.contains(char::is_whitespace)
        && ![
            "/usr",
            "/usr/local",
            "/usr/local/bin",
            "/usr/bin",
            "/usr/lib",
            "/usr/sbin",
            "/bin",
            "/sbin",
            "/lib",
            "/etc",
            "/var",
            "/opt",
            "/root",
            "/home",
            "/tmp",
            "/srv",
        ]
        .contains(&d.as_str())
        && !d.starts_with("/etc/")
        && !d.starts_with("/proc")
        && !d.starts_with("/sys");
    mine.then_some(d)
}

fn volumes(order: &[Instruction<'_>]) -> Vec<String> {
    order
        .iter()
        .filter(|i| i.is("volume"))
        .flat_map(|i| i.values().iter().cloned())
        .collect()
}

/// Instructions that only set metadata: the user goes in before a trailing
/// run of them, next to the command it is for. (WORKDIR and ENV are not
/// among them: WORKDIR creates its directory as the current user.)
const METADATA: &[&str] = &[
    "cmd",
    "entrypoint",
    "expose",
    "healthcheck",
    "label",
    "stopsignal",
    "volume",
    "maintainer",
];

/// Where the user goes: before the final stage's trailing metadata and the
/// comments right above it, else after its last instruction. Also the
/// line break to put first, for a file that does not end with one.
fn insertion_point(
    tree: &SyntaxTree,
    from: &Instruction<'_>,
    body: &[Instruction<'_>],
) -> (u32, &'static str) {
    let trailing = body
        .iter()
        .rev()
        .take_while(|i| METADATA.iter().any(|k| i.is(k)))
        .last();
    let Some(first) = trailing else {
        let end = body.last().unwrap_or(from).range().end;
        let nl = if tree.source().get(end as usize - 1) == Some(&b'\n') {
            ""
        } else {
            "\n"
        };
        return (end, nl);
    };
    let mut at = first.range().start;
    for item in tree.items().iter().rev() {
        if item.range.end == at && item.kind == dockopt_syntax::ItemKind::Comment {
            at = item.range.start;
        }
    }
    (at, "")
}

/// The text to append, in the file's keyword case.
fn addition(tree: &SyntaxTree, fam: Family, dirs: &[String], kw: &str) -> String {
    let run = same_case(kw, "RUN");
    let user_kw = same_case(kw, "USER");
    let chown = |user: &str| {
        if dirs.is_empty() {
            String::new()
        } else {
            format!(" && chown {user}:{user} {}", dirs.join(" "))
        }
    };
    let _ = tree;
    match fam {
        Family::Node => {
            if dirs.is_empty() {
                format!("{user_kw} node\n")
            } else {
                format!("{run} chown node:node {}\n{user_kw} node\n", dirs.join(" "))
            }
        }
        Family::Distroless => format!("{user_kw} nonroot\n"),
        Family::Debian => format!(
            "{run} useradd --system --user-group --create-home app{}\n{user_kw} app\n",
            chown("app")
        ),
        Family::Alpine => format!(
            "{run} addgroup -S app && adduser -S -G app app{}\n{user_kw} app\n",
            chown("app")
        ),
    }
}

static RULE: Rule = Rule {
    code: CODE,
    name: NAME,
    summary: "Run the final stage as a user other than root (opt-in)",
    docs: include_str!("../docs/non-root-user.md"),
    fixes: Fixes::Unsafe,
    gain: Gain::Correctness,
};

impl Transform for NonRootUser {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn default_enabled(&self) -> bool {
        false
    }

    #[allow(clippy::too_many_lines)]
    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let chain = chain(model);
        let (Some(&t), Some(&root)) = (chain.first(), chain.last()) else {
            return;
        };
        let order = in_order(model, &chain);
        let end = &model.end_states[t];
        let from = model.stage_insts(t)[0].syntax;
        let body: Vec<Instruction<'_>> = model.body(t).iter().map(|x| x.syntax).collect();
        let users: Vec<&Instruction<'_>> = order.iter().filter(|i| i.is("user")).collect();
        let base = match &model.stages[root].base {
            Base::Image(r) => r.as_str(),
            Base::Scratch => "scratch",
            Base::Stage(_) => return,
        };
        let image = ImageRef::parse(base).ok();
        if end.user.certainty == Certainty::Unknown || end.user.text.contains('$') {
            return;
        }
        if !end.is_root() {
            return;
        }
        let range = if let Some(u) = users.last() {
            u.range()
        } else {
            if base.contains('$') || image.as_ref().is_some_and(non_root_by_default) {
                return;
            }
            from.keyword_range()
        };
        // Running as root is a problem whether or not dockopt can fix it.
        let finding = Finding::new(
            CODE,
            NAME,
            "the final stage runs as root: a process that is broken into owns the whole container",
            range,
        )
        .with_severity(Severity::Warning);
        let (at, newline) = insertion_point(cx.tree, &from, &body);
        let kw = from.keyword();
        // `USER root` after an earlier user: switch back to that user.
        let earlier = users
            .iter()
            .rev()
            .filter_map(|u| u.values().first())
            .find(|v| is_root(v) == Some(false));
        let refuse = |why: String| finding.clone().refused(why);
        if let Some(v) = order
            .iter()
            .find(|i| i.is("volume") && i.range().start < at)
        {
            out.push(refuse(format!(
                "later build steps follow `{}`, and a chown after it may be discarded",
                String::from_utf8_lossy(cx.tree.text(v.range())).trim_end()
            )));
            return;
        }
        if let Some(why) = needs_root(cx, &order) {
            out.push(refuse(why));
            return;
        }
        if !order.iter().any(|i| i.is("cmd") || i.is("entrypoint")) {
            out.push(refuse(
                "the command comes from the base image, and dockopt cannot tell whether it needs root".into(),
            ));
            return;
        }
        if let Some(user) = earlier {
            let text = format!("{newline}{} {user}\n", same_case(kw, "USER"));
            out.push(finding.with_fix(Fix::unsafe_(
                format!("Switch back to {user} at the end"),
                vec![Edit::insert(at, text)],
            )));
            return;
        }
        if base.eq_ignore_ascii_case("scratch") {
            out.push(refuse(
                "scratch has no users; if the program needs no root, add `USER 65532:65532`".into(),
            ));
            return;
        }
        let Some(fam) = image.as_ref().and_then(family) else {
            out.push(refuse(format!(
                "dockopt knows no user convention for {base}"
            )));
            return;
        };
        let mut dirs: Vec<String> = workdir(end).into_iter().collect();
        for v in volumes(&order) {
            if !dirs.contains(&v) {
                dirs.push(v);
            }
        }
        if fam == Family::Distroless && order.iter().any(|i| i.is("volume")) {
            out.push(refuse(
                "the image has a volume, and distroless has no shell to give it to nonroot".into(),
            ));
            return;
        }
        if fam == Family::Distroless {
            dirs.clear();
        }
        let text = format!("{newline}{}", addition(cx.tree, fam, &dirs, kw));
        let who = match fam {
            Family::Node => "node",
            Family::Distroless => "nonroot",
            Family::Debian | Family::Alpine => "app",
        };
        out.push(finding.with_fix(Fix::unsafe_(
            format!("Run as {who}"),
            vec![Edit::insert(at, text)],
        )));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_and_paths() {
        assert_eq!(low_port(["--bind", "0.0.0.0:80"].into_iter()), Some(80));
        assert_eq!(low_port(["--port=443"].into_iter()), Some(443));
        assert_eq!(low_port(["-p", "8080"].into_iter()), None);
        assert_eq!(low_port(["http://0.0.0.0:80"].into_iter()), Some(80));
        assert_eq!(low_port(["redis:6379", "a:1"].into_iter()), None);
        assert!(system_path("/etc/nginx/conf.d/x") && system_path("/usr"));
        assert!(!system_path("/app/data") && !system_path("/var/tmp/x") && !system_path("/tmp/x"));
        assert!(script_needs_root("sed -i s/a/b/ /etc/hosts && exec app").is_some());
        assert!(script_needs_root("echo 1 > /etc/motd; app").is_some());
        assert!(script_needs_root("apt-get update && exec app").is_some());
        assert!(script_needs_root("exec gosu app \"$@\"").is_some());
        assert!(script_needs_root("echo hi > /tmp/x 2>/dev/null && exec node server.js").is_none());
    }

    #[test]
    fn copies_are_traced_back_to_the_context() {
        let tree = dockopt_syntax::parse(
            "FROM debian\nWORKDIR /app\nCOPY bin/start.sh /usr/local/bin/\nCOPY . .\nADD run.sh /run.sh\n",
        );
        let order: Vec<_> = tree.stages()[0].instructions.clone();
        assert_eq!(
            copied_from_context(&order, "/usr/local/bin/start.sh").as_deref(),
            Some("bin/start.sh")
        );
        assert_eq!(
            copied_from_context(&order, "./entry.sh").as_deref(),
            Some("entry.sh")
        );
        assert_eq!(
            copied_from_context(&order, "/run.sh").as_deref(),
            Some("run.sh")
        );
        assert_eq!(copied_from_context(&order, "/opt/x"), None);
    }
}
