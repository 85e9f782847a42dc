//! Writing a rendered extension folder atomically.
//!
//! Files go to a temporary folder beside the target, which is then renamed into place
//! (x4pipe's one atomic writer, `x4pipe_files::atomic`), so a failed or interrupted
//! build never leaves a half-written extension. A folder
//! x4pipe made carries a manifest file; any other existing folder is only replaced with
//! `force`, because it may be the modder's own work.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::extension_files::ExtensionFiles;
use x4pipe_files::{StagingDir, WriteError};

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
    /// The output would replace (or sit inside) something the build reads.
    #[error("{} would replace or sit inside {what} {}, which this build reads; choose another --out", target.display(), input.display())]
    OverInput {
        target: PathBuf,
        what: String,
        input: PathBuf,
    },
    #[error(transparent)]
    Write(#[from] x4pipe_files::WriteError),
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
    // Same parent as the target, so the final rename never crosses file systems;
    // removed on error and on Ctrl-C (x4pipe_files::temps).
    let staging = StagingDir::new_in(out_dir, "build")?;
    for (rel, bytes) in &rendered.files {
        let path = safe_join(staging.path(), rel)?;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(WriteError::at(parent))?;
        }
        let mut f = fs::File::create(&path).map_err(WriteError::at(&path))?;
        f.write_all(bytes).map_err(WriteError::at(&path))?;
    }
    let manifest_path = staging.path().join(MANIFEST);
    fs::write(&manifest_path, manifest(rendered)).map_err(WriteError::at(&manifest_path))?;
    // The old build is moved aside, put back if the rename fails, deleted after.
    staging.replace(&target)?;
    Ok(target)
}

/// A build's output must not replace what the build reads. `inputs` are (what,
/// path, read folder) triples: the project folder, the config file, the
/// `--templates` and `[project] include` folders. The target must not be or contain
/// an input; it may lie inside the project (`out/`), but not inside a folder whose
/// files the build reads (the next build would read its own output).
pub fn check_not_over_inputs(
    target: &Path,
    inputs: &[(String, PathBuf, bool)],
) -> Result<(), OutputError> {
    use x4pipe_files::atomic::overlaps;
    for (what, input, read_folder) in inputs {
        if overlaps(target, input) || (*read_folder && overlaps(input, target)) {
            return Err(OutputError::OverInput {
                target: target.to_path_buf(),
                what: what.clone(),
                input: input.clone(),
            });
        }
    }
    Ok(())
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
