//! The interface every transform implements, and how a transform declares
//! itself: once, in one [`Rule`].

use dockopt_syntax::SyntaxTree;

use crate::context::BuildContext;
use crate::finding::Finding;
use crate::fix::Applicability;
use crate::model::Model;

/// What a transform sees: the parsed file, its build model, the build
/// context and the transform's options.
pub struct Cx<'a> {
    pub tree: &'a SyntaxTree,
    /// The build model, computed once per round and shared by every
    /// transform.
    pub model: &'a Model<'a>,
    /// `None` when the file has no build context (standard input without
    /// `--context`): transforms that need one stay silent.
    pub context: Option<&'a BuildContext<'a>>,
    /// The transform's own options from the configuration, if any.
    pub options: Option<&'a serde_json::Value>,
}

/// Which fixes a transform offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fixes {
    /// Findings only.
    None,
    /// Safe fixes only: applied by default.
    Safe,
    /// Unsafe fixes only: applied with `--unsafe`.
    Unsafe,
    /// Safe or unsafe, case by case; the page says which.
    Both,
}

impl Fixes {
    /// Whether a fix of this applicability is one the transform declares.
    pub fn allows(self, a: Applicability) -> bool {
        match self {
            Self::None => false,
            Self::Safe => a == Applicability::Safe,
            Self::Unsafe => a == Applicability::Unsafe,
            Self::Both => a != Applicability::DisplayOnly,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Safe => "safe",
            Self::Unsafe => "unsafe",
            Self::Both => "safe or unsafe",
        }
    }
}

/// What a transform's fixes buy, which decides where they are worth making.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Gain {
    /// A smaller image: worth it only in stages whose layers ship.
    Size,
    /// A faster rebuild: worth it in every stage the build runs.
    Rebuild,
    /// A build that is right (or safer, or clearer): worth it everywhere.
    Correctness,
}

impl Gain {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Size => "size",
            Self::Rebuild => "rebuild",
            Self::Correctness => "correctness",
        }
    }
}

/// A transform's identity and documentation, declared once in its module.
#[derive(Debug)]
pub struct Rule {
    /// Stable code, such as `DKR001`.
    pub code: &'static str,
    /// Stable kebab-case name, such as `merge-runs`.
    pub name: &'static str,
    /// One line for listings.
    pub summary: &'static str,
    /// The documentation page, in Markdown.
    pub docs: &'static str,
    pub fixes: Fixes,
    /// What its findings buy unless a finding says otherwise.
    pub gain: Gain,
}

pub trait Transform: Sync {
    fn rule(&self) -> &'static Rule;

    /// Reports findings, each with a fix where it can show the fix keeps the
    /// build's meaning.
    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>);
    /// Whether it runs when no selection is given. Opt-in transforms run
    /// only when `--select` or `select` names them, or `ALL`.
    fn default_enabled(&self) -> bool {
        true
    }

    /// Checks the transform's options from the configuration, so that a bad
    /// one is a configuration error before any file is read. Transforms
    /// that read options override it; the others take none.
    fn check_options(&self, options: &serde_json::Value) -> Result<(), String> {
        if options.is_null() {
            Ok(())
        } else {
            Err(format!("{} takes no options", self.name()))
        }
    }

    fn code(&self) -> &'static str {
        self.rule().code
    }

    fn name(&self) -> &'static str {
        self.rule().name
    }

    fn summary(&self) -> &'static str {
        self.rule().summary
    }

    fn docs(&self) -> &'static str {
        self.rule().docs
    }
}
