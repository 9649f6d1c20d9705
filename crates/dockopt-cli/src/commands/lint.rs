//! `dockopt check` and `dockopt fix`.

use std::io::Write;
use std::path::{Path, PathBuf};

use dockopt_engine::Severity;

use crate::args::{Color, Common, Format};
use crate::commands::run::{run_all, stdin, Configs, FileReport, Mode, NewFile};
use crate::discover::{check_excludes, discover, Input};
use crate::emit;
use crate::progress::Progress;
use crate::Status;

/// Whether to paint output going to `dest`: `--color`, then `NO_COLOR`
/// (when set and not empty), `CLICOLOR_FORCE`, `CLICOLOR` and the terminal.
fn use_color(choice: Color, to_file: bool) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto if to_file => {
            anstream::AutoStream::choice(&Vec::<u8>::new()) != anstream::ColorChoice::Never
        }
        Color::Auto => {
            anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
        }
    }
}

/// Checks the flags that clap cannot: transform names, globs, the context,
/// and flags that do not go together.
fn check_flags(common: &Common, format: Format) -> Result<(), String> {
    for (flag, keys) in [
        ("--select", common.select.as_deref().unwrap_or_default()),
        ("--ignore", &common.ignore[..]),
    ] {
        for k in keys {
            dockopt_engine::select::check_key(k, dockopt_transforms::ALL)
                .map_err(|why| format!("error: {flag}: {why}"))?;
        }
    }
    check_excludes(&common.exclude)?;
    if let Some(dir) = &common.context {
        if !dir.is_dir() {
            let what = if dir.exists() {
                "not a directory"
            } else {
                "no such directory"
            };
            return Err(format!("error: --context {}: {what}", dir.display()));
        }
    }
    if common.stdin_filename.is_some()
        && !common.paths.is_empty()
        && !common.paths.iter().any(|p| p.as_os_str() == "-")
    {
        return Err(
            "error: --stdin-filename names standard input, but `-` is not among the paths".into(),
        );
    }
    if common.statistics && !matches!(format, Format::Text | Format::Concise | Format::Json) {
        return Err("error: --statistics prints text or JSON (--format json)".into());
    }
    Ok(())
}

/// The inputs, and the paths that failed before running (reported like
/// files that could not be read, in every format).
fn inputs(common: &Common) -> (Vec<Input>, Vec<FileReport>) {
    let stdin_only = [PathBuf::from("-")];
    let paths = if common.paths.is_empty() && common.stdin_filename.is_some() {
        &stdin_only[..]
    } else {
        &common.paths[..]
    };
    let (inputs, failed) = discover(paths, &common.exclude);
    let failed = failed
        .into_iter()
        .map(|(p, e)| {
            let shown = p.display().to_string();
            let shown = shown.strip_prefix("./").unwrap_or(&shown).to_string();
            FileReport::failed(shown, Some(p), e)
        })
        .collect();
    (inputs, failed)
}

/// Everything up to running: the flags, the inputs and their
/// configurations. Errors are printed here, each once.
fn prepare(
    common: &Common,
    format: Format,
) -> Result<(Vec<Input>, Vec<FileReport>, Configs), Status> {
    if let Err(e) = check_flags(common, format) {
        eprintln!("{e}");
        return Err(Status::Error);
    }
    let (inputs, failed) = inputs(common);
    match Configs::load(common, &inputs) {
        Ok(configs) => Ok((inputs, failed, configs)),
        Err(errors) => {
            for e in errors {
                eprintln!("{e}");
            }
            Err(Status::Error)
        }
    }
}

/// Runs every input, with the paths that failed before running first;
/// notes (named files the configuration excludes) go to stderr.
fn run(
    inputs: &[Input],
    failed: Vec<FileReport>,
    common: &Common,
    configs: &Configs,
    mode: Mode,
    progress: &Progress,
) -> Vec<FileReport> {
    let run = run_all(inputs, common, configs, mode, progress);
    for n in &run.notes {
        eprintln!("{n}");
    }
    let mut reports = failed;
    reports.extend(run.reports);
    reports
}

