//! Packing files into a `.cat/.dat` pair.
//!
//! Deterministic: entries are sorted by path (byte order), separators are `/`,
//! and with a fixed `mtime` (SOURCE_DATE_EPOCH) two runs over the same tree
//! give identical bytes. Without it, each entry carries its file's mtime.

use super::{catalog_md5, copy_hashing, finish_md5, hex, BUF_SIZE};
use crate::atomic;
use crate::error::{Error, Result};
use crate::filter::PathFilter;
pub use crate::walk::SourceFile;
use crate::walk::{self, WalkOptions};
use md5::{Digest, Md5};
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

#[derive(Debug, Clone, Default)]
pub struct PackOptions {
    /// `--glob` patterns over catalog paths (`!` excludes).
    pub globs: Vec<String>,
    /// Every entry's mtime (seconds since the epoch), for reproducible output;
    /// `None` takes each file's own mtime.
    pub mtime: Option<i64>,
    /// Show a progress bar on a terminal for large inputs.
    pub progress: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackReport {
    pub files: usize,
    pub bytes: u64,
}

/// Packs every file under `src_dir` into `cat_out` and the `.dat` beside it.
/// Symbolic links are an error (see [`crate::walk`]); hidden files are packed.
/// An old `cat_out`/`.dat` inside `src_dir` is not packed into the new one.
pub fn pack(src_dir: &Path, cat_out: &Path, opts: &PackOptions) -> Result<PackReport> {
    let filter = PathFilter::new(&opts.globs)?;
    let walk_opts = WalkOptions {
        ignore_file: false,
        skip_hidden: false,
        exclude: vec![cat_out.to_path_buf(), cat_out.with_extension("dat")],
    };
    let files = walk::files(src_dir, &filter, &walk_opts)?;
    pack_files(&files, cat_out, opts.mtime, opts.progress)
}

/// Packs `files` in the given order (callers sort; [`pack`] does) into
/// `cat_out` and its `.dat`. Both are written to temporary files first and
/// renamed into place at the end: `.dat` first, then `.cat`.
pub fn pack_files(
    files: &[SourceFile],
    cat_out: &Path,
    mtime: Option<i64>,
    progress: bool,
) -> Result<PackReport> {
    let dat_out = cat_out.with_extension("dat");
    let mut total = 0u64;
    for f in files {
        total += std::fs::metadata(&f.source)
            .map_err(Error::io(&f.source))?
            .len();
    }
    let bar = crate::progress::bytes(progress, total, "packing");

    let dat_tmp = atomic::temp_beside(&dat_out)?;
    let mut dat = BufWriter::with_capacity(BUF_SIZE, dat_tmp.as_file());
    let mut cat_text = String::new();
    let mut buf = vec![0u8; BUF_SIZE];
    let mut bytes = 0u64;
    for f in files {
        let mut file = File::open(&f.source).map_err(Error::io(&f.source))?;
        let meta = file.metadata().map_err(Error::io(&f.source))?;
        let size = meta.len();
        let mtime = match mtime {
            Some(t) => t,
            None => file_mtime(&meta).map_err(Error::io(&f.source))?,
        };
        let mut hasher = Md5::new();
        let copied = copy_hashing(
            &mut file,
            &mut dat,
            size,
            Some(&mut hasher),
            &mut buf,
            |n| bar.inc(n),
        )
        .map_err(|source| Error::Io {
            path: PathBuf::from(format!("{} -> {}", f.source.display(), dat_out.display())),
            source,
        })?;
        // A file that grew or shrank under us would desync every later offset.
        let grew = file.read(&mut buf[..1]).map_err(Error::io(&f.source))? > 0;
        if copied != size || grew {
            return Err(Error::ChangedWhilePacking {
                path: f.source.clone(),
                expected: size,
                actual: copied + u64::from(grew),
            });
        }
        let md5 = catalog_md5(finish_md5(hasher), size);
        cat_text.push_str(&format!("{} {size} {mtime} {}\n", f.path, hex(&md5)));
        bytes += size;
    }
    dat.flush().map_err(Error::io(dat_tmp.path()))?;
    drop(dat);
    bar.finish_and_clear();

    let cat_tmp = atomic::temp_beside(cat_out)?;
    cat_tmp
        .as_file()
        .write_all(cat_text.as_bytes())
        .map_err(Error::io(cat_tmp.path()))?;
    atomic::persist(dat_tmp, &dat_out)?;
    atomic::persist(cat_tmp, cat_out)?;
    Ok(PackReport {
        files: files.len(),
        bytes,
    })
}

fn file_mtime(meta: &std::fs::Metadata) -> std::io::Result<i64> {
    let t = meta.modified()?;
    Ok(match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    })
}
