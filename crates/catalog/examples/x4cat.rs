//! A stand-alone `cat`/`package` front end over the library, so the catalog
//! code can be run and benchmarked (scripts/bench-catalog.sh) before the root
//! `x4pipe` binary wires the same `CatArgs`/`PackageArgs` in.
//!
//! cargo run --release -p x4pipe-catalog --example x4cat -- cat list FILE.cat

use clap::Parser;

#[derive(Parser)]
#[command(name = "x4cat")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// Read and write X4 .cat/.dat catalogs.
    Cat(x4pipe_catalog::CatArgs),
    /// Build a reproducible release archive of an extension.
    Package(x4pipe_catalog::PackageArgs),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().cmd {
        Cmd::Cat(args) => x4pipe_catalog::run_cat(&args),
        Cmd::Package(args) => {
            let out = x4pipe_catalog::run_package(&args)?;
            eprintln!("wrote {}", out.display());
            Ok(())
        }
    }
}
