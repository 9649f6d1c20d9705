//! End-to-end tests of the command line's contract: positions, columns,
//! configuration errors, standard input, selection, discovery, severities
//! and colour.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn dockopt(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("dockopt").unwrap();
    c.current_dir(dir)
        .env_remove("DOCKOPT_INJECT_PANIC")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
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

fn json(out: &Output) -> Value {
    serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", out.stdout, out.stderr))
}

/// The example: `fix` drops `apk update` from line 2, so the CMD
/// that was at line 3 column 1 stays there (and not at line 2 column 29,
/// where its offset would fall in the original text).
const SHIFTS: &[u8] = b"FROM alpine\nRUN apk update && apk add curl\nCMD echo hi\n";

#[test]
fn findings_after_fix_are_placed_in_the_fixed_text_in_every_format() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "Dockerfile", SHIFTS);
    let fix = |format: &str| run(dockopt(d.path()).args(["fix", "--diff", "--format", format]));
    let out = fix("github");
    assert_eq!(
        out.stdout,
        "::warning file=Dockerfile,line=3,col=1,endLine=3,endColumn=4,title=DKR008 exec-form::\
         CMD in shell form runs under /bin/sh, which does not pass on signals\n"
    );
    let out = fix("concise");
    assert!(
        out.stdout.contains("\nDockerfile:3:1: DKR008 exec-form: "),
        "{}",
        out.stdout
    );
    let v = json(&fix("json"));
    let f = &v["files"][0]["findings"][0];
    assert_eq!(
        (f["start"]["line"].as_u64(), f["start"]["column"].as_u64()),
        (Some(3), Some(1))
    );
    // The offset is in the fixed text too.
    let fixed = "FROM alpine\nRUN apk add --no-cache curl\n";
    assert_eq!(f["start"]["offset"], fixed.len());
    let v = json(&fix("sarif"));
    let region = &v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(3), Some(1))
    );
    let v = json(&fix("gitlab"));
    assert_eq!(v[0]["location"]["lines"]["begin"], 3);
    let out = fix("checkstyle");
    assert!(
        out.stdout.contains("<error line=\"3\" column=\"1\""),
        "{}",
        out.stdout
    );
    let out = fix("junit");
    assert!(
        out.stdout.contains("Dockerfile:3:1: warning DKR008"),
        "{}",
        out.stdout
    );
    let v = json(&fix("rdjson"));
    let cmd = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"]["value"] == "DKR008")
        .unwrap();
    assert_eq!(cmd["location"]["range"]["start"]["line"], 3);
    // After a real fix, text output places them in the written file.
    let out = run(dockopt(d.path()).args(["fix"]));
    assert!(
        out.stdout.contains("\nDockerfile:3:1: DKR008"),
        "{}",
        out.stdout
    );
}

/// `é` is 2 bytes and 1 UTF-16 unit, `😀` 4 bytes and 2 units: the `apk`
/// after them is at byte column 26, character column 22, UTF-16 column 23.
const WIDE: &str = "FROM alpine\nRUN echo \"h\u{e9}llo\u{1f600}\" && apk add curl\nCMD [\"sh\"]\n";

#[test]
fn columns_count_what_each_consumer_counts() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "Dockerfile", WIDE.as_bytes());
    let check = |format: &str| run(dockopt(d.path()).args(["check", "--format", format]));
    assert!(check("github")
        .stdout
        .contains("line=2,col=23,endLine=2,endColumn=26,"));
    assert!(check("concise")
        .stdout
        .starts_with("Dockerfile:2:22: DKR003 apk: "));
    assert!(check("text").stdout.contains("--> Dockerfile:2:22"));
    assert!(check("checkstyle")
        .stdout
        .contains("line=\"2\" column=\"22\""));
    assert!(check("junit").stdout.contains("Dockerfile:2:22: "));
    let v = json(&check("sarif"));
    assert_eq!(v["runs"][0]["columnKind"], "utf16CodeUnits");
    let region = &v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startColumn"], 23);
    let v = json(&check("json"));
    assert_eq!(v["files"][0]["findings"][0]["start"]["column"], 26);
    let v = json(&check("rdjson"));
    assert_eq!(
        v["diagnostics"][0]["location"]["range"]["start"]["column"],
        26
    );
}

