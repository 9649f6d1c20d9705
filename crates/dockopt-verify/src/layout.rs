//! Images as builders export them: an OCI image layout (`buildah push
//! IMAGE oci:DIR:REF`, `podman image save --format oci-dir`) or a `docker
//! save` / `podman image save` archive, unpacked into a directory. Several
//! images may share one layout; each layer is read once.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Deserialize;

use crate::layer::{self, Layer};
use crate::tree::FileTree;

#[derive(Deserialize)]
struct Index {
    manifests: Vec<Descriptor>,
}

#[derive(Deserialize)]
struct Descriptor {
    #[serde(rename = "mediaType", default)]
    media_type: String,
    digest: String,
    #[serde(default)]
    annotations: HashMap<String, String>,
}

#[derive(Deserialize)]
struct Manifest {
    config: Descriptor,
    layers: Vec<Descriptor>,
}

/// One entry of a `docker save` archive's `manifest.json`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ArchiveEntry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    layers: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct History {
    #[serde(default)]
    pub created_by: String,
    #[serde(default)]
    pub empty_layer: bool,
}

#[derive(Deserialize)]
struct ConfigFile {
    #[serde(default)]
    config: serde_json::Value,
    #[serde(default)]
    history: Vec<History>,
}

/// A layer of an image: its size once uncompressed, and the instruction
/// that made it when the image's history tells.
#[derive(Clone, Debug)]
pub struct LayerInfo {
    /// The blob's name in the export: the same layer has the same key.
    pub key: String,
    pub size: u64,
    pub created_by: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Image {
    /// The runtime configuration (`Env`, `Cmd`, ...), as JSON.
    pub config: serde_json::Value,
    pub layers: Vec<LayerInfo>,
    pub tree: FileTree,
}

impl Image {
    pub fn size(&self) -> u64 {
        self.layers.iter().map(|l| l.size).sum()
    }
}

enum Kind {
    Oci,
    Archive(Vec<ArchiveEntry>),
}

pub struct Layout {
    root: PathBuf,
    kind: Kind,
    cache: Mutex<HashMap<String, Arc<Layer>>>,
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> io::Result<T> {
    let bytes = std::fs::read(path)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    serde_json::from_slice(&bytes).map_err(|e| invalid(format!("{}: {e}", path.display())))
}

/// `docker.io/library/x:tag`, `localhost/x:tag` and `x:tag` name one image.
fn same_ref(a: &str, b: &str) -> bool {
    fn short(r: &str) -> &str {
        let r = r
            .strip_prefix("docker.io/")
            .or_else(|| r.strip_prefix("localhost/"))
            .unwrap_or(r);
        r.strip_prefix("library/").unwrap_or(r)
    }
    short(a) == short(b)
}

impl Layout {
    pub fn open(root: &Path) -> io::Result<Self> {
        // `docker save` writes both since Docker 25; its manifest.json names
        // images by full tag, its index.json by tag alone.
        let kind = if root.join("manifest.json").is_file() {
            Kind::Archive(read_json(&root.join("manifest.json"))?)
        } else if root.join("oci-layout").is_file() {
            Kind::Oci
        } else {
            return Err(invalid(format!(
                "{}: neither an OCI layout nor a docker archive",
                root.display()
            )));
        };
        Ok(Self {
            root: root.to_path_buf(),
            kind,
            cache: Mutex::new(HashMap::new()),
        })
    }

    fn blob(&self, digest: &str) -> io::Result<PathBuf> {
        let (algo, hex) = digest
            .split_once(':')
            .ok_or_else(|| invalid(format!("bad digest {digest:?}")))?;
        if hex.contains('/') || algo.contains('/') {
            return Err(invalid(format!("bad digest {digest:?}")));
        }
        Ok(self.root.join("blobs").join(algo).join(hex))
    }

    fn inside(&self, rel: &str) -> io::Result<PathBuf> {
        if rel.split('/').any(|s| s == "..") {
            return Err(invalid(format!("path leaves the archive: {rel}")));
        }
        Ok(self.root.join(rel))
    }

