//! The build context on disk.

use std::path::{Path, PathBuf};

use dockopt_engine::ContextFs;

pub struct DirFs {
    root: PathBuf,
}

impl DirFs {
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
        }
    }

    /// The full path, or `None` for a path that leaves the context.
    fn full(&self, rel: &str) -> Option<PathBuf> {
        if rel.split('/').any(|s| s == "..") {
            return None;
        }
        Some(if rel.is_empty() {
            self.root.clone()
        } else {
            self.root.join(rel)
        })
    }
}

impl ContextFs for DirFs {
    fn is_file(&self, path: &str) -> bool {
        self.full(path).is_some_and(|p| p.is_file())
    }

    fn is_dir(&self, path: &str) -> bool {
        self.full(path).is_some_and(|p| p.is_dir())
    }

    /// Regular files only (a FIFO would block), and none too large to be a
    /// manifest: an unreadable file is one the transforms leave alone.
    fn read(&self, path: &str) -> Option<Vec<u8>> {
        crate::read::read_regular(&self.full(path)?, crate::read::MAX_SIZE)
            .ok()
            .map(|(bytes, _)| bytes)
    }

    fn list(&self, dir: &str) -> Vec<String> {
        let Some(p) = self.full(dir) else {
            return Vec::new();
        };
        let Ok(rd) = std::fs::read_dir(p) else {
            return Vec::new();
        };
        let mut names: Vec<String> = rd
            .flatten()
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .collect();
        names.sort();
        names
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn reads_only_regular_files_within_the_limit() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("app.py"), "print(1)\n").unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(d.path().join("pipe"))
            .status();
        assert!(made.unwrap().success());
        let big = std::fs::File::create(d.path().join("big.tar")).unwrap();
        big.set_len(crate::read::MAX_SIZE + 1).unwrap();
        let fs = DirFs::new(d.path());
        assert_eq!(fs.read("app.py").as_deref(), Some(&b"print(1)\n"[..]));
        assert_eq!(fs.read("pipe"), None);
        assert_eq!(fs.read("big.tar"), None);
        assert!(!fs.is_file("pipe"));
    }
}
