//! Findings as diagnostics, and their fixes as code actions.

use std::collections::HashMap;

use dockopt_engine::fix::{apply, uses_crlf};
use dockopt_engine::{Applicability, Edit, Finding, NotApplied, Severity};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CreateFile, CreateFileOptions, Diagnostic,
    DiagnosticSeverity, DocumentChangeOperation, DocumentChanges, NumberOrString, OneOf,
    OptionalVersionedTextDocumentIdentifier, Position, Range, ResourceOp, TextDocumentEdit,
    TextEdit, Uri, WorkspaceEdit,
};

use super::analysis::{Analysis, Env};
use super::document::{file_uri, Document};
use super::lines::{Encoding, LineIndex};

pub const SOURCE: &str = "dockopt";
pub const FIX_ALL: CodeActionKind = CodeActionKind::new("source.fixAll.dockopt");

/// What the client can do with a workspace edit.
#[derive(Clone, Copy, Debug, Default)]
pub struct EditSupport {
    /// `documentChanges`: edits carry the document version they were made
    /// for, so a client drops them once the text has moved on.
    pub versioned: bool,
    /// Resource operations include `create`: a fix may add a file.
    pub create: bool,
}

pub fn diagnostics(text: &str, result: Result<&Analysis, &str>, enc: Encoding) -> Vec<Diagnostic> {
    let ix = LineIndex::new(text);
    let analysis = match result {
        Ok(a) => a,
        // The file cannot be checked as configured: say so where it shows.
        Err(e) => {
            let first = ix.position(text.find(['\n', '\r']).unwrap_or(text.len()) as u32, enc);
            return vec![Diagnostic {
                range: Range::new(Position::new(0, 0), first),
                severity: Some(DiagnosticSeverity::ERROR),
                source: Some(SOURCE.into()),
                message: e.strip_prefix("error: ").unwrap_or(e).to_string(),
                ..Diagnostic::default()
            }];
        }
    };
    let syntax = analysis.syntax_errors.iter().map(|e| Diagnostic {
        range: ix.range(e.range, enc),
        severity: Some(DiagnosticSeverity::ERROR),
        code: Some(NumberOrString::String("syntax-error".into())),
        source: Some(SOURCE.into()),
        message: e.message.clone(),
        ..Diagnostic::default()
    });
    let findings = analysis.findings.iter().map(|f| diagnostic(f, &ix, enc));
    syntax.chain(findings).collect()
}

fn diagnostic(f: &Finding, ix: &LineIndex<'_>, enc: Encoding) -> Diagnostic {
    let mut message = format!("{} ({})", f.message, f.name);
    match &f.not_applied {
        // The syntax error has a diagnostic of its own.
        None | Some(NotApplied::SyntaxErrors) => {}
        Some(why) => message = format!("{message}\n{why}"),
    }
    let severity = match f.severity() {
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Error => DiagnosticSeverity::ERROR,
    };
    Diagnostic {
        range: ix.range(f.range, enc),
        severity: Some(severity),
        code: Some(NumberOrString::String(f.code.into())),
        source: Some(SOURCE.into()),
        message,
        ..Diagnostic::default()
    }
}

/// A code action request on one document.
pub struct Request<'a> {
    pub uri: &'a Uri,
    pub doc: &'a Document,
    pub env: &'a Env,
    pub analysis: &'a Analysis,
    pub range: Range,
    pub only: Option<&'a [CodeActionKind]>,
    pub enc: Encoding,
    pub support: EditSupport,
}

impl Request<'_> {
    fn wants(&self, kind: &CodeActionKind) -> bool {
        self.only.is_none_or(|only| {
            only.iter().any(|k| {
                kind.as_str() == k.as_str()
                    || kind.as_str().starts_with(&format!("{}.", k.as_str()))
            })
        })
    }

    fn edit(&self, edits: Vec<TextEdit>) -> WorkspaceEdit {
        if self.support.versioned {
            WorkspaceEdit {
                document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                    text_document: OptionalVersionedTextDocumentIdentifier {
                        uri: self.uri.clone(),
                        version: Some(self.doc.version),
                    },
                    edits: edits.into_iter().map(OneOf::Left).collect(),
                }])),
                ..WorkspaceEdit::default()
            }
        } else {
            WorkspaceEdit::new(HashMap::from([(self.uri.clone(), edits)]))
        }
    }
}

pub fn code_actions(req: &Request<'_>) -> Vec<CodeActionOrCommand> {
    let text = &req.doc.text;
    let ix = LineIndex::new(text);
    let (from, to) = (
        ix.offset(req.range.start, req.enc),
        ix.offset(req.range.end, req.enc),
    );
    let mut actions = Vec::new();
    if req.wants(&CodeActionKind::QUICKFIX) {
        let mut baseline = None;
        for f in &req.analysis.findings {
            // A cursor at either end of a finding is on it.
            if f.range.start > to || from > f.range.end {
                continue;
            }
            let errors = *baseline.get_or_insert_with(|| {
                dockopt_syntax::parse(text.as_bytes().to_vec())
                    .errors()
                    .len()
            });
            actions.extend(quick_fix(req, &ix, f, errors));
            actions.extend(create_file(req, &ix, f));
        }
    }
    if req.wants(&FIX_ALL) {
        actions.extend(fix_all(req, &ix));
    }
    actions
        .into_iter()
        .map(CodeActionOrCommand::CodeAction)
        .collect()
}

