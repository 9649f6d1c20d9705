//! End-to-end tests of `dockopt check` and `dockopt fix`.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

fn dockopt(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("dockopt").unwrap();
    c.current_dir(dir)
        .env_remove("DOCKOPT_INJECT_PANIC")
        .env("NO_COLOR", "1");
    c
}

fn write(dir: &Path, rel: &str, content: &[u8]) {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, content).unwrap();
}

const APP: &str = "FROM python:3.12-slim\nADD app.py /app/\nCMD python app.py\n";
const FIXED: &str = "FROM python:3.12-slim\nCOPY app.py /app/\nCMD [\"python\", \"app.py\"]\n";

fn app(dir: &Path) {
    write(dir, "Dockerfile", APP.as_bytes());
    write(dir, "app.py", b"print(1)\n");
}

fn stdout(c: &mut Command, code: i32) -> String {
    let out = c.assert().code(code).get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

fn stderr(c: &mut Command, code: i32) -> String {
    let out = c.assert().code(code).get_output().stderr.clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn check_text_exits_1_with_snippets() {
    let d = tempfile::tempdir().unwrap();
    app(d.path());
    insta::assert_snapshot!(stdout(dockopt(d.path()).args(["check"]), 1));
}

#[test]
fn check_clean_exits_0() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "Dockerfile", b"FROM alpine\nCMD [\"sh\"]\n");
    assert_eq!(
        stdout(dockopt(d.path()).args(["check"]), 0),
        "All clean: 1 file(s) checked.\n"
    );
}

#[test]
fn check_formats() {
    let d = tempfile::tempdir().unwrap();
    app(d.path());
    for format in ["json", "github", "diff"] {
        let out = stdout(
            dockopt(d.path()).args(["check", "--format", format, "Dockerfile"]),
            1,
        );
        insta::assert_snapshot!(format!("check_format_{format}"), out);
    }
    let json: serde_json::Value = serde_json::from_str(&stdout(
        dockopt(d.path()).args(["check", "--format", "json"]),
        1,
    ))
    .unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["summary"]["findings"], 2);
    let sarif: serde_json::Value = serde_json::from_str(&stdout(
        dockopt(d.path()).args(["check", "--format", "sarif"]),
        1,
    ))
    .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), dockopt_transforms::ALL.len() + 1);
    // The rule pages change with the docs; the results are what matter here.
    insta::assert_snapshot!(
        "check_format_sarif_results",
        serde_json::to_string_pretty(&sarif["runs"][0]["results"]).unwrap()
    );
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 2);
}

#[test]
fn fix_diff_writes_nothing_and_exits_1() {
    let d = tempfile::tempdir().unwrap();
    app(d.path());
    let out = stdout(dockopt(d.path()).args(["fix", "--diff"]), 1);
    insta::assert_snapshot!(out);
    assert_eq!(
        fs::read_to_string(d.path().join("Dockerfile")).unwrap(),
        APP
    );
    // check never writes either.
    dockopt(d.path()).args(["check"]).assert().code(1);
    assert_eq!(
        fs::read_to_string(d.path().join("Dockerfile")).unwrap(),
        APP
    );
}

