//! Lists the files of a source tree for packing.
//!
//! x4pipe's input rule (`x4pipe_files::input`): symbolic links are never followed:
//! a link is an error, not a silent skip, because a release that quietly misses a
//! file (or ships a file from outside the tree) is worse than a build that stops
//! and says why. Leave links out with `.x4pipeignore` or a `!` glob if they are
//! meant to stay behind. Named pipes, sockets and devices are refused the same way.
//! Temporary files of an interrupted x4pipe run (`.x4pipe-tmp-*`) are skipped.

use crate::error::{Error, Result};
use crate::filter::PathFilter;
use crate::safe_path;
use std::path::{Component, Path, PathBuf};

/// A file to pack: its catalog path and where its bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// `/`-separated path inside the catalog.
    pub path: String,
    pub source: PathBuf,
}

/// The ignore file `package` reads (gitignore syntax), in any folder of the tree.
pub const IGNORE_FILE: &str = ".x4pipeignore";

#[derive(Debug, Clone, Default)]
pub(crate) struct WalkOptions {
    /// Honour `.x4pipeignore` files (and leave them out of the result).
    pub ignore_file: bool,
    /// Leave out files and folders whose name starts with '.'.
    pub skip_hidden: bool,
    /// Absolute paths never to include (for example the output being written).
    pub exclude: Vec<PathBuf>,
}

/// Every regular file under `root`, sorted by catalog path (byte order).
pub(crate) fn files(
    root: &Path,
    filter: &PathFilter,
    opts: &WalkOptions,
) -> Result<Vec<SourceFile>> {
    let meta = std::fs::metadata(root).map_err(Error::io(root))?;
    if !meta.is_dir() {
        return Err(Error::Unpackable {
            path: root.to_path_buf(),
            reason: "not a folder".into(),
        });
    }
    let exclude: Vec<PathBuf> = opts
        .exclude
        .iter()
        .filter_map(|p| canonical_maybe_missing(p))
        .collect();

    let mut builder = ignore::WalkBuilder::new(root);
    // No .gitignore, .ignore, global excludes or parent folders' rules: a built
    // extension is often git-ignored itself, and the result must depend on the
    // tree alone.
    builder
        .standard_filters(false)
        .hidden(opts.skip_hidden)
        .parents(false)
        .follow_links(false)
        // A killed run's leftovers (`.x4pipe-tmp-*` files and folders) are never packed.
        .filter_entry(|e| !x4pipe_files::temps::is_temp_name(e.file_name()));
    if opts.ignore_file {
        builder.add_custom_ignore_filename(IGNORE_FILE);
    }

    let mut out = Vec::new();
    for item in builder.build() {
        let item = item.map_err(|e| Error::Unpackable {
            path: root.to_path_buf(),
            reason: e.to_string(),
        })?;
        if item.depth() == 0 {
            continue;
        }
        let path = item.path();
        let Some(ft) = item.file_type() else { continue };
        if ft.is_dir() {
            continue;
        }
        let rel = catalog_path(root, path)?;
        if opts.ignore_file && path.file_name().is_some_and(|n| n == IGNORE_FILE) {
            continue;
        }
        if !filter.matches(&rel) {
            continue;
        }
        x4pipe_files::input::check_found(path, &ft)?;
        if !exclude.is_empty() {
            if let Ok(canon) = path.canonicalize() {
                if exclude.contains(&canon) {
                    continue;
                }
            }
        }
        out.push(SourceFile {
            path: rel,
            source: path.to_path_buf(),
        });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    if let Some((a, b)) = safe_path::case_clash(out.iter().map(|f| f.path.as_str())) {
        return Err(Error::Unpackable {
            path: root.join(b),
            reason: format!(
                "differs from `{a}` only in case: the two would be one file on Windows; rename one"
            ),
        });
    }
    Ok(out)
}

/// `root/a/b c.xml` -> `a/b c.xml`, refused if a catalog could not hold it.
fn catalog_path(root: &Path, path: &Path) -> Result<String> {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut parts = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(s) => parts.push(s.to_str().ok_or_else(|| Error::Unpackable {
                path: path.to_path_buf(),
                reason: "name is not valid UTF-8 (catalogs are UTF-8 text)".into(),
            })?),
            _ => {
                return Err(Error::Unpackable {
                    path: path.to_path_buf(),
                    reason: "unexpected path component".into(),
                })
            }
        }
    }
    let rel = parts.join("/");
    safe_path::check(&rel).map_err(|reason| Error::Unpackable {
        path: path.to_path_buf(),
        reason: format!("cannot be stored in a catalog: {reason}"),
    })?;
    Ok(rel)
}

/// Canonical form of a path that may not exist yet (its folder must).
pub(crate) fn canonical_maybe_missing(p: &Path) -> Option<PathBuf> {
    if let Ok(c) = p.canonicalize() {
        return Some(c);
    }
    let parent = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(parent.canonicalize().ok()?.join(p.file_name()?))
}
