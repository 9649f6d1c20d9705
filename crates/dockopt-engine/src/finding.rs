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
        }
    }

    #[must_use]
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    /// A finding whose rewrite was refused, with the reason.
    #[must_use]
    pub fn refused(mut self, why: impl Into<String>) -> Self {
        self.not_applied = Some(why.into());
        self
    }
}
