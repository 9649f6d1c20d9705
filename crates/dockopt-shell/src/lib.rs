//! The shell view of a RUN instruction.
//!
//! The continuation-joined text of a shell-form RUN is what BuildKit hands
//! to `/bin/sh -c`; it is parsed here with tree-sitter-bash. A script whose
//! parse has errors gives no view at all, so transforms leave it alone.
//! Offsets are byte offsets into the script text; callers map them back to
//! the file with the instruction's segment map.

use std::cell::{OnceCell, RefCell};
use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;

use tree_sitter::{Node, Parser, TreeCursor};

mod quote;

pub use quote::quote;

/// A parsed shell script. What transforms ask of it is computed once.
pub struct Script {
    text: String,
    tree: tree_sitter::Tree,
    commands: OnceCell<Vec<Command>>,
    facts: OnceCell<Facts>,
    appendable: OnceCell<bool>,
}

/// What one walk over the tree finds.
struct Facts {
    /// Top-level function definitions and bare variable assignments.
    top_state: Vec<String>,
    blockers: Vec<&'static str>,
}

/// One simple command, as the shell would run it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// The whole command, from its first prefix word to its last argument
    /// (redirections excluded).
    pub range: Range<usize>,
    /// The program after `sudo`, `env` and `VAR=value` prefixes.
    pub name: Word,
    /// Arguments after the name.
    pub args: Vec<Word>,
    /// Whether the command runs in the script's own shell, so that a `cd` or
    /// `export` there changes what later commands see.
    pub top_level: bool,
}

/// A word of a command: its text as written and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub range: Range<usize>,
}

impl Word {
    /// The word with simple quoting removed (`'a b'`, `"x"`, `a\ b`), when it
    /// expands to itself: no expansion, glob or tilde outside single quotes.
    pub fn literal(&self) -> Option<String> {
        let mut out = String::new();
        let mut quote = None;
        let mut chars = self.text.chars().peekable();
        let mut first = true;
        while let Some(c) = chars.next() {
            match (quote, c) {
                (Some('\''), '\'') | (Some('"'), '"') => quote = None,
                (Some('\''), c) => out.push(c),
                // Expansions anywhere but in single quotes; globs, braces
                // and a leading tilde outside quotes.
                (_, '$' | '`') | (None, '*' | '?' | '[' | '{') => return None,
                (None, '~') if first => return None,
                (None, '\'' | '"') => quote = Some(c),
                (None, '\\') => out.extend(chars.next()),
                // Inside double quotes a backslash escapes only these.
                (Some(_), '\\') => match chars.peek() {
                    Some(&n @ ('"' | '\\' | '$' | '`')) => {
                        out.push(n);
                        chars.next();
                    }
                    _ => out.push('\\'),
                },
                (_, c) => out.push(c),
            }
            first = false;
        }
        quote.is_none().then_some(out)
    }
}

/// Why a script gives no view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// The script has a syntax error, or tree-sitter-bash cannot read it.
    Syntax,
    /// A vertical tab, form feed or carriage return: POSIX shells read them
    /// as word characters, tree-sitter-bash as blanks, so the words it sees
    /// are not the shell's.
    Blanks,
    /// Longer than [`MAX_SCRIPT`]: parsing and analysing it would cost more
    /// than any fix of it is worth.
    TooLarge(usize),
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax => f.write_str("a shell script that does not parse cleanly"),
            Self::Blanks => f.write_str(
                "a vertical tab, form feed or carriage return, which shells read as part of a word",
            ),
            Self::TooLarge(n) => write!(
                f,
                "a shell script of {n} bytes, over the {MAX_SCRIPT}-byte limit for analysis"
            ),
        }
    }
}

/// The longest script analysed. Real RUN scripts are a few KiB; this bounds
/// the time one hostile file can take.
pub const MAX_SCRIPT: usize = 1024 * 1024;

/// Builtins and keywords that change the shell's own state.
const STATEFUL: &[&str] = &[
    "cd", "pushd", "popd", "exit", "return", "exec", "export", "unset", "set", "shopt", "umask",
    "trap", "source", ".", "alias", "unalias", "eval", "readonly", "declare", "typeset", "local",
    "shift", "ulimit", "hash", "read", "getopts", "enable", "builtin",
];

