use std::collections::BTreeSet;

use super::*;
use crate::context::MemoryFs;
use crate::dockerignore::DockerIgnore;

const CASES: &str = include_str!("copy_cases.txt");

/// A plain tar holding `members`, each with its own name (prefixed `tar:`)
/// as content.
fn tar(members: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    for m in members {
        let body = format!("tar:{m}");
        let mut h = [0u8; 512];
        h[..m.len()].copy_from_slice(m.as_bytes());
        h[100..108].copy_from_slice(b"0000644\0");
        h[108..116].copy_from_slice(b"0000000\0");
        h[116..124].copy_from_slice(b"0000000\0");
        h[124..136].copy_from_slice(format!("{:011o}\0", body.len()).as_bytes());
        h[136..148].copy_from_slice(b"00000000000\0");
        h[156] = b'0';
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        out.extend_from_slice(&h);
        let mut data = body.into_bytes();
        data.resize(data.len().div_ceil(512) * 512, 0);
        out.extend_from_slice(&data);
    }
    out.extend_from_slice(&[0u8; 1024]);
    out
}

struct Table {
    fs: MemoryFs,
    ignore: Vec<String>,
    /// Archive path and its members.
    tars: Vec<(String, Vec<String>)>,
    cases: Vec<Case>,
}

#[derive(Default)]
struct Case {
    name: String,
    workdir: Option<String>,
    mkdirs: Vec<String>,
    run: String,
    expect: BTreeSet<(String, String)>,
    error: Option<String>,
    model: Option<(String, String)>,
}

fn read_table() -> Table {
    let mut t = Table {
        fs: MemoryFs::new(),
        ignore: Vec::new(),
        tars: Vec::new(),
        cases: Vec::new(),
    };
    for line in CASES.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        let root = t.cases.last().map(|c| format!("/c/{}", c.name));
        let rest = match &root {
            Some(r) => rest.replace("$R", r).replace("$PORT", "8000"),
            None => rest.to_string(),
        };
        match word {
            "file" => t.fs = std::mem::take(&mut t.fs).with(&rest, rest.as_bytes()),
            "ignore" => t.ignore.push(rest),
            "tar" | "targz" => {
                let mut parts = rest.split(' ');
                let path = parts.next().unwrap().to_string();
                let members: Vec<String> = parts.map(str::to_string).collect();
                let refs: Vec<&str> = members.iter().map(String::as_str).collect();
                let mut bytes = tar(&refs);
                if word == "targz" {
                    // Only the magic number is read; the rest need not inflate.
                    bytes.splice(0..0, [0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3]);
                }
                t.fs = std::mem::take(&mut t.fs).with(&path, bytes);
                t.tars.push((path, members));
            }
            "gzip" => {
                t.fs = std::mem::take(&mut t.fs).with(&rest, vec![0x1f, 0x8b, 0x08, 0, 1, 2, 3]);
            }
            "case" => t.cases.push(Case {
                name: rest,
                ..Case::default()
            }),
            "source" | "note" | "lab" => {}
            "workdir" => t.cases.last_mut().unwrap().workdir = Some(rest),
            "mkdir" => t.cases.last_mut().unwrap().mkdirs.push(rest),
            "run" => t.cases.last_mut().unwrap().run = rest,
            "expect" => {
                let (dest, src) = rest.split_once(' ').unwrap();
                t.cases
                    .last_mut()
                    .unwrap()
                    .expect
                    .insert((dest.to_string(), src.to_string()));
            }
            "error" => t.cases.last_mut().unwrap().error = Some(rest),
            "model" => {
                let (kind, dest) = rest.split_once(' ').unwrap();
                t.cases.last_mut().unwrap().model = Some((kind.to_string(), dest.to_string()));
            }
            other => panic!("copy_cases.txt: unknown line kind {other:?}"),
        }
    }
    t
}

