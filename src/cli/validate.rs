//! `x4pipe validate`: check X4 XML against the game's schemas, and diff patches
//! against the game's files.
//!
//! Its exit code says what was found (0 valid, 1 invalid files, 2 a file or schema
//! could not be read); a schema folder that does not exist is a usage error.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use x4pipe_validate::{Format, Outcome, ValidateRequest, Verdict};

/// Validate X4 extension files against the game's XSD schemas.
///
/// Each file is checked against the schema of what it is: `<mdscript>` (md/*.xml) →
/// md.xsd, `<aiscript>` (aiscripts/*.xml) → aiscripts.xsd, `<addon>` (ui.xml) →
/// addon.xsd, `<content>` (content.xml) → the schema x4pipe ships. Other XML is
/// checked for well-formedness.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  x4pipe validate out/my_mod --schemas ../x4-schemas\n  x4pipe validate md --game-dir \"/games/X4 Foundations\"\n  x4pipe validate my_mod --base extracted --schemas extracted   (diff patches applied to extracted game files)\n  x4pipe validate --conflicts --game-dir \"/games/X4 Foundations\" mods/mod_a mods/mod_b\n  X4PIPE_SCHEMAS=schemas x4pipe validate --format github .\n\nExit codes: 0 all valid, 1 invalid files, 2 usage or I/O errors."
)]
pub struct Args {
    /// Files or folders (folders are searched for *.xml recursively). Default: `.`
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Folder with the game's schemas: a game-style tree (libraries/md.xsd,
    /// ui/core/addon.xsd) or a flat folder (md.xsd, addon.xsd). Repeat to combine
    /// folders; the first that has a schema wins. Default: $X4PIPE_SCHEMAS.
    #[arg(long = "schemas", value_name = "DIR")]
    schemas: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    format: OutputFormat,

    /// Do not read or write the verdict cache ($X4PIPE_CACHE_DIR or the platform cache folder).
    #[arg(long)]
    no_cache: bool,

    /// Validation threads (0: one per core).
    #[arg(long, short = 'j', default_value_t = 0, value_name = "N")]
    jobs: usize,

    /// Color the human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,

    /// Folder of the game's extracted files (md/, aiscripts/, libraries/ … and
    /// extensions/ with the DLC): each `<diff>` patch is applied to its file there
    /// (after the DLC's own patches) and checked as the game would apply it.
    #[arg(long, value_name = "DIR")]
    base: Option<PathBuf>,

    /// Treat each PATH as an extension folder (or a folder of them): apply their
    /// patches of the same game files in load order and report operations of
    /// different extensions that touch the same nodes. Needs --base or --game-dir.
    #[arg(long)]
    conflicts: bool,

    /// Read the schemas, and the files diff patches change (with the installed DLC's
    /// own patches), straight from an installed game's catalogs (01.cat, 02.cat, ...
    /// and extensions/*/ext_01.cat, ...)
    #[arg(long, value_name = "PATH", conflicts_with_all = ["schemas", "base"])]
    game_dir: Option<PathBuf>,
}

/// How findings are written ([`Format`], spelt for the command line).
#[derive(Clone, Copy, clap::ValueEnum)]
enum OutputFormat {
    /// Like cargo's errors: the source line with the place marked.
    Human,
    /// One JSON object per finding, one per line.
    Json,
    /// One SARIF 2.1.0 log (GitHub code scanning).
    Sarif,
    /// GitHub Actions annotations (`::error file=…,line=…::…`).
    Github,
}

impl From<OutputFormat> for Format {
    fn from(f: OutputFormat) -> Format {
        match f {
            OutputFormat::Human => Format::Human,
            OutputFormat::Json => Format::Json,
            OutputFormat::Sarif => Format::Sarif,
            OutputFormat::Github => Format::Github,
        }
    }
}

/// When to color human output.
#[derive(Clone, Copy, clap::ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

pub fn exec(args: Args) -> super::Result {
    let mut request = ValidateRequest {
        paths: args.paths,
        schemas: args.schemas,
        no_cache: args.no_cache,
        jobs: args.jobs,
        base: args.base,
        conflicts: args.conflicts,
    };
    // Keep the extracted schemas alive for the whole run.
    let (_schemas_dir, lookup) = match &args.game_dir {
        Some(game) => {
            let dir = x4pipe::game::schemas_from_game(game)?;
            request.schemas = vec![dir.path().to_path_buf()];
            (Some(dir), Some(x4pipe::game::GameLookup::open(game)?))
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
    let outcome = x4pipe_validate::execute_with(&request, lookup)?;
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    write_outcome(
        &mut stdout.lock(),
        &mut stderr.lock(),
        args.format.into(),
        &outcome,
        color,
    )
    .context("cannot write the findings")?;
    Ok(ExitCode::from(match outcome.verdict {
        Verdict::Valid => 0,
        Verdict::Invalid => super::error::INVALID,
        Verdict::Failed => super::error::TROUBLE,
    }))
}

/// The findings to `out`, then the summary line to `out` in the human format and to
/// `err` in the machine formats (so stdout stays parseable).
fn write_outcome(
    out: &mut dyn Write,
    err: &mut dyn Write,
    format: Format,
    outcome: &Outcome,
    color: bool,
) -> std::io::Result<()> {
    x4pipe_validate::report::write_findings(out, format, &outcome.reports, &outcome.extra, color)?;
    let line = x4pipe_validate::summary(outcome);
    match format {
        Format::Human => writeln!(out, "{line}"),
        _ => writeln!(err, "{line}"),
    }
}