#[test]
fn fix_writes_then_second_fix_changes_nothing() {
    let d = tempfile::tempdir().unwrap();
    app(d.path());
    // Safe fixes only: exec form changes the image's Cmd, so it waits.
    let out = stdout(dockopt(d.path()).args(["fix"]), 1);
    assert!(
        out.starts_with("Fixed Dockerfile: 1 fix(es) (DKR009 copy-over-add)\n"),
        "{out}"
    );
    assert!(
        out.contains("unsafe fix (--unsafe): Use exec form for CMD"),
        "{out}"
    );
    let out = stdout(dockopt(d.path()).args(["fix", "--unsafe"]), 0);
    assert_eq!(out, "Fixed Dockerfile: 1 fix(es) (DKR008 exec-form)\nFixed 1 finding(s) in 1 file(s); 0 remain.\n");
    assert_eq!(
        fs::read_to_string(d.path().join("Dockerfile")).unwrap(),
        FIXED
    );
    dockopt(d.path())
        .args(["fix", "--diff", "--unsafe"])
        .assert()
        .code(0)
        .stdout("");
    // No temporary file is left behind.
    let names: Vec<_> = fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn exit_non_zero_on_fix() {
    let d = tempfile::tempdir().unwrap();
    app(d.path());
    dockopt(d.path())
        .args(["fix", "--exit-non-zero-on-fix"])
        .assert()
        .code(1);
}

#[test]
fn unsafe_fixes_need_the_flag() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "Dockerfile",
        b"FROM alpine\nENTRYPOINT /bin/app serve\n",
    );
    let out = stdout(dockopt(d.path()).args(["fix"]), 1);
    assert!(out.contains("unsafe fix (--unsafe)"), "{out}");
    assert!(fs::read_to_string(d.path().join("Dockerfile"))
        .unwrap()
        .contains("ENTRYPOINT /bin/app"));
    dockopt(d.path()).args(["fix", "--unsafe"]).assert().code(0);
    assert_eq!(
        fs::read_to_string(d.path().join("Dockerfile")).unwrap(),
        "FROM alpine\nENTRYPOINT [\"/bin/app\", \"serve\"]\n"
    );
}

