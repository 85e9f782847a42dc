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
        /// Folder with the game's schemas to validate the output against (repeatable;
        /// default: $X4PIPE_SCHEMAS). Without them XML is only checked for well-formedness.
        #[arg(long, value_name = "DIR")]
        schemas: Vec<PathBuf>,
        /// Native pipe libraries to bundle: auto = all this x4pipe carries (warns about
        /// any it lacks), all = Linux and Windows or fail
        #[arg(long, value_enum, default_value = "auto")]
        target: x4pipe::native::NativeTarget,
    },
    /// Validate X4 XML (md, aiscripts, ui.xml, content.xml) against the game's schemas
    #[command(
        after_help = "Examples:\n  x4pipe validate out/my_mod --schemas ../x4-schemas\n  x4pipe validate md --game-dir \"/games/X4 Foundations\"\n  X4PIPE_SCHEMAS=schemas x4pipe validate --format github .\n\nExit codes: 0 all valid, 1 invalid files, 2 usage or I/O errors."
    )]
    Validate {
        #[command(flatten)]
        args: x4pipe_validate::ValidateArgs,
        /// Read the schemas straight from an installed game's catalogs (01.cat, 02.cat, ...)
        #[arg(long, value_name = "PATH", conflicts_with = "schemas")]
        game_dir: Option<PathBuf>,
    },
    /// List, extract and pack X4 .cat/.dat catalogs
    #[command(
        after_help = "Examples:\n  x4pipe cat list 01.cat --long\n  x4pipe cat list ext_01.cat --verify\n  x4pipe cat extract 01.cat --glob 'libraries/*.xsd' --out schemas\n  x4pipe cat pack my_folder --out ext_01.cat --glob '!*.bak'"
    )]
    Cat(x4pipe_catalog::CatArgs),
    /// Make a reproducible release archive (zip, or catalogs in a zip) of a built extension
    #[command(
        after_help = "Examples:\n  x4pipe package out/my_mod\n  x4pipe package out/my_mod --format cat --out dist/my_mod.zip\n  SOURCE_DATE_EPOCH=1700000000 x4pipe package out/my_mod"
    )]
    Package(x4pipe_catalog::PackageArgs),
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
            schemas,
            target,
        } => {
            let opts = x4pipe::build::BuildOptions {
                config,
                out: Some(out),
                templates,
                force,
                project_dir: PathBuf::from("."),
                schemas,
                target,
            };
            match x4pipe::build::build(&opts) {
                Ok(report) => {
                    for w in &report.warnings {
                        eprintln!("warning: {w}");
                    }
                    eprintln!(
                        "Built {} ({} files); {}",
                        report.extension_dir.display(),
                        report.files.len(),
                        report.validation.summary()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Command::Validate { mut args, game_dir } => {
            // Keep the extracted schemas alive for the whole run.
            let _schemas_dir = match game_dir {
                Some(game) => match x4pipe::game::schemas_from_game(&game) {
                    Ok(dir) => {
                        args.schemas = vec![dir.path().to_path_buf()];
                        Some(dir)
                    }
                    Err(e) => {
                        eprintln!("error: {e:#}");
                        return ExitCode::from(2);
                    }
                },
                None => None,
            };
            ExitCode::from(x4pipe_validate::run(&args).clamp(0, 255) as u8)
        }
        Command::Cat(args) => match x4pipe_catalog::run_cat(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(e),
        },
        Command::Package(args) => match x4pipe_catalog::run_package(&args) {
            Ok(path) => {
                eprintln!("Packaged {}", path.display());
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
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
