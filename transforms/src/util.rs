//! Small helpers shared by transforms.

use dockopt_engine::Edit;
use dockopt_syntax::{Instruction, SyntaxTree, TokenKind};

/// Whether the instruction has comment lines inside its continuation, which
/// a rewrite of its arguments would lose.
pub fn has_inner_comments(inst: &Instruction<'_>) -> bool {
    let item = inst.item();
    inst.tree().tokens()[item.tokens.start as usize..item.tokens.end as usize]
        .iter()
        .any(|t| t.kind == TokenKind::Comment)
}

/// `new` in the letter case of `written` (`add` gives `copy`).
pub fn same_case(written: &str, new: &str) -> String {
    if written.chars().all(|c| c.is_ascii_lowercase()) {
        new.to_ascii_lowercase()
    } else {
        new.to_ascii_uppercase()
    }
}

/// The file's `syntax` directive value, if it has one.
pub fn syntax_directive(tree: &SyntaxTree) -> Option<&str> {
    tree.directives()
        .iter()
        .find(|(n, _, _)| n == "syntax")
        .map(|(_, v, _)| v.as_str())
}

/// The edit that adds `# syntax=docker/dockerfile:1` at the top (after a
/// BOM), for features older front ends lack: cache mounts, heredocs.
pub fn add_syntax_directive(tree: &SyntaxTree) -> Edit {
    let at = tree
        .tokens()
        .first()
        .filter(|t| t.kind == TokenKind::Bom)
        .map_or(0, |t| t.range.end);
    Edit::insert(at, "# syntax=docker/dockerfile:1\n")
}

/// Whether a real path (a file name from the build context, a path a
/// command writes) can be written as a word of a Dockerfile instruction:
/// BuildKit expands variables in such words, removes quotes and escapes,
/// and matches globs in COPY sources. Blanks are fine in the JSON form
/// ([`instruction_words`]).
pub fn plain_path(path: &str) -> bool {
    !path.is_empty()
        && !path
            .chars()
            .any(|c| c.is_control() || "$\\'\"`*?[]{}".contains(c))
}

/// The arguments of a COPY or ADD, given as BuildKit reads them (before
/// expansion): words joined by spaces, or the JSON form when a word has a
/// blank. A word that no form can carry is an error.
pub fn instruction_words(words: &[String]) -> Result<String, String> {
    if let Some(w) = words
        .iter()
        .find(|w| w.is_empty() || w.contains(['\n', '\r']))
    {
        return Err(format!(
            "{w:?} cannot be written as a word of an instruction"
        ));
    }
    let blank = |w: &String| w.chars().any(char::is_whitespace);
    if !words.iter().any(blank) {
        return Ok(words.join(" "));
    }
    let quoted: Vec<String> = words
        .iter()
        .map(|w| serde_json::Value::String(w.clone()).to_string())
        .collect();
    Ok(format!("[{}]", quoted.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_for_instructions() {
        let w =
            |v: &[&str]| instruction_words(&v.iter().map(ToString::to_string).collect::<Vec<_>>());
        assert_eq!(w(&["a", "/b/"]).unwrap(), "a /b/");
        assert_eq!(
            w(&["my app", "/srv/x y/"]).unwrap(),
            r#"["my app", "/srv/x y/"]"#
        );
        assert_eq!(w(&["a\u{1}b c", "d"]).unwrap(), r#"["a\u0001b c", "d"]"#);
        assert!(w(&["a\nb", "c"]).is_err());
        assert!(plain_path("/app/bin/server-1.2_x"));
        assert!(plain_path("/srv/my app"));
        for bad in [
            "", "$HOME", "a\\b", "it's", "\"q\"", "`x`", "*.json", "a?", "[ab]", "{a,b}", "a\nb",
        ] {
            assert!(!plain_path(bad), "{bad:?}");
        }
    }
}
