//! Dependency manifests per ecosystem: which files an install reads and
//! where, what to run before the sources are copied, and when that cannot be
//! done safely.
//!
//! Paths here are absolute image paths: the folder an install reads its
//! manifests in, and the manifests there. The broad COPY's [`Layout`] says
//! which context file it puts at each of them, so the hoisted COPYs can put
//! every manifest at the very same path.

use dockopt_engine::model::{CopyPlan, PlacementKind};
use dockopt_engine::{Applicability, BuildContext};
use dockopt_shell::Command;

/// A context path and the image path the broad COPY puts it at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placed {
    pub source: String,
    pub dest: String,
}

/// What the broad COPY puts where.
pub struct Layout<'a> {
    pub ctx: &'a BuildContext<'a>,
    pub plan: &'a CopyPlan,
}

impl Layout<'_> {
    /// The context file the COPY writes at `path`.
    pub fn file(&self, path: &str) -> Option<Placed> {
        match self.plan.source_of(self.ctx, path) {
            Some((source, false)) => Some(Placed {
                source,
                dest: path.to_string(),
            }),
            _ => None,
        }
    }

    pub fn is_dir(&self, path: &str) -> bool {
        matches!(self.plan.source_of(self.ctx, path), Some((_, true)))
    }

    /// The context folder whose contents, and nothing else, the COPY puts
    /// at `path`: a folder that can be copied on its own.
    fn folder(&self, path: &str) -> Result<Option<Placed>, String> {
        let Some((source, true)) = self.plan.source_of(self.ctx, path) else {
            return Ok(None);
        };
        let single = matches!(
            self.plan.placements.as_slice(),
            [p] if p.kind == PlacementKind::DirContents
        );
        if !single || !self.plan.excludes.is_empty() {
            return Err(format!("the COPY's {path} cannot be copied on its own"));
        }
        Ok(Some(Placed {
            source,
            dest: path.to_string(),
        }))
    }

    /// A manifest in folder `dir`, with its text.
    fn read(&self, dir: &str, name: &str) -> Result<(Placed, String), String> {
        let missing = || format!("the COPY puts no {name} in {dir}, where the install reads it");
        let placed = self.file(&at(dir, name)).ok_or_else(missing)?;
        let bytes = self.ctx.read(&placed.source).ok_or_else(missing)?;
        // Text that is not UTF-8 is not read at all: no name taken from it
        // can end up in the Dockerfile changed.
        let text = String::from_utf8(bytes).map_err(|_| format!("{name} is not valid UTF-8"))?;
        Ok((placed, text))
    }

    /// Names the COPY puts in folder `dir`.
    fn list(&self, dir: &str) -> Vec<String> {
        let Some((source, true)) = self.plan.source_of(self.ctx, dir) else {
            return Vec::new();
        };
        self.ctx
            .list(&source)
            .into_iter()
            .filter(|n| self.plan.source_of(self.ctx, &at(dir, n)).is_some())
            .collect()
    }

    /// Optional files present in `dir`.
    fn present(&self, dir: &str, names: &[&str]) -> Vec<Placed> {
        names
            .iter()
            .filter_map(|n| self.file(&at(dir, n)))
            .collect()
    }

    /// Optional folders present in `dir`.
    fn present_dirs(&self, dir: &str, names: &[&str]) -> Result<Vec<Placed>, String> {
        let mut out = Vec::new();
        for n in names {
            out.extend(self.folder(&at(dir, n))?);
        }
        Ok(out)
    }
}

/// `rel` resolved against the absolute folder `dir`, cleaned.
pub fn at(dir: &str, rel: &str) -> String {
    let joined = if rel.starts_with('/') {
        rel.to_string()
    } else {
        format!("{dir}/{rel}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    format!("/{}", parts.join("/"))
}

/// The folder holding `path`.
pub fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

/// The folders above `dir`, nearest first.
fn ancestors(dir: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(dir), |d| (*d != "/").then(|| parent(d))).skip(1)
}

/// What the hoisted step copies and runs.
pub struct Plan {
    /// Files copied first, each to the path the broad COPY gives it.
    pub files: Vec<Placed>,
    /// Folders copied first, whole, to the same paths.
    pub dirs: Vec<Placed>,
    pub install: String,
    /// The original command stays after the broad COPY, because it needs
    /// the sources; the hoisted command only fetches dependencies.
    pub keep_original: bool,
    pub applicability: Applicability,
}

impl Plan {
    fn moved(files: Vec<Placed>, install: &str) -> Self {
        Self {
            files,
            dirs: Vec::new(),
            install: install.to_string(),
            keep_original: false,
            applicability: Applicability::Safe,
        }
    }

    fn kept(files: Vec<Placed>, install: &str) -> Self {
        Self {
            keep_original: true,
            ..Self::moved(files, install)
        }
    }
}

/// How a tool reads its command line.
struct Tool {
    /// Options that take a value (`--opt value` or `--opt=value`).
    values: &'static [&'static str],
    /// Options that name the folder the tool reads its manifests in.
    dir: &'static [&'static str],
    /// Options that point the tool at files or projects the hoist does not
    /// follow.
    elsewhere: &'static [&'static str],
    /// Environment variables that do the same.
    env: &'static [&'static str],
}

const NONE: Tool = Tool {
    values: &[],
    dir: &[],
    elsewhere: &[],
    env: &[],
};