fn errors_status(reports: &[FileReport]) -> Status {
    if reports.iter().any(|r| r.error.is_some()) {
        Status::Error
    } else {
        Status::Clean
    }
}

/// Whether any finding or syntax error is at least `fail_on`.
fn failing(reports: &[FileReport], fail_on: Severity) -> bool {
    reports
        .iter()
        .any(|r| emit::diags(r).any(|d| d.severity >= fail_on))
}

/// Where the report goes: standard output, or `-o FILE`, written whole
/// through a temporary file once the run is done.
struct Dest {
    file: Option<PathBuf>,
    buf: Vec<u8>,
}

impl Dest {
    fn new(common: &Common) -> Self {
        Self {
            file: common.output_file.clone(),
            buf: Vec::new(),
        }
    }

    fn finish(self) -> Result<(), String> {
        let Some(path) = self.file else {
            let mut out = std::io::stdout().lock();
            return out
                .write_all(&self.buf)
                .and_then(|()| out.flush())
                .map_err(|e| format!("error: standard output: {e}"));
        };
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let fail = |e: &dyn std::fmt::Display| format!("error: {}: {e}", path.display());
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| fail(&e))?;
        tmp.write_all(&self.buf).map_err(|e| fail(&e))?;
        tmp.persist(&path).map_err(|e| fail(&e.error))?;
        Ok(())
    }
}

/// Writes a whole run's reports in `format`: results on `out`, and, for
/// the text formats, files that failed on `err`.
fn emit_reports(
    out: &mut dyn Write,
    format: Format,
    reports: &[FileReport],
    common: &Common,
    opts: emit::Options,
) -> std::io::Result<()> {
    let mut err = std::io::stderr().lock();
    if common.statistics {
        for r in reports {
            emit::text::errors(&mut err, r)?;
        }
        return if format == Format::Json {
            emit::statistics::json(out, reports, opts.unsafe_enabled)
        } else {
            emit::statistics::text(out, reports, opts.unsafe_enabled)
        };
    }
    match (format, opts.fix) {
        (Format::Text, None) => emit::text::check(out, &mut err, reports, opts, false),
        (Format::Concise, None) => emit::text::check(out, &mut err, reports, opts, true),
        (Format::Text | Format::Concise, Some(dry_run)) => {
            emit::text::fix(out, &mut err, reports, opts, dry_run)
        }
        (Format::Json, _) => emit::json::emit(out, reports),
        (Format::Sarif, _) => emit::sarif::emit(out, reports),
        (Format::Github, _) => emit::github::emit(out, reports),
        (Format::Gitlab, _) => emit::gitlab::emit(out, reports),
        (Format::Junit, _) => emit::junit::emit(out, reports, opts),
        (Format::Checkstyle, _) => emit::checkstyle::emit(out, reports),
        (Format::Rdjson, _) => emit::rdjson::emit(out, reports, opts, false),
        (Format::Rdjsonl, _) => emit::rdjson::emit(out, reports, opts, true),
        (Format::Diff, _) => emit::diff::emit(out, &mut err, reports, opts.color),
    }
}

/// Emits to standard output or `-o FILE`; a report that cannot be written
/// is an error.
fn deliver(format: Format, reports: &[FileReport], common: &Common, fix: Option<bool>) -> Status {
    let mut dest = Dest::new(common);
    let opts = emit::Options {
        unsafe_enabled: common.unsafe_fixes,
        fail_on: common.fail_on.severity(),
        color: use_color(common.color, dest.file.is_some()),
        quiet: common.quiet,
        fix,
    };
    let _ = emit_reports(&mut dest.buf, format, reports, common, opts);
    match dest.finish() {
        Ok(()) => Status::Clean,
        Err(e) => {
            eprintln!("{e}");
            Status::Error
        }
    }
}

