//! Output files appear whole or not at all: we write a temporary file in the
//! destination folder (same filesystem, so the final rename is atomic) and
//! rename it over the destination only after everything succeeded. A dropped
//! temporary file deletes itself, so errors leave nothing half-written.

use crate::error::{Error, Result};
use std::path::Path;
use tempfile::NamedTempFile;

/// A temporary file next to `dest`.
pub(crate) fn temp_beside(dest: &Path) -> Result<NamedTempFile> {
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(Error::io(dir))?;
    tempfile::Builder::new()
        .prefix(".x4pipe-tmp-")
        .tempfile_in(dir)
        .map_err(Error::io(dir))
}

/// Flushes `tmp` to disk and renames it to `dest`.
pub(crate) fn persist(tmp: NamedTempFile, dest: &Path) -> Result<()> {
    tmp.as_file().sync_all().map_err(Error::io(tmp.path()))?;
    // tempfile creates 0600 files; a release artefact should be readable by all.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let perms = std::fs::Permissions::from_mode(0o644);
        std::fs::set_permissions(tmp.path(), perms).map_err(Error::io(tmp.path()))?;
    }
    tmp.persist(dest).map_err(|e| Error::Io {
        path: dest.to_path_buf(),
        source: e.error,
    })?;
    Ok(())
}
