//! JUnit XML, as CI systems (GitLab, Jenkins, test-report actions) read
//! test reports: a test suite per file, a failing test case per finding at
//! or above `--fail-on`, a passing one per finding below it (the finding in
//! its output), and an erroring one for a file that could not be processed.
//! A clean file is one passing test case. Columns count characters.

use std::io::{self, Write};

use quick_xml::events::BytesText;

use super::xml::{clean, writer};
use super::{diags, fix_status, report_path, Columns, Diag, Options, Positions};
use crate::commands::run::FileReport;

/// One test case: what it is, and how it ended.
struct Case {
    name: String,
    line: Option<u32>,
    outcome: Outcome,
}

enum Outcome {
    Passed(Option<String>),
    Failed {
        message: String,
        kind: String,
        text: String,
    },
    Errored {
        message: String,
        text: String,
    },
}

fn describe(path: &str, pos: &Positions<'_>, d: &Diag<'_>, opts: Options) -> (u32, String) {
    let s = pos.at(d.range.start, Columns::Chars);
    let status = match d.finding {
        Some(f) => fix_status(f, opts.unsafe_enabled),
        None => "BuildKit rejects this".into(),
    };
    let text = format!(
        "{path}:{}:{}: {} {}: {} [{status}]",
        s.line,
        s.col,
        d.severity.as_str(),
        d.id(),
        d.message
    );
    (s.line, text)
}

fn cases(r: &FileReport, opts: Options) -> Vec<Case> {
    let path = report_path(r);
    let mut cases = Vec::new();
    if let Some(e) = &r.error {
        let message = e.strip_prefix("error: ").unwrap_or(e).to_string();
        cases.push(Case {
            name: "file-error".into(),
            line: None,
            outcome: Outcome::Errored {
                text: format!("{path}: {e}"),
                message,
            },
        });
    }
    let pos = Positions::new(r.text());
    for d in diags(r) {
        let (line, text) = describe(&path, &pos, &d, opts);
        let outcome = if d.severity >= opts.fail_on {
            Outcome::Failed {
                message: d.message.to_string(),
                kind: d.code.to_string(),
                text,
            }
        } else {
            Outcome::Passed(Some(text))
        };
        cases.push(Case {
            name: format!("{} at line {line}", d.id()),
            line: Some(line),
            outcome,
        });
    }
    if cases.is_empty() {
        cases.push(Case {
            name: "dockopt".into(),
            line: None,
            outcome: Outcome::Passed(None),
        });
    }
    cases
}

fn counts(cases: &[Case]) -> (usize, usize, usize) {
    let failures = cases
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Failed { .. }))
        .count();
    let errors = cases
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Errored { .. }))
        .count();
    (cases.len(), failures, errors)
}

pub fn emit(out: &mut dyn Write, reports: &[FileReport], opts: Options) -> io::Result<()> {
    let suites: Vec<(String, Vec<Case>)> = reports
        .iter()
        .map(|r| (report_path(r), cases(r, opts)))
        .collect();
    let (mut tests, mut failures, mut errors) = (0, 0, 0);
    for (_, c) in &suites {
        let (t, f, e) = counts(c);
        tests += t;
        failures += f;
        errors += e;
    }
    let mut w = writer(out)?;
    w.create_element("testsuites")
        .with_attributes([
            ("name", "dockopt"),
            ("tests", &tests.to_string()),
            ("failures", &failures.to_string()),
            ("errors", &errors.to_string()),
        ])
        .write_inner_content(|w| {
            for (path, cases) in &suites {
                let path = clean(path);
                let (t, f, e) = counts(cases);
                w.create_element("testsuite")
                    .with_attributes([
                        ("name", path.as_str()),
                        ("tests", &t.to_string()),
                        ("failures", &f.to_string()),
                        ("errors", &e.to_string()),
                        ("skipped", "0"),
                    ])
                    .write_inner_content(|w| {
                        for c in cases {
                            let name = clean(&c.name);
                            let line = c.line.map(|l| l.to_string());
                            let mut el = w.create_element("testcase").with_attributes([
                                ("name", name.as_str()),
                                ("classname", path.as_str()),
                                ("file", path.as_str()),
                            ]);
                            if let Some(l) = &line {
                                el = el.with_attribute(("line", l.as_str()));
                            }
                            match &c.outcome {
                                Outcome::Passed(None) => {
                                    el.write_empty()?;
                                }
                                Outcome::Passed(Some(text)) => {
                                    el.write_inner_content(|w| {
                                        w.create_element("system-out")
                                            .write_text_content(BytesText::new(&clean(text)))?;
                                        Ok(())
                                    })?;
                                }
                                Outcome::Failed {
                                    message,
                                    kind,
                                    text,
                                } => {
                                    el.write_inner_content(|w| {
                                        w.create_element("failure")
                                            .with_attributes([
                                                ("message", clean(message).as_str()),
                                                ("type", kind.as_str()),
                                            ])
                                            .write_text_content(BytesText::new(&clean(text)))?;
                                        Ok(())
                                    })?;
                                }
                                Outcome::Errored { message, text } => {
                                    el.write_inner_content(|w| {
                                        w.create_element("error")
                                            .with_attributes([
                                                ("message", clean(message).as_str()),
                                                ("type", "file-error"),
                                            ])
                                            .write_text_content(BytesText::new(&clean(text)))?;
                                        Ok(())
                                    })?;
                                }
                            }
                        }
                        Ok(())
                    })?;
            }
            Ok(())
        })?;
    writeln!(w.into_inner())
}
