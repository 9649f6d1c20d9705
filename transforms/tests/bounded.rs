//! Inputs whose size or depth the user controls finish in bounded time,
//! with a result or a per-file refusal, and never exhaust the stack.
//! The sizes are those that used to abort the process (about 3,300 `&&`
//! or 3,400 RUNs) times thirty and more.

mod common;

use std::time::{Duration, Instant};

use dockopt_engine::config::Settings;
use dockopt_engine::pipeline;

/// A RUN of `n` commands joined by `&&`, ten to a line; `{i}` in `cmd` is
/// the command's number.
fn long_chain(n: usize, cmd: &str) -> Vec<u8> {
    let mut s = String::from("FROM alpine\nRUN true");
    for i in 0..n {
        if i % 10 == 0 {
            s.push_str(" \\\n   ");
        }
        s.push_str(" && ");
        s.push_str(&cmd.replace("{i}", &i.to_string()));
    }
    s.push('\n');
    s.into_bytes()
}

fn many_runs(n: usize, cmd: &str) -> Vec<u8> {
    let mut s = String::from("FROM alpine\n");
    for i in 0..n {
        s.push_str("RUN ");
        s.push_str(&cmd.replace("{i}", &i.to_string()));
        s.push('\n');
    }
    s.into_bytes()
}

fn stable(src: &[u8]) -> pipeline::FixOutcome {
    let out = common::fix(src, true, None);
    assert!(out.failure.is_none(), "{:?}", out.failure);
    assert!(!dockopt_syntax::parse(out.output.clone()).has_errors());
    let again = common::fix(&out.output, true, None);
    assert!(again.output == out.output, "a second fix changed the file");
    out
}

#[test]
fn a_run_with_100_000_ands() {
    let mut src = long_chain(100_000, "a");
    src.truncate(src.len() - 1);
    src.extend_from_slice(b" && apk add curl\n");
    assert!(src.len() < dockopt_shell::MAX_SCRIPT);
    let out = stable(&src);
    assert_eq!(out.applied.len(), 1, "{:?}", out.remaining);
    assert!(out.output.ends_with(b"&& apk add --no-cache curl\n"));
}

#[test]
fn a_script_over_the_limit_is_refused_with_a_reason() {
    let src = long_chain(100_000, "apk add a-package-with-a-long-name-{i}");
    assert!(src.len() > dockopt_shell::MAX_SCRIPT);
    let out = stable(&src);
    assert_eq!(out.output, src);
    let f = out
        .remaining
        .iter()
        .find(|f| f.message == "RUN too large to analyse")
        .expect("a notice");
    let why = f.not_applied.as_ref().unwrap().to_string();
    assert!(why.contains("limit"), "{f:?}");
}

#[test]
fn twenty_thousand_runs() {
    let out = stable(&many_runs(20_000, "echo {i}"));
    let tree = dockopt_syntax::parse(out.output.clone());
    assert_eq!(tree.instructions().count(), 2, "merged into one RUN");
}

#[test]
fn twenty_thousand_long_runs_merge_up_to_the_limit() {
    let out = stable(&many_runs(20_000, &"x".repeat(100)));
    let tree = dockopt_syntax::parse(out.output.clone());
    let runs: Vec<_> = tree.instructions().filter(|i| i.is("run")).collect();
    assert!(runs.len() > 1, "one RUN over the limit");
    for r in runs {
        assert!(r.values()[0].len() <= dockopt_shell::MAX_SCRIPT);
    }
}

/// A Dockerfile line cut into physical lines under BuildKit's 64 KiB limit;
/// BuildKit joins them back.
fn wrapped(line: &str) -> String {
    let mut out = String::new();
    for (i, c) in line.chars().enumerate() {
        if i > 0 && i % 1000 == 0 {
            out.push_str("\\\n");
        }
        out.push(c);
    }
    out
}

