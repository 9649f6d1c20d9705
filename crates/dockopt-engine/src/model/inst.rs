//! Typed views of instructions: what each kind of instruction says, with
//! its variables expanded in the state it runs in.

use dockopt_syntax::{Flag, Instruction};

use super::expand::expand;
use super::mount::{Mount, MountType, RunFlagError, RunFlags};
use super::stages::Source;
use super::state::{absolute, StateRef, Value};

/// How a RUN, CMD or ENTRYPOINT gives its command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Form {
    /// A shell script, continuation-joined.
    Shell(String),
    /// Exec form: the words.
    Exec(Vec<String>),
    /// A heredoc body is the script (or a file the command reads).
    Heredoc,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FromView {
    /// The image or stage as written after expansion.
    pub image: Value,
    /// The `AS` name, lower-cased.
    pub name: Option<String>,
    pub platform: Option<String>,
}

/// `RUN` with its flags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunView {
    pub form: Form,
    /// The flags as BuildKit reads them, or why it rejects them.
    pub flags: Result<RunFlags, RunFlagError>,
}

impl RunView {
    /// The mounts, in order; none when BuildKit would reject the flags.
    pub fn mounts(&self) -> &[Mount] {
        self.flags.as_ref().map_or(&[], |f| f.mounts.as_slice())
    }

    /// Whether a cache mount's target is `path` or a folder above it.
    pub fn has_cache_mount(&self, path: &str) -> bool {
        self.mounts().iter().any(|m| {
            m.kind == MountType::Cache && m.target.as_deref().is_some_and(|t| covers(t, path))
        })
    }
}

/// Whether folder `dir` is `path` or one of its parents.
pub fn covers(dir: &str, path: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    path == dir || path.starts_with(&format!("{dir}/")) || dir.is_empty()
}

/// `COPY` or `ADD`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)] // BuildKit's flags, one field each
pub struct CopyView {
    pub add: bool,
    /// Sources after expansion, as BuildKit reads them.
    pub sources: Vec<Value>,
    /// The destination after expansion, as written (may be relative).
    pub dest: Value,
    /// The destination made absolute against the working directory. A
    /// trailing `/` is kept: it says the destination is a directory.
    pub dest_abs: Value,
    pub from: Option<Source>,
    pub chown: Option<String>,
    pub chmod: Option<String>,
    pub link: bool,
    pub parents: bool,
    pub excludes: Vec<String>,
    /// The sources are heredocs.
    pub heredoc: bool,
}

impl CopyView {
    /// Whether the sources come from the build context.
    pub fn from_context(&self) -> bool {
        self.from.is_none() && !self.heredoc
    }

    /// Whether the destination must be a directory: it ends in `/`, or there
    /// are several sources or a wildcard.
    pub fn dest_is_dir(&self) -> bool {
        self.dest.text.ends_with('/')
            || self.dest.text == "."
            || self.sources.len() > 1
            || self
                .sources
                .iter()
                .any(|s| s.text.contains(['*', '?', '[']))
    }
}

/// `CMD` or `ENTRYPOINT`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CmdView {
    pub form: Form,
}

/// What an instruction is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    From(FromView),
    Run(RunView),
    Copy(CopyView),
    /// The new working directory, absolute.
    Workdir(Value),
    User(Value),
    /// Pairs as set (values expanded in the state before the instruction).
    Env(Vec<(String, Value)>),
    /// Names and defaults as written.
    Arg(Vec<(String, Option<String>)>),
    Shell(Vec<String>),
    Cmd(CmdView),
    Entrypoint(CmdView),
    Healthcheck,
    Label,
    Expose,
    Volume,
    StopSignal,
    Onbuild,
    Maintainer,
    /// An unknown keyword, or an instruction BuildKit rejects.
    Other,
}

/// One instruction of the model.
#[derive(Clone, Debug)]
pub struct Inst<'t> {
    pub syntax: Instruction<'t>,
    /// Position in [`super::Model::insts`].
    pub index: usize,
    /// The stage it belongs to; `None` before the first `FROM`.
    pub stage: Option<usize>,
    /// The state it runs in (before its own effect).
    pub state: StateRef,
    pub kind: Kind,
}

impl Inst<'_> {
    pub fn is(&self, keyword: &str) -> bool {
        self.syntax.is(keyword)
    }

    pub fn run(&self) -> Option<&RunView> {
        match &self.kind {
            Kind::Run(r) => Some(r),
            _ => None,
        }
    }

    pub fn copy(&self) -> Option<&CopyView> {
        match &self.kind {
            Kind::Copy(c) => Some(c),
            _ => None,
        }
    }
}

