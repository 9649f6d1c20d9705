use std::path::Path;

use super::*;

/// BuildKit's shell tables, read from the shared corpus. Absent: skip with a
/// message, except under `CI=true`.
fn corpus_table(name: &str) -> Option<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/buildkit-parser/shell")
        .join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{} missing ({e}): CI needs the corpus",
                path.display()
            );
            eprintln!("skipping: {} missing ({e})", path.display());
            None
        }
    }
}

/// `envVarTest`: `platform|input|expected`, run as BuildKit's test does:
/// rows `A` and `U` on Linux, `A` and `W` on Windows (where variable names
/// fold case). `error` means any error.
#[test]
fn buildkit_env_var_table() {
    let Some(text) = corpus_table("envVarTest") else {
        return;
    };
    let env = [
        ("PWD", "/home"),
        ("SHELL", "bash"),
        ("KOREAN", "한국어"),
        ("NULL", ""),
    ];
    let linux = Lexer::new('\\');
    let windows = Lexer {
        fold_case: true,
        ..linux
    };
    let mut failures = Vec::new();
    let (mut rows, mut linux_runs, mut windows_runs) = (0, 0, 0);
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') {
            continue;
        }
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split('|').collect();
        assert_eq!(parts.len(), 3, "line {}: {line:?}", n + 1);
        let (platform, input, expected) = (parts[0].trim(), parts[1].trim(), parts[2].trim());
        assert!(
            matches!(platform, "A" | "U" | "W"),
            "line {}: bad platform",
            n + 1
        );
        rows += 1;
        for (lexer, runs_here, count) in [
            (&linux, platform != "W", &mut linux_runs),
            (&windows, platform != "U", &mut windows_runs),
        ] {
            if !runs_here {
                continue;
            }
            *count += 1;
            let got = lexer.process(input, env.as_slice());
            let ok = match (&got, expected) {
                (Err(_), "error") => true,
                (Ok(e), want) => want != "error" && e.value == want,
                (Err(_), _) => false,
            };
            if !ok {
                let os = if lexer.fold_case { "windows" } else { "linux" };
                failures.push(format!(
                    "line {} ({os}): {input:?} gave {got:?}, want {expected:?}",
                    n + 1
                ));
            }
        }
    }
    eprintln!(
        "envVarTest: {rows} rows, {linux_runs} run as on Linux, {windows_runs} as on Windows, {} failed",
        failures.len()
    );
    assert!(rows > 200, "table looks truncated: {rows} rows");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `wordsTest`: `input | word,word,...` with `ENV name=value` lines that
