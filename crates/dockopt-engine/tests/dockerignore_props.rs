//! Property tests of `.dockerignore` semantics.

// Tests build pattern lists from owned strings; clones keep them readable.
#![allow(clippy::cloned_ref_to_slice_refs)]

use dockopt_engine::DockerIgnore;
use proptest::prelude::*;

fn segment() -> impl Strategy<Value = String> {
    "[a-c]{1,2}(\\.txt)?"
}

fn path() -> impl Strategy<Value = String> {
    prop::collection::vec(segment(), 1..4).prop_map(|s| s.join("/"))
}

fn glob() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            segment(),
            Just("*".to_string()),
            Just("**".to_string()),
            Just("?".to_string()),
            Just("*.txt".to_string())
        ],
        1..4,
    )
    .prop_map(|s| s.join("/"))
}

fn ignored(patterns: &[String], path: &str) -> bool {
    DockerIgnore::from_patterns(patterns)
        .unwrap()
        .is_ignored(path)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn a_literal_path_ignores_itself_and_everything_below(p in path(), child in segment()) {
        let below = format!("{p}/{child}");
        prop_assert!(ignored(&[p.clone()], &p));
        prop_assert!(ignored(&[p.clone()], &below));
    }

    #[test]
    fn an_exception_of_the_same_pattern_undoes_it(g in glob(), p in path()) {
        let undo = format!("!{g}");
        prop_assert!(!ignored(&[g.clone(), undo], &p));
    }

    #[test]
    fn the_last_match_wins(g in glob(), p in path()) {
        let once = ignored(&[g.clone()], &p);
        let undo = format!("!{g}");
        let again = ignored(&[g.clone(), undo.clone(), g.clone()], &p);
        let late = ignored(&[undo, g.clone()], &p);
        prop_assert_eq!(again, once);
        prop_assert_eq!(late, once);
    }

    #[test]
    fn leading_slash_and_dot_segments_are_cleaned(g in glob(), p in path()) {
        let plain = ignored(&[g.clone()], &p);
        let variants = [format!("/{g}"), format!("./{g}"), format!("zz/../{g}"), g.replace('/', "//")];
        for v in variants {
            let got = ignored(&[v], &p);
            prop_assert_eq!(got, plain);
        }
    }

    #[test]
    fn double_star_prefix_matches_at_any_depth(name in segment(), p in path()) {
        let deep = format!("{p}/{name}");
        let pattern = format!("**/{name}");
        prop_assert!(ignored(&[pattern.clone()], &deep));
        prop_assert!(ignored(&[pattern], &name));
    }

    #[test]
    fn a_single_star_never_crosses_a_slash(dir in "[a-c]{1,2}", a in "[a-c]{1,2}", b in "[a-c]{1,2}") {
        let pattern = format!("{dir}/*.txt");
        let direct = format!("{dir}/{a}.txt");
        let nested = format!("{dir}/{a}/{b}.txt");
        prop_assert!(ignored(&[pattern.clone()], &direct));
        prop_assert!(!ignored(&[pattern], &nested));
    }

    #[test]
    fn arbitrary_patterns_never_panic(lines in prop::collection::vec("[ -~]{0,12}", 0..6), p in path()) {
        if let Ok(di) = DockerIgnore::from_patterns(&lines) {
            let _ = di.is_ignored(&p);
        }
    }
}