#[test]
fn unknown_transforms_in_the_configuration_are_configuration_errors() {
    let d = tempfile::tempdir().unwrap();
    for dir in ["a", "b", "c"] {
        write(
            d.path(),
            &format!("{dir}/Dockerfile"),
            b"FROM alpine\nCMD run\n",
        );
    }
    let cases: &[(&str, &str)] = &[
        (
            "select: [exec-form, exec-from]\n",
            ".dockopt.yaml:1:21: error: unknown transform \"exec-from\"",
        ),
        (
            "ignore: [DKR999]\n",
            ".dockopt.yaml:1:10: error: unknown transform \"DKR999\"",
        ),
        (
            "ignore: ['']\n",
            ".dockopt.yaml:1:10: error: an empty transform name",
        ),
        (
            "per-path:\n  - path: a/**\n    select: [nope]\n",
            ".dockopt.yaml:3:14: error: unknown transform \"nope\"",
        ),
        (
            "options:\n  exec-frm: {}\n",
            ".dockopt.yaml:2:3: error: options for unknown transform \"exec-frm\"",
        ),
        (
            "options:\n  exec-form: {x: 1}\n",
            ".dockopt.yaml:2:14: error: options of exec-form: exec-form takes no options",
        ),
        (
            "options:\n  multi-stage-split:\n    runtime: []\n",
            ".dockopt.yaml:3:5: error: options of multi-stage-split: unknown option \"runtime\"",
        ),
        ("exclude: ['a/[']\n", ".dockopt.yaml:1:11: error: bad glob"),
    ];
    for (config, want) in cases {
        write(d.path(), ".dockopt.yaml", config.as_bytes());
        for format in ["text", "json", "sarif"] {
            let out = run(dockopt(d.path()).args(["check", "--format", format]));
            assert_eq!(out.code, 2, "{config}");
            assert_eq!(out.stdout, "", "{config}");
            // Once, not once per Dockerfile, and naming the file.
            assert_eq!(out.stderr.lines().count(), 1, "{config}: {}", out.stderr);
            assert!(out.stderr.starts_with(want), "{config}: {}", out.stderr);
        }
    }
    // Codes and names in any case, and prefixes, are fine.
    write(
        d.path(),
        ".dockopt.yaml",
        b"select: [dkr00, Exec-Form]\noptions:\n  MULTI-STAGE-SPLIT: {runtimes: []}\n",
    );
    assert_eq!(run(dockopt(d.path()).args(["check"])).code, 1);
}

#[test]
fn a_config_error_in_a_subdirectory_names_its_file() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "a/Dockerfile", b"FROM alpine\n");
    write(d.path(), "b/Dockerfile", b"FROM alpine\n");
    write(d.path(), "b/.dockopt.yaml", b"ignore: [nope]\n");
    let out = run(dockopt(d.path()).args(["check"]));
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "b/.dockopt.yaml:1:10: error: unknown transform \"nope\" (see `dockopt rule`)\n"
    );
}

#[test]
fn an_explicit_config_is_checked_even_with_nothing_to_check() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "ci.yaml", b"select: [nope]\n");
    let out = run(dockopt(d.path()).args(["check", "--config", "ci.yaml"]));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .starts_with("ci.yaml:1:10: error: unknown transform"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_missing_context_is_an_error() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "Dockerfile", b"FROM alpine\n");
    let out = run(dockopt(d.path()).args(["check", "--context", "nowhere"]));
    assert_eq!(out.code, 2);
    assert_eq!(out.stderr, "error: --context nowhere: no such directory\n");
    let out = run(dockopt(d.path()).args(["check", "--context", "Dockerfile"]));
    assert_eq!(out.stderr, "error: --context Dockerfile: not a directory\n");
}

#[test]
fn a_named_file_the_configuration_excludes_says_so() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "vendor/Dockerfile", b"FROM alpine\nCMD run\n");
    write(d.path(), "app/Dockerfile", b"FROM alpine\nCMD run\n");
    write(d.path(), ".dockopt.yaml", b"exclude: [vendor/]\n");
    let out = run(dockopt(d.path()).args(["check", "vendor/Dockerfile", "--format", "json"]));
    assert_eq!(out.code, 0);
    assert_eq!(
        out.stderr,
        "vendor/Dockerfile: skipped: excluded by .dockopt.yaml (exclude)\n"
    );
    assert_eq!(json(&out)["summary"]["files"], 0);
    // Walking, it is skipped without a word.
    let out = run(dockopt(d.path()).args(["check", "--format", "json"]));
    assert_eq!(out.stderr, "");
    assert_eq!(json(&out)["files"][0]["path"], "app/Dockerfile");
    assert_eq!(json(&out)["summary"]["files"], 1);
}

