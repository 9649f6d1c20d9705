//! Property tests of image references: parsing never panics, every site's
//! range holds what it says, and a pin edit leaves a file that parses with
//! the same sites, the pinned one now naming the digest.

use dockopt_engine::image::{sites, ImageRef, Target};
use proptest::prelude::*;

fn reference() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            Just(String::new()),
            Just("docker.io/".to_string()),
            Just("127.0.0.1:5000/".to_string()),
            Just("ghcr.io/acme/".to_string()),
        ],
        "[a-z][a-z0-9]{0,6}",
        prop_oneof![
            Just(String::new()),
            "[0-9a-z.]{1,6}".prop_map(|t| format!(":{t}"))
        ],
        prop_oneof![
            Just(String::new()),
            Just(format!("@sha256:{}", "e".repeat(64)))
        ],
    )
        .prop_map(|(d, n, t, g)| format!("{d}{n}{t}{g}"))
}

fn dockerfile() -> impl Strategy<Value = String> {
    (
        reference(),
        prop::collection::vec(
            (
                reference(),
                prop_oneof![
                    Just("FROM @R AS s@I\n"),
                    Just("FROM --platform=$BUILDPLATFORM \\\n  @R\n"),
                    Just("# FROM @R\nCOPY --from=@R /a /b\n"),
                    Just("RUN --mount=type=bind,from=@R,target=/x true\n"),
                    Just("FROM ${G}\n"),
                ],
            ),
            1..5,
        ),
    )
        .prop_map(|(global, parts)| {
            // A global ARG whose default is a whole FROM reference is pinned
            // where it is written.
            let mut out = format!("ARG G={global}\nFROM scratch AS s\n");
            for (i, (r, shape)) in parts.into_iter().enumerate() {
                out.push_str(&shape.replace("@R", &r).replace("@I", &i.to_string()));
            }
            out
        })
}

proptest! {
    #[test]
    fn parse_never_panics(s in "\\PC{0,40}") {
        let _ = ImageRef::parse(&s);
    }

    #[test]
    fn pinning_keeps_the_file_and_its_sites(src in dockerfile()) {
        let tree = dockopt_syntax::parse(src.clone());
        let found = sites(&tree);
        let digest = format!("sha256:{}", "f".repeat(64));
        for (i, s) in found.iter().enumerate() {
            prop_assert_eq!(tree.text(s.range), s.written.as_bytes());
            let Target::Image(img) = &s.target else { continue };
            let (range, text) = s.pin_edit(&digest);
            let mut out = src.as_bytes().to_vec();
            out.splice(range.as_usize(), text.bytes());
            let after = dockopt_syntax::parse(out);
            prop_assert_eq!(after.errors().len(), tree.errors().len());
            let again = sites(&after);
            prop_assert_eq!(again.len(), found.len());
            let Target::Image(pinned) = &again[i].target else {
                return Err(TestCaseError::fail(format!("{:?}", again[i])));
            };
            prop_assert_eq!(pinned.digest.as_deref(), Some(digest.as_str()));
            prop_assert_eq!(pinned.repository(), img.repository());
            prop_assert_eq!(pinned.tag_or_latest(), img.tag_or_latest());
        }
    }
}
