//! `x4pipe sim`: runs built extensions' MD with the real Lua client, native library and
//! whatever servers the user runs, without the game (crate `x4pipe-sim`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use x4pipe_sim::engine::Micros;
use x4pipe_sim::host::HostOptions;
use x4pipe_sim::sim::{parse_duration, EarlyUi};
use x4pipe_sim::{extension, EventKind, Happening, Model, Record, SignalOrder, Sim, SimOptions};

#[derive(clap::Args)]
#[command(
    after_help = "Runs the Mission Director scripts of built extensions (the API and your mod) with the real \
UI Lua client in LuaJIT, the bundled native library and real pipes, against whatever servers you run. \
Game time runs as fast as the machine allows; idle time is skipped. Prints debug_text and every MD/Lua \
exchange with game timestamps. Constructs outside the simulated subset stop the run with \
\"not simulated: <what> at <file>:<line>\" (see crates/sim/GAME-MODEL.md).\n\n\
Examples:\n  x4pipe sim out/x4pipe_named_pipes my_mod/out/my_mod --for 2min\n  \
x4pipe sim --until-debug-text 'Python answered' --for 1min\n  \
x4pipe sim --event game-loaded@30s --reload-ui@10s --pause 5s..8s\n\n\
Exit codes: 0 the run ended cleanly (and --until-debug-text matched), 1 an MD or Lua error, a construct \
outside the subset, or no match, 2 usage or I/O errors."
)]
pub struct Args {
    /// Built extension folders (the API and the mod); default: every folder in ./out
    dirs: Vec<PathBuf>,
    /// How much time to run (session clock: game time plus pauses)
    #[arg(long = "for", value_name = "DURATION", default_value = "10min", value_parser = duration)]
    run_for: Micros,
    /// Stop with success once a debug_text matches (fail if none does in time)
    #[arg(long, value_name = "REGEX")]
    until_debug_text: Option<regex::Regex>,
    /// Something that happens at a time: game-loaded@30s (a savegame is loaded) or
    /// reload-ui@10s (/reloadui); repeatable
    #[arg(long, value_name = "WHAT@TIME", value_parser = event)]
    event: Vec<(Micros, Happening)>,
    /// /reloadui at this time: --reload-ui@10s or --reload-ui 10s (same as --event
    /// reload-ui@TIME); repeatable
    #[arg(long, value_name = "TIME", value_parser = duration)]
    reload_ui: Vec<Micros>,
    /// The game is paused from A to B (session clock); repeatable
    #[arg(long, value_name = "A..B", value_parser = pause)]
    pause: Vec<(Micros, Micros)>,
    /// Protected UI mode is on (the API must report itself disabled)
    #[arg(long)]
    protected_ui: bool,
    /// Order of several signal_cue signals pending in one frame
    #[arg(long, value_enum, default_value = "fifo")]
    signal_order: Order,
    /// What happens to UI events Lua triggers while loading, before MD runs
    #[arg(long, value_enum, default_value = "drop")]
    early_ui: Early,
    /// Real time the outside world gets to answer before idle time is skipped
    #[arg(long, value_name = "DURATION", default_value = "150ms", value_parser = duration)]
    settle: Micros,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Order {
    Fifo,
    DepthFirst,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Early {
    Drop,
    Deliver,
}

/// Options written `--name@VALUE`, as the issue and the README spell `--reload-ui@10s`:
/// clap knows `--name=VALUE` and `--name VALUE` only, so such an argument is rewritten
/// to `--name=VALUE` before parsing (arguments after `--` stay as they are).
const AT_OPTIONS: [&str; 1] = ["--reload-ui"];

pub fn spell_at_options(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut out = Vec::new();
    let mut rest = false;
    for arg in args {
        let text = arg.to_str().unwrap_or_default();
        rest |= text == "--";
        let at_option = AT_OPTIONS.iter().find_map(|name| {
            let value = text.strip_prefix(name)?.strip_prefix('@')?;
            Some(format!("{name}={value}"))
        });
        match at_option {
            Some(spelt) if !rest => out.push(OsString::from(spelt)),
            _ => out.push(arg),
        }
    }
    out
}

fn duration(s: &str) -> Result<Micros, String> {
    parse_duration(s)
        .ok_or_else(|| format!("'{s}' is not a duration (e.g. 30s, 10min, 1.5h, 250ms)"))
}

fn event(s: &str) -> Result<(Micros, Happening), String> {
    let (what, at) = s
        .split_once('@')
        .ok_or_else(|| format!("'{s}': expected WHAT@TIME, e.g. game-loaded@30s"))?;
    let what = match what {
        "game-loaded" => Happening::LoadGame,
        "reload-ui" => Happening::ReloadUi,
        other => return Err(format!("'{other}': expected game-loaded or reload-ui")),
    };
    Ok((duration(at)?, what))
}

fn pause(s: &str) -> Result<(Micros, Micros), String> {
    let (a, b) = s
        .split_once("..")
        .ok_or_else(|| format!("'{s}': expected A..B, e.g. 5s..8s"))?;
    let (a, b) = (duration(a)?, duration(b)?);
    if b <= a {
        return Err(format!("'{s}': the pause must end after it starts"));
    }
    Ok((a, b))
}

/// The extension folders to load: the ones given, or those in ./out.
fn dirs(args: &Args) -> Result<Vec<PathBuf>> {
    if !args.dirs.is_empty() {
        return Ok(args.dirs.clone());
    }
    let out = Path::new("out");
    let mut found: Vec<PathBuf> = std::fs::read_dir(out)
        .with_context(|| "no DIR given and no ./out folder: run `x4pipe build` first, or name the extension folders")?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    // The API first, so that its scripts load before the mods that use it.
    found.sort_by_key(|p| (!p.join("ui.xml").is_file(), p.clone()));
    if found.is_empty() {
        bail!("./out holds no extension folder: run `x4pipe build` first");
    }
    Ok(found)
}

/// Exit 0: the run ended cleanly (and `--until-debug-text` matched); 1: an MD or Lua
/// error, a construct outside the subset, no match; 2: usage or I/O errors.
pub fn exec(args: Args) -> super::Result {
    let mut exts = Vec::new();
    for d in dirs(&args)? {
        exts.push(extension::load(&d)?);
    }
    let opts = SimOptions {
        model: Model {
            signal_order: match args.signal_order {
                Order::Fifo => SignalOrder::Fifo,
                Order::DepthFirst => SignalOrder::DepthFirst,
            },
            ..Model::default()
        },
        settle: Duration::from_micros(args.settle as u64),
        host: HostOptions {
            safe_mode: Some(args.protected_ui),
            ..HostOptions::default()
        },
        early_ui: match args.early_ui {
            Early::Drop => EarlyUi::Drop,
            Early::Deliver => EarlyUi::Deliver,
        },
        ..SimOptions::default()
    };
    let mut sim = Sim::new(&exts, opts)?;
    for (at, what) in &args.event {
        sim.at(*at, *what);
    }
    for at in &args.reload_ui {
        sim.at(*at, Happening::ReloadUi);
    }
    for (a, b) in &args.pause {
        sim.at(*a, Happening::Pause);
        sim.at(*b, Happening::Resume);
    }
    let started = Instant::now();
    let mut matched = false;
    let result = sim.run(args.run_for, |ev| {
        println!("{ev}");
        if let (Some(re), EventKind::Md(Record::DebugText { text, .. })) =
            (&args.until_debug_text, &ev.kind)
        {
            matched = re.is_match(text);
        }
        matched
    });
    eprintln!(
        "x4pipe sim: {:.3}s of game time, {:.3}s of session clock in {:.3}s",
        sim.game_time() as f64 / 1e6,
        sim.clock() as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    result?;
    if sim.errors() > 0 {
        return Err(RunFailed(format!("{} MD or Lua error(s), see above", sim.errors())).into());
    }
    if let Some(re) = &args.until_debug_text {
        if !matched {
            return Err(RunFailed(format!("no debug_text matched /{re}/ within the run")).into());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A run that ended, but not as it should (MD or Lua errors, no `--until-debug-text`
/// match): the scripts are what is wrong, exit 1.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RunFailed(String);

#[cfg(test)]
mod tests {
    use super::*;

    fn spelt(args: &[&str]) -> Vec<String> {
        spell_at_options(args.iter().map(OsString::from))
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect()
    }

    #[test]
    fn reload_ui_at_time_becomes_an_option_value() {
        assert_eq!(
            spelt(&["x4pipe", "sim", "--reload-ui@10s", "--reload-ui", "20s"]),
            ["x4pipe", "sim", "--reload-ui=10s", "--reload-ui", "20s"]
        );
        // Other arguments, and anything after `--`, stay as they are.
        let others = [
            "x4pipe",
            "sim",
            "--event",
            "reload-ui@5s",
            "--",
            "--reload-ui@1s",
        ];
        assert_eq!(spelt(&others), others);
    }
}
