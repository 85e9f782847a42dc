//! x4pipe: build, validate and package X4: Foundations extensions that talk to external
//! processes over named pipes.
//!
//! The binary (`src/main.rs`, `src/cli/`) is a thin layer over these modules; each
//! does one thing, and none prints or exits (docs/architecture.md maps them):
//! - [`config`]: `x4pipe.toml`, its defaults and the checks on every value;
//! - [`render`]: the minijinja templates: the config as their context, the generated
//!   files as [`ExtensionFiles`];
//! - [`project`]: a mod project's own files, added to the generated ones;
//! - [`extension_files`]: [`ExtensionFiles`], what the build stages hand on (path to
//!   bytes, ordered);
//! - [`escape`]: escaping values for XML, MD, Lua, Python and one-line comments;
//! - [`output`]: writing an extension folder atomically;
//! - [`native`]: the native pipe libraries embedded by `build.rs`, and which to bundle
//!   ([`native::targets`]: the one table of targets and the library's name, which
//!   `build.rs` compiles too);
//! - [`pipeline`]: the `x4pipe build` pipeline tying them together, one way: config ->
//!   context -> templates -> files -> validation ([`pipeline::check`]) -> output;
//! - [`release`]: the checks `x4pipe package` runs before packaging (content.xml);
//! - [`scaffold`]: `x4pipe new-extension`, a new mod project;
//! - [`game`]: the game's schemas read from an installed game's catalogs;
//! - `tree` (private): `/`-separated relative names, for template overrides and
//!   project includes.

pub mod config;
pub mod escape;
pub mod extension_files;
pub mod game;
pub mod native;
pub mod output;
pub mod pipeline;
pub mod project;
pub mod release;
pub mod render;
pub mod scaffold;
mod tree;

pub use extension_files::ExtensionFiles;
