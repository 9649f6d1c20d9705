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

use dockopt_engine::BuildContext;
use libfuzzer_sys::fuzz_target;

#[path = "../../transforms/tests/common/mod.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, src)) = data.split_first() else {
        return;
    };
    let fs = common::context_files(flags);
    let ctx = BuildContext::new(&fs, None);
    let problems = common::check_all(src, Some(&ctx));
    assert!(problems.is_empty(), "{problems:?}");
});
