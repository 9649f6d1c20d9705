//! A Node stage that builds a static front end and serves it with a static
//! file server (`serve`, `http-server`): the built folder moves to a web
//! server image, with a configuration that keeps the port and the routing.

use dockopt_engine::Cx;
use dockopt_syntax::Stage;

use super::{package_json, runs_words};
use crate::multi_stage_split::command;
use crate::multi_stage_split::files::{absolute, context_text};

/// What the container's static file server does.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Served {
    /// The folder it serves, as written.
    pub dir: String,
    pub port: u16,
    /// Unknown paths fall back to `index.html` (`serve -s`).
    pub single: bool,
    /// `/about` finds `about.html` (`serve` does this by default).
    pub clean_urls: bool,
}

/// The static file server a command runs, if it is one.
pub(super) fn served(words: &[&str]) -> Result<Option<Served>, String> {
    let mut w = words;
    if w.first() == Some(&"npx") {
        w = &w[1..];
        while w.first().is_some_and(|x| x.starts_with('-')) {
            w = &w[1..];
        }
    }
    let Some((tool, rest)) = w.split_first() else {
        return Ok(None);
    };
    let (mut port, port_flags): (u16, &[&str]) = match *tool {
        "serve" => (3000, &["-l", "--listen", "-p"]),
        "http-server" => (8080, &["-p", "--port"]),
        _ => return Ok(None),
    };
    let mut dir = None;
    let mut single = false;
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        if port_flags.contains(a) {
            let v = it.next().ok_or(format!("{tool} {a} has no value"))?;
            port = v
                .rsplit(':')
                .next()
                .and_then(|p| p.parse().ok())
                .ok_or(format!("{tool} listens on {v}: the port cannot be told"))?;
        } else if *tool == "serve" && matches!(*a, "-s" | "--single") {
            single = true;
        } else if a.starts_with('-') || a.contains('$') || dir.is_some() {
            return Err(format!(
                "`{tool} {a}` has no equivalent in the web server's configuration"
            ));
        } else {
            dir = Some((*a).to_string());
        }
    }
    let dir = dir.ok_or(format!(
        "{tool} serves the working directory: the built folder is not named"
    ))?;
    Ok(Some(Served {
        dir,
        port,
        single,
        clean_urls: *tool == "serve",
    }))
}

/// The folder a front-end framework builds into, when package.json names
/// one it knows.
fn framework_output(cx: &Cx<'_>, json: &serde_json::Value) -> Option<(&'static str, String)> {
    let has = |name: &str| {
        ["dependencies", "devDependencies"]
            .iter()
            .any(|k| json[k].get(name).is_some())
    };
    if has("react-scripts") {
        return Some(("react-scripts", "build".into()));
    }
    if has("@vue/cli-service") {
        return Some(("Vue CLI", "dist".into()));
    }
    if has("vite") {
        let config = ["vite.config.js", "vite.config.ts", "vite.config.mjs"]
            .iter()
            .find_map(|f| context_text(cx, f))
            .unwrap_or_default();
        let out = match config.split_once("outDir") {
            Some((_, rest)) => rest
                .split(['\'', '"', '`'])
                .nth(1)
                .unwrap_or("?")
                .to_string(),
            None => "dist".into(),
        };
        return Some(("Vite", out));
    }
    None
}

/// The plan for a static front end, or `None` when the command is not a
/// static file server.
pub(super) fn plan(
    cx: &Cx<'_>,
    stage: &Stage<'_>,
    app: &str,
) -> Result<Option<(String, Served)>, String> {
    let (words, _) = command(stage).expect("checked");
    let manifest = package_json(cx).unwrap_or_default();
    let Some(served) = served(&runs_words(&manifest, &words))? else {
        return Ok(None);
    };
    let dir = absolute(app, &served.dir).trim_end_matches('/').to_string();
    if dir == app.trim_end_matches('/') {
        return Err("the server serves the whole application directory".into());
    }
    if let Some((framework, out)) = framework_output(cx, &manifest) {
        if absolute(app, &out).trim_end_matches('/') != dir {
            return Err(format!(
                "the server serves {} but {framework} builds into {out}",
                served.dir
            ));
        }
    }
    for i in &stage.instructions {
        if i.is("user") && i.values().first().is_none_or(|u| u != "root") {
            return Err("USER: the web server image starts as root".into());
        }
        if i.is("healthcheck") && !i.line().to_uppercase().contains("NONE") {
            return Err("the HEALTHCHECK runs a command the web server image may lack".into());
        }
    }
    Ok(Some((dir, served)))
}

/// The web server's configuration: the same port, the same routing.
pub(super) fn nginx_conf(s: &Served) -> String {
    let fallback = match (s.single, s.clean_urls) {
        (true, true) => "$uri $uri.html $uri/ /index.html",
        (true, false) => "$uri $uri/ /index.html",
        (false, true) => "$uri $uri.html $uri/ =404",
        (false, false) => "$uri $uri/ =404",
    };
    format!(
        "COPY <<'NGINX' /etc/nginx/conf.d/default.conf\n\
         server {{\n    listen {};\n    root /usr/share/nginx/html;\n    \
         location / {{\n        try_files {fallback};\n    }}\n}}\nNGINX",
        s.port
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers() {
        let s = served(&["npx", "serve", "-s", "build", "-l", "tcp://0.0.0.0:5000"])
            .unwrap()
            .unwrap();
        assert_eq!((s.dir.as_str(), s.port, s.single), ("build", 5000, true));
        let h = served(&["http-server", "dist"]).unwrap().unwrap();
        assert_eq!((h.port, h.single, h.clean_urls), (8080, false, false));
        assert!(served(&["node", "server.js"]).unwrap().is_none());
        assert!(served(&["serve", "-s"]).is_err());
        assert!(served(&["serve", "--cors", "dist"]).is_err());
        assert!(nginx_conf(&s).contains("listen 5000;"));
        assert!(nginx_conf(&s).contains("/index.html;"));
        assert!(nginx_conf(&h).contains("=404"));
    }
}
