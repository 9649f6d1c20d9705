//! BuildKit's word processing: quotes, the escape character and variable
//! expansion, as its shell lexer does them (`ProcessWord`, `ProcessWords`,
//! `ProcessWordWithMatches`), with the same results and errors.
//!
//! Supported forms: `$VAR`, `${VAR}`, `${VAR:-x}`, `${VAR-x}`, `${VAR:+x}`,
//! `${VAR+x}`, `${VAR:?msg}`, `${VAR?msg}`, `${VAR%x}`, `${VAR%%x}`,
//! `${VAR#x}`, `${VAR##x}`, `${VAR/a/b}` and `${VAR//a/b}`. BuildKit has no
//! `${#VAR}` (length): `#` is read as the special parameter `$#` and the
//! next character as an unsupported modifier, so `${#VAR}` is an error here
//! too. Positional (`$1`) and special (`$@ $* $# $? $- $$ $! $0`) parameters
//! are never set.
//!
//! # Where BuildKit expands variables
//!
//! BuildKit expands with the stage's environment (`ENV`, plus `ARG` values
//! declared in the stage) at dispatch time, one word at a time
//! (`SupportsSingleWordExpansion::Expand`), except where noted:
//!
//! | Instruction | Expanded parts |
//! | --- | --- |
//! | `FROM` | the base name and `--platform`, with the global `ARG`s only (those before the first `FROM`) |
//! | `ENV` | every key and every value |
//! | `LABEL` | every key and every value |
//! | `ARG` | the default value (key and value for meta args), with the env before the `ARG` |
//! | `WORKDIR` | the path |
//! | `USER` | the user |
//! | `VOLUME` | every path |
//! | `STOPSIGNAL` | the signal |
//! | `EXPOSE` | every port spec, split into words ([`process_words`]) |
//! | `COPY` | every source, the destination, `--chown`, `--chmod` (BuildKit 0.16 and later) |
//! | `ADD` | every source, the destination, `--chown`, `--chmod` (0.16+), `--checksum` |
//! | `COPY`/`ADD` heredoc source | the body, if the delimiter is unquoted, with a `\` lexer that keeps quotes (`ExpandRaw`, [`Lexer::skip_process_quotes`]) |
//! | `RUN` | the values of each `--mount` field (not the keys); `--mount` `from=` may not contain `$` at all |
//! | `ONBUILD` | nothing at the `ONBUILD`; the trigger is expanded when it runs |
//!
//! Not expanded by the builder: `RUN`, `CMD`, `ENTRYPOINT` and `HEALTHCHECK`
//! command lines (the shell expands them at run time), `SHELL`,
//! `MAINTAINER`, `RUN --network`/`--security`, and `COPY --from` (a value
//! that would change under expansion is an error: "variable expansion is not
//! supported for --from").

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::BuildHasher;
use std::sync::OnceLock;

use regex::Regex;

/// An ordered variable lookup. BuildKit's env is case-sensitive on Linux;
/// Windows compares keys case-insensitively ([`Lexer::fold_case`]).
pub trait Env {
    fn get(&self, name: &str) -> Option<&str>;

    /// Case-insensitive lookup, for Windows stages.
    fn get_folded(&self, name: &str) -> Option<&str> {
        self.get(name)
    }
}

/// Pairs in definition order: a later definition wins.
impl<K: AsRef<str>, V: AsRef<str>> Env for [(K, V)] {
    fn get(&self, name: &str) -> Option<&str> {
        self.iter()
            .rev()
            .find(|(k, _)| k.as_ref() == name)
            .map(|(_, v)| v.as_ref())
    }

    fn get_folded(&self, name: &str) -> Option<&str> {
        self.iter()
            .rev()
            .find(|(k, _)| fold_eq(k.as_ref(), name))
            .map(|(_, v)| v.as_ref())
    }
}

impl<K: AsRef<str>, V: AsRef<str>> Env for Vec<(K, V)> {
    fn get(&self, name: &str) -> Option<&str> {
        Env::get(self.as_slice(), name)
    }

    fn get_folded(&self, name: &str) -> Option<&str> {
        Env::get_folded(self.as_slice(), name)
    }
}

impl<S: BuildHasher> Env for HashMap<String, String, S> {
    fn get(&self, name: &str) -> Option<&str> {
        HashMap::get(self, name).map(String::as_str)
    }
}

