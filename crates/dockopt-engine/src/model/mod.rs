//! The build model: what a Dockerfile means as a build, computed once per
//! fix round from the syntax tree and read by every transform.
//!
//! - [`stages`]: each stage's base, which stages ship in the target image
//!   and which only feed others.
//! - [`state`]: the working directory, user, shell, environment and build
//!   arguments in force at each instruction.
//! - [`inst`]: typed views of instructions, variables expanded.
//! - [`scripts`]: parsed RUN scripts, cached by text across rounds.
//! - [`images`]: what is known of well-known base images.
//! - [`caches`]: where tools keep their caches, given the state.
//!
//! Pure building blocks: [`words`] (BuildKit's word expansion), [`copy`]
//! (where `COPY`/`ADD` put files) and [`mount`] (typed `RUN` flags).

pub mod caches;
pub mod copy;
pub mod expand;
pub mod images;
pub mod inst;
pub mod layout;
pub mod mount;
pub mod scripts;
pub mod stages;
pub mod state;
pub mod words;

use std::rc::Rc;

use dockopt_syntax::SyntaxTree;

use crate::context::BuildContext;
pub use inst::{CmdView, CopyView, Form, FromView, Inst, Kind, RunView};
pub use scripts::{ScriptInfo, Scripts};
pub use stages::{Base, Source, StageInfo};
pub use state::{Certainty, Lookup, State, Value};

pub use copy::{
    plan_copy, Compression, CopyError, CopyNote, CopyPlan, CopyRequest, ImagePath, Placement,
    PlacementKind, Unresolved,
};
pub use mount::{Mount, MountError, MountType, Network, RunFlagError, RunFlags, Security, Sharing};
pub use words::{process_word, process_words, Env, ExpandError, Expanded, Lexer};

/// A RUN's parsed script, or why it has none.
type ScriptOrWhy = Result<Rc<ScriptInfo>, ScriptError>;

/// Why a RUN gives no parsed script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScriptError {
    /// Not a shell-form RUN without heredocs run by a POSIX shell.
    NotShell,
    /// The shell parser's reason.
    Parse(dockopt_shell::ParseError),
}

impl std::fmt::Display for ScriptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotShell => f.write_str("not a shell script a POSIX shell runs"),
            Self::Parse(e) => e.fmt(f),
        }
    }
}

/// Build arguments BuildKit defines on its own (for `FROM`, and in a stage
/// once declared): their values depend on the platform.
const PLATFORM_ARGS: &[&str] = &[
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
];

/// The model of one Dockerfile.
pub struct Model<'t> {
    pub tree: &'t SyntaxTree,
    pub context: Option<&'t BuildContext<'t>>,
    /// Every instruction, in file order.
    pub insts: Vec<Inst<'t>>,
    pub stages: Vec<StageInfo>,
    /// The stage the build produces; `None` when there is no stage.
    pub target: Option<usize>,
    /// Build arguments declared before the first `FROM`, with defaults.
    pub global_args: Vec<(String, Value)>,
    /// The state at the end of each stage.
    pub end_states: Vec<Rc<State>>,
    scripts: &'t Scripts,
    /// Each instruction's script once asked for, by index: transforms ask
    /// for the same RUN's script many times, and the cache hashes its text.
    by_inst: std::cell::RefCell<Vec<Option<ScriptOrWhy>>>,
    style: std::cell::OnceCell<layout::Style>,
}

impl<'t> Model<'t> {
    /// How the file lays out continued commands (computed on first use).
    pub fn style(&self) -> &layout::Style {
        self.style.get_or_init(|| layout::Style::of(self.tree))
    }

    /// Builds the model. `target` names the stage to build (`--target`);
    /// the last stage by default.
    pub fn new(
        tree: &'t SyntaxTree,
        context: Option<&'t BuildContext<'t>>,
        scripts: &'t Scripts,
        target: Option<&str>,
    ) -> Self {
        let mut b = Builder {
            escape: char::from(tree.escape()),
            insts: Vec::new(),
            stages: Vec::new(),
            global_args: Vec::new(),
            end_states: Vec::new(),
        };
        for syntax in tree.instructions() {
            b.push(syntax);
        }
        b.close_stage();
        let target = match target {
            Some(name) => {
                let lower = name.to_ascii_lowercase();
                b.stages
                    .iter()
                    .find(|s| s.name.as_deref() == Some(lower.as_str()))
                    .map(|s| s.index)
                    .or_else(|| b.stages.len().checked_sub(1))
            }
            None => b.stages.len().checked_sub(1),
        };
        if let Some(t) = target {
            stages::mark(&mut b.stages, t);
        }
        Self {
            tree,
            context,
            insts: b.insts,
            stages: b.stages,
            target,
            global_args: b.global_args,
            end_states: b.end_states,
            scripts,
            by_inst: std::cell::RefCell::default(),
            style: std::cell::OnceCell::new(),
        }
    }

