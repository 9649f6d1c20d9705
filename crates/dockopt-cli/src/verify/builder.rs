//! The image builders `verify` drives: `docker` (BuildKit through `docker
//! buildx build`), `podman` and `buildah`. Each is asked for JSON where it
//! gives it; only build logs are read as text, to name a failing step.

use std::ffi::OsString;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use dockopt_verify::report::{BuilderInfo, ProbeRun};

use super::progress::Step;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Docker,
    Podman,
    Buildah,
}

impl Engine {
    pub const ORDER: [Engine; 3] = [Engine::Docker, Engine::Podman, Engine::Buildah];

    pub fn name(self) -> &'static str {
        match self {
            Self::Docker => "docker",
            Self::Podman => "podman",
            Self::Buildah => "buildah",
        }
    }

    /// The engine a program is, from its file name (`buildah-trixie` is buildah).
    fn from_program(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        Self::ORDER.into_iter().find(|e| name.starts_with(e.name()))
    }
}

#[derive(Clone, Debug)]
pub struct Builder {
    pub engine: Engine,
    pub program: PathBuf,
    pub version: String,
    pub why: String,
}

/// What to build.
pub struct BuildSpec<'a> {
    pub dockerfile: &'a Path,
    pub context: &'a Path,
    pub tag: &'a str,
    pub no_cache: bool,
    pub build_args: &'a [String],
    pub target: Option<&'a str>,
    pub platform: Option<&'a str>,
}

pub struct BuildResult {
    pub ok: bool,
    pub seconds: f64,
    pub failed_step: Option<String>,
    pub log_tail: Vec<String>,
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Runs a short query and returns its standard output when it succeeds.
fn query(program: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        Err(format!(
            "`{} {}` failed: {}",
            program.display(),
            args.join(" "),
            first.trim()
        ))
    }
}

fn json(text: &str) -> Result<serde_json::Value, String> {
    serde_json::from_str(text).map_err(|e| format!("unreadable JSON: {e}"))
}

/// Whether the builder answers, and its version.
fn probe_engine(engine: Engine, program: &Path) -> Result<String, String> {
    match engine {
        Engine::Docker => {
            let v = json(&query(program, &["version", "--format", "{{json .}}"])?)?;
            let server = v.get("Server").filter(|s| !s.is_null()).ok_or_else(|| {
                "the Docker daemon does not answer (`docker version` has no server)".to_string()
            })?;
            query(program, &["buildx", "version"])
                .map_err(|e| format!("docker buildx is missing: {e}"))?;
            Ok(server
                .get("Version")
                .and_then(|v| v.as_str())
                .unwrap_or("?")
                .to_string())
        }
        Engine::Podman => {
            query(program, &["info", "--format", "json"])?;
            let v = json(&query(program, &["version", "--format", "json"])?)?;
            Ok(v.pointer("/Client/Version")
                .and_then(|v| v.as_str())
                .unwrap_or("?")
                .to_string())
        }
        Engine::Buildah => {
            let v = json(&query(program, &["version", "--json"])?)?;
            query(program, &["info"])?;
            Ok(v.get("version")
                .and_then(|v| v.as_str())
                .unwrap_or("?")
                .to_string())
        }
    }
}

