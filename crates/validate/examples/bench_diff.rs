//! Benchmark (not a test): diff patches checked against their game files, cold
//! and warm, beside plain schema validation of as many whole files, in one
//! process with the same schemas. `scripts/bench-diff.sh` makes the inputs.
//!
//! `bench_diff SCHEMA_DIR GAME_DIR PATCH_DIR WHOLE_DIR [RUNS]`
//!
//! - cold: an empty verdict cache, so every run compiles the schema and applies
//!   and validates everything (what a first `x4pipe validate` does);
//! - warm: the cache filled by a run before, so nothing is compiled.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use x4pipe_validate::patch::{check_patch_files, DirLookup};
use x4pipe_validate::{collect_files, validate_files, SchemaPlan, SchemaSource, VerdictCache};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 4 {
        eprintln!("usage: bench_diff SCHEMA_DIR GAME_DIR PATCH_DIR WHOLE_DIR [RUNS]");
        std::process::exit(2);
    }
    let runs: usize = args.get(4).and_then(|r| r.parse().ok()).unwrap_or(5);
    let plan = SchemaPlan::load(&SchemaSource::from_dirs([&args[0]])).expect("schemas");
    let lookup = DirLookup::new(&args[1]).expect("game folder");
    let xml = |dir: &str| -> Vec<PathBuf> {
        collect_files(&[PathBuf::from(dir)])
            .0
            .into_iter()
            .filter(|p| !p.ends_with("content.xml"))
            .collect()
    };
    let patches = xml(&args[2]);
    let whole = xml(&args[3]);
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "{} patch files, {} whole files; {runs} runs each; {jobs} threads available",
        patches.len(),
        whole.len()
    );
    // One run to show the verdicts are what the benchmark claims.
    let (reports, extra) = check_patch_files(&plan, &patches, &lookup, None, jobs);
    let invalid = reports.iter().filter(|r| !r.is_valid()).count();
    println!(
        "patches: {invalid} invalid, {} findings about game files",
        extra.len()
    );
    let plain = validate_files(&plan, &whole, None, jobs);
    println!(
        "whole files: {} invalid",
        plain.iter().filter(|r| !r.is_valid()).count()
    );

    let cache_root = std::env::temp_dir().join(format!("x4pipe-bench-diff-{}", std::process::id()));
    let fresh_cache = |n: usize| VerdictCache::at(cache_root.join(format!("cold-{n}")));
    let warm_patches = VerdictCache::at(cache_root.join("warm-patches"));
    let warm_whole = VerdictCache::at(cache_root.join("warm-whole"));
    check_patch_files(&plan, &patches, &lookup, Some(&warm_patches), jobs);
    validate_files(&plan, &whole, Some(&warm_whole), jobs);

    let mut rows: Vec<(&str, Vec<Duration>)> = Vec::new();
    let mut time = |name: &'static str, f: &mut dyn FnMut(usize)| {
        let mut t = Vec::new();
        for n in 0..runs {
            let start = Instant::now();
            f(n);
            t.push(start.elapsed());
        }
        rows.push((name, t));
    };
    time("patches, cold (apply + validate the result)", &mut |n| {
        check_patch_files(&plan, &patches, &lookup, Some(&fresh_cache(n)), jobs);
    });
    time("patches, warm (verdict cache)", &mut |_| {
        check_patch_files(&plan, &patches, &lookup, Some(&warm_patches), jobs);
    });
    time("whole files, cold (validate)", &mut |n| {
        validate_files(&plan, &whole, Some(&fresh_cache(runs + n)), jobs);
    });
    time("whole files, warm (verdict cache)", &mut |_| {
        validate_files(&plan, &whole, Some(&warm_whole), jobs);
    });
    let _ = std::fs::remove_dir_all(&cache_root);

    println!(
        "\n| what ({} files each) | mean | min | max |",
        patches.len()
    );
    println!("|:---|---:|---:|---:|");
    for (name, t) in rows {
        let secs: Vec<f64> = t.iter().map(Duration::as_secs_f64).collect();
        let mean = secs.iter().sum::<f64>() / secs.len() as f64;
        let min = secs.iter().cloned().fold(f64::INFINITY, f64::min);
        let max = secs.iter().cloned().fold(0.0, f64::max);
        println!("| {name} | {mean:.3} s | {min:.3} s | {max:.3} s |");
    }
}
