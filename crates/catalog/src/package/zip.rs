//! Reproducible zip writing: sorted entries, one fixed timestamp, fixed
//! permissions, deflate at a pinned level. Same inputs, same bytes.

use crate::catalog::BUF_SIZE;
use crate::progress::Progress;
use crate::{Error, Result};
use std::collections::BTreeMap;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// Files are `rw-r--r--`, folders `rwxr-xr-x`, whatever the source had: the
/// archive must not depend on the packager's umask. (Native libraries need no
/// execute bit: they are loaded, not executed.)
const FILE_MODE: u32 = 0o644;
const DIR_MODE: u32 = 0o755;
/// Pinned so a change of the zip crate's default cannot change our bytes.
const DEFLATE_LEVEL: i64 = 6;

/// Writes `files` (zip entry name -> source file) to `dest` atomically, with a
/// folder entry for every parent folder, all sorted by name in byte order.
pub(crate) fn write(
    files: &BTreeMap<String, PathBuf>,
    dest: &Path,
    time: zip::DateTime,
    progress: &dyn Progress,
) -> Result<()> {
    let mut names: BTreeMap<String, Option<&PathBuf>> = BTreeMap::new();
    for (name, source) in files {
        let mut end = 0;
        while let Some(i) = name[end..].find('/') {
            end += i + 1;
            names.insert(name[..end].to_string(), None);
        }
        names.insert(name.clone(), Some(source));
    }
    let total: u64 = files
        .values()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    progress.start("zipping", total);

    let tmp = x4pipe_files::AtomicFile::create(dest)?;
    let mut zip = ZipWriter::new(BufWriter::with_capacity(BUF_SIZE, tmp.as_file()));
    let base = SimpleFileOptions::default()
        .last_modified_time(time)
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(DEFLATE_LEVEL));
    let mut buf = vec![0u8; BUF_SIZE];
    for (name, source) in &names {
        match source {
            None => zip
                .add_directory(name.as_str(), base.unix_permissions(DIR_MODE))
                .map_err(zip_error(dest, || format!("adding folder {name}")))?,
            Some(source) => {
                // The walk refused links and special files; the handle is checked again.
                let (mut file, meta) =
                    x4pipe_files::input::open(source, x4pipe_files::Origin::Found)?;
                let size = meta.len();
                let opts = base
                    .unix_permissions(FILE_MODE)
                    .large_file(size >= u64::from(u32::MAX));
                zip.start_file(name.as_str(), opts)
                    .map_err(zip_error(dest, || format!("adding {name}")))?;
                let copied =
                    crate::catalog::copy_hashing(&mut file, &mut zip, size, None, &mut buf, |n| {
                        progress.advance(n)
                    })
                    .map_err(|e| Error::Archive {
                        what: format!("{} -> {}", source.display(), dest.display()),
                        source: e,
                    })?;
                if copied != size {
                    return Err(Error::ChangedWhileZipping {
                        path: source.to_path_buf(),
                    });
                }
            }
        }
    }
    let mut w = zip
        .finish()
        .map_err(zip_error(dest, || "finishing zip".into()))?;
    w.flush().map_err(|source| Error::Archive {
        what: tmp.path().display().to_string(),
        source,
    })?;
    drop(w);
    made_by_unix(&mut tmp.as_file()).map_err(|source| Error::Archive {
        what: format!("{}: setting the central directory", tmp.path().display()),
        source,
    })?;
    progress.finish();
    tmp.commit()?;
    Ok(())
}

/// The error of a zip-library step on the archive `dest` (the step's text is
/// only made when it failed).
fn zip_error<'a>(
    dest: &'a Path,
    step: impl FnOnce() -> String + 'a,
) -> impl FnOnce(zip::result::ZipError) -> Error + 'a {
    move |source| Error::Zip {
        archive: dest.to_path_buf(),
        step: step(),
        source,
    }
}

/// "Version made by" system of Unix (APPNOTE 4.4.2), the high byte of that field.
const MADE_BY_UNIX: u8 = 3;

