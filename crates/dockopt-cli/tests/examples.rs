//! Each example's `expected.diff` (safe fixes) and `expected-unsafe.diff`
//! (with `--unsafe`) are what `dockopt fix --diff` prints for it, at least
//! one of them changes something, and the fixed Dockerfile is stable under a
//! second fix. `UPDATE_EXAMPLES=1` rewrites the expected diffs.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

fn dockopt(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("dockopt").unwrap();
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

#[test]
fn examples_match_their_expected_diffs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut n = 0;
    for e in fs::read_dir(&root).unwrap() {
        let dir = e.unwrap().path();
        if !dir.join("Dockerfile").is_file() {
            continue;
        }
        n += 1;
        let mut changed = false;
        for (file, extra) in [
            ("expected.diff", None),
            ("expected-unsafe.diff", Some("--unsafe")),
        ] {
            let out = dockopt(&dir)
                .args(["fix", "--diff", "Dockerfile"])
                .args(extra)
                .output()
                .unwrap();
            changed |= out.status.code() == Some(1);
            let diff = String::from_utf8(out.stdout).unwrap();
            let expected = dir.join(file);
            if std::env::var_os("UPDATE_EXAMPLES").is_some() {
                fs::write(&expected, &diff).unwrap();
            }
            assert_eq!(
                fs::read_to_string(&expected).unwrap_or_default(),
                diff,
                "{}/{file}: run UPDATE_EXAMPLES=1 cargo test -p dockopt-cli --test examples",
                dir.display()
            );
        }
        assert!(changed, "{}: no change proposed", dir.display());

        // Apply in a scratch copy: a second fix changes nothing.
        let scratch = tempfile::tempdir().unwrap();
        copy_dir(&dir, scratch.path());
        for mode in [None, Some("--unsafe")] {
            let fix = || {
                dockopt(scratch.path())
                    .args(["fix", "--quiet", "Dockerfile"])
                    .args(mode)
                    .output()
                    .unwrap()
            };
            fix();
            let once = fs::read(scratch.path().join("Dockerfile")).unwrap();
            fix();
            assert_eq!(
                fs::read(scratch.path().join("Dockerfile")).unwrap(),
                once,
                "{}",
                dir.display()
            );
        }
    }
    assert!(n >= 3, "expected at least three examples");
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for f in fs::read_dir(from).unwrap() {
        let p = f.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            fs::copy(&p, &dest).unwrap();
        }
    }
}
