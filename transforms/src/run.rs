//! Shared analysis of RUN instructions: which shell runs them, their parsed
//! scripts, offsets back into the file, and the file's layout style.

use std::ops::Range;
use std::rc::Rc;

use dockopt_engine::model::inst::covers;
use dockopt_engine::model::state::is_posix_shell;
use dockopt_engine::model::{Inst, Kind, MountType, RunView, ScriptError, ScriptInfo};
use dockopt_engine::Cx;
use dockopt_syntax::{Instruction, SyntaxTree, TextRange, TokenKind};

/// A shell-form RUN whose script parsed cleanly under a POSIX shell.
pub struct Run<'a> {
    pub inst: Instruction<'a>,
    /// The instruction in the build model.
    pub model: &'a Inst<'a>,
    pub script: Rc<ScriptInfo>,
    /// Where the script starts in the joined line.
    base: u32,
}

impl Run<'_> {
    /// Source range of a script range.
    pub fn src(&self, r: Range<usize>) -> TextRange {
        let joined = TextRange::new(self.base + r.start as u32, self.base + r.end as u32);
        self.inst.source_range(joined)
    }

    /// Source offset of a script offset.
    pub fn src_at(&self, at: usize) -> u32 {
        self.inst.data().source_offset(self.base + at as u32)
    }

    /// Whether a cache or tmpfs mount has its target at `path` or above it,
    /// so that what is written there never reaches the layer.
    pub fn cache_mount_covers(&self, path: &str) -> bool {
        self.mount_targets(&[MountType::Cache, MountType::Tmpfs])
            .any(|t| covers(&t, path))
    }

    /// Whether a cache mount has its target at a path starting with `prefix`.
    pub fn has_cache_mount(&self, prefix: &str) -> bool {
        self.mount_targets(&[MountType::Cache])
            .any(|t| t.starts_with(prefix))
    }

    /// Absolute targets of the RUN's mounts of the given types.
    fn mount_targets<'s>(&'s self, kinds: &'s [MountType]) -> impl Iterator<Item = String> + 's {
        let workdir = self.model.state.workdir.text.as_str();
        self.model
            .run()
            .map(RunView::mounts)
            .unwrap_or_default()
            .iter()
            .filter(|m| kinds.contains(&m.kind))
            .filter_map(move |m| m.target_in(workdir).ok().flatten())
    }
}

/// Whether a stage's RUNs all go to a POSIX shell: its base is not a
/// Windows image and every SHELL in it names a POSIX shell.
fn posix_stage(cx: &Cx<'_>, stage: usize) -> bool {
    let insts = cx.model.stage_insts(stage);
    insts.first().is_some_and(|f| !f.state.windows)
        && insts.iter().all(|i| match &i.kind {
            Kind::Shell(words) => words.first().is_some_and(|s| is_posix_shell(s)),
            _ => true,
        })
}

/// Whether the SHELL in force for `inst` turns on errexit.
pub fn errexit_shell(cx: &Cx<'_>, inst: &Instruction<'_>) -> bool {
    cx.model.inst(inst).is_some_and(|i| i.state.errexit())
}

/// The parsed script of a RUN, if it is shell form, has no heredoc, and
/// parses cleanly.
pub fn run<'a>(cx: &Cx<'a>, inst: &Instruction<'a>) -> Option<Run<'a>> {
    run_or_why(cx, inst).ok()
}

/// [`run`], or why the RUN gives no script.
pub fn run_or_why<'a>(cx: &Cx<'a>, inst: &Instruction<'a>) -> Result<Run<'a>, ScriptError> {
    let m = cx.model.inst(inst).ok_or(ScriptError::NotShell)?;
    let script = cx.model.script_or_why(m)?;
    Ok(Run {
        inst: *inst,
        model: m,
        script,
        base: inst.command().args.start,
    })
}

/// The instructions that run after `after` on the same file system: later
/// in its stage, and in every stage built from it.
pub fn later<'a>(cx: &Cx<'a>, stage: usize, after: &Instruction<'a>) -> Vec<Instruction<'a>> {
    let start = after.range().start;
    let mut out: Vec<Instruction<'a>> = cx
        .model
        .body(stage)
        .iter()
        .map(|i| i.syntax)
        .filter(|i| i.range().start > start)
        .collect();
    for d in cx.model.descendants(stage) {
        out.extend(cx.model.body(d).iter().map(|i| i.syntax));
    }
    out
}

