//! Shared analysis of RUN instructions: which shell runs them, their parsed
//! scripts, offsets back into the file, and the file's layout style.

use std::collections::HashMap;
use std::ops::Range;

use dockopt_engine::Cx;
use dockopt_shell::{ParseError, Script};
use dockopt_syntax::{Instruction, Stage, SyntaxTree, TextRange, TokenKind};

/// A shell-form RUN whose script parsed cleanly under a POSIX shell.
pub struct Run<'a> {
    pub inst: Instruction<'a>,
    pub script: &'a Script,
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

    /// Whether a `--mount=type=cache` covers a path starting with `prefix`.
    pub fn has_cache_mount(&self, prefix: &str) -> bool {
        self.inst.flags().any(|f| {
            f.name == "mount"
                && f.value.as_deref().is_some_and(|v| {
                    v.split(',').any(|kv| kv == "type=cache")
                        && v.split(',').any(|kv| {
                            kv.split_once('=').is_some_and(|(k, p)| {
                                matches!(k, "target" | "dst" | "destination")
                                    && p.starts_with(prefix)
                            })
                        })
                })
        })
    }
}

/// Whether a shell command line names a POSIX shell.
fn posix_shell(argv0: &str) -> bool {
    let base = argv0.rsplit('/').next().unwrap_or(argv0);
    matches!(
        base,
        "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh" | "mksh" | "busybox"
    )
}

fn windows_base(image: &str) -> bool {
    let i = image.to_ascii_lowercase();
    ["windows", "nanoserver", "servercore", "ltsc20"]
        .iter()
        .any(|w| i.contains(w))
}

/// For every instruction of the file (by item start), whether its stage's
/// RUNs go to a POSIX shell.
pub fn posix_by_stage(tree: &SyntaxTree) -> Vec<bool> {
    let mut by_name: HashMap<String, bool> = HashMap::new();
    let mut out = Vec::new();
    for stage in tree.stages() {
        let base = stage.base().unwrap_or_default().to_ascii_lowercase();
        let mut posix = by_name.get(&base).copied().unwrap_or(!windows_base(&base));
        for inst in &stage.instructions {
            if inst.is("shell") {
                posix = inst.is_json() && inst.values().first().is_some_and(|s| posix_shell(s));
            }
        }
        // A SHELL later in the stage affects only later RUNs; be strict and
        // treat the stage as non-POSIX if any SHELL in it is not POSIX.
        if stage.instructions.iter().any(|i| {
            i.is("shell") && !(i.is_json() && i.values().first().is_some_and(|s| posix_shell(s)))
        }) {
            posix = false;
        }
        if let Some(name) = stage.name() {
            by_name.insert(name, posix);
        }
        out.push(posix);
    }
    out
}

/// Whether SHELL arguments turn on errexit (`["/bin/sh", "-ec"]`,
/// `["bash", "-o", "errexit", "-c"]`).
fn shell_errexit(values: &[String]) -> bool {
    values.iter().enumerate().skip(1).any(|(k, a)| {
        (a.starts_with('-') && !a.starts_with("--") && a[1..].contains('e'))
            || (a == "-o" && values.get(k + 1).is_some_and(|n| n == "errexit"))
    })
}

/// Whether the SHELL in force at an instruction turns on errexit.
pub fn errexit_shell(cx: &Cx<'_>, inst: &Instruction<'_>) -> bool {
    let idx = inst.item().instruction.map_or(usize::MAX, |i| i as usize);
    analysis(cx).errexit.get(idx).copied().unwrap_or(false)
}

/// Analysis of the RUN instructions of a tree, by instruction index; built
/// once per round and shared by every transform.
struct Analysis {
    scripts: Vec<Result<Script, ParseError>>,
    /// Whether the SHELL in force at each instruction turns on errexit.
    errexit: Vec<bool>,
}

fn parse_script(inst: &Instruction<'_>) -> Result<Script, ParseError> {
    if !inst.is("run") || inst.is_json() || inst.heredocs().next().is_some() {
        return Err(ParseError::Syntax);
    }
    let [text] = inst.values() else {
        return Err(ParseError::Syntax);
    };
    Script::parse(text)
}

fn analysis<'a>(cx: &Cx<'a>) -> &'a Analysis {
    cx.shared.get_or_init(|| {
        let n = cx.tree.instruction_data().len();
        let mut scripts: Vec<Result<Script, ParseError>> = Vec::with_capacity(n);
        scripts.resize_with(n, || Err(ParseError::Syntax));
        let mut errexit = vec![false; n];
        for stage in cx.tree.stages() {
            let mut on = false;
            for i in &stage.instructions {
                if let Some(idx) = i.item().instruction {
                    errexit[idx as usize] = on;
                }
                if i.is("shell") {
                    on = shell_errexit(i.values());
                }
            }
        }
        for i in cx.tree.instructions() {
            if let Some(idx) = i.item().instruction {
                if i.is("run") {
                    scripts[idx as usize] = parse_script(&i);
                }
            }
        }
        Analysis { scripts, errexit }
    })
}

