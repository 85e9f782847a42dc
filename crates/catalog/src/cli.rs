//! clap arguments for `x4pipe cat ...` and `x4pipe package`, and the functions
//! that run them. The root binary only embeds these.

use crate::catalog::{self, Catalog, ExtractOptions, PackOptions};
use crate::filter::PathFilter;
use crate::package::{self, PackageFormat, PackageOptions};
use anyhow::{Context, Result};
use std::io::Write;
use std::path::PathBuf;

/// `x4pipe cat`: read and write X4 .cat/.dat catalogs.
#[derive(Debug, Clone, clap::Args)]
pub struct CatArgs {
    #[command(subcommand)]
    pub command: CatCommand,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum CatCommand {
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

/// `x4pipe package`: a reproducible release archive of a built extension.
#[derive(Debug, Clone, clap::Args)]
pub struct PackageArgs {
    /// The extension folder (holding content.xml).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// zip: loose files; cat: ext_01.cat/.dat plus loose content.xml and native libraries.
    #[arg(long, value_enum, default_value_t = PackageFormat::Zip)]
    pub format: PackageFormat,
    /// Output file [default: ./<folder>_<version>.zip, or _cat.zip for --format cat].
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// With --format cat, also keep files matching this glob loose (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub loose: Vec<String>,
}

/// Runs `x4pipe cat ...`, printing listings to stdout and summaries to stderr.
/// Reads SOURCE_DATE_EPOCH for `pack`.
pub fn run_cat(args: &CatArgs) -> Result<()> {
    let stdout = std::io::stdout();
    run_cat_to(args, &mut stdout.lock())
}

/// [`run_cat`] writing its listing to `out` (for tests and embedding).
pub fn run_cat_to(args: &CatArgs, out: &mut dyn Write) -> Result<()> {
    match &args.command {
        CatCommand::List(a) => list(a, out),
        CatCommand::Extract(a) => {
            let cat = Catalog::open(&a.cat)?;
            let report = catalog::extract(
                &cat,
                &a.out,
                &ExtractOptions {
                    globs: a.glob.clone(),
                    verify: a.verify,
                    progress: true,
                },
            )?;
            eprintln!(
                "extracted {} file(s), {} bytes, into {}{}",
                report.files,
                report.bytes,
                a.out.display(),
                if a.verify { " (md5s verified)" } else { "" }
            );
            Ok(())
        }
        CatCommand::Pack(a) => {
            let report = catalog::pack(
                &a.dir,
                &a.out,
                &PackOptions {
                    globs: a.glob.clone(),
                    mtime: source_date_epoch()?,
                    progress: true,
                },
            )?;
            eprintln!(
                "packed {} file(s), {} bytes, into {}",
                report.files,
                report.bytes,
                a.out.display()
            );
            Ok(())
        }
    }
}

fn list(a: &ListArgs, out: &mut dyn Write) -> Result<()> {
    let cat = Catalog::open(&a.cat)?;
    let filter = PathFilter::new(&a.glob)?;
    let mut dat = if a.verify {
        Some(cat.open_dat()?)
    } else {
        None
    };
    let mut buf = vec![0u8; 1 << 20];
    let mut bad = Vec::new();
    for e in cat.entries().iter().filter(|e| filter.matches(&e.path)) {
        let status = match dat.as_mut() {
            Some(dat) => match cat.verify_entry(dat, e, &mut buf) {
                Ok(()) => "ok  ",
                Err(err) => {
                    bad.push(err.to_string());
                    "BAD "
                }
            },
            None => "",
        };
        if a.long {
            writeln!(
                out,
                "{status}{} {} {} {}",
                e.md5_hex(),
                e.size,
                e.mtime,
                e.path
            )?;
        } else {
            writeln!(out, "{status}{}", e.path)?;
        }
    }
    if !bad.is_empty() {
        anyhow::bail!(
            "{} entr(y/ies) failed verification:\n{}",
            bad.len(),
            bad.join("\n")
        );
    }
    Ok(())
}

/// Runs `x4pipe package`; returns the archive written. Reads SOURCE_DATE_EPOCH.
pub fn run_package(args: &PackageArgs) -> Result<PathBuf> {
    package::package(
        &args.dir,
        &PackageOptions {
            format: args.format,
            out: args.out.clone(),
            source_date_epoch: source_date_epoch()?,
            loose: args.loose.clone(),
            progress: true,
        },
    )
}

/// SOURCE_DATE_EPOCH (reproducible-builds.org): unset or empty = none.
pub fn source_date_epoch() -> Result<Option<i64>> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.trim().is_empty() => {
            v.trim().parse().map(Some).with_context(|| {
                format!("SOURCE_DATE_EPOCH={v:?} is not a whole number of seconds")
            })
        }
        _ => Ok(None),
    }
}
