//! `dockopt fix` on files that are not UTF-8 writes byte-exact edits, and
//! on a RUN that used to abort the process finishes with a result.

use std::fs;

use assert_cmd::Command;

fn fix(src: &[u8], args: &[&str]) -> (Vec<u8>, String) {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("Dockerfile");
    fs::write(&path, src).unwrap();
    let out = Command::cargo_bin("dockopt")
        .unwrap()
        .current_dir(d.path())
        .env_remove("DOCKOPT_INJECT_PANIC")
        .env("NO_COLOR", "1")
        .args(["fix", "--no-config"])
        .args(args)
        .arg("Dockerfile")
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c <= 1), "{out:?}");
    (
        fs::read(&path).unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn apk_edit_lands_after_add() {
    let (out, _) = fix(
        b"FROM alpine\nRUN echo caf\xe9 && apk add curl\n",
        &["--select", "apk"],
    );
    assert_eq!(
        out,
        b"FROM alpine\nRUN echo caf\xe9 && apk add --no-cache curl\n"
    );
}

#[test]
fn pip_edit_lands_after_install() {
    let (out, _) = fix(
        b"FROM python:3.12\nRUN echo caf\xe9 && pip install flask\n",
        &["--select", "pip"],
    );
    assert_eq!(
        out,
        b"FROM python:3.12\nRUN echo caf\xe9 && pip install --no-cache-dir flask\n"
    );
}

#[test]
fn cache_mount_keeps_the_line_and_the_final_newline() {
    let (out, _) = fix(
        b"FROM python:3.12\nRUN echo caf\xe9 && pip install --no-cache-dir flask\n",
        &["--unsafe", "--select", "cache-mounts"],
    );
    assert_eq!(
        out,
        b"FROM python:3.12\n\
          RUN --mount=type=cache,target=/root/.cache/pip echo caf\xe9 && pip install flask\n"
            as &[u8]
    );
}

#[test]
fn a_run_of_thousands_of_ands_is_fixed() {
    let mut src = b"FROM alpine\nRUN true".to_vec();
    for i in 0..5_000 {
        src.extend_from_slice(format!(" && a{i}").as_bytes());
    }
    src.extend_from_slice(b" && apk add curl\n");
    let (out, _) = fix(&src, &["--select", "apk"]);
    assert!(out.ends_with(b"&& apk add --no-cache curl\n"));
}
