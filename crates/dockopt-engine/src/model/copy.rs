//! Where `COPY` and `ADD` put each file, following BuildKit's converter
//! (`dispatchCopy`, `pathRelativeToWorkingDir`) and its copy backend
//! (fsutil's `Copy`: wildcard resolution, `prepareTargetDir`, include and
//! exclude patterns, `ADD`'s archive detection).
//!
//! The rules, as BuildKit applies them:
//! - A relative destination is joined to WORKDIR (`/` by default). A
//!   destination ending in `/` or `/.`, or written `.` or empty, names a
//!   directory, which is created.
//! - Each source is copied in turn. A file goes inside the destination when
//!   the destination is (by then) a directory, and becomes the destination
//!   otherwise. A directory's contents are merged into the destination.
//! - Several sources, or a wildcard, into a destination without a trailing
//!   slash are *not* an error in BuildKit (the classic builder refuses them
//!   with "When using COPY with more than one source file, the destination
//!   must be a directory and end with a /"): each file in turn replaces the
//!   last unless a directory source made the destination a directory. The
//!   plan says so in its notes ([`CopyNote::ClassicBuilderRejects`],
//!   [`CopyNote::Overwrites`]).
//! - Wildcards follow Go's `filepath.Match` on the part of the path from the
//!   first segment with `*`, `?` or `[`; `*` never crosses `/` and `**` is
//!   the same as `*`. A wildcard that matches nothing copies nothing.
//! - `--parents` keeps each match's path below the context root, or below a
//!   `/./` pivot; its patterns are `.dockerignore`-style, so `**` crosses
//!   directories there.
//! - `--exclude` patterns (`.dockerignore` syntax) match paths *inside* each
//!   copied source (relative to it, or to the pivot with `--parents`); a
//!   source named on the line, or matched by its wildcard, is never itself
//!   excluded.
//! - `.dockerignore` applies first: an ignored file is not in the context.
//! - `ADD` of a local tar archive (plain, gzip, bzip2, xz or zstd, told by
//!   content) unpacks into the destination as a directory. A plain tar is
//!   recognised exactly from its first header; a compressed file would need
//!   decompressing to know whether it holds a tar, so it is reported as an
//!   archive that is not verified. Archive contents are not listed.
//! - `ADD <url>`: a file named after the URL's last path segment
//!   (`__unnamed__` when there is none) is placed like a file source; it is
//!   unpacked only with `--unpack=true`. Git sources are cloned into the
//!   destination; their contents are unknown.
//! - `--from` sources live in another stage or image: their placements are
//!   [`PlacementKind::Unresolved`].
//!
//! What the image already holds at the destination is not in the text: the
//! caller answers through an [`ImagePath`] callback ("what is at this path
//! before this instruction"). Where it answers `Unknown`, a file placement
//! carries both candidates ([`Placement::if_dest_is_dir`]).

use std::collections::BTreeMap;
use std::fmt;

use crate::context::BuildContext;
use crate::dockerignore::{clean, Pattern};

/// `COPY` or `ADD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Instruction {
    Copy,
    Add,
}

/// One `COPY`/`ADD`, with words already expanded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyRequest {
    pub instruction: Instruction,
    /// Source paths, patterns or URLs, in order.
    pub sources: Vec<String>,
    /// Heredoc sources by name (`COPY <<app.conf /etc/` names `app.conf`),
    /// each written as a file of that name, after `sources`.
    pub heredocs: Vec<String>,
    pub dest: String,
    /// The stage's WORKDIR at this instruction (absolute).
    pub workdir: String,
    /// `--from`.
    pub from: Option<String>,
    pub parents: bool,
    pub excludes: Vec<String>,
    pub chown: Option<String>,
    pub chmod: Option<String>,
    pub link: bool,
    /// `ADD --unpack`.
    pub unpack: Option<bool>,
}

impl CopyRequest {
    pub fn new<S: Into<String>>(instruction: Instruction, sources: Vec<S>, dest: &str) -> Self {
        Self {
            instruction,
            sources: sources.into_iter().map(Into::into).collect(),
            heredocs: Vec::new(),
            dest: dest.to_string(),
            workdir: "/".to_string(),
            from: None,
            parents: false,
            excludes: Vec::new(),
            chown: None,
            chmod: None,
            link: false,
            unpack: None,
        }
    }
}

