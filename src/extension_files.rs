//! The files of an extension as the build pipeline hands them on: rendered by
//! `render`, joined by the project's own files (`project`) and the native
//! libraries, checked by `pipeline::check`, written by `output`. A neutral type, so
//! none of those stages depends on another to name what passes between them.

use std::collections::BTreeMap;

/// Path inside the extension folder (`/`-separated) to bytes. A BTreeMap, so every
/// stage sees the files in the same order and the output is reproducible.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtensionFiles {
    pub files: BTreeMap<String, Vec<u8>>,
}
