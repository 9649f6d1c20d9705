//! Every file that fails is reported in every output format, the others in
//! the batch are processed and reported all the same, and no summary hides
//! a failure.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const SHELL_CMD: &[u8] = b"FROM alpine\nCMD run\n";
const EXEC_CMD: &[u8] = b"FROM alpine\nCMD [\"run\"]\n";

fn dockopt(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("dockopt").unwrap();
    c.current_dir(dir)
        .env_remove("DOCKOPT_INJECT_PANIC")
        .env_remove("DOCKOPT_INJECT_CONCURRENT_EDIT")
        .env("NO_COLOR", "1");
    c
}

fn write(dir: &Path, rel: &str, content: &[u8]) {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, content).unwrap();
}

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(c: &mut Command) -> Output {
    let out = c.output().unwrap();
    Output {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// `a` and `c` need a fix; `b` fails in the way `fail` sets up.
fn batch(fail: impl Fn(&Path)) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "a/Dockerfile", SHELL_CMD);
    write(d.path(), "b/Dockerfile", SHELL_CMD);
    write(d.path(), "c/Dockerfile", SHELL_CMD);
    fail(d.path());
    d
}

/// How a failing file is set up, and the message it must be reported with.
struct Failure {
    name: &'static str,
    setup: fn(&Path),
    env: Option<(&'static str, &'static str)>,
    message: &'static str,
}

const FAILURES: &[Failure] = &[
    Failure {
        name: "binary",
        setup: |d| write(d, "b/Dockerfile", b"FROM alpine\n\0\x01binary"),
        env: None,
        message: "binary file, not a Dockerfile",
    },
    Failure {
        name: "too large",
        setup: |d| {
            let f = fs::File::create(d.join("b/Dockerfile")).unwrap();
            f.set_len(17 << 20).unwrap();
        },
        env: None,
        message: "file too large to be a Dockerfile (larger than 16 MiB)",
    },
    Failure {
        name: "panic",
        setup: |_| {},
        env: Some(("DOCKOPT_INJECT_PANIC", "b/Dockerfile")),
        message: "internal error, file skipped: injected panic",
    },
    Failure {
        name: "bad ignore file",
        setup: |d| write(d, "b/.dockerignore", b"[unclosed\n"),
        env: None,
        message: ".dockerignore: error: line 1",
    },
];

/// The commands, each with whether it fixes, and whether it writes.
const COMMANDS: &[(&[&str], bool, bool)] = &[
    (&["check", "--unsafe"], false, false),
    (&["fix", "--unsafe", "--diff"], true, false),
    (&["fix", "--unsafe"], true, true),
];

const FORMATS: &[&str] = &[
    "text",
    "concise",
    "diff",
    "json",
    "sarif",
    "github",
    "gitlab",
    "junit",
    "checkstyle",
    "rdjson",
    "rdjsonl",
];

/// One run's context: what it did and the message `b` must carry.
struct Case<'a> {
    out: &'a Output,
    ctx: String,
    fix: bool,
    writes: bool,
    message: &'a str,
}

/// Checks one run: `b` is reported as failed in the format's own place,
/// and `a` and `c` are reported (and, for `fix`, written).
fn check_run(d: &Path, out: &Output, format: &str, (fix, writes): (bool, bool), failure: &Failure) {
    let case = Case {
        out,
        ctx: format!(
            "{} / {format} / fix={fix} writes={writes}\nstdout:\n{}\nstderr:\n{}",
            failure.name, out.stdout, out.stderr
        ),
        fix,
        writes,
        message: failure.message,
    };
    assert_eq!(out.code, 2, "{}", case.ctx);
    match format {
        "text" | "concise" => check_text(&case),
        "diff" => check_diff(&case),
        "json" => check_json(&case),
        "sarif" => check_sarif(&case),
        "github" => check_github(&case),
        "gitlab" => check_gitlab(&case),
        "junit" | "checkstyle" => check_xml(&case, format),
        "rdjson" | "rdjsonl" => check_rdjson(&case, format),
        _ => unreachable!(),
    }
    for f in ["a/Dockerfile", "c/Dockerfile"] {
        let now = fs::read(d.join(f)).unwrap();
        let want = if writes { EXEC_CMD } else { SHELL_CMD };
        assert_eq!(now, want, "{f}: {}", case.ctx);
    }
}

