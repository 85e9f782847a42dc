//! `x4pipe.toml`: what the user may configure, its embedded defaults, and the checks
//! that keep every value safe to put into the game's global namespaces.
//!
//! - [`model`]: the types serde reads and their defaults;
//! - [`names`]: the one table of every configurable global name (`[names]`), which
//!   the checks, the embedded-mode names and the templates' `names` map all iterate;
//! - `rules`: the checks ([`Config::check`]);
//! - `load`: reading a file ([`Config::load`]), with errors pointing at the key's line.
//!
//! Errors always name the config key (and the file and line when the value came from a
//! file), because a modder fixing a typo should not have to guess which of thirty
//! names broke the rules.

mod load;
pub mod model;
pub mod names;
mod rules;

use std::fmt;
use std::path::PathBuf;

pub use model::{
    ApiMode, Config, Extension, Project, Settings, Version, CONFIG_FILE, DEFAULT_DATE,
};
pub use names::{NameKey, NameKind, Names, NAMES};
pub use rules::{check_ext_id, check_ident, check_md_script};

/// A configuration problem, naming the key and (when read from a file) where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: Option<PathBuf>,
    pub line: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{}:{}: ", file.display(), line)?,
            (Some(file), None) => write!(f, "{}: ", file.display())?,
            _ => {}
        }
        if let Some(key) = &self.key {
            write!(f, "config key `{key}`: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Why [`Config::load`] failed: the file could not be read, or its content is bad.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read the config file {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Invalid(#[from] ConfigError),
}