impl Env for BTreeMap<String, String> {
    fn get(&self, name: &str) -> Option<&str> {
        BTreeMap::get(self, name).map(String::as_str)
    }
}

/// Go's `strings.EqualFold` (simple Unicode case folding).
fn fold_eq(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// A processed word.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expanded {
    /// The word with quotes and escapes removed and variables replaced.
    pub value: String,
    /// The word split on unquoted white space after expansion, as
    /// `ProcessWords` does.
    pub words: Vec<String>,
    /// Every variable name the word looked up, in order of first use.
    pub used: Vec<String>,
    /// The names in `used` that were not set. A value that depends on one
    /// of these (or on an overridable build argument in `used`) is not known
    /// from the text alone.
    pub unset: Vec<String>,
}

/// Why a word could not be processed; `Display` gives BuildKit's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpandError {
    /// The word as given.
    pub word: String,
    pub kind: ExpandErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpandErrorKind {
    /// Input ended inside `${...}` (or a pattern) before this character.
    Unterminated(char),
    UnterminatedSingleQuote,
    UnterminatedDoubleQuote,
    /// `${` without its `}`.
    MissingBrace,
    /// `${}`, `${:...}` or `${{...}`.
    BadSubstitution,
    /// `${VAR/pattern` without the `/` before the replacement.
    MissingSlash,
    /// `${VAR?message}` on an unset variable, or `${VAR:?message}` on an
    /// unset or empty one.
    Required {
        name: String,
        message: String,
    },
    /// The modifier text after the name, e.g. `:Y` in `${X:YY}`.
    UnsupportedModifier(String),
    /// A `#`, `%` or `/` pattern with a bad escape.
    InvalidPattern {
        pattern: String,
        reason: String,
    },
}

impl fmt::Display for ExpandErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unterminated(c) => write!(
                f,
                "unexpected end of statement while looking for matching {c}"
            ),
            Self::UnterminatedSingleQuote => {
                f.write_str("unexpected end of statement while looking for matching single-quote")
            }
            Self::UnterminatedDoubleQuote => {
                f.write_str("unexpected end of statement while looking for matching double-quote")
            }
            Self::MissingBrace => f.write_str("syntax error: missing '}'"),
            Self::BadSubstitution => f.write_str("syntax error: bad substitution"),
            Self::MissingSlash => f.write_str("syntax error: missing '/' in ${}"),
            Self::Required { name, message } => write!(f, "{name}: {message}"),
            Self::UnsupportedModifier(m) => write!(f, "unsupported modifier ({m}) in substitution"),
            Self::InvalidPattern { pattern, reason } => {
                write!(f, "invalid pattern ({pattern}) in substitution: {reason}")
            }
        }
    }
}

impl fmt::Display for ExpandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "failed to process {}: {}",
            go_quote(&self.word),
            self.kind
        )
    }
}

impl std::error::Error for ExpandError {}

/// Go's `%q` for a string: the parser's own.
pub(crate) use dockopt_syntax::dump::go_quote;

/// The lexer's settings. `Lexer::new(escape)` is what BuildKit uses for
/// instructions; the flags match `shell.Lex`'s fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)] // one switch per `shell.Lex` field
pub struct Lexer {
    /// `\` by default, `` ` `` under `# escape=``.
    pub escape: char,
    /// Keep quote characters in the output.
    pub raw_quotes: bool,
    /// Keep escape characters in the output.
    pub raw_escapes: bool,
    /// Treat quotes as ordinary characters (heredoc bodies).
    pub skip_process_quotes: bool,
    /// Leave references to unset variables as written.
    pub skip_unset_env: bool,
    /// Compare variable names case-insensitively (Windows).
    pub fold_case: bool,
}

impl Lexer {
    pub fn new(escape: char) -> Self {
        Self {
            escape,
            raw_quotes: false,
            raw_escapes: false,
            skip_process_quotes: false,
            skip_unset_env: false,
            fold_case: false,
        }
    }

    /// The lexer BuildKit expands unquoted heredoc bodies with: `\` escape
    /// whatever the escape directive says, quotes kept.
    pub fn heredoc() -> Self {
        Self {
            skip_process_quotes: true,
            ..Self::new('\\')
        }
    }