#[test]
fn fix_summary_counts_what_remains() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "Dockerfile", SHIFTS);
    write(d.path(), "b/Dockerfile", b"FROM alpine\nNOPE\n");
    let out = run(dockopt(d.path()).args(["fix", "--diff", "--format", "text"]));
    let listed = out
        .stdout
        .lines()
        .filter(|l| l.contains(": DKR") || l.contains(": syntax-error:"))
        .count();
    assert_eq!(listed, 2, "{}", out.stdout);
    assert!(
        out.stdout
            .ends_with("Would fix 2 finding(s) in 1 file(s); 2 would remain.\n"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("Fixed"), "{}", out.stdout);
}

#[test]
fn stdin_filename_stands_for_standard_input() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "svc/app.py", b"print(1)\n");
    write(
        d.path(),
        ".dockopt.yaml",
        b"exclude: [legacy/]\nper-path:\n  - path: svc/**\n    ignore: [exec-form]\n",
    );
    let text = "FROM python:3.12-slim\nADD app.py /app/\nCMD python app.py\n";
    // Per-path settings from the configuration, the context (svc/, where
    // app.py is: a safe fix) and the name in reports.
    let out = run(dockopt(d.path())
        .args([
            "check",
            "--stdin-filename",
            "svc/Dockerfile",
            "--format",
            "github",
        ])
        .write_stdin(text));
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stdout,
        "::warning file=svc/Dockerfile,line=2,col=1,endLine=2,endColumn=4,title=DKR009 copy-over-add::\
         ADD for local files: COPY says what happens\n"
    );
    let out = run(dockopt(d.path())
        .args(["fix", "-", "--stdin-filename", "svc/Dockerfile"])
        .write_stdin(text));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, text.replace("ADD", "COPY"));
    // Excluded by the configuration: given back unchanged, with a note.
    let out = run(dockopt(d.path())
        .args(["fix", "--stdin-filename", "legacy/new/Dockerfile"])
        .write_stdin(text));
    assert_eq!(out.code, 0);
    assert_eq!(out.stdout, text);
    assert_eq!(
        out.stderr,
        "legacy/new/Dockerfile: skipped: excluded by .dockopt.yaml (exclude)\n"
    );
    // Without `-` among the paths it names nothing.
    let out = run(dockopt(d.path()).args(["check", "--stdin-filename", "x/Dockerfile", "svc"]));
    assert_eq!(out.code, 2);
}

#[test]
fn fix_stdin_always_gives_the_text_back() {
    let d = tempfile::tempdir().unwrap();
    let clean = "FROM alpine\nCMD [\"sh\"]\n";
    let cases: &[(&[&str], &str, i32)] = &[
        (&["fix", "-"], clean, 0),
        (&["fix", "-"], "FROM alpine\nNOPE x\n", 1),
        (
            &["fix", "-", "--select", "nope"],
            "FROM alpine\nCMD sh\n",
            2,
        ),
        (&["fix", "-", "--select", ""], "FROM alpine\nCMD sh\n", 2),
        (
            &["fix", "-", "--unsafe", "--exit-zero"],
            "FROM alpine\nADD a.tar /x/\n",
            0,
        ),
    ];
    for (args, text, code) in cases {
        let out = run(dockopt(d.path()).args(*args).write_stdin(*text));
        assert_eq!(out.code, *code, "{args:?}: {}", out.stderr);
        assert_eq!(out.stdout, *text, "{args:?}");
    }
    write(d.path(), ".dockopt.yaml", b"ignroe: []\n");
    let out = run(dockopt(d.path()).args(["fix", "-"]).write_stdin(clean));
    assert_eq!((out.code, out.stdout.as_str()), (2, clean));
    assert!(
        out.stderr
            .starts_with(".dockopt.yaml:1:1: error: unknown field `ignroe`"),
        "{}",
        out.stderr
    );
}

#[test]
fn fix_stdin_with_a_file_is_a_usage_error() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "Dockerfile", b"FROM alpine\nCMD run\n");
    let out = run(dockopt(d.path())
        .args(["fix", "--unsafe", "-", "Dockerfile"])
        .write_stdin("FROM alpine\nCMD go\n"));
    assert_eq!(out.code, 2);
    assert_eq!(out.stdout, "");
    assert!(out.stderr.starts_with("error: `fix -` "), "{}", out.stderr);
    assert_eq!(
        fs::read(d.path().join("Dockerfile")).unwrap(),
        b"FROM alpine\nCMD run\n"
    );
    // A diff of both is fine.
    let out = run(dockopt(d.path())
        .args(["fix", "--unsafe", "--diff", "-", "Dockerfile"])
        .write_stdin("FROM alpine\nCMD go\n"));
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("+++ b/-\n") && out.stdout.contains("+++ b/Dockerfile\n"));
}

