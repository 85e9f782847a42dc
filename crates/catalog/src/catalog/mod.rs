//! X4 `.cat/.dat` catalogs.
//!
//! A `.cat` is UTF-8 text, one line per file: `<path> <size> <unix_mtime> <md5hex>`,
//! `\n` line ends. The `.dat` next to it holds the files' bytes concatenated in
//! `.cat` order, so an entry's offset is the sum of the sizes before it. Egosoft
//! writes an all-zero md5 for empty files; so do we.

mod extract;
mod list;
mod read;
mod write;

pub use extract::{extract, ExtractOptions, ExtractReport};
pub use list::{list, ListOptions, Listed};
pub use read::Catalog;
pub use write::{pack, pack_files, PackOptions, PackReport, SourceFile};

use md5::{Digest, Md5};
use std::io::{Read, Write};

/// One line of a `.cat`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// `/`-separated path, exactly as in the `.cat` (not yet checked for safety).
    pub path: String,
    /// Length in bytes.
    pub size: u64,
    /// Modification time, seconds since the Unix epoch.
    pub mtime: i64,
    /// md5 of the bytes; all zero for an empty file.
    pub md5: [u8; 16],
    /// Where the bytes start in the `.dat`.
    pub offset: u64,
    /// 1-based line number in the `.cat`, for error messages.
    pub line: usize,
}

impl Entry {
    /// The md5 as 32 lowercase hex digits, as written in a `.cat`.
    pub fn md5_hex(&self) -> String {
        hex(&self.md5)
    }
}

/// The md5 a catalog records for these bytes' digest and length: Egosoft's
/// tools write zeros for empty files instead of md5("").
pub(crate) fn catalog_md5(digest: [u8; 16], size: u64) -> [u8; 16] {
    if size == 0 {
        [0; 16]
    } else {
        digest
    }
}

pub(crate) fn hex(bytes: &[u8; 16]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(32);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

pub(crate) fn parse_hex(s: &str) -> Option<[u8; 16]> {
    if s.len() != 32 || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// Big enough that a 1 GiB tree is not syscall bound, small enough to keep
/// memory flat: catalogs are always streamed, never loaded whole.
pub(crate) const BUF_SIZE: usize = 1 << 20;

/// Copies exactly `len` bytes (or fewer if `from` ends early), hashing them on
/// the way if `hasher` is given. Returns how many bytes were copied.
pub(crate) fn copy_hashing(
    from: &mut impl Read,
    to: &mut impl Write,
    len: u64,
    mut hasher: Option<&mut Md5>,
    buf: &mut [u8],
    mut on_bytes: impl FnMut(u64),
) -> std::io::Result<u64> {
    let mut left = len;
    while left > 0 {
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = match from.read(&mut buf[..want]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if let Some(h) = hasher.as_deref_mut() {
            h.update(&buf[..n]);
        }
        to.write_all(&buf[..n])?;
        left -= n as u64;
        on_bytes(n as u64);
    }
    Ok(len - left)
}

pub(crate) fn finish_md5(hasher: Md5) -> [u8; 16] {
    hasher.finalize().into()
}