    /// Processes one word: its value, its words and the variables it used.
    pub fn process<E: Env + ?Sized>(&self, word: &str, env: &E) -> Result<Expanded, ExpandError> {
        // Most words hold nothing to process: skip the scanner.
        let plain = !word
            .chars()
            .any(|c| matches!(c, '$' | '\'' | '"') || c == self.escape);
        if plain {
            return Ok(Expanded {
                value: word.to_string(),
                words: word
                    .split(is_space)
                    .filter(|w| !w.is_empty())
                    .map(str::to_string)
                    .collect(),
                used: Vec::new(),
                unset: Vec::new(),
            });
        }
        self.scan(word, env)
    }

    fn scan<E: Env + ?Sized>(&self, word: &str, env: &E) -> Result<Expanded, ExpandError> {
        let mut scan = Scan {
            chars: word.chars().collect(),
            pos: 0,
            lex: self,
            env: &EnvRef(env),
            raw_escapes: self.raw_escapes,
            used: Vec::new(),
            unset: Vec::new(),
        };
        match scan.stop_on(None, self.raw_escapes) {
            Ok((value, words)) => Ok(Expanded {
                value,
                words,
                used: scan.used,
                unset: scan.unset,
            }),
            Err(kind) => Err(ExpandError {
                word: word.to_string(),
                kind,
            }),
        }
    }
}

/// `ProcessWord`: one word's value and the variables it used.
pub fn process_word<E: Env + ?Sized>(
    word: &str,
    env: &E,
    escape: char,
) -> Result<Expanded, ExpandError> {
    Lexer::new(escape).process(word, env)
}

/// `ProcessWords`: the word split on unquoted white space after expansion.
pub fn process_words<E: Env + ?Sized>(
    word: &str,
    env: &E,
    escape: char,
) -> Result<Vec<String>, ExpandError> {
    Lexer::new(escape).process(word, env).map(|e| e.words)
}

/// Type erasure for the scanner, so it is compiled once.
struct EnvRef<'a, E: Env + ?Sized>(&'a E);

trait DynEnv {
    fn lookup(&self, name: &str, fold: bool) -> Option<&str>;
}

impl<E: Env + ?Sized> DynEnv for EnvRef<'_, E> {
    fn lookup(&self, name: &str, fold: bool) -> Option<&str> {
        if fold {
            self.0.get_folded(name)
        } else {
            self.0.get(name)
        }
    }
}

/// BuildKit's word splitter (`wordsStruct`).
#[derive(Default)]
struct Words {
    current: String,
    done: Vec<String>,
    in_word: bool,
}

impl Words {
    fn add_char(&mut self, ch: char) {
        if is_space(ch) {
            if self.in_word && !self.current.is_empty() {
                self.done.push(std::mem::take(&mut self.current));
                self.in_word = false;
            }
        } else {
            self.add_raw_char(ch);
        }
    }

    fn add_raw_char(&mut self, ch: char) {
        self.current.push(ch);
        self.in_word = true;
    }

    fn add_string(&mut self, s: &str) {
        for ch in s.chars() {
            self.add_char(ch);
        }
    }

    fn add_raw_string(&mut self, s: &str) {
        self.current.push_str(s);
        self.in_word = true;
    }

    fn finish(mut self) -> Vec<String> {
        if !self.current.is_empty() {
            self.done.push(self.current);
        }
        self.done
    }
}

/// Go's `unicode.IsSpace`: the Unicode White_Space property.
fn is_space(c: char) -> bool {
    c.is_whitespace()
}

fn unicode_class(c: char, class: &'static OnceLock<Regex>, pattern: &str) -> bool {
    let re = class.get_or_init(|| Regex::new(pattern).expect("valid class"));
    let mut buf = [0u8; 4];
    re.is_match(c.encode_utf8(&mut buf))
}

/// Go's `unicode.IsLetter`: general category L.
fn is_letter(c: char) -> bool {
    static CLASS: OnceLock<Regex> = OnceLock::new();
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    unicode_class(c, &CLASS, r"\A\p{L}\z")
}

/// Go's `unicode.IsDigit`: general category Nd.
fn is_digit(c: char) -> bool {
    static CLASS: OnceLock<Regex> = OnceLock::new();
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    unicode_class(c, &CLASS, r"\A\p{Nd}\z")
}

