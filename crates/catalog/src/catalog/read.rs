//! Parsing a `.cat` and streaming entries out of its `.dat`.

use super::{catalog_md5, copy_hashing, finish_md5, hex, parse_hex, Entry, BUF_SIZE};
use crate::error::{Error, Result};
use md5::{Digest, Md5};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use x4pipe_files::input::{self, Origin, MAX_READ_BYTES};

/// The longest `.cat` line read: a path (Windows allows 32767 UTF-16 units, so up to
/// ~96 KiB of UTF-8) plus three short fields. A longer line is refused before it is
/// read whole.
pub(crate) const MAX_LINE_BYTES: usize = 128 * 1024;

/// A parsed `.cat` and the length of its `.dat`.
///
/// Opening checks every line's shape and that every entry lies inside the
/// `.dat`, so later reads can only fail on I/O or (when asked to verify) md5.
#[derive(Debug, Clone)]
pub struct Catalog {
    cat_path: PathBuf,
    dat_path: PathBuf,
    dat_len: u64,
    entries: Vec<Entry>,
}

impl Catalog {
    /// Opens `x.cat` and checks it against `x.dat` (same folder, same stem).
    ///
    /// Both must be regular files (the pair counts as named by the user: links are
    /// followed); the `.cat` is refused above [`MAX_READ_BYTES`] before reading, and
    /// lines above 128 KiB are refused without being read whole.
    pub fn open(cat_path: impl AsRef<Path>) -> Result<Catalog> {
        let cat_path = cat_path.as_ref().to_path_buf();
        let dat_path = cat_path.with_extension("dat");
        let (cat, cat_meta) = input::open(&cat_path, Origin::Named)?;
        if cat_meta.len() > MAX_READ_BYTES {
            return Err(input::InputError::TooLarge {
                path: cat_path,
                size: cat_meta.len(),
                max: MAX_READ_BYTES,
            }
            .into());
        }
        let (_, dat_meta) = input::open(&dat_path, Origin::Named)?;
        let dat_len = dat_meta.len();
        let cat = cat.take(MAX_READ_BYTES);
        let entries = parse(&cat_path, &dat_path, dat_len, BufReader::new(cat))?;
        Ok(Catalog {
            cat_path,
            dat_path,
            dat_len,
            entries,
        })
    }

    pub fn cat_path(&self) -> &Path {
        &self.cat_path
    }

    pub fn dat_path(&self) -> &Path {
        &self.dat_path
    }

    /// Length of the `.dat` when the catalog was opened.
    pub fn dat_len(&self) -> u64 {
        self.dat_len
    }

