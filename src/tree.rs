//! The `/`-separated names of files relative to a folder, for `--templates` overrides
//! and a project's `include` folders (listed by `x4pipe_files::input::files_under`,
//! x4pipe's one input rule).

use std::path::Path;

/// `file` relative to `dir`, `/`-separated on every OS.
pub(crate) fn rel_name(dir: &Path, file: &Path) -> String {
    file.strip_prefix(dir)
        .unwrap_or(file)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}
