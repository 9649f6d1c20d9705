//! Text and Markdown renderings of a report.
