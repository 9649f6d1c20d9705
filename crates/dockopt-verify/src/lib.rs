//! Reading built images and comparing an original build with its rewrite.
//!
//! Data flows one way: a builder's export (an OCI layout or a
//! `docker save` archive, unpacked) → layers → file trees with whiteouts
//! applied → differences, each either explained (by a fix that removes it
//! on purpose, by the Dockerfile itself, or by build noise) or not → a
//! verdict → text, JSON or Markdown.
//!
//! Invariant: nothing here runs a builder or a container. The CLI drives
//! the builders and hands this crate directories and outputs.

pub mod compare;
pub mod config;
pub mod intent;
pub mod layer;
pub mod layout;
pub mod render;
pub mod report;
pub mod tree;

pub use compare::{compare_trees, Explainer, FileDiffs};
pub use layout::{Image, Layout};
pub use report::{Report, Verdict};
pub use tree::FileTree;
