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
    // Only the lines the range touches: the renderer reads all it is given,
    // and a file with thousands of notes must not be read thousands of times.
    let src = &r.source;
    let mut range = range.as_usize();
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
    let (s, _) = span(
        src,
        dockopt_syntax::TextRange::new(range.start as u32, range.end as u32),
    );
    let Ok(lines) = std::str::from_utf8(&src[first..last]) else {
        return writeln!(
            out,
            "{}:{}:{}: {id} {title} [{label}]",
            r.display, s.line, s.col
        );
    };
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let msg = level.title(title).id(id).snippet(
        Snippet::source(lines)
            .line_start(s.line as usize)
            .origin(&r.display)
            .fold(true)
            .annotation(
                level
                    .span(range.start - first..range.end - first)
                    .label(label),
            ),
    );
    let shown = renderer.render(msg).to_string();
    writeln!(out, "{shown}\n")
}

pub fn check(
    out: &mut dyn Write,
    reports: &[FileReport],
    unsafe_enabled: bool,
    color: bool,
    quiet: bool,
) -> io::Result<()> {
    let (mut findings, mut fixable, mut unsafe_fixable, mut files) = (0, 0, 0, 0);
    for r in reports {
        if let Some(e) = &r.error {
            writeln!(out, "{}: {e}", r.display)?;
            continue;
        }
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
        if findings == 0 {
            writeln!(out, "All clean: {} file(s) checked.", reports.len())?;
        } else {
            write!(out, "Found {findings} finding(s) in {files} file(s)")?;
            if fixable + unsafe_fixable > 0 {
                write!(out, " ({fixable} fixable with `dockopt fix`")?;
                if unsafe_fixable > 0 {
                    write!(out, ", {unsafe_fixable} more with `dockopt fix --unsafe`")?;
                }
                write!(out, ")")?;
            }
            writeln!(out, ".")?;
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

/// `fix` without `--diff`: a line per changed file, then what remains.
pub fn fix(
    out: &mut dyn Write,
    reports: &[FileReport],
    unsafe_enabled: bool,
    quiet: bool,
) -> io::Result<()> {
    let (mut fixed, mut changed, mut remaining) = (0, 0, 0);
    for r in reports {
        if let Some(e) = &r.error {
            writeln!(out, "{}: {e}", r.display)?;
        }
        if r.output.is_some() {
            changed += 1;
            fixed += r.applied.len();
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
                "Fixed {}: {} fix(es) ({})",
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
        writeln!(
            out,
            "Fixed {fixed} finding(s) in {changed} file(s); {remaining} remain."
        )?;
    }
    Ok(())
}
