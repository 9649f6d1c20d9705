//! `dockopt.lock`: the digest each image tag resolved to, and when.
//!
//! `dockopt pin` writes it; `dockopt check` (rule `base-digest`) reads it
//! with no network. The format is JSON, version 1, entries sorted by
//! repository and tag so that diffs stay small:
//!
//! ```json
//! {
//!   "version": 1,
//!   "images": [
//!     {
//!       "repository": "docker.io/library/python",
//!       "tag": "3.12-slim",
//!       "digest": "sha256:…",
//!       "media-type": "application/vnd.oci.image.index.v1+json",
//!       "resolved": "2026-01-31T12:00:00Z",
//!       "platforms": ["linux/amd64", "linux/arm64/v8"]
//!     }
//!   ]
//! }
//! ```

use serde::{Deserialize, Serialize};

use crate::image::ImageRef;

/// The lock file's name; it is looked up from each Dockerfile's directory
/// upward.
pub const FILE_NAME: &str = "dockopt.lock";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    pub version: u32,
    #[serde(default)]
    pub images: Vec<Locked>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Locked {
    /// Normalized: `docker.io/library/python`.
    pub repository: String,
    pub tag: String,
    /// The digest of what the tag named: an image index when the image has
    /// several platforms, so that every platform keeps working.
    pub digest: String,
    /// The manifest's media type, as the registry gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// When the tag was resolved, RFC 3339 in UTC.
    pub resolved: String,
    /// For an image index: the platforms it has images for
    /// (`linux/arm64/v8`), so that a `FROM --platform` it lacks is reported
    /// with no network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platforms: Option<Vec<String>>,
}

impl Default for Lock {
    fn default() -> Self {
        Self {
            version: 1,
            images: Vec::new(),
        }
    }
}

impl Lock {
    pub fn parse(text: &str) -> Result<Self, String> {
        let lock: Self =
            serde_json::from_str(text).map_err(|e| format!("invalid lock file: {e}"))?;
        if lock.version != 1 {
            return Err(format!(
                "lock file version {} is not supported (this dockopt reads version 1)",
                lock.version
            ));
        }
        for e in &lock.images {
            let r = ImageRef::parse(&format!("{}:{}@{}", e.repository, e.tag, e.digest))
                .map_err(|err| format!("invalid lock entry {}:{}: {err}", e.repository, e.tag))?;
            if r.repository() != e.repository {
                return Err(format!(
                    "lock entry {} is not normalized (write {})",
                    e.repository,
                    r.repository()
                ));
            }
        }
        Ok(lock)
    }

    /// The entry for an image's repository and tag.
    pub fn get(&self, image: &ImageRef) -> Option<&Locked> {
        let repo = image.repository();
        let tag = image.tag_or_latest();
        self.images
            .iter()
            .find(|e| e.repository == repo && e.tag == tag)
    }

    /// Adds or replaces an entry.
    pub fn set(&mut self, entry: Locked) {
        match self
            .images
            .iter_mut()
            .find(|e| e.repository == entry.repository && e.tag == entry.tag)
        {
            Some(e) => *e = entry,
            None => self.images.push(entry),
        }
    }

    /// The file's text: sorted, two-space JSON, final newline.
    pub fn to_text(&self) -> String {
        let mut sorted = self.clone();
        sorted
            .images
            .sort_by(|a, b| (&a.repository, &a.tag).cmp(&(&b.repository, &b.tag)));
        let mut s = serde_json::to_string_pretty(&sorted).unwrap_or_default();
        s.push('\n');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_sorted_and_rejects_bad_entries() {
        let d = format!("sha256:{}", "c".repeat(64));
        let mut lock = Lock::default();
        for (repo, tag) in [
            ("docker.io/library/python", "3.12"),
            ("docker.io/library/node", "20"),
        ] {
            lock.set(Locked {
                repository: repo.into(),
                tag: tag.into(),
                digest: d.clone(),
                media_type: None,
                resolved: "2026-01-01T00:00:00Z".into(),
                platforms: None,
            });
        }
        let text = lock.to_text();
        assert!(text.find("node").unwrap() < text.find("python").unwrap());
        let back = Lock::parse(&text).unwrap();
        assert_eq!(back.images.len(), 2);
        let img = ImageRef::parse("python:3.12").unwrap();
        assert_eq!(back.get(&img).unwrap().digest, d);
        assert!(Lock::parse(&text.replace("docker.io/library/node", "node")).is_err());
        assert!(Lock::parse(&text.replace(&d, "sha256:12")).is_err());
        assert!(Lock::parse("{\"version\": 2}").is_err());
        assert!(Lock::parse("{\"version\": 1, \"extra\": 1}").is_err());
    }
}
