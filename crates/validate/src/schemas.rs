//! Where the game's schemas come from: `--schemas`, `$X4PIPE_SCHEMAS`, or nowhere.

use std::path::{Path, PathBuf};

use crate::kind::FileKind;

/// The schema x4pipe writes for `content.xml` (Egosoft ships none).
pub const CONTENT_XSD: &str = include_str!("../../../schemas/content.xsd");

/// Environment variable that names schema folders when `--schemas` is not given
/// (several folders joined like `PATH`: `:` on Unix, `;` on Windows).
pub const SCHEMAS_ENV: &str = "X4PIPE_SCHEMAS";

/// How to get the game's schemas, for messages when none are configured.
pub const HOW_TO_GET_SCHEMAS: &str =
    "the game's schemas are not shipped with x4pipe: read them straight from the game with \
`x4pipe validate --game-dir <X4 folder>`, or extract them once with \
`x4pipe cat extract <X4 folder>/NN.cat --glob 'libraries/*.xsd' --glob 'ui/core/addon.xsd' --out schemas` \
(from each numbered catalog that has them), then pass --schemas schemas or set X4PIPE_SCHEMAS";

/// Which folders to look in for the game's schemas. Each folder may be a game-style
/// tree (`libraries/md.xsd`, `ui/core/addon.xsd`) or a flat folder (`md.xsd`,
/// `addon.xsd`); for each kind the first folder that has its schema wins, so the
/// schemas may be spread over several folders:
///
/// ```
/// use x4pipe_validate::SchemaSource;
/// // md.xsd + common.xsd of one game version, addon.xsd of another.
/// let source = SchemaSource::from_dirs(["../shared/x4-schemas/6.x", "../shared/x4-schemas/7.x"]);
/// assert_eq!(source.dirs().len(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchemaSource {
    dirs: Vec<PathBuf>,
    origin: SchemaOrigin,
}

/// Where a [`SchemaSource`] was decided.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SchemaOrigin {
    /// No game schemas: only well-formedness and `content.xml` are checked.
    #[default]
    None,
    /// The `--schemas` flag.
    Cli,
    /// `$X4PIPE_SCHEMAS`.
    Env,
    /// Set by a program ([`SchemaSource::from_dirs`]).
    Explicit,
}

impl SchemaSource {
    /// No game schemas.
    pub fn none() -> Self {
        SchemaSource::default()
    }

    /// Look in these folders, in order.
    pub fn from_dirs<P: Into<PathBuf>>(dirs: impl IntoIterator<Item = P>) -> Self {
        let dirs: Vec<PathBuf> = dirs.into_iter().map(Into::into).collect();
        let origin = if dirs.is_empty() {
            SchemaOrigin::None
        } else {
            SchemaOrigin::Explicit
        };
        SchemaSource { dirs, origin }
    }

    /// The CLI flag if given, else `$X4PIPE_SCHEMAS`, else none.
    pub fn discover(cli_dir: Option<&Path>) -> Self {
        match cli_dir {
            Some(dir) => Self::discover_all(&[dir.to_path_buf()]),
            None => Self::discover_all(&[]),
        }
    }

    /// Like [`discover`](Self::discover) for a repeatable `--schemas` flag.
    pub fn discover_all(cli_dirs: &[PathBuf]) -> Self {
        if !cli_dirs.is_empty() {
            return SchemaSource {
                dirs: cli_dirs.to_vec(),
                origin: SchemaOrigin::Cli,
            };
        }
        match std::env::var_os(SCHEMAS_ENV) {
            Some(value) if !value.is_empty() => SchemaSource {
                dirs: std::env::split_paths(&value)
                    .filter(|p| !p.as_os_str().is_empty())
                    .collect(),
                origin: SchemaOrigin::Env,
            },
            _ => SchemaSource::none(),
        }
    }

    pub fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }

    pub fn origin(&self) -> SchemaOrigin {
        self.origin
    }

    /// The schema file for `kind` in the configured folders, if there is one.
    /// `content.xml` always uses the embedded schema, so this is `None` for it.
    pub fn locate(&self, kind: FileKind) -> Option<PathBuf> {
        let (name, game_dir) = match kind {
            FileKind::Md => ("md.xsd", "libraries"),
            FileKind::AiScript => ("aiscripts.xsd", "libraries"),
            FileKind::Ui => ("addon.xsd", "ui/core"),
            FileKind::Content | FileKind::Other => return None,
        };
        self.dirs.iter().find_map(|dir| {
            [dir.join(game_dir).join(name), dir.join(name)]
                .into_iter()
                .find(|p| p.is_file())
        })
    }

    /// Folders that do not exist (a usage error worth stopping for).
    pub fn missing_dirs(&self) -> Vec<&Path> {
        self.dirs
            .iter()
            .filter(|d| !d.is_dir())
            .map(|d| d.as_path())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    /// The hint points at what x4pipe itself can do, not at another tool.
    #[test]
    fn the_schema_hint_names_x4pipes_own_ways() {
        let hint = super::HOW_TO_GET_SCHEMAS;
        assert!(hint.contains("x4pipe validate --game-dir"), "{hint}");
        assert!(hint.contains("x4pipe cat extract"), "{hint}");
        assert!(!hint.contains("XRCatTool"), "{hint}");
    }
}