#[test]
fn selection_takes_codes_names_and_prefixes_in_any_case() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "app.py", b"");
    write(
        d.path(),
        "Dockerfile",
        b"FROM python:3.12-slim\nADD app.py /app/\nCMD python app.py\n",
    );
    let codes = |args: &[&str]| -> Vec<String> {
        let out = run(dockopt(d.path())
            .args(["check", "--format", "json"])
            .args(args));
        json(&out)["files"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(codes(&[]), ["DKR009", "DKR008"]);
    assert_eq!(codes(&["--select", "dkr008"]), ["DKR008"]);
    assert_eq!(codes(&["--select", "EXEC-FORM"]), ["DKR008"]);
    assert_eq!(codes(&["--select", "DKR00"]), ["DKR009", "DKR008"]);
    assert_eq!(codes(&["--ignore", "dkr00"]), Vec::<String>::new());
    // ALL takes the opt-in rules too (non-root-user; base-digest without a
    // lock).
    assert_eq!(
        codes(&["--select", "all", "--ignore", "Copy-Over-Add"]),
        ["DKR016", "DKR015", "DKR008"]
    );
    for bad in ["", "exec-form,", "DKR0x"] {
        let out = run(dockopt(d.path()).args(["check", "--select", bad]));
        assert_eq!(out.code, 2, "{bad:?}");
        assert!(
            out.stderr.starts_with("error: --select: "),
            "{bad:?}: {}",
            out.stderr
        );
    }
    let out = run(dockopt(d.path()).args(["check", "--ignore", ""]));
    assert_eq!(out.stderr, "error: --ignore: an empty transform name\n");
}

#[test]
fn rule_shows_safety_and_default_and_knows_syntax_error() {
    let d = tempfile::tempdir().unwrap();
    let out = run(dockopt(d.path()).args(["rule"]));
    assert_eq!(out.code, 0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[0].starts_with("CODE    NAME"), "{}", out.stdout);
    let exec = lines
        .iter()
        .find(|l| l.starts_with("DKR008  exec-form"))
        .unwrap();
    assert!(exec.contains(" unsafe ") && exec.contains(" on "), "{exec}");
    let copy = lines.iter().find(|l| l.starts_with("DKR009")).unwrap();
    assert!(copy.contains(" safe/unsafe "), "{copy}");
    assert!(
        lines.iter().any(|l| l.contains("syntax-error")),
        "{}",
        out.stdout
    );
    let out = run(dockopt(d.path()).args(["rule", "syntax-error"]));
    assert_eq!(out.code, 0);
    assert!(out.stdout.starts_with("# syntax-error\n"), "{}", out.stdout);
    let out = run(dockopt(d.path()).args(["rule", "Exec-Form"]));
    assert!(
        out.stdout.starts_with("# exec-form (DKR008)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("exec-form (DKR008): on by default. Fixes: unsafe"),
        "{}",
        out.stdout
    );
    let v: Value =
        serde_json::from_str(&run(dockopt(d.path()).args(["rule", "--format", "json"])).stdout)
            .unwrap();
    let exec = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "exec-form")
        .unwrap();
    assert_eq!(
        (exec["fixes"].as_str(), exec["default"].as_bool()),
        (Some("unsafe"), Some(true))
    );
    let gain = |name: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap()["gain"]
            .as_str()
            .map(str::to_string)
    };
    assert_eq!(gain("exec-form").as_deref(), Some("correctness"));
    assert_eq!(gain("pip").as_deref(), Some("size"));
    assert_eq!(gain("hoist-manifests").as_deref(), Some("rebuild"));
    assert_eq!(gain("syntax-error").as_deref(), Some("correctness"));
    assert_eq!(run(dockopt(d.path()).args(["rule", "nope"])).code, 2);
}

