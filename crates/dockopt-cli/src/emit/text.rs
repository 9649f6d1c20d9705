//! Human-readable output: findings with source snippets, or one line each
//! (`concise`). Columns count characters.

use std::io::{self, Write};

use annotate_snippets::{Level, Renderer, Snippet};
use dockopt_engine::{Applicability, Severity};

use super::{diags, fix_status, Columns, Diag, Options, Positions};
use crate::commands::run::FileReport;

fn level(s: Severity) -> Level {
    match s {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Info => Level::Info,
    }
}

/// What a diagnostic's fix does, or why there is none.
fn label(d: &Diag<'_>, unsafe_enabled: bool) -> String {
    match d.finding {
        Some(f) => fix_status(f, unsafe_enabled),
        None => "BuildKit rejects this".to_string(),
    }
}

/// One line: `path:line:col: code message [what the fix does]`.
fn line(
    out: &mut dyn Write,
    r: &FileReport,
    pos: &Positions<'_>,
    d: &Diag<'_>,
    unsafe_enabled: bool,
) -> io::Result<()> {
    let s = pos.at(d.range.start, Columns::Chars);
    let status = match d.finding {
        Some(f) => fix_status(f, unsafe_enabled),
        None => "not fixed: the file has syntax errors".to_string(),
    };
    let sev = match d.severity {
        Severity::Info => " (info)",
        _ => "",
    };
    writeln!(
        out,
        "{}:{}:{}: {}: {}{sev} [{status}]",
        r.display,
        s.line,
        s.col,
        d.id(),
        d.message
    )
}

