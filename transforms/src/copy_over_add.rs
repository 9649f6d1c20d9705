#![doc = include_str!("../docs/copy-over-add.md")]

use dockopt_engine::{BuildContext, Cx, Edit, Finding, Fix, Fixes, Gain, Rule, Transform};

use crate::util::same_case;

pub struct CopyOverAdd;

const CODE: &str = "DKR009";
const NAME: &str = "copy-over-add";

/// Flags both instructions take.
const SHARED_FLAGS: &[&str] = &["chown", "chmod", "link", "exclude", "parents"];

/// Whether `ADD` would unpack this file: tar, or tar compressed with gzip,
/// bzip2 or xz. Like the builder, this looks at content, not the name.
fn is_archive(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
        || bytes.starts_with(b"BZh")
        || bytes.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00])
        || bytes.get(257..262) == Some(b"ustar")
}

/// Extensions no archive format ADD unpacks would carry.
const PLAIN: &[&str] = &[
    "txt",
    "md",
    "py",
    "js",
    "mjs",
    "cjs",
    "ts",
    "json",
    "yml",
    "yaml",
    "toml",
    "ini",
    "cfg",
    "conf",
    "xml",
    "html",
    "css",
    "sh",
    "bash",
    "c",
    "h",
    "cc",
    "cpp",
    "go",
    "rs",
    "rb",
    "php",
    "java",
    "jar",
    "war",
    "sql",
    "key",
    "asc",
    "gpg",
    "pem",
    "crt",
    "properties",
    "lock",
    "env",
    "template",
    "csv",
    "png",
    "svg",
    "ico",
];

/// Whether a name says the file is not an archive.
fn plain_by_name(src: &str) -> bool {
    let name = src.rsplit('/').next().unwrap_or(src);
    name.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && PLAIN.contains(&ext.to_ascii_lowercase().as_str())
    })
}

/// Sources that the context cannot show, but whose names say they are plain.
enum Verdict {
    Checked,
    ByName,
}

fn check_source(ctx: Option<&BuildContext<'_>>, src: &str) -> Result<Verdict, String> {
    if src.contains("://") || src.starts_with("git@") {
        return Err(format!("{src} is remote"));
    }
    if src.contains(['$', '*', '?', '[']) {
        return Err(format!("{src} uses a variable or glob"));
    }
    match ctx {
        Some(ctx) if ctx.is_dir(src) || ctx.is_file(src) => {
            checked_source(ctx, src).map(|()| Verdict::Checked)
        }
        _ if plain_by_name(src) => Ok(Verdict::ByName),
        Some(_) => Err(format!("{src} is not in the build context")),
        None => Err("no build context to check the sources".into()),
    }
}

fn checked_source(ctx: &BuildContext<'_>, src: &str) -> Result<(), String> {
    if src.contains("://") || src.starts_with("git@") {
        return Err(format!("{src} is remote"));
    }
    if src.contains(['$', '*', '?', '[']) {
        return Err(format!("{src} uses a variable or glob"));
    }
    if ctx.is_dir(src) {
        return Ok(());
    }
    match ctx.read(src) {
        Some(bytes) if is_archive(&bytes) => Err(format!("ADD unpacks the archive {src}")),
        Some(_) => Ok(()),
        None => Err(format!("{src} cannot be read")),
    }
}

static RULE: Rule = Rule {
    code: CODE,
    name: NAME,
    summary: "Use COPY instead of ADD for plain local files",
    docs: include_str!("../docs/copy-over-add.md"),
    fixes: Fixes::Both,
    gain: Gain::Correctness,
};

impl Transform for CopyOverAdd {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for inst in cx.tree.instructions().filter(|i| i.is("add")) {
            let finding = Finding::new(
                CODE,
                NAME,
                "ADD for local files: COPY says what happens",
                inst.keyword_range(),
            );
            let values = inst.values();
            if values.len() < 2 || inst.heredocs().next().is_some() {
                continue;
            }
            if let Some(f) = inst
                .flags()
                .find(|f| !SHARED_FLAGS.contains(&f.name.as_str()))
            {
                out.push(
                    finding.refused(format!("left as ADD: --{} has no COPY equivalent", f.name)),
                );
                continue;
            }
            let sources = &values[..values.len() - 1];
            let verdicts: Result<Vec<Verdict>, String> = sources
                .iter()
                .map(|s| check_source(cx.context, s))
                .collect();
            let verdicts = match verdicts {
                Ok(v) => v,
                Err(why) => {
                    if !why.contains("remote") {
                        out.push(finding.refused(format!("left as ADD: {why}")));
                    }
                    continue;
                }
            };
            let edit = Edit::replace(inst.keyword_range(), same_case(inst.keyword(), "COPY"));
            if verdicts.iter().all(|v| matches!(v, Verdict::Checked)) {
                out.push(finding.with_fix(Fix::safe("Replace ADD with COPY", vec![edit])));
            } else {
                let title = "Replace ADD with COPY (sources not in the build context; judged by their names)";
                out.push(finding.with_fix(Fix::unsafe_(title, vec![edit])));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archives_by_content() {
        assert!(is_archive(&[0x1f, 0x8b, 8, 0]));
        assert!(is_archive(b"BZh91AY"));
        let mut tar = vec![0u8; 512];
        tar[257..262].copy_from_slice(b"ustar");
        assert!(is_archive(&tar));
        assert!(!is_archive(b"print('hi')\n"));
    }
}
