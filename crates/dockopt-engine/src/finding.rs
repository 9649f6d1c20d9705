//! What a transform reports.

use dockopt_syntax::TextRange;

use crate::fix::Fix;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Stable code, such as `DKR001`.
    pub code: &'static str,
    /// Stable name, such as `merge-runs`.
    pub name: &'static str,
    pub message: String,
    pub range: TextRange,
    pub fix: Option<Fix>,
    /// Why the fix was not applied, when it was not.
    pub not_applied: Option<String>,
    /// A new file this finding proposes, relative to the build context. The
    /// caller writes it only when asked to, and never over an existing file.
    pub create: Option<NewFile>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewFile {
    pub path: String,
    pub content: String,
}

impl Finding {
    pub fn new(
        code: &'static str,
        name: &'static str,
        message: impl Into<String>,
        range: TextRange,
    ) -> Self {
        Self {
            code,
            name,
            message: message.into(),
            range,
            fix: None,
            not_applied: None,
            create: None,
        }
    }

    #[must_use]
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    /// A finding that proposes a new file.
    #[must_use]
    pub fn with_new_file(mut self, path: impl Into<String>, content: impl Into<String>) -> Self {
        self.create = Some(NewFile {
            path: path.into(),
            content: content.into(),
        });
        self
    }

    /// A finding whose rewrite was refused, with the reason.
    #[must_use]
    pub fn refused(mut self, why: impl Into<String>) -> Self {
        self.not_applied = Some(why.into());
        self
    }
}
