//! Every script of the vanilla MD corpus loads, and either runs or stops at its first
//! construct outside the simulated subset with the promised error.

use std::path::{Path, PathBuf};
use x4pipe_sim::engine::micros;
use x4pipe_sim::{script, Engine, Model, SimError};

fn corpus_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/md-3.x");
    assert!(
        d.is_dir(),
        "the vanilla MD corpus is missing: {}",
        d.display()
    );
    d
}

fn corpus() -> Vec<(String, String)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    assert!(files.len() >= 20, "corpus has {} files", files.len());
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// Runs a new game for an hour of game time, jumping from delay to delay.
fn run_hour(e: &mut Engine) -> Result<(), SimError> {
    e.start_new_game()?;
    let end = micros(3600.0);
    let mut frames = 0;
    while let Some(t) = e.next_timer() {
        if t > end || frames > 100_000 {
            break;
        }
        e.advance(t)?;
        frames += 1;
    }
    Ok(())
}

fn check_outcome(name: &str, r: Result<(), SimError>, stops: &mut Vec<String>) {
    match r {
        Ok(()) => {}
        Err(SimError::NotSimulated { what, pos }) => {
            assert!(!what.is_empty());
            assert!(pos.file.ends_with(".xml") && pos.line > 0, "{name}: {pos}");
            stops.push(format!("{name}: not simulated: {what} at {pos}"));
        }
        Err(other) => {
            panic!("{name}: neither ran nor stopped at a construct outside the subset: {other}")
        }
    }
}

#[test]
fn every_corpus_script_runs_or_stops_at_its_first_unsupported_construct() {
    let mut stops = Vec::new();
    let mut ran = 0;
    for (name, text) in corpus() {
        let s = script::load(&name, &text).unwrap_or_else(|e| panic!("{name} does not load: {e}"));
        let mut e = Engine::new(vec![s], Model::default()).unwrap();
        let r = run_hour(&mut e);
        if r.is_ok() {
            ran += 1;
        }
        check_outcome(&name, r, &mut stops);
    }
    // All scripts together, as the game loads them: the first stop ends the run.
    let all = corpus()
        .iter()
        .map(|(n, t)| script::load(n, t).unwrap())
        .collect();
    let mut e = Engine::new(all, Model::default()).unwrap();
    check_outcome("all", run_hour(&mut e), &mut stops);
    eprintln!(
        "corpus: {ran} ran an hour, {} stopped:\n{}",
        stops.len(),
        stops.join("\n")
    );
}
