//! `dockopt pin`: resolve every image tag to a digest, write the digests into
//! the Dockerfiles (`FROM python:3.12-slim@sha256:…`) and record them in
//! `dockopt.lock`.
//!
//! Without `--update` the lock decides: a tag it records is pinned to its
//! digest with no network; a tag it lacks is pinned to the digest already
//! written in a Dockerfile, or else resolved. `--update` resolves every tag
//! again. `--check` and `--diff` write nothing.

pub mod credentials;
pub mod lockfile;
pub mod registry;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use dockopt_engine::image::{self, ImageRef, Site, Target};
use dockopt_engine::lock::{Locked, FILE_NAME};
use dockopt_engine::suppress::Suppressions;
use dockopt_engine::Edit;

use crate::args::PinArgs;
use crate::discover::{discover, Input};
use crate::Status;

/// `docker.io/library/python` and `3.12-slim`.
type Key = (String, String);

fn key_of(img: &ImageRef) -> Key {
    (img.repository(), img.tag_or_latest().to_string())
}

struct File {
    path: PathBuf,
    display: String,
    source: Vec<u8>,
    /// The metadata of the file `source` was read from: a write checks the
    /// file is still that one.
    meta: std::fs::Metadata,
    tree: dockopt_syntax::SyntaxTree,
    sites: Vec<Site>,
}

impl File {
    fn at(&self, site: &Site) -> String {
        let lc = self.tree.line_col(site.range.start);
        format!("{}:{}:{}", self.display, lc.line, lc.col)
    }
}

/// The digest a tag is pinned to, and where it came from.
#[derive(Clone, Debug)]
struct Pick {
    digest: String,
    media_type: Option<String>,
    platforms: Option<Vec<String>>,
    /// Whether the registry was asked just now.
    fresh: bool,
}

fn now_rfc3339() -> String {
    // SOURCE_DATE_EPOCH, as reproducible builds set it, fixes the time.
    let t = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .map_or_else(SystemTime::now, |s| {
            SystemTime::UNIX_EPOCH + Duration::from_secs(s)
        });
    humantime::format_rfc3339_seconds(t).to_string()
}

fn display(p: &Path) -> String {
    let s = p.display().to_string();
    s.strip_prefix("./").map_or(s.clone(), str::to_string)
}

/// The lock to read and write: `--lock`, else the nearest `dockopt.lock`
/// from the current directory upward, else a new one here.
fn lock_path(args: &PinArgs) -> PathBuf {
    if let Some(p) = &args.lock {
        return p.clone();
    }
    let here = std::fs::canonicalize(".").ok();
    match lockfile::find(Path::new(".")) {
        // Shown as the user would write it.
        Some(p) if p.parent() == here.as_deref() => PathBuf::from(FILE_NAME),
        Some(p) => p,
        None => PathBuf::from(FILE_NAME),
    }
}

fn load_files(args: &PinArgs, err: &mut Vec<String>) -> Vec<File> {
    let (inputs, walk_errors) = discover(&args.paths, &args.exclude);
    err.extend(
        walk_errors
            .into_iter()
            .map(|(p, why)| format!("{}: error: {why}", p.display())),
    );
    let mut files = Vec::new();
    for input in inputs {
        let Input::File(path) = input else {
            err.push("-: error: `dockopt pin` works on files, not standard input".into());
            continue;
        };
        let display = display(&path);
        let (source, meta) = match crate::read::read_regular(&path, crate::read::MAX_SIZE) {
            Ok(x) => x,
            Err(e) => {
                err.push(format!("{display}: error: {e}"));
                continue;
            }
        };
        if source.iter().take(8192).any(|&b| b == 0) {
            err.push(format!("{display}: error: binary file, not a Dockerfile"));
            continue;
        }
        let tree = dockopt_syntax::parse(source.clone());
        if let Some(e) = tree
            .errors()
            .iter()
            .find(|e| e.severity == dockopt_syntax::Severity::Error)
        {
            err.push(crate::commands::diagnostic_line(&path, &tree, e) + " (file not pinned)");
            continue;
        }
        let suppressed = Suppressions::from_tree(&tree);
        let sites = image::sites(&tree)
            .into_iter()
            .filter(|s| !suppressed.is_suppressed("DKR015", "base-digest", s.range.start))
            .collect();
        files.push(File {
            path,
            display,
            source,
            meta,
            tree,
            sites,
        });
    }
    files
}

fn client(args: &PinArgs) -> Result<registry::Client, String> {
    let creds = credentials::Credentials::load()?;
    let mirror = args
        .registry_mirror
        .clone()
        .or_else(|| std::env::var("DOCKOPT_REGISTRY_MIRROR").ok())
        .filter(|m| !m.is_empty());
    let certs_dir = args
        .certs_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from("/etc/docker/certs.d"));
    Ok(registry::Client::new(
        registry::Options {
            insecure: args.insecure_registry.clone(),
            mirror,
            certs_dir,
        },
        creds,
    ))
}