impl Script {
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        if text.len() > MAX_SCRIPT {
            return Err(ParseError::TooLarge(text.len()));
        }
        if text.contains(['\u{b}', '\u{c}', '\r']) {
            return Err(ParseError::Blanks);
        }
        // One parser per thread: setting the language up costs more than
        // parsing a short script.
        thread_local! {
            static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
        }
        let tree = PARSER.with(|cell| {
            let mut slot = cell.borrow_mut();
            if slot.is_none() {
                let mut parser = Parser::new();
                parser
                    .set_language(&tree_sitter_bash::LANGUAGE.into())
                    .ok()?;
                *slot = Some(parser);
            }
            slot.as_mut()?.parse(text, None)
        });
        let tree = tree.ok_or(ParseError::Syntax)?;
        if tree.root_node().has_error() {
            return Err(ParseError::Syntax);
        }
        Ok(Self {
            text: text.to_string(),
            tree,
            commands: OnceCell::new(),
            facts: OnceCell::new(),
            appendable: OnceCell::new(),
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    fn node_text(&self, n: Node<'_>) -> &str {
        &self.text[n.byte_range()]
    }

    /// Every simple command, in source order, including those in subshells,
    /// command substitutions and pipelines.
    pub fn commands(&self) -> Vec<Command> {
        self.command_list().to_vec()
    }

    /// [`Script::commands`], without a copy.
    pub fn command_list(&self) -> &[Command] {
        self.commands.get_or_init(|| self.find_commands())
    }

    fn find_commands(&self) -> Vec<Command> {
        let mut out = Vec::new();
        let root = self.tree.root_node();
        // One cursor for every node's children: each new cursor allocates.
        let mut cur = root.walk();
        // An explicit stack: scripts nest as deep as their text says.
        let mut stack = vec![(root, true)];
        let mut kids = Vec::new();
        while let Some((node, top)) = stack.pop() {
            let kind = Kind::of(node);
            let inner_top = match kind {
                Kind::Command => {
                    if let Some(c) = self.command(node, top, &mut cur) {
                        out.push(c);
                    }
                    // Command substitutions inside arguments.
                    false
                }
                Kind::DeclarationCommand | Kind::UnsetCommand => {
                    let word = node
                        .child(0)
                        .map(|n| self.node_text(n).to_string())
                        .unwrap_or_default();
                    let args = self.words_after(node, 1, &mut cur);
                    out.push(Command {
                        range: node.byte_range(),
                        name: Word {
                            text: word,
                            range: node.child(0).map_or(0..0, |n| n.byte_range()),
                        },
                        args,
                        top_level: top,
                    });
                    continue;
                }
                // Pipeline elements run in subshells too.
                Kind::Subshell => false,
                _ => top,
            };
            children(node, &mut cur, &mut kids);
            if kind == Kind::Command {
                kids.retain(|c| Kind::of(*c) != Kind::CommandName);
            }
            stack.extend(kids.iter().rev().map(|&c| (c, inner_top)));
        }
        out
    }

    fn words_after<'t>(&self, node: Node<'t>, skip: usize, cur: &mut TreeCursor<'t>) -> Vec<Word> {
        let mut kids = Vec::new();
        children(node, cur, &mut kids);
        kids.into_iter()
            .skip(skip)
            .filter(|c| c.is_named() && !Kind::of(*c).is_redirect())
            .map(|c| Word {
                text: self.node_text(c).to_string(),
                range: c.byte_range(),
            })
            .collect()
    }

    fn command<'t>(&self, node: Node<'t>, top: bool, cur: &mut TreeCursor<'t>) -> Option<Command> {
        let mut words: Vec<Word> = Vec::new();
        let mut kids = Vec::new();
        children(node, cur, &mut kids);
        for child in kids {
            match Kind::of(child) {
                Kind::VariableAssignment => {}
                k if k.is_redirect() => {}
                _ if child.is_named() => words.push(Word {
                    text: self.node_text(child).to_string(),
                    range: child.byte_range(),
                }),
                _ => {}
            }
        }
        let start = unwrap_prefixes(&words);
        let mut rest = words.into_iter().skip(start);
        let name = rest.next()?;
        Some(Command {
            range: node.byte_range(),
            name,
            args: rest.collect(),
            top_level: top,
        })
    }

    /// The files that `>` and `>>` redirections write, as written, in
    /// source order (`/dev/null` and file descriptors left out).
    pub fn file_writes(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![self.tree.root_node()];
        while let Some(node) = stack.pop() {
            if node.kind() == "file_redirect" {
                let text = self.node_text(node);
                let writes = text.contains('>') && !text.contains(">&") && !text.contains('<');
                let target = node
                    .child_by_field_name("destination")
                    .map(|d| self.node_text(d).to_string());
                if let Some(t) = target.filter(|t| writes && t != "/dev/null") {
                    out.push(t);
                }
            }
            let mut cur = node.walk();
            let children: Vec<Node<'_>> = node.children(&mut cur).collect();
            stack.extend(children.into_iter().rev());
        }
        out
    }

