//! x4pipe: build, validate and package X4: Foundations extensions that talk to external
//! processes over named pipes.
//!
//! The binary is a thin layer over these modules; each does one thing:
//! - [`config`]: `x4pipe.toml`, its defaults and the checks on every value;
//! - [`render`]: the minijinja templates of the Named Pipes API extension;
//! - [`escape`]: escaping values for XML, MD and Lua;
//! - [`output`]: writing an extension folder atomically;
//! - [`pipeline`]: the `x4pipe build` pipeline tying them together ([`pipeline::check`]
//!   validates the rendered files before anything is written);
//! - [`scaffold`]: `x4pipe new-extension`, a new mod project.

pub mod config;
pub mod escape;
pub mod game;
pub mod native;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod scaffold;
