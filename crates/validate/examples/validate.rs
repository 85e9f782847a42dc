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
    let (stdout, stderr) = (std::io::stdout(), std::io::stderr());
    let color = cli.args.color == x4pipe_validate::ColorChoice::Always;
    let code =
        x4pipe_validate::run_with_writer(&cli.args, &mut stdout.lock(), &mut stderr.lock(), color)
            .unwrap_or_else(|message| {
                eprintln!("error: {message}");
                x4pipe_validate::EXIT_ERROR
            });
    std::process::exit(code);
}
