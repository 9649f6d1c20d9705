//! Every output format against one fixture: a file with findings after
//! non-ASCII text, a clean file, one with a syntax error and a binary file.
//! Each format is compared with its snapshot and checked the way its
//! consumer reads it.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use quick_xml::events::Event;
use serde_json::Value;

const SVC: &str = "FROM python:3.12-slim\nRUN echo \"h\u{e9}llo \u{1f600}\" && apk add curl\nADD app.py /app/\nCMD python app.py\n";

fn fixture() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let w = |rel: &str, content: &[u8]| {
        let p = d.path().join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, content).unwrap();
    };
    w("svc/Dockerfile", SVC.as_bytes());
    w("svc/app.py", b"print(1)\n");
    w("ok/Dockerfile", b"FROM alpine\nCMD [\"sh\"]\n");
    w("bad/Dockerfile", b"FROM alpine\nNOPE <x>\n");
    w("bin/Dockerfile", b"FROM alpine\n\0\x01");
    d
}

fn dockopt(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("dockopt")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("DOCKOPT_INJECT_PANIC")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

fn check(dir: &Path, format: &str) -> String {
    let (code, out) = dockopt(dir, &["check", "--format", format]);
    assert_eq!(code, 2, "{format}: the binary file is an error");
    out
}

#[test]
fn concise() {
    let d = fixture();
    insta::assert_snapshot!(check(d.path(), "concise"));
}

#[test]
fn text() {
    let d = fixture();
    insta::assert_snapshot!(check(d.path(), "text"));
}

#[test]
fn github() {
    let d = fixture();
    insta::assert_snapshot!(check(d.path(), "github"));
}

#[test]
fn json() {
    let d = fixture();
    insta::assert_snapshot!(check(d.path(), "json"));
}

#[test]
fn sarif_results_and_invocations() {
    let d = fixture();
    let v: Value = serde_json::from_str(&check(d.path(), "sarif")).unwrap();
    let run = &v["runs"][0];
    let shown = serde_json::json!({
        "columnKind": run["columnKind"],
        "results": run["results"],
        "invocations": run["invocations"],
    });
    insta::assert_snapshot!(serde_json::to_string_pretty(&shown).unwrap());
}

#[test]
fn gitlab() {
    let d = fixture();
    let out = check(d.path(), "gitlab");
    let v: Value = serde_json::from_str(&out).unwrap();
    let issues = v.as_array().unwrap();
    let mut fingerprints: Vec<&str> = Vec::new();
    for i in issues {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(i[key].is_string(), "{key}: {i:#}");
        }
        assert!(
            ["info", "minor", "major", "critical", "blocker"]
                .contains(&i["severity"].as_str().unwrap()),
            "{i:#}"
        );
        assert!(i["location"]["path"].is_string() && i["location"]["lines"]["begin"].is_u64());
        fingerprints.push(i["fingerprint"].as_str().unwrap());
    }
    let n = fingerprints.len();
    fingerprints.sort_unstable();
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), n, "fingerprints are unique");
    insta::assert_snapshot!(out);
}

#[test]
fn gitlab_fingerprints_survive_moved_lines() {
    let d = fixture();
    let before: Value = serde_json::from_str(&check(d.path(), "gitlab")).unwrap();
    let moved = SVC.replacen(
        "FROM python:3.12-slim\n",
        "# a comment\nFROM python:3.12-slim\n",
        1,
    );
    fs::write(d.path().join("svc/Dockerfile"), moved).unwrap();
    let after: Value = serde_json::from_str(&check(d.path(), "gitlab")).unwrap();
    let prints = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|i| i["fingerprint"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(prints(&before), prints(&after));
    let svc = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|i| i["location"]["path"] == "svc/Dockerfile")
            .unwrap()["location"]["lines"]["begin"]
            .clone()
    };
    assert_eq!((svc(&before), svc(&after)), (2.into(), 3.into()));
}

/// The elements of an XML document, after checking that it parses.
fn elements(xml: &str) -> Vec<String> {
    let mut r = quick_xml::Reader::from_str(xml);
    let mut names = Vec::new();
    loop {
        match r.read_event() {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e) | Event::Empty(e)) => {
                for a in e.attributes() {
                    a.expect("well-formed attribute")
                        .unescape_value()
                        .expect("escaped value");
                }
                names.push(String::from_utf8(e.name().as_ref().to_vec()).unwrap());
            }
            Ok(Event::Text(t)) => {
                t.decode().expect("UTF-8 text");
            }
            Ok(_) => {}
            Err(e) => panic!("not XML: {e}\n{xml}"),
        }
    }
    names
}