/// add to the environment, run through `ProcessWords`. BuildKit's test has a
/// second pass (raw quotes, unset variables kept) that reads an exhausted
/// file and so checks nothing; it is not repeated here.
#[test]
fn buildkit_words_table() {
    let Some(text) = corpus_table("wordsTest") else {
        return;
    };
    let mut env: Vec<(String, String)> = Vec::new();
    let mut failures = Vec::new();
    let mut rows = 0;
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix("ENV ") {
            let rest = rest.trim_start_matches(' ');
            let (k, v) = rest.split_once('=').unwrap_or((rest, ""));
            env.push((k.to_string(), v.to_string()));
            continue;
        }
        let parts: Vec<&str> = line.split('|').collect();
        assert_eq!(parts.len(), 2, "line {}: {line:?}", n + 1);
        let input = parts[0].trim();
        let expected: Vec<&str> = parts[1].trim_start_matches(' ').split(',').collect();
        rows += 1;
        let got = process_words(input, &env, '\\').unwrap_or_else(|_| vec!["error".into()]);
        if got != expected {
            failures.push(format!(
                "line {}: {input:?} gave {got:?}, want {expected:?}",
                n + 1
            ));
        }
    }
    eprintln!("wordsTest: {rows} rows, {} failed", failures.len());
    assert!(rows > 20, "table looks truncated: {rows} rows");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Values and the variables used, for every modifier (cases after
/// BuildKit's `TestProcessWithMatches`).
#[test]
fn modifiers_and_used_variables() {
    // (input, env, value, used-and-set, unset)
    type Case<'a> = (
        &'a str,
        &'a [(&'a str, &'a str)],
        &'a str,
        &'a [&'a str],
        &'a [&'a str],
    );
    let cases: &[Case] = &[
        ("x", &[("DUMMY", "d")], "x", &[], &[]),
        ("x ${UNUSED}", &[("DUMMY", "d")], "x ", &[], &["UNUSED"]),
        ("x ${FOO}", &[("FOO", "y")], "x y", &["FOO"], &[]),
        (
            "${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}",
            &[("FOO", "xxx"), ("BAR", "")],
            "xxx  ccc",
            &["FOO", "BAR"],
            &["BAZ"],
        ),
        (
            "${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}",
            &[("FOO", "xxx"), ("BAR", "")],
            "xxx bbb ccc",
            &["FOO", "BAR"],
            &["BAZ"],
        ),
        ("${FOO:-}", &[], "", &[], &["FOO"]),
        (
            "${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}",
            &[("FOO", "xxx"), ("BAR", "")],
            "aaa bbb ",
            &["FOO", "BAR"],
            &["BAZ"],
        ),
        (
            "${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}",
            &[("FOO", "xxx"), ("BAR", "")],
            "aaa  ",
            &["FOO", "BAR"],
            &["BAZ"],
        ),
        ("${FOO?aaa}", &[("FOO", "xxx")], "xxx", &["FOO"], &[]),
        ("${BAR?bbb}", &[("BAR", "")], "", &["BAR"], &[]),
        (
            "${FOO#()[]{\\}^$.\\*\\?|\\\\}",
            &[("FOO", "()[]{}^$.*?|\\x")],
            "x",
            &["FOO"],
            &[],
        ),
        ("${FOO%%\\**}", &[("FOO", "xx**")], "xx", &["FOO"], &[]),
        ("${FOO#*x*y}", &[("FOO", "xxyy")], "y", &["FOO"], &[]),
        ("${FOO#*}", &[("FOO", "xxyy")], "xxyy", &["FOO"], &[]),
        (
            "${FOO#$BAR}",
            &[("FOO", "xxyy"), ("BAR", "x")],
            "xyy",
            &["BAR", "FOO"],
            &[],
        ),
        ("${FOO#}", &[("FOO", "xxyy")], "xxyy", &["FOO"], &[]),
        ("${FOO##*x}", &[("FOO", "xxyy")], "yy", &["FOO"], &[]),
        ("${FOO#?\\?}", &[("FOO", "???y")], "?y", &["FOO"], &[]),
        (
            "${ABC:-.}${FOO%x}${ABC:-.}",
            &[("FOO", "xxyy")],
            ".xxyy.",
            &["FOO"],
            &["ABC"],
        ),
        ("${FOO%%\\**\\*}", &[("FOO", "a***yy*")], "a", &["FOO"], &[]),
        ("${FOO%}", &[("FOO", "xxyy")], "xxyy", &["FOO"], &[]),
        (
            "${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}",
            &[("FOO", "/foo*/*/*.txt"), ("NEEDLE", "\\*/")],
            "/foo.*/*.txt - /foo..*.txt",
            &["NEEDLE", "FOO"],
            &[],
        ),
        (
            "${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}",
            &[("FOO", "/tmp/tmp/bar.txt"), ("NEEDLE", "/tmp")],
            "/tmp/bar.txt - /bar.txt",
            &["NEEDLE", "FOO"],
            &[],
        ),
        (
            "${FOO/$N/$R} - ${FOO//$N/$R}",
            &[("FOO", "/a/foo/b/c.txt"), ("N", "/?/"), ("R", "/")],
            "/foo/b/c.txt - /foo/c.txt",
            &["N", "R", "FOO"],
            &[],
        ),
        (
            "${FOO/$N/$R}",
            &[
                ("FOO", "http://google.de"),
                ("N", "http://"),
                ("R", "https://"),
            ],
            "https://google.de",
            &["N", "R", "FOO"],
            &[],
        ),
        (
            "${FOO//\\//\\/}",
            &[("FOO", "/tmp/foo.txt")],
            "\\/tmp\\/foo.txt",
            &["FOO"],
            &[],
        ),
        (
            "${FOO/$BAR/ww}",
            &[("FOO", "xxyy"), ("BAR", "")],
            "wwxxyy",
            &["BAR", "FOO"],
            &[],
        ),
        ("${FOO///}", &[("FOO", "xxyy")], "xxyy", &["FOO"], &[]),
        ("${FOO///}", &[], "", &[], &["FOO"]),
        // Go's replacement template: `$0` is the match, `$$` a dollar.
        // An escaped `$` keeps its backslash in a replacement.
        (
            "${FOO//a/[\\$0]}",
            &[("FOO", "banana")],
            "b[\\a]n[\\a]n[\\a]",
            &["FOO"],
            &[],
        ),
        (
            "${FOO/a/[\\$0]}",
            &[("FOO", "banana")],
            "b[\\$0]nana",
            &["FOO"],
            &[],
        ),
    ];
    for (input, pairs, value, set, unset) in cases {
        let got =
            process_word(input, &env(pairs), '\\').unwrap_or_else(|e| panic!("{input:?}: {e}"));
        assert_eq!(got.value, *value, "{input:?}");
        let got_set: Vec<&str> = got
            .used
            .iter()
            .filter(|u| !got.unset.contains(u))
            .map(String::as_str)
            .collect();
        assert_eq!(got_set, *set, "{input:?} set");
        assert_eq!(got.unset, *unset, "{input:?} unset");
    }
}

