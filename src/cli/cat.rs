//! `x4pipe cat`: list, extract and pack X4 catalogs.

use std::process::ExitCode;

pub fn exec(args: x4pipe_catalog::CatArgs) -> super::Result {
    x4pipe_catalog::run_cat(&args)?;
    Ok(ExitCode::SUCCESS)
}
