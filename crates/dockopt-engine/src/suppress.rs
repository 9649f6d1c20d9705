//! Inline suppression comments.
//!
//! - `# dockopt: ignore[merge-runs, DKR002]` silences those transforms on the
//!   next instruction; `# dockopt: ignore` silences all of them there.
//! - `# dockopt: ignore-file[...]` silences them for the whole file.
//! - hadolint's own pragmas count too: `# hadolint ignore=DL3059` above an
//!   instruction silences the dockopt transform that fixes the same smell
//!   there (`# hadolint global ignore=...` in the whole file), so a file
//!   tuned for hadolint is not rewritten against its author's wish.

use dockopt_syntax::{ItemKind, SyntaxTree, TextRange, TokenKind};

#[derive(Clone, Debug, Default)]
pub struct Suppressions {
    file: Vec<String>,
    /// (instruction range, keys); an empty key list means all.
    next: Vec<(TextRange, Vec<String>)>,
}

/// hadolint rules and the dockopt transform that fixes the same smell.
const HADOLINT: &[(&str, &str)] = &[
    ("DL3002", "non-root-user"),
    ("DL3003", "workdir-over-cd"),
    ("DL3007", "base-digest"),
    ("DL3009", "apt"),
    ("DL3014", "apt"),
    ("DL3015", "apt"),
    ("DL3019", "apk"),
    ("DL3020", "copy-over-add"),
    ("DL3025", "exec-form"),
    ("DL3027", "apt"),
    ("DL3030", "dnf-yum-zypper"),
    ("DL3032", "dnf-yum-zypper"),
    ("DL3033", "dnf-yum-zypper"),
    ("DL3034", "dnf-yum-zypper"),
    ("DL3036", "dnf-yum-zypper"),
    ("DL3037", "dnf-yum-zypper"),
    ("DL3038", "dnf-yum-zypper"),
    ("DL3040", "dnf-yum-zypper"),
    ("DL3042", "pip"),
    ("DL3059", "merge-runs"),
    ("DL3060", "package-cache"),
];

/// `# hadolint ignore=DL3059,DL3008` (or `global ignore=`), as dockopt keys.
fn parse_hadolint(text: &str) -> Option<(bool, Vec<String>)> {
    let body = text.trim_start().strip_prefix('#')?.trim_start();
    let rest = body.strip_prefix("hadolint")?.trim_start();
    let (file, rest) = match rest.strip_prefix("global") {
        Some(r) => (true, r.trim_start()),
        None => (false, rest),
    };
    let codes = rest
        .strip_prefix("ignore")?
        .trim_start()
        .strip_prefix('=')?;
    let mut keys: Vec<String> = codes
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter_map(|code| HADOLINT.iter().find(|(dl, _)| *dl == code.trim()))
        .map(|(_, name)| (*name).to_string())
        .collect();
    keys.dedup();
    // A pragma for rules dockopt has no counterpart of silences nothing.
    (!keys.is_empty()).then_some((file, keys))
}

fn parse_comment(text: &str) -> Option<(bool, Vec<String>)> {
    parse_dockopt(text).or_else(|| parse_hadolint(text))
}

fn parse_dockopt(text: &str) -> Option<(bool, Vec<String>)> {
    let body = text.trim_start().strip_prefix('#')?.trim_start();
    let rest = body.strip_prefix("dockopt:")?.trim_start();
    let (file, rest) = if let Some(r) = rest.strip_prefix("ignore-file") {
        (true, r)
    } else {
        (false, rest.strip_prefix("ignore")?)
    };
    let rest = rest.trim_start();
    let keys = match rest.strip_prefix('[') {
        Some(inner) => inner
            .split(']')
            .next()?
            .split(',')
            .map(|k| k.trim().to_string())
            .filter(|k| !k.is_empty())
            .collect(),
        None if rest.is_empty() || rest.starts_with(' ') || rest.starts_with(':') => Vec::new(),
        None => return None,
    };
    Some((file, keys))
}

impl Suppressions {
    pub fn from_tree(tree: &SyntaxTree) -> Self {
        let mut s = Self::default();
        let mut pending: Vec<Vec<String>> = Vec::new();
        for item in tree.items() {
            match item.kind {
                ItemKind::Comment => {
                    if let Some((file, keys)) = parse_comment(tree.str(item.range)) {
                        if file {
                            s.file.extend(if keys.is_empty() {
                                vec!["all".into()]
                            } else {
                                keys
                            });
                        } else {
                            pending.push(keys);
                        }
                    }
                }
                ItemKind::Instruction | ItemKind::Error => {
                    // Comments inside the instruction's continuation count too.
                    let tokens =
                        &tree.tokens()[item.tokens.start as usize..item.tokens.end as usize];
                    for t in tokens.iter().filter(|t| t.kind == TokenKind::Comment) {
                        if let Some((false, keys)) = parse_comment(tree.str(t.range)) {
                            pending.push(keys);
                        }
                    }
                    for keys in pending.drain(..) {
                        s.next.push((item.range, keys));
                    }
                }
                _ => {}
            }
        }
        s
    }

    pub fn is_suppressed(&self, code: &str, name: &str, at: u32) -> bool {
        let hit = |keys: &[String]| {
            keys.is_empty() || keys.iter().any(|k| crate::select::matches(code, name, k))
        };
        if self
            .file
            .iter()
            .any(|k| crate::select::matches(code, name, k))
        {
            return true;
        }
        // `next` is in file order, several entries for one instruction.
        let upto = self.next.partition_point(|(r, _)| r.start <= at);
        let Some(&(last, _)) = self.next[..upto].last() else {
            return false;
        };
        self.next[..upto]
            .iter()
            .rev()
            .take_while(|(r, _)| *r == last)
            .any(|(r, keys)| r.start <= at && at < r.end.max(r.start + 1) && hit(keys))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pragmas() {
        assert_eq!(
            parse_comment("# dockopt: ignore[merge-runs, DKR002]"),
            Some((false, vec!["merge-runs".into(), "DKR002".into()]))
        );
        assert_eq!(parse_comment("# dockopt: ignore"), Some((false, vec![])));
        assert_eq!(
            parse_comment("# dockopt: ignore-file[apt]"),
            Some((true, vec!["apt".into()]))
        );
        assert_eq!(parse_comment("# dockopt: ignored"), None);
        assert_eq!(parse_comment("# something else"), None);
        assert_eq!(
            parse_comment("# hadolint ignore=DL3008,DL3059"),
            Some((false, vec!["merge-runs".into()]))
        );
        assert_eq!(
            parse_comment("# hadolint global ignore=DL3042"),
            Some((true, vec!["pip".into()]))
        );
        assert_eq!(parse_comment("# hadolint ignore=DL3008"), None);
    }

    #[test]
    fn applies_to_next_instruction_only() {
        let tree = dockopt_syntax::parse("FROM a\n# dockopt: ignore[x]\nRUN a\nRUN b\n");
        let s = Suppressions::from_tree(&tree);
        let run_a = tree.instructions().nth(1).unwrap().range().start;
        let run_b = tree.instructions().nth(2).unwrap().range().start;
        assert!(s.is_suppressed("DKR9", "x", run_a));
        assert!(!s.is_suppressed("DKR9", "x", run_b));
        assert!(!s.is_suppressed("DKR8", "y", run_a));
    }
}