#[test]
fn select_and_ignore_take_codes_or_names() {
    let d = tempfile::tempdir().unwrap();
    app(d.path());
    let out = stdout(
        dockopt(d.path()).args(["check", "--select", "DKR008", "--format", "github"]),
        1,
    );
    assert!(out.contains("DKR008") && !out.contains("DKR009"), "{out}");
    let out = stdout(
        dockopt(d.path()).args(["check", "--ignore", "exec-form,copy-over-add"]),
        0,
    );
    assert!(out.starts_with("All clean"), "{out}");
    let err = dockopt(d.path())
        .args(["check", "--select", "nope"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert_eq!(
        String::from_utf8(err).unwrap(),
        "error: --select: unknown transform \"nope\" (see `dockopt rule`)\n"
    );
}

#[test]
fn stdin_to_stdout() {
    let d = tempfile::tempdir().unwrap();
    dockopt(d.path())
        .args(["fix", "--unsafe", "-"])
        .write_stdin("FROM alpine\nCMD run --fast\n")
        .assert()
        .code(0)
        .stdout("FROM alpine\nCMD [\"run\", \"--fast\"]\n");
    let out = stdout(
        dockopt(d.path())
            .args(["check", "-", "--format", "github"])
            .write_stdin("FROM alpine\nCMD run\n"),
        1,
    );
    assert!(out.contains("file=-,line=2,col=1"), "{out}");
}

#[test]
fn monorepo_walk_honours_gitignore_and_exclude() {
    let d = tempfile::tempdir().unwrap();
    let bad = b"FROM alpine\nCMD run\n";
    for rel in [
        "services/api/Dockerfile",
        "services/web/Dockerfile.prod",
        "services/web/web.dockerfile",
        "tools/Containerfile",
        "vendor/lib/Dockerfile",
        "build/Dockerfile",
        ".github/ci.Dockerfile",
    ] {
        write(d.path(), rel, bad);
    }
    write(
        d.path(),
        "services/web/Dockerfile.dockerignore",
        b"node_modules\n",
    );
    write(d.path(), "README.md", b"# not a Dockerfile\n");
    write(d.path(), ".gitignore", b"build/\n");
    let out = stdout(
        dockopt(d.path()).args(["check", "--format", "github", "--exclude", "vendor/**"]),
        1,
    );
    let mut files: Vec<&str> = out
        .lines()
        .map(|l| {
            l.split(',')
                .next()
                .unwrap()
                .trim_start_matches("::warning file=")
        })
        .collect();
    files.sort_unstable();
    assert_eq!(
        files,
        [
            ".github/ci.Dockerfile",
            "services/api/Dockerfile",
            "services/web/Dockerfile.prod",
            "services/web/web.dockerfile",
            "tools/Containerfile",
        ]
    );
}

#[test]
fn bad_files_are_reported_and_the_rest_go_on() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "a/Dockerfile", b"FROM alpine\nCMD run\n");
    write(d.path(), "b/Dockerfile", b"FROM alpine\n\0\x01\x02binary");
    write(d.path(), "c/Dockerfile", b"FROM alpine\nCMD go\n");
    write(
        d.path(),
        "d/Dockerfile",
        b"FROM alpine\nNOTANINSTRUCTION x\n",
    );
    let unreadable = d.path().join("e/Dockerfile");
    write(d.path(), "e/Dockerfile", b"FROM alpine\n");
    fs::create_dir_all(d.path().join("f/Dockerfile")).unwrap(); // a directory named like one
    #[cfg(unix)]
    let as_root = {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&unreadable, fs::Permissions::from_mode(0o000)).unwrap();
        fs::read(&unreadable).is_ok()
    };
    let out = stdout(dockopt(d.path()).args(["check", "--format", "json"]), 2);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let files = json["files"].as_array().unwrap();
    let by_path = |p: &str| {
        files
            .iter()
            .find(|f| f["path"] == p)
            .unwrap_or_else(|| panic!("{p} missing: {out}"))
    };
    assert_eq!(
        by_path("a/Dockerfile")["findings"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(by_path("b/Dockerfile")["error"]
        .as_str()
        .unwrap()
        .contains("binary"));
    assert_eq!(
        by_path("c/Dockerfile")["findings"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        by_path("d/Dockerfile")["syntax_errors"][0]["message"],
        "unknown instruction: NOTANINSTRUCTION"
    );
    #[cfg(unix)]
    if !as_root {
        assert!(by_path("e/Dockerfile")["error"]
            .as_str()
            .unwrap()
            .contains("ermission"));
    }
}

#[test]
fn crlf_bom_mode_and_final_newline_are_kept() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "Dockerfile",
        b"\xEF\xBB\xBFFROM alpine\r\nCMD run now\r\nCMD stop",
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(
            d.path().join("Dockerfile"),
            fs::Permissions::from_mode(0o640),
        )
        .unwrap();
    }
    dockopt(d.path()).args(["fix", "--unsafe"]).assert().code(0);
    assert_eq!(
        fs::read(d.path().join("Dockerfile")).unwrap(),
        b"\xEF\xBB\xBFFROM alpine\r\nCMD [\"run\", \"now\"]\r\nCMD [\"stop\"]"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(d.path().join("Dockerfile"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o640);
    }
}

#[test]
fn read_only_file_is_not_written() {
    let d = tempfile::tempdir().unwrap();
    app(d.path());
    let p = d.path().join("Dockerfile");
    let mut perm = fs::metadata(&p).unwrap().permissions();
    perm.set_readonly(true);
    fs::set_permissions(&p, perm).unwrap();
    let out = stderr(dockopt(d.path()).args(["fix"]), 2);
    assert!(
        out.contains("Dockerfile: error: cannot write: file is read-only"),
        "{out}"
    );
    assert_eq!(fs::read_to_string(&p).unwrap(), APP);
}

#[test]
fn config_file_select_per_path_and_unknown_keys() {
    let d = tempfile::tempdir().unwrap();
    app(d.path());
    write(d.path(), "legacy/Dockerfile", APP.as_bytes());
    write(d.path(), "legacy/app.py", b"");
    write(
        d.path(),
        ".dockopt.yaml",
        b"ignore: [copy-over-add]\nper-path:\n  - path: legacy/**\n    ignore: [exec-form]\n",
    );
    let out = stdout(dockopt(d.path()).args(["check", "--format", "github"]), 1);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.contains("file=Dockerfile") && out.contains("DKR008"),
        "{out}"
    );
    write(d.path(), ".dockopt.yaml", b"ignroe: [x]\n");
    let out = stderr(dockopt(d.path()).args(["check"]), 2);
    assert!(
        out.starts_with(".dockopt.yaml:1:1: error: unknown field `ignroe`"),
        "{out}"
    );
    dockopt(d.path())
        .args(["check", "--no-config"])
        .assert()
        .code(1);
}

