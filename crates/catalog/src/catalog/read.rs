//! Parsing a `.cat` and streaming entries out of its `.dat`.

use super::{catalog_md5, copy_hashing, finish_md5, hex, parse_hex, Entry, BUF_SIZE};
use crate::error::{Error, Result};
use md5::{Digest, Md5};
use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

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
    pub fn open(cat_path: impl AsRef<Path>) -> Result<Catalog> {
        let cat_path = cat_path.as_ref().to_path_buf();
        let dat_path = cat_path.with_extension("dat");
        let cat = File::open(&cat_path).map_err(Error::io(&cat_path))?;
        let dat_len = std::fs::metadata(&dat_path)
            .map_err(Error::io(&dat_path))?
            .len();
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
        File::open(&self.dat_path).map_err(Error::io(&self.dat_path))
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

    /// Reads one entry into memory (for small files such as game schemas).
    pub fn read_entry(&self, entry: &Entry, verify: bool) -> Result<Vec<u8>> {
        let mut dat = self.open_dat()?;
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
        let n = reader.read_until(b'\n', &mut raw).map_err(Error::io(cat))?;
        if n == 0 {
            break;
        }
        line_no += 1;
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
                    "truncated line {line:?}: expected '<path> <size> <mtime> <md5>', found {} field(s)",
                    fields.iter().filter(|f| !f.is_empty()).count()
                ),
            ));
        }
        let (md5, mtime, size, path) = (fields[0], fields[1], fields[2], fields[3]);
        let size: u64 = parse_digits(size)
            .ok_or_else(|| parse_err(line_no, format!("size {size:?} is not a number")))?;
        let mtime: i64 = parse_mtime(mtime).ok_or_else(|| {
            parse_err(
                line_no,
                format!("modification time {mtime:?} is not a number"),
            )
        })?;
        let md5 = parse_hex(md5)
            .ok_or_else(|| parse_err(line_no, format!("md5 {md5:?} is not 32 hex digits")))?;
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
