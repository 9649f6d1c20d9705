//! File trees compared path by path. Each difference is either explained
//! (by an applied fix, the Dockerfile itself, a new base image or build
//! noise) and summarised per reason, or listed as added, removed or changed.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Serialize;

use crate::intent::{self, Intent};
use crate::layer::{Kind, Node};
use crate::tree::{FileTree, Placed};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileState {
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Permission bits in octal, such as `0755`.
    pub mode: String,
    /// `uid:gid`.
    pub owner: String,
}

impl FileState {
    fn of(n: &Node) -> Self {
        let (kind, sha256, size_bytes, link) = match &n.kind {
            Kind::File { sha256, size } => ("file", Some(sha256.clone()), Some(*size), None),
            Kind::Dir => ("dir", None, None, None),
            Kind::Symlink(t) => ("symlink", None, None, Some(t.clone())),
            Kind::Special(_) => ("special", None, None, None),
        };
        Self {
            kind,
            sha256,
            size_bytes,
            link,
            mode: format!("{:04o}", n.mode),
            owner: format!("{}:{}", n.uid, n.gid),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileChange {
    pub path: String,
    /// For a directory added or removed whole: how many paths below it
    /// are folded into this entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entries_below: Option<usize>,
    /// For a changed path: `kind`, `content`, `link`, `mode`, `owner`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub what: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original: Option<FileState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rewritten: Option<FileState>,
}

impl FileChange {
    /// `/app/config.ini (file, 25 bytes)`, `/usr/lib/gcc (dir, 210 entries)`.
    pub fn describe(&self) -> String {
        let state = self.rewritten.as_ref().or(self.original.as_ref());
        let mut s = self.path.clone();
        if let Some(st) = state {
            let _ = write!(s, " ({}", st.kind);
            if let Some(n) = self.entries_below {
                let _ = write!(s, ", {n} entries below");
            } else if let Some(b) = st.size_bytes {
                let _ = write!(s, ", {b} bytes");
            }
            if !self.what.is_empty() {
                let _ = write!(s, ": {}", self.what.join(", "));
            }
            s.push(')');
        }
        s
    }
}

/// Differences explained by one reason, summarised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Explained {
    /// A rule name, `dockerfile`, `base image` or `build noise`.
    pub reason: String,
    pub summary: String,
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
    /// Bytes of regular files the original has here and the rewrite not.
    pub bytes_removed: u64,
    pub bytes_added: u64,
    /// A few of the paths.
    pub examples: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FileDiffs {
    /// Paths compared: the union of both trees.
    pub compared: usize,
    pub added: Vec<FileChange>,
    pub removed: Vec<FileChange>,
    pub changed: Vec<FileChange>,
    pub explained: Vec<Explained>,
}

impl FileDiffs {
    pub fn unexplained(&self) -> usize {
        self.added.len() + self.removed.len() + self.changed.len()
    }
}

struct Compiled {
    intent: &'static Intent,
    paths: GlobSet,
    adds: GlobSet,
}

/// `X{,/**}` (a path and everything below it) is written out as two
/// globs: globset takes no empty alternative.
fn globs(patterns: &[&str]) -> GlobSet {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let expanded = match p.strip_suffix("{,/**}") {
            Some(stem) => vec![stem.to_string(), format!("{stem}/**")],
            None => vec![(*p).to_string()],
        };
        for e in expanded {
            if let Ok(g) = GlobBuilder::new(&e).literal_separator(true).build() {
                b.add(g);
            }
        }
    }
    b.build().unwrap_or_else(|_| GlobSet::empty())
}

/// Decides which differences are on purpose.
pub struct Explainer {
    rules: Vec<Compiled>,
    noise: GlobSet,
    /// SHA-256 of the original and the rewritten Dockerfile: a copy of the
    /// Dockerfile in the image changes with it.
    pub dockerfile: Option<(String, String)>,
    /// Context paths (relative, `/`-separated) that only the rewrite's
    /// proposed `.dockerignore` leaves out.
    pub context_excluded: Vec<String>,
    /// How many bottom layers each image takes from its base, when the
    /// rewrite changed the base.
    pub base_layers: Option<(usize, usize)>,
}

const DOCKERFILE: &str = "dockerfile";
const BASE: &str = "base image";
const NOISE: &str = "build noise";

impl Explainer {
    /// For the rules that were applied; unknown names announce nothing.
    pub fn new<S: AsRef<str>>(applied: &[S]) -> Self {
        let mut rules = Vec::new();
        for name in applied {
            let Some(i) = intent::for_rule(name.as_ref()) else {
                continue;
            };
            if rules.iter().any(|c: &Compiled| c.intent.rule == i.rule) {
                continue;
            }
            rules.push(Compiled {
                intent: i,
                paths: globs(i.paths),
                adds: globs(i.adds),
            });
        }
        Self {
            rules,
            noise: globs(intent::NOISE),
            dockerfile: None,
            context_excluded: Vec::new(),
            base_layers: None,
        }
    }

    pub fn intents(&self) -> Vec<&'static Intent> {
        self.rules.iter().map(|c| c.intent).collect()
    }

    fn is_dockerfile_copy(&self, old: Option<&Placed>, new: Option<&Placed>) -> bool {
        let Some((a, b)) = &self.dockerfile else {
            return false;
        };
        let hash = |p: Option<&Placed>| match p.map(|p| &p.node.kind) {
            Some(Kind::File { sha256, .. }) => Some(sha256.clone()),
            _ => None,
        };
        hash(old).as_ref() == Some(a) && hash(new).as_ref() == Some(b)
    }

    fn is_inherited(&self, old: Option<&Placed>, new: Option<&Placed>) -> bool {
        let Some((a, b)) = self.base_layers else {
            return false;
        };
        old.is_none_or(|p| p.layer < a) && new.is_none_or(|p| p.layer < b)
    }

    fn excluded_from_context(&self, path: &str) -> bool {
        self.context_excluded
            .iter()
            .any(|rel| path.ends_with(&format!("/{rel}")))
    }

    /// The reason for a difference at `path`, or `None` if nothing explains
    /// it. Build noise explains a path changed in place, or added or
    /// removed in a directory both images have (a new log file), never a
    /// whole directory that one image lacks.
    pub fn explain(
        &self,
        path: &str,
        old: Option<&Placed>,
        new: Option<&Placed>,
        parent_in_both: bool,
    ) -> Option<(&'static str, &'static str)> {
        if self.is_dockerfile_copy(old, new) {
            return Some((DOCKERFILE, "the Dockerfile, copied into the image"));
        }
        for c in &self.rules {
            let i = c.intent;
            let hit = if old.is_some() {
                c.paths.is_match(path)
            } else {
                c.adds.is_match(path) || c.paths.is_match(path)
            };
            let hit = hit
                || (i.context && old.is_some() && self.excluded_from_context(path))
                || (i.base && self.is_inherited(old, new));
            if hit {
                return Some(if i.base && self.is_inherited(old, new) {
                    (BASE, "taken from each image's own base")
                } else {
                    (i.rule, i.summary)
                });
            }
        }
        let in_place = (old.is_some() && new.is_some()) || parent_in_both;
        if in_place && self.noise.is_match(path) {
            return Some((NOISE, intent::NOISE_SUMMARY));
        }
        None
    }
}

fn what_changed(a: &Node, b: &Node) -> Vec<&'static str> {
    let mut what = Vec::new();
    match (&a.kind, &b.kind) {
        (Kind::File { sha256: x, .. }, Kind::File { sha256: y, .. }) if x != y => {
            what.push("content");
        }
        (Kind::Symlink(x), Kind::Symlink(y)) if x != y => what.push("link"),
        (x, y) if std::mem::discriminant(x) != std::mem::discriminant(y) => what.push("kind"),
        _ => {}
    }
    if a.mode != b.mode {
        what.push("mode");
    }
    if (a.uid, a.gid) != (b.uid, b.gid) {
        what.push("owner");
    }
    what
}

