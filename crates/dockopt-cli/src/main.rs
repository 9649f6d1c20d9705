//! The `dockopt` binary. It owns all file system access and all printing.

mod args;
mod commands;
mod discover;
mod emit;
mod fsctx;
mod pin;
mod progress;
mod read;
mod server;
mod verify;
mod write;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

/// Exit codes: 0 clean, 1 findings or changes, 2 usage or I/O error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Clean = 0,
    Findings = 1,
    Error = 2,
}

impl Status {
    #[must_use]
    pub fn worst(self, other: Self) -> Self {
        self.max(other)
    }
}

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let status = match cli.command {
        args::Command::Check(a) => commands::lint::check(&a.common),
        args::Command::Fix(a) => commands::lint::fix(&a),
        args::Command::Parse(a) => commands::parse::run(&a),
        args::Command::Rule(a) => commands::rule::run(&a),
        args::Command::Pin(a) => pin::run(&a),
        args::Command::Verify(a) => verify::run(&a),
        args::Command::Completions(a) => commands::completions::completions(&a),
        args::Command::Manpage(a) => commands::completions::manpage(&a),
        args::Command::Server(a) => server::run(&a),
    };
    let _ = std::io::stdout().flush();
    ExitCode::from(status as u8)
}
