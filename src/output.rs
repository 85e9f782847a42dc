//! Writing a rendered extension folder atomically.
//!
//! Files go to a temporary folder beside the target, which is then renamed into place,
//! so a failed or interrupted build never leaves a half-written extension. A folder
//! x4pipe made carries a manifest file; any other existing folder is only replaced with
//! `force`, because it may be the modder's own work.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::extension_files::ExtensionFiles;

/// Name of the manifest x4pipe writes into every folder it makes. It lists the files of
/// the build; `x4pipe package` leaves it out of archives.
pub const MANIFEST: &str = ".x4pipe-manifest";

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The target exists and x4pipe did not make it.
    #[error("{} exists and was not made by x4pipe (no {MANIFEST} in it); not overwriting it. Choose another --out, or pass --force to replace it", .0.display())]
    Foreign(PathBuf),
    /// A rendered path tried to leave the extension folder.
    #[error("rendered path `{0}` is not inside the extension folder")]
    BadPath(String),
    #[error("cannot write {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Write `rendered` as `out_dir/folder`, replacing an earlier x4pipe build there.
/// Returns the path of the extension folder.
pub fn write_extension(
    out_dir: &Path,
    folder: &str,
    rendered: &ExtensionFiles,
    force: bool,
) -> Result<PathBuf, OutputError> {
    let target = out_dir.join(folder);
    if target.exists() && !force && !target.join(MANIFEST).is_file() {
        return Err(OutputError::Foreign(target));
    }
    fs::create_dir_all(out_dir).map_err(io_err(out_dir))?;

    // Same parent as the target, so the final rename never crosses file systems.
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{folder}.x4pipe-new-"))
        .tempdir_in(out_dir)
        .map_err(io_err(out_dir))?;
    for (rel, bytes) in &rendered.files {
        let path = safe_join(staging.path(), rel)?;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        let mut f = fs::File::create(&path).map_err(io_err(&path))?;
        f.write_all(bytes).map_err(io_err(&path))?;
    }
    let manifest_path = staging.path().join(MANIFEST);
    fs::write(&manifest_path, manifest(rendered)).map_err(io_err(&manifest_path))?;

    // Move the old build aside first: rename cannot replace a non-empty folder.
    let old = if target.exists() {
        let aside = tempfile::Builder::new()
            .prefix(&format!(".{folder}.x4pipe-old-"))
            .tempdir_in(out_dir)
            .map_err(io_err(out_dir))?
            .keep();
        fs::remove_dir(&aside).map_err(io_err(&aside))?;
        fs::rename(&target, &aside).map_err(io_err(&target))?;
        Some(aside)
    } else {
        None
    };
    let staged = staging.keep();
    if let Err(e) = fs::rename(&staged, &target) {
        // Put the old build back so the user is left where they started.
        if let Some(old) = &old {
            let _ = fs::rename(old, &target);
        }
        let _ = fs::remove_dir_all(&staged);
        return Err(OutputError::Io {
            path: target,
            source: e,
        });
    }
    if let Some(old) = old {
        fs::remove_dir_all(&old).map_err(io_err(&old))?;
    }
    Ok(target)
}

fn manifest(rendered: &ExtensionFiles) -> String {
    let mut s = String::from("# Made by x4pipe; `x4pipe build` may replace this folder.\n");
    for rel in rendered.files.keys() {
        s.push_str(rel);
        s.push('\n');
    }
    s
}

/// `base/rel`, if `rel` passes the one shared path rule (no escape, nothing Windows
/// cannot store).
fn safe_join(base: &Path, rel: &str) -> Result<PathBuf, OutputError> {
    if x4pipe_catalog::safe_path::check(rel).is_ok() {
        Ok(base.join(rel))
    } else {
        Err(OutputError::BadPath(rel.to_string()))
    }
}
