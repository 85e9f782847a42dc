//! `x4pipe cat`: list, extract and pack X4 catalogs. Listings go to stdout,
//! summaries to stderr.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use x4pipe_catalog::{Catalog, ExtractOptions, ListOptions, PackOptions};

/// `x4pipe cat`: read and write X4 .cat/.dat catalogs.
#[derive(Debug, Clone, clap::Args)]
#[command(
    after_help = "Examples:\n  x4pipe cat list 01.cat --long\n  x4pipe cat list ext_01.cat --verify\n  x4pipe cat extract 01.cat --glob 'libraries/*.xsd' --out schemas\n  x4pipe cat pack my_folder --out ext_01.cat --glob '!*.bak'"
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// List the entries of a catalog.
    List(ListArgs),
    /// Extract entries of a catalog into a folder.
    Extract(ExtractArgs),
    /// Pack a folder into a catalog (.cat plus .dat beside it).
    Pack(PackArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct ListArgs {
    /// The .cat file (its .dat must be beside it).
    pub cat: PathBuf,
    /// Only entries matching this glob (repeatable; `!GLOB` excludes; `*` matches `/` too).
    #[arg(long, short = 'g', value_name = "GLOB")]
    pub glob: Vec<String>,
    /// Also check every listed entry's md5 against the .dat.
    #[arg(long)]
    pub verify: bool,
    /// Print size, mtime and md5 too (`<md5> <size> <mtime> <path>`).
    #[arg(long, short = 'l')]
    pub long: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ExtractArgs {
    /// The .cat file (its .dat must be beside it).
    pub cat: PathBuf,
    /// Target folder (created if missing).
    #[arg(long, short = 'o', value_name = "DIR", default_value = ".")]
    pub out: PathBuf,
    /// Only entries matching this glob (repeatable; `!GLOB` excludes; `*` matches `/` too).
    #[arg(long, short = 'g', value_name = "GLOB")]
    pub glob: Vec<String>,
    /// Check md5s while extracting (sizes are always checked).
    #[arg(long)]
    pub verify: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct PackArgs {
    /// Folder whose files become the catalog's entries.
    pub dir: PathBuf,
    /// The .cat to write; the .dat is written beside it.
    #[arg(long, short = 'o', value_name = "FILE.cat")]
    pub out: PathBuf,
    /// Only files matching this glob (repeatable; `!GLOB` excludes; `*` matches `/` too).
    #[arg(long, short = 'g', value_name = "GLOB")]
    pub glob: Vec<String>,
}

pub fn exec(args: Args) -> super::Result {
    match args.command {
        Command::List(a) => list(&a, &mut std::io::stdout().lock())?,
        Command::Extract(a) => {
            let cat = Catalog::open(&a.cat)?;
            let report = x4pipe_catalog::extract(
                &cat,
                &a.out,
                &ExtractOptions {
                    globs: a.glob.clone(),
                    verify: a.verify,
                    progress: super::progress::bars(),
                },
            )?;
            eprintln!(
                "extracted {} file(s), {} bytes, into {}{}",
                report.files,
                report.bytes,
                a.out.display(),
                if a.verify { " (md5s verified)" } else { "" }
            );
        }
        Command::Pack(a) => {
            let report = x4pipe_catalog::pack(
                &a.dir,
                &a.out,
                &PackOptions {
                    globs: a.glob.clone(),
                    mtime: super::source_date_epoch()?,
                    progress: super::progress::bars(),
                },
            )?;
            eprintln!(
                "packed {} file(s), {} bytes, into {}",
                report.files,
                report.bytes,
                a.out.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One line per entry (`ok  `/`BAD ` first with `--verify`), then an error naming
/// every entry that failed its check.
fn list(a: &ListArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let cat = Catalog::open(&a.cat)?;
    let listed = x4pipe_catalog::list(
        &cat,
        &ListOptions {
            globs: a.glob.clone(),
            verify: a.verify,
        },
    )?;
    let mut bad = Vec::new();
    for x in &listed {
        let status = match &x.verified {
            Some(Ok(())) => "ok  ",
            Some(Err(err)) => {
                bad.push(err.to_string());
                "BAD "
            }
            None => "",
        };
        let e = x.entry;
        // Entry paths come from the catalog: no raw control characters to the terminal.
        let path = x4pipe_files::terminal::escape(&e.path);
        if a.long {
            writeln!(out, "{status}{} {} {} {path}", e.md5_hex(), e.size, e.mtime,)?;
        } else {
            writeln!(out, "{status}{path}")?;
        }
    }
    if !bad.is_empty() {
        return Err(VerifyFailed { bad }.into());
    }
    Ok(())
}

/// `cat list --verify` found entries whose bytes do not match the catalog: the
/// catalog is bad (exit 1), as when `extract --verify` stops at one.
#[derive(Debug, thiserror::Error)]
#[error("{} entr(y/ies) failed verification:\n{}", bad.len(), bad.join("\n"))]
pub struct VerifyFailed {
    bad: Vec<String>,
}
