//! Any bytes parse, print back byte for byte, and give views that stay
//! inside the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let tree = dockopt_syntax::parse(data.to_vec());
    assert_eq!(tree.print(), data, "the tree does not print back");
    let text = tree.source_str();
    assert_eq!(text.len(), data.len(), "the text view is not aligned");
    for (a, b) in text.bytes().zip(data) {
        assert!(a == *b || *b >= 0x80, "the text view changed an ASCII byte");
    }
    let len = data.len() as u32;
    let mut at = 0;
    for t in tree.tokens() {
        assert_eq!(t.range.start, at, "tokens do not tile the source");
        at = t.range.end;
    }
    assert_eq!(at, len);
    for e in tree.errors() {
        assert!(e.range.end <= len);
        let _ = tree.line_col(e.range.start);
    }
    for i in tree.instructions() {
        for r in [i.range(), i.keyword_range(), i.args_range()] {
            assert!(r.start <= r.end && r.end <= len, "{r:?} is outside the file");
            assert!(text.is_char_boundary(r.start as usize) && text.is_char_boundary(r.end as usize));
        }
        for f in i.flags() {
            assert!(f.range.end <= len);
        }
        for (_, span) in i.heredocs() {
            assert!(span.body.end <= len && span.terminator.end <= len);
        }
        let _ = (i.values(), i.line(), i.args());
    }
    let _ = tree.stages();
    let _ = dockopt_syntax::dump::dump(&tree);
});