/// Whether an instruction is a RUN, or an ONBUILD RUN.
pub fn is_run(inst: &Instruction<'_>) -> bool {
    inst.is("run") || inst.sub_command().is_some_and(|s| s.is("run"))
}

/// The instructions of each stage whose RUNs go to a POSIX shell, with the
/// stage index.
pub fn stage_runs<'a>(cx: &Cx<'a>) -> Vec<(usize, Vec<Instruction<'a>>)> {
    (0..cx.model.stages.len())
        .filter(|&s| posix_stage(cx, s))
        .map(|s| (s, cx.model.body(s).iter().map(|i| i.syntax).collect()))
        .collect()
}

pub use dockopt_engine::model::layout::Style;

/// The source offset where an instruction's text ends (before its line
/// ending), and the comment lines between it and the next instruction.
pub fn end_and_gap(tree: &SyntaxTree, inst: &Instruction<'_>) -> u32 {
    let item = inst.item();
    let toks = &tree.tokens()[item.tokens.start as usize..item.tokens.end as usize];
    toks.iter()
        .rev()
        .find(|t| t.kind != TokenKind::Newline)
        .map_or(item.range.start, |t| t.range.end)
}

/// Comment lines (trimmed of line endings) between two offsets.
pub fn comments_between(tree: &SyntaxTree, from: u32, to: u32) -> Vec<String> {
    let items = tree.items();
    let first = items.partition_point(|i| i.range.start < from);
    items[first..]
        .iter()
        .take_while(|i| i.range.end <= to)
        .filter(|i| i.kind == dockopt_syntax::ItemKind::Comment)
        .map(|i| tree.str(i.range).trim_end_matches(['\r', '\n']).to_string())
        .collect()
}

/// Whether anything but comments and blank lines sits between two
/// instructions.
pub fn adjacent(tree: &SyntaxTree, a: &Instruction<'_>, b: &Instruction<'_>) -> bool {
    let items = tree.items();
    let from = items.partition_point(|i| i.range.start < a.range().end);
    let to = items.partition_point(|i| i.range.start < b.range().start);
    items.get(from..to).is_none_or(|between| {
        between.iter().all(|i| {
            matches!(
                i.kind,
                dockopt_syntax::ItemKind::Comment | dockopt_syntax::ItemKind::Blank
            )
        })
    })
}

/// Index (into `args`) of a command's subcommand: the first argument that is
/// not an option, skipping the values of options in `value_opts`.
pub fn subcommand(cmd: &dockopt_shell::Command, value_opts: &[&str]) -> Option<usize> {
    let mut i = 0;
    while let Some(w) = cmd.args.get(i) {
        let t = w.text.as_str();
        if t.starts_with('-') {
            i += if value_opts.contains(&t) { 2 } else { 1 };
            continue;
        }
        return Some(i);
    }
    None
}

/// Whether any argument is one of `names`.
pub fn has_arg(cmd: &dockopt_shell::Command, names: &[&str]) -> bool {
    cmd.args.iter().any(|w| names.contains(&w.text.as_str()))
}

/// Appends `&& tail` to a RUN's script, continuing on a new line in the
/// file's style, if the result still parses.
pub fn append(
    cx: &Cx<'_>,
    r: &Run<'_>,
    tail: &str,
    style: &Style,
) -> Result<dockopt_engine::Edit, String> {
    let text = r.script.text().trim_end();
    if tail.contains(['\n', '\r']) {
        return Err("the command would need a line break".into());
    }
    if r.script.blockers().iter().any(|b| b.contains("comment")) {
        // The joined line is one line: the comment would swallow the tail.
        return Err("the script has a shell comment, which would run to its end".into());
    }
    if text.ends_with(';') || text.ends_with('&') {
        return Err("the script ends with a separator".into());
    }
    // The script as the next round will read it, parsed once for both.
    let next = format!("{text}{}{tail}", style.and_then_joined());
    if cx.model.parse(&next).is_none() {
        return Err("the extended script would not parse".into());
    }
    let end = r.src_at(text.len().saturating_sub(1)) + 1;
    Ok(dockopt_engine::Edit::insert(
        end,
        format!("{}{tail}", style.and_then(&[])),
    ))
}

/// Inserts ` word` right after argument `arg` of a command.
pub fn insert_after(
    r: &Run<'_>,
    cmd: &dockopt_shell::Command,
    arg: usize,
    word: &str,
) -> dockopt_engine::Edit {
    let end = cmd.args[arg].range.end;
    dockopt_engine::Edit::insert(r.src_at(end - 1) + 1, format!(" {word}"))
}