    /// What stops this script from being followed by `&& more` in the same
    /// shell without changing what `more` sees, if anything.
    pub fn state_changes(&self) -> Vec<String> {
        let mut why = Vec::new();
        for c in self.command_list() {
            if c.top_level && STATEFUL.contains(&c.name.text.as_str()) {
                why.push(format!(
                    "`{}` changes the shell for later commands",
                    c.name.text
                ));
            }
        }
        why.extend(self.facts().top_state.iter().cloned());
        why
    }

    /// Whether the script turns on errexit (`set -e`, `set -eux`,
    /// `set -o errexit`). Shells ignore errexit inside any command of an
    /// `a && b` list but the last, so such a script cannot be chained.
    pub fn sets_errexit(&self) -> bool {
        self.command_list().iter().any(|c| {
            c.name.text == "set"
                && c.args.iter().enumerate().any(|(i, w)| {
                    let t = w.text.as_str();
                    (t.starts_with('-') && !t.starts_with("--") && t[1..].contains('e'))
                        || (t == "-o" && c.args.get(i + 1).is_some_and(|n| n.text == "errexit"))
                })
        })
    }

    /// Constructs that make merging unsafe whatever the isolation: background
    /// jobs, heredocs and comments.
    pub fn blockers(&self) -> Vec<&'static str> {
        self.facts().blockers.clone()
    }

    fn facts(&self) -> &Facts {
        self.facts.get_or_init(|| {
            let mut top_state = Vec::new();
            let mut blockers = Vec::new();
            walk(
                self.tree.root_node(),
                true,
                &mut |kind, parent, top| match kind {
                    Kind::Amp => blockers.push("a background job (`&`)"),
                    Kind::HeredocRedirect | Kind::HeredocBody => blockers.push("a heredoc"),
                    Kind::Comment => blockers.push("a shell comment"),
                    Kind::FunctionDefinition if top => {
                        top_state.push("a function definition".to_string());
                    }
                    Kind::VariableAssignment
                        if top
                            && parent.is_some_and(|p| {
                                !matches!(p, Kind::Command | Kind::DeclarationCommand)
                            }) =>
                    {
                        top_state.push("a variable assignment".to_string());
                    }
                    _ => {}
                },
            );
            blockers.sort_unstable();
            blockers.dedup();
            Facts {
                top_state,
                blockers,
            }
        })
    }

    /// Whether `script && more` parses for any command `more`: the script
    /// does not end in a separator, an open construct or a comment.
    /// Checked once, with a stand-in command.
    pub fn can_append(&self) -> bool {
        *self.appendable.get_or_init(|| {
            let text = self.text.trim_end();
            !text.ends_with([';', '&'])
                && self.facts().blockers.iter().all(|b| !b.contains("comment"))
                && Script::parse(&format!("{text} && true")).is_ok()
        })
    }

    /// Whether the top level is one `a && b && c` chain (or one command), so
    /// that appending `&& more` runs `more` exactly when all of it succeeded.
    pub fn is_and_chain(&self) -> bool {
        let root = self.tree.root_node();
        let mut cur = root.walk();
        let items: Vec<Node<'_>> = root
            .children(&mut cur)
            .filter(|c| c.kind() != "comment")
            .collect();
        if items.len() != 1 {
            return false;
        }
        let mut node = items[0];
        loop {
            if node.kind() != "list" {
                return true;
            }
            let mut c = node.walk();
            let kids: Vec<Node<'_>> = node.children(&mut c).collect();
            if kids.iter().any(|k| !k.is_named() && k.kind() != "&&") {
                return false;
            }
            match kids.first() {
                Some(first) => node = *first,
                None => return true,
            }
            if kids
                .iter()
                .skip(1)
                .any(|k| k.is_named() && k.kind() == "list")
            {
                return false;
            }
        }
    }
}

/// Visits every node, in source order, with its kind, its parent's kind
/// and whether it runs in the script's own shell. Iterative: scripts nest
/// as deep as their text says.
fn walk(root: Node<'_>, top: bool, f: &mut dyn FnMut(Kind, Option<Kind>, bool)) {
    let mut cur = root.walk();
    let mut stack = vec![(root, None, top)];
    let mut kids = Vec::new();
    while let Some((node, parent, top)) = stack.pop() {
        let kind = Kind::of(node);
        f(kind, parent, top);
        let inner_top = top && kind != Kind::Subshell;
        children(node, &mut cur, &mut kids);
        stack.extend(kids.iter().rev().map(|&c| (c, Some(kind), inner_top)));
    }
}

