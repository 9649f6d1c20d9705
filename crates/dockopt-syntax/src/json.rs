//! The exec form's JSON, read as BuildKit reads it: Go's `encoding/json`
//! decoding one value into `[]interface{}` and ignoring what follows it.
//!
//! Go differs from most JSON readers in ways that decide between exec and
//! shell form: text after the array is ignored (`CMD ["a"] # note` is exec
//! form), lone surrogates become U+FFFD, nesting is limited to 10,000
//! levels, and a number out of float64 range fails the decoding. The reader
//! here is iterative, so no input can exhaust the stack.

/// Why a text is not a JSON array of strings.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum JsonError {
    /// Not JSON, or not an array: BuildKit falls back to the shell form.
    NotJson,
    /// A JSON array with something other than strings: BuildKit fails.
    NotStrings,
}

/// Go's `maxNestingDepth`.
const MAX_DEPTH: usize = 10_000;

/// Reads `rest` (already trimmed at the start) as BuildKit's `parseJSON`.
/// `placeholder` is the character standing for bytes that are not UTF-8:
/// Go reads those as U+FFFD inside strings, so it is a string character.
pub(crate) fn string_array(
    rest: &str,
    placeholder: Option<char>,
) -> Result<Vec<String>, JsonError> {
    if !rest.starts_with('[') {
        return Err(JsonError::NotJson);
    }
    let mut r = Reader {
        s: rest.as_bytes(),
        at: 0,
        placeholder: placeholder.map(|c| c as u8),
    };
    r.top_array()
}

struct Reader<'a> {
    s: &'a [u8],
    at: usize,
    placeholder: Option<u8>,
}

