//! `dockopt completions SHELL` and `dockopt manpage`, generated from the
//! same clap definitions as `--help`, so they never drift from it.

use std::io::Write;

use clap::CommandFactory;

use crate::args::{Cli, CompletionsArgs, ManpageArgs};
use crate::Status;

pub fn completions(args: &CompletionsArgs) -> Status {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "dockopt", &mut out);
    print(&out)
}

pub fn manpage(args: &ManpageArgs) -> Status {
    let cmd = Cli::command();
    if let Some(dir) = &args.dir {
        return match clap_mangen::generate_to(cmd, dir) {
            Ok(()) => Status::Clean,
            Err(e) => {
                eprintln!("error: {}: {e}", dir.display());
                Status::Error
            }
        };
    }
    let mut out = Vec::new();
    match clap_mangen::Man::new(cmd).render(&mut out) {
        Ok(()) => print(&out),
        Err(e) => {
            eprintln!("error: {e}");
            Status::Error
        }
    }
}

/// Writes the whole text at once; a closed pipe is an error, not a panic.
fn print(bytes: &[u8]) -> Status {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Status::Clean,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Status::Clean,
        Err(e) => {
            eprintln!("error: {e}");
            Status::Error
        }
    }
}
