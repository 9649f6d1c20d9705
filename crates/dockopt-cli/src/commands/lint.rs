//! `dockopt check` and `dockopt fix`.

use std::io::{IsTerminal, Write};

use crate::args::{Color, Common, Format};
use crate::commands::run::{run_all, FileReport, Mode};
use crate::discover::{discover, Input};
use crate::emit;
use crate::progress::Progress;
use crate::Status;

fn use_color(choice: Color) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
}

/// Validates `--select`/`--ignore` before anything runs.
fn check_selection(common: &Common) -> Result<(), String> {
    let sel = dockopt_engine::Selection {
        select: common.select.clone(),
        ignore: common.ignore.clone(),
    };
    let unknown = sel.unknown(dockopt_transforms::ALL);
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "error: unknown transform(s): {} (see `dockopt rule`)",
            unknown.join(", ")
        ))
    }
}

fn prepare(common: &Common) -> Result<(Vec<Input>, Vec<String>), Status> {
    if let Err(e) = check_selection(common) {
        eprintln!("{e}");
        return Err(Status::Error);
    }
    let (inputs, errors) = discover(&common.paths, &common.exclude);
    for e in &errors {
        eprintln!("{e}");
    }
    Ok((inputs, errors))
}

fn errors_status(reports: &[FileReport], walk_errors: &[String]) -> Status {
    if !walk_errors.is_empty() || reports.iter().any(|r| r.error.is_some()) {
        Status::Error
    } else {
        Status::Clean
    }
}

pub fn check(common: &Common) -> Status {
    let (inputs, walk_errors) = match prepare(common) {
        Ok(x) => x,
        Err(s) => return s,
    };
    let format = common.format.unwrap_or(Format::Text);
    let mode = if format == Format::Diff {
        Mode::Diff
    } else {
        Mode::Check
    };
    let progress = Progress::new(inputs.len(), format == Format::Text && !common.quiet);
    let reports = run_all(&inputs, common, mode, &progress);
    let color = use_color(common.color);
    let mut out = std::io::stdout().lock();
    let _ = match format {
        Format::Text => {
            emit::text::check(&mut out, &reports, common.unsafe_fixes, color, common.quiet)
        }
        Format::Json => emit::json::emit(&mut out, &reports),
        Format::Sarif => emit::sarif::emit(&mut out, &reports),
        Format::Github => emit::github::emit(&mut out, &reports),
        Format::Diff => emit::diff::emit(&mut out, &reports, color),
    };
    let _ = out.flush();
    let found = reports.iter().any(|r| {
        !r.findings.is_empty()
            || !r.syntax_errors.is_empty()
            || (mode == Mode::Diff && r.output.is_some())
    });
    let status = if found {
        Status::Findings
    } else {
        Status::Clean
    };
    status.worst(errors_status(&reports, &walk_errors))
}

/// Proposed new files (`.dockerignore`), as (path, content), without ones
/// that already exist.
fn new_files(reports: &[FileReport]) -> Vec<(std::path::PathBuf, String)> {
    let mut out: Vec<(std::path::PathBuf, String)> = Vec::new();
    for r in reports {
        let Some(dir) = &r.context_dir else { continue };
        for f in &r.findings {
            let Some(nf) = &f.create else { continue };
            let path = dir.join(&nf.path);
            if !path.exists() && !out.iter().any(|(p, _)| *p == path) {
                out.push((path, nf.content.clone()));
            }
        }
    }
    out
}

fn write_new_files(
    files: &[(std::path::PathBuf, String)],
    diff: bool,
    out: &mut dyn Write,
) -> Status {
    let mut status = Status::Clean;
    for (path, content) in files {
        let shown = path.display().to_string();
        let shown = shown.strip_prefix("./").unwrap_or(&shown);
        if diff {
            let body = content.lines().fold(String::new(), |mut acc, l| {
                acc.push('+');
                acc.push_str(l);
                acc.push('\n');
                acc
            });
            let _ = write!(
                out,
                "--- /dev/null\n+++ b/{shown}\n@@ -0,0 +1,{} @@\n{body}",
                content.lines().count()
            );
            continue;
        }
        let created = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .and_then(|mut f| f.write_all(content.as_bytes()));
        match created {
            Ok(()) => {
                let _ = writeln!(out, "Wrote {shown}");
            }
            Err(e) => {
                let _ = writeln!(out, "{shown}: error: cannot create: {e}");
                status = Status::Error;
            }
        }
    }
    status
}

pub fn fix(args: &crate::args::FixArgs) -> Status {
    let (common, diff, exit_non_zero_on_fix) = (&args.common, args.diff, args.exit_non_zero_on_fix);
    let (inputs, walk_errors) = match prepare(common) {
        Ok(x) => x,
        Err(s) => return s,
    };
    let format = common
        .format
        .unwrap_or(if diff { Format::Diff } else { Format::Text });
    let stdin_only = inputs == [Input::Stdin];
    let mode = if diff || format == Format::Diff || stdin_only {
        Mode::Diff
    } else {
        Mode::Write
    };
    let progress = Progress::new(inputs.len(), format == Format::Text && !common.quiet);
    let mut reports = run_all(&inputs, common, mode, &progress);
    let color = use_color(common.color);
    let changed = reports.iter().any(|r| r.output.is_some());
    let created = if args.dockerignore {
        new_files(&reports)
    } else {
        Vec::new()
    };
    if mode == Mode::Write && args.dockerignore {
        // Written below: no longer a finding.
        for r in &mut reports {
            r.findings.retain(|f| f.create.is_none());
        }
    }

    if stdin_only && !diff && format == Format::Text {
        // Editors: the fixed text on stdout, the rest on stderr.
        let mut out = std::io::stdout().lock();
        for r in &reports {
            let _ = out.write_all(r.output.as_deref().unwrap_or(&r.source));
        }
        let _ = emit::text::fix(&mut std::io::stderr(), &reports, common.unsafe_fixes, true);
        let remaining = reports
            .iter()
            .any(|r| !r.findings.is_empty() || !r.syntax_errors.is_empty());
        let status = if remaining {
            Status::Findings
        } else {
            Status::Clean
        };
        return status.worst(errors_status(&reports, &walk_errors));
    }

    let mut out = std::io::stdout().lock();
    let _ = match format {
        Format::Text => emit::text::fix(&mut out, &reports, common.unsafe_fixes, common.quiet),
        Format::Json => emit::json::emit(&mut out, &reports),
        Format::Sarif => emit::sarif::emit(&mut out, &reports),
        Format::Github => emit::github::emit(&mut out, &reports),
        Format::Diff => emit::diff::emit(&mut out, &reports, color),
    };
    let write_status = write_new_files(&created, mode == Mode::Diff, &mut out);
    let changed = changed || !created.is_empty();
    let _ = out.flush();
    let status = if mode == Mode::Diff {
        if changed {
            Status::Findings
        } else {
            Status::Clean
        }
    } else {
        let remaining = reports
            .iter()
            .any(|r| !r.findings.is_empty() || !r.syntax_errors.is_empty());
        if remaining || (exit_non_zero_on_fix && changed) {
            Status::Findings
        } else {
            Status::Clean
        }
    };
    status
        .worst(errors_status(&reports, &walk_errors))
        .worst(write_status)
}