pub fn check(common: &Common) -> Status {
    let format = common.format.unwrap_or(Format::Text);
    let (inputs, failed, configs) = match prepare(common, format) {
        Ok(x) => x,
        Err(s) => return s,
    };
    let mode = if format == Format::Diff {
        Mode::Diff
    } else {
        Mode::Check
    };
    let progress = Progress::new(inputs.len(), format == Format::Text && !common.quiet);
    let reports = run(&inputs, failed, common, &configs, mode, &progress);
    let written = deliver(format, &reports, common, None);
    let found = failing(&reports, common.fail_on.severity())
        || (mode == Mode::Diff && reports.iter().any(|r| r.output.is_some()));
    let status = if found && !common.exit_zero {
        Status::Findings
    } else {
        Status::Clean
    };
    status.worst(errors_status(&reports)).worst(written)
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

/// `fix -` for editors: the text goes to standard output, whatever
/// happens, so that the buffer can be replaced with it.
fn stdin_for_editor(common: &Common, dry_run: bool, format: Format) -> bool {
    let named = common.paths.iter().all(|p| p.as_os_str() == "-") && !common.paths.is_empty();
    let implied = common.paths.is_empty() && common.stdin_filename.is_some();
    (named || implied) && !dry_run && matches!(format, Format::Text | Format::Concise)
}

/// Gives standard input back unchanged, when it could be read.
fn echo_stdin() {
    if let Ok(bytes) = stdin() {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(bytes).and_then(|()| out.flush());
    }
}

pub fn fix(args: &crate::args::FixArgs) -> Status {
    let common = &args.common;
    let format = common.format.unwrap_or(if args.diff {
        Format::Diff
    } else {
        Format::Text
    });
    let dry_run = args.diff || format == Format::Diff;
    let editor = stdin_for_editor(common, dry_run, format);
    if !dry_run && common.paths.len() > 1 && common.paths.iter().any(|p| p.as_os_str() == "-") {
        eprintln!(
            "error: `fix -` writes the fixed standard input to standard output: it takes no \
             other path (use --diff to see the fixes of several)"
        );
        return Status::Error;
    }
    let (inputs, failed, configs) = match prepare(common, format) {
        Ok(x) => x,
        Err(s) => {
            if editor {
                echo_stdin();
            }
            return s;
        }
    };
    // Standard input is never written anywhere but standard output.
    let mode = if dry_run || editor || inputs.iter().all(|i| *i == Input::Stdin) {
        Mode::Diff
    } else {
        Mode::Write
    };
    let progress = Progress::new(inputs.len(), format == Format::Text && !common.quiet);
    let mut reports = run(&inputs, failed, common, &configs, mode, &progress);
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
    let fail_on = common.fail_on.severity();

    if editor {
        // The fixed text (or the text as it was, when it could not be
        // fixed, or is excluded) on stdout; the report on stderr or -o.
        let mut out = std::io::stdout().lock();
        if reports.is_empty() {
            echo_stdin();
        }
        for r in &reports {
            let text = if r.source.is_empty() && r.error.is_some() {
                stdin().as_deref().unwrap_or_default()
            } else {
                r.text()
            };
            let _ = out.write_all(text);
        }
        let _ = out.flush();
        let mut written = Status::Clean;
        if common.output_file.is_some() {
            written = deliver(format, &reports, common, Some(false));
        } else {
            let opts = emit::Options {
                unsafe_enabled: common.unsafe_fixes,
                fail_on,
                color: false,
                quiet: true,
                fix: Some(false),
            };
            let (mut e1, mut e2) = (std::io::stderr(), std::io::stderr());
            let _ = emit::text::fix(&mut e1, &mut e2, &reports, opts, false);
        }
        let status = if failing(&reports, fail_on) && !common.exit_zero {
            Status::Findings
        } else {
            Status::Clean
        };
        return status.worst(errors_status(&reports)).worst(written);
    }

    let written = deliver(format, &reports, common, Some(dry_run));
    let found = if mode == Mode::Diff {
        changed
    } else {
        failing(&reports, fail_on) || (args.exit_non_zero_on_fix && changed)
    };
    let status = if found && !common.exit_zero {
        Status::Findings
    } else {
        Status::Clean
    };
    status.worst(errors_status(&reports)).worst(written)
}