    /// The instructions of a stage, its `FROM` first.
    pub fn stage_insts(&self, stage: usize) -> &[Inst<'t>] {
        &self.insts[self.stages[stage].insts.clone()]
    }

    /// The instructions of a stage after its `FROM`.
    pub fn body(&self, stage: usize) -> &[Inst<'t>] {
        let r = &self.stages[stage].insts;
        &self.insts[r.start + 1..r.end]
    }

    pub fn stage_of(&self, inst: &Inst<'_>) -> Option<&StageInfo> {
        self.stages.get(inst.stage?)
    }

    /// Whether the instruction's layer is part of the target image.
    pub fn ships(&self, inst: &Inst<'_>) -> bool {
        self.stage_of(inst).is_some_and(|s| s.ships)
    }

    /// The model's instruction for a syntax instruction.
    pub fn inst(&self, syntax: &dockopt_syntax::Instruction<'_>) -> Option<&Inst<'t>> {
        let start = syntax.range().start;
        let i = self
            .insts
            .partition_point(|x| x.syntax.range().start < start);
        self.insts
            .get(i)
            .filter(|x| x.syntax.range().start == start)
    }

    /// The parsed script of a shell-form RUN without heredocs, run by a
    /// POSIX shell, when it parses cleanly.
    pub fn script(&self, inst: &Inst<'_>) -> Option<Rc<ScriptInfo>> {
        self.script_or_why(inst).ok()
    }

    /// [`Model::script`], or why there is none.
    pub fn script_or_why(&self, inst: &Inst<'_>) -> Result<Rc<ScriptInfo>, ScriptError> {
        // Remembered only for this model's own instructions.
        let own = self
            .insts
            .get(inst.index)
            .is_some_and(|i| std::ptr::eq(i, inst));
        if !own {
            return self.find_script(inst);
        }
        if let Some(Some(known)) = self.by_inst.borrow().get(inst.index) {
            return known.clone();
        }
        let found = self.find_script(inst);
        let mut by_inst = self.by_inst.borrow_mut();
        if by_inst.len() <= inst.index {
            by_inst.resize(self.insts.len(), None);
        }
        by_inst[inst.index] = Some(found.clone());
        found
    }

    fn find_script(&self, inst: &Inst<'_>) -> Result<Rc<ScriptInfo>, ScriptError> {
        let run = inst.run().ok_or(ScriptError::NotShell)?;
        let Form::Shell(text) = &run.form else {
            return Err(ScriptError::NotShell);
        };
        if !inst.state.posix_shell() {
            return Err(ScriptError::NotShell);
        }
        self.scripts.get_or_why(text).map_err(ScriptError::Parse)
    }

    /// Where a `COPY` or `ADD` puts each file, given the build context (no
    /// context: sources stay unresolved). `None` for other instructions.
    pub fn copy_plan(&self, inst: &Inst<'_>) -> Option<Result<CopyPlan, CopyError>> {
        let c = inst.copy()?;
        let instruction = if c.add {
            copy::Instruction::Add
        } else {
            copy::Instruction::Copy
        };
        let mut req = CopyRequest::new(
            instruction,
            c.sources.iter().map(|v| v.text.clone()).collect(),
            &c.dest.text,
        );
        req.heredocs = inst
            .syntax
            .heredocs()
            .map(|(h, _)| h.name.clone())
            .collect();
        req.workdir.clone_from(&inst.state.workdir.text);
        req.from = inst.syntax.flag("from").and_then(|f| f.value);
        req.parents = c.parents;
        req.excludes.clone_from(&c.excludes);
        req.chown.clone_from(&c.chown);
        req.chmod.clone_from(&c.chmod);
        req.link = c.link;
        req.unpack = inst
            .syntax
            .flag("unpack")
            .map(|f| f.value.as_deref() != Some("false"));
        let dirs = self.known_dirs(inst);
        let image = |p: &str| {
            let p = p.trim_end_matches('/');
            if p.is_empty() || dirs.iter().any(|d| d == p) {
                ImagePath::Dir
            } else {
                ImagePath::Unknown
            }
        };
        Some(plan_copy(&req, self.context, &image))
    }

    /// Folders that exist in the image when `inst` runs, as far as the
    /// Dockerfile shows: working directories set on the way there (and
    /// their parents).
    fn known_dirs(&self, inst: &Inst<'_>) -> Vec<String> {
        let mut out = Vec::new();
        let mut stage = inst.stage;
        let mut upto = inst.index;
        while let Some(s) = stage {
            let info = &self.stages[s];
            for i in &self.insts[info.insts.start..upto.min(info.insts.end)] {
                if let Kind::Workdir(w) = &i.kind {
                    let mut p = w.text.trim_end_matches('/').to_string();
                    while !p.is_empty() {
                        if !out.contains(&p) {
                            out.push(p.clone());
                        }
                        p.truncate(p.rfind('/').unwrap_or(0));
                    }
                }
            }
            stage = info.base_stage();
            upto = stage.map_or(0, |b| self.stages[b].insts.end);
        }
        out
    }

    /// Parses a script through the cache, so that a script a fix is about to
    /// write is parsed once, and found again when the next round reads it.
    pub fn parse(&self, text: &str) -> Option<Rc<ScriptInfo>> {
        self.scripts.get(text)
    }

    /// Stages built from stage `index`, directly or not.
    pub fn descendants(&self, index: usize) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        for s in &self.stages[index + 1..] {
            if s.base_stage()
                .is_some_and(|b| b == index || out.contains(&b))
            {
                out.push(s.index);
            }
        }
        out
    }

