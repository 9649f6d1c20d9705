//! Human-readable output: findings with source snippets.

use std::io::{self, Write};

use annotate_snippets::{Level, Renderer, Snippet};
use dockopt_engine::{Applicability, Finding};

use super::{fix_status, span};
use crate::commands::run::FileReport;

/// One annotated message.
struct Note<'a> {
    level: Level,
    title: &'a str,
    id: &'a str,
    range: dockopt_syntax::TextRange,
    label: &'a str,
}

fn render(out: &mut dyn Write, r: &FileReport, note: &Note<'_>, color: bool) -> io::Result<()> {
    let Note {
        level,
        title,
        id,
        range,
        label,
    } = *note;
    let plain = |out: &mut dyn Write| {
        let (s, _) = span(&r.source, range);
        writeln!(
            out,
            "{}:{}:{}: {id} {title} [{label}]",
            r.display, s.line, s.col
        )
    };
    let Ok(src) = std::str::from_utf8(&r.source) else {
        return plain(out);
    };
    let mut range = range.as_usize();
    range.end = range.end.min(src.len());
    range.start = range.start.min(range.end);
    if !src.is_char_boundary(range.start) || !src.is_char_boundary(range.end) {
        return plain(out);
    }
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let msg = level.title(title).id(id).snippet(
        Snippet::source(src)
            .origin(&r.display)
            .fold(true)
            .annotation(level.span(range).label(label)),
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

pub fn check(
    out: &mut dyn Write,
    err: &mut dyn Write,
    reports: &[FileReport],
    unsafe_enabled: bool,
    color: bool,
    quiet: bool,
) -> io::Result<()> {
    let (mut findings, mut fixable, mut unsafe_fixable, mut files) = (0, 0, 0, 0);
    for r in reports {
        errors(err, r)?;
        if !r.findings.is_empty() || !r.syntax_errors.is_empty() {
            files += 1;
        }
        for e in &r.syntax_errors {
            findings += 1;
            render(
                out,
                r,
                &Note {
                    level: Level::Error,
                    title: &e.message,
                    id: "syntax-error",
                    range: e.range,
                    label: "BuildKit rejects this",
                },
                color,
            )?;
        }
        for f in &r.findings {
            findings += 1;
            match (&f.fix, &f.not_applied) {
                (Some(x), None) if x.applicability == Applicability::Safe => fixable += 1,
                (Some(x), None) if x.applicability == Applicability::Unsafe => unsafe_fixable += 1,
                _ => {}
            }
            let id = format!("{} {}", f.code, f.name);
            render(
                out,
                r,
                &Note {
                    level: Level::Warning,
                    title: &f.message,
                    id: &id,
                    range: f.range,
                    label: &fix_status(f, unsafe_enabled),
                },
                color,
            )?;
        }
    }
    if !quiet {
        let failed = failed_clause(reports, "checked");
        if findings == 0 && failed.is_empty() {
            writeln!(out, "All clean: {} file(s) checked.", reports.len())?;
        } else if findings == 0 {
            let ok = reports.iter().filter(|r| r.error.is_none()).count();
            writeln!(out, "No findings in {ok} file(s){failed}.")?;
        } else {
            write!(out, "Found {findings} finding(s) in {files} file(s)")?;
            if fixable + unsafe_fixable > 0 {
                write!(out, " ({fixable} fixable with `dockopt fix`")?;
                if unsafe_fixable > 0 {
                    write!(out, ", {unsafe_fixable} more with `dockopt fix --unsafe`")?;
                }
                write!(out, ")")?;
            }
            writeln!(out, "{failed}.")?;
        }
    }
    Ok(())
}

fn concise(
    out: &mut dyn Write,
    r: &FileReport,
    f: &Finding,
    unsafe_enabled: bool,
) -> io::Result<()> {
    let (s, _) = span(&r.source, f.range);
    writeln!(
        out,
        "{}:{}:{}: {} {}: {} [{}]",
        r.display,
        s.line,
        s.col,
        f.code,
        f.name,
        f.message,
        fix_status(f, unsafe_enabled)
    )
}

/// `fix`: a line per changed file, then what remains. A `dry_run` wrote
/// nothing and says so.
pub fn fix(
    out: &mut dyn Write,
    err: &mut dyn Write,
    reports: &[FileReport],
    unsafe_enabled: bool,
    quiet: bool,
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
        for e in &r.syntax_errors {
            remaining += 1;
            let (s, _) = span(&r.source, e.range);
            writeln!(
                out,
                "{}:{}:{}: syntax-error: {} [not fixed: the file has syntax errors]",
                r.display, s.line, s.col, e.message
            )?;
        }
        for f in &r.findings {
            remaining += 1;
            concise(out, r, f, unsafe_enabled)?;
        }
    }
    if !quiet {
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
        let note = Note {
            level: Level::Warning,
            title: "t",
            id: "DKR000 x",
            range: dockopt_syntax::TextRange::new(inside, inside + 1),
            label: "l",
        };
        let mut out = Vec::new();
        render(&mut out, &r, &note, false).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Dockerfile:2:14: DKR000 x t [l]\n"
        );
    }
}
