//! `x4pipe validate`: check X4 XML against the game's schemas, and diff patches
//! against the game's files.
//!
//! Its exit code says what was found (0 valid, 1 invalid files, 2 a file or schema
//! could not be read); a schema folder that does not exist is a usage error.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, Context};
use x4pipe_validate::ColorChoice;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    args: x4pipe_validate::ValidateArgs,
    /// Read the schemas, and the files diff patches change (with the installed DLC's
    /// own patches), straight from an installed game's catalogs (01.cat, 02.cat, ...
    /// and extensions/*/ext_01.cat, ...)
    #[arg(long, value_name = "PATH", conflicts_with_all = ["schemas", "base"])]
    game_dir: Option<PathBuf>,
}

pub fn exec(Args { mut args, game_dir }: Args) -> super::Result {
    // Keep the extracted schemas alive for the whole run.
    let (_schemas_dir, lookup) = match game_dir {
        Some(game) => {
            let dir = x4pipe::game::schemas_from_game(&game)?;
            args.schemas = vec![dir.path().to_path_buf()];
            (Some(dir), Some(x4pipe::game::GameLookup::open(&game)?))
        }
        None => (None, None),
    };
    let lookup = lookup
        .as_ref()
        .map(|l| l as &dyn x4pipe_validate::patch::BaseLookup);
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let outcome =
        x4pipe_validate::execute_with(&args, lookup).map_err(|message| anyhow!(message))?;
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    x4pipe_validate::write_outcome(
        &mut stdout.lock(),
        &mut stderr.lock(),
        args.format,
        &outcome,
        color,
    )
    .context("cannot write the findings")?;
    Ok(ExitCode::from(outcome.exit_code.clamp(0, 255) as u8))
}
