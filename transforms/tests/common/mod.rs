//! Checks every fix run must pass, shared by the fixture, property,
//! mutation and size tests and by the fuzz targets.
#![allow(dead_code)]

use dockopt_engine::config::Settings;
use dockopt_engine::fix::{apply, uses_crlf};
use dockopt_engine::{pipeline, BuildContext, MemoryFs};

/// Build context files that wake the transforms that read the context.
pub const CONTEXT_FILES: &[(&str, &[u8])] = &[
    (
        "package.json",
        br#"{"name":"a","scripts":{"start":"node server.js","build":"vite build"},"dependencies":{"express":"4"},"devDependencies":{"vite":"5"}}"#,
    ),
    ("package-lock.json", b"{}"),
    ("requirements.txt", b"flask\n-r more.txt\n"),
    ("more.txt", b"requests\n"),
    ("go.mod", b"module a\n\ngo 1.22\n"),
    ("Cargo.toml", b"[package]\nname = \"app\"\n"),
    ("a.tgz", &[0x1f, 0x8b, 8, 0]),
    ("app/server.js", b"console.log(1)\n"),
];

/// A context with the files whose bits are set in `flags`.
pub fn context_files(flags: u8) -> MemoryFs {
    let mut fs = MemoryFs::new();
    for (i, (path, body)) in CONTEXT_FILES.iter().enumerate() {
        if flags & (1 << i) != 0 {
            fs = fs.with(path, body.to_vec());
        }
    }
    fs
}

pub fn settings(unsafe_fixes: bool) -> Settings {
    Settings {
        unsafe_fixes,
        ..Settings::default()
    }
}

pub fn fix(src: &[u8], unsafe_fixes: bool, ctx: Option<&BuildContext<'_>>) -> pipeline::FixOutcome {
    pipeline::fix(src, dockopt_transforms::ALL, &settings(unsafe_fixes), ctx)
}

/// Replays the rounds' edits on `src`: each round's edits are sorted,
/// disjoint, inside its text and on character boundaries, and together
/// they give the output. So every byte outside an edit is kept.
pub fn replay(src: &[u8], out: &pipeline::FixOutcome) -> Result<(), String> {
    let crlf = uses_crlf(src);
    let mut text = src.to_vec();
    for (round, edits) in out.edits.iter().enumerate() {
        let tree = dockopt_syntax::parse(text.clone());
        let view = tree.source_str();
        let mut end = 0;
        for e in edits {
            let r = e.range;
            if r.start > r.end || r.end as usize > text.len() {
                return Err(format!("round {round}: {r:?} is outside the text"));
            }
            if r.start < end {
                return Err(format!("round {round}: {r:?} overlaps the edit before"));
            }
            if !view.is_char_boundary(r.start as usize) || !view.is_char_boundary(r.end as usize) {
                return Err(format!("round {round}: {r:?} splits a character"));
            }
            end = r.end;
        }
        let refs: Vec<_> = edits.iter().collect();
        text = apply(&text, &refs, crlf);
    }
    if text != out.output {
        return Err("replaying the edits does not give the output".into());
    }
    Ok(())
}

/// What went wrong with one fix run, if anything.
#[derive(Debug, PartialEq, Eq)]
pub enum Problem {
    /// An edit outside its text, overlapping, or splitting a character, or
    /// edits that do not give the output.
    Offsets(String),
    /// A changed output with syntax errors or new warnings.
    Unparsable(String),
    /// A second run changed the output.
    Unstable,
    /// Edits differ from those on the file with placeholders for bad bytes.
    NotByteExact(String),
}

/// Runs the pipeline twice (safe, then with unsafe fixes) and checks each
/// run: offsets, a clean parse of a changed output, stability, and, where
/// the input is not UTF-8, the same edits as on the placeholder file.
pub fn check_all(src: &[u8], ctx: Option<&BuildContext<'_>>) -> Vec<Problem> {
    let mut problems = Vec::new();
    let before = dockopt_syntax::parse(src.to_vec());
    for unsafe_fixes in [false, true] {
        let out = fix(src, unsafe_fixes, ctx);
        if let Err(e) = replay(src, &out) {
            problems.push(Problem::Offsets(e));
        }
        if out.output != src {
            let after = dockopt_syntax::parse(out.output.clone());
            if after.has_errors() || after.errors().len() > before.errors().len() {
                problems.push(Problem::Unparsable(format!("{:?}", after.errors())));
            }
        }
        if fix(&out.output, unsafe_fixes, ctx).output != out.output {
            problems.push(Problem::Unstable);
        }
        if let Some(p) = before.placeholder() {
            if let Err(e) = same_as_placeholder(src, p, &out, unsafe_fixes, ctx) {
                problems.push(Problem::NotByteExact(e));
            }
        }
    }
    problems
}

/// The file with each byte that is not UTF-8 replaced by the placeholder
/// the parser chose for it.
pub fn with_placeholders(src: &[u8], p: char) -> Vec<u8> {
    dockopt_syntax::replace_invalid(src, p as u8).into_bytes()
}

/// Bad bytes are edited around exactly as placeholders would be: the same
/// edits at the same offsets, and outputs that differ only at bad bytes.
/// `Ok(false)` when the comparison does not apply.
pub fn same_as_placeholder(
    src: &[u8],
    p: char,
    out: &pipeline::FixOutcome,
    unsafe_fixes: bool,
    ctx: Option<&BuildContext<'_>>,
) -> Result<bool, String> {
    if out
        .edits
        .iter()
        .flatten()
        .any(|e| e.replacement.contains(p))
    {
        return Err("an edit writes the placeholder".into());
    }
    let y = with_placeholders(src, p);
    // Go reads a bad byte inside a JSON string as U+FFFD and a control
    // character there as an error: where that decides an instruction's
    // form, the two files mean different things.
    let (tx, ty) = (
        dockopt_syntax::parse(src.to_vec()),
        dockopt_syntax::parse(y.clone()),
    );
    let forms = |t: &dockopt_syntax::SyntaxTree| -> Vec<bool> {
        t.instructions().map(|i| i.is_json()).collect()
    };
    if forms(&tx) != forms(&ty) || tx.errors() != ty.errors() {
        return Ok(false);
    }
    let other = fix(&y, unsafe_fixes, ctx);
    if other
        .edits
        .iter()
        .flatten()
        .any(|e| e.replacement.contains(p))
    {
        // Refused on `src`, applied here: the runs part ways.
        return Ok(false);
    }
    if out.edits != other.edits {
        return Err(format!(
            "edits differ:\n{:?}\nwith placeholders:\n{:?}",
            out.edits, other.edits
        ));
    }
    if out.output.len() != other.output.len()
        || out
            .output
            .iter()
            .zip(&other.output)
            .any(|(a, b)| a != b && !(*a >= 0x80 && *b == p as u8))
    {
        return Err("outputs differ beyond the bad bytes".into());
    }
    Ok(true)
}
