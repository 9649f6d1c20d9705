//! `transforms/docs/README.md` lists every transform; this fails when it is stale.

use std::fmt::Write;

fn table() -> String {
    let mut s = String::from(
        "# Transforms\n\nGenerated from the transforms' own pages; `dockopt rule NAME` prints a page.\nFixes: *safe* ones are applied by `dockopt fix`, *unsafe* ones only with `--unsafe`.\n\n| Code | Name | Fixes | Summary |\n| --- | --- | --- | --- |\n",
    );
    for t in dockopt_transforms::ALL {
        let _ = writeln!(
            s,
            "| {} | [{}]({}.md) | {} | {} |",
            t.code(),
            t.name(),
            t.name(),
            t.rule().fixes.as_str(),
            t.summary()
        );
    }
    s
}

#[test]
fn rules_index_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/README.md");
    let want = table();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(path, &want).unwrap();
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert_eq!(have, want, "transforms/docs/README.md is stale: run `UPDATE_DOCS=1 cargo test -p dockopt-transforms --test docs`");
}

#[test]
fn every_page_names_its_code_and_safety() {
    for t in dockopt_transforms::ALL {
        let docs = t.docs();
        assert!(
            docs.starts_with(&format!("# {} ({})\n", t.name(), t.code())),
            "{}",
            t.name()
        );
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## When it refuses",
            "## Fix safety",
        ] {
            assert!(docs.contains(section), "{} lacks {section}", t.name());
        }
    }
}

/// A page included from outside the crate would not package: every rule's
/// page is one of the files in `transforms/docs/`.
#[test]
fn every_page_lives_in_the_crate() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/docs");
    let pages: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    for t in dockopt_transforms::ALL {
        assert!(
            pages.iter().any(|p| p == t.docs()),
            "{}: its page is not a file in transforms/docs/",
            t.name()
        );
    }
}
