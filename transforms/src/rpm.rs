#![doc = include_str!("../docs/dnf-yum-zypper.md")]

use dockopt_engine::{Cx, Edit, Finding, Fix, Fixes, Gain, Rule, Transform};
use dockopt_shell::Command;

use crate::run::{append, has_arg, insert_after, run, stage_runs, subcommand, Style};

pub struct RpmPackages;

const CODE: &str = "DKR004";
const NAME: &str = "dnf-yum-zypper";

const VALUE_OPTS: &[&str] = &[
    "-c",
    "--config",
    "--installroot",
    "--releasever",
    "--setopt",
    "--repo",
    "--enablerepo",
    "--disablerepo",
    "-x",
    "--exclude",
    "--root",
    "-R",
];

fn manager(c: &Command) -> Option<&'static str> {
    match c.name.text.rsplit('/').next()? {
        "dnf" | "dnf5" => Some("dnf"),
        "yum" => Some("yum"),
        "microdnf" => Some("microdnf"),
        "zypper" => Some("zypper"),
        _ => None,
    }
}

fn sub(c: &Command) -> Option<(usize, &str)> {
    let i = subcommand(c, VALUE_OPTS)?;
    Some((i, c.args[i].text.as_str()))
}

fn installs(c: &Command) -> bool {
    sub(c).is_some_and(|(_, s)| {
        matches!(
            s,
            "install"
                | "in"
                | "update"
                | "upgrade"
                | "up"
                | "reinstall"
                | "groupinstall"
                | "localinstall"
        )
    })
}

/// Appends the cache cleanup of each manager the RUN used, unless present.
fn cleanup(
    cx: &Cx<'_>,
    r: &crate::run::Run<'_>,
    used: &[&'static str],
    style: &Style,
    out: &mut Vec<Finding>,
) {
    let text = r.script.text();
    for &m in used {
        let cleaned = if m == "zypper" {
            text.contains("zypper clean")
                || text.contains("zypper cc")
                || text.contains("/var/cache/zypp")
        } else {
            text.contains(&format!("{m} clean all")) || text.contains(&format!("/var/cache/{m}"))
        };
        let mount = r.has_cache_mount(&format!(
            "/var/cache/{}",
            if m == "zypper" { "zypp" } else { m }
        ));
        if cleaned || mount {
            continue;
        }
        let clean = if m == "zypper" {
            "zypper clean --all".to_string()
        } else {
            format!("{m} clean all")
        };
        let f = Finding::new(
            CODE,
            NAME,
            format!("{m} caches stay in the layer: run `{clean}` in the same RUN"),
            r.inst.keyword_range(),
        );
        match append(cx, r, &clean, style) {
            Ok(e) => out.push(f.with_fix(Fix::safe(format!("Add {clean}"), vec![e]))),
            Err(why) => out.push(f.refused(format!("not cleaned: {why}"))),
        }
    }
}

static RULE: Rule = Rule {
    code: CODE,
    name: NAME,
    summary: "dnf, yum, microdnf and zypper: non-interactive, and caches cleaned in the same RUN",
    docs: include_str!("../docs/dnf-yum-zypper.md"),
    fixes: Fixes::Both,
    gain: Gain::Size,
};

impl Transform for RpmPackages {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let style = cx.model.style();
        for (_, insts) in stage_runs(cx) {
            for inst in insts.iter().filter(|i| i.is("run")) {
                let Some(r) = run(cx, inst) else { continue };
                let cmds = r.script.command_list();
                let mut used: Vec<&'static str> = Vec::new();
                for c in cmds {
                    let Some(m) = manager(c) else { continue };
                    if !installs(c) {
                        continue;
                    }
                    if !used.contains(&m) {
                        used.push(m);
                    }
                    let (si, verb) = sub(c).expect("installs");
                    let at = r.src(c.name.range.clone());
                    if m == "zypper" {
                        if !has_arg(c, &["-n", "--non-interactive", "-y", "--no-confirm"]) {
                            let f = Finding::new(
                                CODE,
                                NAME,
                                "zypper without -n can stop at a prompt",
                                at,
                            )
                            .with_gain(Gain::Correctness);
                            let edit = Edit::insert(at.end, " -n");
                            out.push(f.with_fix(Fix::safe("Add -n", vec![edit])));
                        }
                        if verb.starts_with("in") && !has_arg(c, &["--no-recommends"]) {
                            let f = Finding::new(
                                CODE,
                                NAME,
                                "zypper install also installs recommended packages",
                                at,
                            );
                            out.push(f.with_fix(Fix::unsafe_(
                                "Add --no-recommends",
                                vec![insert_after(&r, c, si, "--no-recommends")],
                            )));
                        }
                    } else {
                        if m != "microdnf" && !has_arg(c, &["-y", "--assumeyes"]) {
                            let f = Finding::new(
                                CODE,
                                NAME,
                                format!("{m} without -y stops at a prompt"),
                                at,
                            )
                            .with_gain(Gain::Correctness);
                            out.push(f.with_fix(Fix::safe(
                                "Add -y",
                                vec![insert_after(&r, c, si, "-y")],
                            )));
                        }
                        let weak_set = c.args.iter().any(|w| w.text.contains("install_weak_deps"));
                        if m != "yum" && !weak_set && matches!(verb, "install" | "in") {
                            let opt = if m == "microdnf" {
                                "--setopt=install_weak_deps=0"
                            } else {
                                "--setopt=install_weak_deps=False"
                            };
                            let f = Finding::new(
                                CODE,
                                NAME,
                                format!("{m} install also installs weak dependencies"),
                                at,
                            );
                            out.push(f.with_fix(Fix::unsafe_(
                                "Turn weak dependencies off",
                                vec![insert_after(&r, c, si, opt)],
                            )));
                        }
                    }
                }
                cleanup(cx, &r, &used, style, out);
            }
        }
    }
}
