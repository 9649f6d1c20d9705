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
    /// Parse Dockerfiles and print BuildKit's view of each instruction.
    Parse(ParseArgs),
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ParseFormat {
    /// One object per instruction, with the fields of BuildKit's parser.
    Json,
    /// BuildKit's AST dump, as its parser tests print it.
    Dump,
    /// The lossless tree: items and tokens with byte ranges.
    Tree,
}
