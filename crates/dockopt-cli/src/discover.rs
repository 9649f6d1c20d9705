//! Finding Dockerfiles under the given paths.

use std::path::{Path, PathBuf};

use ignore::overrides::OverrideBuilder;
use ignore::WalkBuilder;

/// Whether a file name looks like a Dockerfile.
pub fn is_dockerfile_name(name: &str) -> bool {
    if name.ends_with(".dockerignore") {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    lower == "dockerfile"
        || lower == "containerfile"
        || name.starts_with("Dockerfile.")
        || name.starts_with("Containerfile.")
        || lower.ends_with(".dockerfile")
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
    let mut overrides = OverrideBuilder::new(".");
    for g in excludes {
        if let Err(e) = overrides.add(&format!("!{}", g.trim_start_matches("./"))) {
            return Err(format!("error: --exclude {g}: {e}"));
        }
    }
    Ok(())
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
    let mut overrides = OverrideBuilder::new(root);
    for g in excludes {
        // Checked by `check_excludes` before the walk.
        let _ = overrides.add(&format!("!{}", g.trim_start_matches("./")));
    }
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git");
    match overrides.build() {
        Ok(o) if !excludes.is_empty() => {
            builder.overrides(o);
        }
        _ => {}
    }
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
            "Dockerfile.dev",
            "api.Dockerfile",
            "x.dockerfile",
            "Containerfile",
            "Containerfile.prod",
        ] {
            assert!(is_dockerfile_name(ok), "{ok}");
        }
        for no in [
            "Dockerfile.dockerignore",
            ".dockerignore",
            "README.md",
            "Dockerfiles",
            "docker-compose.yml",
        ] {
            assert!(!is_dockerfile_name(no), "{no}");
        }
    }
}