/// What the image holds at an absolute path before the instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImagePath {
    Dir,
    File,
    Missing,
    Unknown,
}

/// Compression of a local archive, told by its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Bzip2,
    Xz,
    Zstd,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unresolved {
    /// A path in another stage or image (`--from`).
    FromStage(String),
    /// A Git repository cloned into the destination.
    Git,
    /// No build context was given to look the source up in.
    NoContext,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlacementKind {
    /// The file `source` is written at `dest`.
    File,
    /// Everything under the directory `source` is merged into `dest`,
    /// except what `--exclude` and `.dockerignore` leave out.
    DirContents,
    /// The tar archive `source` is unpacked into the directory `dest`.
    /// `verified` is false for a compressed file that was not opened: if it
    /// holds no tar, BuildKit copies it as a file instead.
    Archive {
        compression: Compression,
        verified: bool,
    },
    /// A file downloaded from the URL `source`, unpacked if `unpack`.
    Url {
        unpack: bool,
    },
    /// The heredoc named `source`, written as a file.
    Heredoc,
    Unresolved(Unresolved),
}

/// Where one source (or one match of a wildcard) lands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    /// Context-relative path (`""` is the root), URL, heredoc name, or path
    /// in the `--from` stage.
    pub source: String,
    /// Absolute path in the image.
    pub dest: String,
    pub kind: PlacementKind,
    /// Where a file goes instead if `dest` turns out to be an existing
    /// directory; set only where the image's contents were `Unknown`.
    pub if_dest_is_dir: Option<String>,
    /// Prefix of this placement's paths in `--exclude` matching.
    exclude_base: String,
}

/// Facts about the instruction that are not errors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CopyNote {
    /// Several sources or wildcard matches into a destination without a
    /// trailing slash: BuildKit copies them, the classic builder refuses.
    ClassicBuilderRejects,
    /// A later source replaces the file an earlier one wrote here.
    Overwrites(String),
    /// A wildcard source matched nothing; BuildKit copies nothing for it.
    NoMatch(String),
}

/// The result: every placement in order, and the flags that travel with
/// them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyPlan {
    pub placements: Vec<Placement>,
    pub notes: Vec<CopyNote>,
    /// The destination resolved against WORKDIR.
    pub dest: String,
    /// Whether the destination is written as a directory.
    pub dest_is_dir: bool,
    pub chown: Option<String>,
    pub chmod: Option<String>,
    pub link: bool,
    /// `--exclude` patterns, as given.
    pub excludes: Vec<String>,
}

/// Why BuildKit fails the instruction; `Display` gives its message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CopyError {
    /// A source without wildcards that is not in the context (missing or
    /// ignored).
    NotFound(String),
    UrlInCopy,
    GitInCopy,
    /// A directory copied onto an existing file.
    DirOntoFile(String),
    /// A file copied onto an existing directory's path.
    FileOntoDir(String),
    /// A destination directory that is an existing file.
    NotADirectory(String),
    BadChmod(String),
    BadExclude(String),
}

impl fmt::Display for CopyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound(p) => write!(f, "\"/{p}\": not found"),
            Self::UrlInCopy => f.write_str("source can't be a URL for COPY"),
            Self::GitInCopy => f.write_str("source can't be a git ref for COPY"),
            Self::DirOntoFile(p) => write!(f, "cannot copy to non-directory: {p}"),
            Self::FileOntoDir(p) => write!(f, "cannot replace to directory {p} with file"),
            Self::NotADirectory(p) => write!(f, "mkdir {p}: not a directory"),
            Self::BadChmod(m) => write!(
                f,
                "invalid chmod parameter: '{m}'. it should be octal string and between 0 and 07777"
            ),
            Self::BadExclude(e) => write!(f, "invalid excludepatterns: {e}"),
        }
    }
}

impl std::error::Error for CopyError {}

