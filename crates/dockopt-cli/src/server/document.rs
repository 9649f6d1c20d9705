//! Open documents: their text as the editor has it, and where they live.

use std::path::{Path, PathBuf};

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use lsp_types::{TextDocumentContentChangeEvent, Uri};

use super::lines::{Encoding, LineIndex};

pub struct Document {
    pub text: String,
    pub version: i32,
    /// The file on disk, for `file:` URIs: configuration and the build
    /// context are found from it.
    pub path: Option<PathBuf>,
    /// Changed since its diagnostics were last published.
    pub dirty: bool,
}

impl Document {
    pub fn new(uri: &Uri, text: String, version: i32) -> Self {
        Self {
            text,
            version,
            path: file_path(uri),
            dirty: true,
        }
    }

    /// Applies changes in order; a change without a range replaces the text.
    pub fn apply(&mut self, changes: Vec<TextDocumentContentChangeEvent>, enc: Encoding) {
        for change in changes {
            match change.range {
                Some(range) => {
                    let ix = LineIndex::new(&self.text);
                    let start = ix.offset(range.start, enc) as usize;
                    let end = (ix.offset(range.end, enc) as usize).max(start);
                    self.text.replace_range(start..end, &change.text);
                }
                None => self.text = change.text,
            }
        }
        self.dirty = true;
    }
}

/// Whether the server looks at a document: the editor says it is a
/// Dockerfile, or its name says so.
pub fn is_dockerfile(language_id: &str, uri: &Uri) -> bool {
    let lang = language_id.to_ascii_lowercase();
    if lang == "dockerfile" || lang == "containerfile" {
        return true;
    }
    let path = uri.path().as_estr().decode().into_string_lossy();
    let name = path.rsplit('/').next().unwrap_or_default();
    crate::discover::is_dockerfile_name(name)
}

/// The local path of a `file:` URI with no host or `localhost`.
pub fn file_path(uri: &Uri) -> Option<PathBuf> {
    if !uri.scheme()?.as_str().eq_ignore_ascii_case("file") {
        return None;
    }
    if let Some(auth) = uri.authority() {
        let host = auth.host().as_str();
        if !host.is_empty() && !host.eq_ignore_ascii_case("localhost") {
            return None;
        }
    }
    let bytes = uri.path().as_estr().decode().into_bytes();
    native_path(&bytes)
}

#[cfg(unix)]
fn native_path(bytes: &[u8]) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    let p = Path::new(std::ffi::OsStr::from_bytes(bytes));
    p.is_absolute().then(|| p.to_path_buf())
}

#[cfg(not(unix))]
fn native_path(bytes: &[u8]) -> Option<PathBuf> {
    // `/C:/dir/Dockerfile` is `C:\dir\Dockerfile`.
    let s = std::str::from_utf8(bytes).ok()?;
    let s = s.strip_prefix('/').unwrap_or(s);
    let p = PathBuf::from(s.replace('/', "\\"));
    p.is_absolute().then_some(p)
}

/// Everything but unreserved characters, `/` and `:` is percent-encoded.
const PATH_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/')
    .remove(b':');

/// A `file:` URI for a local absolute path.
pub fn file_uri(path: &Path) -> Option<Uri> {
    let text = path.to_str()?.replace('\\', "/");
    let lead = if text.starts_with('/') { "" } else { "/" };
    format!("file://{lead}{}", utf8_percent_encode(&text, PATH_SET))
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(s: &str) -> Uri {
        s.parse().unwrap()
    }

    #[cfg(unix)]
    #[test]
    fn file_uris_round_trip() {
        let p = Path::new("/tmp/my project/Dockerfile.dév");
        let u = file_uri(p).unwrap();
        assert_eq!(u.as_str(), "file:///tmp/my%20project/Dockerfile.d%C3%A9v");
        assert_eq!(file_path(&u).as_deref(), Some(p));
        assert_eq!(
            file_path(&uri("file://localhost/srv/Dockerfile")).as_deref(),
            Some(Path::new("/srv/Dockerfile"))
        );
    }

    #[test]
    fn only_local_files_have_paths() {
        assert_eq!(file_path(&uri("untitled:Untitled-1")), None);
        assert_eq!(file_path(&uri("file://server/share/Dockerfile")), None);
    }

    #[test]
    fn knows_dockerfiles_by_language_or_name() {
        assert!(is_dockerfile("dockerfile", &uri("untitled:Untitled-1")));
        assert!(is_dockerfile(
            "plaintext",
            &uri("file:///w/app/Dockerfile.prod")
        ));
        assert!(!is_dockerfile("python", &uri("file:///w/app/main.py")));
    }

    #[test]
    fn applies_ranged_and_full_changes() {
        let u = uri("file:///w/Dockerfile");
        let mut d = Document::new(&u, "FROM a\nRUN 😀 x\n".into(), 1);
        let change = |range, text: &str| TextDocumentContentChangeEvent {
            range,
            range_length: None,
            text: text.into(),
        };
        let r = lsp_types::Range::new(
            lsp_types::Position::new(1, 7),
            lsp_types::Position::new(1, 8),
        );
        d.apply(vec![change(Some(r), "y")], Encoding::Utf16);
        assert_eq!(d.text, "FROM a\nRUN 😀 y\n");
        d.apply(vec![change(None, "FROM b\n")], Encoding::Utf16);
        assert_eq!(d.text, "FROM b\n");
    }
}
