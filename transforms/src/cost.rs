//! What a RUN costs to run again, and what it leaves that a later RUN
//! removes: the facts merge-runs weighs to merge only where it pays.

use dockopt_shell::Command;

use crate::run::subcommand;

/// Why a command is expensive to run again (a download, an install, a
/// build), if it is.
pub fn expensive(c: &Command) -> Option<&'static str> {
    let name = c.name.text.rsplit('/').next().unwrap_or_default();
    let verb = subcommand(c, &["-o", "-c", "-t", "-C", "--prefix", "-f", "--file"])
        .map(|i| c.args[i].text.as_str());
    let has = |w: &str| c.args.iter().any(|a| a.text == w);
    // `make --version`, `node -v`: a question, not work.
    if c.args.iter().any(|a| {
        matches!(
            a.text.as_str(),
            "--version" | "-v" | "-V" | "--help" | "version"
        )
    }) && c.args.len() <= 2
    {
        return None;
    }
    let why = match (name, verb) {
        (
            "apt-get" | "apt" | "aptitude",
            Some("install" | "upgrade" | "dist-upgrade" | "full-upgrade"),
        )
        | ("apk", Some("add" | "upgrade"))
        | (
            "yum" | "dnf" | "microdnf" | "zypper" | "tdnf",
            Some("install" | "update" | "upgrade" | "in" | "groupinstall"),
        )
        | ("conda" | "mamba" | "micromamba", Some("install" | "create" | "update" | "env")) => {
            "a package install"
        }
        (p, Some("install" | "download" | "wheel")) if p.starts_with("pip") => "a package install",
        (p, _) if p.starts_with("python") && has("pip") && has("install") => "a package install",
        ("npm" | "cnpm", Some("install" | "i" | "ci" | "add" | "update"))
        | ("yarn", None | Some("install" | "add" | "global"))
        | ("pnpm", Some("install" | "i" | "add" | "fetch"))
        | ("gem", Some("install" | "update"))
        | ("bundle" | "bundler", Some("install"))
        | ("composer", Some("install" | "update" | "require"))
        | ("poetry" | "pipenv", Some("install" | "sync"))
        | ("uv", Some("sync" | "pip"))
        | ("dotnet", Some("restore" | "tool"))
        | ("cargo", Some("install" | "fetch"))
        | ("go", Some("get" | "install"))
        | ("mix", Some("deps.get")) => "a dependency install",
        ("go", Some("mod")) if has("download") => "a dependency install",
        (
            "curl" | "wget" | "aria2c" | "gsutil" | "aws" | "az" | "gcloud" | "huggingface-cli",
            _,
        )
        | ("git", Some("clone" | "fetch" | "pull")) => "a download",
        (
            "make" | "cmake" | "ninja" | "meson" | "bazel" | "mvn" | "mvnw" | "gradle" | "gradlew"
            | "sbt" | "ant" | "gcc" | "g++" | "cc" | "c++" | "clang" | "rustc" | "tsc" | "webpack"
            | "vite",
            _,
        )
        | ("go" | "cargo", Some("build" | "test"))
        | ("dotnet", Some("build" | "publish" | "test"))
        | ("npm" | "yarn" | "pnpm", Some("run" | "build")) => "a build",
        ("rustup" | "sdkmanager" | "nvm" | "pyenv" | "asdf", _) => "a toolchain install",
        _ => return None,
    };
    Some(why)
}

/// Well-known folders a tool fills, as written in cleanup commands.
const TOOL_LEFTOVERS: &[(&str, &[&str])] = &[
    ("apt-get", &["/var/lib/apt/lists", "/var/cache/apt"]),
    ("apt", &["/var/lib/apt/lists", "/var/cache/apt"]),
    ("apk", &["/var/cache/apk"]),
    ("pip", &["/root/.cache", "~/.cache"]),
    ("pip3", &["/root/.cache", "~/.cache"]),
    ("npm", &["/root/.npm", "~/.npm", "/tmp"]),
    ("yarn", &["/usr/local/share/.cache/yarn", "/tmp"]),
    ("yum", &["/var/cache/yum"]),
    ("dnf", &["/var/cache/dnf"]),
    ("curl", &["/tmp"]),
    ("wget", &["/tmp"]),
    ("git", &["/tmp"]),
];

/// Cleanup commands that only remove what a tool left behind.
fn tool_cleanup(c: &Command) -> Option<&'static str> {
    let name = c.name.text.rsplit('/').next().unwrap_or_default();
    let verb = subcommand(c, &[]).map(|i| c.args[i].text.as_str());
    match (name, verb) {
        ("apt-get" | "apt", Some("clean" | "autoclean" | "autoremove" | "purge" | "remove")) => {
            Some("apt-get")
        }
        ("apk", Some("del")) => Some("apk"),
        ("yum" | "dnf" | "microdnf", Some("clean" | "remove" | "autoremove")) => Some("yum"),
        ("npm", Some("cache")) => Some("npm"),
        ("yarn", Some("cache")) => Some("yarn"),
        ("pnpm", Some("store")) => Some("pnpm"),
        ("pip" | "pip3", Some("cache" | "uninstall")) => Some("pip"),
        ("composer", Some("clear-cache" | "clearcache")) => Some("composer"),
        ("gem", Some("cleanup")) => Some("gem"),
        _ => None,
    }
}

