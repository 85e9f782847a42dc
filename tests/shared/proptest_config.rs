//! The proptest settings of every property test in the workspace; each crate's tests
//! include this file by path (`#[path = ...] mod proptest_config;`).

use proptest::test_runner::{Config, RngSeed};

/// `cases` cases and the fixed `seed` (each test file has its own), unless
/// PROPTEST_CASES / PROPTEST_RNG_SEED say otherwise.
pub fn config(cases: u32, seed: u64) -> Config {
    let mut config = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(seed);
    }
    config
}