    /// Stages that read files from stage `index` (`COPY --from`, mounts).
    pub fn readers(&self, index: usize) -> Vec<usize> {
        self.stages
            .iter()
            .filter(|s| s.reads.contains(&Source::Stage(index)))
            .map(|s| s.index)
            .collect()
    }
}

struct Builder<'t> {
    escape: char,
    insts: Vec<Inst<'t>>,
    stages: Vec<StageInfo>,
    global_args: Vec<(String, Value)>,
    end_states: Vec<Rc<State>>,
}

impl<'t> Builder<'t> {
    fn state(&self) -> Rc<State> {
        match self.insts.last() {
            Some(last) if self.stages.is_empty() => Rc::clone(&last.state),
            Some(last) => {
                let mut next = (*last.state).clone();
                apply(&mut next, &last.kind, &self.global_args, self.escape);
                if next == *last.state {
                    Rc::clone(&last.state)
                } else {
                    Rc::new(next)
                }
            }
            None => Rc::new(State::for_image(None)),
        }
    }

    fn close_stage(&mut self) {
        if self.stages.is_empty() {
            return;
        }
        let end = self.state();
        let i = self.stages.len() - 1;
        self.stages[i].insts.end = self.insts.len();
        if self.end_states.len() == i {
            self.end_states.push(end);
        }
    }

    fn push(&mut self, syntax: dockopt_syntax::Instruction<'t>) {
        let index = self.insts.len();
        if syntax.is("from") {
            self.close_stage();
            self.push_from(syntax, index);
            return;
        }
        let state = if self.stages.is_empty() {
            // Before the first FROM, only ARG counts: its defaults are the
            // global arguments.
            if syntax.is("arg") {
                self.global_arg(&syntax);
            }
            Rc::new(State::for_image(None))
        } else {
            self.state()
        };
        let stages = &self.stages;
        let before = stages.len().saturating_sub(1);
        let kind = inst::view(&syntax, &state, self.escape, |f| {
            let expanded = expand::expand(f, &state, self.escape);
            stages::resolve(stages, before, &expanded.text)
        });
        let mut read = reads(&kind);
        if let Kind::Run(r) = &kind {
            for f in r.mounts().iter().filter_map(|m| m.from.as_deref()) {
                let f = expand::expand(f, &state, self.escape);
                read.push(stages::resolve(&self.stages, before, &f.text));
            }
        }
        if let Some(stage) = self.stages.last_mut() {
            for src in read {
                if !stage.reads.contains(&src) {
                    stage.reads.push(src);
                }
            }
        }
        self.insts.push(Inst {
            syntax,
            index,
            stage: self.stages.len().checked_sub(1),
            state,
            kind,
        });
    }