/// The text formats put the error on stderr and never say "All clean".
fn check_stderr(case: &Case<'_>) {
    let Case { out, ctx, .. } = case;
    let line = out
        .stderr
        .lines()
        .find(|l| l.starts_with("b/Dockerfile: "))
        .unwrap_or_else(|| panic!("no error line for b: {ctx}"));
    assert!(line.contains(case.message), "{ctx}");
    assert!(!out.stdout.contains("All clean"), "{ctx}");
}

fn check_text(case: &Case<'_>) {
    check_stderr(case);
    let Case { out, ctx, .. } = case;
    assert!(out.stdout.contains("1 file(s) could not be"), "{ctx}");
    for f in ["a/Dockerfile", "c/Dockerfile"] {
        assert!(out.stdout.contains(f), "{f}: {ctx}");
    }
    if case.writes {
        assert!(out.stdout.contains("Fixed a/Dockerfile"), "{ctx}");
    } else {
        assert!(!out.stdout.contains("Fixed"), "{ctx}");
    }
    if case.fix && !case.writes {
        assert!(out.stdout.contains("Would fix c/Dockerfile"), "{ctx}");
    }
}

fn check_diff(case: &Case<'_>) {
    check_stderr(case);
    for f in ["a/Dockerfile", "c/Dockerfile"] {
        let header = format!("+++ b/{f}\n");
        assert!(case.out.stdout.contains(&header), "{f}: {}", case.ctx);
    }
}

fn check_json(case: &Case<'_>) {
    let ctx = &case.ctx;
    let v: Value = serde_json::from_str(&case.out.stdout).expect(ctx);
    let files = v["files"].as_array().unwrap();
    let by = |p: &str| files.iter().find(|f| f["path"] == p).expect(ctx);
    let error = by("b/Dockerfile")["error"].as_str().unwrap_or_default();
    assert!(error.contains(case.message), "{ctx}");
    assert_eq!(v["summary"]["errors"], 1, "{ctx}");
    for f in ["a/Dockerfile", "c/Dockerfile"] {
        let r = by(f);
        assert!(r["error"].is_null(), "{ctx}");
        if case.fix {
            assert_eq!(r["changed"], true, "{ctx}");
            assert_eq!(r["fixed"].as_array().unwrap().len(), 1, "{ctx}");
        } else {
            assert_eq!(r["findings"].as_array().unwrap().len(), 1, "{ctx}");
        }
    }
}

fn check_sarif(case: &Case<'_>) {
    let ctx = &case.ctx;
    let v: Value = serde_json::from_str(&case.out.stdout).expect(ctx);
    let inv = &v["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false, "{ctx}");
    let notes = inv["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{ctx}");
    assert_eq!(notes[0]["level"], "error", "{ctx}");
    let text = notes[0]["message"]["text"].as_str().unwrap();
    assert!(text.contains(case.message), "{ctx}");
    let uri = |x: &Value| x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].clone();
    assert_eq!(uri(&notes[0]), "b/Dockerfile", "{ctx}");
    if !case.fix {
        let results = v["runs"][0]["results"].as_array().unwrap();
        let uris: Vec<Value> = results.iter().map(uri).collect();
        assert_eq!(uris, ["a/Dockerfile", "c/Dockerfile"], "{ctx}");
    }
}

fn check_github(case: &Case<'_>) {
    let Case { out, ctx, .. } = case;
    let line = out
        .stdout
        .lines()
        .find(|l| l.starts_with("::error file=b/Dockerfile,"))
        .unwrap_or_else(|| panic!("no ::error for b: {ctx}"));
    assert!(line.contains(case.message), "{ctx}");
    if !case.fix {
        for f in ["a/Dockerfile", "c/Dockerfile"] {
            let warning = format!("::warning file={f},");
            assert!(out.stdout.contains(&warning), "{f}: {ctx}");
        }
    }
}

fn check_gitlab(case: &Case<'_>) {
    let ctx = &case.ctx;
    let v: Value = serde_json::from_str(&case.out.stdout).expect(ctx);
    let issues = v.as_array().unwrap();
    let e = issues
        .iter()
        .find(|i| i["check_name"] == "file-error")
        .expect(ctx);
    assert_eq!(e["location"]["path"], "b/Dockerfile", "{ctx}");
    assert!(
        e["description"].as_str().unwrap().contains(case.message),
        "{ctx}"
    );
    if !case.fix {
        for f in ["a/Dockerfile", "c/Dockerfile"] {
            assert!(
                issues.iter().any(|i| i["location"]["path"] == f),
                "{f}: {ctx}"
            );
        }
    }
}

