//! `x4pipe new-extension`: a new pipe-enabled mod project.

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  x4pipe new-extension my_mod\n  x4pipe new-extension my_mod --api embedded --author \"Me\" --dir mods/my_mod\n  cd my_mod && x4pipe build"
)]
pub struct Args {
    /// Extension id and folder name: ASCII letters, digits, underscores; not ego_
    name: String,
    /// Where to create the project (default: ./NAME)
    #[arg(long, value_name = "PATH")]
    dir: Option<PathBuf>,
    /// Author written into content.xml
    #[arg(long, default_value = "")]
    author: String,
    /// Description written into content.xml
    #[arg(long)]
    description: Option<String>,
    /// embedded (default): build the API into the mod under names derived from its id,
    /// so it works beside sn_mod_support_apis; standalone: depend on the Named Pipes API
    /// extension (which replaces the original's pipe half)
    #[arg(long, value_enum, default_value = "embedded")]
    api: ApiArg,
    /// Write into a non-empty folder (files of the same name are replaced)
    #[arg(long)]
    force: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ApiArg {
    Standalone,
    Embedded,
}

pub fn exec(args: Args) -> super::Result {
    let req = x4pipe::scaffold::NewExtension {
        dir: args.dir.unwrap_or_else(|| PathBuf::from(&args.name)),
        name: args.name,
        author: args.author,
        description: args.description,
        api: match args.api {
            ApiArg::Standalone => x4pipe::config::ApiMode::Standalone,
            ApiArg::Embedded => x4pipe::config::ApiMode::Embedded,
        },
        force: args.force,
    };
    let files = x4pipe::scaffold::new_extension(&req)?;
    eprintln!(
        "Created {} ({} files). Next:",
        req.dir.display(),
        files.len()
    );
    eprintln!("  cd {} && x4pipe build", req.dir.display());
    Ok(ExitCode::SUCCESS)
}
