#![doc = include_str!("../docs/build-secrets.md")]

use std::sync::OnceLock;

use dockopt_engine::{Cx, Edit, Finding, Fix, Fixes, Gain, Rule, Severity, Transform};
use dockopt_syntax::{Instruction, TextRange};
use regex::Regex;

use crate::util::frontend_has;

pub struct BuildSecrets;

const CODE: &str = "DKR017";
const NAME: &str = "build-secrets";

/// Words that make a name a secret's.
const SECRET_WORDS: &[&str] = &[
    "TOKEN",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "PASS",
    "PWD",
    "APIKEY",
    "CREDENTIAL",
    "CREDENTIALS",
    "CREDS",
];

/// Words before `KEY` that make it a secret key (not a GPG key id or a
/// cache key).
const KEY_KINDS: &[&str] = &[
    "API",
    "ACCESS",
    "SECRET",
    "PRIVATE",
    "ENCRYPTION",
    "MASTER",
    "SSH",
    "DEPLOY",
    "LICENSE",
    "CLIENT",
    "SERVICE",
    "SIGNING",
];

/// Last words that make the name about a secret rather than the secret:
/// where it is, what it is called, how long it lives.
const NOT_THE_SECRET: &[&str] = &[
    "FILE",
    "FILES",
    "FILENAME",
    "PATH",
    "DIR",
    "NAME",
    "ID",
    "USER",
    "USERNAME",
    "TYPE",
    "LENGTH",
    "LEN",
    "SIZE",
    "TTL",
    "EXPIRY",
    "EXPIRES",
    "EXPIRATION",
    "TIMEOUT",
    "ENABLED",
    "DISABLED",
    "REQUIRED",
    "MODE",
    "VERSION",
    "HOST",
    "PORT",
    "ENDPOINT",
    "URL",
    "URI",
    "HEADER",
    "FORMAT",
    "ALGORITHM",
    "FINGERPRINT",
    "REF",
    "REGION",
    "SCOPE",
    "SCOPES",
    "PREFIX",
    "SUFFIX",
    "FIELD",
    "LOCATION",
    "PROVIDER",
    "ARN",
];

/// Names that only look like secrets.
const NOT_SECRETS: &[&str] = &[
    "PWD",
    "OLDPWD",
    "USERNAME",
    "GOPRIVATE",
    "GONOSUMDB",
    "GONOPROXY",
    "GOINSECURE",
];

/// `NPM_TOKEN`, `dbPassword`, `api-key` → upper-case words.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if matches!(c, '_' | '-' | '.') {
            out.push(std::mem::take(&mut cur));
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_uppercase());
    }
    out.push(cur);
    out.retain(|w| !w.is_empty());
    out
}

/// Whether a variable's name says it holds a secret.
pub(crate) fn secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    if NOT_SECRETS.contains(&upper.as_str()) {
        return false;
    }
    let w = words(name);
    let Some(last) = w.last() else { return false };
    if NOT_THE_SECRET.contains(&last.as_str())
        || w.iter()
            .any(|x| matches!(x.as_str(), "PUBLIC" | "PUB" | "GPG" | "PGP"))
    {
        return false;
    }
    w.iter().enumerate().any(|(i, x)| {
        SECRET_WORDS.contains(&x.as_str())
            || (x == "KEY" && i > 0 && KEY_KINDS.contains(&w[i - 1].as_str()))
            || (x == "AUTH" && i + 1 == w.len() && i > 0)
    })
}

fn token_formats() -> &'static [(Regex, &'static str)] {
    static FORMATS: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    FORMATS.get_or_init(|| {
        [
            (r"\bgh[pousr]_[A-Za-z0-9]{36,}", "a GitHub token"),
            (r"\bgithub_pat_[A-Za-z0-9_]{22,}", "a GitHub token"),
            (r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", "an AWS access key"),
            (
                r"-----BEGIN[A-Z ]* PRIVATE KEY( BLOCK)?-----",
                "a private key",
            ),
            (r"\bnpm_[A-Za-z0-9]{36}\b", "an npm token"),
            (r"\bglpat-[A-Za-z0-9_-]{20,}", "a GitLab token"),
            (r"\bxox[abprs]-[A-Za-z0-9-]{10,}", "a Slack token"),
            (r"\b[rs]k_live_[A-Za-z0-9]{20,}", "a Stripe key"),
            (r"\bAIza[A-Za-z0-9_-]{35}\b", "a Google API key"),
            (
                r"[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@$]+:[^/\s@$]+@",
                "a URL with a password",
            ),
        ]
        .into_iter()
        .map(|(re, what)| (Regex::new(re).expect("valid pattern"), what))
        .collect()
    })
}

/// What known secret a value holds, if any.
pub(crate) fn secret_value(value: &str) -> Option<&'static str> {
    token_formats()
        .iter()
        .find(|(re, _)| re.is_match(value))
        .map(|(_, what)| *what)
}