    /// Entries in `.cat` order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The last entry with this exact path (a later line overrides an earlier one,
    /// as later catalogs override earlier ones).
    pub fn find(&self, path: &str) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.path == path)
    }

    /// Opens the `.dat` for [`Catalog::copy_entry`]; one handle serves many entries.
    pub fn open_dat(&self) -> Result<File> {
        Ok(input::open(&self.dat_path, Origin::Named)?.0)
    }

    /// Streams one entry's bytes into `to`. Always checks the size; checks the
    /// md5 when `verify` is set. On error, `to` may hold part of the entry:
    /// callers write into temporary files for that reason.
    pub fn copy_entry(
        &self,
        dat: &mut File,
        entry: &Entry,
        to: &mut impl Write,
        verify: bool,
        on_bytes: impl FnMut(u64),
    ) -> Result<()> {
        let mut buf = vec![0u8; BUF_SIZE.min(entry.size.max(1) as usize)];
        self.copy_entry_buf(dat, entry, to, verify, &mut buf, on_bytes)
    }

    pub(crate) fn copy_entry_buf(
        &self,
        dat: &mut File,
        entry: &Entry,
        to: &mut impl Write,
        verify: bool,
        buf: &mut [u8],
        on_bytes: impl FnMut(u64),
    ) -> Result<()> {
        dat.seek(SeekFrom::Start(entry.offset))
            .map_err(Error::io(&self.dat_path))?;
        let mut hasher = verify.then(Md5::new);
        let copied = copy_hashing(dat, to, entry.size, hasher.as_mut(), buf, on_bytes)
            // Read and write errors look alike here; name both files.
            .map_err(|source| Error::Io {
                path: PathBuf::from(format!(
                    "{} (entry {:?})",
                    self.dat_path.display(),
                    entry.path
                )),
                source,
            })?;
        if copied != entry.size {
            return Err(Error::PastEnd {
                cat: self.cat_path.clone(),
                dat: self.dat_path.clone(),
                line: entry.line,
                path: entry.path.clone(),
                offset: entry.offset,
                end: entry.offset + entry.size,
                dat_len: entry.offset + copied,
            });
        }
        if let Some(h) = hasher {
            let digest = finish_md5(h);
            self.check_md5(entry, digest)?;
        }
        Ok(())
    }

    fn check_md5(&self, entry: &Entry, digest: [u8; 16]) -> Result<()> {
        let actual = catalog_md5(digest, entry.size);
        // Some tools write md5("") for empty files instead of zeros; both are honest.
        if actual == entry.md5 || (entry.size == 0 && digest == entry.md5) {
            return Ok(());
        }
        Err(Error::Md5Mismatch {
            cat: self.cat_path.clone(),
            line: entry.line,
            path: entry.path.clone(),
            expected: hex(&entry.md5),
            actual: hex(&actual),
        })
    }

    /// Reads one entry into memory (for small files such as game schemas); entries
    /// above [`MAX_READ_BYTES`] are refused, whatever the `.dat` holds.
    pub fn read_entry(&self, entry: &Entry, verify: bool) -> Result<Vec<u8>> {
        if entry.size > MAX_READ_BYTES {
            return Err(Error::EntryTooLarge {
                cat: self.cat_path.clone(),
                line: entry.line,
                path: entry.path.clone(),
                size: entry.size,
                max: MAX_READ_BYTES,
            });
        }
        let mut dat = self.open_dat()?;
        // At most MAX_READ_BYTES, and checked against the .dat's length at open.
        let mut out = Vec::with_capacity(entry.size as usize);
        self.copy_entry(&mut dat, entry, &mut out, verify, |_| {})?;
        Ok(out)
    }

    /// Checks the md5 of one entry without keeping its bytes.
    pub fn verify_entry(&self, dat: &mut File, entry: &Entry, buf: &mut [u8]) -> Result<()> {
        self.copy_entry_buf(dat, entry, &mut std::io::sink(), true, buf, |_| {})
    }
}