/// Plans one `COPY`/`ADD`. `context` is the build context (with its
/// `.dockerignore`), `None` when there is none; `image` says what the image
/// holds at a path before the instruction.
pub fn plan_copy(
    req: &CopyRequest,
    context: Option<&BuildContext>,
    image: &dyn Fn(&str) -> ImagePath,
) -> Result<CopyPlan, CopyError> {
    if let Some(mode) = &req.chmod {
        check_chmod(mode)?;
    }
    let mut excludes = Vec::new();
    for e in &req.excludes {
        if let Some(p) = Pattern::new(e).map_err(CopyError::BadExclude)? {
            excludes.push(p);
        }
    }
    let (dest, dest_is_dir) = resolve_dest(&req.dest, &req.workdir);
    let mut p = Planner {
        image,
        excludes: &excludes,
        created: BTreeMap::new(),
        dest: dest.clone(),
        dest_is_dir,
        placements: Vec::new(),
        notes: Vec::new(),
    };
    for src in &req.sources {
        p.source(req, context, src)?;
    }
    for name in &req.heredocs {
        p.file(
            format!("<<{name}"),
            name,
            PlacementKind::Heredoc,
            String::new(),
        )?;
    }
    let copied = p
        .placements
        .iter()
        .filter(|pl| !matches!(pl.kind, PlacementKind::Unresolved(_)))
        .count();
    let (placements, mut notes) = (p.placements, p.notes);
    if !dest_is_dir && copied > 1 && !req.parents {
        notes.insert(0, CopyNote::ClassicBuilderRejects);
    }
    Ok(CopyPlan {
        placements,
        notes,
        dest,
        dest_is_dir,
        chown: req.chown.clone(),
        chmod: req.chmod.clone(),
        link: req.link,
        excludes: req.excludes.clone(),
    })
}

impl CopyPlan {
    /// Every file the plan leaves in the image from the context, as
    /// (context path, image path), in order: directory contents are listed
    /// through the context, `--exclude` applied, and a file written twice
    /// is listed once, from its last source. Archives, URLs, heredocs and
    /// unresolved sources are left out.
    pub fn files(&self, context: &BuildContext) -> Vec<(String, String)> {
        // Checked when the plan was made.
        let excludes: Vec<Pattern> = self
            .excludes
            .iter()
            .filter_map(|e| Pattern::new(e).ok().flatten())
            .collect();
        let mut out = Vec::new();
        for pl in &self.placements {
            match pl.kind {
                PlacementKind::File => out.push((pl.source.clone(), pl.dest.clone())),
                PlacementKind::DirContents => {
                    let prefix = if pl.source.is_empty() {
                        0
                    } else {
                        pl.source.len() + 1
                    };
                    for (path, is_dir) in context.walk(&pl.source) {
                        if is_dir {
                            continue;
                        }
                        let rel = &path[prefix..];
                        let key = join_rel(&pl.exclude_base, rel);
                        if excluded(&excludes, &key) {
                            continue;
                        }
                        out.push((path.clone(), join_abs(&pl.dest, rel)));
                    }
                }
                _ => {}
            }
        }
        let mut seen = std::collections::HashSet::new();
        let mut last: Vec<(String, String)> = out
            .into_iter()
            .rev()
            .filter(|(_, dest)| seen.insert(dest.clone()))
            .collect();
        last.reverse();
        last
    }
}

impl CopyPlan {
    /// The context path the plan leaves at the absolute image path `path`,
    /// and whether it is a folder: the last placement that writes there
    /// wins. Found through the placements, without listing the context.
    pub fn source_of(&self, context: &BuildContext, path: &str) -> Option<(String, bool)> {
        let excludes: Vec<Pattern> = self
            .excludes
            .iter()
            .filter_map(|e| Pattern::new(e).ok().flatten())
            .collect();
        for pl in self.placements.iter().rev() {
            match pl.kind {
                PlacementKind::File if pl.dest == path => return Some((pl.source.clone(), false)),
                PlacementKind::DirContents => {
                    let rel = if pl.dest == path {
                        ""
                    } else {
                        let dir = pl.dest.trim_end_matches('/');
                        match path.strip_prefix(dir).and_then(|r| r.strip_prefix('/')) {
                            Some(r) => r,
                            None => continue,
                        }
                    };
                    if !rel.is_empty() && excluded(&excludes, &join_rel(&pl.exclude_base, rel)) {
                        continue;
                    }
                    let src = join_rel(&pl.source, rel);
                    if context.is_file(&src) {
                        return Some((src, false));
                    }
                    if context.is_dir(&src) {
                        return Some((src, true));
                    }
                }
                _ => {}
            }
        }
        None
    }
}