fn file_bytes(p: Option<&Placed>) -> u64 {
    match p.map(|p| &p.node.kind) {
        Some(Kind::File { size, .. }) => *size,
        _ => 0,
    }
}

/// Folds the paths below a listed directory into its entry.
fn fold(list: Vec<FileChange>) -> Vec<FileChange> {
    let mut out: Vec<FileChange> = Vec::new();
    for c in list {
        if let Some(last) = out.last_mut() {
            let is_dir = last
                .original
                .as_ref()
                .or(last.rewritten.as_ref())
                .is_some_and(|s| s.kind == "dir");
            if is_dir && c.path.starts_with(&format!("{}/", last.path)) {
                *last.entries_below.get_or_insert(0) += 1;
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// Compares two trees.
pub fn compare_trees(old: &FileTree, new: &FileTree, explainer: &Explainer) -> FileDiffs {
    let mut keys: Vec<&String> = old.nodes.keys().chain(new.nodes.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut diffs = FileDiffs {
        compared: keys.len(),
        ..FileDiffs::default()
    };
    let mut groups: BTreeMap<&'static str, Explained> = BTreeMap::new();
    let mut order: Vec<&'static str> = Vec::new();
    for path in keys {
        let (a, b) = (old.get(path), new.get(path));
        let what = match (a, b) {
            (Some(before), Some(after)) => {
                let what = what_changed(&before.node, &after.node);
                if what.is_empty() {
                    continue;
                }
                what
            }
            _ => Vec::new(),
        };
        let change = FileChange {
            path: path.clone(),
            entries_below: None,
            what,
            original: a.map(|p| FileState::of(&p.node)),
            rewritten: b.map(|p| FileState::of(&p.node)),
        };
        let parent = path
            .rsplit_once('/')
            .map_or("/", |(p, _)| if p.is_empty() { "/" } else { p });
        let parent_in_both =
            parent == "/" || (old.get(parent).is_some() && new.get(parent).is_some());
        if let Some((reason, summary)) = explainer.explain(path, a, b, parent_in_both) {
            let g = groups.entry(reason).or_insert_with(|| {
                order.push(reason);
                Explained {
                    reason: reason.to_string(),
                    summary: summary.to_string(),
                    added: 0,
                    removed: 0,
                    changed: 0,
                    bytes_removed: 0,
                    bytes_added: 0,
                    examples: Vec::new(),
                }
            });
            match (a, b) {
                (Some(_), Some(_)) => g.changed += 1,
                (Some(_), None) => g.removed += 1,
                _ => g.added += 1,
            }
            g.bytes_removed += file_bytes(a);
            g.bytes_added += file_bytes(b);
            if g.examples.len() < 3 {
                g.examples.push(path.clone());
            }
            continue;
        }
        match (a, b) {
            (Some(_), Some(_)) => diffs.changed.push(change),
            (Some(_), None) => diffs.removed.push(change),
            _ => diffs.added.push(change),
        }
    }
    diffs.added = fold(diffs.added);
    diffs.removed = fold(diffs.removed);
    // The fixes first, then what no fix announces.
    order.sort_by_key(|r| ([BASE, DOCKERFILE, NOISE].iter().position(|x| x == r), *r));
    diffs.explained = order.into_iter().filter_map(|r| groups.remove(r)).collect();
    diffs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::{Entry, Op};

    fn put(path: &str, kind: Kind, mode: u32) -> Entry {
        Entry {
            path: path.into(),
            op: Op::Put(Node {
                kind,
                mode,
                uid: 0,
                gid: 0,
            }),
        }
    }

    fn file(path: &str, content: &str) -> Entry {
        put(
            path,
            Kind::File {
                sha256: content.into(),
                size: content.len() as u64,
            },
            0o644,
        )
    }

    fn dir(path: &str) -> Entry {
        put(path, Kind::Dir, 0o755)
    }

    fn wh(path: &str) -> Entry {
        Entry {
            path: path.into(),
            op: Op::Whiteout,
        }
    }

    fn tree(layers: &[Vec<Entry>]) -> FileTree {
        FileTree::from_layers(layers.iter().map(Vec::as_slice))
    }

    fn base() -> Vec<Entry> {
        vec![
            dir("/etc"),
            file("/etc/os-release", "debian"),
            dir("/app"),
            dir("/var/lib/apt/lists"),
        ]
    }

    #[test]
    fn added_removed_and_changed_files() {
        let old = tree(&[
            base(),
            vec![
                file("/app/main.py", "v1"),
                file("/app/config.ini", "x"),
                file("/app/run.sh", "sh"),
            ],
        ]);
        let mut run = file("/app/run.sh", "sh");
        if let Op::Put(n) = &mut run.op {
            n.mode = 0o755;
            n.uid = 1000;
        }
        let new = tree(&[
            base(),
            vec![
                file("/app/main.py", "v2"),
                run,
                file("/app/extra", "e"),
                put("/app/link", Kind::Symlink("main.py".into()), 0o777),
            ],
        ]);
        let d = compare_trees(&old, &new, &Explainer::new::<&str>(&[]));
        let paths = |l: &[FileChange]| l.iter().map(|c| c.path.clone()).collect::<Vec<_>>();
        assert_eq!(paths(&d.added), ["/app/extra", "/app/link"]);
        assert_eq!(paths(&d.removed), ["/app/config.ini"]);
        assert_eq!(paths(&d.changed), ["/app/main.py", "/app/run.sh"]);
        assert_eq!(d.changed[0].what, ["content"]);
        assert_eq!(d.changed[1].what, ["mode", "owner"]);
        assert_eq!(d.changed[1].rewritten.as_ref().unwrap().mode, "0755");
        assert!(d.explained.is_empty());
    }

    #[test]
    fn whiteouts_across_layers_count_as_removed() {
        // The original installs then deletes in a later layer; the rewrite
        // never writes the file. Both end without it: no difference.
        let old = tree(&[
            base(),
            vec![
                file("/var/lib/apt/lists/pkgs", "lists"),
                file("/tmp/x", "1"),
            ],
            vec![wh("/var/lib/apt/lists/pkgs"), wh("/tmp/x")],
        ]);
        let new = tree(&[base(), vec![]]);
        let d = compare_trees(&old, &new, &Explainer::new::<&str>(&[]));
        assert_eq!(d.unexplained(), 0, "{d:?}");
        // A whiteout in the rewrite of a base file is a removal.
        let new = tree(&[base(), vec![wh("/etc/os-release")]]);
        let d = compare_trees(&old, &new, &Explainer::new::<&str>(&[]));
        assert_eq!(d.removed[0].path, "/etc/os-release");
    }

    #[test]
    fn a_directory_and_its_contents_are_both_explained() {
        let old = tree(&[
            base(),
            vec![
                dir("/root/.npm/_cacache"),
                file("/root/.npm/_cacache/x", "1"),
            ],
        ]);
        let new = tree(&[base()]);
        let d = compare_trees(&old, &new, &Explainer::new(&["package-cache"]));
        assert_eq!(d.unexplained(), 0, "{d:?}");
        assert_eq!(d.explained[0].removed, 2);
    }

    #[test]
    fn noise_explains_new_logs_but_not_a_missing_directory() {
        let old = tree(&[
            base(),
            vec![
                dir("/root/.npm/_logs"),
                file("/root/.npm/_logs/1.log", "a"),
                dir("/root/.npm/_cacache/index-v5"),
                file("/root/.npm/_cacache/index-v5/ab", "time 1"),
            ],
        ]);
        let new = tree(&[
            base(),
            vec![dir("/root/.npm/_logs"), file("/root/.npm/_logs/2.log", "b")],
        ]);
        let d = compare_trees(&old, &new, &Explainer::new::<&str>(&[]));
        let noise = d
            .explained
            .iter()
            .find(|e| e.reason == "build noise")
            .unwrap();
        assert_eq!((noise.added, noise.removed), (1, 1));
        let removed: Vec<&str> = d.removed.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(removed, ["/root/.npm/_cacache/index-v5"], "{d:?}");
    }

    #[test]
    fn a_native_module_makefile_is_noise_but_its_binary_is_not() {
        let mk = "/app/node_modules/bcrypt/build-tmp-napi-v3/Makefile";
        let bin = "/app/node_modules/bcrypt/lib/binding/napi-v3/bcrypt_lib.node";
        let old = tree(&[base(), vec![file(mk, "a b"), file(bin, "x")]]);
        let new = tree(&[base(), vec![file(mk, "b a"), file(bin, "y")]]);
        let d = compare_trees(&old, &new, &Explainer::new::<&str>(&[]));
        let changed: Vec<&str> = d.changed.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(changed, [bin], "{d:?}");
    }

    #[test]
    fn a_fix_explains_what_it_removes_and_nothing_else() {
        let old = tree(&[
            base(),
            vec![
                file("/var/lib/apt/lists/deb_Packages", "big list"),
                file("/app/needed.txt", "data"),
            ],
        ]);
        let new = tree(&[base(), vec![]]);
        let d = compare_trees(&old, &new, &Explainer::new(&["apt", "merge-runs"]));
        assert_eq!(d.removed.len(), 1);
        assert_eq!(d.removed[0].path, "/app/needed.txt");
        assert_eq!(d.explained.len(), 1);
        let e = &d.explained[0];
        assert_eq!(
            (e.reason.as_str(), e.removed, e.bytes_removed),
            ("apt", 1, 8)
        );
        // Without the apt fix applied, the lists are unexplained too.
        let d = compare_trees(&old, &new, &Explainer::new(&["merge-runs"]));
        assert_eq!(d.removed.len(), 2);
    }

    #[test]
    fn removed_directories_fold_their_contents() {
        let old = tree(&[
            base(),
            vec![
                dir("/opt/tool"),
                file("/opt/tool/a", "1"),
                file("/opt/tool/b", "2"),
            ],
        ]);
        let new = tree(&[base()]);
        let d = compare_trees(&old, &new, &Explainer::new::<&str>(&[]));
        assert_eq!(d.removed.len(), 1);
        assert_eq!(d.removed[0].entries_below, Some(2));
        assert_eq!(d.removed[0].describe(), "/opt/tool (dir, 2 entries below)");
    }

    #[test]
    fn the_dockerfile_noise_context_and_base_are_explained() {
        let old = tree(&[
            base(),
            vec![
                file("/app/Dockerfile", "old-df"),
                file("/var/log/dpkg.log", "a"),
                file("/app/.env", "secret"),
                file("/usr/bin/gcc", "gcc"),
            ],
        ]);
        let new = tree(&[
            vec![dir("/etc"), file("/etc/os-release", "trixie"), dir("/app")],
            vec![
                file("/app/Dockerfile", "new-df"),
                file("/var/log/dpkg.log", "b"),
            ],
        ]);
        let mut ex = Explainer::new(&["dockerignore"]);
        ex.dockerfile = Some(("old-df".into(), "new-df".into()));
        ex.context_excluded = vec![".env".into()];
        let d = compare_trees(&old, &new, &ex);
        let reasons: Vec<&str> = d.explained.iter().map(|e| e.reason.as_str()).collect();
        assert_eq!(reasons, ["dockerignore", "dockerfile", "build noise"]);
        // gcc came in a build layer and the base changed without a split:
        // unexplained, as are the base's own differences.
        let paths: Vec<&str> = d
            .removed
            .iter()
            .chain(&d.changed)
            .chain(&d.added)
            .map(|c| c.path.as_str())
            .collect();
        assert_eq!(
            paths,
            ["/usr/bin/gcc", "/var/lib/apt/lists", "/etc/os-release"]
        );

        let mut ex = Explainer::new(&["multi-stage-split"]);
        ex.base_layers = Some((1, 1));
        let d = compare_trees(&old, &new, &ex);
        let base = d
            .explained
            .iter()
            .find(|e| e.reason == "base image")
            .unwrap();
        assert_eq!((base.changed, base.removed), (1, 1));
        // /usr/bin/gcc came from a build step, not from the base.
        let removed: Vec<&str> = d.removed.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(removed, ["/app/.env", "/usr/bin/gcc"]);
    }
}
