//! Text and Markdown renderings of a report.

use crate::report::Report;

pub fn text(r: &Report) -> String {
    format!("{}: {}\n", r.dockerfile, r.verdict.as_str())
}

pub fn markdown(reports: &[Report]) -> String {
    reports.iter().map(text).collect()
}
