//! Python: a virtualenv built with the compilers, run on the slim image.

use dockopt_engine::Edit;

use super::files::calls;
use super::{Input, Split};

const VENV: &str = "/opt/venv";

pub(super) fn python(input: Input<'_, '_>) -> Result<Split, String> {
    let (cx, stage, app) = input.parts();
    let mut first_install = None;
    for c in calls(cx, stage, None) {
        let n = c.name.as_str();
        if matches!(n, "poetry" | "pipenv" | "conda" | "uv") {
            return Err(format!("{n} manages its own environment"));
        }
        let pip = n.starts_with("pip")
            || (n.starts_with("python") && c.args.iter().any(|a| a.starts_with("pip")));
        if !pip || !c.args.iter().any(|a| a == "install") {
            continue;
        }
        if c.args.iter().any(|a| {
            matches!(
                a.as_str(),
                "--user" | "--target" | "-t" | "--prefix" | "--root"
            )
        }) {
            return Err("pip installs outside the environment".into());
        }
        first_install.get_or_insert(c.at);
    }
    let install = first_install.ok_or("no pip install: nothing to move into a virtualenv")?;
    // Before the first COPY of the context that comes before the install:
    // set up there, the virtualenv does not sit between the sources and
    // the install, where it would keep the install from moving above them
    // (hoist-manifests).
    let first = stage
        .instructions
        .iter()
        .take_while(|i| i.range().start < install)
        .find(|i| (i.is("copy") || i.is("add")) && i.flag("from").is_none())
        .map_or(install, |i| crate::util::leading_comments_start(cx.tree, i));
    let runtime = input.runtime_image(false)?;
    let venv_env = format!("ENV PATH=\"{VENV}/bin:$PATH\"");
    let setup = format!("RUN python -m venv {VENV}\n{venv_env}\n");
    Ok(Split {
        runtime,
        lines: vec![venv_env],
        copies: std::iter::once(VENV)
            .chain(app)
            .map(|d| (d.to_string(), d.to_string()))
            .collect(),
        build_edits: vec![Edit::insert(first, setup)],
        ..Split::default()
    })
}
