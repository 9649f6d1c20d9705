//! Text and Markdown renderings of reports.

use std::fmt::Write as _;

use serde_json::Value;

use crate::compare::FileChange;
use crate::report::{Build, Report, Verdict};

/// Unexplained paths shown per list before "and N more".
const SHOWN: usize = 20;

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn size(b: &Build) -> String {
    b.size_bytes.map_or_else(|| "-".into(), thousands)
}

fn size_after(a: &Build, b: &Build) -> String {
    match (a.size_bytes, b.size_bytes) {
        (Some(x), Some(y)) if x > 0 && x != y => {
            #[allow(clippy::cast_precision_loss)]
            let pct = (y as f64 - x as f64) * 100.0 / x as f64;
            format!("{} ({pct:+.1}%)", thousands(y))
        }
        _ => size(b),
    }
}

fn secs(x: Option<f64>) -> String {
    x.map_or_else(|| "-".into(), |s| format!("{s:.2} s"))
}

/// The rewrite's time, with the speed-up when it is worth saying.
fn secs_after(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(x), Some(y)) if y > 0.0 && x / y >= 1.2 => {
            format!("{y:.2} s ({:.1}x faster)", x / y)
        }
        _ => secs(b),
    }
}

fn layers(b: &Build) -> String {
    b.layers.map_or_else(|| "-".into(), |n| n.to_string())
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn fixes(r: &Report) -> String {
    if r.applied.is_empty() {
        return "none".into();
    }
    r.applied
        .iter()
        .map(|a| {
            if a.safe {
                a.name.clone()
            } else {
                format!("{} (unsafe)", a.name)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn value(v: &Value) -> String {
    match v {
        Value::Null => "(absent)".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn clip(s: &str, n: usize) -> String {
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > n {
        format!("{}...", one.chars().take(n).collect::<String>())
    } else {
        one
    }
}

fn list_files(out: &mut String, indent: &str, what: &str, list: &[FileChange]) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(out, "{indent}{what}:");
    for f in list.iter().take(SHOWN) {
        let _ = writeln!(out, "{indent}  {}", f.describe());
    }
    if list.len() > SHOWN {
        let _ = writeln!(
            out,
            "{indent}  ... and {} more (--format json lists them all)",
            list.len() - SHOWN
        );
    }
}

/// A compact table and the differences, for a terminal.
pub fn text(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}", r.dockerfile, r.verdict.as_str());
    if !r.changed {
        let _ = writeln!(out, "  no fix applies: the rewrite is the original");
        return out;
    }
    let _ = writeln!(out, "  fixes: {}", fixes(r));
    let _ = writeln!(out, "  builder: {} {}", r.builder.name, r.builder.version);
    let (a, b) = (&r.original, &r.rewritten);
    let rows = [
        (
            "builds",
            yes_no(a.built).to_string(),
            yes_no(b.built).to_string(),
        ),
        ("size (bytes)", size(a), size_after(a, b)),
        ("layers", layers(a), layers(b)),
        (
            "build",
            secs(a.build_seconds),
            secs_after(a.build_seconds, b.build_seconds),
        ),
        (
            "rebuild",
            secs(a.rebuild_seconds),
            secs_after(a.rebuild_seconds, b.rebuild_seconds),
        ),
    ];
    let _ = writeln!(out, "  {:<14}{:<22}rewrite", "", "original");
    for (k, x, y) in rows {
        let _ = writeln!(out, "  {k:<14}{x:<22}{y}");
    }
    if let Some(t) = &r.rebuild_touched {
        let _ = writeln!(out, "  (rebuilds after appending a line to {t})");
    }
    text_builds(&mut out, r);
    if a.built && b.built {
        text_config(&mut out, r);
        text_files(&mut out, r);
        text_probes(&mut out, r);
    }
    text_bisect(&mut out, r);
    if r.verdict != Verdict::Equivalent {
        let _ = writeln!(out, "  differences:");
        for d in &r.differences {
            let _ = writeln!(out, "    - {d}");
        }
    }
    out
}

/// Failures with their logs, and the layers each image has alone.
fn text_builds(out: &mut String, r: &Report) {
    for (name, build) in [("original", &r.original), ("rewrite", &r.rewritten)] {
        if !build.built {
            let _ = writeln!(
                out,
                "  the {name} does not build{}",
                build
                    .failed_step
                    .as_ref()
                    .map(|s| format!(" at step {s}"))
                    .unwrap_or_default()
            );
            for l in &build.log_tail {
                let _ = writeln!(out, "    | {l}");
            }
        }
        let own: Vec<_> = build.layer_sizes.iter().filter(|l| !l.shared).collect();
        if !own.is_empty() {
            let _ = writeln!(out, "  layers of the {name} not in the other:");
            for l in own {
                let _ = writeln!(
                    out,
                    "    {:>14}  {}",
                    thousands(l.size_bytes),
                    clip(l.created_by.as_deref().unwrap_or("?"), 64)
                );
            }
        }
    }
}

fn text_config(out: &mut String, r: &Report) {
    if r.config_changes.is_empty() {
        let _ = writeln!(out, "  config: no change");
    } else {
        let _ = writeln!(out, "  config:");
        for c in &r.config_changes {
            let why = c
                .explained_by
                .as_ref()
                .map_or_else(|| "NOT ANNOUNCED".to_string(), |w| format!("by {w}"));
            let _ = writeln!(
                out,
                "    {}: {} -> {} ({why})",
                c.key,
                clip(&value(&c.original), 60),
                clip(&value(&c.rewritten), 60)
            );
        }
    }
}

fn text_files(out: &mut String, r: &Report) {
    let f = &r.files;
    let _ = writeln!(
        out,
        "  files: {} paths compared, {} added, {} removed, {} changed beyond what is announced",
        f.compared,
        f.added.len(),
        f.removed.len(),
        f.changed.len()
    );
    for e in &f.explained {
        let _ = writeln!(
            out,
            "    {}: {} added, {} removed, {} changed ({} bytes less): {}",
            e.reason,
            e.added,
            e.removed,
            e.changed,
            thousands(e.bytes_removed.saturating_sub(e.bytes_added)),
            e.summary
        );
    }
    list_files(out, "    ", "added", &f.added);
    list_files(out, "    ", "removed", &f.removed);
    list_files(out, "    ", "changed", &f.changed);
}

fn text_probes(out: &mut String, r: &Report) {
    if !r.probes.is_empty() {
        let same = r.probes.iter().filter(|p| p.same).count();
        let _ = writeln!(
            out,
            "  probes: {same} of {} give the same result",
            r.probes.len()
        );
        for p in r.probes.iter().filter(|p| !p.same) {
            let _ = writeln!(out, "    `{}`", clip(&p.command, 60));
            for (side, run) in [("original", &p.original), ("rewrite", &p.rewritten)] {
                let _ = writeln!(out, "      {side} (exit {:?}):", run.status);
                for l in run.output.lines().take(10) {
                    let _ = writeln!(out, "        {l}");
                }
            }
        }
    }
}

fn text_bisect(out: &mut String, r: &Report) {
    if let Some(bi) = &r.bisect {
        let _ = writeln!(out, "  bisect:");
        for t in &bi.trials {
            let _ = writeln!(out, "    without {}: {}", t.without, t.verdict.as_str());
        }
        let _ = writeln!(
            out,
            "    responsible: {}",
            if bi.responsible.is_empty() {
                "no single fix".to_string()
            } else {
                bi.responsible.join(", ")
            }
        );
    }
}

fn md_verdict(v: Verdict) -> String {
    match v {
        Verdict::Equivalent => "equivalent".into(),
        other => format!("**{}**", other.as_str()),
    }
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('`', "'")
}

/// One table row per Dockerfile, then the details of each, for a
/// pull-request comment or a README.
pub fn markdown(reports: &[Report]) -> String {
    let mut out = String::new();
    out.push_str("| Dockerfile | verdict | fixes | size before | size after | layers | build before | build after | rebuild before | rebuild after |\n");
    out.push_str("| --- | --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |\n");
    for r in reports {
        let (a, b) = (&r.original, &r.rewritten);
        if !r.changed {
            let _ = writeln!(
                out,
                "| [{0}]({0}) | unchanged | none | | | | | | | |",
                r.dockerfile
            );
            continue;
        }
        let _ = writeln!(
            out,
            "| [{0}]({0}) | {1} | {2} | {3} | {4} | {5} → {6} | {7} | {8} | {9} | {10} |",
            r.dockerfile,
            md_verdict(r.verdict),
            md_escape(&fixes(r)),
            size(a),
            size_after(a, b),
            layers(a),
            layers(b),
            secs(a.build_seconds),
            secs_after(a.build_seconds, b.build_seconds),
            secs(a.rebuild_seconds),
            secs_after(a.rebuild_seconds, b.rebuild_seconds),
        );
    }
    for r in reports.iter().filter(|r| r.changed) {
        md_details(&mut out, r);
    }
    out
}

/// A collapsed section: differences, logs, what was removed on purpose,
/// config changes, probes and the bisection.
fn md_details(out: &mut String, r: &Report) {
    let _ = writeln!(
        out,
        "\n<details><summary>{}: {}</summary>\n",
        r.dockerfile,
        r.verdict.as_str()
    );
    if let Some(t) = &r.rebuild_touched {
        let _ = writeln!(out, "Rebuilds after appending a line to `{t}`.\n");
    }
    if !r.differences.is_empty() {
        let _ = writeln!(out, "Differences:\n");
        for d in r.differences.iter().take(SHOWN) {
            let _ = writeln!(out, "- {}", md_escape(d));
        }
        if r.differences.len() > SHOWN {
            let _ = writeln!(out, "- ... and {} more", r.differences.len() - SHOWN);
        }
        out.push('\n');
    }
    for (name, build) in [("original", &r.original), ("rewrite", &r.rewritten)] {
        if !build.built && !build.log_tail.is_empty() {
            let _ = writeln!(out, "The {name}'s build log ends with:\n\n```");
            for l in &build.log_tail {
                let _ = writeln!(out, "{l}");
            }
            out.push_str("```\n\n");
        }
    }
    if !r.files.explained.is_empty() {
        out.push_str("| on purpose | added | removed | changed | bytes less |\n| --- | ---: | ---: | ---: | ---: |\n");
        for e in &r.files.explained {
            let _ = writeln!(
                out,
                "| {} ({}) | {} | {} | {} | {} |",
                e.reason,
                e.summary,
                e.added,
                e.removed,
                e.changed,
                thousands(e.bytes_removed.saturating_sub(e.bytes_added))
            );
        }
        out.push('\n');
    }
    if !r.config_changes.is_empty() {
        out.push_str("| config | original | rewrite | announced by |\n| --- | --- | --- | --- |\n");
        for c in &r.config_changes {
            let _ = writeln!(
                out,
                "| {} | `{}` | `{}` | {} |",
                c.key,
                md_escape(&clip(&value(&c.original), 60)),
                md_escape(&clip(&value(&c.rewritten), 60)),
                c.explained_by.as_deref().unwrap_or("**not announced**")
            );
        }
        out.push('\n');
    }
    if !r.probes.is_empty() {
        let same = r.probes.iter().filter(|p| p.same).count();
        let _ = writeln!(
            out,
            "Probes: {same} of {} give the same result.\n",
            r.probes.len()
        );
    }
    if let Some(bi) = &r.bisect {
        for t in &bi.trials {
            let _ = writeln!(out, "- without {}: {}", t.without, t.verdict.as_str());
        }
        let _ = writeln!(
            out,
            "\nResponsible: {}\n",
            if bi.responsible.is_empty() {
                "no single fix".to_string()
            } else {
                bi.responsible.join(", ")
            }
        );
    }
    out.push_str("</details>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Applied, BuilderInfo};

    fn report() -> Report {
        let mut r = Report::new("app/Dockerfile".into(), BuilderInfo::default());
        r.changed = true;
        r.applied.push(Applied {
            code: "DKR002".into(),
            name: "apt".into(),
            safe: true,
        });
        for (b, size, secs) in [
            (&mut r.original, 1_000_000, 4.0),
            (&mut r.rewritten, 800_000, 1.0),
        ] {
            b.built = true;
            b.size_bytes = Some(size);
            b.layers = Some(3);
            b.build_seconds = Some(10.0);
            b.rebuild_seconds = Some(secs);
        }
        r
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn text_and_markdown_show_sizes_and_speed_ups() {
        let mut r = report();
        r.decide();
        let t = text(&r);
        assert!(t.starts_with("app/Dockerfile: equivalent\n"), "{t}");
        assert!(t.contains("800,000 (-20.0%)"), "{t}");
        assert!(t.contains("1.00 s (4.0x faster)"), "{t}");
        let m = markdown(&[r]);
        assert!(m.contains("| [app/Dockerfile](app/Dockerfile) | equivalent | apt | 1,000,000 | 800,000 (-20.0%) | 3 → 3 |"), "{m}");
    }

    #[test]
    fn a_failed_rewrite_names_its_step() {
        let mut r = report();
        r.rewritten.built = false;
        r.rewritten.failed_step = Some("2/3: RUN make".into());
        r.rewritten.log_tail = vec!["make: *** no rule".into()];
        r.decide();
        assert_eq!(r.verdict, Verdict::Failed);
        let t = text(&r);
        assert!(
            t.contains("the rewrite does not build at step 2/3: RUN make"),
            "{t}"
        );
        assert!(t.contains("| make: *** no rule"), "{t}");
        assert!(markdown(&[r]).contains("**failed**"));
    }
}
