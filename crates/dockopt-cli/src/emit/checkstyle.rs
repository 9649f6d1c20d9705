//! Checkstyle XML: a `file` element per file, an `error` element per
//! finding with its severity (`error`, `warning` or `info`), and source
//! `dockopt.CODE`. A file that could not be processed gets an `error` at
//! line 0 with source `dockopt.file-error`. Columns count characters.

use std::io::{self, Write};

use super::xml::{clean, writer};
use super::{diags, report_path, Columns, Positions};
use crate::commands::run::FileReport;

pub fn emit(out: &mut dyn Write, reports: &[FileReport]) -> io::Result<()> {
    let mut w = writer(out)?;
    w.create_element("checkstyle")
        .with_attribute(("version", "4.3"))
        .write_inner_content(|w| {
            for r in reports {
                let path = clean(&report_path(r));
                let pos = Positions::new(r.text());
                let mut errors: Vec<[String; 5]> = Vec::new();
                if let Some(e) = &r.error {
                    errors.push([
                        "0".into(),
                        String::new(),
                        "error".into(),
                        clean(e.strip_prefix("error: ").unwrap_or(e)),
                        "dockopt.file-error".into(),
                    ]);
                }
                for d in diags(r) {
                    let s = pos.at(d.range.start, Columns::Chars);
                    errors.push([
                        s.line.to_string(),
                        s.col.to_string(),
                        d.severity.as_str().into(),
                        clean(d.message),
                        format!("dockopt.{}", d.code),
                    ]);
                }
                let file = w
                    .create_element("file")
                    .with_attribute(("name", path.as_str()));
                if errors.is_empty() {
                    file.write_empty()?;
                    continue;
                }
                file.write_inner_content(|w| {
                    for [line, col, severity, message, source] in &errors {
                        let mut el = w
                            .create_element("error")
                            .with_attribute(("line", line.as_str()));
                        if !col.is_empty() {
                            el = el.with_attribute(("column", col.as_str()));
                        }
                        el.with_attributes([
                            ("severity", severity.as_str()),
                            ("message", message.as_str()),
                            ("source", source.as_str()),
                        ])
                        .write_empty()?;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        })?;
    writeln!(w.into_inner())
}