fn render(
    out: &mut dyn Write,
    r: &FileReport,
    pos: &Positions<'_>,
    d: &Diag<'_>,
    opts: Options,
) -> io::Result<()> {
    let label = label(d, opts.unsafe_enabled);
    let plain = |out: &mut dyn Write| {
        let s = pos.at(d.range.start, Columns::Chars);
        writeln!(
            out,
            "{}:{}:{}: {} {} [{label}]",
            r.display,
            s.line,
            s.col,
            d.id(),
            d.message
        )
    };
    // Only the lines the range touches: the renderer reads all it is given,
    // and a file with thousands of notes must not be read thousands of times.
    let src = r.text();
    let mut range = d.range.as_usize();
    range.end = range.end.min(src.len());
    range.start = range.start.min(range.end);
    let first = src[..range.start]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let last = src[range.end..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(src.len(), |i| range.end + i);
    let Ok(lines) = std::str::from_utf8(&src[first..last]) else {
        return plain(out);
    };
    let line_start = pos.at(d.range.start, Columns::Chars).line as usize;
    let renderer = if opts.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let id = d.id();
    let lvl = level(d.severity);
    let msg = lvl.title(d.message).id(&id).snippet(
        Snippet::source(lines)
            .line_start(line_start)
            .origin(&r.display)
            .fold(true)
            .annotation(
                lvl.span(range.start - first..range.end - first)
                    .label(&label),
            ),
    );
    // Files may already have been written: a snippet that cannot be drawn
    // must not take the rest of the report with it.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let shown = std::panic::catch_unwind(|| renderer.render(msg).to_string());
    std::panic::set_hook(hook);
    match shown {
        Ok(shown) => writeln!(out, "{shown}\n"),
        Err(_) => plain(out),
    }
}

/// Where the text formats send what goes wrong: the standard error stream.
pub fn errors(err: &mut dyn Write, r: &FileReport) -> io::Result<()> {
    match &r.error {
        Some(e) => writeln!(err, "{}: {e}", r.display),
        None => Ok(()),
    }
}

/// The end of a summary sentence for the files that failed.
fn failed_clause(reports: &[FileReport], what: &str) -> String {
    match reports.iter().filter(|r| r.error.is_some()).count() {
        0 => String::new(),
        n => format!("; {n} file(s) could not be {what}"),
    }
}

/// Counts for the summary of `check`.
#[derive(Default)]
struct Counts {
    findings: usize,
    below: usize,
    fixable: usize,
    unsafe_fixable: usize,
    files: usize,
}

fn count(reports: &[FileReport], fail_on: Severity) -> Counts {
    let mut c = Counts::default();
    for r in reports {
        let mut any = false;
        for d in diags(r) {
            any = true;
            c.findings += 1;
            if d.severity < fail_on {
                c.below += 1;
            }
            if let Some(f) = d.finding {
                match (&f.fix, &f.not_applied) {
                    (Some(x), None) if x.applicability == Applicability::Safe => c.fixable += 1,
                    (Some(x), None) if x.applicability == Applicability::Unsafe => {
                        c.unsafe_fixable += 1;
                    }
                    _ => {}
                }
            }
        }
        c.files += usize::from(any);
    }
    c
}

/// `check`: every finding with a snippet (or, `concise`, a line), then a
/// summary.
pub fn check(
    out: &mut dyn Write,
    err: &mut dyn Write,
    reports: &[FileReport],
    opts: Options,
    concise: bool,
) -> io::Result<()> {
    for r in reports {
        errors(err, r)?;
        let pos = Positions::new(r.text());
        for d in diags(r) {
            if concise {
                line(out, r, &pos, &d, opts.unsafe_enabled)?;
            } else {
                render(out, r, &pos, &d, opts)?;
            }
        }
    }
    if opts.quiet {
        return Ok(());
    }
    let c = count(reports, opts.fail_on);
    let failed = failed_clause(reports, "checked");
    if c.findings == 0 && failed.is_empty() {
        writeln!(out, "All clean: {} file(s) checked.", reports.len())
    } else if c.findings == 0 {
        let ok = reports.iter().filter(|r| r.error.is_none()).count();
        writeln!(out, "No findings in {ok} file(s){failed}.")
    } else {
        write!(
            out,
            "Found {} finding(s) in {} file(s)",
            c.findings, c.files
        )?;
        if c.fixable + c.unsafe_fixable > 0 {
            write!(out, " ({} fixable with `dockopt fix`", c.fixable)?;
            if c.unsafe_fixable > 0 {
                write!(
                    out,
                    ", {} more with `dockopt fix --unsafe`",
                    c.unsafe_fixable
                )?;
            }
            write!(out, ")")?;
        }
        if c.below > 0 {
            let what = if c.below == c.findings {
                "none"
            } else {
                "some"
            };
            write!(
                out,
                "; {} below --fail-on {} ({what} fail the check)",
                c.below,
                opts.fail_on.as_str()
            )?;
        }
        writeln!(out, "{failed}.")
    }
}

/// `fix`: a line per changed file, then what remains, one line each. A
/// `dry_run` wrote nothing and says so.
pub fn fix(
    out: &mut dyn Write,
    err: &mut dyn Write,
    reports: &[FileReport],
    opts: Options,
    dry_run: bool,
) -> io::Result<()> {
    let (mut fixed, mut changed, mut remaining) = (0, 0, 0);
    let verb = if dry_run { "Would fix" } else { "Fixed" };
    for r in reports {
        errors(err, r)?;
        fixed += r.applied.len();
        for nf in &r.new_files {
            let shown = nf.path.display().to_string();
            let shown = shown.strip_prefix("./").unwrap_or(&shown);
            if nf.written {
                changed += 1;
                writeln!(out, "Wrote {shown}")?;
            } else if dry_run {
                changed += 1;
                writeln!(out, "Would write {shown}")?;
            }
        }
        if r.output.is_some() {
            changed += 1;
            let mut counts: Vec<(String, usize)> = Vec::new();
            for f in &r.applied {
                let key = format!("{} {}", f.code, f.name);
                match counts.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((key, 1)),
                }
            }
            let parts: Vec<String> = counts
                .iter()
                .map(|(k, n)| {
                    if *n > 1 {
                        format!("{k} x{n}")
                    } else {
                        k.clone()
                    }
                })
                .collect();
            writeln!(
                out,
                "{verb} {}: {} fix(es) ({})",
                r.display,
                r.applied.len(),
                parts.join(", ")
            )?;
        }
        let pos = Positions::new(r.text());
        for d in diags(r) {
            remaining += 1;
            line(out, r, &pos, &d, opts.unsafe_enabled)?;
        }
    }
    if !opts.quiet {
        let (remain, failed) = if dry_run {
            ("would remain", failed_clause(reports, "processed"))
        } else {
            ("remain", failed_clause(reports, "fixed"))
        };
        writeln!(
            out,
            "{verb} {fixed} finding(s) in {changed} file(s); {remaining} {remain}{failed}."
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_inside_a_character_falls_back_to_one_line() {
        let source = "FROM alpine\nRUN echo caf\u{e9}\n".as_bytes().to_vec();
        let inside = source.iter().position(|&b| b == 0xa9).unwrap() as u32;
        let r = FileReport {
            display: "Dockerfile".into(),
            source,
            ..FileReport::default()
        };
        let d = Diag {
            code: "DKR000",
            name: "x",
            message: "t",
            range: dockopt_syntax::TextRange::new(inside, inside + 1),
            severity: Severity::Warning,
            finding: None,
        };
        let opts = Options {
            unsafe_enabled: false,
            fail_on: Severity::Warning,
            color: false,
            quiet: false,
            fix: None,
        };
        let mut out = Vec::new();
        let pos = Positions::new(r.text());
        render(&mut out, &r, &pos, &d, opts).unwrap();
        // Column 14 in characters: the cut falls inside the 13th.
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Dockerfile:2:14: DKR000 x t [BuildKit rejects this]\n"
        );
    }
}