/// Replaces `out` with the children of `node`, read with `cur`.
fn children<'t>(node: Node<'t>, cur: &mut TreeCursor<'t>, out: &mut Vec<Node<'t>>) {
    out.clear();
    cur.reset(node);
    if cur.goto_first_child() {
        loop {
            out.push(cur.node());
            if !cur.goto_next_sibling() {
                break;
            }
        }
    }
}

/// The node kinds the walks tell apart. Looked up by kind id: a node's
/// kind name is a C string that each `Node::kind` call measures and checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Other,
    Command,
    CommandName,
    /// `declaration_command`.
    DeclarationCommand,
    /// `unset_command`.
    UnsetCommand,
    /// What runs in a child shell: `subshell`, `command_substitution`,
    /// `process_substitution` and `pipeline`.
    Subshell,
    VariableAssignment,
    HeredocRedirect,
    HeredocBody,
    /// Any other kind whose name has `redirect` in it.
    Redirect,
    Comment,
    /// The `&` token.
    Amp,
    FunctionDefinition,
}

impl Kind {
    fn of(node: Node<'_>) -> Self {
        static KINDS: OnceLock<Vec<Kind>> = OnceLock::new();
        let kinds = KINDS.get_or_init(|| {
            let language: tree_sitter::Language = tree_sitter_bash::LANGUAGE.into();
            (0..language.node_kind_count())
                .map(|id| {
                    u16::try_from(id)
                        .ok()
                        .and_then(|id| language.node_kind_for_id(id))
                        .map_or(Kind::Other, Kind::named)
                })
                .collect()
        });
        kinds
            .get(usize::from(node.kind_id()))
            .copied()
            .unwrap_or_else(|| Kind::named(node.kind()))
    }

    fn named(name: &str) -> Self {
        match name {
            "command" => Self::Command,
            "command_name" => Self::CommandName,
            "declaration_command" => Self::DeclarationCommand,
            "unset_command" => Self::UnsetCommand,
            "subshell" | "command_substitution" | "process_substitution" | "pipeline" => {
                Self::Subshell
            }
            "variable_assignment" => Self::VariableAssignment,
            "heredoc_redirect" => Self::HeredocRedirect,
            "heredoc_body" => Self::HeredocBody,
            "comment" => Self::Comment,
            "&" => Self::Amp,
            "function_definition" => Self::FunctionDefinition,
            n if n.contains("redirect") => Self::Redirect,
            _ => Self::Other,
        }
    }

    fn is_redirect(self) -> bool {
        matches!(self, Self::Redirect | Self::HeredocRedirect)
    }
}