#[test]
fn discovery_knows_what_is_a_dockerfile() {
    let d = tempfile::tempdir().unwrap();
    let bad = b"FROM alpine\nCMD run\n";
    for rel in [
        "a/dockerfile.dev",
        "a/containerfile.prod",
        "a/Dockerfile",
        "a/api.Dockerfile",
        "b/Dockerfile.md",
        "b/Dockerfile.orig",
        "b/Dockerfile.j2",
        "b/Dockerfile.bak",
        "b/Dockerfile~",
        "b/Dockerfile.template",
    ] {
        write(d.path(), rel, bad);
    }
    let out = run(dockopt(d.path()).args(["check", "--format", "json"]));
    let v = json(&out);
    let paths: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "a/Dockerfile",
            "a/api.Dockerfile",
            "a/containerfile.prod",
            "a/dockerfile.dev"
        ]
    );
}

#[test]
fn exclude_and_config_exclude_speak_gitignore() {
    let d = tempfile::tempdir().unwrap();
    let bad = b"FROM alpine\nCMD run\n";
    for rel in [
        "x/Dockerfile.legacy",
        "y/z/Dockerfile.legacy",
        "y/keep/Dockerfile.legacy",
        "app/Dockerfile",
    ] {
        write(d.path(), rel, bad);
    }
    // A glob without a slash matches at any depth; `!` takes a file back.
    let globs = ["Dockerfile.legacy", "!**/keep/Dockerfile.legacy"];
    let found = |out: &Output| -> Vec<String> {
        json(out)["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap().to_string())
            .collect()
    };
    let mut c = dockopt(d.path());
    c.args(["check", "--format", "json"]);
    for g in globs {
        c.args(["--exclude", g]);
    }
    let by_flag = found(&run(&mut c));
    write(
        d.path(),
        ".dockopt.yaml",
        b"exclude: [Dockerfile.legacy, '!**/keep/Dockerfile.legacy']\n",
    );
    let by_config = found(&run(dockopt(d.path()).args(["check", "--format", "json"])));
    assert_eq!(by_flag, ["app/Dockerfile", "y/keep/Dockerfile.legacy"]);
    assert_eq!(by_config, by_flag);
}

/// An ADD that unpacks a real archive: copy-over-add refuses its rewrite,
/// and that is information, not a warning.
fn archive(dir: &Path) {
    let mut tar = vec![0u8; 1024];
    tar[257..262].copy_from_slice(b"ustar");
    write(dir, "app.tar", &tar);
    write(
        dir,
        "Dockerfile",
        b"FROM alpine\nADD app.tar /app/\nCMD [\"/app/run\"]\n",
    );
}

#[test]
fn a_refused_fix_on_correct_code_is_information() {
    let d = tempfile::tempdir().unwrap();
    archive(d.path());
    let out = run(dockopt(d.path()).args(["check"]));
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(
        out.stdout.contains("info[DKR009 copy-over-add]"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("1 below --fail-on warning (none fail the check)"),
        "{}",
        out.stdout
    );
    assert_eq!(
        run(dockopt(d.path()).args(["check", "--fail-on", "info"])).code,
        1
    );
    let v = json(&run(dockopt(d.path()).args(["check", "--format", "json"])));
    assert_eq!(v["files"][0]["findings"][0]["severity"], "info");
    let v = json(&run(dockopt(d.path()).args(["check", "--format", "sarif"])));
    assert_eq!(v["runs"][0]["results"][0]["level"], "note");
    let out = run(dockopt(d.path()).args(["check", "--format", "github"]));
    assert!(
        out.stdout.starts_with("::notice file=Dockerfile,"),
        "{}",
        out.stdout
    );
    // `fix` leaves it, and does not fail on it either.
    assert_eq!(run(dockopt(d.path()).args(["fix"])).code, 0);
}

#[test]
fn exit_zero_and_fail_on() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "Dockerfile", b"FROM alpine\nCMD run\n");
    assert_eq!(run(dockopt(d.path()).args(["check"])).code, 1);
    assert_eq!(
        run(dockopt(d.path()).args(["check", "--exit-zero"])).code,
        0
    );
    assert_eq!(
        run(dockopt(d.path()).args(["check", "--fail-on", "error"])).code,
        0
    );
    assert_eq!(
        run(dockopt(d.path()).args(["fix", "--diff", "--unsafe", "--exit-zero"])).code,
        0
    );
    // Syntax errors are errors, and errors still exit 2.
    write(d.path(), "b/Dockerfile", b"FROM alpine\nNOPE\n");
    assert_eq!(
        run(dockopt(d.path()).args(["check", "--fail-on", "error"])).code,
        1
    );
    write(d.path(), "c/Dockerfile", b"FROM alpine\n\0");
    assert_eq!(
        run(dockopt(d.path()).args(["check", "--exit-zero"])).code,
        2
    );
    let out = run(dockopt(d.path()).args(["fix", "--exit-zero", "--exit-non-zero-on-fix"]));
    assert_eq!(out.code, 2);
}

