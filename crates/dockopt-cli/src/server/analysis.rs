//! What `dockopt check` would say about a document: the same pipeline, the
//! same `.dockopt.yaml` lookup and the same build context, on the text as
//! the editor has it.

use std::path::{Path, PathBuf};

use dockopt_engine::pipeline::{self, FixOutcome};
use dockopt_engine::{BuildContext, DockerIgnore, Finding, Settings};
use dockopt_syntax::{Severity, SyntaxError};

use crate::args::Common;
use crate::commands::run::{self, Configs};
use crate::discover::Input;
use crate::fsctx::DirFs;

/// Everything besides the text that decides what the pipeline does.
pub struct Env {
    pub settings: Settings,
    /// The configuration excludes the file: it gets no findings.
    pub excluded: bool,
    context_dir: Option<PathBuf>,
    ignore: Option<DockerIgnore>,
}

impl Env {
    /// Reads the configuration and the `.dockerignore` anew, so that edits
    /// to them count from the next change on.
    pub fn load(common: &Common, path: Option<&Path>) -> Result<Self, String> {
        // A document not saved yet is configured as standard input is.
        let input = path.map_or(Input::Stdin, |p| Input::File(p.to_path_buf()));
        let configs = Configs::load(common, &[input]).map_err(|e| e.join("\n"))?;
        let (mut settings, excluded) = run::settings(common, &configs, path)?;
        let excluded = excluded.is_some();
        // The `dockopt.lock` that applies, as `check` hands it to base-digest.
        crate::pin::lockfile::inject(&mut settings, path)?;
        // As for `check`: the build context is the Dockerfile's directory.
        let context_dir = path
            .and_then(Path::parent)
            .filter(|d| !d.as_os_str().is_empty())
            .map(Path::to_path_buf);
        let ignore = match &context_dir {
            Some(dir) => run::dockerignore(path, dir)?,
            None => None,
        };
        Ok(Self {
            settings,
            excluded,
            context_dir,
            ignore,
        })
    }

    fn with_context<R>(&self, f: impl FnOnce(Option<&BuildContext<'_>>) -> R) -> R {
        let fs = self.context_dir.as_deref().map(DirFs::new);
        let ctx = fs
            .as_ref()
            .map(|fs| BuildContext::new(fs, self.ignore.clone()));
        f(ctx.as_ref())
    }

    pub fn check(&self, text: &str) -> Analysis {
        if self.excluded {
            return Analysis::default();
        }
        let (tree, findings) = self.with_context(|ctx| {
            pipeline::check(
                text.as_bytes(),
                dockopt_transforms::ALL,
                &self.settings,
                ctx,
            )
        });
        Analysis {
            syntax_errors: tree
                .errors()
                .iter()
                .filter(|e| e.severity == Severity::Error)
                .cloned()
                .collect(),
            findings,
        }
    }

    /// What `dockopt fix` would write for the text.
    pub fn fix(&self, text: &str) -> Option<FixOutcome> {
        if self.excluded {
            return None;
        }
        Some(self.with_context(|ctx| {
            pipeline::fix(
                text.as_bytes(),
                dockopt_transforms::ALL,
                &self.settings,
                ctx,
            )
        }))
    }

    /// Where a proposed new file would go.
    pub fn context_path(&self, rel: &str) -> Option<PathBuf> {
        Some(self.context_dir.as_ref()?.join(rel))
    }
}

/// The findings on one version of a document.
#[derive(Debug, Default)]
pub struct Analysis {
    pub syntax_errors: Vec<SyntaxError>,
    pub findings: Vec<Finding>,
}