/// A finding's own fix, when it applies on its own: safe fixes are the
/// preferred quick fix, unsafe ones say so in their title.
fn quick_fix(
    req: &Request<'_>,
    ix: &LineIndex<'_>,
    f: &Finding,
    errors_before: usize,
) -> Option<CodeAction> {
    let fix = f.fix.as_ref().filter(|x| !x.edits.is_empty())?;
    if f.not_applied.is_some() || fix.applicability == Applicability::DisplayOnly {
        return None;
    }
    let text = req.doc.text.as_bytes();
    let crlf = uses_crlf(text);
    // As `fix` does: never offer text that parses worse than what is there.
    let edits: Vec<&Edit> = fix.edits.iter().collect();
    let after = dockopt_syntax::parse(apply(text, &edits, crlf));
    if after.has_errors() || after.errors().len() > errors_before {
        return None;
    }
    let safe = fix.applicability == Applicability::Safe;
    let title = if safe {
        format!("{} ({} {})", fix.title, f.code, f.name)
    } else {
        format!(
            "{} ({} {}; unsafe: may change what ends up in the image)",
            fix.title, f.code, f.name
        )
    };
    let edits = fix
        .edits
        .iter()
        .map(|e| TextEdit {
            range: ix.range(e.range, req.enc),
            new_text: line_endings(&e.replacement, crlf),
        })
        .collect();
    Some(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic(f, ix, req.enc)]),
        edit: Some(req.edit(edits)),
        is_preferred: Some(safe),
        ..CodeAction::default()
    })
}

/// A new file a finding proposes (`.dockerignore`), where the client can
/// create files and none is there yet.
fn create_file(req: &Request<'_>, ix: &LineIndex<'_>, f: &Finding) -> Option<CodeAction> {
    let new = f.create.as_ref()?;
    if !req.support.create || !req.support.versioned {
        return None;
    }
    let path = req.env.context_path(&new.path)?;
    if path.symlink_metadata().is_ok() {
        return None;
    }
    let uri = file_uri(&path)?;
    let ops = vec![
        DocumentChangeOperation::Op(ResourceOp::Create(CreateFile {
            uri: uri.clone(),
            options: Some(CreateFileOptions {
                overwrite: Some(false),
                ignore_if_exists: Some(true),
            }),
            annotation_id: None,
        })),
        DocumentChangeOperation::Edit(TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
            edits: vec![OneOf::Left(TextEdit {
                range: Range::default(),
                new_text: new.content.clone(),
            })],
        }),
    ];
    Some(CodeAction {
        title: format!("Create {} ({} {})", new.path, f.code, f.name),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic(f, ix, req.enc)]),
        edit: Some(WorkspaceEdit {
            document_changes: Some(DocumentChanges::Operations(ops)),
            ..WorkspaceEdit::default()
        }),
        ..CodeAction::default()
    })
}

/// What `dockopt fix` would write, as one edit: the fixes that apply by
/// the configuration (safe ones, unless it enables unsafe fixes).
fn fix_all(req: &Request<'_>, ix: &LineIndex<'_>) -> Option<CodeAction> {
    let min = if req.env.settings.unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    let any =
        req.analysis.findings.iter().any(|f| {
            f.not_applied.is_none() && f.fix.as_ref().is_some_and(|x| x.applicability >= min)
        });
    if !any {
        return None;
    }
    let outcome = req.env.fix(&req.doc.text)?;
    let new = String::from_utf8(outcome.output).ok()?;
    let (start, end, replacement) = changed_span(&req.doc.text, &new)?;
    let title = if req.env.settings.unsafe_fixes {
        "Fix all dockopt findings, unsafe fixes included as configured"
    } else {
        "Fix all safe dockopt findings"
    };
    Some(CodeAction {
        title: title.into(),
        kind: Some(FIX_ALL),
        edit: Some(req.edit(vec![TextEdit {
            range: Range::new(
                ix.position(start as u32, req.enc),
                ix.position(end as u32, req.enc),
            ),
            new_text: replacement.to_string(),
        }])),
        ..CodeAction::default()
    })
}

/// The part of `old` that `new` replaces: `(start, end, replacement)`, on
/// character boundaries; `None` when they are equal.
fn changed_span<'n>(old: &str, new: &'n str) -> Option<(usize, usize, &'n str)> {
    if old == new {
        return None;
    }
    let mut prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max = old.len().min(new.len()) - prefix;
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    // No end between the `\r` and `\n` of a line break: no position is
    // there.
    let splits = |at: usize| at > 0 && old[..at].ends_with('\r') && old[at..].starts_with('\n');
    if splits(prefix) {
        prefix -= 1;
    }
    if splits(old.len() - suffix) {
        suffix -= 1;
    }
    Some((prefix, old.len() - suffix, &new[prefix..new.len() - suffix]))
}

/// Inserted line breaks follow the file's own, as `fix` writes them.
fn line_endings(text: &str, crlf: bool) -> String {
    if !crlf {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut prev = '\0';
    for c in text.chars() {
        if c == '\n' && prev != '\r' {
            out.push('\r');
        }
        out.push(c);
        prev = c;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_span_is_the_smallest_middle() {
        assert_eq!(changed_span("abc", "abc"), None);
        assert_eq!(changed_span("a1c", "a22c"), Some((1, 2, "22")));
        assert_eq!(changed_span("aaa", "aa"), Some((2, 3, "")));
        // Never inside a character: é and è share their first byte.
        assert_eq!(changed_span("xé", "xè"), Some((1, 3, "è")));
        // Nor inside a line break.
        assert_eq!(changed_span("a\r\nb", "a\r\r\nb"), Some((1, 3, "\r\r\n")));
    }

    #[test]
    fn inserted_breaks_follow_the_file() {
        assert_eq!(line_endings("a\nb\r\n", true), "a\r\nb\r\n");
        assert_eq!(line_endings("a\nb", false), "a\nb");
    }
}
