//! Copies of the build context under the temporary directory, so that the
//! user's tree is never touched, and the source file a rebuild changes.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use dockopt_engine::DockerIgnore;

/// Files that name dependencies: changing one is not a source-only change.
const MANIFESTS: &[&str] = &[
    "package.json",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lockb",
    "Pipfile",
    "Pipfile.lock",
    "pyproject.toml",
    "poetry.lock",
    "uv.lock",
    "setup.py",
    "setup.cfg",
    "go.mod",
    "go.sum",
    "Cargo.toml",
    "Cargo.lock",
    "Gemfile",
    "Gemfile.lock",
    "composer.json",
    "composer.lock",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "settings.gradle",
    "settings.gradle.kts",
    "gradle.properties",
    "mix.exs",
    "mix.lock",
    "packages.lock.json",
    ".dockerignore",
];

/// Source extensions, preferred for the rebuild's change: program code
/// first, then scripts and pages.
const SOURCES: &[&[&str]] = &[
    &[
        "py", "js", "mjs", "cjs", "ts", "tsx", "jsx", "go", "rs", "c", "cc", "cpp", "h", "hpp",
        "java", "kt", "scala", "rb", "php", "cs", "ex", "exs",
    ],
    &["sh", "html", "css"],
];

fn is_manifest(name: &str) -> bool {
    MANIFESTS.contains(&name)
        || name.starts_with("requirements")
        || name.ends_with(".csproj")
        || Path::new(name)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("lock"))
        || name.starts_with("Dockerfile")
        || name.starts_with("Containerfile")
        || name.ends_with(".dockerignore")
}

/// Every path of the context, relative and `/`-separated, that the
/// builder would receive, in sorted order. Symlinks are not followed.
pub fn list(root: &Path, ignore: Option<&DockerIgnore>) -> io::Result<Vec<(String, fs::FileType)>> {
    let mut out = Vec::new();
    let keep_dirs = ignore.is_some_and(|i| {
        i.patterns()
            .iter()
            .any(dockopt_engine::dockerignore::Pattern::is_exclusion)
    });
    walk(root, "", ignore, keep_dirs, &mut out)?;
    Ok(out)
}

fn walk(
    dir: &Path,
    rel: &str,
    ignore: Option<&DockerIgnore>,
    keep_dirs: bool,
    out: &mut Vec<(String, fs::FileType)>,
) -> io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)?.collect::<io::Result<_>>()?;
    entries.sort_by_key(fs::DirEntry::file_name);
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let path = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        let ty = e.file_type()?;
        let ignored = ignore.is_some_and(|i| i.is_ignored(&path));
        // `.dockerignore` is read by the builder even when it lists itself.
        if ignored && path != ".dockerignore" {
            // An exception (`!pattern`) may bring back something below.
            if ty.is_dir() && keep_dirs {
                walk(&e.path(), &path, ignore, keep_dirs, out)?;
            }
            continue;
        }
        out.push((path.clone(), ty));
        if ty.is_dir() {
            walk(&e.path(), &path, ignore, keep_dirs, out)?;
        }
    }
    Ok(())
}

/// Copies what `list` gives, keeping modes, symlinks and modification
/// times (compiled caches such as `.pyc` record the source's time).
pub fn copy(src: &Path, dst: &Path, ignore: Option<&DockerIgnore>) -> io::Result<()> {
    fs::create_dir_all(dst)?;
    for (rel, ty) in list(src, ignore)? {
        let from = src.join(&rel);
        let to = dst.join(&rel);
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent)?;
        }
        if ty.is_dir() {
            fs::create_dir_all(&to)?;
            fs::set_permissions(&to, fs::metadata(&from)?.permissions())?;
        } else if ty.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(&from)?, &to)?;
        } else if ty.is_file() {
            fs::copy(&from, &to)?;
            let modified = fs::metadata(&from)?.modified()?;
            fs::File::options()
                .write(true)
                .open(&to)?
                .set_modified(modified)?;
        }
    }
    Ok(())
}