#[test]
fn inline_suppressions() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "app.py", b"");
    write(
        d.path(),
        "Dockerfile",
        b"FROM python:3.12-slim\n# dockopt: ignore[copy-over-add]\nADD app.py /app/\nADD app.py /b/\nCMD python app.py\n",
    );
    let out = stdout(dockopt(d.path()).args(["check", "--format", "github"]), 1);
    assert!(!out.contains("line=3,"), "{out}");
    assert!(out.contains("line=4,") && out.contains("line=5,"), "{out}");
    write(d.path(), "Dockerfile", b"# dockopt: ignore-file[DKR008, copy-over-add]\nFROM python:3.12-slim\nADD app.py /app/\nCMD python app.py\n");
    dockopt(d.path()).args(["check"]).assert().code(0);
}

#[test]
fn rule_lists_and_documents() {
    let d = tempfile::tempdir().unwrap();
    let out = stdout(dockopt(d.path()).args(["rule"]), 0);
    assert!(out.contains("DKR008  exec-form"), "{out}");
    let out = stdout(dockopt(d.path()).args(["rule", "copy-over-add"]), 0);
    assert!(out.starts_with("# copy-over-add (DKR009)"), "{out}");
    dockopt(d.path()).args(["rule", "nope"]).assert().code(2);
}

#[test]
fn usage_errors_exit_2() {
    let d = tempfile::tempdir().unwrap();
    dockopt(d.path())
        .args(["check", "--format", "xml"])
        .assert()
        .code(2);
    dockopt(d.path())
        .args(["check", "missing/Dockerfile"])
        .assert()
        .code(2);
}

#[test]
fn context_flag_and_dockerfile_specific_ignore() {
    let d = tempfile::tempdir().unwrap();
    // The Dockerfile lives in docker/, the context is the repository root.
    write(
        d.path(),
        "docker/Dockerfile",
        b"FROM python:3.12-slim\nADD app.py /app/\n",
    );
    write(d.path(), "app.py", b"print(1)\n");
    let out = stdout(
        dockopt(d.path()).args(["check", "--format", "github", "docker/Dockerfile"]),
        1,
    );
    assert!(out.contains("DKR009"), "{out}");
    let out = stdout(
        dockopt(d.path()).args(["fix", "--diff", "--context", ".", "docker/Dockerfile"]),
        1,
    );
    assert!(out.contains("+COPY app.py /app/"), "{out}");
    // <Dockerfile>.dockerignore beside the Dockerfile wins over the context's.
    write(d.path(), "docker/Dockerfile.dockerignore", b"app.py\n");
    let out = stdout(
        dockopt(d.path()).args(["fix", "--diff", "--context", ".", "docker/Dockerfile"]),
        0,
    );
    assert_eq!(out, "");
    // A malformed ignore file is an error for that Dockerfile, as for the builder.
    write(d.path(), "docker/Dockerfile.dockerignore", b"[unclosed\n");
    let out = stderr(
        dockopt(d.path()).args(["check", "--context", ".", "docker/Dockerfile"]),
        2,
    );
    assert!(
        out.contains("Dockerfile.dockerignore: error: line 1"),
        "{out}"
    );
}

#[test]
fn explicit_config_file() {
    let d = tempfile::tempdir().unwrap();
    app(d.path());
    write(
        d.path(),
        "ci/strict.yaml",
        b"select: [exec-form]\nunsafe: true\n",
    );
    let out = stdout(
        dockopt(d.path()).args(["fix", "--diff", "--config", "ci/strict.yaml"]),
        1,
    );
    assert!(
        out.contains("+CMD [\"python\", \"app.py\"]") && !out.contains("COPY"),
        "{out}"
    );
}

#[test]
fn color_always_and_quiet() {
    let d = tempfile::tempdir().unwrap();
    app(d.path());
    let out = stdout(
        dockopt(d.path()).args(["fix", "--diff", "--color", "always"]),
        1,
    );
    assert!(out.contains("\x1b[31m-ADD app.py /app/\x1b[0m"), "{out:?}");
    assert!(out.contains("\x1b[32m+COPY app.py /app/\x1b[0m"), "{out:?}");
    let out = stdout(dockopt(d.path()).args(["check", "--quiet"]), 1);
    assert!(!out.contains("Found"), "{out}");
    let out = stdout(dockopt(d.path()).args(["check", "--color", "never"]), 1);
    assert!(!out.contains('\x1b'), "{out:?}");
}