struct Planner<'a> {
    image: &'a dyn Fn(&str) -> ImagePath,
    excludes: &'a [Pattern],
    /// Paths this instruction has written so far: true for directories.
    created: BTreeMap<String, bool>,
    dest: String,
    dest_is_dir: bool,
    placements: Vec<Placement>,
    notes: Vec<CopyNote>,
}

impl Planner<'_> {
    fn state(&self, path: &str) -> ImagePath {
        if let Some(&dir) = self.created.get(path) {
            return if dir { ImagePath::Dir } else { ImagePath::File };
        }
        let prefix = if path == "/" {
            "/".to_string()
        } else {
            format!("{path}/")
        };
        if self
            .created
            .range(prefix.clone()..)
            .next()
            .is_some_and(|(k, _)| k.starts_with(&prefix))
        {
            return ImagePath::Dir;
        }
        (self.image)(path)
    }

    fn mark(&mut self, path: &str, dir: bool) {
        let mut p = path;
        while let Some((parent, _)) = p.rsplit_once('/') {
            let parent = if parent.is_empty() { "/" } else { parent };
            self.created.insert(parent.to_string(), true);
            if parent == "/" {
                break;
            }
            p = parent;
        }
        self.created.insert(path.to_string(), dir);
    }

    fn ensure_dir(&self, path: &str) -> Result<(), CopyError> {
        if self.state(path) == ImagePath::File {
            return Err(CopyError::NotADirectory(path.to_string()));
        }
        Ok(())
    }

    /// A file named `base` from `source` copied to the destination.
    fn file(
        &mut self,
        source: String,
        base: &str,
        kind: PlacementKind,
        exclude_base: String,
    ) -> Result<(), CopyError> {
        let dest = self.dest.clone();
        let inside = join_abs(&dest, base);
        let (target, alt) = if self.dest_is_dir {
            self.ensure_dir(&dest)?;
            (inside, None)
        } else {
            match self.state(&dest) {
                ImagePath::Dir => (inside, None),
                ImagePath::File | ImagePath::Missing => (dest, None),
                ImagePath::Unknown => (dest, Some(inside)),
            }
        };
        if self.state(&target) == ImagePath::Dir {
            return Err(CopyError::FileOntoDir(target));
        }
        if self.created.get(&target) == Some(&false) {
            self.notes.push(CopyNote::Overwrites(target.clone()));
        }
        self.mark(&target, false);
        self.placements.push(Placement {
            source,
            dest: target,
            kind,
            if_dest_is_dir: alt,
            exclude_base,
        });
        Ok(())
    }

    /// A directory's contents (or an archive's) merged into `dest`.
    fn dir(
        &mut self,
        source: String,
        dest: String,
        kind: PlacementKind,
        exclude_base: String,
    ) -> Result<(), CopyError> {
        if self.state(&dest) == ImagePath::File {
            return Err(CopyError::DirOntoFile(dest));
        }
        self.mark(&dest, true);
        self.placements.push(Placement {
            source,
            dest,
            kind,
            if_dest_is_dir: None,
            exclude_base,
        });
        Ok(())
    }

    fn unresolved(&mut self, source: String, why: Unresolved) {
        self.placements.push(Placement {
            source,
            dest: self.dest.clone(),
            kind: PlacementKind::Unresolved(why),
            if_dest_is_dir: None,
            exclude_base: String::new(),
        });
    }

    fn source(
        &mut self,
        req: &CopyRequest,
        context: Option<&BuildContext>,
        src: &str,
    ) -> Result<(), CopyError> {
        let is_add = req.instruction == Instruction::Add;
        if req.from.is_none() && is_git_source(src) {
            if !is_add {
                return Err(CopyError::GitInCopy);
            }
            self.unresolved(src.to_string(), Unresolved::Git);
            return Ok(());
        }
        if req.from.is_none() && is_http_source(src) {
            if !is_add {
                return Err(CopyError::UrlInCopy);
            }
            let name = url_file_name(src);
            let unpack = req.unpack == Some(true);
            return self.file(
                src.to_string(),
                &name,
                PlacementKind::Url { unpack },
                String::new(),
            );
        }
        if let Some(stage) = &req.from {
            self.unresolved(
                clean(&format!("/{src}")),
                Unresolved::FromStage(stage.clone()),
            );
            return Ok(());
        }
        let Some(ctx) = context else {
            self.unresolved(relative(src), Unresolved::NoContext);
            return Ok(());
        };
        if req.parents {
            return self.parents(ctx, src);
        }
        let path = relative(src);
        let matches = if has_wildcards(&path) {
            let found = resolve_wildcards(ctx, &path)?;
            if found.is_empty() {
                self.notes.push(CopyNote::NoMatch(path));
            }
            found
        } else if ctx.is_dir(&path) {
            vec![(path, true)]
        } else if ctx.is_file(&path) {
            vec![(path, false)]
        } else {
            return Err(CopyError::NotFound(path));
        };
        for (m, is_dir) in matches {
            if is_dir {
                let dest = self.dest.clone();
                self.dir(m, dest, PlacementKind::DirContents, String::new())?;
                continue;
            }
            if is_add && req.unpack != Some(false) {
                if let Some(kind) = archive_kind(ctx, &m) {
                    let dest = self.dest.clone();
                    self.ensure_dir(&dest)?;
                    self.dir(m, dest, kind, String::new())?;
                    continue;
                }
            }
            let base = base_name(&m).to_string();
            self.file(m, &base, PlacementKind::File, String::new())?;
        }
        Ok(())
    }

    /// `--parents`: paths kept below the context root or the `/./` pivot.
    fn parents(&mut self, ctx: &BuildContext, src: &str) -> Result<(), CopyError> {
        let (pivot, pattern) = match src.split_once("/./") {
            Some((pivot, pattern)) => (relative(pivot), relative(pattern)),
            None => (String::new(), relative(src)),
        };
        if !has_wildcards(&pivot) && !has_wildcards(&pattern) {
            let required = join_rel(&pivot, &pattern);
            if !ctx.is_file(&required) && !ctx.is_dir(&required) {
                return Err(CopyError::NotFound(required));
            }
        }
        let include = Pattern::new(&pattern).map_err(CopyError::BadExclude)?;
        let roots = if has_wildcards(&pivot) {
            resolve_wildcards(ctx, &pivot)?
        } else {
            vec![(pivot.clone(), ctx.is_dir(&pivot))]
        };
        for (root, is_dir) in roots {
            if !is_dir {
                continue;
            }
            let prefix = if root.is_empty() { 0 } else { root.len() + 1 };
            let mut covered: Option<String> = None;
            for (path, entry_is_dir) in ctx.walk(&root) {
                let rel = path[prefix..].to_string();
                if let Some(c) = &covered {
                    if rel.starts_with(c.as_str()) && rel.as_bytes().get(c.len()) == Some(&b'/') {
                        continue;
                    }
                }
                let hit = match &include {
                    Some(p) => p.matches_or_parent(&rel),
                    None => true,
                };
                if !hit {
                    continue;
                }
                let dest = join_abs(&self.dest, &rel);
                if entry_is_dir {
                    covered = Some(rel.clone());
                    self.dir(path, dest, PlacementKind::DirContents, rel)?;
                } else if !excluded(self.excludes, &rel) {
                    self.file_at(path, dest)?;
                }
            }
        }
        Ok(())
    }

    /// A file written at an exact path (`--parents`).
    fn file_at(&mut self, source: String, target: String) -> Result<(), CopyError> {
        if self.state(&target) == ImagePath::Dir {
            return Err(CopyError::FileOntoDir(target));
        }
        if self.created.get(&target) == Some(&false) {
            self.notes.push(CopyNote::Overwrites(target.clone()));
        }
        self.mark(&target, false);
        self.placements.push(Placement {
            source,
            dest: target,
            kind: PlacementKind::File,
            if_dest_is_dir: None,
            exclude_base: String::new(),
        });
        Ok(())
    }
}

