//! Where BuildKit's readers differ from most, checked against what its
//! parser does (see `scripts/differential.py --edges`, which asks it).

use dockopt_syntax::parse;

fn errors(src: &[u8]) -> Vec<String> {
    parse(src.to_vec())
        .errors()
        .iter()
        .filter(|e| e.severity == dockopt_syntax::Severity::Error)
        .map(|e| e.message.clone())
        .collect()
}

fn with_line(head: &[u8], n: usize, tail: &[u8]) -> Vec<u8> {
    let mut s = b"FROM a\n".to_vec();
    s.extend_from_slice(head);
    s.extend(std::iter::repeat_n(b'x', n));
    s.extend_from_slice(tail);
    s
}

const TOO_LONG: &str = "dockerfile line greater than max allowed size of 65535";

#[test]
fn the_64_kib_scanner_applies_to_every_line() {
    // A line and its `\n` fit in 65,536 bytes; at end of file the scanner
    // still needs room for one more byte. `\r` counts.
    let ok = [
        with_line(b"RUN <<EOF\n", 65_535, b"\nEOF\n"),
        with_line(b"# ", 65_533, b"\n"),
        with_line(b"RUN ", 65_530, b"\r\n"),
        with_line(b"RUN ", 65_531, b""),
        with_line(b"RUN a\\\n", 65_535, b"\n"),
    ];
    for src in &ok {
        assert!(errors(src).is_empty(), "{:?}", errors(src));
    }
    let too_long = [
        with_line(b"RUN <<EOF\n", 65_536, b"\nEOF\n"),
        with_line(b"# ", 65_534, b"\n"),
        with_line(b"RUN ", 65_531, b"\r\n"),
        with_line(b"RUN ", 65_532, b""),
        with_line(b"RUN a\\\n", 65_536, b"\n"),
    ];
    for src in &too_long {
        assert_eq!(errors(src), [TOO_LONG]);
    }
}

#[test]
fn exec_form_ends_with_its_array() {
    let tree = parse("FROM a\nCMD [\"npm\",\"start\"] # note\nRUN [\"a\"] && b\n");
    let cmd: Vec<_> = tree.instructions().collect();
    assert!(cmd[1].is_json());
    assert_eq!(cmd[1].values(), ["npm", "start"]);
    assert!(cmd[2].is_json());
    assert_eq!(cmd[2].values(), ["a"]);
    assert_eq!(
        errors(b"FROM a\nCMD [1] x\n"),
        ["when using JSON array syntax, arrays must be comprised of strings only"]
    );
}

#[test]
fn onbuild_onbuild_is_read_one_level_deep_and_refused() {
    let tree = parse("FROM a\nONBUILD ONBUILD RUN x\n");
    let inst = tree.instructions().nth(1).unwrap();
    assert_eq!(inst.sub_command().unwrap().keyword, "ONBUILD");
    assert_eq!(inst.values(), [""]);
    assert!(tree.has_errors());
    let deep = format!("FROM a\n{}RUN x\n", "ONBUILD ".repeat(5_000));
    assert!(parse(deep).has_errors());
}

#[test]
fn the_text_view_keeps_offsets() {
    let src = b"FROM a\nRUN echo caf\xe9 \xf0\x9f && x\n# \xff\n".to_vec();
    let tree = parse(src.clone());
    let p = tree.placeholder().unwrap();
    assert_eq!(tree.source_str().len(), src.len());
    assert_eq!(tree.print(), src);
    let run = tree.instructions().nth(1).unwrap();
    assert_eq!(run.values(), [format!("echo caf{p} {p}{p} && x")]);
    let amp = run.values()[0].find("&&").unwrap() as u32;
    let at = run.source_range(dockopt_syntax::TextRange::new(
        run.command().args.start + amp,
        run.command().args.start + amp + 2,
    ));
    assert_eq!(tree.text(at), b"&&");
    assert!(parse("FROM a\n").placeholder().is_none());
}
