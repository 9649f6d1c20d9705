//! Reading the files dockopt is given: regular files and standard input
//! only, and never more than a bounded number of bytes.

use std::fmt;
use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::Path;

/// No Dockerfile, configuration, ignore file or manifest is larger.
pub const MAX_SIZE: u64 = 16 * 1024 * 1024;

#[derive(Debug)]
pub enum ReadError {
    Io(io::Error),
    /// A FIFO, device, socket or directory, with what it is.
    NotRegular(&'static str),
    TooLarge,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(e) => write!(f, "{e}"),
            Self::NotRegular(kind) => write!(f, "not a regular file ({kind})"),
            Self::TooLarge => write!(f, "larger than {} MiB", MAX_SIZE >> 20),
        }
    }
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        Self::Io(e)
    }
}

/// What a file is, when it is not a regular file.
fn kind(meta: &Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("a FIFO");
        }
        if t.is_socket() {
            return Some("a socket");
        }
        if t.is_char_device() {
            return Some("a character device");
        }
        if t.is_block_device() {
            return Some("a block device");
        }
    }
    Some("not a file")
}

fn regular(meta: &Metadata) -> Result<(), ReadError> {
    kind(meta).map_or(Ok(()), |k| Err(ReadError::NotRegular(k)))
}

/// Opens a regular file for reading. What the path names is checked before
/// opening (devices are never opened) and again on the open file (it may
/// have been swapped in between); the open never blocks, even on a FIFO.
pub fn open_regular(path: &Path) -> Result<(File, Metadata), ReadError> {
    regular(&std::fs::metadata(path)?)?;
    open_checked(path)
}

/// Opens without blocking, then refuses what is not a regular file.
fn open_checked(path: &Path) -> Result<(File, Metadata), ReadError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    regular(&meta)?;
    Ok((file, meta))
}

/// At most `limit` bytes; more is an error, found after reading `limit + 1`.
pub fn read_limited(reader: impl Read, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    reader.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge);
    }
    Ok(bytes)
}

/// A regular file's bytes, and its metadata as they were read.
pub fn read_regular(path: &Path, limit: u64) -> Result<(Vec<u8>, Metadata), ReadError> {
    let (file, meta) = open_regular(path)?;
    if meta.len() > limit {
        return Err(ReadError::TooLarge);
    }
    Ok((read_limited(file, limit)?, meta))
}

/// Standard input, up to `limit` bytes.
pub fn read_stdin(limit: u64) -> Result<Vec<u8>, ReadError> {
    read_limited(io::stdin().lock(), limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stops_after_the_limit() {
        let endless = io::repeat(b'x');
        assert!(matches!(
            read_limited(endless, 10),
            Err(ReadError::TooLarge)
        ));
        assert_eq!(read_limited(&b"0123456789"[..], 10).unwrap().len(), 10);
    }

    #[cfg(unix)]
    #[test]
    fn refuses_what_is_not_a_regular_file() {
        let d = tempfile::tempdir().unwrap();
        let e = read_regular(d.path(), MAX_SIZE).unwrap_err();
        assert_eq!(e.to_string(), "not a regular file (a directory)");
        let e = read_regular(Path::new("/dev/zero"), MAX_SIZE).unwrap_err();
        assert_eq!(e.to_string(), "not a regular file (a character device)");
        let sock = d.path().join("sock");
        let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
        let e = read_regular(&sock, MAX_SIZE).unwrap_err();
        assert_eq!(e.to_string(), "not a regular file (a socket)");
    }

    /// A FIFO swapped in after the first look is opened without waiting for
    /// a writer, and refused.
    #[cfg(unix)]
    #[test]
    fn opening_a_fifo_does_not_block() {
        let d = tempfile::tempdir().unwrap();
        let fifo = d.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            tx.send(open_checked(&fifo).map(|_| ()).map_err(|e| e.to_string()))
        });
        let got = rx.recv_timeout(std::time::Duration::from_secs(30));
        assert_eq!(
            got.expect("open blocked"),
            Err("not a regular file (a FIFO)".into())
        );
    }
}
