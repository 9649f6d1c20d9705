//! Inline suppression comments.
//!
//! - `# dockopt: ignore[merge-runs, DKR002]` silences those transforms on the
//!   next instruction; `# dockopt: ignore` silences all of them there.
//! - `# dockopt: ignore-file[...]` silences them for the whole file.

use dockopt_syntax::{ItemKind, SyntaxTree, TextRange, TokenKind};

#[derive(Clone, Debug, Default)]
pub struct Suppressions {
    file: Vec<String>,
    /// (instruction range, keys); an empty key list means all.
    next: Vec<(TextRange, Vec<String>)>,
}

fn parse_comment(text: &str) -> Option<(bool, Vec<String>)> {
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
