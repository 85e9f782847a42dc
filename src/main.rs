//! The `x4pipe` command line: parse, call the library, map errors to exit codes.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    Build {
        /// Config file (default: ./x4pipe.toml if present, else the embedded defaults)
        #[arg(long, value_name = "PATH")]
        config: Option<PathBuf>,
        /// Folder that receives the extension folder
        #[arg(long, value_name = "DIR", default_value = "out")]
        out: PathBuf,
        /// Folder whose files replace embedded templates of the same relative name
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// Replace an existing output folder even if x4pipe did not make it
        #[arg(long)]
        force: bool,
    },
    /// Create a new pipe-enabled mod project (MD, Python echo server, CI workflow)
    #[command(
        after_help = "Examples:\n  x4pipe new-extension my_mod\n  x4pipe new-extension my_mod --api embedded --author \"Me\" --dir mods/my_mod\n  cd my_mod && x4pipe build"
    )]
    NewExtension {
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
        /// standalone: depend on the Named Pipes API extension; embedded: build the API
        /// into the mod under names derived from its id
        #[arg(long, value_enum, default_value = "standalone")]
        api: ApiArg,
        /// Write into a non-empty folder (files of the same name are replaced)
        #[arg(long)]
        force: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ApiArg {
    Standalone,
    Embedded,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            config,
            out,
            templates,
            force,
        } => {
            let opts = x4pipe::build::BuildOptions {
                config,
                out: Some(out),
                templates,
                force,
                project_dir: PathBuf::from("."),
            };
            match x4pipe::build::build(&opts) {
                Ok(report) => {
                    eprintln!(
                        "Built {} ({} files)",
                        report.extension_dir.display(),
                        report.files.len()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Command::NewExtension {
            name,
            dir,
            author,
            description,
            api,
            force,
        } => {
            let req = x4pipe::scaffold::NewExtension {
                dir: dir.unwrap_or_else(|| PathBuf::from(&name)),
                name,
                author,
                description,
                api: match api {
                    ApiArg::Standalone => x4pipe::config::ApiMode::Standalone,
                    ApiArg::Embedded => x4pipe::config::ApiMode::Embedded,
                },
                force,
            };
            match x4pipe::scaffold::new_extension(&req) {
                Ok(files) => {
                    eprintln!(
                        "Created {} ({} files). Next:",
                        req.dir.display(),
                        files.len()
                    );
                    eprintln!("  cd {} && x4pipe build", req.dir.display());
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e.into()),
            }
        }
    }
}

/// Print an error with its causes, cargo style, and return the failure exit code.
fn fail(e: anyhow::Error) -> ExitCode {
    eprintln!("error: {e}");
    for cause in e.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
    ExitCode::from(1)
}
