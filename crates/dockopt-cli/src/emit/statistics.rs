//! `--statistics`: how many findings each rule has (for `fix`, how many
//! remain), most first, and how many of them `dockopt fix` would fix.

use std::io::{self, Write};

use dockopt_engine::Applicability;
use serde_json::json;

use super::diags;
use crate::commands::run::FileReport;

struct Row {
    code: String,
    name: String,
    count: usize,
    fixable: usize,
}

fn rows(reports: &[FileReport], unsafe_enabled: bool) -> Vec<Row> {
    let min = if unsafe_enabled {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    let mut rows: Vec<Row> = Vec::new();
    let mut add = |code: &str, name: &str, fixable: bool| {
        let i = rows.iter().position(|r| r.code == code).unwrap_or_else(|| {
            rows.push(Row {
                code: code.into(),
                name: name.into(),
                count: 0,
                fixable: 0,
            });
            rows.len() - 1
        });
        rows[i].count += 1;
        rows[i].fixable += usize::from(fixable);
    };
    for r in reports {
        if r.error.is_some() {
            add("file-error", "file-error", false);
        }
        for d in diags(r) {
            let fixable = d.finding.is_some_and(|f| {
                f.not_applied.is_none() && f.fix.as_ref().is_some_and(|x| x.applicability >= min)
            });
            add(d.code, d.name, fixable);
        }
    }
    rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
    rows
}

pub fn text(out: &mut dyn Write, reports: &[FileReport], unsafe_enabled: bool) -> io::Result<()> {
    for r in rows(reports, unsafe_enabled) {
        let id = if r.code == r.name {
            r.code.clone()
        } else {
            format!("{} {}", r.code, r.name)
        };
        let fixable = if r.fixable > 0 {
            format!("  ({} fixable)", r.fixable)
        } else {
            String::new()
        };
        writeln!(out, "{:>5}  {id}{fixable}", r.count)?;
    }
    Ok(())
}

pub fn json(out: &mut dyn Write, reports: &[FileReport], unsafe_enabled: bool) -> io::Result<()> {
    let v: Vec<_> = rows(reports, unsafe_enabled)
        .into_iter()
        .map(|r| json!({"code": r.code, "name": r.name, "count": r.count, "fixable": r.fixable}))
        .collect();
    writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&v).unwrap_or_default()
    )
}
