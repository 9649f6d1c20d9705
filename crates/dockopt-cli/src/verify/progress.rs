//! Progress on standard error: which build runs and for how long. Builds
//! take minutes, so a terminal sees the time tick; a log gets a line when a
//! step starts, every minute while it runs, and when it ends.

use std::cell::Cell;
use std::io::{IsTerminal, Write};
use std::time::Instant;

pub struct Progress {
    quiet: bool,
    tty: bool,
}

pub struct Step {
    label: String,
    start: Instant,
    tty: bool,
    quiet: bool,
    shown: Cell<u64>,
}

impl Progress {
    pub fn new(quiet: bool) -> Self {
        Self {
            quiet,
            tty: std::io::stderr().is_terminal(),
        }
    }

    /// A message that is not a timed step.
    pub fn note(&self, text: &str) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr(), "{text}");
        }
    }

    pub fn step(&self, label: impl Into<String>) -> Step {
        let label = label.into();
        if !self.quiet {
            let mut err = std::io::stderr();
            if self.tty {
                let _ = write!(err, "  {label}...");
            } else {
                let _ = writeln!(err, "  {label}...");
            }
            let _ = err.flush();
        }
        Step {
            label,
            start: Instant::now(),
            tty: self.tty,
            quiet: self.quiet,
            shown: Cell::new(0),
        }
    }
}

impl Step {
    pub fn tick(&self) {
        if self.quiet {
            return;
        }
        let secs = self.start.elapsed().as_secs();
        let every = if self.tty { 1 } else { 60 };
        if secs / every <= self.shown.get() / every {
            return;
        }
        self.shown.set(secs);
        let mut err = std::io::stderr();
        if self.tty {
            let _ = write!(err, "\r  {}... {secs} s", self.label);
        } else {
            let _ = writeln!(err, "  {}: still running after {secs} s", self.label);
        }
        let _ = err.flush();
    }

    pub fn done(self, outcome: &str) {
        if self.quiet {
            return;
        }
        let secs = self.start.elapsed().as_secs_f64();
        let mut err = std::io::stderr();
        if self.tty {
            let _ = write!(err, "\r\x1b[2K");
        }
        let _ = writeln!(err, "  {}: {outcome} ({secs:.1} s)", self.label);
    }
}
