//! The text view of a file that is not valid UTF-8.
//!
//! Every `str` the tree hands out is a slice of one view of the source in
//! which each byte that is not part of valid UTF-8 is replaced by a single
//! placeholder byte. The view has the same length as the source, so every
//! offset into it is an offset into the file.
//!
//! The placeholder is an ASCII control character that BuildKit, the shell
//! and tree-sitter-bash all read as an ordinary word character, as they do
//! an invalid byte; it is chosen per file among those the file does not
//! contain, so that one in text derived from the view means "a byte that
//! cannot be written back". Callers refuse to write such text.

/// Word characters to BuildKit, POSIX shells and tree-sitter-bash (not
/// blanks, not line breaks, not NUL), in order of preference.
const CANDIDATES: [u8; 27] = [
    0x1a, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14,
    0x15, 0x16, 0x17, 0x18, 0x19, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x7f,
];

/// The text view of `source` and, when the source has invalid bytes, the
/// placeholder that stands for each of them.
pub(crate) fn text_view(source: &[u8]) -> (String, Option<char>) {
    if let Ok(s) = std::str::from_utf8(source) {
        (s.to_string(), None)
    } else {
        let p = choose(source);
        (replace_invalid(source, p), Some(char::from(p)))
    }
}

/// The first candidate the source does not contain. When it contains every
/// one, the first: text with it is then refused even where it was copied
/// from a real one, which is safe.
fn choose(source: &[u8]) -> u8 {
    let mut seen = [false; 128];
    for &b in source {
        if b < 0x80 {
            seen[b as usize] = true;
        }
    }
    CANDIDATES
        .iter()
        .copied()
        .find(|&c| !seen[c as usize])
        .unwrap_or(CANDIDATES[0])
}

/// `source` with each byte of each invalid sequence replaced by `p`.
pub fn replace_invalid(source: &[u8], p: u8) -> String {
    debug_assert!(p < 0x80);
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                break;
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                let bad = e.error_len().unwrap_or(after.len());
                for _ in 0..bad {
                    out.push(char::from(p));
                }
                rest = &after[bad..];
            }
        }
    }
    debug_assert_eq!(out.len(), source.len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_placeholder_per_invalid_byte() {
        let (text, p) = text_view(b"caf\xe9 \xf0\x9f\x98 ok \xc3\xa9\xff");
        let p = p.unwrap();
        assert_eq!(p, '\x1a');
        assert_eq!(text, format!("caf{p} {p}{p}{p} ok \u{e9}{p}"));
        let (text, p) = text_view("caf\u{e9}".as_bytes());
        assert_eq!((text.as_str(), p), ("caf\u{e9}", None));
    }

    #[test]
    fn placeholder_is_absent_from_the_file() {
        let (text, p) = text_view(b"\x1a\x01 \xff");
        assert_eq!(p, Some('\x02'));
        assert_eq!(text, "\x1a\x01 \x02");
        let all: Vec<u8> = CANDIDATES.iter().copied().chain([0xff]).collect();
        assert_eq!(text_view(&all).1, Some('\x1a'));
    }
}
