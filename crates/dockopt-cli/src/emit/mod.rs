//! Output formats. Each emitter writes the reports of a whole run.
//!
//! Positions are computed on the text each finding refers to
//! ([`FileReport::text`]: the fixed text after `fix`), and columns are
//! counted the way each format's consumer counts them (see [`Columns`]).

pub mod checkstyle;
pub mod diff;
pub mod github;
pub mod gitlab;
pub mod json;
pub mod junit;
pub mod rdjson;
pub mod sarif;
pub mod statistics;
pub mod text;
mod xml;

use dockopt_engine::{Applicability, Finding, Gain, Severity};
use dockopt_syntax::{LineIndex, TextRange};

use crate::commands::run::FileReport;

/// Where the project's documentation lives.
pub const DOCS_URL: &str = "https://github.com/dockopt/dockopt/blob/main/docs/";

/// Where the rule pages live: inside the transforms crate, which includes
/// them.
pub const RULES_URL: &str = "https://github.com/dockopt/dockopt/blob/main/transforms/docs/";

/// The documentation page of a rule.
pub fn rule_url(name: &str) -> String {
    if name == SYNTAX_ERROR {
        format!("{DOCS_URL}cli.md#syntax-errors")
    } else {
        format!("{RULES_URL}{name}.md")
    }
}

/// The rule id of syntax errors in every format.
pub const SYNTAX_ERROR: &str = "syntax-error";

/// How a consumer counts columns (all 1-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Columns {
    /// UTF-8 bytes: JSON (with the offset beside it) and reviewdog.
    Bytes,
    /// Unicode scalar values, as a person counts: text, concise, JUnit,
    /// Checkstyle.
    Chars,
    /// UTF-16 code units, as JavaScript and LSP do: SARIF (declared in
    /// `columnKind`) and GitHub annotations.
    Utf16,
}

/// A 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

/// Line and column lookups over one text.
pub struct Positions<'a> {
    text: &'a [u8],
    index: LineIndex,
}

impl<'a> Positions<'a> {
    pub fn new(text: &'a [u8]) -> Self {
        Self {
            text,
            index: LineIndex::new(text),
        }
    }

    pub fn at(&self, offset: u32, columns: Columns) -> Pos {
        let offset = offset.min(self.text.len() as u32);
        let lc = self.index.line_col(offset);
        let start = self.index.line_start(lc.line).unwrap_or(0) as usize;
        let mut before = &self.text[start..offset as usize];
        if start == 0 && columns != Columns::Bytes {
            // Editors do not show a byte order mark as a column.
            before = before.strip_prefix("\u{feff}".as_bytes()).unwrap_or(before);
        }
        let counted = match columns {
            Columns::Bytes => before.len(),
            Columns::Chars => String::from_utf8_lossy(before).chars().count(),
            Columns::Utf16 => String::from_utf8_lossy(before)
                .chars()
                .map(char::len_utf16)
                .sum(),
        };
        Pos {
            line: lc.line,
            col: counted as u32 + 1,
        }
    }

    pub fn span(&self, range: TextRange, columns: Columns) -> (Pos, Pos) {
        (self.at(range.start, columns), self.at(range.end, columns))
    }
}

/// A finding or a syntax error: what every format reports.
pub struct Diag<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub message: &'a str,
    pub range: TextRange,
    pub severity: Severity,
    /// `None` for a syntax error.
    pub finding: Option<&'a Finding>,
}

impl Diag<'_> {
    /// `DKR008 exec-form`, or `syntax-error`.
    pub fn id(&self) -> String {
        if self.code == self.name {
            self.code.to_string()
        } else {
            format!("{} {}", self.code, self.name)
        }
    }
}

/// A report's syntax errors, then its findings, in file order.
pub fn diags(r: &FileReport) -> impl Iterator<Item = Diag<'_>> {
    let errors = r.syntax_errors.iter().map(|e| Diag {
        code: SYNTAX_ERROR,
        name: SYNTAX_ERROR,
        message: &e.message,
        range: e.range,
        severity: Severity::Error,
        finding: None,
    });
    let findings = r.findings.iter().map(|f| Diag {
        code: f.code,
        name: f.name,
        message: &f.message,
        range: f.range,
        severity: f.severity(),
        finding: Some(f),
    });
    errors.chain(findings)
}

/// What a finding's fix buys: its own gain, or else its rule's.
pub fn gain(f: &Finding) -> Option<Gain> {
    f.gain.or_else(|| {
        dockopt_transforms::ALL
            .iter()
            .find(|t| t.code() == f.code)
            .map(|t| t.rule().gain)
    })
}

/// A short word for what happens to a finding's fix.
pub fn fix_status(f: &Finding, unsafe_enabled: bool) -> String {
    match (&f.fix, &f.not_applied) {
        (_, Some(why)) => why.to_string(),
        (Some(fix), None) => match fix.applicability {
            Applicability::Safe => format!("fix: {}", fix.title),
            Applicability::Unsafe if unsafe_enabled => format!("unsafe fix: {}", fix.title),
            Applicability::Unsafe => format!("unsafe fix (--unsafe): {}", fix.title),
            Applicability::DisplayOnly => format!("suggestion: {}", fix.title),
        },
        (None, None) => "no automatic fix".to_string(),
    }
}

/// The fix a consumer may offer for a finding: one that is neither refused
/// nor display-only.
pub fn offered_fix(f: &Finding) -> Option<&dockopt_engine::Fix> {
    f.fix
        .as_ref()
        .filter(|x| f.not_applied.is_none() && x.applicability != Applicability::DisplayOnly)
}

/// An edit's text as it would be written: line breaks follow the file's.
pub fn replacement_text(text: &[u8], replacement: &str) -> String {
    if dockopt_engine::fix::uses_crlf(text) {
        replacement.replace("\r\n", "\n").replace('\n', "\r\n")
    } else {
        replacement.to_string()
    }
}

/// Paths as reports show them: forward slashes, no leading `./`.
pub fn report_path(r: &FileReport) -> String {
    r.display.trim_start_matches("./").to_string()
}

/// How a run was asked for, for the emitters that need more than the
/// reports.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub unsafe_enabled: bool,
    pub fail_on: Severity,
    pub color: bool,
    pub quiet: bool,
    /// `Some(dry_run)` for `fix`.
    pub fix: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_in_each_unit() {
        // "é" is 2 bytes, 1 char, 1 UTF-16 unit; "😀" is 4, 1 and 2.
        let text = "\u{feff}FROM a\nRUN echo é😀 x\n".as_bytes();
        let p = Positions::new(text);
        let x = text.iter().rposition(|&b| b == b'x').unwrap() as u32;
        assert_eq!(p.at(x, Columns::Bytes), Pos { line: 2, col: 17 });
        assert_eq!(p.at(x, Columns::Chars), Pos { line: 2, col: 13 });
        assert_eq!(p.at(x, Columns::Utf16), Pos { line: 2, col: 14 });
        // The BOM is not a column, except in bytes.
        assert_eq!(p.at(3, Columns::Chars), Pos { line: 1, col: 1 });
        assert_eq!(p.at(3, Columns::Bytes), Pos { line: 1, col: 4 });
    }
}
