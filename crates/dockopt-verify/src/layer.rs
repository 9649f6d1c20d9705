//! One layer: a tar stream (plain or gzip) read into entries, with the
//! content of every regular file hashed.

use std::io::{self, BufReader, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

/// What a layer says about one path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// The path is created or replaced.
    Put(Node),
    /// A hard link to a path of this or a lower layer.
    Link(String),
    /// `.wh.NAME`: the path and everything below it are gone.
    Whiteout,
    /// `.wh..wh..opq`: everything below the directory from lower layers is gone.
    Opaque,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Absolute, normalised: `/usr/bin/env`.
    pub path: String,
    pub op: Op,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    File {
        sha256: String,
        size: u64,
    },
    Dir,
    Symlink(String),
    /// Devices, FIFOs and the like: the tar type letter.
    Special(char),
}

/// A file as a layer leaves it. Modification times are left out on purpose:
/// they differ between any two builds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub kind: Kind,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
}

/// A parsed layer and its uncompressed size in bytes.
#[derive(Clone, Debug, Default)]
pub struct Layer {
    pub entries: Vec<Entry>,
    pub size: u64,
}

const WHITEOUT: &str = ".wh.";
const OPAQUE: &str = ".wh..wh..opq";

/// `./a/b/`, `a/b` and `/a/b` all become `/a/b`; the root is `/`.
pub fn normalize(path: &str) -> String {
    let parts: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    format!("/{}", parts.join("/"))
}

/// Counts the bytes that pass through, to know a layer's uncompressed size.
struct Counting<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// Reads a layer file, gzip-compressed or not (told apart by its first bytes).
pub fn read_file(path: &Path) -> io::Result<Layer> {
    let mut file = BufReader::with_capacity(1 << 20, std::fs::File::open(path)?);
    let head = {
        use std::io::BufRead;
        file.fill_buf()?.get(..4).map(<[u8]>::to_vec)
    };
    match head.as_deref() {
        Some([0x1f, 0x8b, ..]) => read(flate2::read::MultiGzDecoder::new(file)),
        Some([0x28, 0xb5, 0x2f, 0xfd]) => Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!(
                "{}: zstd layers are not supported; export uncompressed or gzip layers",
                path.display()
            ),
        )),
        _ => read(file),
    }
}

/// Reads an uncompressed tar stream.
pub fn read(stream: impl Read) -> io::Result<Layer> {
    let mut counting = Counting {
        inner: stream,
        count: 0,
    };
    let mut entries = Vec::new();
    {
        let mut archive = tar::Archive::new(&mut counting);
        for item in archive.entries()? {
            let mut item = item?;
            let raw = item.path()?.to_string_lossy().into_owned();
            let path = normalize(&raw);
            if path == "/" {
                continue;
            }
            let (dir, name) = path.rsplit_once('/').unwrap_or(("", &path));
            let dir = if dir.is_empty() { "/" } else { dir };
            if name == OPAQUE {
                entries.push(Entry {
                    path: dir.to_string(),
                    op: Op::Opaque,
                });
                continue;
            }
            if let Some(hidden) = name.strip_prefix(WHITEOUT) {
                entries.push(Entry {
                    path: if dir == "/" {
                        format!("/{hidden}")
                    } else {
                        format!("{dir}/{hidden}")
                    },
                    op: Op::Whiteout,
                });
                continue;
            }
            let header = item.header();
            let mode = header.mode()? & 0o7777;
            let uid = header.uid()?;
            let gid = header.gid()?;
            let ty = header.entry_type();
            let kind = if ty.is_file() || ty.is_contiguous() {
                let mut hasher = Sha256::new();
                let size = io::copy(&mut item, &mut hasher)?;
                Kind::File {
                    sha256: format!("{:x}", hasher.finalize()),
                    size,
                }
            } else if ty.is_dir() {
                Kind::Dir
            } else if ty.is_symlink() {
                let target = item
                    .link_name()?
                    .map(|t| t.to_string_lossy().into_owned())
                    .unwrap_or_default();
                Kind::Symlink(target)
            } else if ty.is_hard_link() {
                let target = item
                    .link_name()?
                    .map(|t| normalize(&t.to_string_lossy()))
                    .unwrap_or_default();
                entries.push(Entry {
                    path,
                    op: Op::Link(target),
                });
                continue;
            } else if ty.is_pax_global_extensions() || ty.is_pax_local_extensions() {
                continue;
            } else {
                Kind::Special(ty.as_byte() as char)
            };
            entries.push(Entry {
                path,
                op: Op::Put(Node {
                    kind,
                    mode,
                    uid,
                    gid,
                }),
            });
        }
    }
    // Trailing padding the tar reader stops before still belongs to the layer.
    io::copy(&mut counting, &mut io::sink())?;
    Ok(Layer {
        entries,
        size: counting.count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_paths() {
        assert_eq!(normalize("./usr/bin/"), "/usr/bin");
        assert_eq!(normalize("usr//bin"), "/usr/bin");
        assert_eq!(normalize("./"), "/");
    }
}