#[test]
fn errors_carry_buildkit_messages() {
    let e = env(&[("FOO", "xxyy"), ("BAR", ""), ("VAR", "")]);
    let cases = [
        ("${BAZ?ccc}", "failed to process \"${BAZ?ccc}\": BAZ: ccc"),
        ("${BAR:?}", "failed to process \"${BAR:?}\": BAR: is not allowed to be empty"),
        ("${BAZ:?}", "failed to process \"${BAZ:?}\": BAZ: is not allowed to be unset"),
        ("${VAR:?message here$FOO}", "failed to process \"${VAR:?message here$FOO}\": VAR: message herexxyy"),
        ("${FOO=aaa}", "failed to process \"${FOO=aaa}\": unsupported modifier (=) in substitution"),
        ("${FOO//ww}", "failed to process \"${FOO//ww}\": syntax error: missing '/' in ${}"),
        ("${FOO//}", "failed to process \"${FOO//}\": syntax error: missing '/' in ${}"),
        ("${}", "failed to process \"${}\": syntax error: bad substitution"),
        ("${", "failed to process \"${\": syntax error: missing '}'"),
        ("${aaa:-bbb", "failed to process \"${aaa:-bbb\": syntax error: missing '}'"),
        ("he${PWD", "failed to process \"he${PWD\": unsupported modifier (\u{FFFD}) in substitution"),
        ("${#FOO}", "failed to process \"${#FOO}\": unsupported modifier (F) in substitution"),
        ("'abc", "failed to process \"'abc\": unexpected end of statement while looking for matching single-quote"),
        ("\"abc", "failed to process \"\\\"abc\": unexpected end of statement while looking for matching double-quote"),
        ("${FOO#\\x}", "failed to process \"${FOO#\\\\x}\": invalid pattern (\\x) in substitution: invalid escape '\\x'"),
    ];
    for (input, message) in cases {
        let err = process_word(input, &e, '\\').expect_err(input);
        assert_eq!(err.to_string(), message, "{input:?}");
    }
}

