//! `dockopt check` and `dockopt fix`.

use std::io::{IsTerminal, Write};

use crate::args::{Color, Common, Format};
use std::path::PathBuf;

use crate::commands::run::{run_all, FileReport, Mode, NewFile};
use crate::discover::{check_excludes, discover, Input};
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

fn prepare(common: &Common) -> Result<(Vec<Input>, Vec<FileReport>), Status> {
    if let Err(e) = check_selection(common).and_then(|()| check_excludes(&common.exclude)) {
        eprintln!("{e}");
        return Err(Status::Error);
    }
    let (inputs, failed) = discover(&common.paths, &common.exclude);
    // Paths that are missing or could not be searched are reported like
    // files that could not be read, in every format.
    let failed = failed
        .into_iter()
        .map(|(p, e)| {
            let shown = p.display().to_string();
            let shown = shown.strip_prefix("./").unwrap_or(&shown).to_string();
            FileReport::failed(shown, Some(p), e)
        })
        .collect();
    Ok((inputs, failed))
}

/// Runs every input, with the paths that failed before running first.
fn run(
    inputs: &[Input],
    failed: Vec<FileReport>,
    common: &Common,
    mode: Mode,
    progress: &Progress,
) -> Vec<FileReport> {
    let mut reports = failed;
    reports.extend(run_all(inputs, common, mode, progress));
    reports
}

fn errors_status(reports: &[FileReport]) -> Status {
    if reports.iter().any(|r| r.error.is_some()) {
        Status::Error
    } else {
        Status::Clean
    }
}

fn remaining(reports: &[FileReport]) -> bool {
    reports
        .iter()
        .any(|r| !r.findings.is_empty() || !r.syntax_errors.is_empty())
}

/// Writes a whole run's reports in `format`: results on `out`, and, for
/// the text formats, files that failed on `err`.
fn emit_reports(
    format: Format,
    reports: &[FileReport],
    common: &Common,
    fix: Option<bool>,
) -> std::io::Result<()> {
    let color = use_color(common.color);
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    match (format, fix) {
        (Format::Text, None) => emit::text::check(
            &mut out,
            &mut err,
            reports,
            common.unsafe_fixes,
            color,
            common.quiet,
        ),
        (Format::Text, Some(dry_run)) => emit::text::fix(
            &mut out,
            &mut err,
            reports,
            common.unsafe_fixes,
            common.quiet,
            dry_run,
        ),
        (Format::Json, _) => emit::json::emit(&mut out, reports),
        (Format::Sarif, _) => emit::sarif::emit(&mut out, reports),
        (Format::Github, _) => emit::github::emit(&mut out, reports),
        (Format::Diff, _) => emit::diff::emit(&mut out, &mut err, reports, color),
    }?;
    out.flush()
}

