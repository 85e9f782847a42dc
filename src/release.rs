//! `x4pipe package`: the checks before an extension is packaged. The archive is
//! written by `x4pipe_catalog::package`; this makes sure the `content.xml` it ships
//! is one the game can load: well-formed and valid against x4pipe's content schema,
//! checked exactly as `x4pipe validate` checks it.

use std::path::{Path, PathBuf};

use x4pipe_files::input::{self, InputError, Origin};
use x4pipe_validate::{report, FileKind, FileReport, Format, SchemaSource, Validator};

/// Why an extension's `content.xml` cannot be packaged.
#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    /// Findings as `x4pipe validate` prints them.
    #[error("{} is not valid; nothing was packaged:\n{findings}", path.display())]
    Invalid { path: PathBuf, findings: String },
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Schema(#[from] x4pipe_validate::LoadError),
}

/// Validates `dir/content.xml` (read under x4pipe's input rule). A missing file is
/// left to the packager, which names it.
pub fn check_content(dir: &Path) -> Result<(), ContentError> {
    let path = dir.join("content.xml");
    if std::fs::symlink_metadata(&path).is_err() {
        return Ok(());
    }
    let bytes = input::read(&path, Origin::Found, x4pipe_validate::MAX_FILE_BYTES as u64)?;
    // content.xml's schema is embedded: no game schemas are needed.
    let validator = Validator::load(&SchemaSource::none())?;
    let shown = path.display().to_string();
    let diagnostics = validator.validate_bytes(&shown, &bytes, FileKind::Content);
    if !diagnostics.iter().any(|d| d.is_error()) {
        return Ok(());
    }
    let report = FileReport {
        path: path.clone(),
        kind: FileKind::Content,
        diagnostics,
        cached: false,
        source: Some(bytes),
    };
    let mut text = Vec::new();
    report::write_findings(&mut text, Format::Human, &[report], &[], false)
        .expect("writing to memory");
    Err(ContentError::Invalid {
        path,
        findings: String::from_utf8_lossy(&text).trim_end().to_string(),
    })
}