/// Sets every central-directory record to what the zip crate writes on Unix: "made
/// by" Unix, and no MS-DOS attribute bits in the low 16 bits of the external
/// attributes (the Unix mode stays in the high 16).
///
/// Why: zip 7.2 marks entries written on Windows as "made by MS-DOS" and adds the
/// DOS folder bit, with no option to choose, so x4pipe.exe would write other bytes
/// than the Linux x4pipe from the same files. Our entries carry Unix modes on every
/// OS, so Unix is the truth for both. On Unix this changes no byte. Only the central
/// directory holds these fields; the local headers need no change.
fn made_by_unix<F: Read + Write + Seek>(f: &mut F) -> io::Result<()> {
    let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_string());
    let len = f.seek(SeekFrom::End(0))?;
    // The end-of-central-directory record is the last 22 bytes: we write no comment.
    let eocd_at = len
        .checked_sub(22)
        .ok_or_else(|| bad("too short for a zip"))?;
    let eocd = read_at(f, eocd_at, 22)?;
    if le32(&eocd, 0) != 0x0605_4b50 {
        return Err(bad("no end of central directory record at the end"));
    }
    let mut count = u64::from(le16(&eocd, 10));
    let mut size = u64::from(le32(&eocd, 12));
    let mut offset = u64::from(le32(&eocd, 16));
    if count == 0xffff || size == 0xffff_ffff || offset == 0xffff_ffff {
        // Zip64: the locator just before the record points to the zip64 record.
        let locator_at = eocd_at
            .checked_sub(20)
            .ok_or_else(|| bad("no zip64 locator"))?;
        let locator = read_at(f, locator_at, 20)?;
        if le32(&locator, 0) != 0x0706_4b50 {
            return Err(bad("no zip64 end of central directory locator"));
        }
        let record = read_at(f, le64(&locator, 8), 56)?;
        if le32(&record, 0) != 0x0606_4b50 {
            return Err(bad("no zip64 end of central directory record"));
        }
        (count, size, offset) = (le64(&record, 32), le64(&record, 40), le64(&record, 48));
    }
    let size = usize::try_from(size).map_err(|_| bad("central directory too large"))?;
    let mut cd = read_at(f, offset, size)?;
    let mut at = 0;
    for _ in 0..count {
        if cd.len() < at + 46 || le32(&cd, at) != 0x0201_4b50 {
            return Err(bad("central directory record expected"));
        }
        cd[at + 5] = MADE_BY_UNIX;
        cd[at + 38] = 0;
        cd[at + 39] = 0;
        at += 46
            + usize::from(le16(&cd, at + 28))
            + usize::from(le16(&cd, at + 30))
            + usize::from(le16(&cd, at + 32));
    }
    f.seek(SeekFrom::Start(offset))?;
    f.write_all(&cd)?;
    f.seek(SeekFrom::End(0))?;
    Ok(())
}

fn read_at<F: Read + Seek>(f: &mut F, at: u64, len: usize) -> io::Result<Vec<u8>> {
    let mut buf = vec![0; len];
    f.seek(SeekFrom::Start(at))?;
    f.read_exact(&mut buf)?;
    Ok(buf)
}

fn le16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn le64(b: &[u8], at: usize) -> u64 {
    u64::from(le32(b, at)) | u64::from(le32(b, at + 4)) << 32
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// A zip of `files` empty files and one folder, as this OS's zip crate writes it.
    fn archive(files: usize) -> Vec<u8> {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
        zip.add_directory("d/", opts.unix_permissions(DIR_MODE))
            .unwrap();
        for i in 0..files {
            zip.start_file(format!("d/{i}"), opts.unix_permissions(FILE_MODE))
                .unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    /// What zip 7.2 writes on Windows: "made by" MS-DOS (0) and the DOS folder bit.
    fn as_on_windows(zip: &[u8]) -> Vec<u8> {
        let mut out = zip.to_vec();
        let mut at = 0;
        while let Some(i) = out[at..].windows(4).position(|w| w == b"PK\x01\x02") {
            at += i;
            out[at + 5] = 0;
            if out[at + 46..].starts_with(b"d/") && out[at + 28] == 2 {
                out[at + 38] |= 0x10;
            }
            at += 46;
        }
        out
    }

    fn fixed(zip: &[u8]) -> Vec<u8> {
        let mut f = Cursor::new(zip.to_vec());
        made_by_unix(&mut f).unwrap();
        f.into_inner()
    }

    #[test]
    fn windows_records_become_the_unix_ones() {
        // 0xffff files and a folder need the zip64 end records.
        for files in [3, 0xffff] {
            let written = archive(files);
            let eocd_count = le16(&written, written.len() - 22 + 10);
            assert_eq!(eocd_count == 0xffff, files == 0xffff, "zip64 for {files}");
            if cfg!(unix) {
                // The crate writes Unix records on Unix: not a byte changes.
                assert!(fixed(&written) == written, "{files} files");
            }
            let unix = fixed(&written);
            let windows = as_on_windows(&unix);
            assert!(windows != unix, "the simulation changes bytes");
            assert!(fixed(&windows) == unix, "{files} files");
        }
    }

    #[test]
    fn not_a_zip_is_an_error() {
        assert!(made_by_unix(&mut Cursor::new(vec![0u8; 10])).is_err());
        assert!(made_by_unix(&mut Cursor::new(vec![0u8; 100])).is_err());
    }
}