pub fn check(common: &Common) -> Status {
    let (inputs, failed) = match prepare(common) {
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
    let reports = run(&inputs, failed, common, mode, &progress);
    let _ = emit_reports(format, &reports, common, None);
    let found =
        remaining(&reports) || (mode == Mode::Diff && reports.iter().any(|r| r.output.is_some()));
    let status = if found {
        Status::Findings
    } else {
        Status::Clean
    };
    status.worst(errors_status(&reports))
}

/// Attaches the new files (`.dockerignore`) that findings propose to the
/// first report that proposes each, leaving out any that already exist.
fn propose_new_files(reports: &mut [FileReport]) {
    let mut seen: Vec<PathBuf> = Vec::new();
    for r in reports {
        let Some(dir) = r.context_dir.clone() else {
            continue;
        };
        for f in &r.findings {
            let Some(nf) = &f.create else { continue };
            let path = dir.join(&nf.path);
            // A dangling symlink exists too: it is never written through.
            if path.symlink_metadata().is_err() && !seen.contains(&path) {
                seen.push(path.clone());
                r.new_files.push(NewFile {
                    path,
                    content: nf.content.clone(),
                    written: false,
                });
            }
        }
    }
}

/// Creates the proposed files. A finding whose file was written is fixed;
/// one whose file could not be written remains, next to the error.
fn write_new_files(reports: &mut [FileReport]) {
    let mut written: Vec<PathBuf> = Vec::new();
    for r in &mut *reports {
        let mut errors = Vec::new();
        for nf in &mut r.new_files {
            match crate::write::create_new(&nf.path, nf.content.as_bytes()) {
                Ok(()) => {
                    nf.written = true;
                    written.push(nf.path.clone());
                }
                Err(why) => {
                    let shown = nf.path.display().to_string();
                    let shown = shown.strip_prefix("./").unwrap_or(&shown).to_string();
                    errors.push(format!("error: {shown}: {why}"));
                }
            }
        }
        for e in errors {
            r.add_error(e);
        }
    }
    resolve_new_files(reports, &written);
}

/// Counts the findings that `done` (files written, or for a dry run, that
/// would be) answer as fixed.
fn resolve_new_files(reports: &mut [FileReport], done: &[PathBuf]) {
    for r in reports {
        let Some(dir) = r.context_dir.clone() else {
            continue;
        };
        let (done, rest) = std::mem::take(&mut r.findings).into_iter().partition(|f| {
            f.create
                .as_ref()
                .is_some_and(|c| done.contains(&dir.join(&c.path)))
        });
        r.findings = rest;
        r.applied.extend::<Vec<_>>(done);
    }
}

pub fn fix(args: &crate::args::FixArgs) -> Status {
    let (common, diff, exit_non_zero_on_fix) = (&args.common, args.diff, args.exit_non_zero_on_fix);
    let (inputs, failed) = match prepare(common) {
        Ok(x) => x,
        Err(s) => return s,
    };
    let format = common
        .format
        .unwrap_or(if diff { Format::Diff } else { Format::Text });
    let stdin_only = inputs == [Input::Stdin] && failed.is_empty();
    let dry_run = diff || format == Format::Diff;
    let mode = if dry_run || stdin_only {
        Mode::Diff
    } else {
        Mode::Write
    };
    let progress = Progress::new(inputs.len(), format == Format::Text && !common.quiet);
    let mut reports = run(&inputs, failed, common, mode, &progress);
    if args.dockerignore {
        propose_new_files(&mut reports);
        if mode == Mode::Write {
            write_new_files(&mut reports);
        } else {
            let proposed: Vec<PathBuf> = reports
                .iter()
                .flat_map(|r| r.new_files.iter().map(|n| n.path.clone()))
                .collect();
            resolve_new_files(&mut reports, &proposed);
        }
    }
    let changed = reports
        .iter()
        .any(|r| r.output.is_some() || r.new_files.iter().any(|n| n.written || mode == Mode::Diff));

    if stdin_only && !diff && format == Format::Text {
        // Editors: the fixed text on stdout, the rest on stderr.
        let mut out = std::io::stdout().lock();
        for r in &reports {
            let _ = out.write_all(r.output.as_deref().unwrap_or(&r.source));
        }
        let _ = out.flush();
        let (mut err1, mut err2) = (std::io::stderr(), std::io::stderr());
        let _ = emit::text::fix(
            &mut err1,
            &mut err2,
            &reports,
            common.unsafe_fixes,
            true,
            false,
        );
        let status = if remaining(&reports) {
            Status::Findings
        } else {
            Status::Clean
        };
        return status.worst(errors_status(&reports));
    }

    let _ = emit_reports(format, &reports, common, Some(dry_run));
    let status = if mode == Mode::Diff {
        if changed {
            Status::Findings
        } else {
            Status::Clean
        }
    } else if remaining(&reports) || (exit_non_zero_on_fix && changed) {
        Status::Findings
    } else {
        Status::Clean
    };
    status.worst(errors_status(&reports))
}