/// Parses `.cat` text. Paths may contain spaces, so the last three
/// space-separated fields are split off and the rest is the path.
fn parse(cat: &Path, dat: &Path, dat_len: u64, mut reader: impl BufRead) -> Result<Vec<Entry>> {
    let mut entries = Vec::new();
    let mut offset: u64 = 0;
    let mut raw = Vec::new();
    let mut line_no = 0;
    let parse_err = |line: usize, message: String| Error::Parse {
        cat: cat.to_path_buf(),
        line,
        message,
    };
    loop {
        raw.clear();
        let n = (&mut reader)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut raw)
            .map_err(Error::io(cat))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        if raw.len() > MAX_LINE_BYTES && raw.last() != Some(&b'\n') {
            return Err(Error::LineTooLong {
                cat: cat.to_path_buf(),
                line: line_no,
                max: MAX_LINE_BYTES,
            });
        }
        if raw.last() == Some(&b'\n') {
            raw.pop();
        }
        // Tolerate CRLF: the md5 field is last, so a '\r' can only belong to it.
        if raw.last() == Some(&b'\r') {
            raw.pop();
        }
        if raw.is_empty() {
            continue;
        }
        let line = std::str::from_utf8(&raw)
            .map_err(|e| parse_err(line_no, format!("not valid UTF-8 ({e})")))?;
        let fields: Vec<&str> = line.rsplitn(4, ' ').collect();
        if fields.len() < 4 || fields[3].is_empty() {
            return Err(parse_err(
                line_no,
                format!(
                    "truncated line {:?}: expected '<path> <size> <mtime> <md5>', found {} field(s)",
                    shorten(line),
                    fields.iter().filter(|f| !f.is_empty()).count()
                ),
            ));
        }
        let (md5, mtime, size, path) = (fields[0], fields[1], fields[2], fields[3]);
        let size: u64 = parse_digits(size).ok_or_else(|| {
            parse_err(line_no, format!("size {:?} is not a number", shorten(size)))
        })?;
        let mtime: i64 = parse_mtime(mtime).ok_or_else(|| {
            parse_err(
                line_no,
                format!("modification time {:?} is not a number", shorten(mtime)),
            )
        })?;
        let md5 = parse_hex(md5).ok_or_else(|| {
            parse_err(
                line_no,
                format!("md5 {:?} is not 32 hex digits", shorten(md5)),
            )
        })?;
        let end = offset.checked_add(size).filter(|&end| end <= dat_len);
        let Some(end) = end else {
            return Err(Error::PastEnd {
                cat: cat.to_path_buf(),
                dat: dat.to_path_buf(),
                line: line_no,
                path: path.to_string(),
                offset,
                end: offset.saturating_add(size),
                dat_len,
            });
        };
        entries.push(Entry {
            path: path.to_string(),
            size,
            mtime,
            md5,
            offset,
            line: line_no,
        });
        offset = end;
    }
    Ok(entries)
}

/// At most 80 characters of `s`, for quoting a line in a message.
fn shorten(s: &str) -> String {
    match s.char_indices().nth(80) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

/// Plain decimal digits only: `str::parse` would also take `+5`.
fn parse_digits(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_mtime(s: &str) -> Option<i64> {
    match s.strip_prefix('-') {
        Some(rest) => parse_digits(rest)
            .and_then(|v| i64::try_from(v).ok())
            .map(|v| -v),
        None => parse_digits(s).and_then(|v| i64::try_from(v).ok()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str, dat_len: u64) -> Result<Vec<Entry>> {
        parse(
            Path::new("t.cat"),
            Path::new("t.dat"),
            dat_len,
            text.as_bytes(),
        )
    }

    #[test]
    fn paths_with_spaces_and_offsets() {
        let z = "0".repeat(32);
        let e = p(&format!("a b c.xml 3 100 {z}\nd 2 5 {z}\r\n\n"), 5).unwrap();
        assert_eq!(e[0].path, "a b c.xml");
        assert_eq!((e[0].offset, e[1].offset), (0, 3));
        assert_eq!(e[1].line, 2);
    }

    #[test]
    fn errors_name_file_and_line() {
        let z = "0".repeat(32);
        let err = p(&format!("ok 1 1 {z}\nbad x 1 {z}\n"), 10).unwrap_err();
        assert_eq!(err.to_string(), "t.cat:2: size \"x\" is not a number");
        let err = p(&format!("ok 1 1 {z}\nshort 1\n"), 10).unwrap_err();
        assert!(
            err.to_string().starts_with("t.cat:2: truncated line"),
            "{err}"
        );
        let err = p(&format!("big 11 1 {z}\n"), 10).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("t.cat:1: entry \"big\" needs bytes 0..11"),
            "{err}"
        );
        let err = p(&format!("x {} 1 {z}\n", u64::MAX), 10).unwrap_err();
        assert!(matches!(err, Error::PastEnd { .. }));
        let err = p("x 1 1 nothex\n", 10).unwrap_err();
        assert!(err.to_string().contains("not 32 hex digits"));
        let err = p(&format!("x +1 1 {z}\n"), 10).unwrap_err();
        assert!(err.to_string().contains("not a number"));
    }
}