    fn global_arg(&mut self, syntax: &dockopt_syntax::Instruction<'_>) {
        let scope = self.global_state();
        for w in syntax.values() {
            let (name, value) = match w.split_once('=') {
                Some((k, v)) => {
                    let mut v = expand::expand(v, &scope, self.escape);
                    v.certainty = v.certainty.min(Certainty::ArgDefault);
                    (k.to_string(), v)
                }
                None => (w.clone(), Value::unknown()),
            };
            self.global_args.retain(|(k, _)| *k != name);
            self.global_args.push((name, value));
        }
    }

    /// The scope `FROM` lines expand in: global arguments only.
    fn global_state(&self) -> State {
        let mut s = State::for_image(None);
        for (k, v) in &self.global_args {
            s.set_arg(k, v.clone());
        }
        for k in PLATFORM_ARGS {
            if s.arg(k).is_none() {
                s.set_arg(k, Value::unknown());
            }
        }
        s
    }

    fn push_from(&mut self, syntax: dockopt_syntax::Instruction<'t>, index: usize) {
        let scope = self.global_state();
        let values = syntax.values();
        let written = values.first().map_or("", String::as_str);
        let image = expand::expand(written, &scope, self.escape);
        let name = match values {
            [_, as_kw, name] if as_kw.eq_ignore_ascii_case("as") => Some(name.to_lowercase()),
            _ => None,
        };
        let stage_index = self.stages.len();
        let base = if image.text.eq_ignore_ascii_case("scratch") {
            Base::Scratch
        } else {
            match stages::resolve(&self.stages, stage_index, &image.text) {
                // A number is an image name in FROM, not a stage index.
                stages::Source::Stage(i)
                    if self.stages[i].name.as_deref()
                        == Some(image.text.to_ascii_lowercase().as_str()) =>
                {
                    Base::Stage(i)
                }
                _ => Base::Image(image.text.clone()),
            }
        };
        let start = match &base {
            Base::Stage(i) => State::for_stage(&self.end_states[*i]),
            Base::Image(r) => State::for_image(Some(r)),
            Base::Scratch => State::for_image(None),
        };
        let state = Rc::new(start);
        let platform = syntax
            .flags()
            .filter(|f| f.name == "platform")
            .last()
            .and_then(|f| f.value);
        self.stages.push(StageInfo {
            index: stage_index,
            name: name.clone(),
            base,
            platform: platform.clone(),
            insts: index..index + 1,
            ships: false,
            needed: false,
            reads: Vec::new(),
        });
        self.insts.push(Inst {
            syntax,
            index,
            stage: Some(stage_index),
            state,
            kind: Kind::From(FromView {
                image,
                name,
                platform,
            }),
        });
    }
}

/// Stages and images a COPY reads files from.
fn reads(kind: &Kind) -> Vec<Source> {
    match kind {
        Kind::Copy(c) => c.from.clone().into_iter().collect(),
        _ => Vec::new(),
    }
}

