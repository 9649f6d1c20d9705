//! Dependency manifests per ecosystem: which files an install reads, what
//! to run before the sources are copied, and when that cannot be done safely.

use dockopt_engine::{Applicability, BuildContext};
use dockopt_shell::Command;

/// What the hoisted step copies and runs.
pub struct Plan {
    /// Files copied together into the working directory.
    pub manifests: Vec<String>,
    /// Directories copied to the same relative path.
    pub dirs: Vec<String>,
    pub install: String,
    /// The original command stays after the broad COPY, because it needs
    /// the sources; the hoisted command only fetches dependencies.
    pub keep_original: bool,
    pub applicability: Applicability,
}

impl Plan {
    fn moved(manifests: Vec<String>, install: &str) -> Self {
        Self {
            manifests,
            dirs: Vec::new(),
            install: install.to_string(),
            keep_original: false,
            applicability: Applicability::Safe,
        }
    }

    fn kept(manifests: Vec<String>, install: &str) -> Self {
        Self {
            keep_original: true,
            ..Self::moved(manifests, install)
        }
    }
}

pub fn join(dir: &str, name: &str) -> String {
    let dir = dir.trim_start_matches("./").trim_end_matches('/');
    if dir.is_empty() || dir == "." {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// Optional files that exist in the context.
fn present(ctx: &BuildContext<'_>, src: &str, names: &[&str]) -> Vec<String> {
    names
        .iter()
        .map(|n| join(src, n))
        .filter(|p| ctx.is_file(p))
        .collect()
}

fn present_dirs(ctx: &BuildContext<'_>, src: &str, names: &[&str]) -> Vec<String> {
    names
        .iter()
        .map(|n| join(src, n))
        .filter(|p| ctx.is_dir(p))
        .collect()
}

fn read(ctx: &BuildContext<'_>, src: &str, name: &str) -> Result<String, String> {
    let bytes = ctx
        .read(&join(src, name))
        .ok_or_else(|| format!("{name} is not in the build context"))?;
    String::from_utf8(bytes).map_err(|_| format!("{name} is not valid UTF-8"))
}

fn first_verb(c: &Command) -> Option<&str> {
    c.args
        .iter()
        .find(|w| !w.text.starts_with('-'))
        .map(|w| w.text.as_str())
}

/// Whether a command installs or builds from manifests.
pub fn is_installer(c: &Command) -> bool {
    let n = c.name.text.rsplit('/').next().unwrap_or_default();
    let first = first_verb(c);
    let has = |w: &[&str]| c.args.iter().any(|a| w.contains(&a.text.as_str()));
    match n {
        "npm" => matches!(first, Some("install" | "i" | "ci")),
        "go" => first == Some("mod") && c.args.get(1).is_some_and(|w| w.text == "download"),
        "yarn" => matches!(first, None | Some("install")),
        "pnpm" => matches!(first, Some("install" | "i")),
        "pipenv" | "poetry" | "composer" | "bundle" | "bundler" => first == Some("install"),
        "uv" => first == Some("sync"),
        "mvn" | "mvnw" => has(&["package", "install", "verify"]),
        "gradle" | "gradlew" => has(&["build", "assemble", "bootJar", "installDist"]),
        "dotnet" => matches!(first, Some("restore" | "publish" | "build")),
        "cargo" => matches!(first, Some("build" | "install")),
        "mix" => first == Some("deps.get"),
        p if p.starts_with("pip") => first == Some("install"),
        p if p.starts_with("python") => has(&["pip", "pip3"]) && has(&["install"]),
        _ => false,
    }
}

/// The plan for an install command, or why there is none.
pub fn plan(ctx: &BuildContext<'_>, src: &str, c: &Command, text: &str) -> Result<Plan, String> {
    let n = c.name.text.rsplit('/').next().unwrap_or_default();
    match n {
        "npm" => npm(ctx, src, c, text),
        "go" => go(ctx, src, text),
        "yarn" => yarn(ctx, src, text),
        "pnpm" => pnpm(ctx, src, text),
        "pipenv" => pipenv(ctx, src, c, text),
        "poetry" => pyproject(ctx, src, "poetry.lock", &format!("{text} --no-root")),
        "uv" => pyproject(ctx, src, "uv.lock", &format!("{text} --no-install-project")),
        "bundle" | "bundler" => bundler(ctx, src, text),
        "composer" => composer(ctx, src, text),
        "mvn" | "mvnw" => maven(ctx, src, &c.name.text),
        "gradle" | "gradlew" => gradle(ctx, src, &c.name.text),
        "dotnet" => dotnet(ctx, src, text, first_verb(c) == Some("restore")),
        "cargo" => Err("Cargo cannot fetch and build dependencies without the sources".into()),
        "mix" => Err(
            "mix deps.get loads the project's config, which the manifests do not include".into(),
        ),
        _ => pip(ctx, src, c, text),
    }
}

/// Install hooks, local dependencies, workspaces and a `node_modules` that
/// the broad COPY would bring all make a JavaScript install unhoistable.
fn check_package_json(ctx: &BuildContext<'_>, src: &str) -> Result<(), String> {
    let text = read(ctx, src, "package.json")?;
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
    if json.get("workspaces").is_some() || ctx.is_file(&join(src, "pnpm-workspace.yaml")) {
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
    if ctx.is_dir(&join(src, "node_modules")) {
        return Err(
            "node_modules is in the build context: the broad COPY would overwrite the install"
                .into(),
        );
    }
    Ok(())
}

fn npm(ctx: &BuildContext<'_>, src: &str, c: &Command, text: &str) -> Result<Plan, String> {
    let verb = first_verb(c).unwrap_or_default();
    if c.args.iter().filter(|w| !w.text.starts_with('-')).count() > 1 {
        return Err("npm install names packages".into());
    }
    check_package_json(ctx, src)?;
    let mut manifests = vec![join(src, "package.json")];
    let lock = present(ctx, src, &["package-lock.json", "npm-shrinkwrap.json"]);
    let locked = !lock.is_empty();
    manifests.extend(lock);
    manifests.extend(present(ctx, src, &[".npmrc"]));
    if locked && matches!(verb, "install" | "i") {
        // npm ci never rewrites the lock, which the broad COPY would undo.
        let install = text.replacen(&format!("npm {verb}"), "npm ci", 1);
        return Ok(Plan {
            applicability: Applicability::Unsafe,
            ..Plan::moved(manifests, &install)
        });
    }
    Ok(Plan::moved(manifests, text))
}

fn yarn(ctx: &BuildContext<'_>, src: &str, text: &str) -> Result<Plan, String> {
    check_package_json(ctx, src)?;
    if ctx.is_dir(&join(src, ".yarn/cache")) || ctx.is_file(&join(src, ".pnp.cjs")) {
        return Err("the project keeps its Yarn cache or PnP files in the build context".into());
    }
    let mut manifests = vec![join(src, "package.json")];
    manifests.extend(present(
        ctx,
        src,
        &["yarn.lock", ".yarnrc", ".yarnrc.yml", ".npmrc"],
    ));
    Ok(Plan {
        dirs: present_dirs(ctx, src, &[".yarn/releases", ".yarn/plugins"]),
        ..Plan::moved(manifests, text)
    })
}

fn pnpm(ctx: &BuildContext<'_>, src: &str, text: &str) -> Result<Plan, String> {
    check_package_json(ctx, src)?;
    let mut manifests = vec![join(src, "package.json")];
    manifests.extend(present(
        ctx,
        src,
        &["pnpm-lock.yaml", ".npmrc", ".pnpmfile.cjs"],
    ));
    Ok(Plan::moved(manifests, text))
}

/// A requirements file and everything it includes, in the order pip reads
/// them. Includes nest as deep as the context's files go: the files being
/// read are a stack, not recursion.
fn requirements(ctx: &BuildContext<'_>, path: &str, out: &mut Vec<String>) -> Result<(), String> {
    // Each file being read, with its lines and the next one to read.
    let mut stack: Vec<(String, Vec<String>, usize)> = Vec::new();
    let mut seen: std::collections::HashSet<String> = out.iter().cloned().collect();
    let mut next = Some(path.to_string());
    loop {
        if let Some(path) = next.take() {
            if seen.insert(path.clone()) {
                let text = ctx
                    .read(&path)
                    .ok_or_else(|| format!("{path} is not in the build context"))?;
                let text =
                    String::from_utf8(text).map_err(|_| format!("{path} is not valid UTF-8"))?;
                out.push(path.clone());
                stack.push((path, text.lines().map(str::to_string).collect(), 0));
            }
        }
        let Some((path, lines, at)) = stack.last_mut() else {
            return Ok(());
        };
        let Some(line) = lines.get(*at) else {
            stack.pop();
            continue;
        };
        *at += 1;
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        let line = line.split(" #").next().unwrap_or("").trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["-r" | "--requirement" | "-c" | "--constraint", file, ..] => {
                next = Some(join(dir, file));
            }
            [w, ..] if (w.starts_with("-r") || w.starts_with("-c")) && w.len() > 2 => {
                next = Some(join(dir, &w[2..]));
            }
            ["-e" | "--editable", ..] => {
                return Err(format!("{path} installs an editable local package"))
            }
            [w, ..] if w.starts_with('.') || w.starts_with('/') || w.starts_with("file:") => {
                return Err(format!("{path} installs a local path"));
            }
            _ if line.contains("@ file:") => return Err(format!("{path} installs a local path")),
            _ => {}
        }
    }
}

fn pip(ctx: &BuildContext<'_>, src: &str, c: &Command, text: &str) -> Result<Plan, String> {
    let args: Vec<&str> = c.args.iter().map(|w| w.text.as_str()).collect();
    let start = args
        .iter()
        .position(|a| *a == "install")
        .ok_or("not a pip install")?;
    let mut files = Vec::new();
    let mut i = start + 1;
    while i < args.len() {
        match args[i] {
            "-r" | "--requirement" | "-c" | "--constraint" => {
                let f = args.get(i + 1).ok_or("pip -r without a file")?;
                requirements(ctx, &join(src, f), &mut files)?;
                i += 2;
            }
            "-t" | "--target" | "--prefix" | "--root" | "-e" | "--editable" => {
                return Err(format!(
                    "pip install {} writes or reads the project directory",
                    args[i]
                ));
            }
            a if a.starts_with('-') => i += 1,
            _ => return Err("pip install names packages or paths".into()),
        }
    }
    if files.is_empty() {
        return Err("pip install has no requirements file".into());
    }
    Ok(Plan::moved(files, text))
}

fn no_venv(ctx: &BuildContext<'_>, src: &str) -> Result<(), String> {
    if ctx.is_dir(&join(src, ".venv")) {
        return Err(
            ".venv is in the build context: the broad COPY would overwrite the install".into(),
        );
    }
    Ok(())
}

fn pipenv(ctx: &BuildContext<'_>, src: &str, c: &Command, text: &str) -> Result<Plan, String> {
    if c.args.iter().skip(1).any(|w| !w.text.starts_with('-')) {
        return Err("pipenv install names packages".into());
    }
    if read(ctx, src, "Pipfile")?.contains("path =") {
        return Err("the Pipfile installs a local path".into());
    }
    no_venv(ctx, src)?;
    let mut manifests = vec![join(src, "Pipfile")];
    manifests.extend(present(ctx, src, &["Pipfile.lock"]));
    Ok(Plan::moved(manifests, text))
}

/// Poetry and uv: fetch the locked dependencies without the project, then
/// let the original command install the project after the sources.
fn pyproject(ctx: &BuildContext<'_>, src: &str, lock: &str, install: &str) -> Result<Plan, String> {
    if read(ctx, src, "pyproject.toml")?.contains("path =") {
        return Err("pyproject.toml has a path dependency".into());
    }
    no_venv(ctx, src)?;
    let mut manifests = vec![join(src, "pyproject.toml")];
    manifests.extend(present(ctx, src, &[lock]));
    Ok(Plan::kept(manifests, install))
}

fn go(ctx: &BuildContext<'_>, src: &str, text: &str) -> Result<Plan, String> {
    let gomod = read(ctx, src, "go.mod")?;
    let local = gomod.lines().any(|l| {
        l.contains("=>") && (l.contains("=> ./") || l.contains("=> ../") || l.contains("=> /"))
    });
    if local {
        return Err("go.mod replaces a module with a local directory".into());
    }
    let mut manifests = vec![join(src, "go.mod")];
    manifests.extend(present(ctx, src, &["go.sum"]));
    Ok(Plan::moved(manifests, text))
}

fn bundler(ctx: &BuildContext<'_>, src: &str, text: &str) -> Result<Plan, String> {
    let gemfile = read(ctx, src, "Gemfile")?;
    if gemfile.contains("gemspec") || gemfile.contains("path:") || gemfile.contains(":path") {
        return Err("the Gemfile uses a local gemspec or path".into());
    }
    let mut manifests = vec![join(src, "Gemfile")];
    manifests.extend(present(ctx, src, &["Gemfile.lock"]));
    Ok(Plan {
        dirs: present_dirs(ctx, src, &[".bundle"]),
        ..Plan::moved(manifests, text)
    })
}

fn composer(ctx: &BuildContext<'_>, src: &str, text: &str) -> Result<Plan, String> {
    if read(ctx, src, "composer.json")?.contains("\"path\"") {
        return Err("composer.json has a path repository".into());
    }
    let mut manifests = vec![join(src, "composer.json")];
    manifests.extend(present(ctx, src, &["composer.lock", "auth.json"]));
    Ok(Plan::kept(
        manifests,
        &format!("{text} --no-scripts --no-autoloader"),
    ))
}

fn maven(ctx: &BuildContext<'_>, src: &str, mvn: &str) -> Result<Plan, String> {
    if read(ctx, src, "pom.xml")?.contains("<modules>") {
        return Err("a multi-module build needs every module's pom.xml".into());
    }
    let mut manifests = vec![join(src, "pom.xml")];
    if mvn.contains("mvnw") {
        manifests.extend(present(ctx, src, &["mvnw"]));
    }
    // go-offline fetches more than the build needs into ~/.m2.
    Ok(Plan {
        dirs: if mvn.contains("mvnw") {
            present_dirs(ctx, src, &[".mvn"])
        } else {
            Vec::new()
        },
        applicability: Applicability::Unsafe,
        ..Plan::kept(manifests, &format!("{mvn} -B dependency:go-offline"))
    })
}

fn gradle(ctx: &BuildContext<'_>, src: &str, gradle: &str) -> Result<Plan, String> {
    let settings = present(ctx, src, &["settings.gradle", "settings.gradle.kts"]);
    for s in &settings {
        let text = String::from_utf8(ctx.read(s).unwrap_or_default())
            .map_err(|_| format!("{s} is not valid UTF-8"))?;
        if text.contains("include") {
            return Err("a multi-project build needs every project's build file".into());
        }
    }
    let mut manifests = present(ctx, src, &["build.gradle", "build.gradle.kts"]);
    if manifests.is_empty() {
        return Err("build.gradle is not in the build context".into());
    }
    manifests.extend(settings);
    manifests.extend(present(ctx, src, &["gradle.properties", "gradlew"]));
    // Resolving ahead of the build fills the cache with more than it uses.
    Ok(Plan {
        dirs: present_dirs(ctx, src, &["gradle"]),
        applicability: Applicability::Unsafe,
        ..Plan::kept(manifests, &format!("{gradle} dependencies --no-daemon"))
    })
}

fn dotnet(
    ctx: &BuildContext<'_>,
    src: &str,
    text: &str,
    restore_only: bool,
) -> Result<Plan, String> {
    let dir = src.trim_start_matches("./").trim_end_matches('/');
    let dir = if dir == "." { "" } else { dir };
    let projects: Vec<String> = ctx
        .list(dir)
        .into_iter()
        .filter(|n| n.ends_with(".csproj") || n.ends_with(".fsproj"))
        .collect();
    let [project] = projects.as_slice() else {
        return Err(
            "there is not exactly one project file at the top of the copied directory".into(),
        );
    };
    if read(ctx, src, project)?.contains("ProjectReference") {
        return Err("the project references other projects".into());
    }
    let mut manifests = vec![join(src, project)];
    manifests.extend(present(
        ctx,
        src,
        &[
            "NuGet.Config",
            "nuget.config",
            "Directory.Build.props",
            "Directory.Packages.props",
            "global.json",
        ],
    ));
    if restore_only {
        Ok(Plan::moved(manifests, text))
    } else {
        Ok(Plan::kept(manifests, "dotnet restore"))
    }
}
