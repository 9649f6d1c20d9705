//! Variable expansion in instruction arguments, with the certainty of the
//! result: what the model calls instead of the word lexer directly.

use super::state::{Certainty, Lookup, State, Value};

/// Expands `$VAR`, `${VAR}` and `${VAR:-default}`/`${VAR:+alt}` in `word`
/// with the variables in force.
#[allow(clippy::many_single_char_names)] // a character scanner
pub fn expand(word: &str, state: &State, escape: char) -> Value {
    let mut out = String::new();
    let mut certainty = Certainty::Exact;
    let chars: Vec<char> = word.chars().collect();
    let mut i = 0;
    let mut quote: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        if c == escape && quote != Some('\'') {
            if let Some(&n) = chars.get(i + 1) {
                out.push(n);
                i += 2;
                continue;
            }
        }
        match (quote, c) {
            (None, '\'' | '"') => {
                quote = Some(c);
                i += 1;
                continue;
            }
            (Some(q), _) if c == q => {
                quote = None;
                i += 1;
                continue;
            }
            _ => {}
        }
        if c == '$' && quote != Some('\'') {
            let (name, default, end) = variable(&chars, i + 1);
            if let Some(name) = name {
                let v = state.var(&name);
                // Unset here, but the base image might set it.
                let open = v.is_none() && state.env(&name) == Lookup::Unknown;
                let empty = |colon: char| v.is_none_or(|v| colon == ':' && v.text.is_empty());
                if v.is_none() {
                    certainty = certainty.min(if open {
                        Certainty::Unknown
                    } else {
                        Certainty::Exact
                    });
                }
                if let Some(v) = v {
                    certainty = certainty.min(v.certainty);
                }
                match default {
                    None => out.push_str(v.map_or("", |v| v.text.as_str())),
                    Some((colon, '-', d)) if empty(colon) => {
                        let e = expand(&d, state, escape);
                        certainty = certainty.min(e.certainty);
                        out.push_str(&e.text);
                    }
                    Some((colon, '+', alt)) if !empty(colon) => {
                        let e = expand(&alt, state, escape);
                        certainty = certainty.min(e.certainty);
                        out.push_str(&e.text);
                    }
                    Some((_, '+', _)) => {}
                    Some(_) => out.push_str(v.map_or("", |v| v.text.as_str())),
                }
                i = end;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    Value {
        text: out,
        certainty,
    }
}

type Default = Option<(char, char, String)>;

/// Reads a variable reference after `$`: its name, a `:-`/`-`/`:+`/`+`
/// operand, and where it ends.
fn variable(chars: &[char], at: usize) -> (Option<String>, Default, usize) {
    if chars.get(at) == Some(&'{') {
        let mut j = at + 1;
        let mut name = String::new();
        while let Some(&c) = chars.get(j) {
            if c.is_ascii_alphanumeric() || c == '_' {
                name.push(c);
                j += 1;
            } else {
                break;
            }
        }
        let mut default = None;
        if let Some(&c) = chars.get(j) {
            let (colon, op_at) = if c == ':' { (':', j + 1) } else { (' ', j) };
            if let Some(&op) = chars.get(op_at).filter(|o| matches!(o, '-' | '+')) {
                let mut depth = 1;
                let mut k = op_at + 1;
                let mut operand = String::new();
                while let Some(&c) = chars.get(k) {
                    if c == '{' {
                        depth += 1;
                    } else if c == '}' {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    operand.push(c);
                    k += 1;
                }
                default = Some((colon, op, operand));
                j = k;
            }
        }
        while let Some(&c) = chars.get(j) {
            j += 1;
            if c == '}' {
                break;
            }
        }
        return ((!name.is_empty()).then_some(name), default, j);
    }
    let mut j = at;
    let mut name = String::new();
    while let Some(&c) = chars.get(j) {
        if c.is_ascii_alphanumeric() || c == '_' {
            name.push(c);
            j += 1;
        } else {
            break;
        }
    }
    ((!name.is_empty()).then_some(name), None, j)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_with_certainty() {
        let mut s = State::for_image(Some("acme/base"));
        s.set_env("APP", Value::exact("/app"));
        s.set_arg(
            "V",
            Value {
                text: "1".into(),
                certainty: Certainty::ArgDefault,
            },
        );
        let e = |w: &str| expand(w, &s, '\\');
        assert_eq!(e("$APP/src"), Value::exact("/app/src"));
        assert_eq!(e("${APP}-${V}").certainty, Certainty::ArgDefault);
        assert_eq!(e("${NOPE:-/x}").text, "/x");
        assert_eq!(e("$NOPE").certainty, Certainty::Unknown);
        assert_eq!(e("'$APP'").text, "$APP");
        assert_eq!(e("\\$APP").text, "$APP");
        let scratch = State::for_image(None);
        assert_eq!(expand("$NOPE", &scratch, '\\'), Value::exact(""));
    }
}
