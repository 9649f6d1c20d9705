//! BuildKit's view of one instruction: keyword, flags, values, heredocs.
//!
//! These functions follow the line parsers of BuildKit's Dockerfile frontend,
//! so that what dockopt sees is what the builder sees. Offsets are into the
//! continuation-joined line.

use crate::go::is_space;
use crate::heredoc::{self, Heredoc};
use crate::json::{self, JsonError};
use crate::text::TextRange;

/// What BuildKit's parser makes of one instruction.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Command {
    /// The keyword as written.
    pub keyword: String,
    pub keyword_range: TextRange,
    pub flags: Vec<String>,
    pub flag_ranges: Vec<TextRange>,
    /// The arguments after the flags, trimmed.
    pub args: TextRange,
    /// JSON (exec) form.
    pub json: bool,
    pub values: Vec<String>,
    /// For ENV and LABEL: one separator per key/value pair, `=` or empty for
    /// the legacy `KEY value` form. BuildKit's AST dump shows them.
    pub separators: Vec<&'static str>,
    /// The instruction that ONBUILD wraps.
    pub sub: Option<Box<Command>>,
    pub heredocs: Vec<Heredoc>,
}

impl Command {
    /// The keyword in upper case.
    pub fn name(&self) -> String {
        self.keyword.to_ascii_uppercase()
    }

    pub fn is(&self, keyword: &str) -> bool {
        self.keyword.eq_ignore_ascii_case(keyword)
    }

    /// The command that holds values: the ONBUILD target, or self.
    pub fn effective(&self) -> &Command {
        self.sub.as_deref().unwrap_or(self)
    }
}

/// Keywords BuildKit knows, lower case.
pub const KEYWORDS: &[&str] = &[
    "add",
    "arg",
    "cmd",
    "copy",
    "entrypoint",
    "env",
    "expose",
    "from",
    "healthcheck",
    "label",
    "maintainer",
    "onbuild",
    "run",
    "shell",
    "stopsignal",
    "user",
    "volume",
    "workdir",
];

pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
}

/// The blanks of BuildKit's `[\t\v\f\r ]+` splitting.
fn is_split_space(c: char) -> bool {
    matches!(c, '\t' | '\u{b}' | '\u{c}' | '\r' | ' ')
}

/// Go's `strings.TrimSpace`, as offsets.
fn trim_space(s: &str, base: u32) -> (&str, u32) {
    let start = s.len() - s.trim_start_matches(is_space).len();
    let t = s[start..].trim_end_matches(is_space);
    (t, base + start as u32)
}

fn range(base: u32, from: usize, to: usize) -> TextRange {
    TextRange::new(base + from as u32, base + to as u32)
}

/// Parses a joined line into a command. On a BuildKit error the command
/// keeps what could be read and the message is returned beside it.
/// `placeholder` stands for bytes that are not UTF-8 (see
/// [`crate::SyntaxTree::placeholder`]).
pub fn parse_command(
    line: &str,
    base: u32,
    escape: char,
    placeholder: Option<char>,
) -> (Command, Option<String>) {
    parse_nested(line, base, escape, placeholder, false)
}

fn parse_nested(
    line: &str,
    base: u32,
    escape: char,
    placeholder: Option<char>,
    in_onbuild: bool,
) -> (Command, Option<String>) {
    let (trimmed, tbase) = trim_space(line, base);
    let kw_end = trimmed.find(is_split_space).unwrap_or(trimmed.len());
    let mut cmd = Command {
        keyword: trimmed[..kw_end].to_string(),
        keyword_range: range(tbase, 0, kw_end),
        args: TextRange::empty(tbase + trimmed.len() as u32),
        ..Command::default()
    };
    let mut rest = "";
    let mut rest_base = cmd.args.start;
    if kw_end < trimmed.len() {
        let after = trimmed[kw_end..].trim_start_matches(is_split_space);
        let after_off = trimmed.len() - after.len();
        let (args_off, flags, flag_ranges) = extract_flags(after);
        cmd.flags = flags;
        cmd.flag_ranges = flag_ranges
            .into_iter()
            .map(|(a, b)| range(tbase, after_off + a, after_off + b))
            .collect();
        let (args, abase) = trim_space(&after[args_off..], tbase + (after_off + args_off) as u32);
        rest = args;
        rest_base = abase;
        cmd.args = TextRange::new(abase, abase + args.len() as u32);
    }
    let err = dispatch(&mut cmd, rest, rest_base, escape, placeholder, in_onbuild);
    (cmd, err)
}

