//! `x4pipe validate`: check X4 XML against the game's schemas.

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    args: x4pipe_validate::ValidateArgs,
    /// Read the schemas straight from an installed game's catalogs (01.cat, 02.cat, ...)
    #[arg(long, value_name = "PATH", conflicts_with = "schemas")]
    game_dir: Option<PathBuf>,
}

pub fn exec(Args { mut args, game_dir }: Args) -> ExitCode {
    // Keep the extracted schemas alive for the whole run.
    let _schemas_dir = match game_dir {
        Some(game) => match x4pipe::game::schemas_from_game(&game) {
            Ok(dir) => {
                args.schemas = vec![dir.path().to_path_buf()];
                Some(dir)
            }
            Err(e) => {
                eprintln!("error: {e:#}");
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    ExitCode::from(x4pipe_validate::run(&args).clamp(0, 255) as u8)
}
