//! Small helpers shared by transforms.

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

/// Whether the frontend the file builds with has a Dockerfile feature that
/// came in version `1.minor`: cache mounts (1.2), heredocs (1.4), `env=` on
/// secret mounts (1.10). Without a `syntax` directive the builder's own
/// frontend runs, and the one built into every current Docker Engine (28
/// and later) has them all: no directive is added for them. A directive
/// that pins an older frontend, or another frontend, is a refusal.
pub fn frontend_has(tree: &SyntaxTree, minor: u32, feature: &str) -> Result<(), String> {
    let Some(value) = syntax_directive(tree) else {
        return Ok(());
    };
    let v = value.trim();
    let v = v.strip_prefix("docker.io/").unwrap_or(v);
    let Some(tag) = v.strip_prefix("docker/dockerfile:") else {
        return Err(format!(
            "the file builds with the frontend {v}, which may lack {feature}"
        ));
    };
    let version = tag
        .split('@')
        .next()
        .unwrap_or(tag)
        .trim_end_matches("-labs");
    let mut parts = version.split('.');
    let major = parts.next().and_then(|p| p.parse::<u32>().ok());
    let have = parts.next().map(|p| p.parse::<u32>().ok());
    let ok = match (major, have) {
        (Some(1), None) => true,
        (Some(1), Some(Some(m))) => m >= minor,
        (Some(m), _) => m > 1,
        _ => version == "labs" || version.is_empty(),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "the file's `# syntax={value}` predates Dockerfile 1.{minor}, which added {feature}"
        ))
    }
}

/// Where the comment lines directly above an instruction start (the
/// instruction's own start when there are none): they describe it, and
/// move with it.
pub fn leading_comments_start(tree: &SyntaxTree, inst: &Instruction<'_>) -> u32 {
    let items = tree.items();
    let at = inst.range().start;
    let index = items.iter().position(|i| i.range.start == at).unwrap_or(0);
    let first = items[..index]
        .iter()
        .rposition(|i| i.kind != dockopt_syntax::ItemKind::Comment)
        .map_or(0, |p| p + 1);
    items
        .get(first)
        .filter(|_| first < index)
        .map_or(at, |i| i.range.start)
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
