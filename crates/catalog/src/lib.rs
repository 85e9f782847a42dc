//! x4pipe-catalog: X4: Foundations `.cat/.dat` catalogs and reproducible
//! release packages.
//!
//! * [`catalog`]: open ([`Catalog::open`]), [`list`], [`extract`], [`pack`], all streaming.
//! * [`game`]: read files such as the game's XSD schemas straight out of the
//!   numbered catalogs of an installed game ([`read_game_files`]).
//! * [`package`]: byte-reproducible zip / cat release archives ([`package()`]).
//!
//! The library returns data and errors and never prints or exits: long jobs report
//! how far they are to the caller's [`Progress`], if any; the `x4pipe` binary
//! (`src/cli/cat.rs`, `src/cli/package.rs`, `src/cli/progress.rs`) owns the
//! arguments, the output and the progress bars.

pub mod catalog;
pub mod error;
pub mod filter;
pub mod game;
pub mod package;
pub mod progress;
pub mod safe_path;
pub mod walk;

pub use catalog::{
    extract, list, pack, pack_files, Catalog, Entry, ExtractOptions, ListOptions, Listed,
    PackOptions,
};
pub use error::{Error, Result};
pub use game::{
    extract_game_files, find_entry, game_catalogs, numbered_catalogs, read_game_files, GAME_SCHEMAS,
};
pub use package::{package, PackageFormat, PackageOptions};
pub use progress::{NoProgress, Progress, ProgressSink};