#[test]
fn backtick_escape() {
    let e = env(&[("X", "1")]);
    assert_eq!(process_word("a`$X", &e, '`').unwrap().value, "a$X");
    assert_eq!(process_word("c:\\dir", &e, '`').unwrap().value, "c:\\dir");
    assert_eq!(process_word("\"a`\"b\"", &e, '`').unwrap().value, "a\"b");
    assert_eq!(process_word("\"a\\\"b", &e, '`').unwrap().value, "a\\b");
}

#[test]
fn later_definitions_win_and_case_matters() {
    let e = env(&[("A", "1"), ("a", "lower"), ("A", "2")]);
    assert_eq!(process_word("$A-$a", &e, '\\').unwrap().value, "2-lower");
    let folded = Lexer {
        fold_case: true,
        ..Lexer::new('\\')
    };
    // The last definition whose name folds equal wins.
    assert_eq!(folded.process("$a", e.as_slice()).unwrap().value, "2");
}

#[test]
fn unicode_names_follow_go_classes() {
    let e = env(&[("변수", "v"), ("x", "1")]);
    assert_eq!(process_word("$변수/", &e, '\\').unwrap().value, "v/");
    // A combining mark is not a letter in Go: the name stops before it.
    assert_eq!(
        process_word("$x\u{0301}", &e, '\\').unwrap().value,
        "1\u{0301}"
    );
    // Arabic-Indic digits are Nd: `$١` is a positional parameter.
    assert_eq!(process_word("$١a", &e, '\\').unwrap().value, "a");
}

#[test]
fn raw_quotes_and_unset_kept_for_run_display() {
    // What BuildKit uses to print RUN lines: quotes kept, unset left as is.
    let lexer = Lexer {
        raw_quotes: true,
        skip_unset_env: true,
        ..Lexer::new('\\')
    };
    let e = env(&[("SET", "v")]);
    let got = lexer
        .process(
            "echo \"$SET\" '$x' ${NOPE:-d} $NOPE ${NOPE/a/b}",
            e.as_slice(),
        )
        .unwrap();
    assert_eq!(got.value, "echo \"v\" '$x' ${NOPE:-d} $NOPE ${NOPE/a/b}");
}

#[test]
fn heredoc_lexer_keeps_quotes() {
    let e = env(&[("NAME", "w")]);
    let got = Lexer::heredoc()
        .process("say 'hi' \"$NAME\"\n\\$NAME", e.as_slice())
        .unwrap();
    assert_eq!(got.value, "say 'hi' \"w\"\n$NAME");
}

#[test]
fn words_split_after_expansion() {
    let e = env(&[("PORTS", "80/tcp  443")]);
    assert_eq!(
        process_words("$PORTS 8080", &e, '\\').unwrap(),
        ["80/tcp", "443", "8080"]
    );
    assert_eq!(
        process_words("\"$PORTS\"", &e, '\\').unwrap(),
        ["80/tcp  443"]
    );
    assert!(process_words("\"\"", &e, '\\').unwrap().is_empty());
}

#[test]
fn go_quote_matches_go() {
    assert_eq!(go_quote("a\"b\\c\n\u{1}é"), "\"a\\\"b\\\\c\\n\\x01é\"");
}

proptest::proptest! {
    /// The shortcut for plain words gives what the scanner gives.
    #[test]
    fn plain_words_shortcut_matches_the_scanner(word in "[a-z /\\t.\\u{a0}\\u{3000}é-]{0,12}") {
        let e = env(&[]);
        let lexer = Lexer::new('\\');
        proptest::prop_assert_eq!(lexer.process(&word, e.as_slice()), lexer.scan(&word, e.as_slice()));
    }

    /// Any word gives a value or an error, never a panic.
    #[test]
    fn any_word_is_processed_without_panic(word in "[$a-c{}:?#%/+\\-'\" \\\\*`]{0,16}") {
        let e = env(&[("a", "x*y"), ("b", "")]);
        let _ = process_word(&word, &e, '\\');
        let _ = process_word(&word, &e, '`');
    }
}