type Step<T> = Result<T, JsonError>;

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// The top-level array: its strings, or `NotStrings` when it is valid
    /// JSON holding anything else.
    fn top_array(&mut self) -> Step<Vec<String>> {
        self.at += 1; // `[`
        let mut values = Vec::new();
        let mut only_strings = true;
        self.skip_ws();
        if !self.eat(b']') {
            loop {
                self.skip_ws();
                if self.peek() == Some(b'"') {
                    values.push(self.string()?);
                } else {
                    only_strings = false;
                    self.value()?;
                }
                self.skip_ws();
                if self.eat(b',') {
                    continue;
                }
                if self.eat(b']') {
                    break;
                }
                return Err(JsonError::NotJson);
            }
        }
        if only_strings {
            Ok(values)
        } else {
            Err(JsonError::NotStrings)
        }
    }

    /// Checks one value of any kind, with an explicit stack of open
    /// containers (`true` for an object).
    fn value(&mut self) -> Step<()> {
        // The top-level array is one level already.
        let mut stack: Vec<bool> = Vec::new();
        loop {
            // A value is expected here.
            self.skip_ws();
            match self.peek() {
                Some(b'[' | b'{') => {
                    let object = self.peek() == Some(b'{');
                    self.at += 1;
                    stack.push(object);
                    if stack.len() + 1 > MAX_DEPTH {
                        return Err(JsonError::NotJson);
                    }
                    self.skip_ws();
                    let close = if object { b'}' } else { b']' };
                    if self.eat(close) {
                        stack.pop();
                    } else {
                        if object {
                            self.key()?;
                        }
                        continue;
                    }
                }
                Some(b'"') => {
                    self.string()?;
                }
                Some(b't') => self.literal(b"true")?,
                Some(b'f') => self.literal(b"false")?,
                Some(b'n') => self.literal(b"null")?,
                Some(b'-' | b'0'..=b'9') => self.number()?,
                _ => return Err(JsonError::NotJson),
            }
            // After a value: close containers or go on to the next member.
            loop {
                let Some(&object) = stack.last() else {
                    return Ok(());
                };
                self.skip_ws();
                if self.eat(b',') {
                    if object {
                        self.skip_ws();
                        self.key()?;
                    }
                    break;
                }
                if self.eat(if object { b'}' } else { b']' }) {
                    stack.pop();
                    continue;
                }
                return Err(JsonError::NotJson);
            }
        }
    }

    /// An object key and its colon.
    fn key(&mut self) -> Step<()> {
        if self.peek() != Some(b'"') {
            return Err(JsonError::NotJson);
        }
        self.string()?;
        self.skip_ws();
        if self.eat(b':') {
            Ok(())
        } else {
            Err(JsonError::NotJson)
        }
    }

    fn literal(&mut self, word: &[u8]) -> Step<()> {
        if self.s[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(())
        } else {
            Err(JsonError::NotJson)
        }
    }

    /// A number; one out of float64 range fails Go's decoding.
    fn number(&mut self) -> Step<()> {
        let start = self.at;
        self.eat(b'-');
        let digits = |r: &mut Self| {
            let from = r.at;
            while r.peek().is_some_and(|b| b.is_ascii_digit()) {
                r.at += 1;
            }
            r.at - from
        };
        if self.eat(b'0') {
            // No leading zeros.
        } else if digits(self) == 0 {
            return Err(JsonError::NotJson);
        }
        if self.eat(b'.') && digits(self) == 0 {
            return Err(JsonError::NotJson);
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            if digits(self) == 0 {
                return Err(JsonError::NotJson);
            }
        }
        let text = std::str::from_utf8(&self.s[start..self.at]).unwrap_or("x");
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(()),
            _ => Err(JsonError::NotJson),
        }
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let h = self.s.get(at..at + 4)?;
        let h = std::str::from_utf8(h).ok()?;
        if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(h, 16).ok()
    }

    /// A string, decoded as Go does.
    fn string(&mut self) -> Step<String> {
        self.at += 1; // `"`
        let mut out = String::new();
        loop {
            let start = self.at;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || (b < 0x20 && Some(b) != self.placeholder) {
                    break;
                }
                self.at += 1;
            }
            // Runs between escapes end at ASCII bytes: whole characters.
            out.push_str(std::str::from_utf8(&self.s[start..self.at]).unwrap_or_default());
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    let Some(e) = self.peek() else {
                        return Err(JsonError::NotJson);
                    };
                    self.at += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        _ => return Err(JsonError::NotJson),
                    }
                }
                // A raw control character, or the end of the text.
                _ => return Err(JsonError::NotJson),
            }
        }
    }

    /// `\uXXXX` after the `\u`, with a following low surrogate when it
    /// pairs; anything else that is a surrogate becomes U+FFFD.
    fn unicode_escape(&mut self) -> Step<char> {
        let hi = self.hex4(self.at).ok_or(JsonError::NotJson)?;
        self.at += 4;
        if !(0xd800..0xe000).contains(&hi) {
            return Ok(char::from_u32(hi).unwrap_or('\u{fffd}'));
        }
        if (0xd800..0xdc00).contains(&hi) && self.s[self.at..].starts_with(b"\\u") {
            if let Some(lo) = self.hex4(self.at + 2) {
                if (0xdc00..0xe000).contains(&lo) {
                    self.at += 6;
                    let c = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
                    return Ok(char::from_u32(c).unwrap_or('\u{fffd}'));
                }
            }
        }
        Ok('\u{fffd}')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &str) -> Result<Vec<String>, JsonError> {
        string_array(s, None)
    }

    #[test]
    fn text_after_the_array_is_ignored() {
        assert_eq!(read(r#"["npm","start"] # note"#).unwrap(), ["npm", "start"]);
        assert_eq!(read(r#"["a"]]"#).unwrap(), ["a"]);
        assert!(read("[]x").unwrap().is_empty());
        assert_eq!(read("[\"a\"\t]").unwrap(), ["a"]);
    }

    #[test]
    fn go_string_decoding() {
        assert_eq!(
            read(r#"["\u0041\ud83d\ude00\ud800\u0041", "\/\b"]"#).unwrap(),
            ["A\u{1f600}\u{fffd}A", "/\u{8}"]
        );
        assert_eq!(read(r#"["\x"]"#), Err(JsonError::NotJson));
        assert_eq!(read("[\"a\u{1}\"]"), Err(JsonError::NotJson));
        assert_eq!(
            string_array("[\"a\u{1}\"]", Some('\u{1}')).unwrap(),
            ["a\u{1}"]
        );
    }

    #[test]
    fn other_values_are_not_strings_when_valid() {
        assert_eq!(read("[1] x"), Err(JsonError::NotStrings));
        assert_eq!(read(r#"["a", 1E+2, "x"]"#), Err(JsonError::NotStrings));
        assert_eq!(
            read(r#"["a", {"k": [true, null, -0.5e-3]}]"#),
            Err(JsonError::NotStrings)
        );
        assert_eq!(read(r#"["a", 1e400]"#), Err(JsonError::NotJson));
        assert_eq!(read(r#"["a", {"k": [1e400]}]"#), Err(JsonError::NotJson));
        assert_eq!(read(r#"["a", 01]"#), Err(JsonError::NotJson));
        assert_eq!(read(r#"["a" , ]"#), Err(JsonError::NotJson));
        assert_eq!(read(r#"["a""#), Err(JsonError::NotJson));
        assert_eq!(read(r#"["a", {"k" 1}]"#), Err(JsonError::NotJson));
        assert_eq!(read("x"), Err(JsonError::NotJson));
    }

    #[test]
    fn nesting_is_limited_as_in_go() {
        let deep = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
        assert_eq!(read(&deep(10_000)), Err(JsonError::NotStrings));
        assert_eq!(read(&deep(10_001)), Err(JsonError::NotJson));
        assert_eq!(read(&"[".repeat(1_000_000)), Err(JsonError::NotJson));
    }
}