const NPM: Tool = Tool {
    values: &[
        "--prefix",
        "--registry",
        "--cache",
        "--loglevel",
        "--omit",
        "--include",
        "-w",
        "--workspace",
        "--userconfig",
        "--tag",
        "--install-strategy",
        "--before",
        "--fetch-retries",
        "--fetch-timeout",
        "--os",
        "--cpu",
        "--libc",
    ],
    dir: &["--prefix"],
    elsewhere: &["-w", "--workspace", "--workspaces", "--userconfig"],
    env: &[],
};

const YARN: Tool = Tool {
    values: &[
        "--cwd",
        "--modules-folder",
        "--cache-folder",
        "--network-timeout",
        "--mutex",
        "--registry",
        "--use-yarnrc",
        "--mode",
    ],
    dir: &["--cwd"],
    elsewhere: &["--modules-folder", "--use-yarnrc"],
    env: &[],
};

const PNPM: Tool = Tool {
    values: &[
        "-C",
        "--dir",
        "--filter",
        "-F",
        "--reporter",
        "--store-dir",
        "--virtual-store-dir",
        "--registry",
        "--loglevel",
        "--network-concurrency",
        "--child-concurrency",
        "--modules-dir",
        "--lockfile-dir",
    ],
    dir: &["-C", "--dir"],
    elsewhere: &[
        "--filter",
        "-F",
        "--lockfile-dir",
        "--modules-dir",
        "-w",
        "--workspace-root",
        "-r",
        "--recursive",
    ],
    env: &[],
};

const GO: Tool = Tool {
    values: &["-C", "-modfile"],
    dir: &["-C"],
    elsewhere: &["-modfile"],
    env: &[],
};

const PIPENV: Tool = Tool {
    values: &[
        "--python",
        "--pypi-mirror",
        "--categories",
        "--extra-pip-args",
    ],
    env: &["PIPENV_PIPFILE"],
    ..NONE
};

const POETRY: Tool = Tool {
    values: &[
        "-C",
        "--directory",
        "-P",
        "--project",
        "--only",
        "--with",
        "--without",
        "-E",
        "--extras",
    ],
    dir: &["-C", "--directory", "-P", "--project"],
    ..NONE
};

const UV: Tool = Tool {
    values: &[
        "--directory",
        "--project",
        "--python",
        "-p",
        "--group",
        "--extra",
        "--no-group",
        "--only-group",
        "--package",
        "--index",
        "--default-index",
        "--index-url",
        "--extra-index-url",
        "--config-file",
    ],
    dir: &["--directory", "--project"],
    elsewhere: &["--package", "--config-file"],
    env: &["UV_PROJECT", "UV_WORKING_DIRECTORY", "UV_CONFIG_FILE"],
};

const COMPOSER: Tool = Tool {
    values: &["-d", "--working-dir"],
    dir: &["-d", "--working-dir"],
    env: &["COMPOSER"],
    ..NONE
};

const BUNDLER: Tool = Tool {
    values: &[
        "--gemfile",
        "--path",
        "--jobs",
        "-j",
        "--retry",
        "--without",
        "--with",
        "--binstubs",
    ],
    elsewhere: &["--gemfile"],
    env: &["BUNDLE_GEMFILE"],
    ..NONE
};

const MAVEN: Tool = Tool {
    values: &[
        "-f",
        "--file",
        "-s",
        "--settings",
        "-gs",
        "--global-settings",
        "-pl",
        "--projects",
        "-P",
        "--activate-profiles",
        "-T",
        "--threads",
    ],
    elsewhere: &[
        "-f",
        "--file",
        "-s",
        "--settings",
        "-gs",
        "--global-settings",
        "-pl",
        "--projects",
    ],
    ..NONE
};

const GRADLE: Tool = Tool {
    values: &[
        "-p",
        "--project-dir",
        "-b",
        "--build-file",
        "-c",
        "--settings-file",
        "-x",
        "--exclude-task",
        "-I",
        "--init-script",
    ],
    elsewhere: &[
        "-p",
        "--project-dir",
        "-b",
        "--build-file",
        "-c",
        "--settings-file",
        "-I",
        "--init-script",
    ],
    ..NONE
};

const DOTNET: Tool = Tool {
    values: &[
        "-c",
        "--configuration",
        "-o",
        "--output",
        "-r",
        "--runtime",
        "-f",
        "--framework",
        "-s",
        "--source",
        "-v",
        "--verbosity",
        "-a",
        "--arch",
        "--os",
        "--packages",
        "--configfile",
        "--version-suffix",
        "--self-contained",
    ],
    elsewhere: &["--configfile"],
    ..NONE
};

const PIP: Tool = Tool {
    values: PIP_VALUES,
    ..NONE
};

fn tool(name: &str) -> Tool {
    match name {
        "npm" => NPM,
        "yarn" => YARN,
        "pnpm" => PNPM,
        "go" => GO,
        "pipenv" => PIPENV,
        "poetry" => POETRY,
        "uv" => UV,
        "composer" => COMPOSER,
        "bundle" | "bundler" => BUNDLER,
        "mvn" | "mvnw" => MAVEN,
        "gradle" | "gradlew" => GRADLE,
        "dotnet" => DOTNET,
        p if p.starts_with("pip") => PIP,
        _ => NONE,
    }
}

/// `pip install` options that take a value.
const PIP_VALUES: &[&str] = &[
    "-i",
    "--index-url",
    "--extra-index-url",
    "--trusted-host",
    "--no-binary",
    "--only-binary",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--progress-bar",
    "--upgrade-strategy",
    "-C",
    "--config-settings",
    "--global-option",
    "--retries",
    "--timeout",
    "--proxy",
    "--cert",
    "--client-cert",
    "--cache-dir",
    "--log",
    "--exists-action",
    "--python",
    "--root-user-action",
    "--report",
    "--src",
    "--keyring-provider",
];

