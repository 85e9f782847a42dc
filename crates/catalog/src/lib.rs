//! x4pipe-catalog: X4: Foundations `.cat/.dat` catalogs and reproducible
//! release packages.
//!
//! * [`catalog`]: list ([`Catalog::open`]), [`extract`], [`pack`], all streaming.
//! * [`game`]: read files such as the game's XSD schemas straight out of the
//!   numbered catalogs of an installed game ([`read_game_files`]).
//! * [`package`]: byte-reproducible zip / cat release archives ([`package()`]).
//! * [`cli`]: clap arguments and `run_*` entry points for the root binary.

pub mod catalog;
pub mod cli;
pub mod error;
pub mod filter;
pub mod game;
pub mod package;
pub mod safe_path;
pub mod walk;

mod atomic;
mod progress;

pub use catalog::{extract, pack, pack_files, Catalog, Entry, ExtractOptions, PackOptions};
pub use cli::{run_cat, run_package, CatArgs, CatCommand, PackageArgs};
pub use error::{Error, Result};
pub use game::{
    extract_game_files, find_entry, game_catalogs, numbered_catalogs, read_game_files, GAME_SCHEMAS,
};
pub use package::{package, PackageFormat, PackageOptions};
