//! What the XML formats share.

use std::io::{self, Write};

use quick_xml::events::{BytesDecl, Event};
use quick_xml::Writer;

/// Text with the characters XML 1.0 cannot hold (most control characters)
/// replaced, so that the document always parses. Escaping is quick-xml's.
pub fn clean(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if c < ' ' || c == '\u{fffe}' || c == '\u{ffff}' => '\u{fffd}',
            c => c,
        })
        .collect()
}

/// A writer that indents by two spaces, after the XML declaration.
pub fn writer(out: &mut dyn Write) -> io::Result<Writer<&mut dyn Write>> {
    let mut w = Writer::new_with_indent(out, b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    Ok(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_replaced() {
        assert_eq!(clean("a\u{1}b\tc\n"), "a\u{fffd}b\tc\n");
    }
}
