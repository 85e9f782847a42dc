//! The `x4pipe` command line: one module per command, each with its clap arguments
//! and examples (`Args`, `after_help`) and an `exec` that calls the library and
//! returns an exit code or an error; `error` prints errors and maps them to exit
//! codes, in one place. This file only lists the commands and dispatches.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod build;
mod cat;
mod error;
mod host;
mod new_extension;
mod package;
mod progress;
mod sim;
mod validate;

#[derive(Parser)]
#[command(
    name = "x4pipe",
    version,
    about = "Build, validate and package X4: Foundations extensions that talk to external programs over named pipes",
    after_help = "Examples:\n  x4pipe build                      render the Named Pipes API extension into ./out\n  x4pipe build --config my.toml --out dist\n  x4pipe build --templates my-templates --force"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Render the extension (the Named Pipes API, or the mod of an x4pipe.toml project)
    Build(build::Args),
    /// Validate X4 XML (md, aiscripts, ui.xml, content.xml) against the game's schemas, and diff patches against the game's files
    Validate(validate::Args),
    /// List, extract and pack X4 .cat/.dat catalogs
    Cat(cat::Args),
    /// Make a reproducible release archive (zip, or catalogs in a zip) of a built extension
    Package(package::Args),
    /// Create a new pipe-enabled mod project (MD, Python echo server, CI workflow)
    NewExtension(new_extension::Args),
    /// Run the Python pipe host: serve the game's host pipe and run the Python modules
    /// mods register (Linux and Windows, any number of game clients)
    Host(host::Args),
    /// Run built extensions' MD with the real Lua client and pipes, without the game
    Sim(sim::Args),
}

/// What every command's `exec` returns.
type Result = anyhow::Result<ExitCode>;

/// Parse the command line, run the command, print its error if any.
pub fn main() -> ExitCode {
    let command = Cli::parse_from(sim::spell_at_options(std::env::args_os())).command;
    // `host` stops its modules on Ctrl-C itself; every other command may be writing
    // temporary files, which must not outlive an interrupted run.
    if !matches!(command, Command::Host(_)) {
        remove_temporaries_on_interrupt();
    }
    let result = match command {
        Command::Build(args) => build::exec(args),
        Command::Validate(args) => validate::exec(args),
        Command::Cat(args) => cat::exec(args),
        Command::Package(args) => package::exec(args),
        Command::NewExtension(args) => new_extension::exec(args),
        Command::Host(args) => host::exec(args),
        Command::Sim(args) => sim::exec(args),
    };
    result.unwrap_or_else(|e| {
        eprint!("{}", error::report(&e));
        ExitCode::from(error::exit_code(&e))
    })
}

/// SOURCE_DATE_EPOCH (reproducible-builds.org) for `cat pack` and `package`: unset
/// or empty = none.
fn source_date_epoch() -> anyhow::Result<Option<i64>> {
    use anyhow::Context;
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.trim().is_empty() => {
            v.trim().parse().map(Some).with_context(|| {
                format!("SOURCE_DATE_EPOCH={v:?} is not a whole number of seconds")
            })
        }
        _ => Ok(None),
    }
}

/// On SIGINT/SIGTERM (Ctrl-C / console close on Windows): remove every live
/// temporary file and folder (`x4pipe_files::temps`) and exit 130, as shells report
/// a run ended by Ctrl-C. Without a handler the OS would kill the process and
/// leave half-written temporaries behind.
fn remove_temporaries_on_interrupt() {
    // Fails only if a handler is already set, which no command does before this.
    let _ = ctrlc::set_handler(|| x4pipe_files::temps::remove_all(|| std::process::exit(130)));
}
