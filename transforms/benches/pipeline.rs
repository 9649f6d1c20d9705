//! `fix` with every transform over the corpus's application and official
//! Dockerfiles: the cost per file of checking, fixing and re-checking, with
//! safe fixes only and with `--unsafe` and a build context.

use std::fmt::Write as _;
use std::path::Path;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use dockopt_engine::{pipeline, BuildContext, MemoryFs, Settings};

fn files() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    let mut out = Vec::new();
    for set in ["apps", "official"] {
        let Ok(rd) = std::fs::read_dir(root.join(set)) else {
            continue;
        };
        // Each set's SOURCES.tsv is not a Dockerfile.
        let mut paths: Vec<_> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "Dockerfile"))
            .collect();
        paths.sort();
        out.extend(paths.iter().filter_map(|p| std::fs::read(p).ok()));
    }
    out
}

/// A context like an application's repository: manifests of the common
/// ecosystems, sources, and no `.dockerignore`, so that the transforms that
/// read the context have something to read.
fn app_context() -> MemoryFs {
    MemoryFs::new()
        .with(
            "package.json",
            r#"{"name":"app","dependencies":{"express":"4"}}"#,
        )
        .with("package-lock.json", "{}")
        .with("requirements.txt", "flask==3.0\ngunicorn\n")
        .with("go.mod", "module example.com/app\n\ngo 1.22\n")
        .with("go.sum", "")
        .with("Gemfile", "source 'https://rubygems.org'\ngem 'rails'\n")
        .with("Gemfile.lock", "")
        .with("pom.xml", "<project/>\n")
        .with("composer.json", "{}")
        .with("main.go", "package main\n")
        .with("app.py", "print('hi')\n")
        .with("src/index.js", "console.log(1)\n")
        .with("README.md", "# app\n")
}

fn bench(c: &mut Criterion) {
    let files = files();
    if files.is_empty() {
        eprintln!("skipped: corpus not found (../shared/corpus); no corpus benchmarks run");
        return;
    }
    let settings = Settings::default();
    let mut group = c.benchmark_group("corpus");
    group.throughput(Throughput::Elements(files.len() as u64));
    group.sample_size(20);
    group.bench_function("fix_all_transforms", |b| {
        b.iter(|| {
            for f in &files {
                black_box(pipeline::fix(
                    black_box(f),
                    dockopt_transforms::ALL,
                    &settings,
                    None,
                ));
            }
        });
    });
    let fs = app_context();
    let context = BuildContext::new(&fs, None);
    let unsafe_settings = Settings {
        unsafe_fixes: true,
        ..Settings::default()
    };
    group.bench_function("fix_unsafe_with_context", |b| {
        b.iter(|| {
            for f in &files {
                black_box(pipeline::fix(
                    black_box(f),
                    dockopt_transforms::ALL,
                    &unsafe_settings,
                    Some(&context),
                ));
            }
        });
    });
    group.finish();
}

/// Inputs that used to abort or take quadratic time: 20,000 RUNs, a RUN of
/// 100,000 commands, 40,000 error lines (parse and check).
fn hostile(c: &mut Criterion) {
    let mut runs = String::from("FROM alpine\n");
    for i in 0..20_000 {
        let _ = writeln!(runs, "RUN echo {i}");
    }
    let mut chain = String::from("FROM alpine\nRUN true");
    for i in 0..100_000 {
        if i % 10 == 0 {
            chain.push_str(" \\\n   ");
        }
        chain.push_str(" && a");
    }
    chain.push('\n');
    let mut errors = String::new();
    for i in 0..40_000 {
        let _ = writeln!(errors, "BOGUS{i} x");
    }
    let settings = Settings {
        unsafe_fixes: true,
        ..Settings::default()
    };
    let mut group = c.benchmark_group("hostile");
    group.sample_size(10);
    for (name, src) in [("fix_20000_runs", &runs), ("fix_100000_ands", &chain)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                black_box(pipeline::fix(
                    black_box(src.as_bytes()),
                    dockopt_transforms::ALL,
                    &settings,
                    None,
                ))
            });
        });
    }
    group.bench_function("check_40000_error_lines", |b| {
        b.iter(|| {
            let (tree, findings) = pipeline::check(
                black_box(errors.as_bytes()),
                dockopt_transforms::ALL,
                &settings,
                None,
            );
            let lines: u32 = tree
                .errors()
                .iter()
                .map(|e| tree.line_col(e.range.start).line)
                .sum();
            black_box((findings, lines))
        });
    });
    group.finish();
}

criterion_group!(benches, bench, hostile);
criterion_main!(benches);
