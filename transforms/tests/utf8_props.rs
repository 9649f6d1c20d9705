//! The property behind byte-exact edits: on a file that is not UTF-8, the
//! fix pipeline makes the same edits at the same offsets as on the same
//! file with each bad byte replaced by an ASCII placeholder, and never
//! writes the placeholder.

mod common;

use proptest::prelude::*;

/// A word with bad bytes in it: Latin-1 letters, stray continuation bytes,
/// cut-off sequences, bytes that are never UTF-8.
fn bad_word() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(b"abcxyz019_.-".to_vec()).prop_map(|b| vec![b]),
            1 => (0x80u8..=0xff).prop_map(|b| vec![b]),
            1 => Just(b"\xe2\x82".to_vec()),
            1 => Just(b"\xf0\x9f\x98".to_vec()),
            1 => Just("\u{e9}".as_bytes().to_vec()),
        ],
        1..6,
    )
    .prop_map(|parts| parts.concat())
    .prop_filter("has a bad byte", |w| std::str::from_utf8(w).is_err())
}

/// Lines where a word can sit: shell arguments, package names, comments,
/// ENV values, COPY sources, JSON strings.
const LINES: &[&str] = &[
    "RUN echo {} && apk add curl",
    "RUN apk update && apk add {}",
    "RUN pip install flask {}",
    "RUN echo {} \\\n    && pip install --no-cache-dir requests",
    "RUN apt-get install {} && echo done",
    "RUN npm install {}",
    "RUN curl -fsSL -o {}.tgz https://example.com/a.tgz && tar -xzf {}.tgz",
    "RUN echo {}",
    "RUN mkdir -p /opt/{} && cd /opt/{} && make",
    "# note {}",
    "ENV A={} B=2",
    "COPY {} /srv/",
    "ADD {}.txt /srv/",
    "CMD [\"node\", \"{}\"]",
    "CMD node {}",
    "LABEL k={}",
    "WORKDIR /app/{}",
    "RUN gem install {}",
];

fn dockerfile(words_only: bool) -> impl Strategy<Value = Vec<u8>> {
    let lines = if words_only {
        // Not the lines whose fixes copy the word (merged comments, the
        // archive to remove, the directory for WORKDIR, the words of an
        // exec form), nor JSON strings, where Go tells the two apart.
        LINES
            .iter()
            .copied()
            .filter(|l| {
                !["#", "RUN curl", "RUN mkdir", "CMD"]
                    .iter()
                    .any(|p| l.starts_with(p))
            })
            .collect()
    } else {
        LINES.to_vec()
    };
    (
        prop::sample::select(vec![
            "alpine:3.20",
            "python:3.12",
            "node:20",
            "debian:bookworm",
        ]),
        prop::collection::vec((prop::sample::select(lines), bad_word()), 1..8),
        any::<bool>(),
    )
        .prop_map(|(base, lines, crlf)| {
            let eol: &[u8] = if crlf { b"\r\n" } else { b"\n" };
            let mut out = format!("FROM {base}").into_bytes();
            out.extend_from_slice(eol);
            for (line, word) in lines {
                for (i, part) in line.split("{}").enumerate() {
                    if i > 0 {
                        out.extend_from_slice(&word);
                    }
                    out.extend_from_slice(
                        part.replace('\n', std::str::from_utf8(eol).unwrap())
                            .as_bytes(),
                    );
                }
                out.extend_from_slice(eol);
            }
            out
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Bad bytes anywhere a word goes: every check holds.
    #[test]
    fn bad_bytes_in_words(src in dockerfile(false)) {
        let problems = common::check_all(&src, None);
        prop_assert!(problems.is_empty(), "{:?}\n{}", problems, String::from_utf8_lossy(&src));
    }

    /// Where no fix copies a bad byte, the comparison always applies: same
    /// edits, same offsets, outputs equal but for the bad bytes.
    #[test]
    fn same_edits_as_with_placeholders(src in dockerfile(true), unsafe_fixes in any::<bool>()) {
        let p = dockopt_syntax::parse(src.clone()).placeholder().expect("has bad bytes");
        let out = common::fix(&src, unsafe_fixes, None);
        let compared = common::same_as_placeholder(&src, p, &out, unsafe_fixes, None);
        prop_assert!(compared.is_ok(), "{:?}\n{}", compared, String::from_utf8_lossy(&src));
        prop_assert!(common::replay(&src, &out).is_ok());
    }

    /// Arbitrary bytes, no structure: still every check holds.
    #[test]
    fn arbitrary_bytes(src in prop::collection::vec(any::<u8>(), 0..300)) {
        let mut with_from = b"FROM alpine\nRUN ".to_vec();
        with_from.extend_from_slice(&src);
        let problems = common::check_all(&with_from, None);
        prop_assert!(problems.is_empty(), "{:?}", problems);
    }
}

/// The comparison is not vacuous: it applies to most generated files, and
/// their fixes change them.
#[test]
fn comparison_applies() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut applied, mut changed) = (0, 0);
    for _ in 0..200 {
        let src = dockerfile(true).new_tree(&mut runner).unwrap().current();
        let p = dockopt_syntax::parse(src.clone()).placeholder().unwrap();
        let out = common::fix(&src, true, None);
        if common::same_as_placeholder(&src, p, &out, true, None) == Ok(true) {
            applied += 1;
            if out.output != src {
                changed += 1;
            }
        }
    }
    eprintln!("compared {applied} of 200 files, {changed} of them changed");
    assert!(applied >= 180, "compared only {applied} of 200");
    assert!(changed >= 100, "only {changed} changed");
}
