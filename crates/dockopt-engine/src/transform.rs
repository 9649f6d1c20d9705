//! The interface every transform implements.

use std::any::Any;
use std::cell::OnceCell;

use dockopt_syntax::SyntaxTree;

use crate::context::BuildContext;
use crate::finding::Finding;

/// What a transform sees: the parsed file, the build context and its options.
pub struct Cx<'a> {
    pub tree: &'a SyntaxTree,
    /// `None` when the file has no build context (standard input without
    /// `--context`): transforms that need one stay silent.
    pub context: Option<&'a BuildContext<'a>>,
    /// The transform's own options from the configuration, if any.
    pub options: Option<&'a serde_json::Value>,
    /// Analysis shared by all transforms over the same tree.
    pub shared: &'a Shared,
}

/// One lazily built value shared by every transform that looks at the same
/// tree, so that expensive analysis (shell parsing) happens once per round.
#[derive(Default)]
pub struct Shared {
    slot: OnceCell<Box<dyn Any>>,
}

impl Shared {
    /// The shared value, built by `init` on first use. One type per tree.
    pub fn get_or_init<T: Any>(&self, init: impl FnOnce() -> T) -> &T {
        self.slot
            .get_or_init(|| Box::new(init()))
            .downcast_ref::<T>()
            .expect("one shared analysis type per tree")
    }
}

pub trait Transform: Sync {
    /// Stable code, such as `DKR001`.
    fn code(&self) -> &'static str;
    /// Stable kebab-case name, such as `merge-runs`.
    fn name(&self) -> &'static str;
    /// One line for listings.
    fn summary(&self) -> &'static str;
    /// The documentation page, in Markdown.
    fn docs(&self) -> &'static str;
    /// Reports findings, each with a fix where it can show the fix keeps the
    /// build's meaning.
    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>);
    /// Whether it runs when no selection is given. Opt-in transforms run
    /// only when `--select` or `select` names them, or `ALL`.
    fn default_enabled(&self) -> bool {
        true
    }
}
