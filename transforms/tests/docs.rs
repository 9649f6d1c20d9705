//! `docs/rules/README.md` lists every transform; this fails when it is stale.

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
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/rules/README.md");
    let want = table();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(path, &want).unwrap();
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert_eq!(have, want, "docs/rules/README.md is stale: run `UPDATE_DOCS=1 cargo test -p dockopt-transforms --test docs`");
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
