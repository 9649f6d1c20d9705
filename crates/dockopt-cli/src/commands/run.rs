//! Processing files for `check` and `fix`: read, configure, run the
//! pipeline, and (for `fix`) write. One file's failure, even a panic, never
//! stops the others.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use dockopt_engine::config::{self, Config, Settings};
use dockopt_engine::{pipeline, Applicability, BuildContext, DockerIgnore, Finding, NotApplied};
use dockopt_syntax::{Severity, SyntaxError};

use crate::args::Common;
use crate::discover::Input;
use crate::fsctx::DirFs;
use crate::progress::Progress;
use crate::read::{self, ReadError, MAX_SIZE};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Check,
    Diff,
    Write,
}

/// What happened to one file.
#[derive(Debug, Default)]
pub struct FileReport {
    pub display: String,
    pub path: Option<PathBuf>,
    pub source: Vec<u8>,
    pub syntax_errors: Vec<SyntaxError>,
    /// `check`: all findings; `fix`: what remains after fixing.
    pub findings: Vec<Finding>,
    /// `fix`: the findings whose fixes were applied.
    pub applied: Vec<Finding>,
    /// `fix`: the new text, when it differs.
    pub output: Option<Vec<u8>>,
    pub error: Option<String>,
    /// The build context directory, when there is one.
    pub context_dir: Option<PathBuf>,
    /// `fix --dockerignore`: new files proposed for this file's context.
    pub new_files: Vec<NewFile>,
}

/// A file `fix --dockerignore` creates (or, with `--diff`, would create).
#[derive(Debug)]
pub struct NewFile {
    pub path: PathBuf,
    pub content: String,
    pub written: bool,
}

impl FileReport {
    pub fn failed(display: String, path: Option<PathBuf>, error: String) -> Self {
        Self {
            display,
            path,
            error: Some(error),
            ..Self::default()
        }
    }

    /// The text that `findings` and `syntax_errors` refer to: the fixed
    /// text after `fix`, otherwise the file as read.
    pub fn text(&self) -> &[u8] {
        self.output.as_deref().unwrap_or(&self.source)
    }

    /// Adds an error to those the file already has.
    pub fn add_error(&mut self, e: String) {
        self.error = Some(match self.error.take() {
            Some(old) => format!("{old}\n{e}"),
            None => e,
        });
    }
}

/// A configuration and its directory, or why it could not be loaded: one
/// line per error, each naming the file and, where known, line and column.
type Loaded = Result<(PathBuf, Arc<Config>), Vec<String>>;

/// Configuration files, each loaded and checked once, before any
/// Dockerfile is read.
pub struct Configs {
    explicit: Option<Loaded>,
    disabled: bool,
    /// The configuration file found from each directory, if any.
    dirs: Mutex<HashMap<PathBuf, Option<PathBuf>>>,
    files: Mutex<HashMap<PathBuf, Loaded>>,
}

/// A configuration file's path as reports show it: relative to the current
/// directory when it is inside it.
fn config_shown(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| std::fs::canonicalize(cwd).ok())
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(display_path))
        .unwrap_or_else(|| display_path(path))
}

