//! The interface every transform implements.

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
}