/// Index of the real program in a command's words: skips `sudo`, `env`,
/// `nohup`, `time` and their options and `NAME=value` arguments.
fn unwrap_prefixes(words: &[Word]) -> usize {
    let mut i = 0;
    while let Some(w) = words.get(i) {
        match w.text.as_str() {
            "sudo" => {
                i += 1;
                while let Some(opt) = words.get(i).filter(|w| w.text.starts_with('-')) {
                    // Options that take a value.
                    let takes_value = matches!(
                        opt.text.as_str(),
                        "-u" | "-g" | "-C" | "-h" | "-p" | "-U" | "-r" | "-t"
                    );
                    i += if takes_value { 2 } else { 1 };
                }
            }
            "env" => {
                i += 1;
                while let Some(w) = words.get(i) {
                    if w.text.starts_with('-') || (w.text.contains('=') && !w.text.starts_with('='))
                    {
                        i += 1;
                    } else {
                        break;
                    }
                }
            }
            "nohup" | "time" | "command" => i += 1,
            _ => break,
        }
    }
    i
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_writes_are_redirect_targets() {
        let s =
            Script::parse("echo a > /etc/x && cat b >> log 2>/dev/null; cmd 2>&1 < in").unwrap();
        assert_eq!(s.file_writes(), ["/etc/x", "log"]);
    }

    use super::*;

    fn names(s: &str) -> Vec<(String, bool)> {
        Script::parse(s)
            .unwrap()
            .commands()
            .into_iter()
            .map(|c| (c.name.text, c.top_level))
            .collect()
    }

    #[test]
    fn finds_commands_behind_prefixes() {
        assert_eq!(
            names("DEBIAN_FRONTEND=noninteractive sudo -E apt-get install -y x && env A=1 pip install y"),
            [("apt-get".into(), true), ("pip".into(), true)]
        );
        assert_eq!(
            names("(cd /x && make) || echo $(uname -m) | tee f; cd /y"),
            [
                ("cd".into(), false),
                ("make".into(), false),
                ("echo".into(), false),
                ("uname".into(), false),
                ("tee".into(), false),
                ("cd".into(), true)
            ]
        );
    }

    #[test]
    fn args_and_literals() {
        let s = Script::parse("apt-get -qq install -y 'curl' \"jq\" a\\ b > /dev/null").unwrap();
        let c = &s.commands()[0];
        let args: Vec<_> = c.args.iter().map(|w| w.literal().unwrap()).collect();
        assert_eq!(args, ["-qq", "install", "-y", "curl", "jq", "a b"]);
        assert_eq!(&s.text()[c.args[1].range.clone()], "install");
    }

    #[test]
    fn state_changes_and_blockers() {
        assert!(Script::parse("make && make install")
            .unwrap()
            .state_changes()
            .is_empty());
        assert!(Script::parse("(cd /x && make)")
            .unwrap()
            .state_changes()
            .is_empty());
        assert_eq!(
            Script::parse("cd /x && make")
                .unwrap()
                .state_changes()
                .len(),
            1
        );
        assert_eq!(
            Script::parse("export A=1").unwrap().state_changes().len(),
            1
        );
        assert_eq!(Script::parse("A=1").unwrap().state_changes().len(), 1);
        assert!(Script::parse("A=1 make")
            .unwrap()
            .state_changes()
            .is_empty());
        assert_eq!(
            Script::parse("f() { x; }").unwrap().state_changes().len(),
            1
        );
        assert_eq!(
            Script::parse("sleep 1 &").unwrap().blockers(),
            ["a background job (`&`)"]
        );
        assert_eq!(
            Script::parse("cat <<EOF\nx\nEOF").unwrap().blockers(),
            ["a heredoc"]
        );
        assert_eq!(
            Script::parse("make # build").unwrap().blockers(),
            ["a shell comment"]
        );
        assert!(Script::parse("a && b > c").unwrap().blockers().is_empty());
    }

    #[test]
    fn errexit() {
        assert!(Script::parse("set -eux; make").unwrap().sets_errexit());
        assert!(Script::parse("set -o errexit && make")
            .unwrap()
            .sets_errexit());
        assert!(!Script::parse("set -x; make").unwrap().sets_errexit());
        assert!(!Script::parse("set -o pipefail; make")
            .unwrap()
            .sets_errexit());
    }

    #[test]
    fn and_chains() {
        assert!(Script::parse("a").unwrap().is_and_chain());
        assert!(Script::parse("a && b && c").unwrap().is_and_chain());
        assert!(Script::parse("a | b && c").unwrap().is_and_chain());
        assert!(!Script::parse("a; b").unwrap().is_and_chain());
        assert!(!Script::parse("a || b").unwrap().is_and_chain());
        assert!(!Script::parse("a && b || c").unwrap().is_and_chain());
    }

    #[test]
    fn errors_give_no_view() {
        assert_eq!(
            Script::parse("if then fi (").err(),
            Some(ParseError::Syntax)
        );
        assert!(Script::parse("echo \"unterminated").is_err());
        // Blanks to tree-sitter-bash, word characters to sh.
        for s in ["a \u{c}&& b", "a\u{b} b", "a \r b"] {
            assert_eq!(Script::parse(s).err(), Some(ParseError::Blanks), "{s:?}");
        }
        let big = "a && ".repeat(MAX_SCRIPT / 5 + 1);
        assert!(matches!(Script::parse(&big), Err(ParseError::TooLarge(_))));
    }

    #[test]
    fn kinds_by_id_agree_with_kinds_by_name() {
        let s = Script::parse(
            "set -eux; export A=1; B=2 sudo -u x env C=3 apt-get install -y a > /dev/null 2>&1 \
             && f() { cd /x; } && (cd /y && make) | tee log &> out && cat <<< \"$(id -u)\" \
             && declare -r D=4 && unset D && echo <(ls) # done",
        )
        .unwrap();
        let mut seen = Vec::new();
        let mut stack = vec![s.tree.root_node()];
        let mut cur = s.tree.walk();
        let mut kids = Vec::new();
        while let Some(n) = stack.pop() {
            assert_eq!(Kind::of(n), Kind::named(n.kind()), "{}", n.kind());
            seen.push(Kind::of(n));
            children(n, &mut cur, &mut kids);
            stack.extend(kids.iter().copied());
        }
        for k in [
            Kind::Command,
            Kind::CommandName,
            Kind::DeclarationCommand,
            Kind::UnsetCommand,
            Kind::Subshell,
            Kind::VariableAssignment,
            Kind::Redirect,
            Kind::Comment,
            Kind::FunctionDefinition,
        ] {
            assert!(seen.contains(&k), "{k:?} not in the sample");
        }
    }
}