/// `patternmatcher`'s decision: the last pattern that matches the path or
/// one of its parents decides; `!` patterns re-include.
fn excluded(patterns: &[Pattern], path: &str) -> bool {
    let mut matched = false;
    for p in patterns {
        if p.is_exclusion() != matched {
            continue;
        }
        if p.matches_or_parent(path) {
            matched = !p.is_exclusion();
        }
    }
    matched
}

/// BuildKit's destination: absolute as given, or joined to WORKDIR; a
/// trailing `/` or `/.`, `.` or an empty destination names a directory.
fn resolve_dest(dest: &str, workdir: &str) -> (String, bool) {
    let dest = if dest.is_empty() || dest == "." {
        "./"
    } else {
        dest
    };
    let is_dir = dest.ends_with('/') || dest.ends_with("/.");
    let joined = if dest.starts_with('/') {
        clean(dest)
    } else {
        clean(&format!("/{workdir}/{dest}"))
    };
    (joined, is_dir)
}

/// A source as a context-relative path: `..` cannot leave the root and a
/// trailing slash is dropped.
fn relative(src: &str) -> String {
    let c = clean(&format!("/{src}"));
    c.trim_start_matches('/').to_string()
}

fn join_abs(dir: &str, rel: &str) -> String {
    if rel.is_empty() {
        dir.to_string()
    } else if dir == "/" {
        format!("/{rel}")
    } else {
        format!("{dir}/{rel}")
    }
}