fn program(c: &Command) -> &str {
    c.name.text.rsplit('/').next().unwrap_or_default()
}

/// What in `b` removes files that `a` left in its layer: the files would stay
/// in `a`'s layer unless the two are one RUN. `a_text` is `a`'s script.
pub fn removes_leftovers(a: &[Command], a_text: &str, b: &[Command]) -> Option<String> {
    for c in b {
        if let Some(tool) = tool_cleanup(c) {
            let same_tool = a.iter().any(|x| {
                let p = program(x);
                p == tool || (tool == "apt-get" && p == "apt") || (tool == "yum" && p == "dnf")
            });
            if same_tool {
                return Some(format!(
                    "`{}` cleans up after the previous RUN",
                    c.name.text
                ));
            }
        }
        if !matches!(program(c), "rm" | "rmdir" | "shred") {
            continue;
        }
        for w in c.args.iter().filter(|w| !w.text.starts_with('-')) {
            let path = w.text.trim_matches(['\'', '"']);
            let stem = path.trim_end_matches("/*").trim_end_matches('/');
            if stem.is_empty() || stem == "/" {
                continue;
            }
            let named = a_text.contains(stem);
            let tool_dir = a.iter().any(|x| {
                TOOL_LEFTOVERS
                    .iter()
                    .any(|(t, dirs)| *t == program(x) && dirs.iter().any(|d| stem.starts_with(d)))
            });
            if named || tool_dir {
                return Some(format!("`rm {path}` removes what the previous RUN left"));
            }
        }
    }
    None
}

/// Whether every command of `b` deletes something `a` left behind.
pub fn only_cleanup(a: &[Command], a_text: &str, b: &[Command]) -> bool {
    !b.is_empty()
        && b.iter()
            .all(|c| removes_leftovers(a, a_text, std::slice::from_ref(c)).is_some())
}

/// Whether a script is `apt-get update` and nothing else that costs.
pub fn only_apt_update(cmds: &[Command]) -> bool {
    let update = |c: &Command| {
        matches!(program(c), "apt-get" | "apt")
            && subcommand(c, &["-o"]).is_some_and(|i| c.args[i].text == "update")
    };
    cmds.iter().any(update) && cmds.iter().all(|c| update(c) || expensive(c).is_none())
}

/// Whether a script installs with apt.
pub fn apt_install(cmds: &[Command]) -> bool {
    cmds.iter().any(|c| {
        matches!(program(c), "apt-get" | "apt")
            && subcommand(c, &["-o"]).is_some_and(|i| {
                matches!(
                    c.args[i].text.as_str(),
                    "install" | "upgrade" | "dist-upgrade"
                )
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use dockopt_shell::Script;

    fn cmds(s: &str) -> Vec<Command> {
        Script::parse(s).unwrap().commands()
    }

    #[test]
    fn expensive_steps() {
        for s in [
            "apt-get install -y curl",
            "pip install torch",
            "python -m pip install -r r.txt",
            "npm ci",
            "yarn",
            "curl -fsSLO https://x/y.tgz",
            "git clone https://x/y",
            "go build -o /app .",
            "make -j4",
            "go mod download",
        ] {
            assert!(cmds(s).iter().any(|c| expensive(c).is_some()), "{s}");
        }
        for s in [
            "mkdir -p /app",
            "useradd app",
            "chmod +x /entry.sh",
            "apt-get update",
            "ln -s a b",
            "echo hi > /x",
        ] {
            assert!(cmds(s).iter().all(|c| expensive(c).is_none()), "{s}");
        }
    }

    #[test]
    fn leftovers() {
        let a = "curl -o /tmp/x.tgz https://x && tar xzf /tmp/x.tgz -C /opt";
        assert!(removes_leftovers(&cmds(a), a, &cmds("rm /tmp/x.tgz")).is_some());
        let a = "apt-get install -y curl";
        assert!(removes_leftovers(&cmds(a), a, &cmds("rm -rf /var/lib/apt/lists/*")).is_some());
        assert!(removes_leftovers(&cmds(a), a, &cmds("apt-get clean")).is_some());
        assert!(removes_leftovers(&cmds(a), a, &cmds("rm -rf /opt/other")).is_none());
        assert!(removes_leftovers(&cmds(a), a, &cmds("pip install flask")).is_none());
        let b = "rm -rf /var/lib/apt/lists/* && apt-get clean";
        assert!(only_cleanup(&cmds(a), a, &cmds(b)));
        assert!(!only_cleanup(
            &cmds(a),
            a,
            &cmds("rm -rf /var/lib/apt/lists/* && useradd x")
        ));
        assert!(only_apt_update(&cmds("apt-get update -qq")));
        assert!(!only_apt_update(&cmds(
            "apt-get update && apt-get install -y x"
        )));
        assert!(apt_install(&cmds("apt-get -y install x")));
    }
}
