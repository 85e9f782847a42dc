//! A mod project's own files (`project.include` of `x4pipe.toml`), read from the
//! project folder into the extension beside the files x4pipe generates.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use x4pipe_catalog::safe_path;

use crate::config::Config;
use crate::extension_files::ExtensionFiles;
use crate::tree::rel_name;
use x4pipe_files::input::{self, InputError, Origin, MAX_READ_BYTES};

/// Problems with a project's own files; each names its `project.include` key.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("config key `{key}`: {} does not exist", path.display())]
    Missing { key: String, path: PathBuf },
    #[error("config key `{key}`: the project file `{rel}` has the same path as a file x4pipe generates; rename it")]
    Collision { key: String, rel: String },
    /// A project file whose path Windows (or a catalog) cannot hold.
    #[error("config key `{key}`: the project file `{rel}` cannot be shipped: {reason}")]
    Unportable {
        key: String,
        rel: String,
        reason: String,
    },
    /// A project file refused by x4pipe's input rule, or unreadable.
    #[error("config key `{key}`: cannot take a project file into the build")]
    Input {
        key: String,
        #[source]
        source: InputError,
    },
}

/// Add the files of every `project.include` (a file or a folder, relative to
/// `project_dir`) to `files`, under their paths relative to `project_dir`. Nothing
/// for a config without `[project]`.
pub fn add_files(
    cfg: &Config,
    project_dir: &Path,
    files: &mut ExtensionFiles,
) -> Result<(), ProjectError> {
    let Some(project) = &cfg.project else {
        return Ok(());
    };
    // Which include brought each project file, for messages.
    let mut from_key: BTreeMap<String, String> = BTreeMap::new();
    for (i, inc) in project.include.iter().enumerate() {
        let key = format!("project.include[{i}]");
        let src = project_dir.join(inc);
        // x4pipe's input rule: files and folders of the project are never followed
        // through links (a link could ship /etc/passwd), pipes and devices refused.
        let meta = match std::fs::symlink_metadata(&src) {
            Ok(m) => m,
            Err(_) => return Err(ProjectError::Missing { key, path: src }),
        };
        let refused = |source| ProjectError::Input {
            key: key.clone(),
            source,
        };
        input::check_found(&src, &meta.file_type()).map_err(refused)?;
        let found = if meta.is_dir() {
            input::files_under(&src).map_err(refused)?
        } else {
            vec![src.clone()]
        };
        for file in found {
            let rel = rel_name(project_dir, &file);
            // The same rule as `package` and `cat pack` apply later, so a project that
            // builds also packs, and installs on Windows (no `md/aux.xml`).
            safe_path::check(&rel).map_err(|reason| ProjectError::Unportable {
                key: key.clone(),
                rel: rel.clone(),
                reason,
            })?;
            let bytes = input::read(&file, Origin::Found, MAX_READ_BYTES).map_err(refused)?;
            // The game's file system ignores case on Windows: `md/Named_Pipes.xml` and
            // `md/named_pipes.xml` are the same file there.
            let folded = safe_path::fold_case(&rel);
            if files
                .files
                .keys()
                .any(|k| !from_key.contains_key(k) && safe_path::fold_case(k) == folded)
            {
                return Err(ProjectError::Collision { key, rel });
            }
            from_key.insert(rel.clone(), key.clone());
            files.files.insert(rel, bytes);
        }
    }
    if let Some((a, b)) = safe_path::case_clash(from_key.keys().map(String::as_str)) {
        return Err(ProjectError::Unportable {
            key: from_key[b].clone(),
            rel: b.to_string(),
            reason: format!(
                "differs from `{a}` only in case: the two would be one file on Windows; rename one"
            ),
        });
    }
    Ok(())
}
