//! Reproducible zip writing: sorted entries, one fixed timestamp, fixed
//! permissions, deflate at a pinned level. Same inputs, same bytes.

use crate::catalog::BUF_SIZE;
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
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
    progress: bool,
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
    let bar = crate::progress::bytes(progress, total, "zipping");

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
                .with_context(|| format!("{}: adding folder {name}", dest.display()))?,
            Some(source) => {
                // The walk refused links and special files; the handle is checked again.
                let (mut file, meta) =
                    x4pipe_files::input::open(source, x4pipe_files::Origin::Found)?;
                let size = meta.len();
                let opts = base
                    .unix_permissions(FILE_MODE)
                    .large_file(size >= u64::from(u32::MAX));
                zip.start_file(name.as_str(), opts)
                    .with_context(|| format!("{}: adding {name}", dest.display()))?;
                let copied =
                    crate::catalog::copy_hashing(&mut file, &mut zip, size, None, &mut buf, |n| {
                        bar.inc(n)
                    })
                    .with_context(|| format!("{} -> {}", source.display(), dest.display()))?;
                anyhow::ensure!(
                    copied == size,
                    "{}: size changed while packaging",
                    source.display()
                );
            }
        }
    }
    let mut w = zip
        .finish()
        .with_context(|| format!("{}: finishing zip", dest.display()))?;
    w.flush()
        .with_context(|| format!("{}", tmp.path().display()))?;
    drop(w);
    bar.finish_and_clear();
    tmp.commit()?;
    Ok(())
}
