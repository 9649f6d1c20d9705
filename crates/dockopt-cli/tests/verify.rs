//! `dockopt verify` with real builds. Needs an image builder with
//! `debian:bookworm-slim` stored locally (no registry is reached): set
//! `DOCKOPT_TEST_BUILDER` to `docker`, `podman`, `buildah` or the path of
//! one (the lab's `buildah-trixie`, see `../shared/lab`). Without one the
//! tests skip with a message, and fail under `CI=true`.
//!
//! The builds are tiny and offline: files written by `RUN echo`, a copied
//! script, and a `.dockerignore` that leaves a file out.

use std::fs;
use std::path::Path;
use std::process::{Command as Std, Stdio};

use assert_cmd::Command;
use serde_json::Value;

const BASE: &str = "debian:bookworm-slim";

/// The builder to use, or `None` after saying why the test is skipped.
fn builder() -> Option<String> {
    let chosen = std::env::var("DOCKOPT_TEST_BUILDER")
        .ok()
        .or_else(|| std::env::var("BUILDAH").ok());
    let why = match &chosen {
        None => "DOCKOPT_TEST_BUILDER is not set".to_string(),
        Some(b) => {
            let name = Path::new(b)
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or(b)
                .to_string();
            let inspect: &[&str] = if name.starts_with("buildah") {
                &["inspect", "--type", "image", BASE]
            } else {
                &["image", "inspect", BASE]
            };
            let ok = Std::new(b)
                .args(inspect)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if ok {
                return chosen;
            }
            format!("{b} does not answer or has no {BASE} image")
        }
    };
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "verify integration tests need a builder under CI: {why}"
    );
    eprintln!("SKIPPED: verify integration test: {why} (see ../shared/lab/README.md)");
    None
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

/// A context under the temporary directory (the lab's builder sees only /tmp).
fn context(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("dockopt-verify-test-")
        .tempdir()
        .unwrap();
    for (name, text) in files {
        write(dir.path(), name, text);
    }
    dir
}

fn verify(builder: &str, dir: &Path, args: &[&str]) -> (Option<i32>, Value, String) {
    let out = Command::cargo_bin("dockopt")
        .unwrap()
        .current_dir(dir)
        .args([
            "verify",
            "--builder",
            builder,
            "--format",
            "json",
            "--no-rebuild",
        ])
        .args(args)
        .arg("Dockerfile")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{stderr}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (out.status.code(), json, stderr)
}

const APP: &str = "#!/bin/sh\ncat /app/config.ini\n";