    /// The config file and layer files of the image named `reference`.
    fn locate(&self, reference: &str) -> io::Result<(PathBuf, Vec<(String, PathBuf)>)> {
        match &self.kind {
            Kind::Oci => {
                let index: Index = read_json(&self.root.join("index.json"))?;
                let wanted = index.manifests.iter().find(|m| {
                    m.annotations
                        .get("org.opencontainers.image.ref.name")
                        .is_some_and(|r| r == reference || same_ref(r, reference))
                });
                let desc = match (wanted, index.manifests.as_slice()) {
                    (Some(d), _) => d,
                    (None, [only]) if reference.is_empty() => only,
                    _ => {
                        return Err(invalid(format!(
                            "{}: no image named {reference:?}",
                            self.root.display()
                        )))
                    }
                };
                if desc.media_type.contains("index") || desc.media_type.contains("list") {
                    return Err(invalid(format!(
                        "{reference}: a multi-platform index; export one platform"
                    )));
                }
                let manifest: Manifest = read_json(&self.blob(&desc.digest)?)?;
                let layers = manifest
                    .layers
                    .iter()
                    .map(|l| Ok((l.digest.clone(), self.blob(&l.digest)?)))
                    .collect::<io::Result<_>>()?;
                Ok((self.blob(&manifest.config.digest)?, layers))
            }
            Kind::Archive(entries) => {
                let entry = entries
                    .iter()
                    .find(|e| e.repo_tags.iter().flatten().any(|t| same_ref(t, reference)))
                    .or(match entries.as_slice() {
                        [only] if reference.is_empty() => Some(only),
                        _ => None,
                    })
                    .ok_or_else(|| {
                        invalid(format!(
                            "{}: no image named {reference:?}",
                            self.root.display()
                        ))
                    })?;
                let layers = entry
                    .layers
                    .iter()
                    .map(|l| Ok((l.clone(), self.inside(l)?)))
                    .collect::<io::Result<_>>()?;
                Ok((self.inside(&entry.config)?, layers))
            }
        }
    }

    fn layer(&self, key: &str, path: &Path) -> io::Result<Arc<Layer>> {
        if let Some(hit) = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(key)
        {
            return Ok(hit.clone());
        }
        let layer = Arc::new(
            layer::read_file(path)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?,
        );
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key.to_string(), layer.clone());
        Ok(layer)
    }

    /// Reads the distinct layers of these images on all cores, so that
    /// `image` finds them read.
    pub fn preload(&self, references: &[&str]) -> io::Result<()> {
        let mut todo: Vec<(String, PathBuf)> = Vec::new();
        for r in references {
            for l in self.locate(r)?.1 {
                if !todo.iter().any(|t| t.0 == l.0) {
                    todo.push(l);
                }
            }
        }
        let next = std::sync::atomic::AtomicUsize::new(0);
        let workers = std::thread::available_parallelism()
            .map_or(2, std::num::NonZero::get)
            .min(todo.len().max(1));
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    s.spawn(|| -> io::Result<()> {
                        loop {
                            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let Some((key, path)) = todo.get(i) else {
                                return Ok(());
                            };
                            self.layer(key, path)?;
                        }
                    })
                })
                .collect();
            handles.into_iter().try_for_each(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(io::Error::other("layer reader panicked")))
            })
        })
    }

    /// Reads one image: configuration, layers and file tree. An empty
    /// reference picks the only image of the export.
    pub fn image(&self, reference: &str) -> io::Result<Image> {
        let (config_path, layer_paths) = self.locate(reference)?;
        let cfg: ConfigFile = read_json(&config_path)?;
        let read: Vec<Arc<Layer>> = layer_paths
            .iter()
            .map(|(key, p)| self.layer(key, p))
            .collect::<io::Result<_>>()?;
        let tree = FileTree::from_layers(read.iter().map(|l| l.entries.as_slice()));
        let made_by = layer_history(&cfg.history, read.len());
        let layers = layer_paths
            .iter()
            .zip(&read)
            .enumerate()
            .map(|(i, ((key, _), l))| LayerInfo {
                key: key.clone(),
                size: l.size,
                created_by: made_by.as_ref().map(|m| m[i].clone()),
            })
            .collect();
        Ok(Image {
            config: cfg.config,
            layers,
            tree,
        })
    }
}

