//! The build context a Dockerfile is built with, seen through its
//! `.dockerignore`. The engine does no I/O: the caller supplies a
//! [`ContextFs`].

use std::collections::BTreeMap;

use crate::dockerignore::DockerIgnore;

/// Read access to the files of a build context, by context-relative,
/// `/`-separated path.
pub trait ContextFs: Sync {
    fn is_file(&self, path: &str) -> bool;
    fn is_dir(&self, path: &str) -> bool;
    fn read(&self, path: &str) -> Option<Vec<u8>>;
    /// Names of the entries of a directory (`""` is the root).
    fn list(&self, dir: &str) -> Vec<String>;

    /// The first `len` bytes of a file (all of it when shorter). Override
    /// to avoid reading a large file whole.
    fn read_head(&self, path: &str, len: usize) -> Option<Vec<u8>> {
        self.read(path).map(|mut v| {
            v.truncate(len);
            v
        })
    }
}

/// A build context: files plus the ignore rules that filter them.
pub struct BuildContext<'a> {
    fs: &'a dyn ContextFs,
    ignore: DockerIgnore,
    has_ignore_file: bool,
}

impl<'a> BuildContext<'a> {
    pub fn new(fs: &'a dyn ContextFs, ignore: Option<DockerIgnore>) -> Self {
        Self {
            fs,
            has_ignore_file: ignore.is_some(),
            ignore: ignore.unwrap_or_default(),
        }
    }

    /// Whether the context has an ignore file at all.
    pub fn has_dockerignore(&self) -> bool {
        self.has_ignore_file
    }

    pub fn dockerignore(&self) -> &DockerIgnore {
        &self.ignore
    }

    pub fn is_ignored(&self, path: &str) -> bool {
        self.ignore.is_ignored(path)
    }

    /// A file that exists and is sent to the builder.
    pub fn is_file(&self, path: &str) -> bool {
        let path = normalize(path);
        self.fs.is_file(&path) && !self.is_ignored(&path)
    }

    pub fn is_dir(&self, path: &str) -> bool {
        let path = normalize(path);
        self.fs.is_dir(&path) && (path.is_empty() || !self.is_ignored(&path))
    }

    /// Reads a file that is sent to the builder.
    pub fn read(&self, path: &str) -> Option<Vec<u8>> {
        let path = normalize(path);
        if self.is_ignored(&path) {
            return None;
        }
        self.fs.read(&path)
    }

    /// Entries of a directory that are sent to the builder.
    pub fn list(&self, dir: &str) -> Vec<String> {
        let dir = normalize(dir);
        self.fs
            .list(&dir)
            .into_iter()
            .filter(|name| {
                let p = if dir.is_empty() {
                    name.clone()
                } else {
                    format!("{dir}/{name}")
                };
                !self.is_ignored(&p)
            })
            .collect()
    }

    /// The first `len` bytes of a file that is sent to the builder.
    pub fn read_head(&self, path: &str, len: usize) -> Option<Vec<u8>> {
        let path = normalize(path);
        if self.is_ignored(&path) {
            return None;
        }
        self.fs.read_head(&path, len)
    }

    /// Every entry under `dir` that is sent to the builder, depth first in
    /// byte order of names (Go's `filepath.Walk` order), as context-relative
    /// paths with whether each is a directory. `dir` itself is not listed.
    pub fn walk(&self, dir: &str) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        self.walk_into(&normalize(dir), &mut out);
        out
    }

    fn walk_into(&self, dir: &str, out: &mut Vec<(String, bool)>) {
        let mut names = self.list(dir);
        names.sort_unstable();
        names.dedup();
        for name in names {
            let path = if dir.is_empty() {
                name
            } else {
                format!("{dir}/{name}")
            };
            let is_dir = self.fs.is_dir(&path);
            out.push((path.clone(), is_dir));
            if is_dir {
                self.walk_into(&path, out);
            }
        }
    }
}

/// Context-relative form: no leading `./` or `/`, cleaned, root is `""`.
pub fn normalize(path: &str) -> String {
    let p = crate::dockerignore::clean(path.trim_start_matches('/'));
    if p == "." {
        String::new()
    } else {
        p
    }
}

/// An in-memory context, for tests and for callers that already hold files.
#[derive(Clone, Debug, Default)]
pub struct MemoryFs {
    files: BTreeMap<String, Vec<u8>>,
}

impl MemoryFs {
    pub fn new() -> Self {
        Self::default()
    }

    #[must_use]
    pub fn with(mut self, path: &str, content: impl Into<Vec<u8>>) -> Self {
        self.files.insert(normalize(path), content.into());
        self
    }
}

impl ContextFs for MemoryFs {
    fn is_file(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    fn is_dir(&self, path: &str) -> bool {
        path.is_empty()
            || self
                .files
                .keys()
                .any(|k| k.starts_with(&format!("{path}/")))
    }

    fn read(&self, path: &str) -> Option<Vec<u8>> {
        self.files.get(path).cloned()
    }

    fn list(&self, dir: &str) -> Vec<String> {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let mut names: Vec<String> = self
            .files
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix))
            .map(|rest| rest.split('/').next().unwrap_or(rest).to_string())
            .collect();
        names.dedup();
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignored_files_are_invisible() {
        let fs = MemoryFs::new()
            .with("package.json", "{}")
            .with("node_modules/x/index.js", "")
            .with(".env", "SECRET=1");
        let di = DockerIgnore::from_patterns(&["node_modules", ".env"]).unwrap();
        let cx = BuildContext::new(&fs, Some(di));
        assert!(cx.is_file("./package.json"));
        assert!(!cx.is_file(".env"));
        assert!(!cx.is_dir("node_modules"));
        assert_eq!(cx.list(""), ["package.json"]);
        assert!(cx.read(".env").is_none());
    }

    #[test]
    fn walk_lists_in_go_order_without_ignored_entries() {
        let fs = MemoryFs::new()
            .with("a.txt", "1")
            .with("a/z", "2")
            .with("a/b/c", "3")
            .with("skip/x", "4")
            .with("big.bin", "0123456789");
        let di = DockerIgnore::from_patterns(&["skip"]).unwrap();
        let cx = BuildContext::new(&fs, Some(di));
        let walked: Vec<(String, bool)> = cx.walk("");
        let want = [
            ("a", true),
            ("a/b", true),
            ("a/b/c", false),
            ("a/z", false),
            ("a.txt", false),
            ("big.bin", false),
        ];
        assert_eq!(
            walked,
            want.map(|(p, d)| (p.to_string(), d)).to_vec(),
            "{walked:?}"
        );
        assert_eq!(cx.walk("a/b"), [("a/b/c".to_string(), false)]);
        assert_eq!(cx.read_head("big.bin", 4).as_deref(), Some(&b"0123"[..]));
        assert_eq!(cx.read_head("skip/x", 4), None);
    }
}
