//! Finding the game file a patch changes, and the patches loaded before it.
//!
//! A patch changes the game file of the same path relative to its extension's
//! folder (`extensions/my_mod/md/x.xml` patches `md/x.xml`). The game files come
//! from a folder of extracted files ([`DirLookup`]) or, in the binary, straight
//! from the game's catalogs; either way the DLC and other extensions installed
//! there patch the file first, in load order.

use std::path::{Path, PathBuf};

use super::Source;

/// A game file and the patches of installed extensions that the game applies to
/// it before the patch under test.
#[derive(Debug, Clone)]
pub struct Found {
    pub base: Source,
    pub chain: Vec<Source>,
}

/// Where game files come from.
pub trait BaseLookup {
    /// The game file at `virtual_path` (`md/x.xml`, `/`-separated, matched without
    /// regard to ASCII case as on Windows), `Ok(None)` when there is none. `Err`
    /// is a read failure, with the file named.
    fn find(&self, virtual_path: &str) -> Result<Option<Found>, String>;
}

/// Game files extracted into a folder: `DIR/md/x.xml`, with the installed
/// extensions (DLC) in `DIR/extensions/<id>/` whose `<diff>` files of the same
/// path are applied first, dependencies before dependants.
#[derive(Debug, Clone)]
pub struct DirLookup {
    root: PathBuf,
    /// Extension folders in load order.
    extensions: Vec<PathBuf>,
}

impl DirLookup {
    /// `Err` names a `content.xml` that cannot be read.
    pub fn new(root: impl Into<PathBuf>) -> Result<DirLookup, String> {
        let root = root.into();
        let ext_dir = root.join("extensions");
        let mut dirs: Vec<PathBuf> = match std::fs::read_dir(&ext_dir) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect(),
            Err(_) => Vec::new(),
        };
        dirs.sort();
        let extensions = super::conflicts::load_order(&dirs)?
            .into_iter()
            .map(|e| e.dir)
            .collect();
        Ok(DirLookup { root, extensions })
    }
}

impl BaseLookup for DirLookup {
    fn find(&self, virtual_path: &str) -> Result<Option<Found>, String> {
        let Some(path) = find_case_insensitive(&self.root, virtual_path) else {
            return Ok(None);
        };
        let base = read_source(&path)?;
        let mut chain = Vec::new();
        for ext in &self.extensions {
            if let Some(p) = find_case_insensitive(ext, virtual_path) {
                let s = read_source(&p)?;
                if super::is_diff(s.text.as_bytes()) {
                    chain.push(s);
                }
            }
        }
        Ok(Some(Found { base, chain }))
    }
}

/// A text file as a [`Source`] named by its path (a leading BOM dropped).
pub fn read_source(path: &Path) -> Result<Source, String> {
    let shown = path.display().to_string();
    // x4pipe's input rule: found inside the --base folder, so a link is refused.
    let bytes = x4pipe_files::input::read(
        path,
        x4pipe_files::Origin::Found,
        crate::MAX_FILE_BYTES as u64,
    )
    .map_err(|e| match e {
        x4pipe_files::InputError::Io { source, .. } => format!("cannot read {shown}: {source}"),
        refused => refused.to_string(),
    })?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{shown} is not UTF-8 text"))?;
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    Ok(Source::new(shown, text))
}

/// `root/virtual_path`, each component matched exactly first, then without
/// regard to ASCII case (the game runs on Windows file systems).
pub fn find_case_insensitive(root: &Path, virtual_path: &str) -> Option<PathBuf> {
    let mut cur = root.to_path_buf();
    for part in virtual_path.split(['/', '\\']).filter(|p| !p.is_empty()) {
        let exact = cur.join(part);
        if exact.exists() {
            cur = exact;
            continue;
        }
        let found = std::fs::read_dir(&cur)
            .ok()?
            .filter_map(Result::ok)
            .find(|e| {
                e.file_name()
                    .to_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(part))
            })?;
        cur = found.path();
    }
    cur.is_file().then_some(cur)
}

/// The folders a game file path starts with; used to find the virtual path of a
/// patch outside an extension folder.
const GAME_FOLDERS: &[&str] = &[
    "aiscripts",
    "assets",
    "cutscenes",
    "index",
    "libraries",
    "maps",
    "md",
    "music",
    "sfx",
    "shadergl",
    "t",
    "textures",
    "ui",
    "voice",
];

/// The path of the game file a patch at `path` changes: relative to the nearest
/// folder above it with a `content.xml` (its extension), else from the first
/// folder named like a game folder (`md/`, `libraries/`, …). `/`-separated.
pub fn virtual_path(path: &Path) -> Option<String> {
    let abs = std::path::absolute(path).ok()?;
    let mut dir = abs.parent();
    while let Some(d) = dir {
        if d.join("content.xml").is_file() {
            let rel = abs.strip_prefix(d).ok()?;
            return Some(slashed(rel));
        }
        dir = d.parent();
    }
    let parts: Vec<&str> = path
        .components()
        .filter_map(|c| c.as_os_str().to_str())
        .collect();
    let start = parts
        .iter()
        .position(|p| GAME_FOLDERS.iter().any(|g| g.eq_ignore_ascii_case(p)))?;
    Some(parts[start..].join("/"))
}

pub(crate) fn slashed(rel: &Path) -> String {
    rel.components()
        .filter_map(|c| c.as_os_str().to_str())
        .collect::<Vec<_>>()
        .join("/")
}