#[test]
fn dockerignore_is_proposed_and_written_only_on_request() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "Dockerfile",
        b"FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD [\"python\", \"app.py\"]\n",
    );
    write(d.path(), "app.py", b"print(1)\n");
    write(d.path(), ".env", b"SECRET=1\n");
    write(d.path(), ".svn/entries", b"");
    let out = stdout(dockopt(d.path()).args(["check", "--format", "github"]), 1);
    assert!(
        out.contains("DKR013") && out.contains(".env, .svn"),
        "{out}"
    );
    // Plain fix writes nothing new.
    dockopt(d.path()).args(["fix"]).assert().code(1);
    assert!(!d.path().join(".dockerignore").exists());
    let out = stdout(
        dockopt(d.path()).args(["fix", "--diff", "--dockerignore"]),
        1,
    );
    assert!(
        out.contains("--- /dev/null\n+++ b/.dockerignore\n") && out.contains("+.env\n"),
        "{out}"
    );
    assert!(!d.path().join(".dockerignore").exists());
    let out = stdout(dockopt(d.path()).args(["fix", "--dockerignore"]), 0);
    assert!(out.contains("Wrote .dockerignore"), "{out}");
    let written = fs::read_to_string(d.path().join(".dockerignore")).unwrap();
    assert!(written.contains(".env\n.svn\n"), "{written}");
    // Now clean, and an existing file is never rewritten.
    dockopt(d.path()).args(["check"]).assert().code(0);
    // One that lets a secret through is reported, with the line to add.
    fs::write(d.path().join(".dockerignore"), "custom\n").unwrap();
    let out = stdout(dockopt(d.path()).args(["fix", "--dockerignore"]), 1);
    assert!(out.contains("add to .dockerignore: .env"), "{out}");
    assert_eq!(
        fs::read_to_string(d.path().join(".dockerignore")).unwrap(),
        "custom\n"
    );
    fs::write(d.path().join(".dockerignore"), "custom\n.env\n").unwrap();
    dockopt(d.path())
        .args(["fix", "--dockerignore"])
        .assert()
        .code(0);
    assert_eq!(
        fs::read_to_string(d.path().join(".dockerignore")).unwrap(),
        "custom\n.env\n"
    );
}

#[test]
fn config_extends_the_runtime_table() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "Dockerfile",
        b"FROM registry.example.com/golang:1.22\nWORKDIR /src\nCOPY . .\n\
          RUN CGO_ENABLED=0 go build -o /usr/local/bin/app .\nCMD [\"/usr/local/bin/app\"]\n",
    );
    write(d.path(), "main.go", b"package main\n\nfunc main() {}\n");
    let split = ["fix", "--diff", "--unsafe", "--select", "multi-stage-split"];
    // Not a toolchain the built-in table knows.
    let out = stdout(dockopt(d.path()).args(split), 0);
    assert!(out.is_empty(), "{out}");
    write(
        d.path(),
        ".dockopt.yaml",
        b"options:\n  multi-stage-split:\n    runtimes:\n      - ecosystem: go\n\
          \x20       toolchain: [registry.example.com/golang]\n\
          \x20       runtime: \"registry.example.com/debian:{suite}-slim\"\n\
          \x20       static-runtime: \"registry.example.com/distroless-static\"\n",
    );
    let out = stdout(dockopt(d.path()).args(split), 1);
    assert!(
        out.contains("+FROM registry.example.com/distroless-static\n")
            && out.contains("+COPY --from=build /usr/local/bin/app /usr/local/bin/app\n"),
        "{out}"
    );
    // A bad entry is a clear error, not a silent fallback.
    write(
        d.path(),
        ".dockopt.yaml",
        b"options:\n  multi-stage-split:\n    runtimes:\n      - ecosystem: go\n        toolchains: [x]\n",
    );
    let out = stderr(
        dockopt(d.path()).args(["check", "--select", "multi-stage-split"]),
        2,
    );
    assert!(
        out.starts_with(".dockopt.yaml:3:5: error: options of multi-stage-split: bad runtimes option: unknown field `toolchains`"),
        "{out}"
    );
}
