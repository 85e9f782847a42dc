//! `x4pipe host`: run the Python pipe host until Ctrl-C, printing its log.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::Context;

use x4pipe_host::{Config, Event, PythonCmd, DEFAULT_PIPES};

#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  x4pipe host\n  x4pipe host --allow my_mod --verbose\n  x4pipe host --x4-dir \"/games/X4 Foundations\" --python /usr/bin/python3\n\nOnly extensions allowed in the permissions file (or with --allow) run Python.\nCtrl-C stops the host and every module. Exit codes: 0 stopped by Ctrl-C, 2 could not start."
)]
pub struct Args {
    /// The X4 folder (default: from the game process, else from Lua's package.path)
    #[arg(long, value_name = "DIR")]
    x4_dir: Option<PathBuf>,
    /// Python interpreter for the modules (default: python3; on Windows `py -3`)
    #[arg(long, value_name = "PATH")]
    python: Option<PathBuf>,
    /// Permissions file: extension ids allowed to run Python (created with instructions
    /// if missing; default: ~/.config/x4pipe/permissions.json, on Windows
    /// %APPDATA%\x4pipe\permissions.json)
    #[arg(long, value_name = "FILE")]
    permissions: Option<PathBuf>,
    /// Also allow this extension id (repeatable)
    #[arg(long, value_name = "EXT_ID")]
    allow: Vec<String>,
    /// Name of a host pipe to serve (the `host_pipe` name of an API build; repeatable).
    /// Default: x4_python_host (the standalone API and sn_mod_support_apis) and
    /// x4pipe_python_host (every API embedded in a mod)
    #[arg(long = "pipe", value_name = "NAME", default_values_t = DEFAULT_PIPES.map(String::from))]
    pipes: Vec<String>,
    /// Log every message from the game, not only connects, modules and errors
    #[arg(long)]
    verbose: bool,
    /// Let the host's wake-ups preempt the game like any program's. By default the host
    /// and its modules yield: woken by the game's write, they wait for a free CPU or
    /// the game thread's turn to end instead of taking its CPU mid-frame (Linux
    /// SCHED_BATCH, Windows no wake-up priority boost; the priority stays normal)
    #[arg(long)]
    normal_scheduling: bool,
}

pub fn exec(args: Args) -> super::Result {
    if !args.normal_scheduling {
        // First: the threads and module processes started later inherit it (Linux).
        if let Err(e) = x4pipe_native::yield_on_wakeup() {
            eprintln!("warning: the host competes with the game for CPUs as a normal program: {e}");
        }
    }
    let permissions = args
        .permissions
        .or_else(x4pipe_host::permissions::default_path)
        .context("no home folder to keep the permissions file in; pass --permissions FILE")?;
    let config = Config {
        pipes: args.pipes,
        x4_dir: args.x4_dir,
        python: args
            .python
            .map(PythonCmd::path)
            .unwrap_or_else(PythonCmd::default_for_os),
        permissions,
        allow: args.allow,
    };
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        ctrlc::set_handler(move || stop.store(true, Ordering::Relaxed))
            .context("cannot catch Ctrl-C")?;
    }
    let verbose = args.verbose;
    let sink = Arc::new(move |event: Event| {
        if verbose || !event.is_verbose() {
            println!("{event}");
        }
    });
    // Every failure of the host is "could not start" (2), the error policy's default.
    x4pipe_host::run(config, stop, sink)?;
    Ok(ExitCode::SUCCESS)
}