/// Picks the builder: `choice` is a name (`docker`, `podman`, `buildah`) or
/// a path to one of them; without it, the first on `PATH` that answers.
pub fn detect(choice: Option<&str>) -> Result<Builder, String> {
    if let Some(c) = choice {
        let named = Engine::ORDER.into_iter().find(|e| e.name() == c);
        let (engine, program) = if let Some(e) = named {
            (
                e,
                find_on_path(e.name()).ok_or_else(|| format!("{c} is not on PATH"))?,
            )
        } else {
            let p = PathBuf::from(c);
            if !p.is_file() {
                return Err(format!(
                    "--builder {c}: neither docker, podman, buildah nor a file"
                ));
            }
            let e = Engine::from_program(&p).ok_or_else(|| {
                format!("--builder {c}: cannot tell whether this is docker, podman or buildah from its name")
            })?;
            (e, p)
        };
        let version = probe_engine(engine, &program)?;
        return Ok(Builder {
            engine,
            program,
            version,
            why: "chosen with --builder".into(),
        });
    }
    let mut skipped = Vec::new();
    for engine in Engine::ORDER {
        let Some(program) = find_on_path(engine.name()) else {
            skipped.push(format!("{} is not on PATH", engine.name()));
            continue;
        };
        match probe_engine(engine, &program) {
            Ok(version) => {
                let why = if skipped.is_empty() {
                    "first on PATH of docker, podman, buildah".to_string()
                } else {
                    format!("skipped: {}", skipped.join("; "))
                };
                return Ok(Builder {
                    engine,
                    program,
                    version,
                    why,
                });
            }
            Err(e) => skipped.push(format!("{}: {e}", engine.name())),
        }
    }
    Err(format!(
        "no working image builder (docker, podman or buildah): {}",
        skipped.join("; ")
    ))
}

/// The last lines of a log, and the step that failed as the builder names it.
fn read_failure(log: &str) -> (Option<String>, Vec<String>) {
    let lines: Vec<&str> = log.lines().collect();
    let tail = lines[lines.len().saturating_sub(15)..]
        .iter()
        .map(|l| (*l).to_string())
        .collect();
    // buildah and podman: `STEP 3/7: RUN make`; BuildKit: `#8 [build 3/7] RUN make`.
    let step = lines.iter().rev().find_map(|l| {
        // Multi-stage builds prefix the stage: `[1/2] STEP 3/7: RUN make`.
        let (stage, rest) = match l.strip_prefix('[').and_then(|r| r.split_once("] ")) {
            Some((stage, rest)) => (Some(stage), rest),
            None => (None, *l),
        };
        if let Some(step) = rest.strip_prefix("STEP ") {
            return Some(match stage {
                Some(st) => format!("stage {st}, {step}"),
                None => step.to_string(),
            });
        }
        let rest = l.strip_prefix('#')?;
        let (num, rest) = rest.split_once(' ')?;
        if !num.chars().all(|c| c.is_ascii_digit()) || !rest.starts_with('[') {
            return None;
        }
        let (stage, ins) = rest[1..].split_once("] ")?;
        if stage == "internal" {
            return None;
        }
        Some(format!("{stage}: {ins}"))
    });
    (step, tail)
}

impl Builder {
    pub fn info(&self) -> BuilderInfo {
        BuilderInfo {
            name: self.engine.name().into(),
            program: self.program.display().to_string(),
            version: self.version.clone(),
            chosen_because: self.why.clone(),
        }
    }

    fn command(&self) -> Command {
        let mut c = Command::new(&self.program);
        c.stdin(Stdio::null());
        c
    }

    /// The build command's arguments.
    fn build_args(&self, spec: &BuildSpec<'_>) -> Vec<OsString> {
        let mut a: Vec<OsString> = match self.engine {
            Engine::Docker => vec!["buildx", "build", "--progress", "plain", "--load"],
            Engine::Podman => vec!["build", "--format", "docker", "--layers"],
            // The docker format keeps SHELL and HEALTHCHECK, which OCI drops.
            Engine::Buildah => vec!["bud", "--format", "docker", "--layers"],
        }
        .into_iter()
        .map(OsString::from)
        .collect();
        a.extend([
            "-t".into(),
            spec.tag.into(),
            "-f".into(),
            spec.dockerfile.into(),
        ]);
        if spec.no_cache {
            a.push("--no-cache".into());
        }
        for arg in spec.build_args {
            a.extend(["--build-arg".into(), arg.into()]);
        }
        if let Some(t) = spec.target {
            a.extend(["--target".into(), t.into()]);
        }
        if let Some(p) = spec.platform {
            a.extend(["--platform".into(), p.into()]);
        }
        a.push(spec.context.into());
        a
    }

