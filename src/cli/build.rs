//! `x4pipe build`: render, validate and write an extension folder.

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  x4pipe build\n  x4pipe build --config x4pipe.toml --out dist\n  x4pipe build --templates ./my-templates   (override any embedded template file by file)"
)]
pub struct Args {
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
}

pub fn exec(args: Args) -> super::Result {
    let opts = x4pipe::pipeline::BuildOptions {
        config: args.config,
        out: Some(args.out),
        templates: args.templates,
        force: args.force,
        project_dir: PathBuf::from("."),
        schemas: args.schemas,
        target: args.target,
    };
    let report = x4pipe::pipeline::build(&opts)?;
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    eprintln!("{}", bundled_line(&report.native));
    eprintln!(
        "Built {} ({} files); {}",
        report.extension_dir.display(),
        report.files.len(),
        report.validation.summary()
    );
    Ok(ExitCode::SUCCESS)
}

/// Which native libraries went into the extension, so the user knows which players'
/// OS it works on.
fn bundled_line(libs: &[x4pipe::native::Library]) -> String {
    if libs.is_empty() {
        return "Native libraries: none (no Lua client in this extension)".into();
    }
    let list: Vec<String> = libs
        .iter()
        .map(|l| format!("{} ({})", l.os, l.file))
        .collect();
    format!("Native libraries bundled: {}", list.join(", "))
}