#[test]
fn a_safe_rewrite_is_equivalent_and_has_fewer_layers() {
    let Some(b) = builder() else { return };
    let ctx = context(&[
        (
            "Dockerfile",
            "FROM debian:bookworm-slim\nRUN echo one > /one.txt\nRUN echo two > /two.txt\nCOPY app.sh config.ini /app/\nCMD [\"/app/app.sh\"]\n",
        ),
        ("app.sh", APP),
        ("config.ini", "[app]\nport=8080\n"),
    ]);
    let (code, r, err) = verify(
        &b,
        ctx.path(),
        &[
            "--select",
            "merge-runs",
            "--probe",
            "cat /one.txt /two.txt",
            "--probe",
            "sh /app/app.sh",
        ],
    );
    assert_eq!(r["verdict"], "equivalent", "{r:#}\n{err}");
    assert_eq!(code, Some(0));
    assert_eq!(r["version"], 1);
    assert_eq!(r["applied"][0]["name"], "merge-runs");
    let (a, n) = (&r["original"], &r["rewritten"]);
    assert_eq!(a["built"], true);
    assert_eq!(
        n["layers"].as_u64().unwrap() + 1,
        a["layers"].as_u64().unwrap()
    );
    assert!(a["size_bytes"].as_u64().unwrap() > 10_000_000);
    assert!(n["build_seconds"].as_f64().unwrap() > 0.0);
    assert!(r["probes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["same"] == true));
    assert_eq!(r["probes"][1]["original"]["output"], "[app]\nport=8080\n");
    assert_eq!(r["files"]["removed"].as_array().unwrap().len(), 0);
    assert_eq!(r["config_changes"].as_array().unwrap().len(), 0);
    // Progress went to standard error.
    assert!(err.contains("building the rewrite"), "{err}");
}

#[test]
fn a_rewrite_that_drops_a_needed_file_is_different() {
    let Some(b) = builder() else { return };
    let ctx = context(&[
        (
            "Dockerfile",
            "FROM debian:bookworm-slim\nCOPY app.sh /app/app.sh\nCOPY config.ini /app/config.ini\nCMD [\"/app/app.sh\"]\n",
        ),
        (
            "hand.Dockerfile",
            "FROM debian:bookworm-slim\nCOPY app.sh /app/app.sh\nCMD [\"/app/app.sh\"]\n",
        ),
        ("app.sh", APP),
        ("config.ini", "[app]\n"),
    ]);
    let (code, r, err) = verify(
        &b,
        ctx.path(),
        &[
            "--rewritten",
            "hand.Dockerfile",
            "--probe",
            "sh /app/app.sh",
        ],
    );
    assert_eq!(r["verdict"], "different", "{r:#}\n{err}");
    assert_eq!(code, Some(1));
    let removed: Vec<&str> = r["files"]["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(removed, ["/app/config.ini"]);
    assert_eq!(r["probes"][0]["same"], false);
    assert_ne!(r["probes"][0]["rewritten"]["status"], 0);
    let diffs = r["differences"].to_string();
    assert!(diffs.contains("/app/config.ini"), "{diffs}");
}

#[test]
fn a_rewrite_that_does_not_build_fails_and_names_the_step() {
    let Some(b) = builder() else { return };
    let ctx = context(&[
        (
            "Dockerfile",
            "FROM debian:bookworm-slim\nRUN echo ok > /ok.txt\n",
        ),
        (
            "broken.Dockerfile",
            "FROM debian:bookworm-slim\nRUN echo ok > /ok.txt\nRUN cat /missing/file.txt\n",
        ),
    ]);
    let (code, r, err) = verify(&b, ctx.path(), &["--rewritten", "broken.Dockerfile"]);
    assert_eq!(r["verdict"], "failed", "{r:#}\n{err}");
    assert_eq!(code, Some(1));
    assert_eq!(r["original"]["built"], true);
    assert_eq!(r["rewritten"]["built"], false);
    let step = r["rewritten"]["failed_step"].as_str().unwrap();
    assert!(step.contains("RUN cat /missing/file.txt"), "{step}");
    let tail = r["rewritten"]["log_tail"].to_string();
    assert!(tail.contains("No such file"), "{tail}");
}

#[test]
fn bisect_names_the_fix_responsible() {
    let Some(b) = builder() else { return };
    // The proposed .dockerignore leaves out `.env`, which the app reads.
    let ctx = context(&[
        (
            "Dockerfile",
            "FROM debian:bookworm-slim\nRUN echo a > /a.txt\nRUN echo b > /b.txt\nWORKDIR /app\nCOPY . .\nCMD [\"/app/app.sh\"]\n",
        ),
        (".env", "TOKEN=abc\n"),
        ("app.sh", "#!/bin/sh\ncat /app/.env\n"),
    ]);
    let (code, r, err) = verify(
        &b,
        ctx.path(),
        &["--dockerignore", "--bisect", "--probe", "sh /app/app.sh"],
    );
    assert_eq!(r["verdict"], "different", "{r:#}\n{err}");
    assert_eq!(code, Some(1));
    let applied: Vec<&str> = r["applied"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(applied, ["merge-runs", "dockerignore"]);
    // The file is gone on purpose, but the probe tells.
    assert_eq!(r["files"]["removed"].as_array().unwrap().len(), 0);
    assert_eq!(r["files"]["explained"][0]["reason"], "dockerignore");
    let bisect = &r["bisect"];
    assert_eq!(
        bisect["responsible"],
        serde_json::json!(["dockerignore"]),
        "{bisect:#}"
    );
    assert_eq!(bisect["trials"][0]["without"], "merge-runs");
    assert_eq!(bisect["trials"][0]["verdict"], "different");
    assert_eq!(bisect["trials"][1]["verdict"], "equivalent");
    // The user's context is untouched.
    assert!(!ctx.path().join(".dockerignore").exists());
}

#[test]
fn text_output_is_a_compact_table() {
    let Some(b) = builder() else { return };
    let ctx = context(&[
        (
            "Dockerfile",
            "FROM debian:bookworm-slim\nRUN echo a > /a\nRUN echo b > /b\nCOPY run.sh /run.sh\n",
        ),
        ("run.sh", "echo hi\n"),
    ]);
    let out = Command::cargo_bin("dockopt")
        .unwrap()
        .current_dir(ctx.path())
        .args(["verify", "--builder", &b, "--quiet", "Dockerfile"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.starts_with("Dockerfile: equivalent\n"), "{text}");
    for row in ["builds", "size (bytes)", "layers", "build", "rebuild"] {
        assert!(text.contains(&format!("\n  {row}")), "{row}: {text}");
    }
    // The rebuild appended a line to the script, in the copy only.
    assert!(text.contains("appending a line to run.sh"), "{text}");
    assert_eq!(
        fs::read_to_string(ctx.path().join("run.sh")).unwrap(),
        "echo hi\n"
    );
    assert!(
        out.stderr.is_empty(),
        "--quiet: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The timed rebuilds find the layers above the changed file in the cache,
/// on both sides. The two sides share their first steps, so the rewrite's
/// warm-up build follows the original's layers for those and builds its
/// own merged RUN on them: that layer must still be there for the rebuild.
/// The merged RUN prints a marker only when it runs (the log of its step
/// shows the command, not the sum); a token unique to the run keeps layers
/// of earlier runs out.
#[test]
fn rebuilds_reuse_the_layers_above_the_change() {
    let Some(b) = builder() else { return };
    let ctx = context(&[("app.sh", "echo app\n"), ("run.sh", "echo hi\n")]);
    let token = ctx
        .path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    write(
        ctx.path(),
        "Dockerfile",
        &format!(
            "FROM debian:bookworm-slim\nRUN echo {token} > /token\nCOPY run.sh /run.sh\n\
             RUN echo ran-$((40+2)) && echo one > /one.txt\nRUN echo two > /two.txt\n\
             COPY app.sh /app.sh\nCMD [\"/bin/sh\", \"/app.sh\"]\n"
        ),
    );
    let out = Command::cargo_bin("dockopt")
        .unwrap()
        .current_dir(ctx.path())
        .args([
            "verify",
            "--builder",
            &b,
            "--select",
            "merge-runs",
            "--keep",
            "--format",
            "json",
            "Dockerfile",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let kept = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("kept "))
        .unwrap_or_else(|| panic!("no kept directory: {stderr}"))
        .to_string();
    let (dir, images) = kept.split_once(" and images ").unwrap();
    let log = |name: &str| fs::read_to_string(Path::new(dir).join(name)).unwrap_or_default();
    let logs = [
        log("rewritten.log"),
        log("original-rebuild.log"),
        log("rewritten-rebuild.log"),
    ];
    let _ = Std::new(&b)
        .arg("rmi")
        .arg("-f")
        .args(images.split(", "))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let _ = fs::remove_dir_all(dir);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["verdict"], "equivalent", "{r:#}\n{stderr}");
    assert_eq!(r["rebuild_touched"], "app.sh", "{r:#}");
    let ran = |l: &str| l.lines().any(|x| x.trim() == "ran-42");
    assert!(ran(&logs[0]), "the cold build runs it: {}", logs[0]);
    for l in &logs[1..] {
        assert!(
            !l.is_empty() && !ran(l),
            "the rebuild ran the RUN again:\n{l}"
        );
    }
}
