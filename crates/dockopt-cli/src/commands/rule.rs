//! `dockopt rule [NAME]`.

use std::io::Write;

use crate::args::RuleArgs;
use crate::Status;

pub fn run(args: &RuleArgs) -> Status {
    let mut out = std::io::stdout().lock();
    match &args.name {
        None => {
            for t in dockopt_transforms::ALL {
                let _ = writeln!(out, "{}  {:<20} {}", t.code(), t.name(), t.summary());
            }
            Status::Clean
        }
        Some(key) => {
            if let Some(t) = dockopt_transforms::find(key) {
                let _ = write!(out, "{}", t.docs());
                Status::Clean
            } else {
                eprintln!("error: no transform named {key} (see `dockopt rule`)");
                Status::Error
            }
        }
    }
}