fn form(inst: &Instruction<'_>) -> Form {
    if inst.heredocs().next().is_some() {
        Form::Heredoc
    } else if inst.is_json() {
        Form::Exec(inst.values().to_vec())
    } else {
        Form::Shell(inst.values().first().cloned().unwrap_or_default())
    }
}

fn flag_values<'a>(flags: &'a [Flag], name: &'a str) -> impl Iterator<Item = String> + 'a {
    flags
        .iter()
        .filter(move |f| f.name == name)
        .map(|f| f.value.clone().unwrap_or_default())
}

fn last_flag(flags: &[Flag], name: &str) -> Option<String> {
    flag_values(flags, name).last()
}

fn bool_flag(flags: &[Flag], name: &str) -> bool {
    flags
        .iter()
        .any(|f| f.name == name && f.value.as_deref().is_none_or(|v| v != "false"))
}

/// The typed view of `inst`, in `state`; `from` resolves `--from` values.
pub fn view(
    inst: &Instruction<'_>,
    state: &StateRef,
    escape: char,
    from: impl Fn(&str) -> Source,
) -> Kind {
    let cmd = inst.command();
    if !inst.is_known() {
        return Kind::Other;
    }
    let values = inst.values();
    let flags: Vec<Flag> = inst.flags().collect();
    match cmd.name().as_str() {
        "FROM" => Kind::From(FromView {
            image: Value::exact(values.first().cloned().unwrap_or_default()),
            name: match values {
                [_, as_kw, name] if as_kw.eq_ignore_ascii_case("as") => Some(name.to_lowercase()),
                _ => None,
            },
            platform: last_flag(&flags, "platform"),
        }),
        "RUN" => Kind::Run(RunView {
            form: form(inst),
            flags: RunFlags::parse(&cmd.flags),
        }),
        "COPY" | "ADD" => {
            let heredoc = inst.heredocs().next().is_some();
            let (srcs, dest) = match values.split_last() {
                Some((d, s)) => (s, d.as_str()),
                None => (&[][..], ""),
            };
            let dest = expand(dest, state, escape);
            let mut dest_abs = Value {
                text: absolute(&state.workdir.text, &dest.text),
                certainty: dest.certainty.min(if dest.text.starts_with('/') {
                    dest.certainty
                } else {
                    state.workdir.certainty
                }),
            };
            if dest.text.ends_with('/') && dest_abs.text != "/" {
                dest_abs.text.push('/');
            }
            Kind::Copy(CopyView {
                add: cmd.is("add"),
                sources: srcs.iter().map(|s| expand(s, state, escape)).collect(),
                dest,
                dest_abs,
                from: last_flag(&flags, "from").map(|f| from(&f)),
                chown: last_flag(&flags, "chown"),
                chmod: last_flag(&flags, "chmod"),
                link: bool_flag(&flags, "link"),
                parents: bool_flag(&flags, "parents"),
                excludes: flag_values(&flags, "exclude").collect(),
                heredoc,
            })
        }
        "WORKDIR" => {
            let v = expand(values.first().map_or("", String::as_str), state, escape);
            let certainty = if v.text.starts_with('/') {
                v.certainty
            } else {
                v.certainty.min(state.workdir.certainty)
            };
            Kind::Workdir(Value {
                text: absolute(&state.workdir.text, &v.text),
                certainty,
            })
        }
        "USER" => Kind::User(expand(
            values.first().map_or("", String::as_str),
            state,
            escape,
        )),
        "ENV" => Kind::Env(
            values
                .chunks(2)
                .map(|kv| {
                    let v = kv.get(1).map_or("", String::as_str);
                    (kv[0].clone(), expand(v, state, escape))
                })
                .collect(),
        ),
        "ARG" => Kind::Arg(
            values
                .iter()
                .map(|w| match w.split_once('=') {
                    Some((k, v)) => (k.to_string(), Some(v.to_string())),
                    None => (w.clone(), None),
                })
                .collect(),
        ),
        "SHELL" => Kind::Shell(values.to_vec()),
        "CMD" => Kind::Cmd(CmdView { form: form(inst) }),
        "ENTRYPOINT" => Kind::Entrypoint(CmdView { form: form(inst) }),
        "HEALTHCHECK" => Kind::Healthcheck,
        "LABEL" => Kind::Label,
        "EXPOSE" => Kind::Expose,
        "VOLUME" => Kind::Volume,
        "STOPSIGNAL" => Kind::StopSignal,
        "ONBUILD" => Kind::Onbuild,
        "MAINTAINER" => Kind::Maintainer,
        _ => Kind::Other,
    }
}
