#![doc = include_str!("../docs/exec-form.md")]

use dockopt_engine::{Cx, Edit, Finding, Fix, Fixes, Gain, Rule, Transform};

use crate::util::has_inner_comments;

pub struct ExecForm;

const CODE: &str = "DKR008";
const NAME: &str = "exec-form";

/// Shell builtins and keywords: no program of that name to exec.
const SHELL_ONLY: &[&str] = &[
    ".", ":", "alias", "bg", "break", "case", "cd", "continue", "declare", "do", "done", "elif",
    "else", "esac", "eval", "exit", "export", "fg", "fi", "for", "function", "hash", "if", "jobs",
    "local", "read", "readonly", "return", "select", "set", "shift", "shopt", "source", "then",
    "time", "trap", "typeset", "ulimit", "umask", "unalias", "unset", "until", "wait", "while",
];

fn plain_word(w: &str) -> bool {
    !w.is_empty()
        && w.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_./:=@%+,-".contains(&b))
}

/// The argv the shell would run, when the command needs no shell.
fn argv(command: &str) -> Result<Vec<&str>, &'static str> {
    let words: Vec<&str> = command
        .split([' ', '\t'])
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return Err("the command is empty");
    }
    if !words.iter().all(|w| plain_word(w)) {
        return Err("the command uses shell syntax");
    }
    let words = if words[0] == "exec" {
        &words[1..]
    } else {
        &words[..]
    };
    match words.first() {
        None => Err("the command is empty"),
        Some(w) if w.contains('=') => Err("the command starts with a variable assignment"),
        Some(w) if SHELL_ONLY.contains(w) => Err("the command is a shell builtin"),
        Some(_) => Ok(words.to_vec()),
    }
}

static RULE: Rule = Rule {
    code: CODE,
    name: NAME,
    summary: "Use exec form for CMD and ENTRYPOINT so the program gets signals",
    docs: include_str!("../docs/exec-form.md"),
    fixes: Fixes::Unsafe,
    gain: Gain::Correctness,
};

impl Transform for ExecForm {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for stage in cx.tree.stages() {
            let has_entrypoint = stage.instructions.iter().any(|i| i.is("entrypoint"));
            for inst in &stage.instructions {
                if !(inst.is("cmd") || inst.is("entrypoint")) || inst.is_json() {
                    continue;
                }
                let [command] = inst.values() else { continue };
                let name = inst.name();
                let finding = Finding::new(
                    CODE,
                    NAME,
                    format!(
                        "{name} in shell form runs under /bin/sh, which does not pass on signals"
                    ),
                    inst.keyword_range(),
                );
                let words = match argv(command) {
                    Ok(w) => w,
                    Err(why) => {
                        out.push(finding.refused(format!("left in shell form: {why}")));
                        continue;
                    }
                };
                if has_inner_comments(inst) {
                    out.push(
                        finding.refused("left in shell form: comments inside the instruction"),
                    );
                    continue;
                }
                let json = format!(
                    "[{}]",
                    words
                        .iter()
                        .map(|w| format!("\"{w}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                let edit = Edit::replace(inst.args_range(), json);
                // Always unsafe: the image's Cmd or Entrypoint changes.
                let title = if inst.is("cmd") && !has_entrypoint {
                    format!("Use exec form for {name}")
                } else {
                    format!("Use exec form for {name} (arguments reach it differently)")
                };
                out.push(finding.with_fix(Fix::unsafe_(title, vec![edit])));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argv_rules() {
        assert_eq!(argv("node server.js"), Ok(vec!["node", "server.js"]));
        assert_eq!(
            argv("exec nginx -g daemon"),
            Ok(vec!["nginx", "-g", "daemon"])
        );
        assert!(argv("node $APP").is_err());
        assert!(argv("a && b").is_err());
        assert!(argv("echo 'x'").is_err());
        assert!(argv("cd /app").is_err());
        assert!(argv("FOO=1 node").is_err());
        assert!(argv("ls ~").is_err());
        assert!(argv("run # comment").is_err());
    }
}
