//! `x4pipe package`: a reproducible release archive of a built extension.

use std::process::ExitCode;

pub fn exec(args: x4pipe_catalog::PackageArgs) -> super::Result {
    let path = x4pipe_catalog::run_package(&args)?;
    eprintln!("Packaged {}", path.display());
    Ok(ExitCode::SUCCESS)
}
