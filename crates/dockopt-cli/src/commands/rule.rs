//! `dockopt rule [NAME]`: the rules, with the fixes each may offer and
//! whether it runs by default, or one rule's page.

use std::io::Write;

use dockopt_engine::{select, Fixes, Gain, Transform};
use serde_json::json;

use crate::args::{RuleArgs, RuleFormat};
use crate::emit::{rule_url, SYNTAX_ERROR};
use crate::Status;

/// The page of `syntax-error`, the rule id syntax errors carry in every
/// output format.
pub const SYNTAX_ERROR_DOCS: &str = "# syntax-error

BuildKit's parser rejects this text: an unknown instruction, a missing
argument, a bad flag or heredoc. The build would fail here.

dockopt reports every syntax error, in every output format, as an error: it
fails `check` whatever `--fail-on` says. It is not a transform: it cannot be
selected or ignored, and there is no automatic fix. A file with syntax errors
is never fixed: mend the errors first, and `dockopt fix` then applies its
fixes.
";

fn fixes_word(f: Fixes) -> &'static str {
    match f {
        Fixes::None => "none",
        Fixes::Safe => "safe",
        Fixes::Unsafe => "unsafe",
        Fixes::Both => "safe/unsafe",
    }
}

/// What a rule's fixes are, in a sentence.
fn fixes_sentence(f: Fixes) -> &'static str {
    match f {
        Fixes::None => "findings only, no automatic fix",
        Fixes::Safe => "safe: applied by `dockopt fix`",
        Fixes::Unsafe => "unsafe: applied by `dockopt fix --unsafe` only",
        Fixes::Both => {
            "safe or unsafe, case by case: safe ones are applied by `dockopt fix`, unsafe ones need `--unsafe`"
        }
    }
}

fn list(out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<8}{:<20} {:<12} {:<8} SUMMARY",
        "CODE", "NAME", "FIXES", "DEFAULT"
    )?;
    for t in dockopt_transforms::ALL {
        let default = if t.default_enabled() { "on" } else { "off" };
        writeln!(
            out,
            "{}  {:<20} {:<12} {:<8} {}",
            t.code(),
            t.name(),
            fixes_word(t.rule().fixes),
            default,
            t.summary()
        )?;
    }
    writeln!(
        out,
        "{:<8}{SYNTAX_ERROR:<20} {:<12} {:<8} BuildKit cannot parse this instruction",
        "", "none", "always"
    )
}

fn to_json(t: &dyn Transform) -> serde_json::Value {
    json!({
        "code": t.code(),
        "name": t.name(),
        "summary": t.summary(),
        "fixes": t.rule().fixes.as_str(),
        "gain": t.rule().gain.as_str(),
        "default": t.default_enabled(),
        "url": rule_url(t.name()),
        "docs": t.docs(),
    })
}

fn syntax_error_json() -> serde_json::Value {
    json!({
        "code": SYNTAX_ERROR,
        "name": SYNTAX_ERROR,
        "summary": "BuildKit cannot parse this instruction",
        "fixes": "none",
        "gain": Gain::Correctness.as_str(),
        "default": true,
        "url": rule_url(SYNTAX_ERROR),
        "docs": SYNTAX_ERROR_DOCS,
    })
}

pub fn run(args: &RuleArgs) -> Status {
    let mut out = std::io::stdout().lock();
    let all = dockopt_transforms::ALL;
    let json = args.format == RuleFormat::Json;
    let shown = match args.name.as_deref() {
        None if json => {
            let mut v: Vec<_> = all.iter().map(|t| to_json(*t)).collect();
            v.push(syntax_error_json());
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&v).unwrap_or_default()
            )
        }
        None => list(&mut out),
        Some(key) if key.eq_ignore_ascii_case(SYNTAX_ERROR) => {
            if json {
                let v = syntax_error_json();
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&v).unwrap_or_default()
                )
            } else {
                write!(out, "{SYNTAX_ERROR_DOCS}")
            }
        }
        Some(key) => {
            let Some(t) = select::find(key, all) else {
                eprintln!("error: no rule named {key:?} (see `dockopt rule`)");
                return Status::Error;
            };
            if json {
                let v = to_json(t);
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&v).unwrap_or_default()
                )
            } else {
                let default = if t.default_enabled() {
                    "on by default"
                } else {
                    "off by default: runs when --select or `select:` names it, or ALL"
                };
                write!(out, "{}", t.docs()).and_then(|()| {
                    writeln!(
                        out,
                        "\n---\n{} ({}): {default}. Fixes: {}.",
                        t.name(),
                        t.code(),
                        fixes_sentence(t.rule().fixes)
                    )
                })
            }
        }
    };
    // A closed pipe (`dockopt rule | head`) is not an error worth a word.
    let _ = shown;
    Status::Clean
}