/// Resolves tags on a few threads; results in key order.
fn resolve_all(
    client: &registry::Client,
    wanted: &[(Key, ImageRef)],
) -> BTreeMap<Key, Result<registry::Resolved, String>> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let out = std::sync::Mutex::new(BTreeMap::new());
    std::thread::scope(|s| {
        for _ in 0..wanted.len().min(4) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((k, img)) = wanted.get(i) else { break };
                let r = client.resolve(img);
                out.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .insert(k.clone(), r);
            });
        }
    });
    out.into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn unified(path: &str, old: &[u8], new: &[u8]) -> String {
    let (a, b) = (String::from_utf8_lossy(old), String::from_utf8_lossy(new));
    similar::TextDiff::from_lines(a.as_ref(), b.as_ref())
        .unified_diff()
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

#[allow(clippy::too_many_lines)]
pub fn run(args: &PinArgs) -> Status {
    let mut errors: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut out = std::io::stdout().lock();
    let quiet = args.quiet;

    let lock_path = lock_path(args);
    let old_lock = if lock_path.is_file() {
        match lockfile::read_with_meta(&lock_path) {
            Ok(l) => Some(l),
            Err(e) => {
                eprintln!("{e}");
                return Status::Error;
            }
        }
    } else {
        None
    };
    let lock = old_lock
        .as_ref()
        .map(|(l, _, _)| l.clone())
        .unwrap_or_default();
    let files = load_files(args, &mut errors);
    let refresh = args.update || args.check;

    // Every tag, the first image reference naming it, and a digest already
    // written for it.
    let mut tags: BTreeMap<Key, (ImageRef, Option<String>)> = BTreeMap::new();
    for f in &files {
        for s in &f.sites {
            match &s.target {
                Target::Image(img) if img.tag.is_some() || img.digest.is_none() => {
                    let e = tags.entry(key_of(img)).or_insert((img.clone(), None));
                    if e.1.is_none() {
                        e.1.clone_from(&img.digest);
                    }
                }
                Target::Unresolved(why) => {
                    notes.push(format!("{}: note: {why}; left as it is", f.at(s)));
                }
                _ => {}
            }
        }
    }

    let wanted: Vec<(Key, ImageRef)> = tags
        .iter()
        .filter(|(_, (img, written))| refresh || (lock.get(img).is_none() && written.is_none()))
        .map(|(k, (img, _))| (k.clone(), img.clone()))
        .collect();
    let resolved = if wanted.is_empty() {
        BTreeMap::new()
    } else {
        match client(args) {
            Ok(c) => resolve_all(&c, &wanted),
            Err(e) => {
                eprintln!("{e}");
                return Status::Error;
            }
        }
    };

    let mut targets: BTreeMap<Key, Pick> = BTreeMap::new();
    for (k, (img, written)) in &tags {
        let t = if let Some(r) = resolved.get(k) {
            match r {
                Ok(r) => Some(Pick {
                    digest: r.digest.clone(),
                    media_type: r.media_type.clone(),
                    platforms: r.platforms.clone(),
                    fresh: true,
                }),
                Err(e) => {
                    let at = files
                        .iter()
                        .find_map(|f| {
                            f.sites
                                .iter()
                                .find(|s| matches!(&s.target, Target::Image(i) if key_of(i) == *k))
                                .map(|s| f.at(s))
                        })
                        .unwrap_or_default();
                    errors.push(format!("{at}: error: {e}"));
                    None
                }
            }
        } else if let Some(e) = lock.get(img) {
            Some(Pick {
                digest: e.digest.clone(),
                media_type: e.media_type.clone(),
                platforms: e.platforms.clone(),
                fresh: false,
            })
        } else {
            written.as_ref().map(|d| Pick {
                digest: d.clone(),
                media_type: None,
                platforms: None,
                fresh: false,
            })
        };
        if let Some(t) = t {
            targets.insert(k.clone(), t);
        }
    }

    // Edits per file, and what `--check` reports.
    let mut problems = 0usize;
    let mut changed_files: Vec<(&File, Vec<u8>)> = Vec::new();
    let mut pinned = 0usize;
    for f in &files {
        let mut edits: Vec<Edit> = Vec::new();
        for s in &f.sites {
            let Target::Image(img) = &s.target else {
                continue;
            };
            let Some(t) = targets.get(&key_of(img)) else {
                continue;
            };
            if img.tag.is_none() && img.digest.is_some() {
                continue;
            }
            if let (Some(want), Some(list)) = (&s.platform, &t.platforms) {
                if !list.iter().any(|p| image::platform_matches(want, p)) {
                    notes.push(format!(
                        "{}: warning: {} has no {want} image (it has {}); the build will fail",
                        f.at(s),
                        img.familiar(),
                        list.join(", ")
                    ));
                }
            }
            if img.digest.as_deref() == Some(t.digest.as_str()) {
                continue;
            }
            let what = match &img.digest {
                None => format!("{} is not pinned", img.familiar()),
                Some(d) if t.fresh => format!(
                    "{} is pinned to {d}, but the tag now names {}",
                    img.familiar(),
                    t.digest
                ),
                Some(d) => format!(
                    "{} is pinned to {d}, but {} records {}",
                    img.familiar(),
                    display(&lock_path),
                    t.digest
                ),
            };
            if args.check {
                problems += 1;
                let _ = writeln!(out, "{}: {what}", f.at(s));
                continue;
            }
            if !quiet && !args.diff {
                let _ = writeln!(
                    out,
                    "{}: pinned {} to {}",
                    f.at(s),
                    img.familiar(),
                    t.digest
                );
            }
            pinned += 1;
            let (range, text) = s.pin_edit(&t.digest);
            edits.push(Edit::replace(range, text));
        }
        if edits.is_empty() {
            continue;
        }
        edits.sort_by_key(|e| (e.range.start, e.range.end));
        let refs: Vec<&Edit> = edits.iter().collect();
        let new = dockopt_engine::fix::apply(&f.source, &refs, false);
        let new_tree = dockopt_syntax::parse(new.clone());
        if new_tree.errors().len() > f.tree.errors().len()
            || new_tree.print() != new
            || image::sites(&new_tree).len() != image::sites(&f.tree).len()
        {
            errors.push(format!(
                "{}: error: internal error: the pinned file would not parse the same; left unchanged",
                f.display
            ));
            continue;
        }
        changed_files.push((f, new));
    }

    // The new lock: every tag pinned now; a digest that did not change keeps
    // the time it was first resolved.
    let mut new_lock = lock.clone();
    let now = now_rfc3339();
    for ((repo, tag), t) in &targets {
        let old = new_lock
            .images
            .iter()
            .find(|e| e.repository == *repo && e.tag == *tag)
            .cloned();
        let resolved_at = match &old {
            Some(o) if o.digest == t.digest => o.resolved.clone(),
            _ => now.clone(),
        };
        new_lock.set(Locked {
            repository: repo.clone(),
            tag: tag.clone(),
            digest: t.digest.clone(),
            media_type: t
                .media_type
                .clone()
                .or_else(|| old.as_ref().and_then(|o| o.media_type.clone())),
            platforms: t.platforms.clone().or_else(|| {
                old.as_ref()
                    .filter(|o| o.digest == t.digest)
                    .and_then(|o| o.platforms.clone())
            }),
            resolved: resolved_at,
        });
    }
    let old_text = old_lock.as_ref().map(|(l, _, _)| l.to_text());
    let new_text = new_lock.to_text();
    let lock_changed = old_text.as_deref() != Some(new_text.as_str()) && !targets.is_empty();
    let lock_display = display(&lock_path);

    if args.check {
        for ((repo, tag), t) in &targets {
            let recorded = lock
                .images
                .iter()
                .find(|e| e.repository == *repo && e.tag == *tag);
            let img = &tags[&(repo.clone(), tag.clone())].0;
            match recorded {
                None => {
                    problems += 1;
                    let _ = writeln!(out, "{lock_display}: {} is not recorded", img.familiar());
                }
                Some(e) if e.digest != t.digest => {
                    problems += 1;
                    let _ = writeln!(
                        out,
                        "{lock_display}: {} records {}, but the tag now names {}",
                        img.familiar(),
                        e.digest,
                        t.digest
                    );
                }
                _ => {}
            }
        }
    } else if args.diff {
        for (f, new) in &changed_files {
            let _ = write!(out, "{}", unified(&f.display, &f.source, new));
        }
        if lock_changed {
            let old = old_text.clone().unwrap_or_default();
            let _ = write!(
                out,
                "{}",
                unified(&lock_display, old.as_bytes(), new_text.as_bytes())
            );
        }
    } else {
        for (f, new) in &changed_files {
            if let Err(e) = crate::write::replace(&f.path, &f.source, &f.meta, new) {
                errors.push(format!("{}: error: {e}", f.display));
            }
        }
        if lock_changed {
            let written = match &old_lock {
                Some((_, bytes, meta)) => {
                    crate::write::replace(&lock_path, bytes, meta, new_text.as_bytes())
                }
                None => crate::write::create_new(&lock_path, new_text.as_bytes()),
            };
            if let Err(e) = written {
                errors.push(format!("{lock_display}: error: {e}"));
            }
        }
    }

    for n in &notes {
        eprintln!("{n}");
    }
    for e in &errors {
        eprintln!("{e}");
    }
    if !quiet && !args.diff {
        if args.check {
            let _ = writeln!(
                out,
                "{} image reference(s) checked in {} file(s): {}",
                files.iter().map(|f| f.sites.len()).sum::<usize>(),
                files.len(),
                if problems == 0 {
                    "all pinned and current".to_string()
                } else {
                    format!("{problems} unpinned or stale")
                }
            );
        } else {
            let _ = writeln!(
                out,
                "Pinned {pinned} reference(s) in {} file(s){}",
                changed_files.len(),
                if lock_changed {
                    format!("; wrote {lock_display}")
                } else {
                    String::new()
                }
            );
        }
    }
    let _ = out.flush();
    let status = if errors.is_empty() {
        Status::Clean
    } else {
        Status::Error
    };
    let found = if args.check {
        problems > 0
    } else {
        args.diff && (!changed_files.is_empty() || lock_changed)
    };
    status.worst(if found {
        Status::Findings
    } else {
        Status::Clean
    })
}
