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

/// Expands directories into the Dockerfiles under them, honouring
/// `.gitignore` and `--exclude`. Named files are always kept.
pub fn discover(paths: &[PathBuf], excludes: &[String]) -> (Vec<Input>, Vec<String>) {
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
            errors.push(format!("{}: error: no such file or directory", p.display()));
        }
    }
    inputs.dedup();
    (inputs, errors)
}

fn walk(root: &Path, excludes: &[String], inputs: &mut Vec<Input>, errors: &mut Vec<String>) {
    let mut overrides = OverrideBuilder::new(root);
    for g in excludes {
        let glob = g.trim_start_matches("./");
        if let Err(e) = overrides.add(&format!("!{glob}")) {
            errors.push(format!("--exclude {g}: error: {e}"));
        }
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
                let is_file = e.file_type().is_some_and(|t| t.is_file() || t.is_symlink());
                if is_file && e.file_name().to_str().is_some_and(is_dockerfile_name) {
                    found.push(e.into_path());
                }
            }
            Err(e) => errors.push(format!("error: {e}")),
        }
    }
    found.sort();
    inputs.extend(found.into_iter().map(Input::File));
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