fn check_xml(case: &Case<'_>, format: &str) {
    let Case { out, ctx, .. } = case;
    let (file, error) = if format == "junit" {
        ("<testsuite name=\"b/Dockerfile\"", "<error message=\"")
    } else {
        (
            "<file name=\"b/Dockerfile\"",
            "source=\"dockopt.file-error\"",
        )
    };
    let at = out
        .stdout
        .find(file)
        .unwrap_or_else(|| panic!("no b: {ctx}"));
    // One element a line: the error's line carries the message.
    let line = out.stdout[at..]
        .lines()
        .find(|l| l.contains(error))
        .unwrap_or_else(|| panic!("no error for b: {ctx}"));
    assert!(line.contains(case.message), "{line}: {ctx}");
    if !case.fix {
        assert!(
            out.stdout.contains("a/Dockerfile") && out.stdout.contains("c/Dockerfile"),
            "{ctx}"
        );
    }
}

fn check_rdjson(case: &Case<'_>, format: &str) {
    let ctx = &case.ctx;
    let diags: Vec<Value> = if format == "rdjsonl" {
        case.out
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).expect(ctx))
            .collect()
    } else {
        let v: Value = serde_json::from_str(&case.out.stdout).expect(ctx);
        v["diagnostics"].as_array().unwrap().clone()
    };
    let e = diags
        .iter()
        .find(|d| d["code"]["value"] == "file-error")
        .expect(ctx);
    assert_eq!(e["location"]["path"], "b/Dockerfile", "{ctx}");
    assert_eq!(e["severity"], "ERROR", "{ctx}");
    assert!(
        e["message"].as_str().unwrap().contains(case.message),
        "{ctx}"
    );
}

#[test]
fn a_failed_file_is_reported_in_every_format_and_the_rest_go_on() {
    for failure in FAILURES {
        for &(args, fix, writes) in COMMANDS {
            for &format in FORMATS {
                // `fix` writes in the text, JSON, SARIF and GitHub formats.
                let writes = writes && format != "diff";
                let d = batch(failure.setup);
                let mut c = dockopt(d.path());
                c.args(args).args(["--format", format]);
                if let Some((k, v)) = failure.env {
                    c.env(k, v);
                }
                check_run(d.path(), &run(&mut c), format, (fix, writes), failure);
            }
        }
    }
}

#[test]
fn a_missing_path_is_a_file_error_in_every_format() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "a/Dockerfile", SHELL_CMD);
    let run_ = |format: &str| {
        run(dockopt(d.path()).args([
            "check",
            "a/Dockerfile",
            "gone/Dockerfile",
            "--format",
            format,
        ]))
    };
    let out = run_("json");
    assert_eq!(out.code, 2);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["files"][0]["path"], "gone/Dockerfile");
    assert_eq!(v["files"][0]["error"], "error: no such file or directory");
    assert_eq!(v["files"][1]["findings"].as_array().unwrap().len(), 1);
    let out = run_("sarif");
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["runs"][0]["invocations"][0]["executionSuccessful"], false);
    let out = run_("github");
    assert!(
        out.stdout.starts_with(
            "::error file=gone/Dockerfile,title=file-error::no such file or directory\n"
        ),
        "{}",
        out.stdout
    );
    let out = run_("text");
    assert_eq!(
        out.stderr,
        "gone/Dockerfile: error: no such file or directory\n"
    );
}

#[test]
fn a_bad_exclude_glob_is_a_usage_error() {
    let d = tempfile::tempdir().unwrap();
    let out = run(dockopt(d.path()).args(["check", "--exclude", "a/[", "--format", "json"]));
    assert_eq!(out.code, 2);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(
        out.stderr.starts_with("error: --exclude a/[: "),
        "{}",
        out.stderr
    );
}

