//! Typed, read-only views over the tree for transforms.

use crate::command::Command;
use crate::heredoc::Heredoc;
use crate::text::TextRange;
use crate::tree::{HeredocSpan, InstructionData, Item, ItemKind, SyntaxTree};

/// One instruction (or unknown instruction line) of the file.
#[derive(Clone, Copy, Debug)]
pub struct Instruction<'a> {
    tree: &'a SyntaxTree,
    item: &'a Item,
    data: &'a InstructionData,
}

/// A `--name=value` flag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    pub name: String,
    pub value: Option<String>,
    /// Where the flag is written in the source.
    pub range: TextRange,
}

impl<'a> Instruction<'a> {
    pub fn tree(&self) -> &'a SyntaxTree {
        self.tree
    }

    pub fn item(&self) -> &'a Item {
        self.item
    }

    pub fn data(&self) -> &'a InstructionData {
        self.data
    }

    pub fn command(&self) -> &'a Command {
        &self.data.command
    }

    /// Whether BuildKit knows the keyword.
    pub fn is_known(&self) -> bool {
        self.item.kind == ItemKind::Instruction
    }

    /// The keyword as written.
    pub fn keyword(&self) -> &'a str {
        &self.data.command.keyword
    }

    /// The keyword in upper case.
    pub fn name(&self) -> String {
        self.data.command.name()
    }

    pub fn is(&self, keyword: &str) -> bool {
        self.data.command.is(keyword)
    }

    /// Whole lines, from the keyword's line to the last heredoc terminator,
    /// including the final line ending.
    pub fn range(&self) -> TextRange {
        self.item.range
    }

    pub fn keyword_range(&self) -> TextRange {
        self.data.source_range(self.data.command.keyword_range)
    }

    /// The continuation-joined line, from the text view (see
    /// [`SyntaxTree::placeholder`]).
    pub fn line(&self) -> std::borrow::Cow<'a, str> {
        std::borrow::Cow::Borrowed(&self.data.line)
    }

    /// The arguments after keyword and flags, continuation-joined.
    pub fn args(&self) -> std::borrow::Cow<'a, str> {
        let r = self.data.command.args;
        std::borrow::Cow::Borrowed(self.data.line.get(r.as_usize()).unwrap_or_default())
    }

    /// The source range of the arguments (continuation markers included).
    pub fn args_range(&self) -> TextRange {
        self.data.source_range(self.data.command.args)
    }

    pub fn flags(&self) -> impl Iterator<Item = Flag> + 'a {
        let data = self.data;
        let c = &data.command;
        c.flags.iter().zip(&c.flag_ranges).map(move |(f, r)| {
            let f = f.trim_start_matches("--");
            let (name, value) = match f.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (f.to_string(), None),
            };
            Flag {
                name,
                value,
                range: data.source_range(*r),
            }
        })
    }

    pub fn flag(&self, name: &str) -> Option<Flag> {
        self.flags().find(|f| f.name == name)
    }

    /// Exec (JSON) form.
    pub fn is_json(&self) -> bool {
        self.data.command.effective().json
    }

    /// Values as BuildKit's parser gives them.
    pub fn values(&self) -> &'a [String] {
        &self.data.command.effective().values
    }

    /// The ONBUILD target.
    pub fn sub_command(&self) -> Option<&'a Command> {
        self.data.command.sub.as_deref()
    }

    pub fn heredocs(&self) -> impl Iterator<Item = (&'a Heredoc, &'a HeredocSpan)> + 'a {
        self.data
            .command
            .heredocs
            .iter()
            .zip(&self.data.heredoc_spans)
    }

    pub fn start_line(&self) -> u32 {
        self.data.start_line
    }

    pub fn end_line(&self) -> u32 {
        self.data.end_line
    }

    /// Maps a range of the joined line back into the source.
    pub fn source_range(&self, joined: TextRange) -> TextRange {
        self.data.source_range(joined)
    }
}

/// A build stage: a FROM and the instructions up to the next FROM.
#[derive(Clone, Debug)]
pub struct Stage<'a> {
    pub index: usize,
    pub from: Instruction<'a>,
    pub instructions: Vec<Instruction<'a>>,
}

impl<'a> Stage<'a> {
    /// The base image or stage name.
    pub fn base(&self) -> Option<&'a str> {
        self.from.values().first().map(String::as_str)
    }

    /// The `AS name`, lower-cased as BuildKit compares stage names.
    pub fn name(&self) -> Option<String> {
        match self.from.values() {
            [_, as_kw, name] if as_kw.eq_ignore_ascii_case("as") => Some(name.to_lowercase()),
            _ => None,
        }
    }
}

impl SyntaxTree {
    /// Instructions and unknown-instruction lines, in order.
    pub fn instructions(&self) -> impl Iterator<Item = Instruction<'_>> + '_ {
        self.items.iter().filter_map(move |item| {
            let idx = item.instruction? as usize;
            Some(Instruction {
                tree: self,
                item,
                data: &self.instructions[idx],
            })
        })
    }

    /// ARG and other instructions before the first FROM.
    pub fn global_instructions(&self) -> Vec<Instruction<'_>> {
        self.instructions().take_while(|i| !i.is("from")).collect()
    }

    pub fn stages(&self) -> Vec<Stage<'_>> {
        let mut stages: Vec<Stage<'_>> = Vec::new();
        for inst in self.instructions() {
            if inst.is("from") {
                stages.push(Stage {
                    index: stages.len(),
                    from: inst,
                    instructions: Vec::new(),
                });
            } else if let Some(stage) = stages.last_mut() {
                stage.instructions.push(inst);
            }
        }
        stages
    }
}

#[cfg(test)]
mod tests {
    use crate::parse;

    #[test]
    fn stages_and_flags() {
        let tree = parse(
            "ARG V=1\nFROM --platform=$P golang:1.22 AS Build\nRUN --mount=type=cache,target=/x \\\n  go build\nFROM scratch\nCOPY --from=build /a /a\n",
        );
        let stages = tree.stages();
        assert_eq!(stages.len(), 2);
        assert_eq!(stages[0].name().as_deref(), Some("build"));
        assert_eq!(stages[0].base(), Some("golang:1.22"));
        assert_eq!(tree.global_instructions().len(), 1);
        let run = &stages[0].instructions[0];
        let mount = run.flag("mount").unwrap();
        assert_eq!(mount.value.as_deref(), Some("type=cache,target=/x"));
        assert_eq!(tree.text(mount.range), b"--mount=type=cache,target=/x");
        assert_eq!(run.args(), "go build");
        assert_eq!(tree.text(run.args_range()), b"go build");
        let copy = &stages[1].instructions[0];
        assert_eq!(copy.flag("from").unwrap().value.as_deref(), Some("build"));
        assert_eq!(copy.values(), ["/a", "/a"]);
    }
}
