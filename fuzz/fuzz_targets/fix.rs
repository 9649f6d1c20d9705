//! The whole fix pipeline, every transform, safe and unsafe, on arbitrary
//! bytes with an in-memory build context. The first byte chooses which
//! context files exist; the rest is the Dockerfile.
//!
//! Asserts (see `transforms/tests/common`): no panic; each round's edits
//! are sorted, disjoint, inside the text and on character boundaries, and
//! replaying them gives the output, so every byte outside an edit is kept;
//! a changed output parses without new errors; a second fix changes
//! nothing; where the input is not UTF-8, the edits are those made to the
//! same input with each bad byte replaced by the placeholder, and none
//! writes the placeholder.
#![no_main]

use dockopt_engine::{BuildContext, MemoryFs};
use libfuzzer_sys::fuzz_target;

#[path = "../../transforms/tests/common/mod.rs"]
mod common;

const FILES: &[(&str, &[u8])] = &[
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

fuzz_target!(|data: &[u8]| {
    let Some((&flags, src)) = data.split_first() else {
        return;
    };
    let mut fs = MemoryFs::new();
    for (i, (path, body)) in FILES.iter().enumerate() {
        if flags & (1 << i) != 0 {
            fs = fs.with(path, body.to_vec());
        }
    }
    let ctx = BuildContext::new(&fs, None);
    let problems = common::check_all(src, Some(&ctx));
    assert!(problems.is_empty(), "{problems:?}");
});
