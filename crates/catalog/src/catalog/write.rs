//! Packing files into a `.cat/.dat` pair.
//!
//! Deterministic: entries are sorted by path (byte order), separators are `/`,
//! and with a fixed `mtime` (SOURCE_DATE_EPOCH) two runs over the same tree
//! give identical bytes. Without it, each entry carries its file's mtime.

use super::{catalog_md5, copy_hashing, finish_md5, hex, BUF_SIZE};
use crate::error::{Error, Result};
use crate::filter::PathFilter;
use crate::progress::{or_none, Progress, ProgressSink};
pub use crate::walk::SourceFile;
use crate::walk::{self, WalkOptions};
use md5::{Digest, Md5};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;
use x4pipe_files::atomic::{self, AtomicFile};
use x4pipe_files::input::{self, Origin};

#[derive(Debug, Clone, Default)]
pub struct PackOptions {
    /// `--glob` patterns over catalog paths (`!` excludes).
    pub globs: Vec<String>,
    /// Every entry's mtime (seconds since the epoch), for reproducible output;
    /// `None` takes each file's own mtime.
    pub mtime: Option<i64>,
    /// Told how far packing is (`None`: nobody).
    pub progress: ProgressSink,
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
    check_cat_name(cat_out)?;
    let filter = PathFilter::new(&opts.globs)?;
    let walk_opts = WalkOptions {
        ignore_file: false,
        skip_hidden: false,
        exclude: vec![cat_out.to_path_buf(), cat_out.with_extension("dat")],
    };
    let files = walk::files(src_dir, &filter, &walk_opts)?;
    pack_files(&files, cat_out, opts.mtime, or_none(&opts.progress))
}

/// The `.cat` to write must be named `*.cat`: its `.dat` is the same name with
/// `.dat`, so `-o x.dat` would write the index over the data.
fn check_cat_name(cat_out: &Path) -> Result<()> {
    crate::error::require_extension(
        cat_out,
        "cat",
        "the catalog to write must end in .cat (its .dat is written beside it)",
    )
}

/// Packs `files` in the given order (callers sort; [`pack`] does) into
/// `cat_out` and its `.dat`. Both are written to temporary files first and
/// renamed into place together at the end (`x4pipe_files::atomic::commit_all`):
/// a failure leaves the old pair, or none, never half a pair.
pub fn pack_files(
    files: &[SourceFile],
    cat_out: &Path,
    mtime: Option<i64>,
    progress: &dyn Progress,
) -> Result<PackReport> {
    check_cat_name(cat_out)?;
    let dat_out = cat_out.with_extension("dat");
    // Nothing packed may be overwritten by the output (a source named x.dat).
    for f in files {
        for out in [cat_out, dat_out.as_path()] {
            if atomic::overlaps(out, &f.source) {
                return Err(Error::Output {
                    path: out.to_path_buf(),
                    reason: format!(
                        "would overwrite {}, which is being packed",
                        f.source.display()
                    ),
                });
            }
        }
    }
    let mut total = 0u64;
    for f in files {
        total += std::fs::metadata(&f.source)
            .map_err(Error::io(&f.source))?
            .len();
    }
    progress.start("packing", total);

    let dat_tmp = AtomicFile::create(&dat_out)?;
    let mut dat = BufWriter::with_capacity(BUF_SIZE, dat_tmp.as_file());
    let mut cat_text = String::new();
    let mut buf = vec![0u8; BUF_SIZE];
    let mut bytes = 0u64;
    for f in files {
        // The walk refused links and special files; the handle is checked again.
        let (mut file, meta) = input::open(&f.source, Origin::Found)?;
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
            |n| progress.advance(n),
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
    progress.finish();

    let cat_tmp = AtomicFile::create(cat_out)?;
    cat_tmp
        .as_file()
        .write_all(cat_text.as_bytes())
        .map_err(Error::io(cat_tmp.path()))?;
    atomic::commit_all(vec![dat_tmp, cat_tmp])?;
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