fn dispatch(
    cmd: &mut Command,
    rest: &str,
    base: u32,
    escape: char,
    placeholder: Option<char>,
    in_onbuild: bool,
) -> Option<String> {
    let kw = cmd.keyword.to_ascii_lowercase();
    let result = match kw.as_str() {
        "add" | "copy" | "volume" => maybe_json_to_list(cmd, rest, placeholder),
        "arg" => {
            cmd.values = parse_words(rest, escape);
            Ok(())
        }
        "cmd" | "entrypoint" | "run" | "shell" => maybe_json(cmd, rest, placeholder),
        "env" | "label" => name_val(cmd, rest, &kw.to_ascii_uppercase(), escape),
        "expose" | "from" => {
            cmd.values = split_whitespace(rest);
            Ok(())
        }
        "healthcheck" => health(cmd, rest, placeholder),
        "maintainer" | "stopsignal" | "user" | "workdir" => {
            if !rest.is_empty() {
                cmd.values = vec![rest.to_string()];
            }
            Ok(())
        }
        // BuildKit's parser reads `ONBUILD ONBUILD x` with one more level
        // of nesting per keyword, and its builder then refuses the chain.
        // One level is read here, so that nesting costs no stack.
        "onbuild" if in_onbuild => {
            if !rest.is_empty() {
                cmd.values = vec![String::new()];
            }
            Err("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed".into())
        }
        "onbuild" => {
            if !rest.is_empty() {
                let (sub, err) = parse_nested(rest, base, escape, placeholder, true);
                cmd.sub = Some(Box::new(sub));
                if let Some(e) = err {
                    return Some(e);
                }
            }
            Ok(())
        }
        // BuildKit's parser keeps unknown instructions with one empty value;
        // the build fails on them later.
        _ => {
            cmd.values = vec![String::new()];
            Ok(())
        }
    };
    result.err()
}

/// BuildKit's flag extraction: leading `--words`, ended by the first word
/// that does not start with `--`, or by a lone `--`.
/// Returns the offset where the arguments start, the flags and their ranges.
#[allow(clippy::type_complexity)]
fn extract_flags(line: &str) -> (usize, Vec<String>, Vec<(usize, usize)>) {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let bytes = line.as_bytes();
    let mut words = Vec::new();
    let mut ranges = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut word_start = 0;
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut chars = line.char_indices().peekable();
    loop {
        let Some((pos, ch)) = chars.next() else {
            if phase != Phase::Spaces && word != "--" && (blank_ok || !word.is_empty()) {
                words.push(word);
                ranges.push((word_start, line.len()));
            }
            return (line.len(), words, ranges);
        };
        let at_last = pos + ch.len_utf8() == line.len();
        match phase {
            Phase::Spaces => {
                if is_space(ch) {
                    continue;
                }
                if !(ch == '-' && bytes.get(pos + 1) == Some(&b'-')) {
                    return (pos, words, ranges);
                }
                phase = Phase::Word;
                word_start = pos;
                word.push(ch);
            }
            Phase::Word => {
                if is_space(ch) {
                    phase = Phase::Spaces;
                    if word == "--" {
                        return (pos, words, ranges);
                    }
                    if blank_ok || !word.is_empty() {
                        words.push(std::mem::take(&mut word));
                        ranges.push((word_start, pos));
                    }
                    word.clear();
                    blank_ok = false;
                    continue;
                }
                if ch == '\'' || ch == '"' {
                    quote = ch;
                    blank_ok = true;
                    phase = Phase::Quote;
                    continue;
                }
                if ch == '\\' {
                    if at_last {
                        continue;
                    }
                    let (_, next) = chars.next().expect("not last");
                    word.push(next);
                    continue;
                }
                word.push(ch);
            }
            Phase::Quote => {
                if ch == quote {
                    phase = Phase::Word;
                    continue;
                }
                if ch == '\\' {
                    if at_last {
                        phase = Phase::Word;
                        continue;
                    }
                    let (_, next) = chars.next().expect("not last");
                    word.push(next);
                    continue;
                }
                word.push(ch);
            }
        }
    }
}

