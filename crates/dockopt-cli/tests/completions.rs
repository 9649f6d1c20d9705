//! `dockopt completions SHELL` and `dockopt manpage`.

use std::process::Command;

use assert_cmd::cargo::cargo_bin;

fn dockopt(args: &[&str]) -> std::process::Output {
    Command::new(cargo_bin("dockopt"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(args: &[&str]) -> String {
    let out = dockopt(args);
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

const SUBCOMMANDS: [&str; 7] = [
    "check",
    "fix",
    "parse",
    "rule",
    "completions",
    "manpage",
    "server",
];

#[test]
fn every_shell_gets_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout(&["completions", shell]);
        for sub in SUBCOMMANDS {
            assert!(script.contains(sub), "{shell} lacks {sub}");
        }
        // fish spells long flags `-l unsafe`, the others `--unsafe`.
        for flag in ["unsafe", "diff", "format"] {
            assert!(script.contains(flag), "{shell} lacks {flag}");
        }
    }
    let bad = dockopt(&["completions", "tcsh"]);
    assert_eq!(bad.status.code(), Some(2));
}

/// Bash itself completes `dockopt ch` and `dockopt fix --di` from the script.
#[cfg(unix)]
#[test]
fn bash_completes_from_the_script() {
    if Command::new("bash").arg("--version").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "bash is missing under CI");
        eprintln!("skipped: no bash");
        return;
    }
    let script = stdout(&["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dockopt.bash");
    std::fs::write(&path, script).unwrap();
    let complete = |words: &str| {
        let line = format!(
            "source {}; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); \
             _dockopt dockopt \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
             printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            path.display()
        );
        let out = Command::new("bash").arg("-c").arg(line).output().unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let subs = complete("dockopt ch");
    assert_eq!(subs.lines().collect::<Vec<_>>(), ["check"]);
    let flags = complete("dockopt fix --di");
    assert!(flags.lines().any(|l| l == "--diff"), "{flags}");
    assert!(!flags.lines().any(|l| l == "--unsafe"), "{flags}");
}

#[test]
fn manpage_describes_every_command() {
    let page = stdout(&["manpage"]);
    assert!(page.contains(".TH dockopt 1"), "{page}");
    for sub in SUBCOMMANDS {
        assert!(page.contains(&format!("dockopt\\-{sub}(1)")), "{sub}");
    }

    let dir = tempfile::tempdir().unwrap();
    let out = dockopt(&["manpage", "--dir", dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    for sub in SUBCOMMANDS {
        let text = std::fs::read_to_string(dir.path().join(format!("dockopt-{sub}.1"))).unwrap();
        assert!(text.contains(&format!(".TH dockopt-{sub} 1")), "{sub}");
    }
    assert!(dir.path().join("dockopt.1").is_file());
    // The flags of `fix` are on its page.
    let fix = std::fs::read_to_string(dir.path().join("dockopt-fix.1")).unwrap();
    assert!(fix.contains("\\-\\-diff"), "{fix}");

    let missing = dir.path().join("no/such/dir");
    let out = dockopt(&["manpage", "--dir", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/dir"));
}

/// groff reads every page without a warning.
#[cfg(unix)]
#[test]
fn groff_reads_the_pages_cleanly() {
    if Command::new("groff").arg("--version").output().is_err() {
        eprintln!("skipped: no groff");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dockopt(&["manpage", "--dir", dir.path().to_str().unwrap()]);
    assert!(out.status.success());
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let out = Command::new("groff")
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}: {out:?}", path.display());
        assert!(
            out.stderr.is_empty(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
