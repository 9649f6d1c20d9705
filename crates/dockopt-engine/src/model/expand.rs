//! Variable expansion in instruction arguments with BuildKit's lexer
//! ([`super::words`]), and the certainty of the result.

use super::state::{Certainty, Lookup, State, Value};
use super::words::{process_word, Env};

/// The variables a state offers to expansion: `ENV` over build arguments.
/// A build argument with no default, which nobody is known to pass, is
/// unset, as BuildKit treats it.
struct Vars<'a>(&'a State);

impl Env for Vars<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        let v = self.0.var(name)?;
        (v.certainty != Certainty::Unknown || !v.text.is_empty()).then_some(v.text.as_str())
    }
}

/// Expands `word` in `state`. The certainty is the lowest among the
/// variables it used; a variable the state does not set counts as unknown
/// when the base image might set it. A word BuildKit rejects gives an
/// unknown value holding the word as written.
pub fn expand(word: &str, state: &State, escape: char) -> Value {
    if !word.contains('$') && !word.contains(['\'', '"', escape]) {
        return Value::exact(word);
    }
    let Ok(e) = process_word(word, &Vars(state), escape) else {
        return Value {
            text: word.to_string(),
            certainty: Certainty::Unknown,
        };
    };
    let mut certainty = Certainty::Exact;
    for name in &e.used {
        let c = match state.var(name) {
            Some(v) => v.certainty,
            None if state.env(name) == Lookup::Unknown => Certainty::Unknown,
            None => Certainty::Exact,
        };
        certainty = certainty.min(c);
    }
    Value {
        text: e.value,
        certainty,
    }
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
        s.set_arg("NODEFAULT", Value::unknown());
        let e = |w: &str| expand(w, &s, '\\');
        assert_eq!(e("$APP/src"), Value::exact("/app/src"));
        assert_eq!(e("${APP}-${V}").text, "/app-1");
        assert_eq!(e("${APP}-${V}").certainty, Certainty::ArgDefault);
        assert_eq!(e("${NOPE:-/x}").text, "/x");
        assert_eq!(e("$NOPE").certainty, Certainty::Unknown);
        assert_eq!(e("${NODEFAULT-unset}").text, "unset");
        assert_eq!(e("'$APP'").text, "$APP");
        assert_eq!(e("\\$APP").text, "$APP");
        assert_eq!(e("${APP:?}").certainty, Certainty::Exact);
        assert_eq!(e("${#APP}").certainty, Certainty::Unknown);
        let scratch = State::for_image(None);
        assert_eq!(expand("$NOPE", &scratch, '\\'), Value::exact(""));
    }
}