/// BuildKit's `parseWords`: blank-separated words; quotes and escapes are
/// kept in the words.
pub fn parse_words(rest: &str, escape: char) -> Vec<String> {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut word = String::new();
    let mut chars = rest.char_indices().peekable();
    loop {
        let Some((pos, ch)) = chars.next() else {
            if phase != Phase::Spaces && (blank_ok || !word.is_empty()) {
                words.push(word);
            }
            return words;
        };
        let at_last = pos + ch.len_utf8() == rest.len();
        if phase == Phase::Spaces {
            if is_space(ch) {
                continue;
            }
            phase = Phase::Word;
        }
        if phase == Phase::Word {
            if is_space(ch) {
                phase = Phase::Spaces;
                if blank_ok || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                blank_ok = false;
                continue;
            }
            if ch == '\'' || ch == '"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
            }
            if ch == escape {
                if at_last {
                    continue;
                }
                word.push(ch);
                let (_, next) = chars.next().expect("not last");
                word.push(next);
                continue;
            }
            word.push(ch);
            continue;
        }
        // In quotes.
        if ch == quote {
            phase = Phase::Word;
        }
        if ch == escape && quote != '\'' {
            if at_last {
                phase = Phase::Word;
                continue;
            }
            word.push(ch);
            let (_, next) = chars.next().expect("not last");
            word.push(next);
            continue;
        }
        word.push(ch);
    }
}

