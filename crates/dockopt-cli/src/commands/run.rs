//! Processing files for `check` and `fix`: read, configure, run the
//! pipeline, and (for `fix`) write. One file's failure, even a panic, never
//! stops the others.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

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

    /// Adds an error to those the file already has.
    pub fn add_error(&mut self, e: String) {
        self.error = Some(match self.error.take() {
            Some(old) => format!("{old}\n{e}"),
            None => e,
        });
    }
}

/// A configuration and its directory, or why it could not be loaded.
type Loaded = Result<(PathBuf, Config), String>;

/// Configuration files, loaded once per directory.
pub struct Configs {
    explicit: Option<Loaded>,
    disabled: bool,
    cache: Mutex<HashMap<PathBuf, Option<Loaded>>>,
}

fn load_config(path: &Path) -> Loaded {
    let fail = |e: &dyn std::fmt::Display| format!("{}: error: {e}", path.display());
    let (bytes, _) = read::read_regular(path, MAX_SIZE).map_err(|e| fail(&e))?;
    let text = String::from_utf8(bytes).map_err(|e| fail(&e))?;
    let cfg = Config::parse(&text)
        .map_err(|e| format!("{}: error: invalid configuration\n{e}", path.display()))?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok((dir, cfg))
}

impl Configs {
    pub fn new(common: &Common) -> Self {
        Self {
            explicit: common.config.as_deref().map(load_config),
            disabled: common.no_config,
            cache: Mutex::new(HashMap::new()),
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
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(hit) = cache.get(&dir) {
            return hit.clone();
        }
        let found = dir
            .ancestors()
            .map(|d| d.join(config::FILE_NAME))
            // Anything by that name: a FIFO or a directory is an error, not absent.
            .find(|p| p.metadata().is_ok())
            .map(|p| load_config(&p));
        cache.insert(dir, found.clone());
        found
    }
}

pub fn settings(
    common: &Common,
    configs: &Configs,
    file: Option<&Path>,
) -> Result<(Settings, bool), String> {
    let dir = file.and_then(Path::parent).map_or_else(
        || PathBuf::from("."),
        |d| {
            if d.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                d.to_path_buf()
            }
        },
    );
    let mut excluded = false;
    let mut s = match configs.for_dir(&dir) {
        None => Settings::default(),
        Some(Err(e)) => return Err(e),
        Some(Ok((cfg_dir, cfg))) => {
            let abs = file.and_then(|f| std::fs::canonicalize(f).ok());
            let cfg_dir = std::fs::canonicalize(&cfg_dir).unwrap_or(cfg_dir);
            let rel = abs
                .as_deref()
                .and_then(|a| a.strip_prefix(&cfg_dir).ok())
                .map(|r| r.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            excluded = !rel.is_empty() && cfg.is_excluded(&rel);
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

/// A Dockerfile's bytes, with the metadata of the file they came from.
fn read(input: &Input) -> Result<(Vec<u8>, Option<std::fs::Metadata>), String> {
    let read = match input {
        Input::Stdin => read::read_stdin(MAX_SIZE).map(|b| (b, None)),
        Input::File(p) => read::read_regular(p, MAX_SIZE).map(|(b, m)| (b, Some(m))),
    };
    let (bytes, meta) = read.map_err(|e| match e {
        ReadError::TooLarge => format!("error: file too large to be a Dockerfile ({e})"),
        e => format!("error: {e}"),
    })?;
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return Err("error: binary file, not a Dockerfile".into());
    }
    Ok((bytes, meta))
}

fn process(input: &Input, common: &Common, configs: &Configs, mode: Mode) -> Option<FileReport> {
    let (display, path) = match input {
        Input::Stdin => ("-".to_string(), None),
        Input::File(p) => (display_path(p), Some(p.clone())),
    };
    if let (Ok(needle), Some(p)) = (std::env::var("DOCKOPT_INJECT_PANIC"), &path) {
        // A hook for the batch tests: a crash in one file must not stop others.
        assert!(!p.to_string_lossy().contains(&needle), "injected panic");
    }
    let (source, read_meta) = match read(input) {
        Ok(b) => b,
        Err(e) => return Some(FileReport::failed(display, path, e)),
    };
    let (settings, excluded) = match settings(common, configs, path.as_deref()) {
        Ok(s) => s,
        Err(e) => return Some(FileReport::failed(display, path, e)),
    };
    if excluded {
        return None;
    }
    let ctx_dir = common.context.clone().or_else(|| {
        path.as_deref().map(|p| {
            p.parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .to_path_buf()
        })
    });
    let fs_ = ctx_dir.as_deref().map(DirFs::new);
    let ignore = match ctx_dir.as_deref().map(|d| dockerignore(path.as_deref(), d)) {
        Some(Err(e)) => return Some(FileReport::failed(display, path, e)),
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
        report.syntax_errors = errors_of(&tree);
        report.findings = findings;
    } else {
        let outcome = pipeline::fix(&source, all, &settings, ctx.as_ref());
        report.syntax_errors = errors_of(&dockopt_syntax::parse(source.clone()));
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
    Some(report)
}

/// Paths as the user wrote them, without a leading `./`.
fn display_path(p: &Path) -> String {
    let s = p.display().to_string();
    s.strip_prefix("./").map_or(s.clone(), str::to_string)
}

fn errors_of(tree: &dockopt_syntax::SyntaxTree) -> Vec<SyntaxError> {
    tree.errors()
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

/// Processes every input on all cores; reports come back in input order.
pub fn run_all(
    inputs: &[Input],
    common: &Common,
    mode: Mode,
    progress: &Progress,
) -> Vec<FileReport> {
    let configs = Configs::new(common);
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<FileReport>>> = inputs.iter().map(|_| Mutex::new(None)).collect();
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
                    process(input, common, &configs, mode)
                }));
                let report = result.unwrap_or_else(|p| {
                    let (display, path) = match input {
                        Input::Stdin => ("-".to_string(), None),
                        Input::File(p) => (display_path(p), Some(p.clone())),
                    };
                    Some(FileReport::failed(
                        display,
                        path,
                        format!(
                            "error: internal error, file skipped: {}",
                            panic_message(p.as_ref())
                        ),
                    ))
                });
                *slots[i]
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = report;
                progress.tick();
            });
        }
    });
    std::panic::set_hook(hook);
    progress.finish();
    slots
        .into_iter()
        .filter_map(|m| {
            m.into_inner()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        })
        .collect()
}