/// The table's `run` line as a request.
fn request(case: &Case) -> CopyRequest {
    let mut words = case.run.split(' ');
    let instruction = match words.next() {
        Some("COPY") => Instruction::Copy,
        Some("ADD") => Instruction::Add,
        other => panic!("{}: not COPY/ADD: {other:?}", case.name),
    };
    let mut req = CopyRequest::new(instruction, Vec::<String>::new(), "");
    let mut args = Vec::new();
    for w in words {
        match w
            .strip_prefix("--")
            .map(|f| f.split_once('=').unwrap_or((f, "")))
        {
            Some(("parents", _)) => req.parents = true,
            Some(("link", _)) => req.link = true,
            Some(("exclude", v)) => req.excludes.push(v.to_string()),
            Some(("chown", v)) => req.chown = Some(v.to_string()),
            Some(("chmod", v)) => req.chmod = Some(v.to_string()),
            Some(("from", v)) => req.from = Some(v.to_string()),
            Some(("unpack", v)) => req.unpack = Some(v == "true"),
            Some((f, _)) => panic!("{}: unknown flag {f}", case.name),
            None => args.push(w.to_string()),
        }
    }
    req.dest = args.pop().unwrap();
    req.sources = args;
    if let Some(w) = &case.workdir {
        req.workdir.clone_from(w);
    }
    req
}

