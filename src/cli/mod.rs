//! The `x4pipe` command line: one module per command, each with its clap arguments
//! (`Args`) and an `exec` that calls the library and returns an exit code or an
//! error; `error` prints errors and maps them to exit codes, in one place.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod build;
mod cat;
mod error;
mod host;
mod new_extension;
mod package;
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
    #[command(
        after_help = "Examples:\n  x4pipe build\n  x4pipe build --config x4pipe.toml --out dist\n  x4pipe build --templates ./my-templates   (override any embedded template file by file)"
    )]
    Build(build::Args),
    /// Validate X4 XML (md, aiscripts, ui.xml, content.xml) against the game's schemas, and diff patches against the game's files
    #[command(
        after_help = "Examples:\n  x4pipe validate out/my_mod --schemas ../x4-schemas\n  x4pipe validate md --game-dir \"/games/X4 Foundations\"\n  x4pipe validate my_mod --base extracted --schemas extracted   (diff patches applied to extracted game files)\n  x4pipe validate --conflicts --game-dir \"/games/X4 Foundations\" mods/mod_a mods/mod_b\n  X4PIPE_SCHEMAS=schemas x4pipe validate --format github .\n\nExit codes: 0 all valid, 1 invalid files, 2 usage or I/O errors."
    )]
    Validate(validate::Args),
    /// List, extract and pack X4 .cat/.dat catalogs
    #[command(
        after_help = "Examples:\n  x4pipe cat list 01.cat --long\n  x4pipe cat list ext_01.cat --verify\n  x4pipe cat extract 01.cat --glob 'libraries/*.xsd' --out schemas\n  x4pipe cat pack my_folder --out ext_01.cat --glob '!*.bak'"
    )]
    Cat(cat::Args),
    /// Make a reproducible release archive (zip, or catalogs in a zip) of a built extension
    #[command(
        after_help = "Examples:\n  x4pipe package out/my_mod\n  x4pipe package out/my_mod --format cat --out dist/my_mod.zip\n  SOURCE_DATE_EPOCH=1700000000 x4pipe package out/my_mod"
    )]
    Package(package::Args),
    /// Create a new pipe-enabled mod project (MD, Python echo server, CI workflow)
    #[command(
        after_help = "Examples:\n  x4pipe new-extension my_mod\n  x4pipe new-extension my_mod --api embedded --author \"Me\" --dir mods/my_mod\n  cd my_mod && x4pipe build"
    )]
    NewExtension(new_extension::Args),
    /// Run the Python pipe host: serve the game's host pipe and run the Python modules
    /// mods register (Linux and Windows, any number of game clients)
    #[command(
        after_help = "Examples:\n  x4pipe host\n  x4pipe host --allow my_mod --verbose\n  x4pipe host --x4-dir \"/games/X4 Foundations\" --python /usr/bin/python3\n\nOnly extensions allowed in the permissions file (or with --allow) run Python.\nCtrl-C stops the host and every module. Exit codes: 0 stopped by Ctrl-C, 2 could not start."
    )]
    Host(host::Args),
    /// Run built extensions' MD with the real Lua client and pipes, without the game
    #[command(
        after_help = "Runs the Mission Director scripts of built extensions (the API and your mod) with the real \
UI Lua client in LuaJIT, the bundled native library and real pipes, against whatever servers you run. \
Game time runs as fast as the machine allows; idle time is skipped. Prints debug_text and every MD/Lua \
exchange with game timestamps. Constructs outside the simulated subset stop the run with \
\"not simulated: <what> at <file>:<line>\" (see crates/sim/GAME-MODEL.md).\n\n\
Examples:\n  x4pipe sim out/x4pipe_named_pipes my_mod/out/my_mod --for 2min\n  \
x4pipe sim --until-debug-text 'Python answered' --for 1min\n  \
x4pipe sim --event game-loaded@30s --reload-ui@10s --pause 5s..8s\n\n\
Exit codes: 0 the run ended cleanly (and --until-debug-text matched), 1 an MD or Lua error, a construct \
outside the subset, or no match, 2 usage or I/O errors."
    )]
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