fn join_rel(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a}/{b}"),
    }
}

fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// fsutil's `containsWildcards`: `*`, `?` or `[`, a `\` escaping the next
/// character.
fn has_wildcards(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'*' | b'?' | b'[' => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

/// fsutil's `ResolveWildcards` over the context: the segments before the
/// first one with a wildcard are a fixed directory; the rest is matched
/// with `filepath.Match` against each path below it, in walk order, not
/// descending into a matched directory.
fn resolve_wildcards(ctx: &BuildContext, path: &str) -> Result<Vec<(String, bool)>, CopyError> {
    let segments: Vec<&str> = path.split('/').collect();
    let split = segments
        .iter()
        .position(|s| has_wildcards(s))
        .unwrap_or(segments.len());
    let base = segments[..split].join("/");
    let pattern: Vec<char> = segments[split..].join("/").chars().collect();
    let depth = segments.len() - split;
    // The fixed part must exist: fsutil walks it and fails if it cannot.
    if !base.is_empty() && !ctx.is_dir(&base) {
        return Err(CopyError::NotFound(base));
    }
    let prefix = if base.is_empty() { 0 } else { base.len() + 1 };
    let mut out: Vec<(String, bool)> = Vec::new();
    for (entry, is_dir) in ctx.walk(&base) {
        let rel = &entry[prefix..];
        // Skip what lies inside an earlier match or deeper than the pattern.
        if let Some((m, true)) = out.last() {
            if entry.starts_with(m.as_str()) && entry.as_bytes().get(m.len()) == Some(&b'/') {
                continue;
            }
        }
        if rel.split('/').count() > depth {
            continue;
        }
        let name: Vec<char> = rel.chars().collect();
        if go_match(&pattern, &name) {
            out.push((entry, is_dir));
        }
    }
    Ok(out)
}

/// Go's `filepath.Match` on `/`-separated paths; a malformed pattern
/// matches nothing (BuildKit ignores the error).
fn go_match(p: &[char], s: &[char]) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some('*') => {
            let rest = &p[1..];
            for i in 0..=s.len() {
                if go_match(rest, &s[i..]) {
                    return true;
                }
                if i < s.len() && s[i] == '/' {
                    break;
                }
            }
            false
        }
        Some('?') => !s.is_empty() && s[0] != '/' && go_match(&p[1..], &s[1..]),
        Some('[') => {
            let Some(&c) = s.first() else { return false };
            match match_class(&p[1..], c) {
                Some((true, used)) => go_match(&p[1 + used..], &s[1..]),
                _ => false,
            }
        }
        Some('\\') => p.len() > 1 && s.first() == Some(&p[1]) && go_match(&p[2..], &s[1..]),
        Some(&c) => s.first() == Some(&c) && go_match(&p[1..], &s[1..]),
    }
}

/// A `[...]` class after its `[`: whether `c` matches, and how many
/// pattern characters the class used (through `]`); `None` if malformed.
fn match_class(pat: &[char], ch: char) -> Option<(bool, usize)> {
    let mut pos = 0;
    let negated = pat.first() == Some(&'^');
    if negated {
        pos += 1;
    }
    let mut matched = false;
    let mut count = 0;
    loop {
        if pat.get(pos) == Some(&']') && count > 0 {
            pos += 1;
            break;
        }
        let lo = class_char(pat, &mut pos)?;
        let mut hi = lo;
        if pat.get(pos) == Some(&'-') {
            pos += 1;
            hi = class_char(pat, &mut pos)?;
        }
        if lo <= ch && ch <= hi {
            matched = true;
        }
        count += 1;
    }
    Some((matched != negated, pos))
}

