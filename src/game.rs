//! The game's own schemas, read straight from an installed game's catalogs.

use std::path::Path;

use anyhow::{Context, Result};

/// Extract the game's XSD schemas (`libraries/md.xsd`, `libraries/common.xsd`,
/// `libraries/aiscripts.xsd`, `ui/core/addon.xsd`) from the numbered catalogs of
/// `game_dir` into a temporary game-style tree, which lives as long as the returned
/// handle.
pub fn schemas_from_game(game_dir: &Path) -> Result<tempfile::TempDir> {
    let dir = tempfile::Builder::new()
        .prefix("x4pipe-game-schemas-")
        .tempdir()
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
