//! An installed game's own files, read straight from its catalogs: the schemas, and
//! the base files (and DLC patches) that diff patches change.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use x4pipe_catalog::Catalog;
use x4pipe_validate::patch::{self, BaseLookup, Found, Source};

/// Extract the game's XSD schemas (`libraries/md.xsd`, `libraries/common.xsd`,
/// `libraries/aiscripts.xsd`, `ui/core/addon.xsd`) from the numbered catalogs of
/// `game_dir` into a temporary game-style tree, which lives as long as the returned
/// handle (a registered temporary: removed on drop and on Ctrl-C).
pub fn schemas_from_game(game_dir: &Path) -> Result<x4pipe_files::StagingDir> {
    let dir = x4pipe_files::StagingDir::new_in(&std::env::temp_dir(), "game-schemas")
        .context("cannot create a temporary folder for the game's schemas")?;
    x4pipe_catalog::extract_game_files(game_dir, x4pipe_catalog::GAME_SCHEMAS, dir.path())
        .with_context(|| {
            format!(
                "cannot read the schemas of the game in {}",
                game_dir.display()
            )
        })?;
    Ok(dir)
}

/// The game's files for diff patches, read from an installed game: the base files
/// from its numbered catalogs, and the patches of its installed extensions (DLC),
/// which the game applies before any mod loaded after them.
pub struct GameLookup {
    base: Vec<Catalog>,
    /// Extension folders in load order, with their `ext_NN.cat` catalogs.
    extensions: Vec<(PathBuf, Vec<Catalog>)>,
}

impl GameLookup {
    /// Open the catalogs of the game in `game_dir` and of every extension in
    /// `game_dir/extensions`.
    pub fn open(game_dir: &Path) -> Result<GameLookup> {
        let open_all = |paths: Vec<PathBuf>| -> Result<Vec<Catalog>> {
            paths
                .into_iter()
                .map(|p| Catalog::open(&p).with_context(|| format!("cannot open {}", p.display())))
                .collect()
        };
        let base = open_all(x4pipe_catalog::game_catalogs(game_dir)?)?;
        let mut dirs: Vec<PathBuf> = match std::fs::read_dir(game_dir.join("extensions")) {
            Ok(entries) => entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_dir())
                .collect(),
            Err(_) => Vec::new(),
        };
        dirs.sort();
        let ordered = patch::load_order(&dirs).map_err(anyhow::Error::msg)?;
        let mut extensions = Vec::new();
        for ext in ordered {
            let cats = open_all(x4pipe_catalog::numbered_catalogs(&ext.dir, "ext_"))?;
            extensions.push((ext.dir, cats));
        }
        Ok(GameLookup { base, extensions })
    }
}

fn read_entry(cats: &[Catalog], virtual_path: &str) -> std::result::Result<Option<Source>, String> {
    let Some((cat, entry)) = x4pipe_catalog::find_entry(cats, virtual_path) else {
        return Ok(None);
    };
    let shown = format!("{}:{}", cat.cat_path().display(), entry.path);
    let bytes = cat
        .read_entry(entry, true)
        .map_err(|e| format!("cannot read {shown}: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{shown} is not UTF-8 text"))?;
    Ok(Some(Source::new(
        shown,
        text.trim_start_matches('\u{feff}'),
    )))
}

impl BaseLookup for GameLookup {
    fn find(&self, virtual_path: &str) -> std::result::Result<Option<Found>, String> {
        let Some(base) = read_entry(&self.base, virtual_path)? else {
            return Ok(None);
        };
        let mut chain = Vec::new();
        for (dir, cats) in &self.extensions {
            // A loose file in the extension folder wins over its catalogs.
            let found = match patch::find_case_insensitive(dir, virtual_path) {
                Some(p) => Some(patch::read_source(&p)?),
                None => read_entry(cats, virtual_path)?,
            };
            if let Some(s) = found.filter(|s| patch::is_diff(s.text.as_bytes())) {
                chain.push(s);
            }
        }
        Ok(Some(Found { base, chain }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A game folder made with our own catalog writer: the vanilla corpus in
    /// `01.cat`, a DLC-style extension with its patch in `ext_01.cat`.
    #[test]
    fn game_lookup_reads_base_and_dlc_patches_from_catalogs() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let game = tempfile::tempdir().unwrap();
        let src = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(src.path().join("md")).unwrap();
        for e in std::fs::read_dir(root.join("../shared/corpus/md-3.x")).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), src.path().join("md").join(e.file_name())).unwrap();
        }
        let opts = x4pipe_catalog::PackOptions {
            globs: Vec::new(),
            mtime: Some(0),
            progress: None,
        };
        x4pipe_catalog::pack(src.path(), &game.path().join("01.cat"), &opts).unwrap();
        let dlc_src = root.join("crates/validate/tests/fixtures/diff/dlc/extensions/ego_dlc_test");
        let dlc = game.path().join("extensions/ego_dlc_test");
        std::fs::create_dir_all(&dlc).unwrap();
        std::fs::copy(dlc_src.join("content.xml"), dlc.join("content.xml")).unwrap();
        let packed = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(packed.path().join("md")).unwrap();
        std::fs::copy(
            dlc_src.join("md/inituniverse.xml"),
            packed.path().join("md/inituniverse.xml"),
        )
        .unwrap();
        x4pipe_catalog::pack(packed.path(), &dlc.join("ext_01.cat"), &opts).unwrap();

        let lookup = GameLookup::open(game.path()).unwrap();
        let found = lookup.find("MD/InitUniverse.xml").unwrap().unwrap();
        assert!(
            found.base.shown.ends_with("01.cat:md/inituniverse.xml"),
            "{}",
            found.base.shown
        );
        assert!(found.base.text.starts_with("<?xml"));
        assert_eq!(found.chain.len(), 1);
        assert!(found.chain[0].text.contains("DLC_Test_Init"));
        assert!(lookup
            .find("md/gs_fight.xml")
            .unwrap()
            .unwrap()
            .chain
            .is_empty());
        assert!(lookup.find("md/none.xml").unwrap().is_none());
        // The patch that needs the DLC applies on top of it.
        let patch = patch::read_source(
            &root.join("crates/validate/tests/fixtures/diff/my_mod/md/inituniverse.xml"),
        )
        .unwrap();
        let report = patch::check_patch(None, &found.base, &found.chain, &patch);
        assert!(report.findings.is_empty(), "{:#?}", report.findings);
    }
}