#[test]
fn colour_follows_no_color_and_clicolor_force() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "Dockerfile", b"FROM alpine\nCMD run\n");
    let painted = |env: &[(&str, &str)]| {
        let mut c = Command::cargo_bin("dockopt").unwrap();
        c.current_dir(d.path())
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("CLICOLOR")
            .args(["fix", "--diff", "--unsafe"]);
        for (k, v) in env {
            c.env(k, v);
        }
        run(&mut c).stdout.contains('\x1b')
    };
    // Not a terminal: no colour unless forced.
    assert!(!painted(&[]));
    assert!(painted(&[("CLICOLOR_FORCE", "1")]));
    // An empty NO_COLOR is not set.
    assert!(painted(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "")]));
    assert!(!painted(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]));
}

#[test]
fn output_file_takes_any_format() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "Dockerfile", WIDE.as_bytes());
    for format in [
        "text",
        "concise",
        "json",
        "sarif",
        "github",
        "gitlab",
        "junit",
        "checkstyle",
        "rdjson",
        "rdjsonl",
        "diff",
    ] {
        let out = run(dockopt(d.path()).args(["check", "--format", format]));
        let to_file =
            run(dockopt(d.path()).args(["check", "--format", format, "-o", "out/report"]));
        // The output directory must exist: the error says which file.
        assert_eq!(to_file.code, 2, "{format}");
        assert_eq!(to_file.stdout, "", "{format}");
        assert!(
            to_file.stderr.contains("out/report"),
            "{format}: {}",
            to_file.stderr
        );
        let to_file =
            run(dockopt(d.path()).args(["check", "--format", format, "--output-file", "report"]));
        assert_eq!(to_file.code, out.code, "{format}");
        assert_eq!(to_file.stdout, "", "{format}");
        let written = fs::read_to_string(d.path().join("report")).unwrap();
        let strip = |s: &str| {
            s.lines()
                .filter(|l| !l.contains("file://"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(strip(&written), strip(&out.stdout), "{format}");
        assert!(!written.is_empty(), "{format}");
    }
}

#[test]
fn statistics_count_per_rule() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "a/Dockerfile", b"FROM alpine\nCMD run\n");
    write(
        d.path(),
        "b/Dockerfile",
        b"FROM alpine\nCMD run\nRUN apk add curl\n",
    );
    write(d.path(), "c/Dockerfile", b"FROM alpine\nNOPE\n");
    let out = run(dockopt(d.path()).args(["check", "--statistics"]));
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stdout,
        "    2  DKR008 exec-form\n    1  DKR003 apk  (1 fixable)\n    1  syntax-error\n"
    );
    let v = json(&run(dockopt(d.path()).args([
        "check",
        "--statistics",
        "--format",
        "json",
    ])));
    assert_eq!(v[0]["code"], "DKR008");
    assert_eq!(v[0]["count"], 2);
    assert_eq!(
        run(dockopt(d.path()).args(["check", "--statistics", "--format", "sarif"])).code,
        2
    );
}

/// Each finding says what its fix buys. Size findings appear only where the
/// layers ship: the build stage's `apt-get install` without
/// `--no-install-recommends` is not reported, its missing `-y` is.
#[test]
fn json_findings_say_what_their_fix_buys() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "Dockerfile",
        b"FROM debian:bookworm-slim AS build\n\
RUN apt-get update && apt-get install make && rm -rf /var/lib/apt/lists/*\n\
RUN make\n\
FROM debian:bookworm-slim\n\
RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n\
COPY --from=build /out /out\n\
CMD [\"/out/app\"]\n",
    );
    let out = run(dockopt(d.path()).args(["check", "--no-config", "--format", "json"]));
    let v = json(&out);
    let found: Vec<(u64, &str, &str)> = v["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["start"]["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap(),
                f["gain"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        found
            .iter()
            .any(|(l, m, g)| *l == 2 && m.contains("without -y") && *g == "correctness"),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(l, m, g)| *l == 5 && m.contains("--no-install-recommends") && *g == "size"),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|(l, _, g)| *l <= 3 && *g == "size"),
        "size findings in the build stage: {found:?}"
    );
}
