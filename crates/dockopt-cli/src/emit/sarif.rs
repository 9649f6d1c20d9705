//! SARIF 2.1.0 for code scanning: one run, every transform as a rule with
//! its page as help, each finding with its fix, and files that could not be
//! processed as tool execution notifications. Columns count UTF-16 code
//! units (`columnKind`).

use std::io::{self, Write};
use std::path::Path;

use dockopt_engine::{Applicability, Severity};
use percent_encoding::{percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Value};

use super::{
    diags, offered_fix, replacement_text, rule_url, Columns, Diag, Positions, DOCS_URL,
    SYNTAX_ERROR,
};
use crate::commands::run::FileReport;

/// Everything but RFC 3986's unreserved characters is escaped in a path
/// segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The base that relative URIs resolve against: the directory dockopt ran in.
const SRCROOT: &str = "%SRCROOT%";

fn encode_segments(segments: &[&[u8]]) -> String {
    segments
        .iter()
        .map(|s| percent_encode(s, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

fn path_bytes(p: &Path) -> Vec<Vec<u8>> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        p.as_os_str()
            .as_bytes()
            .split(|&b| b == b'/')
            .map(<[u8]>::to_vec)
            .collect()
    }
    #[cfg(not(unix))]
    {
        p.to_string_lossy()
            .replace('\\', "/")
            .split('/')
            .map(|s| s.as_bytes().to_vec())
            .collect()
    }
}

/// A percent-encoded URI for a path: `file://` for an absolute path,
/// otherwise a relative reference against `%SRCROOT%`.
pub fn artifact_location(shown: &str, path: Option<&Path>) -> Value {
    let p = path.unwrap_or_else(|| Path::new(shown));
    let segments = path_bytes(p);
    let mut parts: Vec<&[u8]> = segments.iter().map(Vec::as_slice).collect();
    if p.is_absolute() {
        // `/a/b` splits into "", "a", "b": the empty first segment makes
        // `file:///a/b`.
        return json!({"uri": format!("file://{}", encode_segments(&parts))});
    }
    while parts.first() == Some(&&b"."[..]) && parts.len() > 1 {
        parts.remove(0);
    }
    json!({"uri": encode_segments(&parts), "uriBaseId": SRCROOT})
}

fn artifact(r: &FileReport) -> Value {
    artifact_location(&r.display, r.path.as_deref())
}

fn region(pos: &Positions<'_>, range: dockopt_syntax::TextRange) -> Value {
    let (s, t) = pos.span(range, Columns::Utf16);
    json!({"startLine": s.line, "startColumn": s.col, "endLine": t.line, "endColumn": t.col})
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Markdown with its markup taken out, for the `text` fields.
fn plain(markdown: &str) -> String {
    let mut out = String::new();
    let mut rest = markdown;
    while let Some(i) = rest.find('[') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after.find("](").and_then(|j| {
            let k = after[j + 2..].find(')')?;
            Some((j, j + 2 + k + 1))
        }) {
            Some((j, end)) if !after[..j].contains('\n') => {
                out.push_str(&after[..j]);
                rest = &after[end..];
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.replace("**", "").replace('`', "")
}

/// The first paragraph of a page, after its title.
fn first_paragraph(docs: &str) -> String {
    docs.lines()
        .skip_while(|l| l.starts_with('#') || l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

const SYNTAX_ERROR_SUMMARY: &str = "BuildKit cannot parse this instruction";

fn rule(id: &str, name: &str, summary: &str, docs: &str, level: &str, fixes: &str) -> Value {
    let url = rule_url(name);
    let intro = plain(&first_paragraph(docs));
    let intro = if intro.is_empty() {
        summary.to_string()
    } else {
        intro
    };
    json!({
        "id": id,
        "name": name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": intro, "markdown": docs},
        "help": {"text": format!("{intro}\n\nSee {url}"), "markdown": docs},
        "helpUri": url,
        "defaultConfiguration": {"level": level},
        "properties": {"tags": ["dockerfile"], "fixes": fixes},
    })
}

fn rules() -> Vec<Value> {
    let mut rules: Vec<Value> = dockopt_transforms::ALL
        .iter()
        .map(|t| {
            rule(
                t.code(),
                t.name(),
                t.summary(),
                t.docs(),
                "warning",
                t.rule().fixes.as_str(),
            )
        })
        .collect();
    rules.push(rule(
        SYNTAX_ERROR,
        SYNTAX_ERROR,
        SYNTAX_ERROR_SUMMARY,
        crate::commands::rule::SYNTAX_ERROR_DOCS,
        "error",
        "none",
    ));
    rules
}

fn fixes(r: &FileReport, pos: &Positions<'_>, d: &Diag<'_>) -> Option<Value> {
    let fix = offered_fix(d.finding?)?;
    let label = match fix.applicability {
        Applicability::Safe => fix.title.clone(),
        _ => format!("{} (unsafe: applied with --unsafe)", fix.title),
    };
    let replacements: Vec<Value> = fix
        .edits
        .iter()
        .map(|e| {
            json!({
                "deletedRegion": region(pos, e.range),
                "insertedContent": {"text": replacement_text(r.text(), &e.replacement)},
            })
        })
        .collect();
    if replacements.is_empty() {
        return None;
    }
    Some(json!([{
        "description": {"text": label},
        "artifactChanges": [{"artifactLocation": artifact(r), "replacements": replacements}],
    }]))
}

pub fn emit(out: &mut dyn Write, reports: &[FileReport]) -> io::Result<()> {
    let rules = rules();
    let index_of = |code: &str| rules.iter().position(|r| r["id"] == code);
    let mut results = Vec::new();
    for r in reports {
        let pos = Positions::new(r.text());
        for d in diags(r) {
            let mut result = json!({
                "ruleId": d.code,
                "level": level(d.severity),
                "message": {"text": if d.finding.is_some() {
                    format!("{} ({})", d.message, d.name)
                } else {
                    d.message.to_string()
                }},
                "locations": [{"physicalLocation": {
                    "artifactLocation": artifact(r),
                    "region": region(&pos, d.range),
                }}],
            });
            if let Some(i) = index_of(d.code) {
                result["ruleIndex"] = json!(i);
            }
            if let Some(f) = fixes(r, &pos, &d) {
                result["fixes"] = f;
            }
            results.push(result);
        }
    }
    // Files that could not be processed: the run did not fully succeed.
    let notifications: Vec<Value> = reports
        .iter()
        .filter_map(|r| {
            let e = r.error.as_deref()?;
            Some(json!({
                "level": "error",
                "message": {"text": e.strip_prefix("error: ").unwrap_or(e)},
                "locations": [{"physicalLocation": {"artifactLocation": artifact(r)}}],
            }))
        })
        .collect();
    let mut run = json!({
        "tool": {"driver": {
            "name": "dockopt",
            "version": env!("CARGO_PKG_VERSION"),
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "informationUri": DOCS_URL,
            "rules": rules,
        }},
        "columnKind": "utf16CodeUnits",
        "results": results,
        "invocations": [{
            "executionSuccessful": notifications.is_empty(),
            "toolExecutionNotifications": notifications,
        }],
    });
    if let Some(root) = std::env::current_dir()
        .ok()
        .map(|d| artifact_location("", Some(&d)))
    {
        let uri = root["uri"].as_str().unwrap_or_default();
        let uri = if uri.ends_with('/') {
            uri.to_string()
        } else {
            format!("{uri}/")
        };
        run["originalUriBaseIds"] = json!({SRCROOT: {"uri": uri}});
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    });
    writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        let rel = artifact_location("x", Some(Path::new("./my app/Dockerfile#1")));
        assert_eq!(rel["uri"], "my%20app/Dockerfile%231");
        assert_eq!(rel["uriBaseId"], SRCROOT);
        let abs = artifact_location("x", Some(Path::new("/srv/caf\u{e9}/Dockerfile")));
        assert_eq!(abs["uri"], "file:///srv/caf%C3%A9/Dockerfile");
        assert!(abs.get("uriBaseId").is_none());
        // A colon in the first segment would read as a scheme.
        let colon = artifact_location("x", Some(Path::new("a:b/Dockerfile")));
        assert_eq!(colon["uri"], "a%3Ab/Dockerfile");
    }

    #[test]
    fn markdown_becomes_text() {
        assert_eq!(
            plain("Use `COPY` ([docs](https://x/y)) **now** [x]"),
            "Use COPY (docs) now [x]"
        );
    }
}
