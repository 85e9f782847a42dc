//! The integration tests of x4pipe-native, in one binary. A new test file is
//! `tests/it/<name>.rs` plus a `mod <name>;` line here (the root package's
//! `tests/it/layout.rs` checks that none is forgotten).

#[cfg(unix)]
mod linux;
mod pipe;
mod support;
