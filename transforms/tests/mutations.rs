//! Mutation test over the shared corpus: real Dockerfiles with bytes
//! flipped, bytes that are not UTF-8, control characters, long lines, deep
//! continuations, many RUNs, cut and repeated ranges. Every mutant must
//! pass the checks every fix run passes (no panic, edits that keep every
//! byte outside them, a clean parse of what changed, a stable second run,
//! the same edits as with placeholders for bad bytes).
//!
//! The seed is fixed and the count bounded: `DOCKOPT_MUTANTS` mutants
//! (default 160; CI runs more in a release build). Skips with a message
//! when the corpus is absent; fails under `CI=true`. Failing mutants are
//! written to `target/mutants/` to reproduce.

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use dockopt_engine::BuildContext;

/// Every corpus file but the tables and expected results.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_none_or(|x| x != "tsv" && x != "md")
            && p.file_name().is_some_and(|n| n != "result")
        {
            out.push(p);
        }
    }
}

fn corpus() -> Option<Vec<(String, Vec<u8>)>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    if !dir.is_dir() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "corpus missing at {}",
            dir.display()
        );
        eprintln!("skipped: corpus not found at {}", dir.display());
        return None;
    }
    let mut paths = Vec::new();
    walk(&dir, &mut paths);
    paths.sort();
    Some(
        paths
            .into_iter()
            .filter_map(|p| {
                let name = p.strip_prefix(&dir).ok()?.display().to_string();
                Some((name, std::fs::read(&p).ok()?))
            })
            .collect(),
    )
}

/// SplitMix64: a fixed, dependency-free sequence.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn byte(&mut self) -> u8 {
        self.next() as u8
    }
}

const KINDS: &[&str] = &[
    "byte flips",
    "bad UTF-8",
    "control characters",
    "long line",
    "deep continuation",
    "many RUNs",
    "cut range",
    "repeated range",
];

/// Offsets of the line starts of `src`.
fn line_starts(src: &[u8]) -> Vec<usize> {
    std::iter::once(0)
        .chain(
            src.iter()
                .enumerate()
                .filter(|(_, &b)| b == b'\n')
                .map(|(i, _)| i + 1),
        )
        .filter(|&i| i < src.len())
        .collect()
}

fn mutate(src: &[u8], kind: usize, rng: &mut Rng) -> Vec<u8> {
    let mut out = src.to_vec();
    let at = |rng: &mut Rng, len: usize| rng.below(len + 1);
    match kind {
        0 => {
            for _ in 0..=rng.below(4) {
                if !out.is_empty() {
                    let i = rng.below(out.len());
                    out[i] = rng.byte();
                }
            }
        }
        1 => {
            const BAD: &[&[u8]] = &[
                b"\xe9",
                b"\xff",
                b"\xc3",
                b"\xe2\x82",
                b"\xf0\x9f\x98",
                b"\x80",
            ];
            for _ in 0..=rng.below(3) {
                let i = at(rng, out.len());
                let bad = BAD[rng.below(BAD.len())];
                out.splice(i..i, bad.iter().copied());
            }
        }
        2 => {
            const CONTROLS: &[u8] = b"\x00\x01\x07\x08\x0b\x0c\x0d\x1a\x1b\x7f\t";
            for _ in 0..=rng.below(3) {
                let i = at(rng, out.len());
                out.insert(i, CONTROLS[rng.below(CONTROLS.len())]);
            }
        }
        3 => {
            // Around BuildKit's 64 KiB line limit, on either side.
            let n = [65_534, 65_535, 65_536, 70_000][rng.below(4)];
            let starts = line_starts(&out);
            let i = starts.get(rng.below(starts.len())).copied().unwrap_or(0);
            let i = (i + 4).min(out.len());
            out.splice(i..i, vec![b'x'; n]);
        }
        4 => {
            // Thousands of continuation lines inside an instruction.
            let spaces: Vec<usize> = (0..out.len()).filter(|&i| out[i] == b' ').collect();
            if let Some(&i) = spaces.get(rng.below(spaces.len())) {
                let n = 1 + rng.below(5_000);
                let piece: &[u8] = [&b" \\\n"[..], b" \\\n  # c\n", b" \\\n\n"][rng.below(3)];
                let block: Vec<u8> = piece.repeat(n);
                out.splice(i..=i, block);
            }
        }
        5 => {
            let lines: Vec<usize> = line_starts(&out)
                .into_iter()
                .filter(|&i| out[i..].starts_with(b"RUN "))
                .collect();
            let line = match lines.get(rng.below(lines.len())) {
                Some(&i) => {
                    let end = out[i..]
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(out.len(), |p| i + p + 1);
                    let mut l = out[i..end].to_vec();
                    if !l.ends_with(b"\n") {
                        l.push(b'\n');
                    }
                    l
                }
                None => b"RUN apk add curl\n".to_vec(),
            };
            let n = 100 + rng.below(1_000);
            let i = out.len();
            if !out.ends_with(b"\n") && !out.is_empty() {
                out.push(b'\n');
            }
            out.splice(i.., line.repeat(n));
        }
        6 => {
            if !out.is_empty() {
                let a = rng.below(out.len());
                let b = (a + 1 + rng.below(64)).min(out.len());
                out.drain(a..b);
            }
        }
        _ => {
            if !out.is_empty() {
                let a = rng.below(out.len());
                let b = (a + 1 + rng.below(200)).min(out.len());
                let piece = out[a..b].to_vec();
                let i = at(rng, out.len());
                out.splice(i..i, piece);
            }
        }
    }
    out
}

