//! An image's file tree: its layers applied in order, whiteouts included.

use std::collections::BTreeMap;

use crate::layer::{Entry, Node, Op};

/// A path's state and the index of the layer that last wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placed {
    pub node: Node,
    pub layer: usize,
}

#[derive(Clone, Debug, Default)]
pub struct FileTree {
    pub nodes: BTreeMap<String, Placed>,
}

impl FileTree {
    /// Applies layers bottom to top.
    pub fn from_layers<'a>(layers: impl IntoIterator<Item = &'a [Entry]>) -> Self {
        let mut tree = Self::default();
        for (i, entries) in layers.into_iter().enumerate() {
            tree.apply(i, entries);
        }
        tree
    }

    /// Whiteouts hide what lower layers wrote, never what this layer writes,
    /// whatever their order in the tar stream.
    pub fn apply(&mut self, index: usize, entries: &[Entry]) {
        for e in entries {
            match e.op {
                Op::Whiteout => self.remove_all(&e.path, true),
                Op::Opaque => self.remove_all(&e.path, false),
                _ => {}
            }
        }
        for e in entries {
            match &e.op {
                Op::Put(node) => {
                    // A file replacing a directory hides what was below it.
                    if !matches!(node.kind, crate::layer::Kind::Dir) {
                        self.remove_all(&e.path, false);
                    }
                    self.nodes.insert(
                        e.path.clone(),
                        Placed {
                            node: node.clone(),
                            layer: index,
                        },
                    );
                }
                Op::Link(target) => {
                    if let Some(t) = self.nodes.get(target).cloned() {
                        self.nodes.insert(
                            e.path.clone(),
                            Placed {
                                node: t.node,
                                layer: index,
                            },
                        );
                    }
                }
                Op::Whiteout | Op::Opaque => {}
            }
        }
    }

    /// Removes everything below `path`, and `path` itself when `itself`.
    fn remove_all(&mut self, path: &str, itself: bool) {
        if itself {
            self.nodes.remove(path);
        }
        let prefix = if path == "/" {
            "/".to_string()
        } else {
            format!("{path}/")
        };
        let below: Vec<String> = self
            .nodes
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect();
        for k in below {
            self.nodes.remove(&k);
        }
    }

    pub fn get(&self, path: &str) -> Option<&Placed> {
        self.nodes.get(path)
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::Kind;

    pub fn file(path: &str, content: &str) -> Entry {
        Entry {
            path: path.into(),
            op: Op::Put(Node {
                kind: Kind::File {
                    sha256: content.into(),
                    size: content.len() as u64,
                },
                mode: 0o644,
                uid: 0,
                gid: 0,
            }),
        }
    }

    fn dir(path: &str) -> Entry {
        Entry {
            path: path.into(),
            op: Op::Put(Node {
                kind: Kind::Dir,
                mode: 0o755,
                uid: 0,
                gid: 0,
            }),
        }
    }

    fn op(path: &str, op: Op) -> Entry {
        Entry {
            path: path.into(),
            op,
        }
    }

    fn paths(t: &FileTree) -> Vec<&str> {
        t.nodes.keys().map(String::as_str).collect()
    }

    #[test]
    fn whiteout_removes_a_lower_file_and_its_children() {
        let l0 = vec![
            dir("/a"),
            file("/a/x", "1"),
            dir("/a/d"),
            file("/a/d/y", "2"),
        ];
        let l1 = vec![op("/a/d", Op::Whiteout), op("/a/x", Op::Whiteout)];
        let t = FileTree::from_layers([l0.as_slice(), l1.as_slice()]);
        assert_eq!(paths(&t), ["/a"]);
    }

    #[test]
    fn opaque_dir_keeps_only_its_own_layer() {
        let l0 = vec![dir("/a"), file("/a/old", "1"), file("/b", "2")];
        // The new file comes before the marker in the stream: it stays.
        let l1 = vec![file("/a/new", "3"), op("/a", Op::Opaque), dir("/a")];
        let t = FileTree::from_layers([l0.as_slice(), l1.as_slice()]);
        assert_eq!(paths(&t), ["/a", "/a/new", "/b"]);
        assert_eq!(t.get("/a/new").unwrap().layer, 1);
    }

    #[test]
    fn later_layer_replaces_and_hard_links_copy_their_target() {
        let l0 = vec![file("/f", "1")];
        let l1 = vec![file("/f", "2"), op("/g", Op::Link("/f".into()))];
        let t = FileTree::from_layers([l0.as_slice(), l1.as_slice()]);
        assert_eq!(t.get("/f").unwrap().node, t.get("/g").unwrap().node);
        assert!(
            matches!(&t.get("/g").unwrap().node.kind, Kind::File { sha256, .. } if sha256 == "2")
        );
    }

    #[test]
    fn a_file_over_a_directory_hides_its_children() {
        let l0 = vec![dir("/d"), file("/d/x", "1")];
        let l1 = vec![file("/d", "now a file")];
        let t = FileTree::from_layers([l0.as_slice(), l1.as_slice()]);
        assert_eq!(paths(&t), ["/d"]);
    }

    #[test]
    fn whiteout_then_recreate_in_the_same_layer() {
        let l0 = vec![file("/etc/conf", "old")];
        let l1 = vec![file("/etc/conf", "new"), op("/etc/conf", Op::Whiteout)];
        let t = FileTree::from_layers([l0.as_slice(), l1.as_slice()]);
        assert!(
            matches!(&t.get("/etc/conf").unwrap().node.kind, Kind::File { sha256, .. } if sha256 == "new")
        );
    }
}
