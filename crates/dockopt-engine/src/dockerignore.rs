//! `.dockerignore` matching with Docker's exact semantics.
//!
//! Reading follows BuildKit's ignore-file reader: `#` comment lines, trimmed
//! lines, `!` exceptions, paths cleaned (`a/../b` is `b`) and a leading `/`
//! dropped. Matching follows its pattern matcher: patterns apply in order, a
//! pattern that matches a path or any of its parent directories decides, and
//! the last deciding pattern wins. `*` and `?` never cross `/`; `**` crosses
//! any number of directories.

use std::fmt;

use regex::Regex;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternError {
    /// 1-based line in the ignore file; 0 for a pattern given directly.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

#[derive(Clone, Debug)]
enum Kind {
    Exact,
    /// `foo/**`: the text before the `**`.
    Prefix(String),
    /// `**/foo`: the text after the `**`.
    Suffix(String),
    Regex(Regex),
}

#[derive(Clone, Debug)]
pub struct Pattern {
    text: String,
    exclusion: bool,
    kind: Kind,
}

/// Go's `filepath.Clean` for `/`-separated paths.
pub fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// Checks the shape `filepath.Match` accepts: closed `[...]` classes with
/// valid ranges, and no trailing lone `\`.
fn validate(p: &str) -> Result<(), String> {
    let bad = || Err("syntax error in pattern".to_string());
    let mut chars = p.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.next().is_none() => return bad(),
            '[' => {
                if chars.peek() == Some(&'^') {
                    chars.next();
                }
                let mut n = 0;
                loop {
                    let Some(c) = chars.next() else { return bad() };
                    if c == ']' && n > 0 {
                        break;
                    }
                    let lo = if c == '\\' {
                        let Some(e) = chars.next() else { return bad() };
                        e
                    } else {
                        c
                    };
                    if chars.peek() == Some(&'-') {
                        chars.next();
                        let Some(mut hi) = chars.next() else {
                            return bad();
                        };
                        if hi == '\\' {
                            let Some(e) = chars.next() else { return bad() };
                            hi = e;
                        }
                        if hi < lo || hi == ']' && n == 0 {
                            return bad();
                        }
                    }
                    n += 1;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

impl Pattern {
    /// Compiles one pattern, `!` prefix included.
    pub fn new(pattern: &str) -> Result<Option<Self>, String> {
        let p = pattern.trim();
        if p.is_empty() {
            return Ok(None);
        }
        let mut p = clean(p);
        let exclusion = p.starts_with('!');
        if exclusion {
            if p.len() == 1 {
                return Err("illegal exclusion pattern: \"!\"".into());
            }
            p.remove(0);
        }
        validate(&p)?;
        let kind = compile(&p)?;
        Ok(Some(Self {
            text: p,
            exclusion,
            kind,
        }))
    }

    pub fn is_exclusion(&self) -> bool {
        self.exclusion
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    fn matches(&self, path: &str) -> bool {
        match &self.kind {
            Kind::Exact => path == self.text,
            Kind::Prefix(p) => path.starts_with(p.as_str()),
            Kind::Suffix(s) => {
                path.ends_with(s.as_str()) || (s.starts_with('/') && path == &s[1..])
            }
            Kind::Regex(re) => re.is_match(path),
        }
    }

    /// Whether the pattern matches the path or one of its parent directories.
    pub fn matches_or_parent(&self, path: &str) -> bool {
        if self.matches(path) {
            return true;
        }
        let Some((parent, _)) = path.rsplit_once('/') else {
            return false;
        };
        let mut end = 0;
        for seg in parent.split('/') {
            end += seg.len();
            if self.matches(&parent[..end]) {
                return true;
            }
            end += 1;
        }
        false
    }
}

fn compile(p: &str) -> Result<Kind, String> {
    #[derive(PartialEq, Clone, Copy)]
    enum T {
        Exact,
        Prefix,
        Suffix,
        Regex,
    }
    let mut re = String::from("^");
    let mut kind = T::Exact;
    let chars: Vec<char> = p.chars().collect();
    let mut i = 0;
    let mut first = true;
    while i < chars.len() {
        let ch = chars[i];
        i += 1;
        match ch {
            '*' if chars.get(i) == Some(&'*') => {
                i += 1;
                if chars.get(i) == Some(&'/') {
                    i += 1;
                }
                if i == chars.len() {
                    if kind == T::Exact {
                        kind = T::Prefix;
                    } else {
                        re.push_str(".*");
                        kind = T::Regex;
                    }
                } else {
                    re.push_str("(.*/)?");
                    kind = T::Regex;
                }
                if first {
                    kind = T::Suffix;
                }
            }
            '*' => {
                re.push_str("[^/]*");
                kind = T::Regex;
            }
            '?' => {
                re.push_str("[^/]");
                kind = T::Regex;
            }
            '.' | '+' | '(' | ')' | '|' | '{' | '}' | '$' => {
                re.push('\\');
                re.push(ch);
            }
            '\\' => {
                if let Some(&next) = chars.get(i) {
                    i += 1;
                    re.push('\\');
                    re.push(next);
                    kind = T::Regex;
                } else {
                    re.push('\\');
                }
            }
            '[' | ']' => {
                re.push(ch);
                kind = T::Regex;
            }
            c => re.push(c),
        }
        first = false;
    }
    Ok(match kind {
        T::Exact => Kind::Exact,
        T::Prefix => Kind::Prefix(p[..p.len() - 2].to_string()),
        T::Suffix => Kind::Suffix(p[2..].to_string()),
        T::Regex => {
            re.push('$');
            Kind::Regex(Regex::new(&re).map_err(|e| format!("bad pattern {p:?}: {e}"))?)
        }
    })
}

/// The patterns of one ignore file, in order.
#[derive(Clone, Debug, Default)]
pub struct DockerIgnore {
    patterns: Vec<Pattern>,
}

impl DockerIgnore {
    /// Reads an ignore file the way BuildKit does.
    pub fn parse(text: &[u8]) -> Result<Self, PatternError> {
        let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
        let text = String::from_utf8_lossy(text);
        let mut patterns = Vec::new();
        for (n, line) in text.split('\n').enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.starts_with('#') {
                continue;
            }
            let mut p = line.trim();
            if p.is_empty() {
                continue;
            }
            let invert = p.starts_with('!');
            if invert {
                p = p[1..].trim();
            }
            let mut cleaned = if p.is_empty() {
                String::new()
            } else {
                clean(p)
            };
            if cleaned.len() > 1 && cleaned.starts_with('/') {
                cleaned.remove(0);
            }
            if invert {
                cleaned.insert(0, '!');
            }
            match Pattern::new(&cleaned) {
                Ok(Some(pat)) => patterns.push(pat),
                Ok(None) => {}
                Err(message) => {
                    return Err(PatternError {
                        line: n + 1,
                        message,
                    })
                }
            }
        }
        Ok(Self { patterns })
    }

    pub fn from_patterns<S: AsRef<str>>(patterns: &[S]) -> Result<Self, PatternError> {
        let joined: Vec<&str> = patterns.iter().map(AsRef::as_ref).collect();
        Self::parse(joined.join("\n").as_bytes())
    }

    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether a context-relative, `/`-separated path is left out of the
    /// build context.
    pub fn is_ignored(&self, path: &str) -> bool {
        let path = clean(path.trim_start_matches('/'));
        if path == "." {
            return false;
        }
        let mut matched = false;
        for p in &self.patterns {
            // An inclusion cannot change a match, nor an exclusion a miss.
            if p.exclusion != matched {
                continue;
            }
            if p.matches_or_parent(&path) {
                matched = !p.exclusion;
            }
        }
        matched
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignored(patterns: &[&str], path: &str) -> bool {
        DockerIgnore::from_patterns(patterns)
            .unwrap()
            .is_ignored(path)
    }

    #[test]
    fn clean_matches_go() {
        assert_eq!(clean("a//b/./c/.."), "a/b");
        assert_eq!(clean("/../a"), "/a");
        assert_eq!(clean("../a"), "../a");
        assert_eq!(clean("a/.."), ".");
        assert_eq!(clean("a/"), "a");
    }

    #[test]
    fn docker_semantics() {
        assert!(ignored(&["node_modules"], "node_modules/x/y.js"));
        assert!(!ignored(&["node_modules"], "src/node_modules/x"));
        assert!(ignored(&["**/node_modules"], "src/node_modules/x"));
        assert!(ignored(&["**/node_modules"], "node_modules"));
        assert!(ignored(&["*.md", "!README.md"], "CHANGES.md"));
        assert!(!ignored(&["*.md", "!README.md"], "README.md"));
        assert!(!ignored(&["*.md"], "docs/a.md"));
        assert!(ignored(&["/build"], "build/out"));
        assert!(ignored(&["a/../build"], "build"));
        assert!(ignored(&["src/**"], "src/a/b"));
        assert!(!ignored(&["src/**"], "src"));
        assert!(ignored(&["**/*.pyc"], "a/b/c.pyc"));
        assert!(ignored(&["**/*.pyc"], "c.pyc"));
        assert!(ignored(&["*", "!src", "src/*.tmp"], "src/x.tmp"));
        assert!(!ignored(&["*", "!src"], "src/x.py"));
        assert!(ignored(&["?.txt"], "a.txt"));
        assert!(!ignored(&["?.txt"], "ab.txt"));
        assert!(ignored(&["[a-c].txt"], "b.txt"));
        assert!(ignored(&["**"], "anything/at/all"));
        assert!(ignored(&[".git"], ".git/HEAD"));
        assert!(!ignored(&[".git"], "xgit"));
    }

    #[test]
    fn reader_rules() {
        let di =
            DockerIgnore::parse(b"\xEF\xBB\xBF# comment\n  \n  .env  \r\n! keep.env\n").unwrap();
        let texts: Vec<_> = di
            .patterns()
            .iter()
            .map(|p| (p.as_str(), p.is_exclusion()))
            .collect();
        assert_eq!(texts, [(".env", false), ("keep.env", true)]);
        let err = DockerIgnore::parse(b"ok\n[abc\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(DockerIgnore::parse(b"!\n").is_err());
    }
}