/// A command's arguments split into positional words and options.
struct Args<'c> {
    positional: Vec<&'c str>,
    /// Where each positional word is in the command's arguments.
    positional_at: Vec<usize>,
    options: Vec<(&'c str, Option<&'c str>)>,
}

impl<'c> Args<'c> {
    fn new(c: &'c Command, values: &[&str]) -> Self {
        let mut out = Args {
            positional: Vec::new(),
            positional_at: Vec::new(),
            options: Vec::new(),
        };
        let mut words = c.args.iter().map(|w| w.text.as_str()).enumerate();
        let mut rest = false;
        while let Some((i, t)) = words.next() {
            if rest || !t.starts_with('-') || t.len() == 1 {
                out.positional.push(t);
                out.positional_at.push(i);
                continue;
            }
            if t == "--" {
                rest = true;
                continue;
            }
            match t.split_once('=') {
                Some((k, v)) if t.starts_with("--") || values.contains(&k) => {
                    out.options.push((k, Some(v)));
                }
                _ if values.contains(&t) => out.options.push((t, words.next().map(|(_, v)| v))),
                _ => out.options.push((t, None)),
            }
        }
        out
    }

    fn first(&self) -> Option<&'c str> {
        self.positional.first().copied()
    }

    fn has(&self, words: &[&str]) -> bool {
        self.positional.iter().any(|p| words.contains(p))
    }
}

/// The program a command runs, without its folder.
fn program(c: &Command) -> &str {
    c.name.text.rsplit('/').next().unwrap_or_default()
}

/// Whether a command installs or builds from manifests.
pub fn is_installer(c: &Command) -> bool {
    let n = program(c);
    let a = Args::new(c, tool(n).values);
    let first = a.first();
    match n {
        "npm" => matches!(first, Some("install" | "i" | "ci")),
        "go" => a.positional.starts_with(&["mod", "download"]),
        "yarn" => matches!(first, None | Some("install")),
        "pnpm" => matches!(first, Some("install" | "i")),
        "pipenv" | "poetry" | "composer" | "bundle" | "bundler" => first == Some("install"),
        "uv" => first == Some("sync"),
        "mvn" | "mvnw" => a.has(&["package", "install", "verify"]),
        "gradle" | "gradlew" => a.has(&["build", "assemble", "bootJar", "installDist"]),
        "dotnet" => matches!(first, Some("restore" | "publish" | "build")),
        "cargo" => matches!(first, Some("build" | "install")),
        "mix" => first == Some("deps.get"),
        p if p.starts_with("pip") => first == Some("install"),
        p if p.starts_with("python") => {
            let has = |w: &[&str]| c.args.iter().any(|a| w.contains(&a.text.as_str()));
            has(&["pip", "pip3"]) && has(&["install"])
        }
        _ => false,
    }
}

/// A command that reads nothing from the build context: an install of
/// packages named on the command line from a registry (`pip install
/// --upgrade pip`, `npm install -g pnpm`, `apt-get install -y gcc`), or a
/// tool's own setup (`corepack enable`, `poetry config ...`). It can run
/// before the manifests are copied as well as after.
pub fn context_free(c: &Command) -> bool {
    let n = program(c);
    let words: Vec<&str> = c.args.iter().map(|w| w.text.as_str()).collect();
    let local = |w: &&str| {
        w.starts_with('.')
            || w.starts_with('/')
            || w.starts_with('~')
            || w.starts_with("file:")
            || w.contains('$')
            || [".txt", ".whl", ".tar.gz", ".zip", ".deb", ".tgz"]
                .iter()
                .any(|ext| w.to_ascii_lowercase().ends_with(ext))
    };
    let named = |skip: &[&str]| {
        let operands: Vec<&&str> = words
            .iter()
            .filter(|w| !w.starts_with('-') && !skip.contains(w))
            .collect();
        !operands.is_empty() && !operands.iter().any(|w| local(w))
    };
    let reads_files = words.iter().any(|w| {
        matches!(
            *w,
            "-r" | "--requirement" | "-c" | "--constraint" | "-e" | "--editable"
        )
    });
    if words.first() == Some(&"config") {
        return matches!(n, "poetry" | "pip" | "pip3" | "npm" | "pnpm" | "yarn");
    }
    match n {
        p if p.starts_with("pip") => {
            words.first() == Some(&"install") && !reads_files && named(&["install"])
        }
        p if p.starts_with("python") => {
            words.starts_with(&["-m", "pip", "install"])
                && !reads_files
                && named(&["-m", "pip", "install"])
        }
        "npm" => {
            matches!(words.first(), Some(&("install" | "i")))
                && words.iter().any(|w| matches!(*w, "-g" | "--global"))
                && named(&["install", "i"])
        }
        "corepack" => matches!(words.first(), Some(&("enable" | "prepare" | "install"))),
        "gem" => words.first() == Some(&"install") && named(&["install"]),
        "apt-get" | "apt" => {
            words.contains(&"update") || (words.contains(&"install") && named(&["install"]))
        }
        "apk" => words.first() == Some(&"add") && named(&["add"]),
        _ => false,
    }
}

/// Environment variables that move where the command's tool reads its
/// manifests.
pub fn moved_by(c: &Command) -> &'static [&'static str] {
    tool(program(c)).env
}

