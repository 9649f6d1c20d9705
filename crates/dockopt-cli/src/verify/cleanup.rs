//! What an interrupted run leaves behind: on Ctrl-C or SIGTERM the
//! temporary images and directories made so far are removed before exit.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::builder::Builder;

struct Pending {
    builder: Option<Builder>,
    tags: Vec<String>,
    dirs: Vec<PathBuf>,
}

static PENDING: Mutex<Pending> = Mutex::new(Pending {
    builder: None,
    tags: Vec::new(),
    dirs: Vec::new(),
});

fn pending() -> std::sync::MutexGuard<'static, Pending> {
    PENDING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Installs the handler; with `--keep` nothing is removed, as asked.
pub fn install(builder: &Builder, keep: bool) {
    if keep {
        return;
    }
    pending().builder = Some(builder.clone());
    let _ = ctrlc::set_handler(|| {
        let p = pending();
        eprintln!("\ninterrupted: removing the temporary images and files");
        if let Some(b) = &p.builder {
            for t in &p.tags {
                b.remove(t);
            }
        }
        for d in &p.dirs {
            let _ = std::fs::remove_dir_all(d);
        }
        std::process::exit(130);
    });
}

pub fn image(tag: &str) {
    pending().tags.push(tag.to_string());
}

pub fn image_gone(tag: &str) {
    pending().tags.retain(|t| t != tag);
}

pub fn dir(path: &Path) {
    pending().dirs.push(path.to_path_buf());
}

pub fn dir_gone(path: &Path) {
    pending().dirs.retain(|d| d != path);
}
