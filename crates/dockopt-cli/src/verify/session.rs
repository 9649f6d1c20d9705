//! One Dockerfile verified: the rewrite, the copies, the builds, the
//! export, the probes, the timed rebuilds, the comparison and the bisection.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use dockopt_engine::{Applicability, DockerIgnore};
use dockopt_verify::compare::{compare_trees, Explainer};
use dockopt_verify::config::{self, Bases};
use dockopt_verify::layout::{Image, Layout};
use dockopt_verify::report::{Applied, Bisect, Build, LayerReport, Probe, Report, Trial, Verdict};
use sha2::{Digest, Sha256};

use super::builder::{BuildResult, BuildSpec, Builder};
use super::context;
use super::progress::Progress;
use super::VerifyArgs;
use crate::args::Common;
use crate::commands::run::{run_all, Configs, Mode};
use crate::discover::Input;

/// The rewrite of a Dockerfile and what made it.
struct Rewrite {
    text: Vec<u8>,
    applied: Vec<Applied>,
    /// A `.dockerignore` to add to the rewrite's context.
    dockerignore: Option<String>,
}

fn common(args: &VerifyArgs, file: &Path, extra_ignore: Option<&str>) -> Common {
    let mut ignore = args.ignore.clone();
    ignore.extend(extra_ignore.map(str::to_string));
    Common {
        paths: vec![file.to_path_buf()],
        select: args.select.clone(),
        ignore,
        unsafe_fixes: args.unsafe_fixes,
        context: args.context.clone(),
        exclude: Vec::new(),
        config: args.config.clone(),
        no_config: args.no_config,
        stdin_filename: None,
        format: None,
        output_file: None,
        statistics: false,
        fail_on: crate::args::FailOn::Warning,
        exit_zero: false,
        color: crate::args::Color::Never,
        quiet: true,
    }
}

/// What `dockopt fix` would write, without writing it.
fn rewrite(args: &VerifyArgs, file: &Path, without: Option<&str>) -> Result<Rewrite, String> {
    let c = common(args, file, without);
    let quiet = crate::progress::Progress::new(1, false);
    let inputs = [Input::File(file.to_path_buf())];
    let configs = Configs::load(&c, &inputs).map_err(|e| e.join("\n"))?;
    let report = run_all(&inputs, &c, &configs, Mode::Diff, &quiet)
        .reports
        .pop()
        .ok_or("the file is excluded by the configuration")?;
    if let Some(e) = report.error {
        return Err(e);
    }
    if let Some(e) = report.syntax_errors.first() {
        return Err(format!(
            "syntax error at byte {}: {}; nothing to verify",
            e.range.start, e.message
        ));
    }
    let mut applied: Vec<Applied> = Vec::new();
    for f in &report.applied {
        if applied.iter().any(|a| a.name == f.name) {
            continue;
        }
        applied.push(Applied {
            code: f.code.into(),
            name: f.name.into(),
            safe: f
                .fix
                .as_ref()
                .is_none_or(|x| x.applicability == Applicability::Safe),
        });
    }
    let mut dockerignore = None;
    if args.dockerignore {
        if let Some(f) = report
            .findings
            .iter()
            .find(|f| f.create.as_ref().is_some_and(|n| n.path == ".dockerignore"))
        {
            dockerignore = f.create.as_ref().map(|n| n.content.clone());
            applied.push(Applied {
                code: f.code.into(),
                name: f.name.into(),
                safe: true,
            });
        }
    }
    Ok(Rewrite {
        text: report.output.unwrap_or(report.source),
        applied,
        dockerignore,
    })
}

fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// The `.dockerignore` the builder applies: `<Dockerfile>.dockerignore`
/// beside the Dockerfile first, then the one at the context root.
fn read_ignore(file: &Path, ctx: &Path) -> Result<(Option<DockerIgnore>, Option<PathBuf>), String> {
    let beside = file
        .file_name()
        .and_then(|n| n.to_str())
        .map(|n| file.with_file_name(format!("{n}.dockerignore")));
    for p in beside.iter().cloned().chain([ctx.join(".dockerignore")]) {
        if let Ok(bytes) = std::fs::read(&p) {
            let parsed =
                DockerIgnore::parse(&bytes).map_err(|e| format!("{}: {e}", p.display()))?;
            let own = beside.as_ref().filter(|b| **b == p).cloned();
            return Ok((Some(parsed), own));
        }
    }
    Ok((None, None))
}

