//! The dockopt engine: findings and fixes, the fix pipeline, build contexts
//! with `.dockerignore` semantics, inline suppressions and configuration.
//!
//! Invariant: the engine does no I/O. Callers hand it text, a [`ContextFs`]
//! and settings; it hands back text and findings.

pub mod config;
pub mod context;
pub mod dockerignore;
pub mod finding;
pub mod fix;
pub mod image;
pub mod lock;
pub mod model;
pub mod pipeline;
pub mod select;
pub mod suppress;
pub mod transform;

pub use config::{Config, Settings};
pub use context::{BuildContext, ContextFs, MemoryFs};
pub use dockerignore::DockerIgnore;
pub use finding::{Finding, NewFile, NotApplied, Severity};
pub use fix::{Applicability, Edit, Fix};
pub use pipeline::{check, fix, FixOutcome};
pub use select::Selection;
pub use transform::{Cx, Fixes, Gain, Rule, Transform};
