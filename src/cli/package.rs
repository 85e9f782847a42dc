//! `x4pipe package`: a reproducible release archive of a built extension.

use std::process::ExitCode;

pub fn exec(args: x4pipe_catalog::PackageArgs) -> ExitCode {
    match x4pipe_catalog::run_package(&args) {
        Ok(path) => {
            eprintln!("Packaged {}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => super::fail(e),
    }
}