#[test]
fn copy_table_matches_buildkit() {
    let t = read_table();
    let ignore = DockerIgnore::from_patterns(&t.ignore).unwrap();
    let ctx = BuildContext::new(&t.fs, Some(ignore));
    let mut failures = Vec::new();
    for case in &t.cases {
        let req = request(case);
        let image = |p: &str| {
            let is_dir = case
                .mkdirs
                .iter()
                .any(|d| d == p || d.starts_with(&format!("{p}/")));
            if p == "/" || is_dir {
                ImagePath::Dir
            } else {
                ImagePath::Missing
            }
        };
        let plan = match (plan_copy(&req, Some(&ctx), &image), &case.error) {
            (Err(e), Some(want)) => {
                if e.to_string() != *want {
                    failures.push(format!("{}: error {e}, want {want}", case.name));
                }
                continue;
            }
            (Err(e), None) => {
                failures.push(format!("{}: unexpected error {e}", case.name));
                continue;
            }
            (Ok(plan), Some(want)) => {
                failures.push(format!("{}: {plan:?}, want error {want}", case.name));
                continue;
            }
            (Ok(plan), None) => plan,
        };
        if req.chown != plan.chown || req.chmod != plan.chmod || req.link != plan.link {
            failures.push(format!("{}: flags not carried", case.name));
        }
        if let Some((kind, dest)) = &case.model {
            assert_eq!(kind, "archive-unverified");
            let said = plan.placements.iter().any(|p| {
                p.dest == *dest
                    && matches!(
                        p.kind,
                        PlacementKind::Archive {
                            verified: false,
                            ..
                        }
                    )
            });
            if !said {
                failures.push(format!(
                    "{}: {:?}, want an unverified archive at {dest}",
                    case.name, plan.placements
                ));
            }
            continue;
        }
        let files = plan.files(&ctx);
        for (src, dest) in &files {
            // The lookup by image path agrees with the listing.
            if plan.source_of(&ctx, dest) != Some((src.clone(), false)) {
                failures.push(format!(
                    "{}: source_of({dest}) = {:?}, want {src}",
                    case.name,
                    plan.source_of(&ctx, dest)
                ));
            }
        }
        let mut got: BTreeSet<(String, String)> = files.into_iter().map(|(s, d)| (d, s)).collect();
        for p in &plan.placements {
            match &p.kind {
                PlacementKind::Archive { .. } => {
                    let (_, members) = t.tars.iter().find(|(path, _)| *path == p.source).unwrap();
                    for m in members {
                        got.insert((join_abs(&p.dest, m), format!("tar:{m}")));
                    }
                }
                PlacementKind::Url { .. } => {
                    got.insert((p.dest.clone(), "url".to_string()));
                }
                _ => {}
            }
        }
        if got != case.expect {
            failures.push(format!(
                "{}: got {got:?}, want {:?}",
                case.name, case.expect
            ));
        }
    }
    eprintln!(
        "copy table: {} cases, {} failed",
        t.cases.len(),
        failures.len()
    );
    assert!(t.cases.len() >= 30);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn ctx_fs() -> MemoryFs {
    MemoryFs::new()
        .with("a.txt", "a")
        .with("b.txt", "b")
        .with("dir/x.txt", "x")
        .with("requirements/prod.txt", "-r base.txt")
        .with("requirements/base.txt", "flask")
}

fn missing(_: &str) -> ImagePath {
    ImagePath::Missing
}

#[test]
fn several_sources_land_by_base_name() {
    // The hoist bug: two files from one folder into ./ lose the folder.
    let fs = ctx_fs();
    let ctx = BuildContext::new(&fs, None);
    let mut req = CopyRequest::new(
        Instruction::Copy,
        vec!["requirements/prod.txt", "requirements/base.txt"],
        "./",
    );
    req.workdir = "/app".into();
    let plan = plan_copy(&req, Some(&ctx), &missing).unwrap();
    let dests: Vec<&str> = plan.placements.iter().map(|p| p.dest.as_str()).collect();
    assert_eq!(dests, ["/app/prod.txt", "/app/base.txt"]);
    // With --parents the folder is kept.
    req.parents = true;
    let plan = plan_copy(&req, Some(&ctx), &missing).unwrap();
    let dests: Vec<&str> = plan.placements.iter().map(|p| p.dest.as_str()).collect();
    assert_eq!(
        dests,
        ["/app/requirements/prod.txt", "/app/requirements/base.txt"]
    );
}

#[test]
fn unknown_image_contents_give_both_candidates() {
    let fs = ctx_fs();
    let ctx = BuildContext::new(&fs, None);
    let req = CopyRequest::new(Instruction::Copy, vec!["a.txt"], "/opt/app");
    let plan = plan_copy(&req, Some(&ctx), &|_| ImagePath::Unknown).unwrap();
    assert_eq!(plan.placements[0].dest, "/opt/app");
    assert_eq!(
        plan.placements[0].if_dest_is_dir.as_deref(),
        Some("/opt/app/a.txt")
    );
    assert!(!plan.dest_is_dir);
}

#[test]
fn notes_for_overwrites_and_the_classic_builder() {
    let fs = ctx_fs();
    let ctx = BuildContext::new(&fs, None);
    let req = CopyRequest::new(Instruction::Copy, vec!["a.txt", "b.txt"], "/x");
    let plan = plan_copy(&req, Some(&ctx), &missing).unwrap();
    assert_eq!(
        plan.notes,
        [
            CopyNote::ClassicBuilderRejects,
            CopyNote::Overwrites("/x".into())
        ]
    );
    let req = CopyRequest::new(Instruction::Copy, vec!["*.none"], "/x/");
    let plan = plan_copy(&req, Some(&ctx), &missing).unwrap();
    assert!(plan.placements.is_empty());
    assert_eq!(plan.notes, [CopyNote::NoMatch("*.none".into())]);
}

#[test]
fn errors() {
    let fs = ctx_fs();
    let ctx = BuildContext::new(&fs, None);
    let run = |req: CopyRequest, image: &dyn Fn(&str) -> ImagePath| {
        plan_copy(&req, Some(&ctx), image).unwrap_err().to_string()
    };
    assert_eq!(
        run(
            CopyRequest::new(Instruction::Copy, vec!["https://x/y"], "/"),
            &missing
        ),
        "source can't be a URL for COPY"
    );
    assert_eq!(
        run(
            CopyRequest::new(Instruction::Copy, vec!["https://github.com/a/b.git"], "/"),
            &missing
        ),
        "source can't be a git ref for COPY"
    );
    assert_eq!(
        run(
            CopyRequest::new(Instruction::Copy, vec!["nope/*.txt"], "/"),
            &missing
        ),
        "\"/nope\": not found"
    );
    let file_at = |p: &str| {
        if p == "/f" {
            ImagePath::File
        } else if p == "/d/a.txt" || p == "/d" {
            ImagePath::Dir
        } else {
            ImagePath::Missing
        }
    };
    assert_eq!(
        run(
            CopyRequest::new(Instruction::Copy, vec!["dir"], "/f"),
            &file_at
        ),
        "cannot copy to non-directory: /f"
    );
    assert_eq!(
        run(
            CopyRequest::new(Instruction::Copy, vec!["a.txt"], "/d/"),
            &file_at
        ),
        "cannot replace to directory /d/a.txt with file"
    );
    assert_eq!(
        run(
            CopyRequest::new(Instruction::Copy, vec!["a.txt"], "/f/"),
            &file_at
        ),
        "mkdir /f: not a directory"
    );
    let mut bad = CopyRequest::new(Instruction::Copy, vec!["a.txt"], "/");
    bad.chmod = Some("8755".into());
    assert_eq!(
        run(bad, &missing),
        "invalid chmod parameter: '8755'. it should be octal string and between 0 and 07777"
    );
}

#[test]
fn from_stage_git_and_no_context_are_unresolved() {
    let mut req = CopyRequest::new(Instruction::Copy, vec!["/out/app"], "/usr/bin/");
    req.from = Some("build".into());
    let plan = plan_copy(&req, None, &missing).unwrap();
    assert_eq!(
        plan.placements[0].kind,
        PlacementKind::Unresolved(Unresolved::FromStage("build".into()))
    );
    assert_eq!(plan.placements[0].source, "/out/app");
    assert_eq!(plan.dest, "/usr/bin");
    assert!(plan.dest_is_dir);

    let req = CopyRequest::new(Instruction::Add, vec!["git@github.com:a/b.git"], "/src");
    let plan = plan_copy(&req, None, &missing).unwrap();
    assert_eq!(
        plan.placements[0].kind,
        PlacementKind::Unresolved(Unresolved::Git)
    );

    let req = CopyRequest::new(Instruction::Copy, vec!["../a.txt"], ".");
    let plan = plan_copy(&req, None, &missing).unwrap();
    assert_eq!(plan.placements[0].source, "a.txt");
    assert_eq!(
        plan.placements[0].kind,
        PlacementKind::Unresolved(Unresolved::NoContext)
    );
}

#[test]
fn heredoc_sources_are_files() {
    let mut req = CopyRequest::new(Instruction::Copy, Vec::<String>::new(), "/etc/app/");
    req.heredocs = vec!["conf.ini".into()];
    let plan = plan_copy(&req, None, &missing).unwrap();
    assert_eq!(plan.placements[0].dest, "/etc/app/conf.ini");
    assert_eq!(plan.placements[0].kind, PlacementKind::Heredoc);
}

#[test]
fn url_names() {
    assert_eq!(url_file_name("https://example.com/foobar"), "foobar");
    assert_eq!(
        url_file_name("https://example.com/a/b.tar.gz?x=1#y"),
        "b.tar.gz"
    );
    assert_eq!(url_file_name("https://example.com/dir/"), "dir");
    assert_eq!(url_file_name("https://example.com"), "__unnamed__");
    assert_eq!(url_file_name("https://example.com/"), "__unnamed__");
    assert_eq!(url_file_name("https://example.com/a%20b"), "a b");
}

#[test]
fn go_filepath_match() {
    let m = |p: &str, s: &str| {
        go_match(
            &p.chars().collect::<Vec<_>>(),
            &s.chars().collect::<Vec<_>>(),
        )
    };
    assert!(m("*.txt", "a.txt"));
    assert!(!m("*.txt", "d/a.txt"));
    assert!(m("*/*.txt", "d/a.txt"));
    assert!(m("**", "abc"));
    assert!(!m("**", "a/b"));
    assert!(m("a?c", "abc"));
    assert!(!m("a?c", "a/c"));
    assert!(m("[a-c]x", "bx"));
    assert!(!m("[^a-c]x", "bx"));
    assert!(m("arr[[]0].txt", "arr[0].txt"));
    assert!(m("a\\*b", "a*b"));
    assert!(!m("a\\*b", "axb"));
    assert!(!m("[]a]", "a"));
    assert!(!m("[a", "a"));
}

#[test]
fn tar_headers() {
    assert!(is_tar_header(&tar(&["f"])[..512]));
    let mut broken = tar(&["f"]);
    broken[0] = b'g';
    assert!(!is_tar_header(&broken[..512]));
    assert!(!is_tar_header(&[0u8; 512]));
    assert!(!is_tar_header(b"short"));
}

#[test]
fn source_of_finds_files_and_folders_by_image_path() {
    let fs = ctx_fs();
    let ignore = DockerIgnore::from_patterns(&["dir/x.txt".to_string()]).unwrap();
    let ctx = BuildContext::new(&fs, Some(ignore));
    let mut req = CopyRequest::new(Instruction::Copy, vec!["."], ".");
    req.workdir = "/app".into();
    req.excludes = vec!["b.txt".into()];
    let plan = plan_copy(&req, Some(&ctx), &missing).unwrap();
    let at = |p: &str| plan.source_of(&ctx, p);
    assert_eq!(
        at("/app/requirements/base.txt"),
        Some(("requirements/base.txt".into(), false))
    );
    assert_eq!(at("/app/requirements"), Some(("requirements".into(), true)));
    assert_eq!(at("/app"), Some((String::new(), true)));
    // Excluded, ignored, missing, or outside the destination.
    assert_eq!(at("/app/b.txt"), None);
    assert_eq!(at("/app/dir/x.txt"), None);
    assert_eq!(at("/app/nope.txt"), None);
    assert_eq!(at("/requirements/base.txt"), None);
    assert_eq!(at("/application/a.txt"), None);
}