/// BuildKit splits on `[\t\v\f\r ]+`; `rest` is already trimmed.
fn split_whitespace(rest: &str) -> Vec<String> {
    rest.split(is_split_space)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

const NOT_STRINGS: &str = "when using JSON array syntax, arrays must be comprised of strings only";

fn parse_json(rest: &str, placeholder: Option<char>) -> Result<Vec<String>, JsonError> {
    json::string_array(rest.trim_start_matches(is_space), placeholder)
}

fn maybe_json(cmd: &mut Command, rest: &str, placeholder: Option<char>) -> Result<(), String> {
    if rest.is_empty() {
        return Ok(());
    }
    match parse_json(rest, placeholder) {
        Ok(v) => {
            cmd.values = v;
            cmd.json = true;
        }
        Err(JsonError::NotStrings) => return Err(NOT_STRINGS.into()),
        Err(JsonError::NotJson) => cmd.values = vec![rest.to_string()],
    }
    Ok(())
}

fn maybe_json_to_list(
    cmd: &mut Command,
    rest: &str,
    placeholder: Option<char>,
) -> Result<(), String> {
    match parse_json(rest, placeholder) {
        Ok(v) => {
            cmd.values = v;
            cmd.json = true;
        }
        Err(JsonError::NotStrings) => return Err(NOT_STRINGS.into()),
        Err(JsonError::NotJson) => cmd.values = split_whitespace(rest),
    }
    Ok(())
}

fn health(cmd: &mut Command, rest: &str, placeholder: Option<char>) -> Result<(), String> {
    let sep = rest.find(is_space).unwrap_or(rest.len());
    if sep == 0 {
        return Ok(());
    }
    let next = rest[sep..].trim_start_matches(is_space);
    let mut inner = Command::default();
    maybe_json(&mut inner, next, placeholder)?;
    cmd.values = std::iter::once(rest[..sep].to_string())
        .chain(inner.values)
        .collect();
    cmd.json = inner.json;
    Ok(())
}

fn name_val(cmd: &mut Command, rest: &str, key: &str, escape: char) -> Result<(), String> {
    let words = parse_words(rest, escape);
    if words.is_empty() {
        return Ok(());
    }
    if !words[0].contains('=') {
        let Some(split) = rest.find(is_split_space) else {
            return Err(format!("{key} must have two arguments"));
        };
        let value = rest[split..].trim_start_matches(is_split_space);
        cmd.values = vec![rest[..split].to_string(), value.to_string()];
        cmd.separators = vec![""];
        return Ok(());
    }
    for word in words {
        let Some((k, v)) = word.split_once('=') else {
            return Err(format!(
                "Syntax error - can't find = in {}. Must be of the form: name=value",
                crate::go::go_quote(&word)
            ));
        };
        cmd.values.push(k.to_string());
        cmd.values.push(v.to_string());
        cmd.separators.push("=");
    }
    Ok(())
}

/// Finds the heredocs a RUN, COPY or ADD line opens, as BuildKit does.
pub(crate) fn attach_heredocs(cmd: &mut Command, line: &str) -> Result<(), String> {
    let target = cmd.effective();
    let eligible = ["run", "copy", "add"].iter().any(|k| target.is(k)) && !target.json;
    if !eligible || !line.contains("<<") {
        return Ok(());
    }
    cmd.heredocs = heredoc::find(line)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(line: &str) -> Command {
        parse_command(line, 0, '\\', None).0
    }

    #[test]
    fn flags_stop_at_first_plain_word() {
        let c = p("COPY --from=a --chown b c d");
        assert_eq!(c.flags, ["--from=a", "--chown"]);
        assert_eq!(c.values, ["b", "c", "d"]);
        assert_eq!(c.flag_ranges[0], TextRange::new(5, 13));
        let c = p("COPY --doit=true -- foo /tmp/");
        assert_eq!(c.flags, ["--doit=true"]);
        assert_eq!(c.values, ["foo", "/tmp/"]);
        let c = p(r#"RUN --a="x y" b"#);
        assert_eq!(c.flags, ["--a=x y"]);
        assert_eq!(c.values, ["b"]);
    }

    #[test]
    fn env_forms() {
        let c = p("ENV a=b c=d");
        assert_eq!(c.values, ["a", "b", "c", "d"]);
        assert_eq!(c.separators, ["=", "="]);
        let c = p("ENV x y z");
        assert_eq!(c.values, ["x", "y z"]);
        assert_eq!(
            parse_command("ENV a", 0, '\\', None).1.unwrap(),
            "ENV must have two arguments"
        );
        assert!(parse_command("LABEL a=b c", 0, '\\', None).1.is_some());
        assert!(p("ENV").values.is_empty());
    }

    #[test]
    fn json_and_shell_forms() {
        let c = p(r#"CMD ["a", "b"]"#);
        assert!(c.json);
        assert_eq!(c.values, ["a", "b"]);
        let c = p(r#"CMD ["a", 'b']"#);
        assert!(!c.json);
        assert_eq!(c.values, [r#"["a", 'b']"#]);
        assert!(parse_command("CMD [1]", 0, '\\', None).1.is_some());
        let c = p("HEALTHCHECK --interval=5s CMD curl x");
        assert_eq!(c.values, ["CMD", "curl x"]);
        assert_eq!(p("BOGUS x").values, [""]);
    }

    #[test]
    fn onbuild_wraps_a_command() {
        let c = p("ONBUILD RUN echo hi");
        let sub = c.sub.unwrap();
        assert_eq!(sub.keyword, "RUN");
        assert_eq!(sub.values, ["echo hi"]);
        assert_eq!(sub.keyword_range, TextRange::new(8, 11));
    }

    #[test]
    fn words_keep_quotes_and_escapes() {
        assert_eq!(
            parse_words(r#"a="b c" d\ e 'f\'"#, '\\'),
            [r#"a="b c""#, r"d\ e", r"'f\'"]
        );
    }
}
