//! System packages: which of the stage's packages only the build needs,
//! which the program needs at run time, and the run-time libraries of the
//! headers it was built against. The knowledge is data
//! (`runtime-packages.yaml`); what it does not cover is refused.

use dockopt_engine::Cx;
use dockopt_syntax::Stage;

use super::files::{calls, redirects, Call};
use crate::runtimes::{Distro, Family, Packages};

/// The stage's system packages, sorted out.
#[derive(Default, Debug)]
pub(super) struct System {
    /// Packages to install in the runtime stage, in order, once each.
    pub runtime: Vec<String>,
    /// Every package the stage installs.
    pub installed: Vec<String>,
    /// Whether the stage installs compilers or headers.
    pub build_tools: bool,
}

impl System {
    pub fn add(&mut self, package: &str) {
        if !self.runtime.iter().any(|p| p == package) {
            self.runtime.push(package.to_string());
        }
    }
}

/// Whether a call installs packages, and which (with `--virtual` build
/// groups on Alpine left out of the second list).
fn installs(c: &Call) -> Option<(Vec<String>, Vec<String>)> {
    let name = c.name.rsplit('/').next().unwrap_or_default();
    let verb = match name {
        "apt-get" | "apt" | "dnf" | "yum" | "microdnf" => "install",
        "apk" => "add",
        _ => return None,
    };
    let at = c.args.iter().position(|a| a == verb)?;
    let mut all = Vec::new();
    let mut kept = Vec::new();
    let mut virtual_group = false;
    let mut it = c.args[at + 1..].iter().peekable();
    while let Some(a) = it.next() {
        if name == "apk" && matches!(a.as_str(), "--virtual" | "-t") {
            virtual_group = true;
            it.next();
            continue;
        }
        if a.starts_with("--virtual=") {
            virtual_group = true;
            continue;
        }
        if matches!(
            a.as_str(),
            "-o" | "--option" | "-t" | "--target-release" | "--repository" | "-X"
        ) {
            it.next();
            continue;
        }
        if a.starts_with('-') {
            continue;
        }
        // `pkg=1.2`, `pkg>=1.2` on apk: the name.
        let pkg = a
            .split(['=', '<', '>', '~'])
            .next()
            .unwrap_or(a)
            .trim_end_matches(":amd64")
            .to_string();
        all.push(pkg.clone());
        if !virtual_group {
            kept.push(pkg);
        }
    }
    Some((all, kept))
}

/// Whether a path configures where packages come from.
fn source_config(path: &str) -> bool {
    ["/etc/apt/", "/etc/apk/repositories", "/usr/share/keyrings/"]
        .iter()
        .any(|p| path.starts_with(p))
}

/// Whether a command changes where packages come from.
fn changes_sources(c: &Call) -> bool {
    let name = c.name.rsplit('/').next().unwrap_or_default();
    matches!(name, "add-apt-repository" | "apt-key") || c.args.iter().any(|a| source_config(a))
}

/// Sorts the stage's packages. `used` says whether a build step runs one
/// of the commands a tool is used by.
pub(super) fn system(
    cx: &Cx<'_>,
    stage: &Stage<'_>,
    table: &Packages,
    family: Family,
) -> Result<System, String> {
    let distro = table.distro(family);
    let all = calls(cx, stage, None);
    let mut out = System::default();
    // The first line from which packages may come from a source the
    // runtime base does not have.
    let redirected = redirects(cx, stage)
        .into_iter()
        .filter(|(_, p)| source_config(p))
        .map(|(line, _)| line);
    let sources_from = all
        .iter()
        .filter(|c| changes_sources(c))
        .map(|c| c.line)
        .chain(redirected)
        .min();
    for (k, c) in all.iter().enumerate() {
        let sources_changed = sources_from.is_some_and(|l| l <= c.line);
        let Some((every, kept)) = installs(c) else {
            continue;
        };
        let fam = match c.name.rsplit('/').next().unwrap_or_default() {
            "apk" => Family::Alpine,
            "apt-get" | "apt" => Family::Debian,
            other => {
                return Err(format!(
                "the RUN at line {} installs packages with {other}, which dockopt does not sort",
                c.line
            ))
            }
        };
        if fam != family {
            return Err(format!(
                "the RUN at line {} installs packages with {}, on a base that uses the other package manager",
                c.line, c.name
            ));
        }
        out.installed.extend(every.iter().cloned());
        for p in &every {
            // Compilers and headers; not tools such as curl or git.
            if is_dev(p) || (distro.build_only(p) && !distro.used_by.contains_key(p)) {
                out.build_tools = true;
            }
        }
        for p in &every {
            let declared_build = !kept.contains(p) && !distro.dev.contains_key(p) && !is_dev(p);
            if declared_build {
                continue;
            }
            for r in runtime_of(distro, p, &all[k + 1..], c.line)? {
                if sources_changed {
                    return Err(format!(
                        "{r} is needed at run time, and the stage adds the package source it may come from"
                    ));
                }
                out.add(&r);
            }
        }
    }
    Ok(out)
}

