//! Quoting words for a POSIX shell.

use std::borrow::Cow;

/// Characters no POSIX shell treats specially anywhere in a word.
fn safe(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c)
}

/// `word` as one POSIX shell word that expands to exactly `word`: bare when
/// every character is safe, else in single quotes, with each `'` written as
/// `'\''`. The empty word is `''`.
///
/// Every word a fix writes into a shell script goes through this. A newline
/// stays a newline inside the quotes, which is right for a shell but ends a
/// Dockerfile line: callers writing into a RUN refuse such words.
pub fn quote(word: &str) -> Cow<'_, str> {
    if !word.is_empty() && word.chars().all(safe) {
        return Cow::Borrowed(word);
    }
    let mut out = String::with_capacity(word.len() + 2);
    out.push('\'');
    for c in word.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORDS: &[&str] = &[
        "a b.tgz",
        "it's",
        "'",
        "''",
        "\"x\"",
        "$HOME",
        "${a:-b}",
        "a;rm -rf /",
        "`id`",
        "$(id)",
        "*.tgz",
        "a?[b]",
        "~root",
        "a\nb",
        "tab\there",
        "back\\slash",
        "a&b|c>d<e",
        "#not-a-comment",
        "caf\u{e9}",
        "!x",
        "{a,b}",
    ];

    #[test]
    fn bare_when_safe() {
        assert_eq!(quote("a.tgz"), "a.tgz");
        assert_eq!(
            quote("/var/lib/apt/lists/x_1-2+3:4,5@6%7=8"),
            "/var/lib/apt/lists/x_1-2+3:4,5@6%7=8"
        );
        assert!(matches!(quote("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn quoted_otherwise() {
        assert_eq!(quote(""), "''");
        assert_eq!(quote("a b.tgz"), "'a b.tgz'");
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(quote("$HOME"), "'$HOME'");
        assert_eq!(quote("a;b"), "'a;b'");
        assert_eq!(quote("`id`"), "'`id`'");
        assert_eq!(quote("*.tgz"), "'*.tgz'");
        assert_eq!(quote("a\nb"), "'a\nb'");
        for w in WORDS {
            assert_ne!(quote(w), *w, "{w:?} must be quoted");
        }
    }

    /// The shell itself reads each quoted word back as the word.
    #[test]
    fn sh_reads_the_word_back() {
        let Ok(sh) = std::process::Command::new("sh")
            .arg("-c")
            .arg("true")
            .status()
        else {
            eprintln!("skipped: no sh on this machine");
            return;
        };
        assert!(sh.success());
        for w in WORDS {
            let script = format!("printf '%s|' {} {}", quote(w), quote(w));
            let out = std::process::Command::new("sh")
                .arg("-c")
                .arg(&script)
                .current_dir(std::env::temp_dir())
                .output()
                .unwrap();
            assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                format!("{w}|{w}|"),
                "{script}"
            );
        }
    }

    /// tree-sitter-bash sees one word too.
    #[test]
    fn one_word_to_the_parser() {
        for w in WORDS.iter().filter(|w| !w.contains('\n')) {
            let script = crate::Script::parse(&format!("rm -f {} && true", quote(w))).unwrap();
            let rm = &script.command_list()[0];
            assert_eq!(rm.args.len(), 2, "{w:?}");
            assert_eq!(rm.args[1].literal().as_deref(), Some(*w), "{w:?}");
        }
    }
}
