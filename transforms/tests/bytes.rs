//! Byte-exact edits on files that are not UTF-8: the cases that used to
//! land shifted, byte for byte.

use dockopt_engine::config::Settings;
use dockopt_engine::{pipeline, NotApplied, Selection};

fn fix_with(rule: &str, unsafe_fixes: bool, src: &[u8]) -> pipeline::FixOutcome {
    let settings = Settings {
        selection: Selection {
            select: Some(vec![rule.to_string()]),
            ignore: vec![],
        },
        unsafe_fixes,
        ..Settings::default()
    };
    pipeline::fix(src, dockopt_transforms::ALL, &settings, None)
}

#[test]
fn apk_flag_lands_after_add() {
    let out = fix_with(
        "apk",
        false,
        b"FROM alpine\nRUN echo caf\xe9 && apk add curl\n",
    );
    assert_eq!(
        out.output,
        b"FROM alpine\nRUN echo caf\xe9 && apk add --no-cache curl\n"
    );
}

#[test]
fn pip_flag_lands_after_install() {
    let out = fix_with(
        "pip",
        false,
        b"FROM python:3.12-slim\nRUN echo caf\xe9 \xf0\x9f && pip install flask\n",
    );
    assert_eq!(
        out.output,
        b"FROM python:3.12-slim\nRUN echo caf\xe9 \xf0\x9f && pip install --no-cache-dir flask\n"
            as &[u8]
    );
}

#[test]
fn cache_mount_keeps_the_line_and_the_final_newline() {
    let out = fix_with(
        "cache-mounts",
        true,
        b"FROM python:3.12-slim\nRUN echo caf\xe9 && pip install --no-cache-dir flask\n",
    );
    assert_eq!(
        String::from_utf8_lossy(&out.output),
        "FROM python:3.12-slim\n\
         RUN --mount=type=cache,target=/root/.cache/pip echo caf\u{fffd} && pip install flask\n"
    );
    assert_eq!(
        out.output,
        b"FROM python:3.12-slim\n\
          RUN --mount=type=cache,target=/root/.cache/pip echo caf\xe9 && pip install flask\n"
            as &[u8]
    );
}

#[test]
fn text_copied_from_bad_bytes_is_refused() {
    let src = b"FROM alpine\nRUN echo a\n# caf\xe9\nRUN echo b\n";
    let out = fix_with("merge-runs", false, src);
    assert_eq!(out.output, src);
    let f = &out.remaining[0];
    assert_eq!(f.not_applied, Some(NotApplied::InvalidUtf8));
    // Without the bad byte, the same merge goes through.
    let out = fix_with(
        "merge-runs",
        false,
        b"FROM alpine\nRUN echo a\n# cafe\nRUN echo b\n",
    );
    assert_ne!(out.output, b"FROM alpine\nRUN echo a\n# cafe\nRUN echo b\n");
}

#[test]
fn messages_show_bad_bytes_as_replacement_characters() {
    let src = b"FROM debian\nRUN curl -o caf\xe9.tgz https://e.com/a.tgz && tar -xzf caf\xe9.tgz\n";
    let out = fix_with("downloads", false, src);
    assert_eq!(out.output, src);
    let f = &out.remaining[0];
    assert_eq!(
        f.message,
        "the downloaded archive caf\u{fffd}.tgz stays in the layer"
    );
    assert_eq!(f.not_applied, Some(NotApplied::InvalidUtf8));
}
