//! The integration tests of x4pipe-validate, in one binary. A new test file is
//! `tests/it/<name>.rs` plus a `mod <name>;` line here (the root package's
//! `tests/it/layout.rs` checks that none is forgotten).

mod cache;
mod content_xml;
mod diff;
mod formats;
mod oracle;
mod props;
mod robustness;
mod support;
