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

pub fn fix(common: &Common, diff: bool, exit_non_zero_on_fix: bool) -> Status {
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
    let reports = run_all(&inputs, common, mode, &progress);
    let color = use_color(common.color);
    let changed = reports.iter().any(|r| r.output.is_some());

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
    status.worst(errors_status(&reports, &walk_errors))
}
