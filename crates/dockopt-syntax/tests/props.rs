//! Property tests: any input round-trips and never panics.

use dockopt_syntax::{parse, ItemKind};
use proptest::prelude::*;

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("FROM alpine AS base".to_string()),
        Just("RUN apt-get update && apt-get install -y curl".to_string()),
        Just("RUN [\"a\", \"b\"]".to_string()),
        Just("COPY --from=base --chown=1:1 /a /b".to_string()),
        Just("ENV A=1 B=\"two words\"".to_string()),
        Just("LABEL k v".to_string()),
        Just("ONBUILD RUN x".to_string()),
        Just("HEALTHCHECK --interval=5s CMD curl -f x".to_string()),
        Just("# a comment".to_string()),
        Just("# escape=`".to_string()),
        Just("# syntax=docker/dockerfile:1".to_string()),
        Just(String::new()),
        Just("RUN <<EOF\necho hi\nEOF".to_string()),
        Just("COPY <<a <<-b /d\nx\na\n\ty\n\tb".to_string()),
        Just("RUN <<EOF".to_string()),
        Just("BOGUS thing".to_string()),
        "[a-zA-Z]{1,8}( [ -~]{0,20}){0,3}",
    ]
}

fn dockerfile() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec(
            (fragment(), 0..4usize, prop_oneof![Just("\n"), Just("\r\n")]),
            0..12,
        ),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(lines, bom, trailing_escape)| {
            let mut s = String::new();
            if bom {
                s.push('\u{feff}');
            }
            for (frag, style, eol) in lines {
                match style {
                    // Split at the first blank with a continuation, maybe
                    // with a comment or blank line inside it.
                    1 | 2 => {
                        if let Some((a, b)) = frag.split_once(' ') {
                            s.push_str(a);
                            s.push_str(" \\");
                            s.push_str(eol);
                            if style == 2 {
                                s.push_str("  # inside");
                                s.push_str(eol);
                                s.push_str(eol);
                            }
                            s.push_str("    ");
                            s.push_str(b);
                        } else {
                            s.push_str(&frag);
                        }
                    }
                    3 => {
                        s.push('\t');
                        s.push_str(&frag);
                    }
                    _ => s.push_str(&frag),
                }
                s.push_str(eol);
            }
            if trailing_escape {
                s.push('\\');
            }
            s.into_bytes()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_round_trip(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let tree = parse(bytes.clone());
        prop_assert_eq!(tree.print(), bytes.clone());
        // The text view: same length, the same ASCII bytes, and only the
        // placeholder (a byte the file lacks) where the file is not UTF-8.
        let text = tree.source_str().as_bytes();
        prop_assert_eq!(text.len(), bytes.len());
        for (a, b) in text.iter().zip(&bytes) {
            if *b < 0x80 {
                prop_assert_eq!(a, b);
            } else if a != b {
                prop_assert_eq!(Some(char::from(*a)), tree.placeholder());
            }
        }
        // The index built with the tree answers as one built on its own.
        let index = dockopt_syntax::LineIndex::new(&bytes);
        for at in 0..=bytes.len() as u32 {
            prop_assert_eq!(tree.line_col(at), index.line_col(at));
        }
    }

    #[test]
    fn line_noise_round_trips(text in "[A-Za-z #=\\\\`\"'\\[\\]<>\t\r\n-]{0,300}") {
        let tree = parse(text.clone());
        prop_assert_eq!(tree.print(), text.as_bytes());
        for i in tree.instructions() {
            // Views never panic and map inside the file.
            let _ = i.values();
            let _ = i.flags().count();
            prop_assert!(i.args_range().end as usize <= text.len());
            prop_assert!(i.keyword_range().end as usize <= text.len());
        }
    }

    #[test]
    fn generated_dockerfiles_round_trip(bytes in dockerfile()) {
        let tree = parse(bytes.clone());
        prop_assert_eq!(tree.print(), bytes.clone());
        let mut at = 0;
        for item in tree.items() {
            prop_assert_eq!(item.range.start, at);
            at = item.range.end;
            if item.kind == ItemKind::Instruction {
                prop_assert!(item.instruction.is_some());
            }
        }
        prop_assert_eq!(at as usize, bytes.len());
        for e in tree.errors() {
            prop_assert!(e.range.end as usize <= bytes.len());
        }
    }
}
