//! The `x4pipe` binary: the command line lives in `cli/`, one module per command.

use std::process::ExitCode;

mod cli;

fn main() -> ExitCode {
    cli::main()
}
