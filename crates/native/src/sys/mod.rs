//! The OS calls, wrapped in safe functions.
//!
//! Together with `abi.rs` this is the only place with `unsafe` code (the crate root
//! denies it everywhere else). Each OS gets one file; each wrapper documents why its
//! `unsafe` blocks are sound, and none hands raw pointers or handles upward.

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub use unix::*;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub use windows::*;
