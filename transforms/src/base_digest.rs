#![doc = include_str!("../docs/base-digest.md")]

use dockopt_engine::image::{self, Target};
use dockopt_engine::lock::Lock;
use dockopt_engine::{Cx, Edit, Finding, Fix, Fixes, Gain, Rule, Severity, Transform};

pub struct BaseDigest;

const CODE: &str = "DKR015";
const NAME: &str = "base-digest";

/// `sha256:0123456789ab…`, short enough for a message.
fn short(digest: &str) -> String {
    let (alg, hex) = digest.split_once(':').unwrap_or(("", digest));
    format!("{alg}:{}…", &hex[..hex.len().min(12)])
}

/// The lock the CLI read from `dockopt.lock` (handed in as the option
/// `lock`); `None` when there is none or it does not parse.
fn lock(cx: &Cx<'_>) -> Option<Lock> {
    let v = cx.options?.get("lock")?;
    serde_json::from_value(v.clone()).ok()
}

static RULE: Rule = Rule {
    code: CODE,
    name: NAME,
    summary: "Pin images by digest, as dockopt.lock records them (where a lock applies)",
    docs: include_str!("../docs/base-digest.md"),
    fixes: Fixes::Unsafe,
    gain: Gain::Correctness,
};

impl Transform for BaseDigest {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let lock = lock(cx);
        for site in image::sites(cx.tree) {
            let Target::Image(img) = &site.target else {
                continue;
            };
            let name = img.familiar();
            let locked = lock.as_ref().and_then(|l| l.get(img));
            let finding = |msg: String| Finding::new(CODE, NAME, msg, site.range);
            // A platform the pinned index has no image for fails the build.
            if let (Some(want), Some(list)) =
                (&site.platform, locked.and_then(|e| e.platforms.as_ref()))
            {
                let digest_matches = img
                    .digest
                    .as_ref()
                    .is_none_or(|d| locked.is_some_and(|e| e.digest == *d));
                if digest_matches && !list.iter().any(|p| image::platform_matches(want, p)) {
                    // The build cannot get an image for that platform.
                    out.push(
                        finding(format!(
                            "{name} has no {want} image: dockopt.lock lists {}",
                            list.join(", ")
                        ))
                        .with_severity(Severity::Error),
                    );
                }
            }
            match (&img.digest, locked) {
                (None, Some(e)) => {
                    let (range, text) = site.pin_edit(&e.digest);
                    out.push(
                        finding(format!(
                            "{name} is not pinned to a digest; dockopt.lock has {}",
                            short(&e.digest)
                        ))
                        .with_fix(Fix::unsafe_(
                            "Pin the digest recorded in dockopt.lock",
                            vec![Edit::replace(range, text)],
                        )),
                    );
                }
                (None, None) => out.push(finding(format!(
                    "{name} is not pinned to a digest: a rebuild may get a different image (run `dockopt pin`)"
                ))),
                (Some(d), Some(e)) if *d != e.digest => {
                    let (range, text) = site.pin_edit(&e.digest);
                    out.push(
                        finding(format!(
                            "{name} is pinned to {}, but dockopt.lock has {}",
                            short(d),
                            short(&e.digest)
                        ))
                        .with_fix(Fix::unsafe_(
                            "Pin the digest recorded in dockopt.lock",
                            vec![Edit::replace(range, text)],
                        )),
                    );
                }
                // Only a tag that `dockopt pin` would record is expected in
                // the lock; a digest alone names the image by itself.
                (Some(d), None) if lock.is_some() && img.tag.is_some() => {
                    out.push(finding(format!(
                        "{name}@{} is not recorded in dockopt.lock (run `dockopt pin`)",
                        short(d)
                    )));
                }
                _ => {}
            }
        }
    }
}