#[test]
fn junit() {
    let d = fixture();
    let out = check(d.path(), "junit");
    let names = elements(&out);
    assert_eq!(names.iter().filter(|n| *n == "testsuite").count(), 4);
    assert_eq!(names.iter().filter(|n| *n == "failure").count(), 4);
    assert_eq!(names.iter().filter(|n| *n == "error").count(), 1);
    assert!(
        out.contains("<testsuites name=\"dockopt\" tests=\"6\" failures=\"4\" errors=\"1\">"),
        "{out}"
    );
    // A syntax error's message has `<x>`: escaped by the writer.
    assert!(
        out.contains("NOPE &lt;x&gt;") || out.contains("unknown instruction: NOPE"),
        "{out}"
    );
    insta::assert_snapshot!(out);
    // Below --fail-on, a finding passes with the finding in its output.
    let (_, out) = dockopt(
        d.path(),
        &["check", "--format", "junit", "--fail-on", "error"],
    );
    assert!(out.contains("failures=\"1\""), "{out}");
    assert!(out.contains("<system-out>"), "{out}");
}

#[test]
fn checkstyle() {
    let d = fixture();
    let out = check(d.path(), "checkstyle");
    let names = elements(&out);
    assert_eq!(names.iter().filter(|n| *n == "file").count(), 4);
    assert_eq!(names.iter().filter(|n| *n == "error").count(), 5);
    insta::assert_snapshot!(out);
}

fn diagnostic_ok(d: &Value) {
    assert!(d["message"].is_string(), "{d:#}");
    assert!(d["location"]["path"].is_string(), "{d:#}");
    assert!(
        ["ERROR", "WARNING", "INFO"].contains(&d["severity"].as_str().unwrap()),
        "{d:#}"
    );
    for s in d["suggestions"].as_array().into_iter().flatten() {
        assert!(s["text"].is_string(), "{s:#}");
        for end in ["start", "end"] {
            assert!(s["range"][end]["line"].as_u64().unwrap() >= 1, "{s:#}");
            assert!(s["range"][end]["column"].as_u64().unwrap() >= 1, "{s:#}");
        }
    }
}

#[test]
fn rdjson_and_rdjsonl() {
    let d = fixture();
    let out = check(d.path(), "rdjson");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["source"]["name"], "dockopt");
    let diags = v["diagnostics"].as_array().unwrap();
    diags.iter().for_each(diagnostic_ok);
    let lines = check(d.path(), "rdjsonl");
    let from_lines: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(&from_lines, diags);
    insta::assert_snapshot!(out);
}

/// Applies reviewdog suggestions (UTF-8 byte columns) to a text.
fn apply(text: &str, suggestions: &[&Value]) -> String {
    let offset = |p: &Value| -> usize {
        let line = p["line"].as_u64().unwrap() as usize;
        let col = p["column"].as_u64().unwrap() as usize;
        let start: usize = text
            .split_inclusive('\n')
            .take(line - 1)
            .map(str::len)
            .sum();
        start + col - 1
    };
    let mut edits: Vec<(usize, usize, &str)> = suggestions
        .iter()
        .map(|s| {
            (
                offset(&s["range"]["start"]),
                offset(&s["range"]["end"]),
                s["text"].as_str().unwrap(),
            )
        })
        .collect();
    edits.sort_unstable();
    let mut out = text.to_string();
    for (start, end, new) in edits.into_iter().rev() {
        out.replace_range(start..end, new);
    }
    out
}

#[test]
fn rdjson_suggestions_of_fix_diff_give_the_fixed_file() {
    let d = fixture();
    let (_, out) = dockopt(
        d.path(),
        &[
            "fix",
            "--diff",
            "--unsafe",
            "--format",
            "rdjson",
            "svc/Dockerfile",
        ],
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    let hunks: Vec<&Value> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"]["value"] == "fix")
        .flat_map(|d| d["suggestions"].as_array().unwrap())
        .collect();
    assert!(!hunks.is_empty(), "{out}");
    let got = apply(SVC, &hunks);
    // The suggestions turn the file into what `fix --unsafe` writes.
    dockopt(d.path(), &["fix", "--unsafe", "svc/Dockerfile"]);
    let written = fs::read_to_string(d.path().join("svc/Dockerfile")).unwrap();
    assert_ne!(written, SVC);
    assert_eq!(got, written);
    insta::assert_snapshot!(out);
}

#[test]
fn rdjson_suggestions_of_check_fix_each_finding() {
    let d = fixture();
    let (_, out) = dockopt(d.path(), &["check", "--format", "rdjson", "svc/Dockerfile"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let apk = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"]["value"] == "DKR003")
        .unwrap();
    let got = apply(
        SVC,
        &apk["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .collect::<Vec<_>>(),
    );
    assert!(
        got.contains("\u{1f600}\" && apk add --no-cache curl\n"),
        "{got}"
    );
}

#[test]
fn statistics() {
    let d = fixture();
    let (code, out) = dockopt(d.path(), &["check", "--statistics"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!(out);
}

#[test]
fn diff() {
    let d = fixture();
    let (code, out) = dockopt(d.path(), &["fix", "--diff", "--unsafe"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!(out);
}
