//! End-to-end tests of `dockopt parse`.

use assert_cmd::Command;
use serde_json::{json, Value};

fn dockopt() -> Command {
    Command::cargo_bin("dockopt").unwrap()
}

#[test]
fn json_has_buildkit_fields() {
    let out = dockopt()
        .args(["parse", "--format", "json", "-"])
        .write_stdin("from alpine AS b\nonbuild run echo hi\nRUN <<EOF\nx\nEOF\n")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["files"][0]["path"], "-");
    assert_eq!(
        v["files"][0]["instructions"],
        json!([
            {"cmd": "FROM", "sub_cmd": null, "json": false, "original": "from alpine AS b",
             "start_line": 1, "end_line": 1, "flags": [], "value": ["alpine", "AS", "b"], "heredocs": []},
            {"cmd": "ONBUILD", "sub_cmd": "RUN", "json": false, "original": "onbuild run echo hi",
             "start_line": 2, "end_line": 2, "flags": [], "value": ["echo hi"], "heredocs": []},
            {"cmd": "RUN", "sub_cmd": null, "json": false, "original": "RUN <<EOF\nx\nEOF\n",
             "start_line": 3, "end_line": 5, "flags": [], "value": ["<<EOF"],
             "heredocs": [{"name": "EOF", "file_descriptor": 0, "content": "x\n"}]},
        ])
    );
}

#[test]
fn json_has_one_shape_for_any_number_of_files() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.Dockerfile");
    let b = dir.path().join("b.Dockerfile");
    std::fs::write(&a, "FROM a\n").unwrap();
    std::fs::write(&b, "FROM b\nENV PATH\n").unwrap();
    let shape = |v: &Value| -> Vec<(String, usize, usize)> {
        v["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().unwrap().to_string(),
                    f["instructions"].as_array().unwrap().len(),
                    f["errors"].as_array().unwrap().len(),
                )
            })
            .collect()
    };
    let one = dockopt().arg("parse").arg(&a).output().unwrap();
    let one: Value = serde_json::from_slice(&one.stdout).unwrap();
    assert_eq!(shape(&one), [(a.display().to_string(), 1, 0)]);
    let two = dockopt()
        .arg("parse")
        .arg(&a)
        .arg(&b)
        .arg(dir.path().join("gone"))
        .output()
        .unwrap();
    assert_eq!(two.status.code(), Some(2));
    let two: Value = serde_json::from_slice(&two.stdout).unwrap();
    assert_eq!(
        shape(&two),
        [
            (a.display().to_string(), 1, 0),
            (b.display().to_string(), 2, 1),
            (dir.path().join("gone").display().to_string(), 0, 0),
        ]
    );
    assert_eq!(two["files"][1]["errors"][0]["line"], 2);
    assert!(two["files"][2]["error"]
        .as_str()
        .unwrap()
        .starts_with("error: "));
}

#[test]
fn errors_have_file_line_col_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("Dockerfile");
    std::fs::write(&f, "FROM a\nENV PATH\n").unwrap();
    let out = dockopt()
        .arg("parse")
        .arg(&f)
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert!(
        err.contains(&format!(
            "{}:2:1: error: ENV must have two arguments",
            f.display()
        )),
        "{err}"
    );
}

#[test]
fn missing_file_is_exit_2() {
    dockopt()
        .args(["parse", "/nonexistent/Dockerfile"])
        .assert()
        .code(2);
}

#[test]
fn roundtrip_reports_success() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("Dockerfile");
    std::fs::write(&f, b"\xEF\xBB\xBFFROM a\r\nRUN x \\\r\n  # c\r\n  y").unwrap();
    let out = dockopt()
        .args(["parse", "--roundtrip"])
        .arg(&f)
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert_eq!(stdout, "1 file(s) print back byte for byte\n");
}

#[test]
fn dump_matches_buildkit_format() {
    dockopt()
        .args(["parse", "--format", "dump", "-"])
        .write_stdin("FROM a\nENV k=v\nCOPY --from=b x y\n")
        .assert()
        .success()
        .stdout("(from \"a\")\n(env \"k\" \"v\" \"=\")\n(copy [\"--from=b\"] \"x\" \"y\")\n");
}