#[test]
fn deep_nesting() {
    let n = 20_000;
    let scripts = [
        (format!("{}a{}", "( ".repeat(n), " )".repeat(n)), 1),
        (format!("{}a{}", "echo $(".repeat(n), ")".repeat(n)), n + 1),
        (
            format!("{}a{}", "if a; then ".repeat(n), "; fi".repeat(n)),
            n + 1,
        ),
        (format!("{}a{}", "{ ".repeat(n), "; }".repeat(n)), 1),
    ];
    for (script, commands) in &scripts {
        // The shell view reads them without recursion.
        let view = dockopt_shell::Script::parse(script).expect("parses");
        assert_eq!(view.command_list().len(), *commands);
        let _ = (view.state_changes(), view.blockers(), view.is_and_chain());
        let src = format!("FROM a\nRUN {}\n", wrapped(script));
        stable(src.as_bytes());
    }
    let files = [
        format!("FROM a\nCMD {}\"a\"{}\n", "[".repeat(n), "]".repeat(n)),
        format!("FROM a\n{}RUN a\n", "ONBUILD ".repeat(n)),
        format!("FROM a\nRUN a {}\n", "\\\n".repeat(n)),
        format!("FROM a\nRUN <<A\n{}A\n", "<<B\n".repeat(n)),
    ];
    for src in files {
        let src = wrapped(&src);
        let tree = dockopt_syntax::parse(src.as_bytes());
        let _ = (tree.errors().len(), dockopt_syntax::dump::dump(&tree));
        let _ = common::fix(src.as_bytes(), true, None);
    }
}

/// The smallest of a few timings: noise only ever adds.
fn time(f: impl Fn()) -> Duration {
    (0..2)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap()
}

/// Ten times the input takes about ten times as long, far from the hundred
/// a quadratic algorithm needs. A ratio, so the machine's speed cancels.
fn linear(small: &[u8], large: &[u8], work: impl Fn(&[u8])) {
    let a = time(|| work(small));
    let b = time(|| work(large));
    let ratio = b.as_secs_f64() / a.as_secs_f64().max(1e-6);
    eprintln!("{a:?} -> {b:?}: x{ratio:.1}");
    assert!(
        ratio < 40.0,
        "{a:?} for the small input, {b:?} for ten times it"
    );
}

fn error_lines(n: usize) -> Vec<u8> {
    let mut s = String::new();
    for i in 0..n {
        s.push_str("BOGUS");
        s.push_str(&i.to_string());
        s.push_str(" x\n");
    }
    s.into_bytes()
}

#[test]
fn error_lines_take_linear_time() {
    linear(&error_lines(4_000), &error_lines(40_000), |src| {
        let (tree, _) = pipeline::check(src, dockopt_transforms::ALL, &Settings::default(), None);
        // One error per line: lines are at most 14 bytes.
        assert!(tree.errors().len() >= src.len() / 14);
        // Every diagnostic's position, as the CLI prints them.
        let lines: u64 = tree
            .errors()
            .iter()
            .map(|e| u64::from(tree.line_col(e.range.start).line))
            .sum();
        assert!(lines > 0);
    });
}

#[test]
fn runs_take_linear_time() {
    linear(
        &many_runs(1_000, "apk add p{i}"),
        &many_runs(10_000, "apk add p{i}"),
        |src| {
            let _ = common::fix(src, true, None);
        },
    );
}

#[test]
fn requirement_files_that_include_each_other_deeply() {
    let n = 50_000;
    let mut fs = dockopt_engine::MemoryFs::new();
    for i in 0..n {
        fs = fs.with(&format!("r{i}.txt"), format!("-r r{}.txt\n", i + 1));
    }
    fs = fs.with(&format!("r{n}.txt"), "flask\n");
    let ctx = dockopt_engine::BuildContext::new(&fs, None);
    let src = b"FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r r0.txt\n";
    let out = common::fix(src, true, Some(&ctx));
    // Fifty thousand nested includes: the hoist is refused with the
    // reason, and the others still apply.
    let hoist = out.remaining.iter().find(|f| f.code == "DKR011").unwrap();
    let why = hoist.not_applied.as_ref().unwrap().to_string();
    assert!(why.contains("32 levels deep"), "{why}");
    assert!(
        out.output.ends_with(b"pip install -r r0.txt\n"),
        "{}",
        String::from_utf8_lossy(&out.output)
    );
    assert_eq!(
        common::fix(&out.output, true, Some(&ctx)).output,
        out.output
    );
}
