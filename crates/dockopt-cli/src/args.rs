//! Every flag of the command line, in one place. Doc comments are the help.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Rewrites Dockerfiles so that images are smaller and rebuild faster,
/// without changing what the image does.
#[derive(Debug, Parser)]
#[command(name = "dockopt", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report findings. Exits 1 when there are any.
    Check(CheckArgs),
    /// Apply fixes in place, or show them with --diff.
    Fix(FixArgs),
    /// Parse Dockerfiles and print BuildKit's view of each instruction.
    Parse(ParseArgs),
    /// List the transforms, or print one transform's documentation.
    Rule(RuleArgs),
    /// Pin image references to digests and record them in dockopt.lock.
    Pin(PinArgs),
    /// Build the original and the rewrite, compare the images, and say
    /// whether the rewrite is equivalent. Exits 1 when it is not.
    Verify(crate::verify::VerifyArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print the manual page, or write one page per command to a directory.
    Manpage(ManpageArgs),
    /// Run the language server on standard input and output, for editors.
    Server(ServerArgs),
}

#[derive(Debug, clap::Args)]
#[allow(clippy::struct_excessive_bools)] // flags are on or off
pub struct Common {
    /// Files or directories; directories are searched for Dockerfiles.
    /// `-` reads standard input. Default: the current directory.
    pub paths: Vec<PathBuf>,

    /// Run only these transforms: codes, code prefixes (DKR00) or names,
    /// comma-separated, in any case; ALL for all.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Option<Vec<String>>,

    /// Do not run these transforms (codes, code prefixes or names).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,

    /// Also apply fixes that may change what ends up in the image.
    #[arg(long = "unsafe")]
    pub unsafe_fixes: bool,

    /// The build context directory. Default: each Dockerfile's directory.
    #[arg(long, value_name = "DIR")]
    pub context: Option<PathBuf>,

    /// Skip paths matching this gitignore-style glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Use this configuration file instead of looking for .dockopt.yaml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Ignore every .dockopt.yaml.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,

    /// The path standard input stands for: its configuration, per-path
    /// settings, build context and name in reports. Implies `-` when no
    /// path is given.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// Write the report to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output_file: Option<PathBuf>,

    /// Print how many findings each rule has, instead of the findings
    /// (text, or JSON with --format json).
    #[arg(long)]
    pub statistics: bool,

    /// The least severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Warning, value_name = "SEVERITY")]
    pub fail_on: FailOn,

    /// Exit 0 even when findings remain or fixes would apply; errors still
    /// exit 2.
    #[arg(long)]
    pub exit_zero: bool,

    /// When to use colors.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,

    /// Print only findings and errors, no summary.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, clap::Args)]
pub struct FixArgs {
    #[command(flatten)]
    pub common: Common,

    /// Print a unified diff of the fixes and write nothing. Exits 1 when
    /// there would be changes.
    #[arg(long)]
    pub diff: bool,

    /// Exit 1 when a file was changed, even if no finding remains.
    #[arg(long, conflicts_with = "exit_zero")]
    pub exit_non_zero_on_fix: bool,

    /// Also write the `.dockerignore` files that dockopt proposes (new files
    /// only; an existing one is never changed).
    #[arg(long)]
    pub dockerignore: bool,
}

#[derive(Debug, clap::Args)]
pub struct ParseArgs {
    /// Files to parse; `-` reads standard input.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ParseFormat::Json)]
    pub format: ParseFormat,

    /// Only check that printing the tree gives back each file byte for byte.
    #[arg(long)]
    pub roundtrip: bool,
}

#[derive(Debug, clap::Args)]
pub struct RuleArgs {
    /// A transform's code or name, in any case, or `syntax-error`. Without
    /// it, lists all transforms.
    pub name: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = RuleFormat::Text)]
    pub format: RuleFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RuleFormat {
    /// A table, or the rule's page in Markdown.
    Text,
    /// The rules as JSON objects.
    Json,
}

#[derive(Debug, clap::Args)]
#[allow(clippy::struct_excessive_bools)] // independent command-line flags
pub struct PinArgs {
    /// Files or directories; directories are searched for Dockerfiles.
    /// Default: the current directory.
    pub paths: Vec<PathBuf>,

    /// Resolve every tag again, even those the lock records.
    #[arg(long)]
    pub update: bool,

    /// Write nothing; exit 1 when a reference is unpinned, differs from the
    /// lock, or its tag now names another digest.
    #[arg(long, conflicts_with = "diff")]
    pub check: bool,

    /// Print the changes as a unified diff and write nothing.
    #[arg(long)]
    pub diff: bool,

    /// The lock file. Default: the nearest dockopt.lock from the current
    /// directory upward, else ./dockopt.lock.
    #[arg(long)]
    pub lock: Option<PathBuf>,

    /// Skip paths matching this glob (repeatable).
    #[arg(long)]
    pub exclude: Vec<String>,

    /// Allow plain HTTP and unverified TLS for this registry host[:port]
    /// (repeatable), as dockerd's --insecure-registry.
    #[arg(long = "insecure-registry", value_name = "HOST")]
    pub insecure_registry: Vec<String>,

    /// Ask this mirror for Docker Hub images first, as dockerd's
    /// --registry-mirror. Also DOCKOPT_REGISTRY_MIRROR.
    #[arg(long, value_name = "URL")]
    pub registry_mirror: Option<String>,

    /// Per-registry CA certificates, as docker's certs.d:
    /// DIR/HOST[:PORT]/*.crt. Default: /etc/docker/certs.d.
    #[arg(long, value_name = "DIR")]
    pub certs_dir: Option<PathBuf>,

    /// Print only errors, notes and --check's findings.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, clap::Args)]
pub struct ManpageArgs {
    /// Write `dockopt.1` and a page per command (`dockopt-check.1`...) to
    /// this directory instead of printing `dockopt.1`.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ServerArgs {
    /// Use this configuration file instead of looking for .dockopt.yaml.
    #[arg(long)]
    pub config: Option<PathBuf>,

    /// Ignore every .dockopt.yaml.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,

    /// Accepted for editors that pass it: standard input and output is the
    /// only transport.
    #[arg(long, hide = true)]
    pub stdio: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Findings with source snippets.
    Text,
    /// One `path:line:col: code message` line per finding.
    Concise,
    /// A stable JSON document (see docs/cli.md).
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
    /// GitLab Code Quality (Code Climate JSON).
    Gitlab,
    /// JUnit XML, as CI systems read test reports.
    Junit,
    /// Checkstyle XML.
    Checkstyle,
    /// reviewdog's diagnostic format (one JSON document), with fixes as
    /// suggestions.
    Rdjson,
    /// reviewdog's diagnostic format, one JSON diagnostic per line.
    Rdjsonl,
    /// Unified diffs of the fixes.
    Diff,
}

/// The severities, least first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Info,
    Warning,
    Error,
}

impl FailOn {
    pub fn severity(self) -> dockopt_engine::Severity {
        match self {
            Self::Info => dockopt_engine::Severity::Info,
            Self::Warning => dockopt_engine::Severity::Warning,
            Self::Error => dockopt_engine::Severity::Error,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ParseFormat {
    /// `{"version": 1, "files": [...]}`: each file's instructions with the
    /// fields of BuildKit's parser, and its errors.
    Json,
    /// BuildKit's AST dump, as its parser tests print it.
    Dump,
    /// The lossless tree: items and tokens with byte ranges.
    Tree,
}