/// One character of a class (`getEsc`): `-` and `]` must be escaped.
fn class_char(pat: &[char], pos: &mut usize) -> Option<char> {
    let first = *pat.get(*pos)?;
    if first == '-' || first == ']' {
        return None;
    }
    *pos += 1;
    if first == '\\' {
        let escaped = *pat.get(*pos)?;
        *pos += 1;
        return Some(escaped);
    }
    Some(first)
}

/// BuildKit's `isHTTPSource`.
fn is_http_source(src: &str) -> bool {
    (src.starts_with("http://") || src.starts_with("https://")) && !is_git_source(src)
}

/// An approximation of BuildKit's Git reference check: `git@host:`,
/// `git://`, `ssh://`, or an HTTP(S) URL whose path ends in `.git`.
fn is_git_source(src: &str) -> bool {
    if src.starts_with("git@") || src.starts_with("git://") || src.starts_with("ssh://") {
        return true;
    }
    let Some(rest) = src
        .strip_prefix("https://")
        .or_else(|| src.strip_prefix("http://"))
    else {
        return false;
    };
    let path = rest.split(['#', '?']).next().unwrap_or(rest);
    // BuildKit compares the suffix as written.
    #[allow(clippy::case_sensitive_file_extension_comparisons)]
    let git = path.trim_end_matches('/').ends_with(".git");
    git
}

/// The name BuildKit gives a downloaded file: the URL path's last segment.
fn url_file_name(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.split(['#', '?']).next().unwrap_or(rest);
    let path = rest.find('/').map_or("", |i| &rest[i..]);
    let path = percent_decode(path);
    let trimmed = path.trim_end_matches('/');
    let base = trimmed.rsplit('/').next().unwrap_or("");
    if base.is_empty() || base == "." {
        "__unnamed__".to_string()
    } else {
        base.to_string()
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// BuildKit's archive test for `ADD`: compression by magic number, then a
/// valid tar header. Compressed files are not opened.
fn archive_kind(ctx: &BuildContext, path: &str) -> Option<PlacementKind> {
    let head = ctx.read_head(path, 512)?;
    let compression = if head.starts_with(&[0x1f, 0x8b, 0x08]) {
        Compression::Gzip
    } else if head.starts_with(b"BZh") {
        Compression::Bzip2
    } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
        Compression::Xz
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else {
        return is_tar_header(&head).then_some(PlacementKind::Archive {
            compression: Compression::None,
            verified: true,
        });
    };
    Some(PlacementKind::Archive {
        compression,
        verified: false,
    })
}

/// Whether a 512-byte block is a tar header Go's reader accepts: not all
/// zero, with a matching checksum (unsigned or signed sum).
fn is_tar_header(block: &[u8]) -> bool {
    if block.len() < 512 || block.iter().all(|&b| b == 0) {
        return false;
    }
    let field = &block[148..156];
    let text: String = field
        .iter()
        .map(|&b| b as char)
        .filter(|c| !matches!(c, ' ' | '\0'))
        .collect();
    let Ok(want) = i64::from_str_radix(&text, 8) else {
        return false;
    };
    let (mut unsigned, mut signed) = (0i64, 0i64);
    for (i, &b) in block[..512].iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { b };
        unsigned += i64::from(b);
        signed += i64::from(i8::from_ne_bytes([b]));
    }
    want == unsigned || want == signed
}

/// BuildKit's octal check on `--chmod` (symbolic modes pass through).
fn check_chmod(mode: &str) -> Result<(), CopyError> {
    if !mode.is_empty() && mode.bytes().all(|b| b.is_ascii_digit()) {
        match u32::from_str_radix(mode, 8) {
            Ok(m) if m <= 0o7777 => Ok(()),
            _ => Err(CopyError::BadChmod(mode.to_string())),
        }
    } else {
        Ok(())
    }
}

#[cfg(test)]
#[path = "copy_tests.rs"]
mod tests;
