//! Users and groups: the runtime stage creates the ones the stage creates,
//! in the same order and with the same commands, so that ids match and the
//! files `COPY --from` brings keep their owners.

use dockopt_engine::Cx;
use dockopt_syntax::Stage;

use super::files::calls;
use crate::runtimes::{Entry, Family};

/// Users every Debian base has (base-passwd).
const DEBIAN_USERS: &[&str] = &[
    "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp", "proxy",
    "www-data", "backup", "list", "irc", "nobody",
];

/// Users every Alpine base has.
const ALPINE_USERS: &[&str] = &[
    "bin",
    "daemon",
    "adm",
    "lp",
    "sync",
    "shutdown",
    "halt",
    "mail",
    "news",
    "uucp",
    "operator",
    "man",
    "postmaster",
    "cron",
    "ftp",
    "sshd",
    "at",
    "squid",
    "xfs",
    "games",
    "cyrus",
    "vpopmail",
    "ntp",
    "smmsp",
    "guest",
    "nobody",
];

/// Commands that create or change users and groups.
const USER_COMMANDS: &[&str] = &["useradd", "groupadd", "usermod", "adduser", "addgroup"];

/// What the runtime stage needs for the stage's users.
#[derive(Default)]
pub(super) struct Users {
    /// The commands that create them, in order, as written.
    pub create: Vec<String>,
    /// Users the runtime base must already have.
    pub system: Vec<String>,
    /// Every user and group name the runtime stage will know.
    pub names: Vec<String>,
}

/// The users the stage runs as and creates, or why one cannot be created
/// again at run time.
pub(super) fn setup(
    cx: &Cx<'_>,
    stage: &Stage<'_>,
    rt: &Entry,
    family: Family,
) -> Result<Users, String> {
    let mut out = Users::default();
    let system: &[&str] = match family {
        Family::Debian => DEBIAN_USERS,
        Family::Alpine => ALPINE_USERS,
    };
    out.names.extend(system.iter().map(|s| (*s).to_string()));
    for c in calls(cx, stage, None) {
        let name = c.name.rsplit('/').next().unwrap_or_default();
        if !USER_COMMANDS.contains(&name) {
            continue;
        }
        if matches!(name, "adduser" | "addgroup") && family == Family::Debian {
            return Err(format!(
                "the RUN at line {} runs {name}, which Debian's slim images lack from trixie on",
                c.line
            ));
        }
        if c.text.contains("$(") || c.text.contains('`') {
            return Err(format!(
                "the RUN at line {} creates a user with a command substitution",
                c.line
            ));
        }
        out.create.push(c.text.clone());
        // The last word names the user or group; options take values.
        if let Some(last) = c.args.last() {
            out.names.push(last.clone());
        }
    }
    let top_level = out.create.is_empty() || user_commands_top_level(cx, stage);
    if !top_level {
        return Err("a user is created inside a condition or a loop".into());
    }
    for i in stage.instructions.iter().filter(|i| i.is("user")) {
        let user = cx
            .model
            .inst(i)
            .and_then(|m| match &m.kind {
                dockopt_engine::model::Kind::User(v) => Some(v.text.clone()),
                _ => None,
            })
            .unwrap_or_default();
        for (k, part) in user.split(':').enumerate() {
            let numeric = !part.is_empty() && part.chars().all(|c| c.is_ascii_digit());
            let image_user = rt.ecosystem == "node" && part == "node";
            if part == "root" || numeric || image_user || part.is_empty() {
                continue;
            }
            if system.contains(&part) {
                if k == 0 && !out.system.iter().any(|s| s == part) {
                    out.system.push(part.to_string());
                }
                continue;
            }
            if part.contains('$') {
                return Err(format!("USER {user} uses a variable"));
            }
            if !out.names.iter().any(|n| n == part) {
                return Err(format!(
                    "USER {user} is not created in this stage, and the runtime base may lack it"
                ));
            }
        }
    }
    Ok(out)
}

/// Whether every user command of the stage runs in its RUN's own shell,
/// not inside a condition, loop or subshell.
fn user_commands_top_level(cx: &Cx<'_>, stage: &Stage<'_>) -> bool {
    stage.instructions.iter().all(|i| {
        crate::run::run(cx, i).is_none_or(|r| {
            r.script.commands().iter().all(|c| {
                let n = c.name.text.rsplit('/').next().unwrap_or_default();
                !USER_COMMANDS.contains(&n) || (c.top_level && !in_compound(r.script.text(), c))
            })
        })
    })
}

/// Whether a command sits inside `if`, `for`, `while` or `case` (read from
/// the text before it: a keyword that opens a compound command).
fn in_compound(script: &str, c: &dockopt_shell::Command) -> bool {
    let before = &script[..c.range.start];
    let words: Vec<&str> = before
        .split(|ch: char| ch.is_whitespace() || ch == ';' || ch == '&' || ch == '|')
        .collect();
    let opens = words
        .iter()
        .filter(|w| matches!(**w, "if" | "for" | "while" | "until" | "case"))
        .count();
    let closes = words
        .iter()
        .filter(|w| matches!(**w, "fi" | "done" | "esac"))
        .count();
    opens > closes
}
