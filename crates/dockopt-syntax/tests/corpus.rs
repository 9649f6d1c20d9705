//! Tests over the shared corpus of real Dockerfiles and BuildKit's own
//! parser test cases. The corpus lives outside the repository; these tests
//! skip with a message when it is absent, and fail under `CI=true`.

use std::fs;
use std::path::{Path, PathBuf};

use dockopt_syntax::{dump, parse};

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "corpus missing at {}: CI needs it",
        dir.display()
    );
    eprintln!("skipped: corpus not found at {}", dir.display());
    None
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn every_corpus_file_prints_back_byte_for_byte() {
    let Some(dir) = corpus() else { return };
    let mut files = Vec::new();
    walk(&dir, &mut files);
    assert!(
        files.len() > 300,
        "corpus looks incomplete: {} files",
        files.len()
    );
    for f in &files {
        let bytes = fs::read(f).unwrap();
        let tree = parse(bytes.clone());
        assert!(tree.print() == bytes, "{} does not round-trip", f.display());
        // Items tile the file too.
        let mut at = 0;
        for item in tree.items() {
            assert_eq!(item.range.start, at, "{}", f.display());
            at = item.range.end;
        }
    }
}

#[test]
fn buildkit_positive_cases_match_expected_dump() {
    let Some(dir) = corpus() else { return };
    let mut cases: Vec<_> = fs::read_dir(dir.join("buildkit-parser/testfiles"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert_eq!(cases.len(), 33);
    for case in cases {
        let tree = parse(fs::read(case.join("Dockerfile")).unwrap());
        let want = fs::read_to_string(case.join("result")).unwrap();
        assert_eq!(dump::dump(&tree), want, "case {}", case.display());
        assert!(
            !tree.has_errors(),
            "{}: {:?}",
            case.display(),
            tree.errors()
        );
    }
}

#[test]
fn buildkit_negative_cases_are_errors() {
    let Some(dir) = corpus() else { return };
    let mut n = 0;
    for e in fs::read_dir(dir.join("buildkit-parser/testfiles-negative")).unwrap() {
        let case = e.unwrap().path();
        let tree = parse(fs::read(case.join("Dockerfile")).unwrap());
        assert!(tree.has_errors(), "{} should be rejected", case.display());
        n += 1;
    }
    assert_eq!(n, 4);
}

#[test]
fn line_numbers_match_buildkit() {
    let Some(dir) = corpus() else { return };
    let tree = parse(fs::read(dir.join("buildkit-parser/testfile-line/Dockerfile")).unwrap());
    let lines: Vec<_> = tree
        .instructions()
        .map(|i| (i.name(), i.start_line(), i.end_line()))
        .collect();
    assert_eq!(
        lines,
        [
            ("FROM".into(), 5, 5),
            ("ENV".into(), 11, 12),
            ("RUN".into(), 17, 31)
        ]
    );
}
