//! dockopt's SARIF validates against the official SARIF 2.1.0 schema (kept
//! in tests/data, see its README), for `check` and `fix`, with findings,
//! fixes, syntax errors, file errors, non-ASCII text and paths that need
//! percent-encoding.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn validator() -> jsonschema::Validator {
    let text = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json"),
    )
    .unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

fn write(dir: &Path, rel: &str, content: &[u8]) {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, content).unwrap();
}

fn sarif(dir: &Path, args: &[&str]) -> Value {
    let out = Command::cargo_bin("dockopt")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("DOCKOPT_INJECT_PANIC")
        .args(args)
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn fixture() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "my app/app.py", b"print(1)\n");
    write(
        d.path(),
        "my app/Dockerfile",
        "FROM python:3.12-slim\nRUN echo \"h\u{e9}llo \u{1f600}\" && apk add curl\nADD app.py /app/\nCMD python app.py\n".as_bytes(),
    );
    write(d.path(), "broken#1/Dockerfile", b"FROM alpine\nNOPE x\n");
    write(d.path(), "bin/Dockerfile", b"FROM alpine\n\0\x01");
    d
}

#[test]
fn check_and_fix_output_is_valid_sarif() {
    let v = validator();
    let d = fixture();
    let abs = d.path().join("my app/Dockerfile");
    for args in [
        vec!["check"],
        vec!["check", "--unsafe"],
        vec!["fix", "--diff"],
        vec!["fix", "--diff", "--unsafe"],
        vec!["check", abs.to_str().unwrap()],
    ] {
        let doc = sarif(d.path(), &args);
        assert_eq!(errors(&v, &doc), Vec::<String>::new(), "{args:?}: {doc:#}");
        let run = &doc["runs"][0];
        assert_eq!(run["columnKind"], "utf16CodeUnits");
        assert!(!run["results"].as_array().unwrap().is_empty(), "{args:?}");
    }
    let doc = sarif(d.path(), &["check"]);
    let run = &doc["runs"][0];
    // Every rule has the help GitHub code scanning shows.
    for rule in run["tool"]["driver"]["rules"].as_array().unwrap() {
        assert!(
            rule["help"]["text"].as_str().is_some_and(|t| !t.is_empty()),
            "{rule:#}"
        );
        assert!(
            rule["help"]["markdown"]
                .as_str()
                .is_some_and(|t| t.starts_with("# ")),
            "{rule:#}"
        );
        assert!(rule["fullDescription"]["markdown"].is_string(), "{rule:#}");
        assert!(
            !rule["fullDescription"]["text"]
                .as_str()
                .unwrap()
                .contains('`'),
            "{rule:#}"
        );
        assert!(
            rule["helpUri"].as_str().unwrap().starts_with("https://"),
            "{rule:#}"
        );
    }
    assert!(run["tool"]["driver"]["informationUri"].is_string());
    // Paths are percent-encoded relative references against %SRCROOT%.
    let uris: Vec<&str> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"]["artifactLocation"];
            assert_eq!(loc["uriBaseId"], "%SRCROOT%");
            loc["uri"].as_str().unwrap()
        })
        .collect();
    assert!(uris.contains(&"my%20app/Dockerfile"), "{uris:?}");
    assert!(uris.contains(&"broken%231/Dockerfile"), "{uris:?}");
    let root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        root.starts_with("file:///") && root.ends_with('/'),
        "{root}"
    );
    // The binary file is a notification, and the run did not fully succeed.
    let inv = &run["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let note = &inv["toolExecutionNotifications"][0];
    assert_eq!(
        note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "bin/Dockerfile"
    );
    // A finding with a fix carries it, in UTF-16 columns after the emoji.
    let apk = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "DKR003")
        .unwrap();
    assert_eq!(
        apk["locations"][0]["physicalLocation"]["region"]["startColumn"],
        24
    );
    let rep = &apk["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert_eq!(rep["insertedContent"]["text"], " --no-cache");
    assert_eq!(rep["deletedRegion"]["startColumn"], 31);
    // An absolute path is a file:// URI.
    let doc = sarif(d.path(), &["check", abs.to_str().unwrap()]);
    let loc = &doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    let uri = loc["uri"].as_str().unwrap();
    assert!(
        uri.starts_with("file:///") && uri.ends_with("/my%20app/Dockerfile"),
        "{uri}"
    );
    assert!(loc.get("uriBaseId").is_none());
}

#[test]
fn the_schema_catches_what_code_scanning_would_reject() {
    let v = validator();
    let d = fixture();
    let mut doc = sarif(d.path(), &["check"]);
    doc["runs"][0]["columnKind"] = "bytes".into();
    doc["runs"][0]["results"][0]["level"] = "warn".into();
    assert_eq!(errors(&v, &doc).len(), 2, "{:?}", errors(&v, &doc));
    // The schema does not check URIs: `uris_are_uris` does.
    assert!(!is_uri("my app/Dockerfile"));
    assert!(!is_uri("a%2"));
    assert!(is_uri("my%20app/Dockerfile"));
}

/// Whether `s` is made only of the characters RFC 3986 allows, with every
/// `%` starting an escape.
fn is_uri(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().all(|(i, &c)| {
        c.is_ascii_alphanumeric()
            || b"-._~:/?#[]@!$&'()*+,;=".contains(&c)
            || (c == b'%'
                && b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    })
}

fn uris(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match x {
                    Value::String(s) if k == "uri" => out.push(s.clone()),
                    _ => uris(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| uris(x, out)),
        _ => {}
    }
}

#[test]
fn uris_are_uris() {
    let d = fixture();
    let abs = d.path().join("my app/Dockerfile");
    for args in [vec!["check"], vec!["check", abs.to_str().unwrap()]] {
        let doc = sarif(d.path(), &args);
        let mut found = Vec::new();
        uris(&doc, &mut found);
        assert!(found.len() > 3, "{found:?}");
        for u in found {
            assert!(is_uri(&u), "{u}");
        }
    }
}