/// The plan for an install command that runs in folder `cwd`, or why there
/// is none.
pub fn plan(lay: &Layout<'_>, cwd: &str, c: &Command, text: &str) -> Result<Plan, String> {
    let n = program(c);
    let spec = tool(n);
    let a = Args::new(c, spec.values);
    let mut dir = cwd.to_string();
    for (opt, value) in &a.options {
        // `mvn -f pom.xml` names the manifest it reads anyway.
        let default_pom = matches!(n, "mvn" | "mvnw")
            && value.is_some_and(|v| [cwd.to_string(), at(cwd, "pom.xml")].contains(&at(cwd, v)));
        if spec.elsewhere.contains(opt) && !default_pom {
            return Err(format!(
                "`{opt}` points {n} at files the hoist does not follow"
            ));
        }
        if spec.dir.contains(opt) {
            let v = value.ok_or_else(|| format!("{opt} without a folder"))?;
            if v.contains(['$', '`', '~', '*', '?', '[', '\'', '"']) {
                return Err(format!("the folder {v} is not known before the build"));
            }
            dir = at(&dir, v);
        }
    }
    let dir = dir.as_str();
    match n {
        "npm" => npm(lay, dir, &a, text),
        "go" => go(lay, dir, text),
        "yarn" => yarn(lay, dir, text),
        "pnpm" => pnpm(lay, dir, text),
        "pipenv" => pipenv(lay, dir, &a, text),
        "poetry" => poetry(lay, dir, &format!("{text} --no-root")),
        "uv" => uv(lay, dir, &format!("{text} --no-install-project")),
        "bundle" | "bundler" => bundler(lay, dir, text),
        "composer" => composer(lay, dir, text),
        "mvn" | "mvnw" => maven(lay, dir, &c.name.text),
        "gradle" | "gradlew" => gradle(lay, dir, &c.name.text),
        "dotnet" => dotnet(lay, dir, &a, text),
        "cargo" => Err("Cargo cannot fetch and build dependencies without the sources".into()),
        "mix" => Err(
            "mix deps.get loads the project's config, which the manifests do not include".into(),
        ),
        _ => pip(lay, dir, c, text),
    }
}

/// Install hooks, local dependencies, workspaces and a `node_modules` that
/// the broad COPY would bring all make a JavaScript install unhoistable.
fn check_package_json(lay: &Layout<'_>, dir: &str) -> Result<Placed, String> {
    let (placed, text) = lay.read(dir, "package.json")?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|_| "package.json does not parse")?;
    if let Some(scripts) = json.get("scripts").and_then(|s| s.as_object()) {
        for hook in ["preinstall", "install", "postinstall", "prepare"] {
            if scripts.contains_key(hook) {
                return Err(format!(
                    "package.json has a {hook} script, which may read any project file"
                ));
            }
        }
    }
    if json.get("workspaces").is_some() || lay.file(&at(dir, "pnpm-workspace.yaml")).is_some() {
        return Err("the project declares workspaces".into());
    }
    for field in ["dependencies", "devDependencies", "optionalDependencies"] {
        for (name, spec) in json
            .get(field)
            .and_then(|d| d.as_object())
            .into_iter()
            .flatten()
        {
            let spec = spec.as_str().unwrap_or_default();
            if ["file:", "link:", "workspace:", "portal:", "./", "../", "/"]
                .iter()
                .any(|p| spec.starts_with(p))
            {
                return Err(format!("the dependency {name} is a local path"));
            }
        }
    }
    if lay.is_dir(&at(dir, "node_modules")) {
        return Err(
            "node_modules is in the build context: the broad COPY would overwrite the install"
                .into(),
        );
    }
    Ok(placed)
}

/// Refuses when one of `names` sits in a folder above `dir` that the COPY
/// writes: the tool may take that folder for its project.
fn check_above(lay: &Layout<'_>, dir: &str, names: &[&str], tool: &str) -> Result<(), String> {
    for a in ancestors(dir) {
        for n in names {
            if let Some(p) = lay.file(&at(a, n)) {
                return Err(format!(
                    "{} above {dir} may make {tool} read a larger project",
                    p.source
                ));
            }
        }
    }
    Ok(())
}

fn npm(lay: &Layout<'_>, dir: &str, a: &Args<'_>, text: &str) -> Result<Plan, String> {
    if a.positional.len() > 1 {
        return Err("npm install names packages".into());
    }
    let mut files = vec![check_package_json(lay, dir)?];
    // npm takes a folder inside a workspace for the workspace's root.
    for up in ancestors(dir) {
        if let Ok((p, text)) = lay.read(up, "package.json") {
            // One that does not parse may declare them too.
            let json = serde_json::from_str::<serde_json::Value>(&text);
            if json.map_or(true, |j| j.get("workspaces").is_some()) {
                return Err(format!("{} declares workspaces above {dir}", p.source));
            }
        }
    }
    // The install moves as written: turning `npm install` into `npm ci` is
    // the npm-ci rule's own, unsafe, fix.
    files.extend(lay.present(dir, &["package-lock.json", "npm-shrinkwrap.json"]));
    files.extend(lay.present(dir, &[".npmrc"]));
    Ok(Plan::moved(files, text))
}

fn yarn(lay: &Layout<'_>, dir: &str, text: &str) -> Result<Plan, String> {
    let mut files = vec![check_package_json(lay, dir)?];
    check_above(
        lay,
        dir,
        &["package.json", "yarn.lock", ".yarnrc.yml", ".yarnrc"],
        "Yarn",
    )?;
    if lay.is_dir(&at(dir, ".yarn/cache")) || lay.file(&at(dir, ".pnp.cjs")).is_some() {
        return Err("the project keeps its Yarn cache or PnP files in the build context".into());
    }
    files.extend(lay.present(dir, &["yarn.lock", ".yarnrc", ".yarnrc.yml", ".npmrc"]));
    Ok(Plan {
        dirs: lay.present_dirs(dir, &[".yarn/releases", ".yarn/plugins"])?,
        ..Plan::moved(files, text)
    })
}

