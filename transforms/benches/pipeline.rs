//! `fix` with every transform over the corpus's application and official
//! Dockerfiles: the cost per file of checking, fixing and re-checking.

use std::path::Path;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use dockopt_engine::{pipeline, Settings};

fn files() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    let mut out = Vec::new();
    for set in ["apps", "official"] {
        let Ok(rd) = std::fs::read_dir(root.join(set)) else {
            continue;
        };
        let mut paths: Vec<_> = rd.flatten().map(|e| e.path()).collect();
        paths.sort();
        out.extend(paths.iter().filter_map(|p| std::fs::read(p).ok()));
    }
    out
}

fn bench(c: &mut Criterion) {
    let files = files();
    if files.is_empty() {
        eprintln!("skipped: corpus not found");
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
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
