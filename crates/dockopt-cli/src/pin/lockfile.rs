//! Finding and reading `dockopt.lock` for `check` and `fix`: the nearest one
//! from each Dockerfile's directory upward, read once per directory and
//! handed to the `base-digest` rule as its `lock` option.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use dockopt_engine::config::Settings;
use dockopt_engine::lock::{Lock, FILE_NAME};

type Found = Option<Result<serde_json::Value, String>>;

fn cache() -> &'static Mutex<HashMap<PathBuf, Found>> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Found>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Reads and checks a lock file.
pub fn read(path: &Path) -> Result<Lock, String> {
    read_with_meta(path).map(|(lock, _, _)| lock)
}

/// Reads and checks a lock file, with the bytes and metadata a later write
/// checks against.
pub fn read_with_meta(path: &Path) -> Result<(Lock, Vec<u8>, std::fs::Metadata), String> {
    let (bytes, meta) = crate::read::read_regular(path, crate::read::MAX_SIZE)
        .map_err(|e| format!("{}: error: {e}", path.display()))?;
    let text = String::from_utf8(bytes.clone())
        .map_err(|_| format!("{}: error: the lock file is not UTF-8", path.display()))?;
    let lock = Lock::parse(&text).map_err(|e| format!("{}: error: {e}", path.display()))?;
    Ok((lock, bytes, meta))
}

/// The nearest `dockopt.lock` from `dir` upward.
pub fn find(dir: &Path) -> Option<PathBuf> {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    dir.ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

/// Adds the lock that applies to `file` (or to the current directory for
/// standard input) to the settings; without one, `base-digest` runs only
/// when selected by name. A lock that does not parse is an error for the
/// file, as a bad configuration is.
pub fn inject(settings: &mut Settings, file: Option<&Path>) -> Result<(), String> {
    let dir = file
        .and_then(Path::parent)
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let key = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let found = {
        let mut c = cache()
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        c.entry(key.clone())
            .or_insert_with(|| {
                find(&key).map(|p| {
                    read(&p).and_then(|l| serde_json::to_value(l).map_err(|e| e.to_string()))
                })
            })
            .clone()
    };
    match found {
        // Without a lock the rule runs only when asked for by name: most
        // images are not pinned, and `dockopt pin` is how they get to be.
        None => {
            if !dockopt_engine::select::names_explicitly(
                &settings.selection,
                "DKR015",
                "base-digest",
            ) {
                settings.selection.ignore.push("base-digest".into());
            }
            Ok(())
        }
        Some(Err(e)) => Err(e),
        Some(Ok(lock)) => {
            let entry = settings
                .options
                .entry("base-digest".to_string())
                .or_insert_with(|| serde_json::json!({}));
            if let Some(obj) = entry.as_object_mut() {
                obj.insert("lock".into(), lock);
            }
            Ok(())
        }
    }
}
