//! What a transform reports.

use std::fmt;

use dockopt_syntax::TextRange;

use crate::transform::Gain;

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
    pub not_applied: Option<NotApplied>,
    /// A new file this finding proposes, relative to the build context. The
    /// caller writes it only when asked to, and never over an existing file.
    pub create: Option<NewFile>,
    /// Set by the transform; otherwise see [`Finding::severity`].
    pub severity: Option<Severity>,
    /// What the fix buys, when it differs from the rule's.
    pub gain: Option<Gain>,
}

/// How much a finding matters, in increasing order. `check` fails on
/// warnings and errors by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing; nothing to act on (a rewrite the transform refused
    /// because the text is right as it is, or cannot be shown wrong).
    Info,
    /// The image could be smaller or rebuild faster.
    Warning,
    /// The build is broken or will not do what it says.
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

/// Why a fix was not applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotApplied {
    /// The transform could not show the fix keeps the build's meaning.
    Refused(String),
    /// The file has syntax errors; fixes wait until they are mended.
    SyntaxErrors,
    /// Applying it would give text that does not parse cleanly.
    WouldNotParse,
    /// Its edit would write bytes that are not the file's own (text copied
    /// from a part of the file that is not valid UTF-8).
    InvalidUtf8,
    /// The fixes kept changing the file.
    NotConverging { rules: Vec<&'static str> },
    /// The result would not print back as itself.
    NotLossless,
    /// The fixed text could not be written, and why.
    NotWritten(String),
}

impl fmt::Display for NotApplied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refused(why) => f.write_str(why),
            Self::SyntaxErrors => f.write_str("the file has syntax errors"),
            Self::WouldNotParse => f.write_str("fix not applied: the result would not parse"),
            Self::InvalidUtf8 => {
                f.write_str("fix not applied: it would copy text that is not valid UTF-8")
            }
            Self::NotConverging { rules } => write!(
                f,
                "fixes did not converge after {} rounds ({})",
                crate::pipeline::MAX_ROUNDS,
                rules.join(", ")
            ),
            Self::NotLossless => {
                f.write_str("fix not applied: the result does not print back as itself")
            }
            Self::NotWritten(why) => write!(f, "fix not applied: {why}"),
        }
    }
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
            severity: None,
            gain: None,
        }
    }

    /// A finding whose fix buys something else than its rule's usually does
    /// (a merge that keeps `apt-get update` with its install is about a
    /// correct build, not size).
    #[must_use]
    pub fn with_gain(mut self, gain: Gain) -> Self {
        self.gain = Some(gain);
        self
    }

    /// The transform's own severity, or else: a refused rewrite is
    /// information (the transform showed the text should stay as it is, or
    /// could not show otherwise), unless the finding proposes a file, which
    /// is the fix; everything else is a warning.
    pub fn severity(&self) -> Severity {
        self.severity
            .unwrap_or(match (&self.not_applied, &self.create) {
                (Some(NotApplied::Refused(_)), None) => Severity::Info,
                _ => Severity::Warning,
            })
    }

    #[must_use]
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
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
        self.not_applied = Some(NotApplied::Refused(why.into()));
        self
    }
}