#[test]
fn summaries_never_hide_a_failure() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "Dockerfile", b"FROM alpine\n\0binary");
    let out = run(dockopt(d.path()).args(["check"]));
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stdout,
        "No findings in 0 file(s); 1 file(s) could not be checked.\n"
    );
    assert_eq!(
        out.stderr,
        "Dockerfile: error: binary file, not a Dockerfile\n"
    );
    // `fix --diff` and `--format diff` say so too, on stderr, and nothing else.
    for args in [
        &["fix", "--diff"][..],
        &["check", "--format", "diff"],
        &["fix", "--format", "diff"],
    ] {
        let out = run(dockopt(d.path()).args(args));
        assert_eq!(out.code, 2, "{args:?}");
        assert_eq!(out.stdout, "", "{args:?}");
        assert_eq!(
            out.stderr, "Dockerfile: error: binary file, not a Dockerfile\n",
            "{args:?}"
        );
    }
    let out = run(dockopt(d.path()).args(["fix"]));
    assert_eq!(
        out.stdout,
        "Fixed 0 finding(s) in 0 file(s); 0 remain; 1 file(s) could not be fixed.\n"
    );
}

#[test]
fn a_dry_run_never_says_fixed() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "Dockerfile", SHELL_CMD);
    let out = run(dockopt(d.path()).args(["fix", "--diff", "--unsafe", "--format", "text"]));
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stdout,
        "Would fix Dockerfile: 1 fix(es) (DKR008 exec-form)\n\
         Would fix 1 finding(s) in 1 file(s); 0 would remain.\n"
    );
    assert_eq!(fs::read(d.path().join("Dockerfile")).unwrap(), SHELL_CMD);
}

#[cfg(unix)]
#[test]
fn a_finding_whose_write_failed_remains() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    // A safe fix (COPY) and an unsafe one (exec form) that is not asked for.
    write(d.path(), "app.py", b"print(1)\n");
    write(
        d.path(),
        "Dockerfile",
        b"FROM python:3.12-slim\nADD app.py /app/\nCMD python app.py\n",
    );
    let p = d.path().join("Dockerfile");
    fs::set_permissions(&p, fs::Permissions::from_mode(0o444)).unwrap();
    let out = run(dockopt(d.path()).args(["fix"]));
    assert_eq!(out.code, 2);
    let copy_line = out
        .stdout
        .lines()
        .find(|l| l.starts_with("Dockerfile:2:1: DKR009 copy-over-add:"))
        .unwrap_or_else(|| panic!("{}", out.stdout));
    assert!(
        copy_line.ends_with("[fix not applied: cannot write: file is read-only]"),
        "{copy_line}"
    );
    assert!(
        out.stdout.ends_with(
            "Fixed 0 finding(s) in 0 file(s); 2 remain; 1 file(s) could not be fixed.\n"
        ),
        "{}",
        out.stdout
    );
    let out = run(dockopt(d.path()).args(["fix", "--format", "json"]));
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let f = &v["files"][0];
    assert_eq!(f["changed"], false);
    assert_eq!(f["fixed"].as_array().unwrap().len(), 0);
    let findings = f["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2);
    let copy = findings.iter().find(|x| x["code"] == "DKR009").unwrap();
    assert_eq!(
        copy["not_applied"],
        "fix not applied: cannot write: file is read-only"
    );
    // The unsafe fix was never going to be applied: it says what it always says.
    let exec = findings.iter().find(|x| x["code"] == "DKR008").unwrap();
    assert!(exec["not_applied"].is_null());
    assert_eq!(v["summary"]["findings"], 2);
}

#[test]
fn a_new_dockerignore_is_reported_in_the_format_asked_for() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "Dockerfile",
        b"FROM python:3.12-slim\nCOPY . /app\nCMD [\"python\", \"/app/app.py\"]\n",
    );
    write(d.path(), ".env", b"SECRET=1\n");
    let ignore = d.path().join(".dockerignore");
    // A dry run: would fix, writes nothing, and JSON stays JSON.
    let out = run(dockopt(d.path()).args(["fix", "--diff", "--dockerignore", "--format", "text"]));
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stdout,
        "Would write .dockerignore\nWould fix 1 finding(s) in 1 file(s); 0 would remain.\n"
    );
    let out = run(dockopt(d.path()).args(["fix", "--diff", "--dockerignore", "--format", "json"]));
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["summary"]["fixed"], 1);
    assert!(!ignore.exists());
    // Written: JSON says it was fixed, and nothing else follows the document.
    let out = run(dockopt(d.path()).args(["fix", "--dockerignore", "--format", "json"]));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["files"][0]["fixed"][0]["name"], "dockerignore");
    assert_eq!(v["summary"]["findings"], 0);
    assert!(fs::read_to_string(&ignore).unwrap().contains(".env\n"));
}