fn pnpm(lay: &Layout<'_>, dir: &str, text: &str) -> Result<Plan, String> {
    let mut files = vec![check_package_json(lay, dir)?];
    check_above(lay, dir, &["pnpm-workspace.yaml"], "pnpm")?;
    files.extend(lay.present(dir, &["pnpm-lock.yaml", ".npmrc", ".pnpmfile.cjs"]));
    Ok(Plan::moved(files, text))
}

/// Whether a requirement or `--find-links` value is a path on disk rather
/// than a name or a URL.
fn is_local(word: &str) -> bool {
    word.starts_with('.')
        || word.starts_with('/')
        || word.starts_with("file:")
        || (word.contains('/') && !word.contains("://") && !word.contains('@'))
}

/// A requirements file at image path `path` and everything it includes.
fn requirements(lay: &Layout<'_>, path: &str, out: &mut Vec<Placed>) -> Result<(), String> {
    included(lay, path, out, 0)
}

/// Includes nested deeper than this are refused: the walk recurses once
/// per level, and real projects nest two or three.
const MAX_INCLUDE_DEPTH: usize = 32;

fn included(
    lay: &Layout<'_>,
    path: &str,
    out: &mut Vec<Placed>,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_INCLUDE_DEPTH {
        return Err(format!(
            "requirement files include each other more than {MAX_INCLUDE_DEPTH} levels deep"
        ));
    }
    if out.iter().any(|p| p.dest == path) {
        return Ok(());
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    let (placed, text) = lay.read(parent(path), name)?;
    let shown = placed.source.clone();
    out.push(placed);
    let dir = parent(path);
    // Continued lines are one logical line.
    let joined = text.replace("\\\r\n", " ").replace("\\\n", " ");
    for line in joined.lines() {
        let line = match line.find(" #").or_else(|| line.find("\t#")) {
            Some(i) => &line[..i],
            None => line,
        }
        .trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let (opt, value) = match words[0].split_once('=') {
            Some((k, v)) if k.starts_with("--") => (k, Some(v)),
            _ => (words[0], words.get(1).copied()),
        };
        match opt {
            "-r" | "--requirement" | "-c" | "--constraint" => {
                let file = value.ok_or_else(|| format!("{shown} has {opt} without a file"))?;
                included(lay, &at(dir, file), out, depth + 1)?;
            }
            w if (w.starts_with("-r") || w.starts_with("-c")) && w.len() > 2 => {
                included(lay, &at(dir, &w[2..]), out, depth + 1)?;
            }
            "-e" | "--editable" => return Err(format!("{shown} installs an editable package")),
            "-f" | "--find-links" if value.is_some_and(is_local) => {
                return Err(format!("{shown} finds packages in a local folder"));
            }
            w if w.starts_with('-') => {}
            w if is_local(w) || line.contains("@ file:") || line.contains("@file:") => {
                return Err(format!("{shown} installs a local path"));
            }
            _ => {}
        }
    }
    Ok(())
}

fn pip(lay: &Layout<'_>, dir: &str, c: &Command, text: &str) -> Result<Plan, String> {
    let args: Vec<&str> = c.args.iter().map(|w| w.text.as_str()).collect();
    let start = args
        .iter()
        .position(|a| *a == "install")
        .ok_or("not a pip install")?;
    let mut files = Vec::new();
    let mut i = start + 1;
    while i < args.len() {
        let (opt, inline) = match args[i].split_once('=') {
            Some((k, v)) if k.starts_with("--") => (k, Some(v)),
            _ => (args[i], None),
        };
        let value = || inline.or_else(|| args.get(i + 1).copied());
        let step = if inline.is_some() { 1 } else { 2 };
        match opt {
            "-r" | "--requirement" | "-c" | "--constraint" => {
                let f = value().ok_or("pip -r without a file")?;
                requirements(lay, &at(dir, f), &mut files)?;
                i += step;
            }
            w if (w.starts_with("-r") || w.starts_with("-c")) && w.len() > 2 => {
                requirements(lay, &at(dir, &w[2..]), &mut files)?;
                i += 1;
            }
            "-t" | "--target" | "--prefix" | "--root" | "-e" | "--editable" => {
                return Err(format!(
                    "pip install {opt} writes or reads the project directory"
                ));
            }
            "-f" | "--find-links" => {
                if value().is_some_and(is_local) {
                    return Err("pip install finds packages in a local folder".into());
                }
                i += step;
            }
            o if PIP_VALUES.contains(&o) => i += step,
            o if o.starts_with('-') => i += 1,
            _ => return Err("pip install names packages or paths".into()),
        }
    }
    if files.is_empty() {
        return Err("pip install has no requirements file".into());
    }
    Ok(Plan::moved(files, text))
}

fn no_venv(lay: &Layout<'_>, dir: &str) -> Result<(), String> {
    if lay.is_dir(&at(dir, ".venv")) {
        return Err(
            ".venv is in the build context: the broad COPY would overwrite the install".into(),
        );
    }
    Ok(())
}

fn parse_toml(name: &str, text: &str) -> Result<toml::Table, String> {
    text.parse::<toml::Table>()
        .map_err(|_| format!("{name} does not parse"))
}

fn pipenv(lay: &Layout<'_>, dir: &str, a: &Args<'_>, text: &str) -> Result<Plan, String> {
    if a.positional.len() > 1 {
        return Err("pipenv install names packages".into());
    }
    let (pipfile, body) = lay.read(dir, "Pipfile")?;
    if let Some(why) = pipfile_local(&parse_toml("the Pipfile", &body)?) {
        return Err(why);
    }
    no_venv(lay, dir)?;
    let mut files = vec![pipfile];
    files.extend(lay.present(dir, &["Pipfile.lock"]));
    Ok(Plan::moved(files, text))
}

/// A Pipfile package from the project's own files: a `path`, a `file` that
/// is not a URL, or an editable install (a local folder, or a clone into
/// the project's `src`).
fn pipfile_local(doc: &toml::Table) -> Option<String> {
    let categories = doc
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "source" | "requires" | "pipenv" | "scripts"));
    for (_, table) in categories {
        for (name, spec) in table.as_table().into_iter().flatten() {
            let Some(spec) = spec.as_table() else {
                continue;
            };
            let file_is_local = spec
                .get("file")
                .and_then(|f| f.as_str())
                .is_some_and(|f| !f.contains("://") || f.starts_with("file:"));
            if spec.contains_key("path") || file_is_local {
                return Some(format!("the Pipfile installs {name} from a local path"));
            }
            if spec.get("editable").and_then(toml::Value::as_bool) == Some(true) {
                return Some(format!("the Pipfile installs {name} as editable"));
            }
        }
    }
    None
}