#[test]
fn mutants_pass_every_check() {
    let Some(files) = corpus() else { return };
    let count: usize = std::env::var("DOCKOPT_MUTANTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(160);
    let mut rng = Rng(0x0d0c_0097);
    let mut per_kind = vec![(0usize, 0usize); KINDS.len()];
    let mut failures = Vec::new();
    let mut changed = 0;
    let mut invalid = 0;
    let mut slowest = (Duration::ZERO, String::new());
    let dump = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/mutants");
    for n in 0..count {
        let (name, src) = &files[rng.below(files.len())];
        let kind = n % KINDS.len();
        let mutant = mutate(src, kind, &mut rng);
        let flags = rng.byte();
        let fs = common::context_files(flags);
        let ctx = BuildContext::new(&fs, None);
        let t = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| {
            let problems = common::check_all(&mutant, Some(&ctx));
            let out = common::fix(&mutant, true, Some(&ctx));
            (problems, out.output != mutant)
        }));
        let took = t.elapsed();
        let label = format!("{n}-{}-{}", kind, name.replace('/', "_"));
        if took > slowest.0 {
            slowest = (took, label.clone());
        }
        per_kind[kind].0 += 1;
        invalid += usize::from(std::str::from_utf8(&mutant).is_err());
        let problem = match result {
            Ok((problems, did_change)) => {
                changed += usize::from(did_change);
                (!problems.is_empty()).then(|| format!("{problems:?}"))
            }
            Err(panic) => Some(format!(
                "panic: {}",
                panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(ToString::to_string))
                    .unwrap_or_default()
            )),
        };
        if let Some(p) = problem {
            per_kind[kind].1 += 1;
            let _ = std::fs::create_dir_all(&dump);
            let path = dump.join(format!("{label}.flags{flags}"));
            let _ = std::fs::write(&path, &mutant);
            failures.push(format!("{} ({}): {p}", path.display(), KINDS[kind]));
        }
    }
    eprintln!(
        "mutants: {count} ({invalid} not UTF-8), {changed} changed by fix --unsafe, {} failed; slowest {:?} ({})",
        failures.len(),
        slowest.0,
        slowest.1
    );
    for (k, (runs, failed)) in per_kind.iter().enumerate() {
        eprintln!("  {:20} {runs:5} run, {failed} failed", KINDS[k]);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
