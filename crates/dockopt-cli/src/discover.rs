//! Finding Dockerfiles under the given paths.

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;

/// Extensions that make a `Dockerfile.*` something else: documentation,
/// templates, backups, editor and merge leftovers, other formats.
const NOT_DOCKERFILE: &[&str] = &[
    "md",
    "markdown",
    "txt",
    "rst",
    "adoc",
    "html",
    "orig",
    "rej",
    "bak",
    "backup",
    "old",
    "save",
    "swp",
    "swo",
    "tmp",
    "temp",
    "j2",
    "jinja",
    "jinja2",
    "tpl",
    "tmpl",
    "template",
    "mustache",
    "hbs",
    "erb",
    "gotmpl",
    "in",
    "m4",
    "example",
    "sample",
    "dist",
    "disabled",
    "dockerignore",
    "yml",
    "yaml",
    "json",
    "toml",
    "sh",
    "ps1",
    "py",
    "lock",
    "log",
    "patch",
    "diff",
    "sig",
    "asc",
    "sha256",
    "gz",
    "zip",
    "tar",
    "bz2",
    "xz",
    "zst",
    "dpkg-old",
    "dpkg-dist",
    "rpmnew",
    "rpmsave",
];

/// Whether a file name looks like a Dockerfile: `Dockerfile`,
/// `Containerfile`, `Dockerfile.<variant>`, `<name>.Dockerfile`, in any
/// case, but not a variant that is another kind of file
/// (`Dockerfile.md`, `Dockerfile.j2`, `Dockerfile.bak`, `Dockerfile~`).
pub fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with('~') || lower.starts_with(".#") {
        return false;
    }
    if lower == "dockerfile" || lower == "containerfile" {
        return true;
    }
    if let Some(stem) = lower
        .strip_suffix(".dockerfile")
        .or_else(|| lower.strip_suffix(".containerfile"))
    {
        return !stem.is_empty() && stem != "." && !stem.ends_with('.');
    }
    let Some(variant) = lower
        .strip_prefix("dockerfile.")
        .or_else(|| lower.strip_prefix("containerfile."))
    else {
        return false;
    };
    !variant.is_empty()
        && !variant
            .split('.')
            .any(|part| part.is_empty() || NOT_DOCKERFILE.contains(&part))
}

/// What to process: files by path, or standard input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Stdin,
    File(PathBuf),
}

/// A path that could not be searched or does not exist, and why.
pub type Failed = (PathBuf, String);

/// An `--exclude` glob that is not one, as a usage error.
pub fn check_excludes(excludes: &[String]) -> Result<(), String> {
    dockopt_engine::config::gitignore(Path::new(""), excludes.iter().map(String::as_str))
        .map(|_| ())
        .map_err(|(i, why)| format!("error: --exclude {}: {why}", excludes[i]))
}

/// Expands directories into the Dockerfiles under them, honouring
/// `.gitignore` and `--exclude`. Named files are always kept (reading them
/// says what is wrong with them); in directories, only regular files, or
/// symlinks to them, are.
pub fn discover(paths: &[PathBuf], excludes: &[String]) -> (Vec<Input>, Vec<Failed>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    let default = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    for p in paths {
        if p.as_os_str() == "-" {
            inputs.push(Input::Stdin);
        } else if p.is_dir() {
            walk(p, excludes, &mut inputs, &mut errors);
        } else if p.exists() || p.symlink_metadata().is_ok() {
            inputs.push(Input::File(p.clone()));
        } else {
            errors.push((p.clone(), "error: no such file or directory".into()));
        }
    }
    inputs.dedup();
    (inputs, errors)
}

fn walk(root: &Path, excludes: &[String], inputs: &mut Vec<Input>, errors: &mut Vec<Failed>) {
    // Checked by `check_excludes` before the walk. The same matcher as the
    // configuration's `exclude`, relative to the directory walked.
    let matcher = dockopt_engine::config::gitignore(
        Path::new(""),
        excludes.iter().map(|g| g.trim_start_matches("./")),
    )
    .ok()
    .filter(|g| !g.is_empty());
    let base = root.to_path_buf();
    let is_excluded = move |path: &Path, is_dir: bool| {
        let Some(g) = &matcher else { return false };
        let Ok(rel) = path.strip_prefix(&base) else {
            return false;
        };
        if rel.as_os_str().is_empty() {
            return false;
        }
        if is_dir {
            // A directory is skipped whole only when no `!` glob could take
            // back something inside it.
            g.num_whitelists() == 0 && g.matched(rel, true).is_ignore()
        } else {
            dockopt_engine::config::excluded(g, rel)
        }
    };
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .require_git(false)
        .filter_entry(move |e| {
            e.file_name() != ".git"
                && !is_excluded(e.path(), e.file_type().is_some_and(|t| t.is_dir()))
        });
    let mut found = Vec::new();
    for entry in builder.build() {
        match entry {
            Ok(e) => {
                if !e.file_name().to_str().is_some_and(is_dockerfile_name) {
                    continue;
                }
                // A FIFO, socket or device by a Dockerfile's name is not one;
                // nor is a symlink to one, or to a directory.
                let regular = e.file_type().is_some_and(|t| {
                    t.is_file()
                        || (t.is_symlink() && e.path().metadata().is_ok_and(|m| m.is_file()))
                });
                if regular {
                    found.push(e.into_path());
                }
            }
            Err(e) => errors.push(walk_error(root, &e)),
        }
    }
    found.sort();
    inputs.extend(found.into_iter().map(Input::File));
}

/// The path an error is about, and the error without it.
fn walk_error(root: &Path, e: &ignore::Error) -> Failed {
    match e {
        ignore::Error::WithPath { path, err } => (path.clone(), walk_error(root, err).1),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error(root, err)
        }
        e => (root.to_path_buf(), format!("error: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in [
            "Dockerfile",
            "dockerfile",
            "DOCKERFILE",
            "Dockerfile.dev",
            "dockerfile.dev",
            "Dockerfile.prod.arm64",
            "api.Dockerfile",
            "x.dockerfile",
            "Containerfile",
            "Containerfile.prod",
            "containerfile.prod",
            "web.Containerfile",
        ] {
            assert!(is_dockerfile_name(ok), "{ok}");
        }
        for no in [
            "Dockerfile.dockerignore",
            ".dockerignore",
            "README.md",
            "Dockerfiles",
            "docker-compose.yml",
            "Dockerfile.md",
            "Dockerfile.orig",
            "Dockerfile.j2",
            "Dockerfile.dev.j2",
            "Dockerfile.bak",
            "Dockerfile.rej",
            "Dockerfile.template",
            "Dockerfile.in",
            "Dockerfile~",
            "Dockerfile.",
            "Dockerfile..dev",
            ".dockerfile",
            "Containerfile.swp",
            "dockerfile.yaml",
        ] {
            assert!(!is_dockerfile_name(no), "{no}");
        }
    }
}