/// A local dependency in a pyproject.toml: Poetry `path` dependencies,
/// PEP 508 `file:` references (PEP 621 and dependency groups), uv path and
/// workspace sources; or a uv workspace.
fn pyproject_local(doc: &toml::Table) -> Option<String> {
    let get = |path: &[&str]| -> Option<&toml::Value> {
        let (first, rest) = path.split_first()?;
        rest.iter().try_fold(doc.get(*first)?, |v, k| v.get(*k))
    };
    let tables = |v: Option<&toml::Value>| -> Vec<(String, toml::Value)> {
        v.and_then(toml::Value::as_table)
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    };
    // A dependency given as a table, or as a list of tables (one per marker).
    let specs = |v: &toml::Value| -> Vec<toml::Table> {
        match v {
            toml::Value::Table(t) => vec![t.clone()],
            toml::Value::Array(a) => a.iter().filter_map(|x| x.as_table().cloned()).collect(),
            _ => Vec::new(),
        }
    };
    let mut poetry = tables(get(&["tool", "poetry", "dependencies"]));
    poetry.extend(tables(get(&["tool", "poetry", "dev-dependencies"])));
    for (_, group) in tables(get(&["tool", "poetry", "group"])) {
        poetry.extend(tables(group.get("dependencies")));
    }
    for (name, v) in &poetry {
        if specs(v).iter().any(|t| t.contains_key("path")) {
            return Some(format!("the dependency {name} is a local path"));
        }
    }
    if get(&["tool", "uv", "workspace"]).is_some() {
        return Some("pyproject.toml declares a uv workspace".into());
    }
    for (name, v) in tables(get(&["tool", "uv", "sources"])) {
        for t in specs(&v) {
            if t.contains_key("path") {
                return Some(format!("the dependency {name} is a local path"));
            }
            if t.get("workspace").and_then(toml::Value::as_bool) == Some(true) {
                return Some(format!("the dependency {name} is a workspace member"));
            }
        }
    }
    let mut lists: Vec<&toml::Value> = Vec::new();
    lists.extend(get(&["project", "dependencies"]));
    lists.extend(get(&["tool", "uv", "dev-dependencies"]));
    for key in [
        &["project", "optional-dependencies"][..],
        &["dependency-groups"],
    ] {
        if let Some(t) = get(key).and_then(toml::Value::as_table) {
            lists.extend(t.values());
        }
    }
    for req in lists
        .into_iter()
        .filter_map(toml::Value::as_array)
        .flatten()
        .filter_map(toml::Value::as_str)
    {
        if let Some((name, url)) = req.split_once('@') {
            if url.trim_start().starts_with("file:") {
                return Some(format!("the dependency {} is a local path", name.trim()));
            }
        }
    }
    None
}

/// Poetry and uv: fetch the locked dependencies without the project, then
/// let the original command install the project after the sources.
fn pyproject(lay: &Layout<'_>, dir: &str, extra: &[&str]) -> Result<Vec<Placed>, String> {
    let (placed, text) = lay.read(dir, "pyproject.toml")?;
    if let Some(why) = pyproject_local(&parse_toml("pyproject.toml", &text)?) {
        return Err(why);
    }
    no_venv(lay, dir)?;
    let mut files = vec![placed];
    files.extend(lay.present(dir, extra));
    Ok(files)
}

fn poetry(lay: &Layout<'_>, dir: &str, install: &str) -> Result<Plan, String> {
    let files = pyproject(lay, dir, &["poetry.lock", "poetry.toml"])?;
    Ok(Plan::kept(files, install))
}

fn uv(lay: &Layout<'_>, dir: &str, install: &str) -> Result<Plan, String> {
    let files = pyproject(lay, dir, &["uv.lock", "uv.toml"])?;
    // uv looks above the project for a workspace that claims it.
    for up in ancestors(dir) {
        if let Ok((p, text)) = lay.read(up, "pyproject.toml") {
            let doc = parse_toml(&p.source, &text)?;
            if doc
                .get("tool")
                .and_then(|t| t.get("uv"))
                .and_then(|u| u.get("workspace"))
                .is_some()
            {
                return Err(format!("{} declares a uv workspace above {dir}", p.source));
            }
        }
    }
    Ok(Plan::kept(files, install))
}

