//! Extracting a catalog into a folder, safely and all-or-nothing.
//!
//! Decision: entries are first written into a staging folder
//! `<out>/.x4pipe-tmp-extract-XXXXXX` (same filesystem as the target; removed on
//! error and on Ctrl-C, see `x4pipe_files::temps`), sizes and,
//! on request, md5s are checked there, and only when every selected entry is
//! complete are the files renamed into place. Any error before that point
//! deletes the staging folder, so the target is unchanged. Before the first
//! rename the target is checked for conflicts (a file where a folder must go,
//! a symbolic link on the way), so the move phase only fails on a race or a
//! hardware error.

use super::{Catalog, Entry, BUF_SIZE};
use crate::error::{Error, Result};
use crate::filter::PathFilter;
use crate::progress::{or_none, ProgressSink};
use crate::safe_path;
use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone, Default)]
pub struct ExtractOptions {
    /// `--glob` patterns over catalog paths (`!` excludes); none = everything.
    pub globs: Vec<String>,
    /// Check every extracted entry's md5 (sizes are always checked).
    pub verify: bool,
    /// Told how far extracting is (`None`: nobody).
    pub progress: ProgressSink,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractReport {
    pub files: usize,
    pub bytes: u64,
}

/// Extracts the entries of `catalog` selected by `opts.globs` below `out_dir`
/// (created if missing). Existing files of the same names are replaced; other
/// files in `out_dir` are left alone. Each file gets the catalog's mtime.
///
/// Refuses the whole extraction, writing nothing, if any selected entry's path
/// could escape `out_dir` (see [`crate::safe_path`]).
pub fn extract(catalog: &Catalog, out_dir: &Path, opts: &ExtractOptions) -> Result<ExtractReport> {
    let filter = PathFilter::new(&opts.globs)?;
    // Last entry wins for duplicate paths, like later catalogs override earlier.
    let mut chosen: BTreeMap<&str, &Entry> = BTreeMap::new();
    for e in catalog.entries().iter().filter(|e| filter.matches(&e.path)) {
        safe_path::check(&e.path).map_err(|reason| Error::UnsafePath {
            cat: catalog.cat_path().to_path_buf(),
            line: e.line,
            path: e.path.clone(),
            reason,
        })?;
        chosen.insert(&e.path, e);
    }
    // Exact duplicates are overrides (above); names that differ only in case would
    // overwrite each other on Windows, so which one survives would depend on the OS.
    if let Some((a, b)) = safe_path::case_clash(chosen.keys().copied()) {
        let e = chosen[&b];
        return Err(Error::UnsafePath {
            cat: catalog.cat_path().to_path_buf(),
            line: e.line,
            path: e.path.clone(),
            reason: format!(
                "differs from `{a}` (line {}) only in case: the two would be one file on Windows; extract them into different folders with --glob",
                chosen[&a].line
            ),
        });
    }
    // Read the .dat front to back.
    let mut todo: Vec<&Entry> = chosen.values().copied().collect();
    todo.sort_by_key(|e| e.offset);
    let total: u64 = todo.iter().map(|e| e.size).sum();

    // Outputs never overwrite inputs: an entry named like the catalog itself.
    for e in &todo {
        let dest = out_dir.join(&e.path);
        for input in [catalog.cat_path(), catalog.dat_path()] {
            if x4pipe_files::atomic::overlaps(&dest, input) {
                return Err(Error::UnsafePath {
                    cat: catalog.cat_path().to_path_buf(),
                    line: e.line,
                    path: e.path.clone(),
                    reason: format!(
                        "would overwrite {}, which is being read; extract into another folder",
                        input.display()
                    ),
                });
            }
        }
    }

    let staging = x4pipe_files::StagingDir::new_in(out_dir, "extract")?;

    let progress = or_none(&opts.progress);
    progress.start("extracting", total);
    let mut dat = catalog.open_dat()?;
    let mut buf = vec![0u8; BUF_SIZE];
    for e in &todo {
        let staged = staging.path().join(&e.path);
        if let Some(parent) = staged.parent() {
            std::fs::create_dir_all(parent).map_err(|source| conflict(catalog, e, source))?;
        }
        let mut file = File::create(&staged).map_err(|source| conflict(catalog, e, source))?;
        catalog.copy_entry_buf(&mut dat, e, &mut file, opts.verify, &mut buf, |n| {
            progress.advance(n)
        })?;
        file.set_modified(to_system_time(e.mtime))
            .map_err(Error::io(&staged))?;
    }
    progress.finish();

    // Check the target before moving anything into it.
    for e in &todo {
        x4pipe_files::atomic::check_target(out_dir, &e.path).map_err(|err| match err {
            x4pipe_files::WriteError::Target { path, reason } => Error::Target {
                path,
                reason: format!("{reason} (extracting {:?})", e.path),
            },
            other => other.into(),
        })?;
    }
    for e in &todo {
        let dest = out_dir.join(&e.path);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(Error::io(parent))?;
        }
        std::fs::rename(staging.path().join(&e.path), &dest).map_err(Error::io(&dest))?;
    }
    drop(staging);
    Ok(ExtractReport {
        files: todo.len(),
        bytes: total,
    })
}

/// Two entries that cannot both exist (`a` as a file and `a/b`).
fn conflict(catalog: &Catalog, e: &Entry, source: std::io::Error) -> Error {
    Error::Io {
        path: PathBuf::from(format!(
            "{}:{}: entry {:?}",
            catalog.cat_path().display(),
            e.line,
            e.path
        )),
        source,
    }
}

fn to_system_time(mtime: i64) -> SystemTime {
    let d = Duration::from_secs(mtime.unsigned_abs());
    if mtime >= 0 {
        UNIX_EPOCH + d
    } else {
        UNIX_EPOCH - d
    }
}