fn is_special_param(c: char) -> bool {
    matches!(c, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0')
}

/// What Go prints for the rune `scanner.EOF` with `string(rune)`.
const EOF_TEXT: char = '\u{FFFD}';

struct Scan<'a> {
    chars: Vec<char>,
    pos: usize,
    lex: &'a Lexer,
    env: &'a dyn DynEnv,
    raw_escapes: bool,
    used: Vec<String>,
    unset: Vec<String>,
}

type Step<T> = Result<T, ExpandErrorKind>;

impl Scan<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn get_env(&mut self, name: &str) -> Option<String> {
        let value = self
            .env
            .lookup(name, self.lex.fold_case)
            .map(str::to_string);
        if !self.used.iter().any(|u| u == name) {
            self.used.push(name.to_string());
            if value.is_none() {
                self.unset.push(name.to_string());
            }
        }
        value
    }

    /// `processStopOn`: reads up to `stop` (or the end), with escapes kept
    /// or not.
    fn stop_on(&mut self, stop: Option<char>, raw_escapes: bool) -> Step<(String, Vec<String>)> {
        let saved = std::mem::replace(&mut self.raw_escapes, raw_escapes);
        let out = self.stop_on_inner(stop);
        self.raw_escapes = saved;
        out
    }

    fn stop_on_inner(&mut self, stop: Option<char>) -> Step<(String, Vec<String>)> {
        let mut result = String::new();
        let mut words = Words::default();
        let quotes = !self.lex.skip_process_quotes;
        while let Some(ch) = self.peek() {
            if stop == Some(ch) {
                self.next();
                return Ok((result, words.finish()));
            }
            match ch {
                '$' => {
                    let tmp = self.dollar()?;
                    result.push_str(&tmp);
                    words.add_string(&tmp);
                }
                '\'' if quotes => {
                    let tmp = self.single_quote()?;
                    result.push_str(&tmp);
                    words.add_raw_string(&tmp);
                }
                '"' if quotes => {
                    let tmp = self.double_quote()?;
                    result.push_str(&tmp);
                    words.add_raw_string(&tmp);
                }
                _ => {
                    self.next();
                    if ch == self.lex.escape {
                        if self.raw_escapes {
                            words.add_raw_char(ch);
                            result.push(ch);
                        }
                        // An escape at the very end is dropped.
                        let Some(escaped) = self.next() else { break };
                        words.add_raw_char(escaped);
                        result.push(escaped);
                    } else {
                        words.add_char(ch);
                        result.push(ch);
                    }
                }
            }
        }
        if let Some(stop) = stop {
            return Err(ExpandErrorKind::Unterminated(stop));
        }
        Ok((result, words.finish()))
    }

    fn single_quote(&mut self) -> Step<String> {
        let mut result = String::new();
        let open = self.next();
        if self.lex.raw_quotes {
            result.extend(open);
        }
        loop {
            match self.next() {
                None => return Err(ExpandErrorKind::UnterminatedSingleQuote),
                Some('\'') => {
                    if self.lex.raw_quotes {
                        result.push('\'');
                    }
                    return Ok(result);
                }
                Some(c) => result.push(c),
            }
        }
    }

    fn double_quote(&mut self) -> Step<String> {
        let mut result = String::new();
        let open = self.next();
        if self.lex.raw_quotes {
            result.extend(open);
        }
        loop {
            match self.peek() {
                None => return Err(ExpandErrorKind::UnterminatedDoubleQuote),
                Some('"') => {
                    self.next();
                    if self.lex.raw_quotes {
                        result.push('"');
                    }
                    return Ok(result);
                }
                Some('$') => {
                    let value = self.dollar()?;
                    result.push_str(&value);
                }
                Some(_) => {
                    let mut ch = self.next().unwrap_or(EOF_TEXT);
                    if ch == self.lex.escape {
                        if self.raw_escapes {
                            result.push(ch);
                        }
                        match self.peek() {
                            // A trailing escape is dropped; the loop then
                            // reports the missing quote.
                            None => continue,
                            Some(c) if c == '"' || c == '$' || c == self.lex.escape => {
                                ch = c;
                                self.next();
                            }
                            Some(_) => {}
                        }
                    }
                    result.push(ch);
                }
            }
        }
    }

    fn name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.peek() {
            if name.is_empty() && is_digit(ch) {
                while let Some(d) = self.peek().filter(|&d| is_digit(d)) {
                    self.next();
                    name.push(d);
                }
                return name;
            }
            if name.is_empty() && is_special_param(ch) {
                self.next();
                return ch.to_string();
            }
            if !is_letter(ch) && !is_digit(ch) && ch != '_' {
                break;
            }
            self.next();
            name.push(ch);
        }
        name
    }

    fn dollar(&mut self) -> Step<String> {
        self.next();
        if self.peek() != Some('{') {
            let name = self.name();
            if name.is_empty() {
                return Ok("$".to_string());
            }
            return Ok(match self.get_env(&name) {
                Some(v) => v,
                None if self.lex.skip_unset_env => format!("${name}"),
                None => String::new(),
            });
        }
        self.next();
        match self.peek() {
            None => return Err(ExpandErrorKind::MissingBrace),
            Some('{' | '}' | ':') => return Err(ExpandErrorKind::BadSubstitution),
            Some(_) => {}
        }
        let name = self.name();
        let first = self.next();
        match first {
            Some('}') => Ok(match self.get_env(&name) {
                Some(v) => v,
                None if self.lex.skip_unset_env => format!("${{{name}}}"),
                None => String::new(),
            }),
            Some(':' | '+' | '-' | '?' | '#' | '%') => self.modifier(name, first),
            Some('/') => self.replace(&name),
            _ => Err(ExpandErrorKind::UnsupportedModifier(
                first.unwrap_or(EOF_TEXT).to_string(),
            )),
        }
    }

    /// `${name:-word}` and the other modifiers that take one word.
    fn modifier(&mut self, name: String, first: Option<char>) -> Step<String> {
        let mut chs = first.unwrap_or(EOF_TEXT).to_string();
        let mut op = first;
        let null_is_unset = op == Some(':');
        if null_is_unset {
            op = self.next();
            chs.push(op.unwrap_or(EOF_TEXT));
        }
        let raw = matches!(op, Some('#' | '%'));
        let word = match self.stop_on(Some('}'), raw) {
            Ok((w, _)) => w,
            Err(_) if self.peek().is_none() => return Err(ExpandErrorKind::MissingBrace),
            Err(e) => return Err(e),
        };
        let value = self.get_env(&name);
        if self.lex.skip_unset_env && value.is_none() {
            return Ok(format!("${{{name}{chs}{word}}}"));
        }
        let missing = match &value {
            None => true,
            Some(v) => null_is_unset && v.is_empty(),
        };
        match op {
            Some('-') => Ok(if missing {
                word
            } else {
                value.unwrap_or_default()
            }),
            Some('+') => Ok(if missing { String::new() } else { word }),
            Some('?') => {
                let default = match &value {
                    None => "is not allowed to be unset",
                    Some(_) if missing => "is not allowed to be empty",
                    Some(v) => return Ok(v.clone()),
                };
                let message = if word.is_empty() {
                    default.to_string()
                } else {
                    word
                };
                Err(ExpandErrorKind::Required { name, message })
            }
            Some(c @ ('%' | '#')) => {
                let (greedy, pattern) = match word.strip_prefix(c) {
                    Some(rest) => (true, rest.to_string()),
                    None => (false, word),
                };
                let value = value.unwrap_or_default();
                if c == '%' {
                    trim_suffix(&pattern, &value, greedy)
                } else {
                    trim_prefix(&pattern, &value, greedy)
                }
            }
            _ => Err(ExpandErrorKind::UnsupportedModifier(chs)),
        }
    }

    /// `${name/pattern/replacement}` and `${name//pattern/replacement}`.
    fn replace(&mut self, name: &str) -> Step<String> {
        let replace_all = self.peek() == Some('/');
        if replace_all {
            self.next();
        }
        let pattern = match self.stop_on(Some('/'), true) {
            Ok((p, _)) => p,
            Err(_) if self.peek().is_none() => return Err(ExpandErrorKind::MissingSlash),
            Err(e) => return Err(e),
        };
        let replacement = match self.stop_on(Some('}'), true) {
            Ok((r, _)) => r,
            Err(_) if self.peek().is_none() => return Err(ExpandErrorKind::MissingBrace),
            Err(e) => return Err(e),
        };
        let value = self.get_env(name);
        if self.lex.skip_unset_env && value.is_none() {
            return Ok(format!("${{{name}/{pattern}/{replacement}}}"));
        }
        let value = value.unwrap_or_default();
        let re = shell_pattern_regex(&pattern, true, false).map_err(|reason| {
            ExpandErrorKind::InvalidPattern {
                pattern: pattern.clone(),
                reason,
            }
        })?;
        if replace_all {
            let mut out = String::new();
            let mut last = 0;
            for m in re.find_iter(&value) {
                out.push_str(&value[last..m.start()]);
                out.push_str(&expand_go_template(&replacement, m.as_str()));
                last = m.end();
            }
            out.push_str(&value[last..]);
            Ok(out)
        } else if let Some(m) = re.find(&value) {
            Ok(format!(
                "{}{}{}",
                &value[..m.start()],
                replacement,
                &value[m.end()..]
            ))
        } else {
            Ok(value)
        }
    }
}