/// The parsed script of a RUN, if it is shell form, has no heredoc, and
/// parses cleanly.
pub fn run<'a>(cx: &Cx<'a>, inst: &Instruction<'a>) -> Option<Run<'a>> {
    run_or_why(cx, inst).ok()
}

/// [`run`], or why the RUN gives no script.
pub fn run_or_why<'a>(cx: &Cx<'a>, inst: &Instruction<'a>) -> Result<Run<'a>, ParseError> {
    let idx = inst.item().instruction.ok_or(ParseError::Syntax)? as usize;
    let script = match analysis(cx).scripts.get(idx) {
        Some(Ok(s)) => s,
        Some(Err(e)) => return Err(e.clone()),
        None => return Err(ParseError::Syntax),
    };
    Ok(Run {
        inst: *inst,
        script,
        base: inst.command().args.start,
    })
}

/// The RUNs of each stage that can be analysed, with stage index.
pub fn stage_runs(tree: &SyntaxTree) -> Vec<(usize, Vec<Instruction<'_>>)> {
    let posix = posix_by_stage(tree);
    tree.stages()
        .into_iter()
        .filter(|s| posix.get(s.index).copied().unwrap_or(false))
        .map(|s| (s.index, s.instructions))
        .collect()
}

/// For each stage, the earlier stage it is built FROM, if any.
pub fn stage_parents(stages: &[Stage<'_>]) -> Vec<Option<usize>> {
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(stages.len());
    for s in stages {
        let base = s.base().unwrap_or_default().to_ascii_lowercase();
        out.push(by_name.get(&base).copied());
        if let Some(n) = s.name() {
            by_name.insert(n, s.index);
        }
    }
    out
}

/// Stage indices that are built FROM stage `index`, directly or not.
pub fn descendants(tree: &SyntaxTree, index: usize) -> Vec<usize> {
    let stages = tree.stages();
    let parents = stage_parents(&stages);
    let mut inside = vec![false; stages.len()];
    if let Some(slot) = inside.get_mut(index) {
        *slot = true;
    }
    let mut out = Vec::new();
    for (s, parent) in parents.iter().enumerate().skip(index + 1) {
        if parent.is_some_and(|p| inside[p]) {
            inside[s] = true;
            out.push(s);
        }
    }
    out
}

/// How the file lays out continued commands.
#[derive(Clone, Debug)]
pub struct Style {
    pub escape: char,
    pub indent: String,
    /// `&&` at the start of continuation lines (else at the end).
    pub leading_and: bool,
}

impl Style {
    pub fn of(tree: &SyntaxTree) -> Self {
        let mut indents: HashMap<String, usize> = HashMap::new();
        let (mut leading, mut trailing) = (0, 0);
        let src = tree.source();
        for item in tree.items() {
            let toks = &tree.tokens()[item.tokens.start as usize..item.tokens.end as usize];
            for (i, t) in toks.iter().enumerate() {
                if t.kind == TokenKind::Text && i > 0 && toks[i - 1].kind == TokenKind::Newline {
                    let text = &src[t.range.as_usize()];
                    let ws: String = text
                        .iter()
                        .take_while(|b| **b == b' ' || **b == b'\t')
                        .map(|&b| b as char)
                        .collect();
                    if !ws.is_empty() {
                        *indents.entry(ws).or_default() += 1;
                    }
                    if tree.str(t.range).trim_start().starts_with("&&") {
                        leading += 1;
                    }
                }
                if t.kind == TokenKind::Text && tree.str(t.range).trim_end().ends_with("&&") {
                    trailing += 1;
                }
            }
        }
        let indent = indents
            .into_iter()
            .max_by_key(|(ws, n)| (*n, std::cmp::Reverse(ws.len())))
            .map_or_else(|| "    ".to_string(), |(ws, _)| ws);
        Self {
            escape: char::from(tree.escape()),
            indent,
            leading_and: leading >= trailing,
        }
    }

    /// The text that continues a command onto a new line with `&&`, with
    /// `comments` (whole lines, without line endings) in between.
    pub fn and_then(&self, comments: &[String]) -> String {
        let mut s = String::new();
        if self.leading_and {
            s.push(' ');
            s.push(self.escape);
            s.push('\n');
            for c in comments {
                s.push_str(c);
                s.push('\n');
            }
            s.push_str(&self.indent);
            s.push_str("&& ");
        } else {
            s.push_str(" && ");
            s.push(self.escape);
            s.push('\n');
            for c in comments {
                s.push_str(c);
                s.push('\n');
            }
            s.push_str(&self.indent);
        }
        s
    }
}

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
pub fn append(r: &Run<'_>, tail: &str, style: &Style) -> Result<dockopt_engine::Edit, String> {
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
    // Parsing `text && tail` whole for every tail would cost a parse of the
    // script each: check the script once and the tail alone.
    if !r.script.can_append() || Script::parse(tail).is_err() {
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
