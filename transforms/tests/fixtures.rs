//! Fixture tests: `cases/<transform>/<case>.Dockerfile`, run with only that
//! transform. `ok_*` cases must have no findings, `bad_*` cases must be
//! changed, `refuse_*` cases must have findings and stay unchanged, `new_*`
//! cases must propose a new file and leave the Dockerfile alone. A
//! `context/` folder beside the cases is their build context (or
//! `<case>.context/` for one case), and
//! `<case>.options.json` beside a case gives the transform's options.
//!
//! Every case also checks: the fix loop converges, introduces no parse
//! error, a second run changes nothing, and safe-only runs apply only safe
//! fixes.

mod common;

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use dockopt_engine::config::Settings;
use dockopt_engine::{pipeline, Applicability, BuildContext, DockerIgnore, MemoryFs, Selection};
use dockopt_syntax::LineIndex;

fn load_context(dir: &Path) -> Option<(MemoryFs, Option<DockerIgnore>)> {
    fn walk(root: &Path, dir: &Path, fs_: MemoryFs) -> MemoryFs {
        let mut entries: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        entries.into_iter().fold(fs_, |acc, p| {
            if p.is_dir() {
                walk(root, &p, acc)
            } else {
                let rel = p
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                acc.with(&rel, fs::read(&p).unwrap())
            }
        })
    }
    if !dir.is_dir() {
        return None;
    }
    let ignore = fs::read(dir.join(".dockerignore"))
        .ok()
        .map(|b| DockerIgnore::parse(&b).unwrap());
    Some((walk(dir, dir, MemoryFs::new()), ignore))
}

fn diff(old: &[u8], new: &[u8]) -> String {
    let (a, b) = (String::from_utf8_lossy(old), String::from_utf8_lossy(new));
    if old == new {
        return "(no change)\n".to_string();
    }
    similar::TextDiff::from_lines(a.as_ref(), b.as_ref())
        .unified_diff()
        .context_radius(2)
        .header("before", "after")
        .to_string()
}

#[test]
fn fixtures() {
    insta::glob!("../cases", "*/*.Dockerfile", |path| {
        let folder = path.parent().unwrap();
        let rule = folder.file_name().unwrap().to_str().unwrap();
        let transform = dockopt_transforms::find(rule)
            .unwrap_or_else(|| panic!("case folder {rule} names no transform"));
        let case = path.file_name().unwrap().to_str().unwrap();
        let src = fs::read(path).unwrap();
        let own = path.with_extension("context");
        let dir = if own.is_dir() {
            own
        } else {
            folder.join("context")
        };
        let loaded = load_context(&dir);
        let ctx = loaded
            .as_ref()
            .map(|(fs_, ig)| BuildContext::new(fs_, ig.clone()));
        let mut settings = Settings {
            selection: Selection {
                select: Some(vec![rule.to_string()]),
                ignore: vec![],
            },
            unsafe_fixes: true,
            options: std::collections::BTreeMap::default(),
            target: None,
        };
        if let Ok(text) = fs::read_to_string(path.with_extension("options.json")) {
            let value = serde_json::from_str(&text).expect("options are JSON");
            settings.options.insert(rule.to_string(), value);
        }
        let all = dockopt_transforms::ALL;
        let (_, findings) = pipeline::check(&src, all, &settings, ctx.as_ref());
        let outcome = pipeline::fix(&src, all, &settings, ctx.as_ref());
        settings.unsafe_fixes = false;
        let safe_only = pipeline::fix(&src, all, &settings, ctx.as_ref());

        // Invariants of every case.
        assert!(outcome.failure.is_none(), "{case}: {:?}", outcome.failure);
        assert!(outcome.rounds <= 4, "{case}: {} rounds", outcome.rounds);
        let out_tree = dockopt_syntax::parse(outcome.output.clone());
        assert!(!out_tree.has_errors(), "{case}: {:?}", out_tree.errors());
        assert_eq!(out_tree.print(), outcome.output);
        settings.unsafe_fixes = true;
        let again = pipeline::fix(&outcome.output, all, &settings, ctx.as_ref());
        assert_eq!(
            again.output, outcome.output,
            "{case}: a second fix changed the file"
        );
        for f in findings.iter().filter(|f| f.code == transform.code()) {
            if let Some(fix) = &f.fix {
                assert!(
                    transform.rule().fixes.allows(fix.applicability),
                    "{case}: a {} fix from a transform that declares {} fixes",
                    fix.applicability.as_str(),
                    transform.rule().fixes.as_str()
                );
            }
        }
        for f in &safe_only.applied {
            assert_eq!(
                f.fix.as_ref().unwrap().applicability,
                Applicability::Safe,
                "{case}"
            );
        }
        // Offsets, clean parse, stability and byte-exactness with every
        // transform on, safe and unsafe.
        let problems = common::check_all(&src, ctx.as_ref());
        assert!(problems.is_empty(), "{case}: {problems:?}");
        match case.split('_').next().unwrap() {
            "ok" => assert!(findings.is_empty(), "{case}: {findings:#?}"),
            "bad" => assert_ne!(outcome.output, src, "{case}: nothing was fixed"),
            "new" => {
                assert!(
                    findings.iter().any(|f| f.create.is_some()),
                    "{case}: no file proposed"
                );
                assert_eq!(outcome.output, src, "{case}: the Dockerfile changed");
            }
            "refuse" => {
                assert!(!findings.is_empty(), "{case}: no finding");
                assert_eq!(outcome.output, src, "{case}: a refusal changed the file");
            }
            other => {
                panic!("{case}: case names start with ok_, bad_, new_ or refuse_, not {other}")
            }
        }

        let index = LineIndex::new(&src);
        let mut snap = String::from("findings:\n");
        for f in &findings {
            let lc = index.line_col(f.range.start);
            let status = match (&f.fix, &f.not_applied) {
                (_, Some(why)) => format!("not applied: {why}"),
                (Some(fix), None) => format!("{} fix: {}", fix.applicability.as_str(), fix.title),
                (None, None) => "no fix".to_string(),
            };
            let _ = writeln!(
                snap,
                "  {}:{} {} {}: {} [{status}]",
                lc.line, lc.col, f.code, f.name, f.message
            );
        }
        for f in findings.iter().filter_map(|f| f.create.as_ref()) {
            let _ = write!(snap, "\nproposed {}:\n{}", f.path, f.content);
        }
        snap.push_str("\nfix --unsafe:\n");
        snap.push_str(&diff(&src, &outcome.output));
        if safe_only.output != outcome.output {
            snap.push_str("\nfix (safe only):\n");
            snap.push_str(&diff(&src, &safe_only.output));
        }
        insta::assert_snapshot!(snap);
    });
}