/// One side's copy: the context, and the Dockerfile placed in it.
struct Side {
    context: PathBuf,
    dockerfile: PathBuf,
}

fn prepare_side(
    work: &Path,
    name: &str,
    src_ctx: &Path,
    file: &Path,
    text: &[u8],
    ignore: Option<&DockerIgnore>,
    own_ignore: Option<&Path>,
) -> Result<Side, String> {
    let dir = work.join(name);
    let ctx = dir.join("context");
    context::copy(src_ctx, &ctx, ignore)
        .map_err(|e| format!("cannot copy the build context: {e}"))?;
    let dockerfile = context::dockerfile_place(file, src_ctx, &dir);
    if let Some(parent) = dockerfile.parent() {
        std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    std::fs::write(&dockerfile, text).map_err(|e| e.to_string())?;
    if let Some(own) = own_ignore {
        let mut name = dockerfile.file_name().unwrap_or_default().to_os_string();
        name.push(".dockerignore");
        std::fs::copy(own, dockerfile.with_file_name(name)).map_err(|e| e.to_string())?;
    }
    Ok(Side {
        context: ctx,
        dockerfile,
    })
}

/// The image the shipped stage starts from, following stage names; `None`
/// for `scratch` or a base that only a build argument names.
fn shipped_base(text: &[u8], target: Option<&str>) -> Option<String> {
    let tree = dockopt_syntax::parse(text.to_vec());
    let stages = tree.stages();
    let mut stage = match target {
        Some(t) => stages
            .iter()
            .find(|s| s.name().as_deref() == Some(&t.to_lowercase()))?,
        None => stages.last()?,
    };
    for _ in 0..stages.len() {
        let base = stage.base()?;
        let earlier = stages[..stage.index]
            .iter()
            .rev()
            .find(|s| s.name().as_deref() == Some(&base.to_lowercase()));
        match earlier {
            Some(s) => stage = s,
            None if base == "scratch" || base.contains('$') => return None,
            None => return Some(base.to_string()),
        }
    }
    None
}

static RUN: AtomicUsize = AtomicUsize::new(0);

/// Temporary image names, unique to this process and Dockerfile.
fn tag_prefix() -> String {
    format!(
        "localhost/dockopt-verify-{}-{}",
        std::process::id(),
        RUN.fetch_add(1, Ordering::Relaxed)
    )
}

struct Ctx<'a> {
    args: &'a VerifyArgs,
    builder: &'a Builder,
    progress: &'a Progress,
    work: PathBuf,
    tags: Vec<String>,
}

impl Ctx<'_> {
    fn build(
        &mut self,
        side: &Side,
        tag: &str,
        label: &str,
        no_cache: bool,
    ) -> Result<BuildResult, String> {
        let spec = BuildSpec {
            dockerfile: &side.dockerfile,
            context: &side.context,
            tag,
            no_cache,
            build_args: &self.args.build_arg,
            target: self.args.target.as_deref(),
            platform: self.args.platform.as_deref(),
        };
        let name: String = tag
            .rsplit(':')
            .next()
            .unwrap_or("build")
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let log = self.work.join(format!("{name}.log"));
        let step = self.progress.step(label);
        self.tags.push(tag.to_string());
        super::cleanup::image(tag);
        let r = self
            .builder
            .build(&spec, &log, &step)
            .map_err(|e| format!("{label}: {e}"))?;
        let outcome = if r.ok {
            "built".to_string()
        } else {
            format!(
                "FAILED{}",
                r.failed_step
                    .as_ref()
                    .map(|s| format!(" at {s}"))
                    .unwrap_or_default()
            )
        };
        step.done(&outcome);
        Ok(r)
    }

    fn cleanup(&self) {
        if self.args.keep {
            return;
        }
        for t in &self.tags {
            self.builder.remove(t);
            super::cleanup::image_gone(t);
        }
    }
}