/// Instructions that never make a layer.
const METADATA: &[&str] = &[
    "CMD",
    "ENTRYPOINT",
    "ENV",
    "LABEL",
    "EXPOSE",
    "USER",
    "VOLUME",
    "STOPSIGNAL",
    "HEALTHCHECK",
    "ARG",
    "ONBUILD",
    "SHELL",
    "MAINTAINER",
];

/// The instruction as a Dockerfile would spell it, from a history entry.
pub fn instruction(created_by: &str) -> String {
    let s = created_by.trim();
    if let Some(rest) = s.split_once("#(nop)").map(|(_, r)| r.trim()) {
        return rest.to_string();
    }
    // buildah and the classic builder: `|N ARG=.. /bin/sh -c CMD`.
    let s = if s.starts_with('|') {
        s.split_once(" /bin/sh -c ")
            .map_or(s, |(_, r)| r)
            .to_string()
    } else {
        s.strip_prefix("/bin/sh -c ").unwrap_or(s).to_string()
    };
    let first = s.split_whitespace().next().unwrap_or("");
    if first.chars().all(|c| c.is_ascii_uppercase()) && !first.is_empty() {
        s.strip_suffix(" # buildkit").unwrap_or(&s).to_string()
    } else {
        format!("RUN {s}")
    }
}

fn makes_layer(h: &History) -> bool {
    let ins = instruction(&h.created_by);
    let word = ins.split_whitespace().next().unwrap_or("");
    if METADATA.contains(&word) {
        return false;
    }
    if matches!(word, "ADD" | "COPY" | "RUN") {
        return true;
    }
    !h.empty_layer
}

