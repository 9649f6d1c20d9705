//! Edits, fixes and how safe they are.

use dockopt_syntax::TextRange;

/// Replace `range` with `replacement`: an insertion when the range is empty,
/// a deletion when the replacement is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub range: TextRange,
    pub replacement: String,
}

impl Edit {
    pub fn replace(range: TextRange, replacement: impl Into<String>) -> Self {
        Self {
            range,
            replacement: replacement.into(),
        }
    }

    pub fn insert(at: u32, text: impl Into<String>) -> Self {
        Self::replace(TextRange::empty(at), text)
    }

    pub fn delete(range: TextRange) -> Self {
        Self::replace(range, String::new())
    }
}

/// Ordered so that "does this fix apply" is one comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// Shown, never applied.
    DisplayOnly,
    /// Applied only with `--unsafe`: it may change what ends up in the image.
    Unsafe,
    /// Applied by default: the image means the same thing afterwards.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DisplayOnly => "display-only",
            Self::Unsafe => "unsafe",
            Self::Safe => "safe",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// Sorted by range, not overlapping.
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
    pub title: String,
    /// Text the fix was decided on besides what it edits: no other fix may
    /// change it in the same round (a merge of two RUNs reads both).
    pub reads: Vec<TextRange>,
}

impl Fix {
    pub fn new(
        title: impl Into<String>,
        applicability: Applicability,
        mut edits: Vec<Edit>,
    ) -> Self {
        edits.sort_by_key(|e| (e.range.start, e.range.end));
        Self {
            edits,
            applicability,
            title: title.into(),
            reads: Vec::new(),
        }
    }

    pub fn safe(title: impl Into<String>, edits: Vec<Edit>) -> Self {
        Self::new(title, Applicability::Safe, edits)
    }

    pub fn unsafe_(title: impl Into<String>, edits: Vec<Edit>) -> Self {
        Self::new(title, Applicability::Unsafe, edits)
    }

    /// Marks text the fix depends on, which other fixes must leave alone
    /// in the same round.
    #[must_use]
    pub fn reading(mut self, range: TextRange) -> Self {
        self.reads.push(range);
        self
    }

    /// The range covering every edit.
    pub fn range(&self) -> Option<TextRange> {
        let first = self.edits.first()?;
        Some(self.edits.iter().fold(first.range, |r, e| r.cover(e.range)))
    }
}

/// Applies sorted, non-overlapping edits. Inserted line breaks follow the
/// file's own line ending.
pub fn apply(source: &[u8], edits: &[&Edit], crlf: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(source.len() + 64);
    let mut at = 0usize;
    for e in edits {
        let r = e.range.as_usize();
        out.extend_from_slice(&source[at..r.start]);
        if crlf {
            let mut prev = 0u8;
            for &b in e.replacement.as_bytes() {
                if b == b'\n' && prev != b'\r' {
                    out.push(b'\r');
                }
                out.push(b);
                prev = b;
            }
        } else {
            out.extend_from_slice(e.replacement.as_bytes());
        }
        at = r.end;
    }
    out.extend_from_slice(&source[at..]);
    out
}

/// Whether most line endings of the file are CRLF.
pub fn uses_crlf(source: &[u8]) -> bool {
    #[allow(clippy::naive_bytecount)] // once per file; not worth a dependency
    let lf = source.iter().filter(|&&b| b == b'\n').count();
    let crlf = source.windows(2).filter(|w| w == b"\r\n").count();
    crlf * 2 > lf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_in_order_and_keeps_crlf() {
        let src = b"RUN a\r\nRUN b\r\n";
        let e1 = Edit::replace(TextRange::new(4, 5), "x\ny");
        let e2 = Edit::delete(TextRange::new(7, 14));
        assert_eq!(apply(src, &[&e1, &e2], true), b"RUN x\r\ny\r\n");
        assert_eq!(apply(src, &[&e1], false), b"RUN x\ny\r\nRUN b\r\n");
        assert!(uses_crlf(src));
        assert!(!uses_crlf(b"a\nb\r\n"));
    }

    #[test]
    fn applicability_orders_by_safety() {
        assert!(Applicability::Safe > Applicability::Unsafe);
        assert!(Applicability::Unsafe > Applicability::DisplayOnly);
    }
}