/// The effect of an instruction on the state.
fn apply(state: &mut State, kind: &Kind, globals: &[(String, Value)], escape: char) {
    match kind {
        Kind::Workdir(w) => state.workdir = w.clone(),
        Kind::User(u) => state.user = u.clone(),
        Kind::Shell(words) => {
            state.shell.clone_from(words);
            state.shell_set = true;
        }
        Kind::Env(pairs) => {
            for (k, v) in pairs {
                state.set_env(k, v.clone());
            }
        }
        Kind::Arg(decls) => {
            for (name, default) in decls {
                let value = match default {
                    Some(d) => {
                        let mut v = expand::expand(d, state, escape);
                        v.certainty = v.certainty.min(Certainty::ArgDefault);
                        v
                    }
                    None => match globals.iter().rev().find(|(k, _)| k == name) {
                        Some((_, v)) => v.clone(),
                        None => Value::unknown(),
                    },
                };
                state.set_arg(name, value);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with<R>(src: &str, target: Option<&str>, f: impl FnOnce(&Model<'_>) -> R) -> R {
        let tree = dockopt_syntax::parse(src);
        let scripts = Scripts::new();
        let model = Model::new(&tree, None, &scripts, target);
        f(&model)
    }

    const MULTI: &str = "\
ARG NODE=20
FROM node:${NODE} AS deps
WORKDIR /src
COPY package.json ./
RUN npm ci
FROM deps AS build
COPY . .
RUN npm run build
FROM deps AS lint
RUN npm run lint
FROM nginx:stable
COPY --from=build /src/dist /usr/share/nginx/html
";

    #[test]
    fn stages_ship_and_feed() {
        with(MULTI, None, |m| {
            let s: Vec<(bool, bool)> = m.stages.iter().map(|s| (s.ships, s.needed)).collect();
            assert_eq!(
                s,
                [(false, true), (false, true), (false, false), (true, true)]
            );
            assert_eq!(m.stages[0].base, Base::Image("node:20".into()));
            assert_eq!(m.stages[1].base, Base::Stage(0));
            assert_eq!(m.stages[3].reads, [Source::Stage(1)]);
            assert_eq!(m.descendants(0), [1, 2]);
            assert_eq!(m.readers(1), [3]);
            let run = &m.body(1)[1];
            assert!(!m.ships(run));
        });
        with(MULTI, Some("BUILD"), |m| {
            let ships: Vec<bool> = m.stages.iter().map(|s| s.ships).collect();
            assert_eq!(ships, [true, true, false, false]);
        });
    }

    #[test]
    fn state_follows_workdir_env_args_and_user() {
        let src = "\
FROM python:3.12-slim
ARG APP=/srv/app
ENV PIP_NO_CACHE_DIR=1 HOME=/home/app
WORKDIR $APP
WORKDIR sub
USER app:app
RUN pip install flask
COPY a b/
";
        with(src, None, |m| {
            let run = m.insts.iter().find(|i| i.is("run")).unwrap();
            let st = &run.state;
            assert_eq!(st.workdir.text, "/srv/app/sub");
            assert_eq!(st.workdir.certainty, Certainty::ArgDefault);
            assert_eq!(st.env("PIP_NO_CACHE_DIR").value().unwrap().text, "1");
            assert_eq!(st.user_name(), "app");
            assert!(!st.is_root());
            assert_eq!(st.home().text, "/home/app");
            let copy = m.insts.last().unwrap().copy().unwrap();
            assert_eq!(copy.dest_abs.text, "/srv/app/sub/b/");
            assert!(copy.from_context());
            assert!(m.script(run).is_some());
        });
    }

    #[test]
    fn stages_inherit_state_but_not_args() {
        let src = "\
FROM golang:1.22 AS build
ARG V=1
ENV CGO_ENABLED=0
SHELL [\"/bin/bash\", \"-eo\", \"pipefail\", \"-c\"]
FROM build
RUN echo $V
FROM mcr.microsoft.com/windows/servercore:ltsc2022
RUN dir
";
        with(src, None, |m| {
            let run = &m.body(1)[0];
            assert_eq!(run.state.workdir, Value::exact("/go"));
            assert!(run.state.arg("V").is_none());
            assert_eq!(run.state.env("CGO_ENABLED").value().unwrap().text, "0");
            assert!(run.state.errexit());
            assert!(run.state.posix_shell());
            let win = &m.body(2)[0];
            assert!(!win.state.posix_shell());
            assert!(m.script(win).is_none());
        });
    }

    #[test]
    fn copies_place_files_by_buildkit_rules() {
        let src = "\
FROM python:3.12-slim
WORKDIR /app
COPY requirements/prod.txt requirements/base.txt ./
COPY --parents requirements/prod.txt ./
COPY config/ /etc/app/
";
        let fs = crate::context::MemoryFs::new()
            .with("requirements/prod.txt", "-r base.txt\n")
            .with("requirements/base.txt", "flask\n")
            .with("config/app.ini", "x=1\n");
        let ctx = BuildContext::new(&fs, None);
        let tree = dockopt_syntax::parse(src);
        let scripts = Scripts::new();
        let m = Model::new(&tree, Some(&ctx), &scripts, None);
        let dests = |i: usize| -> Vec<String> {
            let plan = m.copy_plan(&m.insts[i]).unwrap().unwrap();
            plan.files(&ctx).into_iter().map(|(_, d)| d).collect()
        };
        assert_eq!(dests(2), ["/app/prod.txt", "/app/base.txt"]);
        assert_eq!(dests(3), ["/app/requirements/prod.txt"]);
        assert_eq!(dests(4), ["/etc/app/app.ini"]);
        assert!(m.copy_plan(&m.insts[1]).is_none());
    }

    #[test]
    fn mounts_read_stages_and_unknown_targets_fall_back_to_the_last() {
        let src = "\
FROM alpine AS tools
FROM debian
RUN --mount=from=tools,source=/bin,target=/t ls /t
";
        with(src, Some("nope"), |m| {
            assert_eq!(m.target, Some(1));
            assert_eq!(m.stages[1].reads, [Source::Stage(0)]);
            assert!(m.stages[0].needed && !m.stages[0].ships);
        });
    }
}