    pub fn build(&self, spec: &BuildSpec<'_>, log: &Path, step: &Step) -> io::Result<BuildResult> {
        let mut c = self.command();
        c.args(self.build_args(spec));
        let file = std::fs::File::create(log)?;
        c.stdout(file.try_clone()?).stderr(file);
        let start = Instant::now();
        let mut child = c.spawn().map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot run {}: {e}", self.program.display()),
            )
        })?;
        let status = loop {
            if let Some(s) = child.try_wait()? {
                break s;
            }
            step.tick();
            std::thread::sleep(Duration::from_millis(200));
        };
        let seconds = start.elapsed().as_secs_f64();
        if status.success() {
            return Ok(BuildResult {
                ok: true,
                seconds,
                failed_step: None,
                log_tail: Vec::new(),
            });
        }
        let text = String::from_utf8_lossy(&std::fs::read(log)?).into_owned();
        let (failed_step, log_tail) = read_failure(&text);
        Ok(BuildResult {
            ok: false,
            seconds,
            failed_step,
            log_tail,
        })
    }

    /// Exports images into `dir` and returns the directory to read them
    /// from, with the reference each image has there.
    pub fn export(&self, tags: &[&str], dir: &Path) -> io::Result<(PathBuf, Vec<String>)> {
        std::fs::create_dir_all(dir)?;
        match self.engine {
            Engine::Buildah => {
                let layout = dir.join("oci");
                let mut refs = Vec::new();
                for (i, tag) in tags.iter().enumerate() {
                    let name = format!("image{i}");
                    let mut dest = OsString::from("oci:");
                    dest.push(layout.as_os_str());
                    dest.push(format!(":{name}"));
                    run_quiet(self.command().args(["push", "--quiet", tag]).arg(dest))?;
                    refs.push(name);
                }
                Ok((layout, refs))
            }
            Engine::Docker | Engine::Podman => {
                let archive = dir.join("images.tar");
                let mut c = self.command();
                if self.engine == Engine::Docker {
                    c.arg("save");
                } else {
                    c.args(["image", "save", "--format", "docker-archive"]);
                    if tags.len() > 1 {
                        c.arg("--multi-image-archive");
                    }
                }
                c.arg("-o").arg(&archive).args(tags);
                run_quiet(&mut c)?;
                let unpacked = dir.join("archive");
                tar::Archive::new(std::fs::File::open(&archive)?).unpack(&unpacked)?;
                std::fs::remove_file(&archive)?;
                Ok((unpacked, tags.iter().map(|t| (*t).to_string()).collect()))
            }
        }
    }

    /// Runs `/bin/sh -c COMMAND` in a new container of the image.
    pub fn probe(&self, image: &str, command: &str) -> ProbeRun {
        let result = match self.engine {
            Engine::Docker | Engine::Podman => {
                let mut c = self.command();
                c.args([
                    "run",
                    "--rm",
                    "--entrypoint",
                    "/bin/sh",
                    image,
                    "-c",
                    command,
                ]);
                capture(c)
            }
            Engine::Buildah => {
                let from = query(&self.program, &["from", "--quiet", "--pull=never", image]);
                match from {
                    Err(e) => Err(e),
                    Ok(id) => {
                        let id = id.trim().to_string();
                        let mut c = self.command();
                        c.args(["run", &id, "--", "/bin/sh", "-c", command]);
                        let r = capture(c);
                        let _ = query(&self.program, &["rm", &id]);
                        r
                    }
                }
            }
        };
        result.unwrap_or_else(|e| ProbeRun {
            status: None,
            output: e,
        })
    }

    pub fn remove(&self, image: &str) {
        let args: &[&str] = match self.engine {
            Engine::Docker => &["image", "rm", "-f"],
            Engine::Podman | Engine::Buildah => &["rmi", "-f"],
        };
        let _ = self
            .command()
            .args(args)
            .arg(image)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn run_quiet(c: &mut Command) -> io::Result<()> {
    let out = c.stdin(Stdio::null()).output()?;
    if out.status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "{} failed: {}",
            c.get_program().display(),
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// Standard output and error together, in order, and the exit status.
fn capture(mut c: Command) -> Result<ProbeRun, String> {
    let (mut reader, writer) = io::pipe().map_err(|e| e.to_string())?;
    let writer2 = writer.try_clone().map_err(|e| e.to_string())?;
    let mut child = c
        .stdout(writer)
        .stderr(writer2)
        .spawn()
        .map_err(|e| e.to_string())?;
    // Only the child may hold the pipe's write ends, or reading never ends.
    drop(c);
    let mut output = Vec::new();
    reader.read_to_end(&mut output).map_err(|e| e.to_string())?;
    let status = child.wait().map_err(|e| e.to_string())?;
    Ok(ProbeRun {
        status: status.code(),
        output: without_builder_logs(&String::from_utf8_lossy(&output)),
    })
}

/// The output without the builder's own log lines (`WARN[0000] ...`,
/// `time="..." level=warning ...`), which it prints on some runs and not
/// others (a busy machine, a cgroup it cannot join) and which say nothing
/// about the image.
fn without_builder_logs(output: &str) -> String {
    let is_log = |line: &str| {
        let level = ["WARN[", "ERRO[", "INFO[", "DEBU["]
            .iter()
            .any(|p| line.starts_with(p));
        level || (line.starts_with("time=\"") && line.contains("\" level="))
    };
    output
        .split_inclusive('\n')
        .filter(|line| !is_log(line))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_output_leaves_out_builder_logs_only() {
        let out = "WARN[0000] cannot join cgroup\nok\ntime=\"2026\" level=warning msg=\"x\"\nWARN: mine\n";
        assert_eq!(without_builder_logs(out), "ok\nWARN: mine\n");
    }

    #[test]
    fn failing_steps_are_read_from_each_builders_log() {
        let buildah = "STEP 1/3: FROM debian\nSTEP 2/3: RUN false\nerror building at STEP \"RUN false\": exit status 1\n";
        assert_eq!(read_failure(buildah).0.as_deref(), Some("2/3: RUN false"));
        let staged = "[1/2] STEP 1/2: FROM golang AS build\n[1/2] STEP 2/2: RUN go build\nError: building at STEP\n";
        assert_eq!(
            read_failure(staged).0.as_deref(),
            Some("stage 1/2, 2/2: RUN go build")
        );
        let kit = "#5 [internal] load build context\n#6 [2/3] RUN false\n#6 ERROR: process \"/bin/sh -c false\" did not complete successfully: exit code: 1\n------\n";
        assert_eq!(read_failure(kit).0.as_deref(), Some("2/3: RUN false"));
    }

    #[test]
    fn build_commands_per_engine() {
        let spec = BuildSpec {
            dockerfile: Path::new("/tmp/x/Dockerfile"),
            context: Path::new("/tmp/x/context"),
            tag: "localhost/t:original",
            no_cache: true,
            build_args: &["V=1".to_string()],
            target: Some("app"),
            platform: None,
        };
        let line = |engine| {
            let b = Builder {
                engine,
                program: PathBuf::from(engine.name()),
                version: String::new(),
                why: String::new(),
            };
            b.build_args(&spec)
                .iter()
                .map(|s| s.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let tail = "-t localhost/t:original -f /tmp/x/Dockerfile --no-cache --build-arg V=1 --target app /tmp/x/context";
        assert_eq!(
            line(Engine::Docker),
            format!("buildx build --progress plain --load {tail}")
        );
        assert_eq!(
            line(Engine::Podman),
            format!("build --format docker --layers {tail}")
        );
        assert_eq!(
            line(Engine::Buildah),
            format!("bud --format docker --layers {tail}")
        );
    }

    #[test]
    fn engines_are_known_by_program_name() {
        assert_eq!(
            Engine::from_program(Path::new("/lab/buildah-trixie")),
            Some(Engine::Buildah)
        );
        assert_eq!(Engine::from_program(Path::new("/usr/bin/nerdctl")), None);
    }
}
