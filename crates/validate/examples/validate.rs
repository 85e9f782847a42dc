//! `x4pipe validate` without the rest of x4pipe, for benchmarks and trying it out:
//! `cargo run --release -p x4pipe-validate --example validate -- --schemas DIR PATH...`

use clap::Parser;

#[derive(Parser)]
#[command(name = "x4pipe-validate", version)]
struct Cli {
    #[command(flatten)]
    args: x4pipe_validate::ValidateArgs,
}

fn main() {
    let cli = Cli::parse();
    std::process::exit(x4pipe_validate::run(&cli.args));
}
