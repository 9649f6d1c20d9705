//! Writing files without ever leaving one half-written, and without losing
//! what the file was besides its bytes: owner, group, mode, extended
//! attributes, and the other names of a hard-linked file.

use std::fs::{self, File, Metadata};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::read;

/// Why a file was left as it was. The message says what to do about it.
#[derive(Debug)]
pub struct Refused(pub String);

impl From<io::Error> for Refused {
    fn from(e: io::Error) -> Self {
        Self(format!("cannot write: {e}"))
    }
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Replaces the file at `path` (following symlinks) with `new`, through a
/// temporary file in the same directory and a rename. `old` and `read_meta`
/// are what was read and the metadata of the file it was read from: if the
/// file no longer has those bytes, or is no longer that file, it is left
/// alone. Hard-linked files are refused, since a rename would leave the
/// other names with the old text.
pub fn replace(path: &Path, old: &[u8], read_meta: &Metadata, new: &[u8]) -> Result<(), Refused> {
    let target = fs::canonicalize(path)?;
    let (current, meta) =
        read::open_regular(&target).map_err(|e| Refused(format!("not written: {e}")))?;
    if meta.permissions().readonly() {
        return Err(Refused("cannot write: file is read-only".into()));
    }
    refuse_hard_links(&meta)?;
    // A user who may not write the file may not replace it either, even
    // where the directory would allow the rename.
    fs::OpenOptions::new().append(true).open(&target)?;
    let dir = target.parent().unwrap_or_else(|| Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".dockopt-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    // Through the file itself: errors without the temporary name in them.
    tmp.as_file_mut().write_all(new)?;
    keep_metadata(&current, &meta, tmp.as_file())?;
    tmp.as_file().sync_all()?;
    drop(current);
    inject_concurrent_edit(&target);
    unchanged(&target, old, read_meta)?;
    tmp.persist(&target).map_err(|e| Refused::from(e.error))?;
    sync_dir(dir);
    Ok(())
}

/// Creates a file that must not exist yet, through a temporary file and a
/// rename that never replaces: a failure leaves no file at all, rather than
/// an empty or partial one.
pub fn create_new(path: &Path, bytes: &[u8]) -> Result<(), Refused> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".dockopt-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The mode any new file gets (the umask applies), not 0600.
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(&dir)?;
    tmp.as_file_mut().write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist_noclobber(path).map_err(|e| {
        if e.error.kind() == io::ErrorKind::AlreadyExists {
            Refused("not written: the file appeared while dockopt ran".into())
        } else {
            Refused::from(e.error)
        }
    })?;
    sync_dir(&dir);
    Ok(())
}

#[cfg(unix)]
fn refuse_hard_links(meta: &Metadata) -> Result<(), Refused> {
    use std::os::unix::fs::MetadataExt;
    let links = meta.nlink();
    if links > 1 {
        return Err(Refused(format!(
            "not written: the file has {links} hard links, and replacing it would break \
             them (the other names would keep the old text)"
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_hard_links(_: &Metadata) -> Result<(), Refused> {
    Ok(())
}

/// Gives the temporary file the original's owner, group, mode and
/// extended attributes.
#[cfg(unix)]
fn keep_metadata(original: &File, meta: &Metadata, tmp: &File) -> Result<(), Refused> {
    use std::os::unix::fs::{fchown, MetadataExt};
    // Where the owner may not be set (another user's file, writable through
    // its group), the group usually still may.
    if fchown(tmp, Some(meta.uid()), Some(meta.gid())).is_err() {
        let _ = fchown(tmp, None, Some(meta.gid()));
    }
    // After the owner: chown clears set-id bits.
    tmp.set_permissions(meta.permissions())?;
    keep_xattrs(original, tmp)
}

#[cfg(not(unix))]
fn keep_metadata(_: &File, meta: &Metadata, tmp: &File) -> Result<(), Refused> {
    tmp.set_permissions(meta.permissions())?;
    Ok(())
}

/// Copies every extended attribute (ACLs included) and drops those the
/// temporary file got that the original does not have.
#[cfg(unix)]
fn keep_xattrs(original: &File, tmp: &File) -> Result<(), Refused> {
    use xattr::FileExt;
    let names: Vec<_> = match original.list_xattr() {
        Ok(names) => names.collect(),
        // No extended attributes on this file system.
        Err(_) => Vec::new(),
    };
    for name in &names {
        let Ok(Some(value)) = original.get_xattr(name) else {
            continue;
        };
        if tmp.get_xattr(name).ok().flatten().as_deref() == Some(&value[..]) {
            continue;
        }
        tmp.set_xattr(name, &value).map_err(|e| {
            Refused(format!(
                "not written: cannot keep the extended attribute {}: {e}",
                name.to_string_lossy()
            ))
        })?;
    }
    if let Ok(extra) = tmp.list_xattr() {
        for name in extra.filter(|n| !names.contains(n)) {
            // Inherited ones (a directory's default ACL) may be kept by force.
            let _ = tmp.remove_xattr(&name);
        }
    }
    Ok(())
}

/// The file at `target` is still the one that was read, with the same bytes.
fn unchanged(target: &Path, old: &[u8], read_meta: &Metadata) -> Result<(), Refused> {
    let changed = || Refused("not written: the file changed after dockopt read it".into());
    let (file, meta) = read::open_regular(target).map_err(|_| changed())?;
    if !same_file(&meta, read_meta) || meta.len() != old.len() as u64 {
        return Err(changed());
    }
    let now = read::read_limited(file, old.len() as u64).map_err(|_| changed())?;
    if now != old {
        return Err(changed());
    }
    Ok(())
}

#[cfg(unix)]
fn same_file(a: &Metadata, b: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

#[cfg(not(unix))]
fn same_file(_: &Metadata, _: &Metadata) -> bool {
    true
}

/// Makes the rename itself durable; a failure here loses nothing.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// For tests only: `DOCKOPT_INJECT_CONCURRENT_EDIT=NEEDLE` appends a line to
/// a file whose path contains NEEDLE at the last moment before it is
/// replaced, as another program editing it then would.
fn inject_concurrent_edit(target: &Path) {
    let Ok(needle) = std::env::var("DOCKOPT_INJECT_CONCURRENT_EDIT") else {
        return;
    };
    if target.to_string_lossy().contains(&needle) {
        if let Ok(mut f) = fs::OpenOptions::new().append(true).open(target) {
            let _ = f.write_all(b"# edited meanwhile\n");
        }
    }
}