fn load_config(path: &Path) -> Loaded {
    let shown = config_shown(path);
    let fail = |e: &dyn std::fmt::Display| vec![format!("{shown}: error: {e}")];
    let (bytes, _) = read::read_regular(path, MAX_SIZE).map_err(|e| fail(&e))?;
    let text = String::from_utf8(bytes).map_err(|e| fail(&e))?;
    let cfg = Config::load(&text, dockopt_transforms::ALL).map_err(|errors| {
        errors
            .iter()
            .map(|e| match (e.line, e.column) {
                (Some(l), Some(c)) => format!("{shown}:{l}:{c}: error: {}", e.message),
                _ => format!("{shown}: error: invalid configuration: {}", e.message),
            })
            .collect::<Vec<_>>()
    })?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok((dir, Arc::new(cfg)))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Configs {
    /// Loads the configuration of every input; every error in any of them,
    /// each reported once, when one is bad.
    pub fn load(common: &Common, inputs: &[Input]) -> Result<Self, Vec<String>> {
        let configs = Self {
            explicit: common.config.as_deref().map(load_config),
            disabled: common.no_config,
            dirs: Mutex::new(HashMap::new()),
            files: Mutex::new(HashMap::new()),
        };
        let mut errors: Vec<String> = Vec::new();
        if let Some(Err(e)) = &configs.explicit {
            return Err(e.clone());
        }
        let mut seen = std::collections::HashSet::new();
        for input in inputs {
            let dir = config_dir(name_path(input, common));
            if !seen.insert(dir.clone()) {
                continue;
            }
            if let Some(Err(e)) = configs.for_dir(&dir) {
                for line in e {
                    if !errors.contains(&line) {
                        errors.push(line);
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(configs)
        } else {
            Err(errors)
        }
    }

    /// The configuration that applies to a file in `dir`, with its directory.
    pub fn for_dir(&self, dir: &Path) -> Option<Loaded> {
        if self.disabled {
            return None;
        }
        if let Some(c) = &self.explicit {
            return Some(c.clone());
        }
        let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        let found = {
            let mut dirs = lock(&self.dirs);
            dirs.entry(dir.clone())
                .or_insert_with(|| {
                    dir.ancestors()
                        .map(|d| d.join(config::FILE_NAME))
                        // Anything by that name: a FIFO or a directory is an
                        // error, not absent.
                        .find(|p| p.metadata().is_ok())
                })
                .clone()
        }?;
        let mut files = lock(&self.files);
        Some(
            files
                .entry(found.clone())
                .or_insert_with(|| load_config(&found))
                .clone(),
        )
    }
}

/// The path that stands for an input in configuration, context and
/// reports: the file, or for standard input `--stdin-filename`.
fn name_path<'a>(input: &'a Input, common: &'a Common) -> Option<&'a Path> {
    match input {
        Input::File(p) => Some(p),
        Input::Stdin => common.stdin_filename.as_deref(),
    }
}

/// The directory a file's configuration is looked up from.
fn config_dir(file: Option<&Path>) -> PathBuf {
    file.and_then(Path::parent)
        .filter(|d| !d.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// The absolute path of a file that may not exist (a `--stdin-filename`
/// for a new buffer, perhaps in a new directory): the longest part that
/// exists resolved, the rest joined as written.
fn absolute(file: &Path) -> Option<PathBuf> {
    if let Ok(p) = std::fs::canonicalize(file) {
        return Some(p);
    }
    let full = std::env::current_dir().ok()?.join(file);
    let mut missing = Vec::new();
    let mut at = full.as_path();
    loop {
        if let Ok(base) = std::fs::canonicalize(at) {
            let mut out = base;
            for part in missing.iter().rev() {
                match part {
                    std::path::Component::ParentDir => {
                        out.pop();
                    }
                    std::path::Component::Normal(p) => out.push(p),
                    _ => {}
                }
            }
            return Some(out);
        }
        missing.push(at.components().next_back()?);
        at = at.parent()?;
    }
}

/// The settings for a file, and what excludes it, if anything does.
pub fn settings(
    common: &Common,
    configs: &Configs,
    file: Option<&Path>,
) -> Result<(Settings, Option<String>), String> {
    let mut excluded = None;
    let mut s = match configs.for_dir(&config_dir(file)) {
        None => Settings::default(),
        Some(Err(e)) => return Err(e.join("\n")),
        Some(Ok((cfg_dir, cfg))) => {
            let abs = file.and_then(absolute);
            let cfg_dir = std::fs::canonicalize(&cfg_dir).unwrap_or(cfg_dir);
            let rel = abs
                .as_deref()
                .and_then(|a| a.strip_prefix(&cfg_dir).ok())
                .map(|r| r.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            if cfg.is_excluded(&rel) {
                let cfg_file = common
                    .config
                    .clone()
                    .unwrap_or_else(|| cfg_dir.join(config::FILE_NAME));
                excluded = Some(config_shown(&cfg_file));
            }
            cfg.settings_for(&rel)
        }
    };
    if let Some(sel) = &common.select {
        s.selection.select = Some(sel.clone());
    }
    s.selection.ignore.extend(common.ignore.iter().cloned());
    if common.unsafe_fixes {
        s.unsafe_fixes = true;
    }
    Ok((s, excluded))
}

/// The `.dockerignore` that applies: `<Dockerfile>.dockerignore` beside the
/// Dockerfile first, then `.dockerignore` at the context root.
pub fn dockerignore(file: Option<&Path>, context: &Path) -> Result<Option<DockerIgnore>, String> {
    let beside = file.and_then(|f| {
        let name = f.file_name()?.to_str()?;
        Some(f.with_file_name(format!("{name}.dockerignore")))
    });
    let candidates = beside
        .into_iter()
        .chain(std::iter::once(context.join(".dockerignore")));
    for p in candidates {
        match read::read_regular(&p, MAX_SIZE) {
            Ok((bytes, _)) => {
                return DockerIgnore::parse(&bytes)
                    .map(Some)
                    .map_err(|e| format!("{}: error: {e}", p.display()));
            }
            Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {}
            // Unreadable is not absent: the builder would fail on it too.
            Err(e) => return Err(format!("{}: error: {e}", p.display())),
        }
    }
    Ok(None)
}

/// Standard input, read once: `fix -` gives it back unchanged when it
/// cannot be fixed.
pub fn stdin() -> &'static Result<Vec<u8>, String> {
    static STDIN: OnceLock<Result<Vec<u8>, String>> = OnceLock::new();
    STDIN.get_or_init(|| read::read_stdin(MAX_SIZE).map_err(|e| read_error(&e)))
}

fn read_error(e: &ReadError) -> String {
    match e {
        ReadError::TooLarge => format!("error: file too large to be a Dockerfile ({e})"),
        e => format!("error: {e}"),
    }
}

/// A Dockerfile's bytes, with the metadata of the file they came from.
fn read(input: &Input) -> Result<(Vec<u8>, Option<std::fs::Metadata>), String> {
    let (bytes, meta) = match input {
        Input::Stdin => (stdin().clone()?, None),
        Input::File(p) => {
            let (b, m) = read::read_regular(p, MAX_SIZE).map_err(|e| read_error(&e))?;
            (b, Some(m))
        }
    };
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return Err("error: binary file, not a Dockerfile".into());
    }
    Ok((bytes, meta))
}

/// What became of one input.
pub enum Processed {
    Report(FileReport),
    /// A file the configuration excludes, and which configuration.
    Excluded {
        display: String,
        by: String,
    },
}

/// How an input is shown in reports.
fn display_of(input: &Input, common: &Common) -> (String, Option<PathBuf>) {
    match input {
        Input::Stdin => (
            common
                .stdin_filename
                .as_deref()
                .map_or_else(|| "-".to_string(), display_path),
            None,
        ),
        Input::File(p) => (display_path(p), Some(p.clone())),
    }
}

fn process(input: &Input, common: &Common, configs: &Configs, mode: Mode) -> Processed {
    let (display, path) = display_of(input, common);
    let name = name_path(input, common);
    if let (Ok(needle), Some(p)) = (std::env::var("DOCKOPT_INJECT_PANIC"), &path) {
        // A hook for the batch tests: a crash in one file must not stop others.
        assert!(!p.to_string_lossy().contains(&needle), "injected panic");
    }
    let (source, read_meta) = match read(input) {
        Ok(b) => b,
        Err(e) => return Processed::Report(FileReport::failed(display, path, e)),
    };
    let (mut settings, excluded) = match settings(common, configs, name) {
        Ok(s) => s,
        Err(e) => return Processed::Report(FileReport::failed(display, path, e)),
    };
    if let Some(by) = excluded {
        return Processed::Excluded { display, by };
    }
    if let Err(e) = crate::pin::lockfile::inject(&mut settings, name) {
        return Processed::Report(FileReport::failed(display, path, e));
    }
    let ctx_dir = common
        .context
        .clone()
        .or_else(|| name.map(|p| config_dir(Some(p))));
    let fs_ = ctx_dir.as_deref().map(DirFs::new);
    let ignore = match ctx_dir.as_deref().map(|d| dockerignore(name, d)) {
        Some(Err(e)) => return Processed::Report(FileReport::failed(display, path, e)),
        Some(Ok(i)) => i,
        None => None,
    };
    let ctx = fs_.as_ref().map(|f| BuildContext::new(f, ignore));
    let all = dockopt_transforms::ALL;
    let mut report = FileReport {
        display,
        path,
        context_dir: ctx_dir.clone(),
        ..FileReport::default()
    };
    if mode == Mode::Check {
        let (tree, findings) = pipeline::check(&source, all, &settings, ctx.as_ref());
        report.syntax_errors = errors_of(tree.errors());
        report.findings = findings;
    } else {
        let outcome = pipeline::fix(&source, all, &settings, ctx.as_ref());
        report.syntax_errors = errors_of(&outcome.syntax_errors);
        if outcome.changed(&source) {
            report.output = Some(outcome.output);
        }
        report.applied = outcome.applied;
        report.findings = outcome.remaining;
        if let Some(why) = outcome.failure {
            report.error = Some(format!("error: {why}; file left unchanged"));
        }
    }
    if mode == Mode::Write {
        if let (Some(out), Some(p), Some(meta)) = (&report.output, &report.path, &read_meta) {
            if let Err(why) = crate::write::replace(p, &source, meta, out) {
                // The file is as it was: so are its findings.
                let (_, mut findings) = pipeline::check(&source, all, &settings, ctx.as_ref());
                let min = if settings.unsafe_fixes {
                    Applicability::Unsafe
                } else {
                    Applicability::Safe
                };
                let would_apply = |f: &Finding| {
                    f.not_applied.is_none()
                        && f.fix.as_ref().is_some_and(|x| x.applicability >= min)
                };
                for f in findings.iter_mut().filter(|f| would_apply(f)) {
                    f.not_applied = Some(NotApplied::NotWritten(why.to_string()));
                }
                report.findings = findings;
                report.output = None;
                report.applied.clear();
                report.add_error(format!("error: {why}"));
            }
        }
    }
    report.source = source;
    Processed::Report(report)
}

/// Paths as the user wrote them, without a leading `./`.
fn display_path(p: &Path) -> String {
    let s = p.display().to_string();
    s.strip_prefix("./").map_or(s.clone(), str::to_string)
}

fn errors_of(errors: &[SyntaxError]) -> Vec<SyntaxError> {
    errors
        .iter()
        .filter(|e| e.severity == Severity::Error)
        .cloned()
        .collect()
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// What a run gives: a report per input, in input order, and a note per
/// named file that the configuration excludes.
#[derive(Default)]
pub struct Run {
    pub reports: Vec<FileReport>,
    pub notes: Vec<String>,
}

/// Processes every input on all cores.
pub fn run_all(
    inputs: &[Input],
    common: &Common,
    configs: &Configs,
    mode: Mode,
    progress: &Progress,
) -> Run {
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<Processed>>> = inputs.iter().map(|_| Mutex::new(None)).collect();
    let workers = std::thread::available_parallelism()
        .map_or(2, std::num::NonZero::get)
        .min(inputs.len().max(1));
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(input) = inputs.get(i) else { break };
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    process(input, common, configs, mode)
                }));
                let processed = result.unwrap_or_else(|p| {
                    let (display, path) = display_of(input, common);
                    Processed::Report(FileReport::failed(
                        display,
                        path,
                        format!(
                            "error: internal error, file skipped: {}",
                            panic_message(p.as_ref())
                        ),
                    ))
                });
                *lock(&slots[i]) = Some(processed);
                progress.tick();
            });
        }
    });
    std::panic::set_hook(hook);
    progress.finish();
    let mut run = Run::default();
    for (input, slot) in inputs.iter().zip(slots) {
        match slot
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
        {
            Some(Processed::Report(r)) => run.reports.push(r),
            // Only a file named on the command line is worth a word: the
            // walk skips excluded files as a matter of course.
            Some(Processed::Excluded { display, by })
                if matches!(input, Input::Stdin)
                    || common
                        .paths
                        .iter()
                        .any(|p| Input::File(p.clone()) == *input) =>
            {
                run.notes
                    .push(format!("{display}: skipped: excluded by {by} (exclude)"));
            }
            _ => {}
        }
    }
    run
}
