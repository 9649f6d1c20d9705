//! A one-line progress counter on stderr for large batches on a terminal.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Progress {
    total: usize,
    done: AtomicUsize,
    enabled: bool,
}

impl Progress {
    /// Shown only on a terminal, for 20 files or more.
    pub fn new(total: usize, allowed: bool) -> Self {
        Self {
            total,
            done: AtomicUsize::new(0),
            enabled: allowed && total >= 20 && std::io::stderr().is_terminal(),
        }
    }

    pub fn tick(&self) {
        let n = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if self.enabled && (n.is_multiple_of(8) || n == self.total) {
            let width = 30;
            let filled = n * width / self.total.max(1);
            let bar = format!("{}{}", "=".repeat(filled), " ".repeat(width - filled));
            let _ = write!(std::io::stderr(), "\r[{bar}] {n}/{}", self.total);
        }
    }

    pub fn finish(&self) {
        if self.enabled {
            let _ = write!(std::io::stderr(), "\r{}\r", " ".repeat(50));
        }
    }
}