/// `convertShellPatternToRegex`: `*` and `?` wildcards, `\` escapes for
/// `* ? \`, and an escaped `}` or `/` standing for itself.
fn shell_pattern_regex(pattern: &str, greedy: bool, anchored: bool) -> Result<Regex, String> {
    let mut out = String::with_capacity(pattern.len() + 4);
    if anchored {
        out.push('^');
    }
    let star = if greedy { ".*" } else { ".*?" };
    let mut chars = pattern.chars().peekable();
    while let Some(tok) = chars.next() {
        match tok {
            '*' => out.push_str(star),
            '?' => out.push('.'),
            '\\' => {
                if matches!(chars.peek(), Some('}' | '/')) {
                    continue;
                }
                out.push('\\');
                let escaped = chars.next();
                match escaped {
                    Some(c @ ('*' | '?' | '\\')) => out.push(c),
                    other => {
                        return Err(format!("invalid escape '\\{}'", other.unwrap_or(EOF_TEXT)));
                    }
                }
            }
            '[' | ']' | '{' | '}' | '.' | '+' | '(' | ')' | '|' | '^' | '$' => {
                out.push('\\');
                out.push(tok);
            }
            c => out.push(c),
        }
    }
    Regex::new(&out).map_err(|e| e.to_string())
}

