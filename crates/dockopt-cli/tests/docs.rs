//! docs/cli.md documents exactly the flags `--help` lists, command by
//! command, and every value of each `--format`.
//!
//! A table in docs/cli.md documents the commands named in the marker above
//! it (`<!-- flags: check fix -->`); a command's flags are those of the
//! tables that name it.

use std::collections::BTreeSet;
use std::path::Path;

use assert_cmd::Command;

/// The commands whose flags docs/cli.md documents.
/// (`completions` has no flags, only the shell.)
const COMMANDS: &[&str] = &["check", "fix", "parse", "rule", "manpage", "server"];

fn help(command: &str) -> String {
    let out = Command::cargo_bin("dockopt")
        .unwrap()
        .args([command, "--help"])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// `--long` and `-s` flags at the start of an option line of the help.
fn help_flags(help: &str) -> BTreeSet<String> {
    let mut flags = BTreeSet::new();
    let options = help.split_once("\nOptions:\n").map_or("", |(_, o)| o);
    for line in options.lines() {
        let t = line.trim_start();
        if !t.starts_with('-') || t.starts_with("- ") {
            continue;
        }
        for word in t
            .split([' ', ','])
            .take_while(|w| w.starts_with('-') || w.is_empty())
        {
            if word.len() > 1 && !["-h", "--help"].contains(&word) {
                flags.insert(word.to_string());
            }
        }
    }
    flags
}

/// The values `--format` takes, as the help lists them (`- text: ...`).
fn help_formats(help: &str) -> Vec<String> {
    let Some((_, rest)) = help.split_once("--format <FORMAT>") else {
        return Vec::new();
    };
    let Some((_, values)) = rest.split_once("Possible values:") else {
        return Vec::new();
    };
    values
        .lines()
        .skip(1)
        .map(str::trim_start)
        .take_while(|l| l.starts_with("- "))
        .filter_map(|l| l.strip_prefix("- ")?.split(':').next().map(str::to_string))
        .collect()
}

/// Flags (and, for `--format`, the text of the row) of the tables marked
/// for `command`.
fn doc_rows(doc: &str, command: &str) -> (BTreeSet<String>, String) {
    let mut flags = BTreeSet::new();
    let mut format_row = String::new();
    let mut current: Option<bool> = None;
    for line in doc.lines() {
        if let Some(marker) = line
            .strip_prefix("<!-- flags:")
            .and_then(|m| m.strip_suffix("-->"))
        {
            current = Some(marker.split_whitespace().any(|c| c == command));
            continue;
        }
        match current {
            Some(on) if line.starts_with('|') => {
                let first = line.split('|').nth(1).unwrap_or_default();
                if !on || !first.contains('`') {
                    continue;
                }
                for code in first.split('`').skip(1).step_by(2) {
                    if let Some(flag) = code.split_whitespace().find(|w| w.starts_with('-')) {
                        flags.insert(flag.to_string());
                        if flag == "--format" {
                            format_row = line.to_string();
                        }
                    }
                }
            }
            Some(_) if line.trim().is_empty() => {}
            Some(_) => current = None,
            None => {}
        }
    }
    (flags, format_row)
}

#[test]
fn docs_cli_md_matches_help() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/cli.md"))
            .unwrap();
    for command in COMMANDS {
        let help = help(command);
        let (documented, format_row) = doc_rows(&doc, command);
        let listed = help_flags(&help);
        assert!(!listed.is_empty(), "{command}: no flags in --help:\n{help}");
        let missing: Vec<_> = listed.difference(&documented).collect();
        let stale: Vec<_> = documented.difference(&listed).collect();
        assert!(
            missing.is_empty() && stale.is_empty(),
            "{command}: docs/cli.md lacks {missing:?} and documents {stale:?} that --help does not list"
        );
        if !help.contains("--format") {
            continue;
        }
        let formats = help_formats(&help);
        assert!(formats.len() >= 2, "{command}: {formats:?}");
        for value in formats {
            assert!(
                format_row.contains(&format!("`{value}`")),
                "{command}: --format {value} is not in docs/cli.md: {format_row}"
            );
        }
    }
}

#[test]
fn the_comparison_sees_a_difference() {
    let doc = "<!-- flags: check -->\n| Option | Meaning |\n| --- | --- |\n| `-q`, `--quiet` | x |\n| `--format FMT` | `text` |\n\nprose `--not-a-flag`\n";
    let (flags, row) = doc_rows(doc, "check");
    assert_eq!(
        flags,
        ["--format", "--quiet", "-q"].map(String::from).into()
    );
    assert!(row.contains("`text`"));
    assert!(doc_rows(doc, "fix").0.is_empty());
    let help = "Usage: x\n\nOptions:\n  -q, --quiet\n      --format <FORMAT>\n          Output format.\n\n          Possible values:\n          - text: t\n          - json: j\n\n  -h, --help\n";
    assert_eq!(
        help_flags(help),
        ["--format", "--quiet", "-q"].map(String::from).into()
    );
    assert_eq!(help_formats(help), ["text", "json"]);
}
