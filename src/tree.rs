//! The files below a folder in a stable order, and their `/`-separated names relative
//! to it: how `--templates` overrides and a project's `include` folders are read.

use std::path::{Path, PathBuf};

/// Every file below `dir` (recursively), sorted. `Err` names the folder that could not
/// be listed.
pub(crate) fn list_files(dir: &Path) -> Result<Vec<PathBuf>, (PathBuf, std::io::Error)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| (d.clone(), e))?;
        for entry in entries {
            let path = entry.map_err(|e| (d.clone(), e))?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// `file` relative to `dir`, `/`-separated on every OS.
pub(crate) fn rel_name(dir: &Path, file: &Path) -> String {
    file.strip_prefix(dir)
        .unwrap_or(file)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}