/// Whether a go.mod replaces a module with a local folder.
fn go_replaces_locally(gomod: &str) -> bool {
    let mut in_block = false;
    for line in gomod.lines() {
        let line = line.split("//").next().unwrap_or("").trim();
        if line.starts_with("replace") && line.ends_with('(') {
            in_block = true;
            continue;
        }
        if in_block && line == ")" {
            in_block = false;
            continue;
        }
        let body = match line.strip_prefix("replace") {
            Some(b) if b.starts_with([' ', '\t']) => b,
            _ if in_block => line,
            _ => continue,
        };
        if let Some((_, target)) = body.split_once("=>") {
            let target = target.trim().trim_matches('"');
            if target.starts_with("./")
                || target.starts_with("../")
                || target.starts_with('/')
                || target == "."
                || target == ".."
            {
                return true;
            }
        }
    }
    false
}

fn go(lay: &Layout<'_>, dir: &str, text: &str) -> Result<Plan, String> {
    let (placed, gomod) = lay.read(dir, "go.mod")?;
    if go_replaces_locally(&gomod) {
        return Err("go.mod replaces a module with a local directory".into());
    }
    // go.work in the folder or above it puts the module in a workspace.
    for up in std::iter::once(dir).chain(ancestors(dir)) {
        if let Some(w) = lay.file(&at(up, "go.work")) {
            return Err(format!("{} puts the module in a workspace", w.source));
        }
    }
    let mut files = vec![placed];
    files.extend(lay.present(dir, &["go.sum"]));
    Ok(Plan::moved(files, text))
}

fn bundler(lay: &Layout<'_>, dir: &str, text: &str) -> Result<Plan, String> {
    let (placed, gemfile) = lay.read(dir, "Gemfile")?;
    if gemfile.contains("gemspec") || gemfile.contains("path:") || gemfile.contains(":path") {
        return Err("the Gemfile uses a local gemspec or path".into());
    }
    let mut files = vec![placed];
    files.extend(lay.present(dir, &["Gemfile.lock"]));
    Ok(Plan {
        dirs: lay.present_dirs(dir, &[".bundle"])?,
        ..Plan::moved(files, text)
    })
}

/// A composer.json repository read from the project's own files: `path`,
/// or `artifact` (a folder of package archives).
fn composer_local(json: &serde_json::Value) -> Option<String> {
    let repos: Vec<&serde_json::Value> = match json.get("repositories") {
        Some(serde_json::Value::Array(a)) => a.iter().collect(),
        Some(serde_json::Value::Object(o)) => o.values().collect(),
        _ => Vec::new(),
    };
    repos.iter().find_map(|r| {
        let kind = r.get("type").and_then(|t| t.as_str())?;
        let article = if kind == "artifact" { "an" } else { "a" };
        matches!(kind, "path" | "artifact")
            .then(|| format!("composer.json has {article} {kind} repository"))
    })
}

fn composer(lay: &Layout<'_>, dir: &str, text: &str) -> Result<Plan, String> {
    let (placed, body) = lay.read(dir, "composer.json")?;
    let json: serde_json::Value =
        serde_json::from_str(&body).map_err(|_| "composer.json does not parse")?;
    if let Some(why) = composer_local(&json) {
        return Err(why);
    }
    let mut files = vec![placed];
    files.extend(lay.present(dir, &["composer.lock", "auth.json"]));
    Ok(Plan::kept(
        files,
        &format!("{text} --no-scripts --no-autoloader"),
    ))
}

fn maven(lay: &Layout<'_>, dir: &str, mvn: &str) -> Result<Plan, String> {
    let (placed, pom) = lay.read(dir, "pom.xml")?;
    if pom.contains("<modules>") {
        return Err("a multi-module build needs every module's pom.xml".into());
    }
    for up in ancestors(dir) {
        if lay.is_dir(&at(up, ".mvn")) {
            return Err(format!(
                "{} above {dir} configures the build",
                at(up, ".mvn")
            ));
        }
    }
    let wrapper = mvn.contains("mvnw");
    let mut files = vec![placed];
    if wrapper {
        files.extend(lay.present(dir, &["mvnw"]));
    }
    // go-offline fetches more than the build needs into ~/.m2.
    Ok(Plan {
        dirs: if wrapper {
            lay.present_dirs(dir, &[".mvn"])?
        } else {
            Vec::new()
        },
        applicability: Applicability::Unsafe,
        ..Plan::kept(files, &format!("{mvn} -B dependency:go-offline"))
    })
}

fn gradle(lay: &Layout<'_>, dir: &str, gradle: &str) -> Result<Plan, String> {
    let settings = lay.present(dir, &["settings.gradle", "settings.gradle.kts"]);
    for s in &settings {
        let text = lay.ctx.read(&s.source).unwrap_or_default();
        if String::from_utf8_lossy(&text).contains("include") {
            return Err("a multi-project build needs every project's build file".into());
        }
    }
    check_above(
        lay,
        dir,
        &["settings.gradle", "settings.gradle.kts"],
        "Gradle",
    )?;
    let mut files = lay.present(dir, &["build.gradle", "build.gradle.kts"]);
    if files.is_empty() {
        return Err(format!(
            "the COPY puts no build.gradle in {dir}, where the install reads it"
        ));
    }
    files.extend(settings);
    files.extend(lay.present(dir, &["gradle.properties", "gradlew"]));
    // Resolving ahead of the build fills the cache with more than it uses.
    Ok(Plan {
        dirs: lay.present_dirs(dir, &["gradle"])?,
        applicability: Applicability::Unsafe,
        ..Plan::kept(files, &format!("{gradle} dependencies --no-daemon"))
    })
}