/// `reversePattern`: reverses a pattern, keeping each `\x` escape in front
/// of its character.
fn reverse_pattern(pattern: &str) -> String {
    let runes: Vec<char> = pattern.chars().collect();
    let mut out = vec!['\0'; runes.len()];
    let last = runes.len().saturating_sub(1);
    let mut i = 0;
    while i < runes.len() {
        let out_idx = last - i;
        if runes[i] == '\\' && i != last {
            out[out_idx - 1] = '\\';
            out[out_idx] = runes[i + 1];
            i += 2;
        } else {
            out[out_idx] = runes[i];
            i += 1;
        }
    }
    out.into_iter().collect()
}

fn trim_prefix(pattern: &str, value: &str, greedy: bool) -> Step<String> {
    let re = shell_pattern_regex(pattern, greedy, true).map_err(|reason| {
        ExpandErrorKind::InvalidPattern {
            pattern: pattern.to_string(),
            reason,
        }
    })?;
    Ok(match re.find(value) {
        Some(m) => value[m.end()..].to_string(),
        None => value.to_string(),
    })
}

/// Regular expressions cannot find the shortest match from the right, so
/// both the pattern and the value are reversed and trimmed from the left.
fn trim_suffix(pattern: &str, value: &str, greedy: bool) -> Step<String> {
    let reversed: String = value.chars().rev().collect();
    let trimmed = trim_prefix(&reverse_pattern(pattern), &reversed, greedy)?;
    Ok(trimmed.chars().rev().collect())
}

/// Go's `Regexp.ReplaceAllString` template: `$$` is `$`, `$0`/`${0}` the
/// match, any other group reference is empty (the pattern has no groups),
/// and a malformed `$` stays as written.
fn expand_go_template(template: &str, whole: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        if let Some(r) = rest.strip_prefix('$') {
            out.push('$');
            rest = r;
            continue;
        }
        let (brace, body) = match rest.strip_prefix('{') {
            Some(b) => (true, b),
            None => (false, rest),
        };
        let len: usize = body
            .chars()
            .take_while(|&c| is_letter(c) || is_digit(c) || c == '_')
            .map(char::len_utf8)
            .sum();
        let closed = !brace || body[len..].starts_with('}');
        if len == 0 || !closed {
            out.push('$');
            continue;
        }
        let name = &body[..len];
        if name == "0" {
            out.push_str(whole);
        }
        rest = &body[len + usize::from(brace)..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
#[path = "words_tests.rs"]
mod tests;