/// The instruction behind each layer, or `None` when the history does not
/// line up with the layers. Some builders mark base history entries
/// wrongly, so metadata instructions never count as layers.
fn layer_history(history: &[History], layers: usize) -> Option<Vec<String>> {
    let by_flag: Vec<&History> = history.iter().filter(|h| !h.empty_layer).collect();
    let by_word: Vec<&History> = history.iter().filter(|h| makes_layer(h)).collect();
    let pick = if by_word.len() == layers {
        by_word
    } else if by_flag.len() == layers {
        by_flag
    } else {
        return None;
    };
    Some(pick.iter().map(|h| instruction(&h.created_by)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(created_by: &str, empty_layer: bool) -> History {
        History {
            created_by: created_by.into(),
            empty_layer,
        }
    }

    #[test]
    fn instructions_read_from_history() {
        assert_eq!(
            instruction("/bin/sh -c #(nop) CMD [\"bash\"]"),
            "CMD [\"bash\"]"
        );
        assert_eq!(
            instruction("|1 V=2 /bin/sh -c apt-get update"),
            "RUN apt-get update"
        );
        assert_eq!(instruction("COPY . . # buildkit"), "COPY . .");
        assert_eq!(
            instruction("RUN /bin/sh -c make # buildkit"),
            "RUN /bin/sh -c make"
        );
    }

    #[test]
    fn misflagged_base_history_still_lines_up() {
        // buildah marks the base ADD empty and its CMD not.
        let hist = [
            h("/bin/sh -c #(nop) ADD file:abc in / ", true),
            h("/bin/sh -c #(nop) CMD [\"bash\"]", false),
            h("/bin/sh -c apt-get update", false),
            h("/bin/sh -c #(nop) CMD x", true),
        ];
        let got = layer_history(&hist, 2).unwrap();
        assert_eq!(got, ["ADD file:abc in /", "RUN apt-get update"]);
        assert!(layer_history(&hist, 5).is_none());
    }

    #[test]
    fn refs_match_across_registries_spellings() {
        assert!(same_ref("docker.io/library/x:1", "x:1"));
        assert!(same_ref("localhost/x:1", "x:1"));
        assert!(!same_ref("x:1", "x:2"));
    }
}

#[cfg(test)]
mod layout_tests {
    //! Synthetic exports written to disk and read back: an OCI layout with
    //! two images sharing a gzip base layer, and a `docker save` archive.

    use std::io::Write;

    use sha2::{Digest, Sha256};

    use super::*;
    use crate::compare::{compare_trees, Explainer};
    use crate::config;
    use crate::layer::Kind;

    enum Item<'a> {
        File(&'a str, &'a str, u32),
        Dir(&'a str),
        Link(&'a str, &'a str),
    }

    fn layer(items: &[Item<'_>]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for item in items {
            let mut h = tar::Header::new_gnu();
            h.set_uid(0);
            h.set_gid(0);
            h.set_mtime(0);
            match item {
                Item::File(path, text, mode) => {
                    h.set_size(text.len() as u64);
                    h.set_mode(*mode);
                    h.set_entry_type(tar::EntryType::Regular);
                    b.append_data(&mut h, path, text.as_bytes()).unwrap();
                }
                Item::Dir(path) => {
                    h.set_size(0);
                    h.set_mode(0o755);
                    h.set_entry_type(tar::EntryType::Directory);
                    b.append_data(&mut h, path, &[][..]).unwrap();
                }
                Item::Link(path, target) => {
                    h.set_size(0);
                    h.set_mode(0o777);
                    h.set_entry_type(tar::EntryType::Symlink);
                    b.append_link(&mut h, path, target).unwrap();
                }
            }
        }
        b.into_inner().unwrap()
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    fn blob(root: &Path, bytes: &[u8]) -> String {
        let hex = format!("{:x}", Sha256::digest(bytes));
        let dir = root.join("blobs/sha256");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(&hex), bytes).unwrap();
        format!("sha256:{hex}")
    }

    fn image(root: &Path, layers: &[Vec<u8>], config: &serde_json::Value) -> String {
        let layer_descs: Vec<serde_json::Value> = layers
            .iter()
            .map(|l| {
                serde_json::json!({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": blob(root, l), "size": l.len()})
            })
            .collect();
        let cfg = serde_json::to_vec(config).unwrap();
        let manifest = serde_json::json!({"schemaVersion": 2,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": blob(root, &cfg), "size": cfg.len()},
            "layers": layer_descs});
        blob(root, &serde_json::to_vec(&manifest).unwrap())
    }

    fn base() -> Vec<u8> {
        gzip(&layer(&[
            Item::Dir("etc/"),
            Item::File("etc/os-release", "debian 12\n", 0o644),
            Item::Dir("var/lib/apt/lists/"),
            Item::Dir("usr/bin/"),
            Item::File("usr/bin/tool", "#!/bin/sh\n", 0o755),
            Item::Link("usr/bin/alias", "tool"),
        ]))
    }

    #[test]
    fn an_oci_layout_with_shared_layers_whiteouts_and_config_changes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
        // The original: lists in one layer, the app in another, then the
        // tool deleted and an opaque /srv.
        let original = [
            base(),
            layer(&[
                Item::File("var/lib/apt/lists/deb_Packages", "packages", 0o644),
                Item::Dir("srv/"),
                Item::File("srv/old", "old", 0o644),
            ]),
            layer(&[
                Item::Dir("app/"),
                Item::File("app/main.py", "print(1)\n", 0o644),
                Item::File("app/config.ini", "[app]\n", 0o644),
                Item::File("usr/bin/.wh.tool", "", 0o644),
                Item::Dir("srv/"),
                Item::File("srv/.wh..wh..opq", "", 0o644),
                Item::File("srv/new", "new", 0o644),
            ]),
        ];
        // The rewrite: no lists, main.py changed and executable, no
        // config.ini, the same /srv.
        let rewritten = [
            base(),
            layer(&[
                Item::Dir("app/"),
                Item::File("app/main.py", "print(2)\n", 0o755),
                Item::File("usr/bin/.wh.tool", "", 0o644),
                Item::Dir("srv/"),
                Item::File("srv/new", "new", 0o644),
            ]),
        ];
        let hist = |n: usize| -> Vec<serde_json::Value> {
            (0..n)
                .map(|i| serde_json::json!({"created_by": format!("/bin/sh -c step{i}")}))
                .collect()
        };
        let a = image(
            root,
            &original,
            &serde_json::json!({"config": {"Cmd": ["/bin/sh", "-c", "python app/main.py"], "Env": ["A=1"]}, "history": hist(3)}),
        );
        let b = image(
            root,
            &rewritten,
            &serde_json::json!({"config": {"Cmd": ["python", "app/main.py"], "Env": ["A=2"]}, "history": hist(2)}),
        );
        std::fs::write(
            root.join("index.json"),
            serde_json::to_vec(&serde_json::json!({"schemaVersion": 2, "manifests": [
                {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": a, "annotations": {"org.opencontainers.image.ref.name": "original"}},
                {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": b, "annotations": {"org.opencontainers.image.ref.name": "rewritten"}}
            ]}))
            .unwrap(),
        )
        .unwrap();

        let layout = Layout::open(root).unwrap();
        layout.preload(&["original", "rewritten"]).unwrap();
        let old = layout.image("original").unwrap();
        let new = layout.image("rewritten").unwrap();
        assert_eq!(old.layers.len(), 3);
        assert_eq!(old.layers[0].key, new.layers[0].key, "the base is shared");
        assert_eq!(old.layers[2].created_by.as_deref(), Some("RUN step2"));
        assert!(old.layers.iter().all(|l| l.size >= 1024), "tar sizes");
        assert_eq!(old.size(), old.layers.iter().map(|l| l.size).sum::<u64>());
        // Whiteouts and the opaque directory applied.
        assert!(old.tree.get("/usr/bin/tool").is_none());
        assert!(old.tree.get("/srv/old").is_none());
        assert!(old.tree.get("/srv/new").is_some());
        assert!(
            matches!(&old.tree.get("/usr/bin/alias").unwrap().node.kind, Kind::Symlink(t) if t == "tool")
        );

        let d = compare_trees(&old.tree, &new.tree, &Explainer::new(&["apt"]));
        let paths =
            |l: &[crate::compare::FileChange]| l.iter().map(|c| c.path.clone()).collect::<Vec<_>>();
        assert_eq!(paths(&d.removed), ["/app/config.ini"]);
        assert_eq!(paths(&d.changed), ["/app/main.py"]);
        assert_eq!(d.changed[0].what, ["content", "mode"]);
        assert!(d.added.is_empty());
        assert_eq!(d.explained[0].reason, "apt");
        assert_eq!(d.explained[0].removed, 1);

        let exec_form = crate::intent::for_rule("exec-form").unwrap();
        let cfg = config::compare(&old.config, &new.config, &[exec_form], None);
        assert_eq!(cfg.len(), 2);
        assert_eq!(cfg[0].key, "Env.A");
        assert!(cfg[0].explained_by.is_none());
        assert_eq!(cfg[1].key, "Cmd");
        assert_eq!(cfg[1].explained_by.as_deref(), Some("exec-form"));
    }

    #[test]
    fn a_docker_save_archive_is_read_by_tag() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("l1")).unwrap();
        std::fs::write(root.join("l1/layer.tar"), base()).unwrap();
        std::fs::write(
            root.join("cfg.json"),
            r#"{"config":{"User":"app"},"history":[]}"#,
        )
        .unwrap();
        std::fs::write(
            root.join("manifest.json"),
            r#"[{"Config":"cfg.json","RepoTags":["localhost/app:original"],"Layers":["l1/layer.tar"]}]"#,
        )
        .unwrap();
        let layout = Layout::open(root).unwrap();
        let img = layout.image("app:original").unwrap();
        assert_eq!(img.config["User"], "app");
        assert!(img.tree.get("/etc/os-release").is_some());
        assert_eq!(img.layers[0].created_by, None, "no history");
        assert!(layout.image("app:other").is_err());
        assert!(Layout::open(&root.join("l1")).is_err());
    }
}
