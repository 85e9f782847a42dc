//! The integration tests of x4pipe-catalog, in one binary. A new test file is
//! `tests/it/<name>.rs` plus a `mod <name>;` line here (the root package's
//! `tests/it/layout.rs` checks that none is forgotten).

mod game;
mod hostile;
mod package;
mod props;
mod roundtrip;
mod support;