/// Files MSBuild and NuGet look for in the project's folder and every
/// folder above it.
const DOTNET_SHARED: &[&str] = &[
    "Directory.Build.props",
    "Directory.Build.targets",
    "Directory.Packages.props",
    "NuGet.Config",
    "nuget.config",
    "global.json",
];

fn dotnet(lay: &Layout<'_>, dir: &str, a: &Args<'_>, text: &str) -> Result<Plan, String> {
    let projects: Vec<String> = lay
        .list(dir)
        .into_iter()
        .filter(|n| {
            let ext = std::path::Path::new(n).extension();
            ext.is_some_and(|e| {
                e.eq_ignore_ascii_case("csproj") || e.eq_ignore_ascii_case("fsproj")
            })
        })
        .collect();
    let [project] = projects.as_slice() else {
        return Err(format!(
            "there is not exactly one project file in {dir}, where dotnet looks for it"
        ));
    };
    // Naming the one project in the folder is the same as naming none.
    match a.positional.get(1..).unwrap_or_default() {
        [] => {}
        [named] if at(dir, named.trim_matches('"')) == at(dir, project) => {}
        _ => return Err("the dotnet command names another project or solution".into()),
    }
    let (placed, body) = lay.read(dir, project)?;
    if body.contains("ProjectReference") {
        return Err("the project references other projects".into());
    }
    let mut files = vec![placed];
    for up in std::iter::once(dir).chain(ancestors(dir)) {
        files.extend(lay.present(up, DOTNET_SHARED));
    }
    if a.first() == Some("restore") {
        Ok(Plan::moved(files, text))
    } else {
        Ok(Plan::kept(files, "dotnet restore"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pyproject(text: &str) -> Option<String> {
        pyproject_local(&text.parse().unwrap())
    }

    #[test]
    fn paths_resolve_in_the_image() {
        assert_eq!(
            at("/app", "requirements/prod.txt"),
            "/app/requirements/prod.txt"
        );
        assert_eq!(
            at("/app/requirements", "../common/base.txt"),
            "/app/common/base.txt"
        );
        assert_eq!(at("/app", "./sub/"), "/app/sub");
        assert_eq!(at("/app", "/etc/x"), "/etc/x");
        assert_eq!(at("/", ".."), "/");
        assert_eq!(parent("/app/x"), "/app");
        assert_eq!(parent("/x"), "/");
        assert_eq!(ancestors("/a/b/c").collect::<Vec<_>>(), ["/a/b", "/a", "/"]);
        assert_eq!(ancestors("/").count(), 0);
    }

    #[test]
    fn pyproject_local_dependencies_by_structure() {
        // Poetry path dependencies, however they are spaced or nested.
        assert!(pyproject("[tool.poetry.dependencies]\nlib = {path=\"../lib\"}\n").is_some());
        assert!(pyproject(
            "[tool.poetry.group.dev.dependencies]\nlib = [{path = \"a\", markers = \"x\"}]\n"
        )
        .is_some());
        // PEP 621 and dependency groups with file: references.
        assert!(pyproject("[project]\ndependencies = [\"lib @ file:///src/lib\"]\n").is_some());
        assert!(pyproject("[dependency-groups]\ndev = [\"lib@file:./lib\"]\n").is_some());
        // uv sources and workspaces.
        assert!(pyproject("[tool.uv.sources]\nlib = { workspace = true }\n").is_some());
        assert!(pyproject("[tool.uv.sources]\nlib = { path = \"lib\" }\n").is_some());
        assert!(pyproject("[tool.uv.workspace]\nmembers = [\"packages/*\"]\n").is_some());
        // Not dependencies: settings that happen to say "path =".
        assert!(pyproject(
            "[tool.pytest.ini_options]\npythonpath = \"src\"\n[tool.poetry.dependencies]\njsonpath = \"^0.82\"\n"
        )
        .is_none());
        assert!(pyproject("[tool.uv.sources]\nlib = { git = \"https://x/y\" }\n").is_none());
        assert!(pyproject("[project]\ndependencies = [\"lib @ https://x/lib.whl\"]\n").is_none());
    }

    #[test]
    fn pipfile_local_packages_by_structure() {
        let p = |t: &str| pipfile_local(&t.parse().unwrap());
        assert!(p("[packages]\nlib = {path=\".\"}\n").is_some());
        assert!(p("[dev-packages]\nlib = {file = \"wheels/lib.whl\"}\n").is_some());
        assert!(p("[packages]\nlib = {git = \"https://x/y\", editable = true}\n").is_some());
        assert!(
            p("[packages]\nlib = {file = \"https://x/lib.whl\"}\njsonpath = \"*\"\n").is_none()
        );
        assert!(p("[[source]]\nurl = \"https://pypi.org/simple\"\n# path = \"..\"\n").is_none());
    }

    #[test]
    fn composer_local_repositories() {
        let c = |t: &str| composer_local(&serde_json::from_str(t).unwrap());
        assert!(c(r#"{"repositories":[{"type":"path","url":"../lib"}]}"#).is_some());
        assert!(c(r#"{"repositories":{"local":{"type":"artifact","url":"dist/"}}}"#).is_some());
        assert!(c(
            r#"{"repositories":[{"type":"vcs","url":"https://x/y"}],"extra":{"path":"web"}}"#
        )
        .is_none());
    }

    #[test]
    fn go_mod_local_replacements() {
        assert!(go_replaces_locally("module m\nreplace x => ./x\n"));
        assert!(go_replaces_locally(
            "replace (\n\tx v1 => ../x\n\ty => z v1.0.0\n)\n"
        ));
        assert!(!go_replaces_locally("replace x => y v1.2.3 // was ./x\n"));
        assert!(!go_replaces_locally("require x v1\n"));
    }
}