/// The file a rebuild appends a line to: a source file the builder
/// receives, not a dependency manifest nor the Dockerfile.
pub fn pick_touch(root: &Path, ignore: Option<&DockerIgnore>) -> io::Result<Option<String>> {
    let files: Vec<String> = list(root, ignore)?
        .into_iter()
        .filter(|(_, ty)| ty.is_file())
        .map(|(p, _)| p)
        .filter(|p| !is_manifest(p.rsplit('/').next().unwrap_or(p)))
        .collect();
    let tier = |p: &str| {
        let ext = Path::new(p).extension().and_then(|e| e.to_str());
        SOURCES
            .iter()
            .position(|t| ext.is_some_and(|e| t.contains(&e)))
            .unwrap_or(SOURCES.len())
    };
    Ok(files.iter().min_by_key(|p| tier(p)).cloned())
}

/// Appends one line. The two sides get different lines (empty, and one
/// space), so that neither rebuild can reuse a layer the other made.
pub fn append_line(file: &Path, side: usize) -> io::Result<()> {
    use std::io::Write;
    let mut f = fs::OpenOptions::new().append(true).open(file)?;
    f.write_all(if side == 0 { b"\n" } else { b" \n" })
}

/// Context paths that `proposed` leaves out and `existing` did not.
pub fn newly_excluded(
    root: &Path,
    existing: Option<&DockerIgnore>,
    proposed: &DockerIgnore,
) -> io::Result<Vec<String>> {
    Ok(list(root, existing)?
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| proposed.is_ignored(p))
        .collect())
}

/// Where the copy of a Dockerfile goes: at the same place inside the
/// context copy when it is inside the context, beside it otherwise.
pub fn dockerfile_place(dockerfile: &Path, context: &Path, side_dir: &Path) -> PathBuf {
    let abs = |p: &Path| fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    match abs(dockerfile).strip_prefix(abs(context)) {
        Ok(rel) if !rel.as_os_str().is_empty() => side_dir.join("context").join(rel),
        _ => side_dir.join(
            dockerfile
                .file_name()
                .map_or_else(|| "Dockerfile".into(), PathBuf::from),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_honour_dockerignore_and_pick_a_source_file() {
        let src = tempfile::tempdir().unwrap();
        let s = src.path();
        fs::create_dir_all(s.join("node_modules/x")).unwrap();
        fs::create_dir_all(s.join("src")).unwrap();
        fs::write(s.join("node_modules/x/i.js"), "x").unwrap();
        fs::write(s.join("package.json"), "{}").unwrap();
        fs::write(s.join("README.md"), "hi").unwrap();
        fs::write(s.join("probe.sh"), "ls").unwrap();
        fs::write(s.join("src/app.js"), "app").unwrap();
        fs::write(s.join(".dockerignore"), "node_modules\n.dockerignore\n").unwrap();
        let ignore = DockerIgnore::parse(b"node_modules\n.dockerignore\n").unwrap();
        let dst = tempfile::tempdir().unwrap();
        copy(s, dst.path(), Some(&ignore)).unwrap();
        assert!(!dst.path().join("node_modules").exists());
        assert!(dst.path().join(".dockerignore").is_file());
        assert_eq!(fs::read(dst.path().join("src/app.js")).unwrap(), b"app");
        let touch = pick_touch(dst.path(), Some(&ignore)).unwrap();
        assert_eq!(touch.as_deref(), Some("src/app.js"));
        let proposed = DockerIgnore::parse(b"README.md\n").unwrap();
        assert_eq!(
            newly_excluded(s, Some(&ignore), &proposed).unwrap(),
            ["README.md"]
        );
    }

    #[test]
    fn exceptions_bring_back_files_below_ignored_dirs() {
        let src = tempfile::tempdir().unwrap();
        let s = src.path();
        fs::create_dir_all(s.join("docs")).unwrap();
        fs::write(s.join("docs/keep.md"), "k").unwrap();
        fs::write(s.join("docs/drop.md"), "d").unwrap();
        let ignore = DockerIgnore::parse(b"docs\n!docs/keep.md\n").unwrap();
        let got: Vec<String> = list(s, Some(&ignore))
            .unwrap()
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert_eq!(got, ["docs/keep.md"]);
    }
}
