//! `dockopt verify`: builds the original and the rewrite from copies of
//! the build context, reads both images through the builder's own export,
//! and compares builds, sizes, layers, configs, files, probes and rebuild
//! times. The comparison itself lives in the `dockopt-verify` crate.

mod builder;
mod cleanup;
mod context;
mod progress;
mod session;

use std::io::Write;
use std::path::PathBuf;

use clap::ValueEnum;
use dockopt_verify::render;
use dockopt_verify::report::Verdict;

use crate::discover::{discover, Input};
use crate::Status;

#[derive(Debug, clap::Args)]
#[allow(clippy::struct_excessive_bools)] // clap flags
pub struct VerifyArgs {
    /// Dockerfiles, or directories to search for them.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,

    /// Compare with this file instead of the rewrite `dockopt fix` makes
    /// (a hand refactor, for instance). Nothing is then announced as
    /// removed on purpose.
    #[arg(long, value_name = "FILE")]
    pub rewritten: Option<PathBuf>,

    /// Run only these transforms (codes or names, comma-separated; ALL for all).
    #[arg(long, value_delimiter = ',')]
    pub select: Option<Vec<String>>,

    /// Do not run these transforms (codes or names, comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,

    /// Also apply fixes that may change what ends up in the image.
    #[arg(long = "unsafe")]
    pub unsafe_fixes: bool,

    /// Also give the rewrite the `.dockerignore` that dockopt proposes, as
    /// `fix --dockerignore` would write it.
    #[arg(long)]
    pub dockerignore: bool,

    /// The build context directory. Default: the Dockerfile's directory.
    #[arg(long)]
    pub context: Option<PathBuf>,

    /// Use this configuration file instead of looking for .dockopt.yaml.
    #[arg(long)]
    pub config: Option<PathBuf>,

    /// Ignore every .dockopt.yaml.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,

    /// The builder: docker, podman, buildah, or the path to one of them.
    /// Default: the first of these on PATH that answers.
    #[arg(long, value_name = "NAME|PATH")]
    pub builder: Option<String>,

    /// A build argument for both builds (repeatable).
    #[arg(long, value_name = "NAME=VALUE")]
    pub build_arg: Vec<String>,

    /// Build this stage of both files.
    #[arg(long)]
    pub target: Option<String>,

    /// Build for this platform.
    #[arg(long)]
    pub platform: Option<String>,

    /// A shell command to run in a container of each image; outputs and
    /// exit statuses must agree (repeatable).
    #[arg(long, value_name = "COMMAND")]
    pub probe: Vec<String>,

    /// When the rewrite fails or differs, rebuild it without each applied
    /// fix in turn and name the fix responsible.
    #[arg(long)]
    pub bisect: bool,

    /// Skip the timed rebuilds after a source-only change.
    #[arg(long)]
    pub no_rebuild: bool,

    /// The context file (relative to the context) that the timed rebuild
    /// appends a line to. Default: the first source file that is not a
    /// dependency manifest.
    #[arg(long, value_name = "FILE")]
    pub touch: Option<String>,

    /// Keep the images and the temporary directory (with build logs).
    #[arg(long)]
    pub keep: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = VerifyFormat::Text)]
    pub format: VerifyFormat,

    /// No progress on standard error.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    /// A compact table per Dockerfile.
    Text,
    /// A versioned JSON document (see docs/cli.md).
    Json,
    /// A table and details for a pull-request comment.
    Markdown,
}

pub fn run(args: &VerifyArgs) -> Status {
    let sel = dockopt_engine::Selection {
        select: args.select.clone(),
        ignore: args.ignore.clone(),
    };
    let unknown = sel.unknown(dockopt_transforms::ALL);
    if !unknown.is_empty() {
        eprintln!(
            "error: unknown transform(s): {} (see `dockopt rule`)",
            unknown.join(", ")
        );
        return Status::Error;
    }
    let (inputs, errors) = discover(&args.paths, &[]);
    for (path, e) in &errors {
        eprintln!("{}: {e}", path.display());
    }
    let files: Vec<PathBuf> = inputs
        .into_iter()
        .filter_map(|i| match i {
            Input::File(p) => Some(p),
            Input::Stdin => None,
        })
        .collect();
    if files.is_empty() {
        eprintln!("error: no Dockerfile to verify (standard input cannot be built)");
        return Status::Error;
    }
    if args.rewritten.is_some() && files.len() > 1 {
        eprintln!("error: --rewritten takes one Dockerfile");
        return Status::Error;
    }
    let progress = progress::Progress::new(args.quiet);
    let builder = match builder::detect(args.builder.as_deref()) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            return Status::Error;
        }
    };
    cleanup::install(&builder, args.keep);
    progress.note(&format!(
        "dockopt verify: building with {} {} ({}; {})",
        builder.engine.name(),
        builder.version,
        builder.program.display(),
        builder.why
    ));
    let mut status = if errors.is_empty() {
        Status::Clean
    } else {
        Status::Error
    };
    let mut reports = Vec::new();
    for f in &files {
        match session::verify(f, args, &builder, &progress) {
            Ok(r) => {
                let s = match r.verdict {
                    Verdict::Equivalent => Status::Clean,
                    Verdict::Different => Status::Findings,
                    // A rewrite that breaks the build is a finding; an
                    // original that does not build leaves nothing proven.
                    Verdict::Failed if r.original.built => Status::Findings,
                    Verdict::Failed => Status::Error,
                };
                status = status.worst(s);
                reports.push(r);
            }
            Err(e) => {
                eprintln!("{}: error: {e}", f.display());
                status = Status::Error;
            }
        }
    }
    let mut out = std::io::stdout().lock();
    let text = match args.format {
        VerifyFormat::Text => reports.iter().map(render::text).collect::<String>(),
        VerifyFormat::Markdown => render::markdown(&reports),
        VerifyFormat::Json => {
            let value = if reports.len() == 1 {
                serde_json::to_value(&reports[0])
            } else {
                serde_json::to_value(&reports)
            };
            value
                .and_then(|v| serde_json::to_string_pretty(&v))
                .map(|s| s + "\n")
                .unwrap_or_default()
        }
    };
    let _ = out.write_all(text.as_bytes());
    status
}
