//! Writing a fixed file without ever leaving it half-written.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// Writes through a temporary file in the same directory, then renames it
/// over the original. Follows symlinks, keeps the file's permissions, and
/// refuses read-only files.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let target = fs::canonicalize(path)?;
    let meta = fs::metadata(&target)?;
    if meta.permissions().readonly() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            "file is read-only",
        ));
    }
    let dir = target.parent().unwrap_or_else(|| Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".dockopt-")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    fs::set_permissions(tmp.path(), meta.permissions())?;
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}
