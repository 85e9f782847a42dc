//! Reading files straight out of an installed game's numbered catalogs.
//!
//! The base game reads `01.cat`, `02.cat`, ... up to the first missing number,
//! and a later catalog's entry overrides an earlier one of the same path. We do
//! the same, so `validate --game-dir` sees exactly the schemas the game uses.

use crate::catalog::{Catalog, Entry};
use crate::error::{Error, Result};
use crate::safe_path;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The game schemas `validate --game-dir` needs.
pub const GAME_SCHEMAS: &[&str] = &[
    "libraries/md.xsd",
    "libraries/common.xsd",
    "libraries/aiscripts.xsd",
    "ui/core/addon.xsd",
];

/// `01.cat`, `02.cat`, ... in `game_dir`, up to the first missing number.
pub fn game_catalogs(game_dir: &Path) -> Result<Vec<PathBuf>> {
    let cats = numbered_catalogs(game_dir, "");
    if cats.is_empty() {
        return Err(Error::NoGameCatalogs {
            dir: game_dir.to_path_buf(),
        });
    }
    Ok(cats)
}

/// `<prefix>01.cat`, `<prefix>02.cat`, ... in `dir`, up to the first missing
/// number (an extension's catalogs are `ext_01.cat`, ...).
pub fn numbered_catalogs(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut cats = Vec::new();
    for n in 1.. {
        let cat = dir.join(format!("{prefix}{n:02}.cat"));
        if !cat.is_file() {
            break;
        }
        cats.push(cat);
    }
    cats
}

/// Reads `wanted` paths (`/`-separated, e.g. `libraries/md.xsd`) from the game's
/// numbered catalogs; the highest-numbered catalog holding a path wins. Sizes
/// and md5s are checked. Lookups are exact first, then ASCII-case-insensitive
/// (the game runs on case-insensitive Windows filesystems). A `\` in a wanted
/// path is read as `/`. Fails naming every missing path and the catalogs searched.
pub fn read_game_files<S: AsRef<str>>(
    game_dir: &Path,
    wanted: &[S],
) -> Result<BTreeMap<String, Vec<u8>>> {
    let cats = game_catalogs(game_dir)?
        .into_iter()
        .map(Catalog::open)
        .collect::<Result<Vec<_>>>()?;
    let mut out = BTreeMap::new();
    let mut missing = Vec::new();
    for want in wanted {
        let key = want.as_ref().replace('\\', "/");
        match find_entry(&cats, &key) {
            Some((cat, entry)) => {
                out.insert(key, cat.read_entry(entry, true)?);
            }
            None => missing.push(key),
        }
    }
    if !missing.is_empty() {
        return Err(Error::MissingGameFiles {
            dir: game_dir.to_path_buf(),
            missing,
            searched: cats
                .iter()
                .map(|c| {
                    c.cat_path()
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default()
                })
                .collect(),
        });
    }
    Ok(out)
}

/// Like [`read_game_files`], then writes each file to `out_dir/<path>`
/// (atomically, each through a temporary file). Returns the written paths.
pub fn extract_game_files<S: AsRef<str>>(
    game_dir: &Path,
    wanted: &[S],
    out_dir: &Path,
) -> Result<Vec<PathBuf>> {
    let files = read_game_files(game_dir, wanted)?;
    let mut written = Vec::new();
    for (path, bytes) in files {
        safe_path::check(&path).map_err(|reason| Error::Target {
            path: PathBuf::from(&path),
            reason,
        })?;
        let dest = out_dir.join(&path);
        let tmp = x4pipe_files::AtomicFile::create(&dest)?;
        std::io::Write::write_all(&mut tmp.as_file(), &bytes).map_err(Error::io(tmp.path()))?;
        tmp.commit()?;
        written.push(dest);
    }
    Ok(written)
}

/// The entry of `key` in `cats` (numbered order): highest-numbered catalog first;
/// inside one catalog an exact match beats a case-insensitive one, but a later
/// catalog beats both in an earlier one.
pub fn find_entry<'a>(cats: &'a [Catalog], key: &str) -> Option<(&'a Catalog, &'a Entry)> {
    cats.iter().rev().find_map(|c| {
        c.find(key)
            .or_else(|| {
                c.entries()
                    .iter()
                    .rev()
                    .find(|e| e.path.eq_ignore_ascii_case(key))
            })
            .map(|e| (c, e))
    })
}
