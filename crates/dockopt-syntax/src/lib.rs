//! A lossless syntax tree for Dockerfiles.
//!
//! [`parse`] never fails: it returns a [`SyntaxTree`] whose tokens print back
//! to the input byte for byte, plus the errors it found. The typed view
//! ([`Instruction`], [`Stage`]) gives each instruction as BuildKit's parser
//! sees it, with byte ranges back into the file.
//!
//! ```
//! let src = "FROM alpine AS base\nRUN apk add \\\n    curl\n";
//! let tree = dockopt_syntax::parse(src);
//! assert_eq!(tree.print(), src.as_bytes());
//! let run = tree.instructions().nth(1).unwrap();
//! assert_eq!(run.name(), "RUN");
//! assert_eq!(run.values(), ["apk add     curl"]);
//! ```

mod command;
pub mod dump;
mod go;
mod heredoc;
mod json;
mod lines;
mod parser;
mod placeholder;
pub mod text;
mod tree;
mod view;

pub use command::{is_keyword, parse_words, Command, KEYWORDS};
pub use heredoc::Heredoc;
pub use parser::parse;
pub use placeholder::replace_invalid;
pub use text::{LineCol, LineIndex, TextRange};
pub use tree::{
    HeredocSpan, InstructionData, Item, ItemKind, Segment, Severity, SyntaxError, SyntaxTree,
    Token, TokenKind,
};
pub use view::{Flag, Instruction, Stage};