/// Whether a package name is a header package.
fn is_dev(p: &str) -> bool {
    p.ends_with("-dev") || p.ends_with("-devel") || p.contains("-dev-")
}

/// What the runtime stage needs for one package the stage installs: the
/// package itself, nothing (build-only), or its run-time libraries.
fn runtime_of(distro: &Distro, p: &str, later: &[Call], line: u32) -> Result<Vec<String>, String> {
    if let Some(libs) = distro.dev.get(p) {
        return Ok(libs.clone());
    }
    if distro.build_only(p) {
        let used = match distro.used_by.get(p) {
            None => true,
            Some(commands) => later.iter().any(|c| {
                let n = c.name.rsplit('/').next().unwrap_or_default();
                commands.iter().any(|x| x == n)
            }),
        };
        return Ok(if used {
            Vec::new()
        } else {
            vec![p.to_string()]
        });
    }
    if is_dev(p) {
        return Err(format!(
            "the RUN at line {line} installs {p}, whose run-time library is not in dockopt's table"
        ));
    }
    Ok(vec![p.to_string()])
}

/// The RUN line that installs `packages` in the runtime stage.
pub(super) fn install_line(family: Family, packages: &[String]) -> Option<String> {
    if packages.is_empty() {
        return None;
    }
    let list = packages.join(" ");
    Some(match family {
        Family::Debian => format!(
            "RUN apt-get update \\\n    && apt-get install -y --no-install-recommends {list} \\\n    && rm -rf /var/lib/apt/lists/*"
        ),
        Family::Alpine => format!("RUN apk add --no-cache {list}"),
    })
}

/// The run-time packages the dependencies a manifest names need, from the
/// table; `Err` for one the table marks as unknown on this distribution.
pub(super) fn for_dependencies<'a>(
    table: &std::collections::BTreeMap<String, crate::runtimes::PerDistro<Vec<String>>>,
    deps: impl Iterator<Item = &'a str>,
    family: Family,
) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for d in deps {
        let key = normalize(d);
        let Some(entry) = table.get(&key) else {
            continue;
        };
        let Some(pkgs) = entry.get(family) else {
            return Err(format!(
                "{d} needs system libraries at run time that dockopt's table does not list"
            ));
        };
        for p in pkgs {
            if !out.contains(p) {
                out.push(p.clone());
            }
        }
    }
    Ok(out)
}

/// A dependency's name as the table keys it: lower case, `_` and `.` as
/// `-` (PyPI's normalization; npm names are lower case already).
pub(super) fn normalize(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace(['_', '.'], "-")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(text: &str) -> Call {
        let mut words = text.split_whitespace().map(str::to_string);
        Call {
            wd: "/".into(),
            at: 0,
            line: 1,
            name: words.next().unwrap(),
            args: words.collect(),
            text: text.into(),
        }
    }

    #[test]
    fn installs_read_names_and_virtual_groups() {
        let (all, kept) = installs(&call(
            "apk add --no-cache --virtual .build-deps gcc musl-dev postgresql-dev",
        ))
        .unwrap();
        assert_eq!(all, ["gcc", "musl-dev", "postgresql-dev"]);
        assert!(kept.is_empty());
        let (all, _) = installs(&call(
            "apt-get install -y --no-install-recommends libpq-dev=15.1 gcc",
        ))
        .unwrap();
        assert_eq!(all, ["libpq-dev", "gcc"]);
        assert!(installs(&call("apt-get update")).is_none());
    }

    #[test]
    fn packages_sort_into_build_and_run_time() {
        let t = crate::runtimes::packages().unwrap();
        let d = &t.debian;
        assert_eq!(runtime_of(d, "libpq-dev", &[], 1).unwrap(), ["libpq5"]);
        assert!(runtime_of(d, "gcc", &[], 1).unwrap().is_empty());
        assert_eq!(runtime_of(d, "ffmpeg", &[], 1).unwrap(), ["ffmpeg"]);
        // git that no later step runs is for run time.
        assert_eq!(runtime_of(d, "git", &[], 1).unwrap(), ["git"]);
        assert!(runtime_of(d, "git", &[call("pip install -r r.txt")], 1)
            .unwrap()
            .is_empty());
        assert!(runtime_of(d, "libfoo-dev", &[], 3)
            .unwrap_err()
            .contains("libfoo-dev"));
        assert_eq!(normalize("Psycopg2"), "psycopg2");
        let node = |deps: &[&str]| for_dependencies(&t.node, deps.iter().copied(), Family::Debian);
        assert_eq!(node(&["@prisma/client", "express"]).unwrap(), ["openssl"]);
        assert!(node(&["bcrypt"]).unwrap().is_empty());
        assert!(node(&["puppeteer"]).unwrap_err().contains("puppeteer"));
        let py = for_dependencies(
            &t.python,
            ["Psycopg2==2.9"]
                .iter()
                .map(|d| d.split('=').next().unwrap()),
            Family::Alpine,
        );
        assert_eq!(py.unwrap(), ["libpq"]);
        assert_eq!(normalize("python_ldap"), "python-ldap");
    }
}
