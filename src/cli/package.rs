//! `x4pipe package`: a reproducible release archive of a built extension.

use std::path::PathBuf;
use std::process::ExitCode;

use x4pipe_catalog::{PackageFormat, PackageOptions};

/// `x4pipe package`: a reproducible release archive of a built extension.
#[derive(Debug, Clone, clap::Args)]
#[command(
    after_help = "Examples:\n  x4pipe package out/my_mod\n  x4pipe package out/my_mod --format cat --out dist/my_mod.zip\n  SOURCE_DATE_EPOCH=1700000000 x4pipe package out/my_mod"
)]
pub struct Args {
    /// The extension folder (holding content.xml).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// zip: loose files; cat: ext_01.cat/.dat plus loose content.xml and native libraries.
    #[arg(long, value_enum, default_value_t = Format::Zip)]
    pub format: Format,
    /// Output file [default: ./<folder>_<version>.zip, or _cat.zip for --format cat].
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// With --format cat, also keep files matching this glob loose (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub loose: Vec<String>,
}

/// Archive layout ([`PackageFormat`], spelt for the command line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Loose files in a zip.
    Zip,
    /// `ext_01.cat/.dat` plus the files that must stay loose, in a zip.
    Cat,
}

pub fn exec(args: Args) -> super::Result {
    // The content.xml shipped must load: checked fully, as `validate` does.
    x4pipe::release::check_content(&args.dir)?;
    let path = x4pipe_catalog::package(
        &args.dir,
        &PackageOptions {
            format: match args.format {
                Format::Zip => PackageFormat::Zip,
                Format::Cat => PackageFormat::Cat,
            },
            out: args.out,
            source_date_epoch: super::source_date_epoch()?,
            loose: args.loose,
            progress: super::progress::bars(),
        },
    )?;
    eprintln!("Packaged {}", path.display());
    Ok(ExitCode::SUCCESS)
}