fn record(b: &mut Build, r: &BuildResult) {
    b.built = r.ok;
    b.build_seconds = Some(round2(r.seconds));
    b.failed_step.clone_from(&r.failed_step);
    b.log_tail.clone_from(&r.log_tail);
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn describe_image(b: &mut Build, img: &Image, other: &Image) {
    b.size_bytes = Some(img.size());
    b.layers = Some(img.layers.len());
    let mut shared = true;
    b.layer_sizes = img
        .layers
        .iter()
        .enumerate()
        .map(|(i, l)| {
            shared = shared && other.layers.get(i).is_some_and(|o| o.key == l.key);
            LayerReport {
                size_bytes: l.size,
                created_by: l.created_by.clone(),
                shared,
            }
        })
        .collect();
}

/// Exports images into one directory and reads them back.
struct Exported {
    layout: Layout,
    refs: BTreeMap<String, String>,
}

fn export(builder: &Builder, tags: &[&str], dir: &Path) -> Result<Exported, String> {
    let (root, refs) = builder
        .export(tags, dir)
        .map_err(|e| format!("cannot export the images: {e}"))?;
    let layout = Layout::open(&root).map_err(|e| e.to_string())?;
    let names: Vec<&str> = refs.iter().map(String::as_str).collect();
    layout.preload(&names).map_err(|e| e.to_string())?;
    Ok(Exported {
        layout,
        refs: tags.iter().map(|t| (*t).to_string()).zip(refs).collect(),
    })
}

impl Exported {
    fn image(&self, tag: &str) -> Result<Image, String> {
        self.layout
            .image(&self.refs[tag])
            .map_err(|e| format!("cannot read image {tag}: {e}"))
    }
}

/// Base images of both sides, when the rewrite changed the base and a
/// fix announces it: how many layers each image takes from its base, and
/// their configs.
struct BaseInfo {
    layers: (usize, usize),
    configs: (
        BTreeMap<String, serde_json::Value>,
        BTreeMap<String, serde_json::Value>,
    ),
}

/// Runs of a probe that gave different results, repeated before the
/// difference is reported.
const PROBE_RETRIES: usize = 2;

fn run_probes(c: &Ctx<'_>, a: &str, b: &str) -> Vec<Probe> {
    c.args
        .probe
        .iter()
        .map(|cmd| {
            let step = c.progress.step(format!("probe `{}`", short(cmd)));
            let mut original = c.builder.probe(a, cmd);
            let mut rewritten = c.builder.probe(b, cmd);
            // A builder under load now and then loses a container's output:
            // a difference counts only when it is there every time.
            for _ in 0..PROBE_RETRIES {
                if original == rewritten {
                    break;
                }
                original = c.builder.probe(a, cmd);
                rewritten = c.builder.probe(b, cmd);
            }
            let same = original == rewritten;
            step.done(if same { "same" } else { "DIFFERENT" });
            Probe {
                command: cmd.clone(),
                original,
                rewritten,
                same,
            }
        })
        .collect()
}

fn short(cmd: &str) -> String {
    let line = cmd.lines().next().unwrap_or("");
    if line.chars().count() > 40 || cmd.lines().count() > 1 {
        format!("{}...", line.chars().take(40).collect::<String>())
    } else {
        line.to_string()
    }
}

/// Compares two built images into the report's config, files and probes.
#[allow(clippy::too_many_arguments)]
fn compare(
    c: &Ctx<'_>,
    original_text: &[u8],
    rewrite: &Rewrite,
    excluded: &[String],
    a: &Image,
    b: &Image,
    bases: Option<&BaseInfo>,
) -> (Vec<config::ConfigChange>, dockopt_verify::FileDiffs) {
    let names: Vec<&str> = rewrite.applied.iter().map(|x| x.name.as_str()).collect();
    let mut ex = Explainer::new(&names);
    ex.dockerfile = Some((sha256(original_text), sha256(&rewrite.text)));
    ex.context_excluded = excluded.to_vec();
    ex.base_layers = bases.map(|b| b.layers);
    let intents = ex.intents();
    let base_cfg = bases.map(|b| Bases {
        original: &b.configs.0,
        rewritten: &b.configs.1,
    });
    let cfg = config::compare(&a.config, &b.config, &intents, base_cfg.as_ref());
    let step = c.progress.step("comparing file trees");
    let files = compare_trees(&a.tree, &b.tree, &ex);
    step.done(&format!(
        "{} paths, {} differences unexplained",
        files.compared,
        files.unexplained()
    ));
    (cfg, files)
}

/// The shipped stage's base on each side, when a fix announces what a new
/// base brings and the rewrite has one.
fn wanted_bases(c: &Ctx<'_>, original_text: &[u8], rewrite: &Rewrite) -> Option<(String, String)> {
    let wanted = rewrite
        .applied
        .iter()
        .any(|x| dockopt_verify::intent::for_rule(&x.name).is_some_and(|i| i.base));
    if !wanted {
        return None;
    }
    let target = c.args.target.as_deref();
    let base_a = shipped_base(original_text, target)?;
    let base_b = shipped_base(&rewrite.text, target)?;
    (base_a != base_b).then_some((base_a, base_b))
}

fn base_info(
    exp: &Exported,
    names: &(String, String),
    a: &Image,
    b: &Image,
) -> Result<Option<BaseInfo>, String> {
    let x = exp.image(&names.0)?;
    let y = exp.image(&names.1)?;
    // Only when each image really starts with its base's layers.
    let prefix = |img: &Image, base: &Image| {
        base.layers.len() <= img.layers.len()
            && base
                .layers
                .iter()
                .zip(&img.layers)
                .all(|(p, q)| p.key == q.key)
    };
    if !prefix(a, &x) || !prefix(b, &y) {
        return Ok(None);
    }
    Ok(Some(BaseInfo {
        layers: (x.layers.len(), y.layers.len()),
        configs: (config::flatten(&x.config), config::flatten(&y.config)),
    }))
}

pub fn verify(
    file: &Path,
    args: &VerifyArgs,
    builder: &Builder,
    progress: &Progress,
) -> Result<Report, String> {
    let original_text = std::fs::read(file).map_err(|e| e.to_string())?;
    let rw = match &args.rewritten {
        Some(p) => Rewrite {
            text: std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?,
            applied: Vec::new(),
            dockerignore: None,
        },
        None => rewrite(args, file, None)?,
    };
    let mut report = Report::new(file.display().to_string(), builder.info());
    report.applied.clone_from(&rw.applied);
    report.changed = rw.text != original_text || rw.dockerignore.is_some();
    progress.note(&format!("{}:", file.display()));
    if !report.changed {
        progress.note("  the rewrite is the original: nothing to build");
        report.original.built = true;
        report.rewritten.built = true;
        report.decide();
        return Ok(report);
    }
    let src_ctx = args.context.clone().unwrap_or_else(|| {
        file.parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf()
    });
    if !src_ctx.is_dir() {
        return Err(format!(
            "build context {} is not a directory",
            src_ctx.display()
        ));
    }
    let (ignore, own_ignore) = read_ignore(file, &src_ctx)?;
    let tmp = tempfile::Builder::new()
        .prefix("dockopt-verify-")
        .tempdir()
        .map_err(|e| format!("cannot make a temporary directory: {e}"))?;
    super::cleanup::dir(tmp.path());
    let mut c = Ctx {
        args,
        builder,
        progress,
        work: tmp.path().to_path_buf(),
        tags: Vec::new(),
    };
    let result = run_sides(
        &mut c,
        file,
        &src_ctx,
        &original_text,
        &rw,
        ignore.as_ref(),
        own_ignore.as_deref(),
        &mut report,
    );
    c.cleanup();
    super::cleanup::dir_gone(tmp.path());
    if args.keep {
        let kept = tmp.keep();
        progress.note(&format!(
            "  kept {} and images {}",
            kept.display(),
            c.tags.join(", ")
        ));
    }
    result.map(|()| report)
}

/// Writes the proposed `.dockerignore` into the rewrite's context (never
/// over one that exists) and returns the context paths it leaves out.
fn add_dockerignore(
    side: &Side,
    rw: &Rewrite,
    src_ctx: &Path,
    ignore: Option<&DockerIgnore>,
) -> Result<Vec<String>, String> {
    let Some(di) = &rw.dockerignore else {
        return Ok(Vec::new());
    };
    let path = side.context.join(".dockerignore");
    if path.exists() {
        return Ok(Vec::new());
    }
    std::fs::write(&path, di).map_err(|e| e.to_string())?;
    let proposed = DockerIgnore::parse(di.as_bytes()).map_err(|e| e.to_string())?;
    context::newly_excluded(src_ctx, ignore, &proposed).map_err(|e| e.to_string())
}

/// Exports both images (and their bases, when a fix announces a new base)
/// and reads them.
fn read_images(
    c: &Ctx<'_>,
    original_text: &[u8],
    rw: &Rewrite,
    tag_a: &str,
    tag_b: &str,
) -> Result<(Image, Image, Option<BaseInfo>), String> {
    let mut base_names = wanted_bases(c, original_text, rw);
    let step = c.progress.step("exporting and reading the images");
    let mut tags = vec![tag_a.to_string(), tag_b.to_string()];
    if let Some((x, y)) = &base_names {
        tags.extend([x.clone(), y.clone()]);
    }
    let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
    let exp = match export(c.builder, &tags, &c.work.join("export")) {
        Ok(e) => e,
        Err(e) if base_names.is_some() => {
            c.progress.note(&format!(
                "  base images not exported ({e}); reading the builds alone"
            ));
            base_names = None;
            export(c.builder, &tags[..2], &c.work.join("export-builds"))?
        }
        Err(e) => return Err(e),
    };
    let a = exp.image(tag_a)?;
    let b = exp.image(tag_b)?;
    let bases = match &base_names {
        Some(n) => base_info(&exp, n, &a, &b)?,
        None => None,
    };
    step.done(&format!("{} and {} paths", a.tree.len(), b.tree.len()));
    Ok((a, b, bases))
}

#[allow(clippy::too_many_arguments)]
fn run_sides(
    c: &mut Ctx<'_>,
    file: &Path,
    src_ctx: &Path,
    original_text: &[u8],
    rw: &Rewrite,
    ignore: Option<&DockerIgnore>,
    own_ignore: Option<&Path>,
    report: &mut Report,
) -> Result<(), String> {
    let work = c.work.clone();
    let orig = prepare_side(
        &work,
        "original",
        src_ctx,
        file,
        original_text,
        ignore,
        own_ignore,
    )?;
    let new = prepare_side(
        &work,
        "rewritten",
        src_ctx,
        file,
        &rw.text,
        ignore,
        own_ignore,
    )?;
    let excluded = add_dockerignore(&new, rw, src_ctx, ignore)?;
    let prefix = tag_prefix();
    let (tag_a, tag_b) = (format!("{prefix}:original"), format!("{prefix}:rewritten"));
    let ra = c.build(&orig, &tag_a, "building the original", true)?;
    record(&mut report.original, &ra);
    if !ra.ok {
        // Nothing can be proven against an original that does not build.
        report.decide();
        return Ok(());
    }
    let rb = c.build(&new, &tag_b, "building the rewrite", true)?;
    record(&mut report.rewritten, &rb);
    if !rb.ok {
        report.decide();
        if c.args.bisect {
            report.bisect = Some(bisect(
                c,
                file,
                src_ctx,
                original_text,
                None,
                ignore,
                own_ignore,
                &tag_a,
            )?);
        }
        return Ok(());
    }
    let (a, b, bases) = read_images(c, original_text, rw, &tag_a, &tag_b)?;
    describe_image(&mut report.original, &a, &b);
    describe_image(&mut report.rewritten, &b, &a);
    report.probes = run_probes(c, &tag_a, &tag_b);
    if !c.args.no_rebuild {
        rebuild_times(c, &orig, &new, &prefix, ignore, report)?;
    }
    let (cfg, files) = compare(c, original_text, rw, &excluded, &a, &b, bases.as_ref());
    report.config_changes = cfg;
    report.files = files;
    report.decide();
    if c.args.bisect && report.verdict != Verdict::Equivalent {
        report.bisect = Some(bisect(
            c,
            file,
            src_ctx,
            original_text,
            Some(&a),
            ignore,
            own_ignore,
            &tag_a,
        )?);
    }
    Ok(())
}

fn rebuild_times(
    c: &mut Ctx<'_>,
    orig: &Side,
    new: &Side,
    prefix: &str,
    ignore: Option<&DockerIgnore>,
    report: &mut Report,
) -> Result<(), String> {
    let touch = match &c.args.touch {
        Some(t) => Some(t.clone()),
        None => context::pick_touch(&orig.context, ignore).map_err(|e| e.to_string())?,
    };
    let Some(touch) = touch else {
        c.progress
            .note("  no source file in the context: rebuild times skipped");
        return Ok(());
    };
    report.rebuild_touched = Some(touch.clone());
    for (i, side) in [orig, new].into_iter().enumerate() {
        // A builder may hold older layer chains for the same steps and
        // follow one of them instead of the cold build's; an unchanged
        // build first completes the chain it follows, so that the timed
        // rebuild starts from a warm cache whatever the builder holds.
        // The warm image stays until the rebuild is done: removing an
        // image removes the intermediate layers only it holds, which are
        // the cache the rebuild is to find.
        let warm = format!("{prefix}:{}-warm", ["original", "rewritten"][i]);
        let side_name = ["original", "rewrite"][i];
        c.build(
            side,
            &warm,
            &format!("warming the {side_name}'s layer cache"),
            false,
        )?;
        let path = side.context.join(&touch);
        context::append_line(&path, i)
            .map_err(|e| format!("cannot change {touch} for the rebuild: {e}"))?;
        let (name, label) = if i == 0 {
            (
                "original-rebuild",
                "rebuilding the original after a change to ",
            )
        } else {
            (
                "rewritten-rebuild",
                "rebuilding the rewrite after a change to ",
            )
        };
        let tag = format!("{prefix}:{name}");
        let r = c.build(side, &tag, &format!("{label}{touch}"), false)?;
        let b = if i == 0 {
            &mut report.original
        } else {
            &mut report.rewritten
        };
        if r.ok {
            b.rebuild_seconds = Some(round2(r.seconds));
        }
        for t in [&tag, &warm] {
            c.builder.remove(t);
            super::cleanup::image_gone(t);
        }
    }
    Ok(())
}

/// Rebuilds the rewrite without each applied fix in turn.
#[allow(clippy::too_many_arguments)]
fn bisect(
    c: &mut Ctx<'_>,
    file: &Path,
    src_ctx: &Path,
    original_text: &[u8],
    original: Option<&Image>,
    ignore: Option<&DockerIgnore>,
    own_ignore: Option<&Path>,
    tag_a: &str,
) -> Result<Bisect, String> {
    let mut out = Bisect::default();
    if c.args.rewritten.is_some() {
        c.progress
            .note("  --bisect needs the fixes: not with --rewritten");
        return Ok(out);
    }
    let full = rewrite(c.args, file, None)?;
    let prefix = tag_prefix();
    for (n, rule) in full.applied.iter().enumerate() {
        let rw = rewrite(c.args, file, Some(&rule.name))?;
        let mut trial = Report::new(String::new(), c.builder.info());
        if rw.text == original_text && rw.dockerignore.is_none() {
            trial.original.built = true;
            trial.rewritten.built = true;
        } else {
            let dir = c.work.join(format!("without-{n}"));
            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            let side = prepare_side(&dir, "side", src_ctx, file, &rw.text, ignore, own_ignore)?;
            let excluded = add_dockerignore(&side, &rw, src_ctx, ignore)?;
            let tag = format!("{prefix}:without-{n}");
            let r = c.build(
                &side,
                &tag,
                &format!("bisect: building without {}", rule.name),
                false,
            )?;
            trial.original.built = true;
            record(&mut trial.rewritten, &r);
            if r.ok {
                if let Some(a) = original {
                    let exp = export(c.builder, &[&tag], &dir.join("export"))?;
                    let b = exp.image(&tag)?;
                    let (cfg, files) = compare(c, original_text, &rw, &excluded, a, &b, None);
                    trial.config_changes = cfg;
                    trial.files = files;
                    trial.probes = run_probes(c, tag_a, &tag);
                }
            }
            c.builder.remove(&tag);
            super::cleanup::image_gone(&tag);
        }
        trial.decide();
        if trial.verdict == Verdict::Equivalent || (original.is_none() && trial.rewritten.built) {
            out.responsible.push(rule.name.clone());
        }
        out.trials.push(Trial {
            without: rule.name.clone(),
            verdict: trial.verdict,
            differences: trial.differences,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_base_follows_stage_names() {
        let text = b"FROM golang:1.19 AS build\nRUN make\nFROM build AS test\nFROM debian:bookworm-slim\nCOPY --from=build /x /x\n";
        assert_eq!(
            shipped_base(text, None).as_deref(),
            Some("debian:bookworm-slim")
        );
        assert_eq!(
            shipped_base(text, Some("test")).as_deref(),
            Some("golang:1.19")
        );
        assert_eq!(shipped_base(b"FROM scratch\n", None), None);
        assert_eq!(shipped_base(b"ARG B\nFROM $B\n", None), None);
    }
}
