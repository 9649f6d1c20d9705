//! The CLI over the shared corpus: batches keep going past a crash, and
//! fixing twice changes nothing. Skips when the corpus is absent, fails
//! under `CI=true`.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "corpus missing at {}",
        dir.display()
    );
    eprintln!("skipped: corpus not found at {}", dir.display());
    None
}

/// Copies the apps and official Dockerfiles into a scratch directory.
fn scratch_copy(corpus: &Path) -> (tempfile::TempDir, Vec<String>) {
    let d = tempfile::tempdir().unwrap();
    let mut names = Vec::new();
    for set in ["apps", "official"] {
        for e in fs::read_dir(corpus.join(set)).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_str().unwrap().to_string();
            if name.ends_with(".Dockerfile") {
                fs::create_dir_all(d.path().join(set)).unwrap();
                // Fresh files: the corpus itself is read-only.
                fs::write(d.path().join(set).join(&name), fs::read(&p).unwrap()).unwrap();
                names.push(format!("{set}/{name}"));
            }
        }
    }
    names.sort();
    (d, names)
}

fn dockopt(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("dockopt").unwrap();
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("DOCKOPT_INJECT_PANIC");
    c
}

#[test]
fn a_crash_in_one_file_does_not_stop_the_batch() {
    let Some(corpus) = corpus() else { return };
    let (d, names) = scratch_copy(&corpus);
    assert_eq!(names.len(), 237);
    let victim = &names[100];
    let out = dockopt(d.path())
        .args(["check", "--format", "json", "--select", "ALL"])
        .env("DOCKOPT_INJECT_PANIC", victim)
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let files = json["files"].as_array().unwrap();
    assert_eq!(files.len(), 237);
    let errors: Vec<_> = files.iter().filter(|f| !f["error"].is_null()).collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0]["path"], victim.as_str());
    assert!(errors[0]["error"]
        .as_str()
        .unwrap()
        .contains("internal error"));
}

#[test]
fn fixing_twice_changes_nothing_and_outputs_parse() {
    fix_twice(&[]);
}

#[test]
fn unsafe_fixing_twice_changes_nothing_and_outputs_parse() {
    fix_twice(&["--unsafe"]);
}

fn fix_twice(extra: &[&str]) {
    let Some(corpus) = corpus() else { return };
    let (d, names) = scratch_copy(&corpus);
    // Exit 1: findings without an automatic fix remain.
    let status = dockopt(d.path())
        .args(["fix", "--quiet"])
        .args(extra)
        .assert()
        .get_output()
        .status
        .code();
    assert!(matches!(status, Some(0 | 1)), "fix failed: {status:?}");
    dockopt(d.path())
        .args(["fix", "--diff"])
        .args(extra)
        .assert()
        .code(0)
        .stdout("");
    for name in &names {
        let after = fs::read(d.path().join(name)).unwrap();
        let before = fs::read(corpus.join(name)).unwrap();
        if parses(&before) {
            assert!(parses(&after), "{name}: the fixed file no longer parses");
        } else {
            assert_eq!(
                after, before,
                "{name}: a file with syntax errors was changed"
            );
        }
    }
}

/// Whether dockopt reports no parse errors for the bytes.
fn parses(bytes: &[u8]) -> bool {
    let mut c = Command::cargo_bin("dockopt").unwrap();
    c.args(["parse", "-"]).write_stdin(bytes.to_vec());
    c.output().unwrap().status.success()
}