fn unquote(v: &str) -> &str {
    let v = v.trim();
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner;
        }
    }
    v
}

/// A value that holds nothing: empty, a flag, a placeholder (Rails'
/// `SECRET_KEY_BASE=dummy` for asset builds), a path to the secret.
fn harmless(value: &str) -> bool {
    let v = unquote(value);
    v.is_empty()
        || matches!(
            v.to_ascii_lowercase().as_str(),
            "true"
                | "false"
                | "yes"
                | "no"
                | "0"
                | "1"
                | "on"
                | "off"
                | "dummy"
                | "placeholder"
                | "none"
                | "null"
                | "unset"
        )
        || v.starts_with('/')
}

/// Whether `text` refers to the variable `name` (`$NAME`, `${NAME...}`).
fn mentions(text: &str, name: &str) -> bool {
    let plain = format!("${name}");
    let braced = format!("${{{name}");
    text.match_indices(&plain).any(|(i, _)| {
        !text[i + plain.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    }) || text
        .match_indices(&braced)
        .any(|(i, _)| matches!(text[i + braced.len()..].chars().next(), Some('}' | ':')))
}

/// Where `key` is written in an ARG or ENV instruction.
fn key_range(inst: &Instruction<'_>, key: &str) -> TextRange {
    let args = inst.args_range();
    let text = inst.tree().text(args);
    let found = (0..text.len()).find(|&i| {
        text[i..].starts_with(key.as_bytes())
            && (i == 0 || text[i - 1].is_ascii_whitespace())
            && text
                .get(i + key.len())
                .is_none_or(|b| *b == b'=' || b.is_ascii_whitespace())
    });
    match found {
        Some(i) => TextRange::new(args.start + i as u32, args.start + (i + key.len()) as u32),
        None => inst.keyword_range(),
    }
}

/// The unsafe fix for `ARG NAME` in a stage: a secret mount on the RUNs
/// that read it, and the ARG removed.
fn secret_mount_fix(
    cx: &Cx<'_>,
    stage: &[Instruction<'_>],
    arg: &Instruction<'_>,
    name: &str,
) -> Result<Fix, String> {
    if arg.values().len() != 1 {
        return Err("the ARG declares more than one argument".into());
    }
    let after: Vec<Instruction<'_>> = stage
        .iter()
        .filter(|i| i.range().start > arg.range().start)
        .copied()
        .collect();
    for i in &after {
        if i.is("run") {
            let flags_use = i
                .flags()
                .any(|f| f.value.as_deref().is_some_and(|v| mentions(v, name)));
            if flags_use {
                return Err(format!("a RUN flag uses ${name}"));
            }
        } else if mentions(&i.line(), name) {
            return Err(format!(
                "{} uses it, and a secret is only seen by RUN",
                i.name()
            ));
        }
    }
    let runs: Vec<Instruction<'_>> = after.into_iter().filter(|i| i.is("run")).collect();
    if runs.is_empty() {
        return Err("no RUN after it reads it".into());
    }
    let reading: Vec<Instruction<'_>> = runs
        .iter()
        .filter(|i| mentions(&i.line(), name) || i.line().contains(name))
        .copied()
        .collect();
    // No RUN names it: the programs may read it from the environment (npm
    // reads ${NPM_TOKEN} in .npmrc), so every RUN after it keeps it.
    let targets = if reading.is_empty() { runs } else { reading };
    // The ARG line said what the build takes; the comment that replaces it
    // says how to pass it now.
    let mut edits = vec![Edit::replace(
        arg.range(),
        format!("# {name} is a build secret: docker build --secret id={name},env={name}\n"),
    )];
    let mount = format!("--mount=type=secret,id={name},env={name} ");
    for r in &targets {
        let first = r
            .flags()
            .next()
            .map_or_else(|| r.args_range().start, |f| f.range.start);
        edits.push(Edit::insert(first, mount.clone()));
    }
    frontend_has(cx.tree, 10, "env= on secret mounts")?;
    Ok(Fix::unsafe_(
        format!("Mount {name} as a build secret; build with --secret id={name},env={name}"),
        edits,
    ))
}

static RULE: Rule = Rule {
    code: CODE,
    name: NAME,
    summary: "Keep secrets out of build arguments and ENV: use secret mounts",
    docs: include_str!("../docs/build-secrets.md"),
    fixes: Fixes::Unsafe,
    gain: Gain::Correctness,
};

impl Transform for BuildSecrets {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let stages = cx.tree.stages();
        let globals = cx.tree.global_instructions();
        let scopes = std::iter::once((None, globals.clone()))
            .chain(stages.iter().map(|s| (Some(s), s.instructions.clone())));
        for (stage, insts) in scopes {
            for inst in &insts {
                if inst.is("arg") {
                    for word in inst.values() {
                        let (name, default) = match word.split_once('=') {
                            Some((n, v)) => (n, Some(v)),
                            None => (word.as_str(), None),
                        };
                        let by_value = default.and_then(secret_value);
                        if !secret_name(name) && by_value.is_none() {
                            continue;
                        }
                        let range = key_range(inst, name);
                        let msg = match (by_value, default) {
                            (Some(what), _) => format!(
                                "the default of build argument {name} is {what}: it is in the Dockerfile and in the image's history"
                            ),
                            (None, Some(d)) if !harmless(d) => format!(
                                "build argument {name} has a secret default: it is in the Dockerfile and in the image's history"
                            ),
                            (None, Some(_)) => continue,
                            (None, None) => format!(
                                "build argument {name} looks like a secret: a value passed with --build-arg is kept in the image's history"
                            ),
                        };
                        let f = Finding::new(CODE, NAME, msg, range);
                        let fix = if default.is_some() {
                            Err("a default written in the Dockerfile cannot move to a secret; remove it and rotate the secret".to_string())
                        } else if stage.is_none() {
                            Err(
                                "it is declared before FROM; declare it in the stage that uses it"
                                    .into(),
                            )
                        } else {
                            secret_mount_fix(cx, &insts, inst, name)
                        };
                        // A secret in the image is a problem whether or not
                        // it can be fixed here.
                        out.push(
                            match fix {
                                Ok(fix) => f.with_fix(fix),
                                Err(why) => f.refused(why),
                            }
                            .with_severity(Severity::Warning),
                        );
                    }
                }
                if inst.is("env") {
                    for pair in inst.values().chunks(2) {
                        let [key, value] = pair else { continue };
                        let by_value = secret_value(value);
                        let from_arg = value.contains('$');
                        if by_value.is_none() && (!secret_name(key) || harmless(value)) {
                            continue;
                        }
                        let msg = match by_value {
                            Some(what) => format!(
                                "ENV {key} is {what}: it is in the image's configuration for anyone who can pull it"
                            ),
                            None if from_arg => format!(
                                "ENV {key} copies a secret into the image's configuration, where anyone who can pull it can read it"
                            ),
                            None => format!(
                                "ENV {key} looks like a secret: it is in the image's configuration for anyone who can pull it"
                            ),
                        };
                        out.push(
                            Finding::new(CODE, NAME, msg, key_range(inst, key))
                                .refused(
                                    "pass it when the container starts (docker run -e, an orchestrator's secret), or to RUN with a secret mount",
                                )
                                .with_severity(Severity::Warning),
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for yes in [
            "NPM_TOKEN",
            "GITHUB_TOKEN",
            "DB_PASSWORD",
            "dbPassword",
            "SMTP_PASS",
            "AWS_SECRET_ACCESS_KEY",
            "API_KEY",
            "apiKey",
            "PRIVATE_KEY",
            "SSH_KEY",
            "NPM_AUTH",
            "PYPI_CREDENTIALS",
            "SECRET_KEY_BASE",
            "DB_PWD",
        ] {
            assert!(secret_name(yes), "{yes}");
        }
        for no in [
            "USERNAME",
            "DB_USER",
            "GOPRIVATE",
            "NPM_TOKEN_FILE",
            "PASSWORD_FILE",
            "GITHUB_TOKEN_PATH",
            "SSH_PUBLIC_KEY",
            "GPG_KEY",
            "PUBLIC_KEY",
            "CACHE_KEY",
            "AWS_ACCESS_KEY_ID",
            "TOKEN_URL",
            "PWD",
            "AUTH",
            "AUTHOR",
            "PASSENGER_VERSION",
            "KEYCLOAK_URL",
        ] {
            assert!(!secret_name(no), "{no}");
        }
    }

    #[test]
    fn values() {
        let gh = format!("ghp_{}", "a1B2".repeat(9));
        assert_eq!(secret_value(&gh), Some("a GitHub token"));
        assert_eq!(
            secret_value("AKIAIOSFODNN7EXAMPLE"),
            Some("an AWS access key")
        );
        assert_eq!(
            secret_value("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl"),
            Some("a private key")
        );
        assert_eq!(
            secret_value(&format!("npm_{}", "x".repeat(36))),
            Some("an npm token")
        );
        assert_eq!(
            secret_value("postgres://app:hunter2@db:5432/app"),
            Some("a URL with a password")
        );
        assert_eq!(secret_value("postgres://app:${DB_PASSWORD}@db/app"), None);
        assert_eq!(secret_value("-----BEGIN PUBLIC KEY-----"), None);
        assert_eq!(
            secret_value("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 me@host"),
            None
        );
        assert_eq!(secret_value("https://registry.npmjs.org/"), None);
    }
}
