//! `x4pipe build`, one way: config -> context -> templates -> files (plus the
//! project's own files and the native libraries) -> validation -> output. The stages
//! hand on [`ExtensionFiles`] and know nothing of each other.

pub mod check;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::config::{Config, CONFIG_FILE};
use crate::extension_files::ExtensionFiles;
use crate::native::{self, NativeTarget};
use crate::output;
use crate::project;
use crate::render::{self, Templates};

/// What `x4pipe build` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Explicit config file; otherwise `x4pipe.toml` in `project_dir` if present.
    pub config: Option<PathBuf>,
    /// Folder that receives the extension folder; default `<project_dir>/out`.
    pub out: Option<PathBuf>,
    /// Folder of template overrides.
    pub templates: Option<PathBuf>,
    /// Replace an existing folder x4pipe did not make.
    pub force: bool,
    /// Where relative defaults are resolved (the current folder for the CLI).
    pub project_dir: PathBuf,
    /// Folders with the game's schemas (else `$X4PIPE_SCHEMAS`); the rendered XML is
    /// validated against them before anything is written.
    pub schemas: Vec<PathBuf>,
    /// Which native libraries to bundle with the API's Lua client.
    pub target: NativeTarget,
}

/// What a build produced.
#[derive(Debug)]
pub struct BuildReport {
    pub extension_dir: PathBuf,
    pub config_file: Option<PathBuf>,
    pub files: Vec<String>,
    /// What the output was validated against, for the user to see.
    pub validation: check::Checked,
    /// Things the user should know (a native library that could not be bundled).
    pub warnings: Vec<String>,
    /// The native libraries bundled (none when the build has no Lua client, e.g. a mod
    /// that uses the standalone API).
    pub native: Vec<native::Library>,
}

/// The config file a build uses: the explicit one, or `x4pipe.toml` in `dir`, or none
/// (embedded defaults).
pub fn find_config(explicit: Option<&Path>, dir: &Path) -> Option<PathBuf> {
    match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => {
            // Anything by that name is the config: a pipe or folder named
            // x4pipe.toml is refused when read, not silently replaced by defaults.
            let candidate = dir.join(CONFIG_FILE);
            std::fs::symlink_metadata(&candidate)
                .is_ok()
                .then_some(candidate)
        }
    }
}

pub fn build(opts: &BuildOptions) -> Result<BuildReport> {
    let config_file = find_config(opts.config.as_deref(), &opts.project_dir);
    let cfg = Config::load(config_file.as_deref())?;
    let templates = Templates::load(opts.templates.as_deref())?;
    // `project.include` is relative to the config file's folder, which is not
    // `opts.project_dir` when `--config` names a file elsewhere.
    let config_dir = config_file
        .as_deref()
        .and_then(Path::parent)
        .map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        })
        .unwrap_or(&opts.project_dir);
    let out_dir = opts
        .out
        .clone()
        .unwrap_or_else(|| opts.project_dir.join("out"));
    // Outputs never overwrite inputs (`--out .. --force` naming the project itself).
    let mut inputs = vec![(
        "the project folder".to_string(),
        config_dir.to_path_buf(),
        false,
    )];
    if let Some(c) = &config_file {
        inputs.push(("the config file".into(), c.clone(), false));
    }
    if let Some(t) = &opts.templates {
        inputs.push(("the templates folder".into(), t.clone(), true));
    }
    for (i, inc) in cfg
        .project
        .iter()
        .flat_map(|p| p.include.iter())
        .enumerate()
    {
        inputs.push((
            format!("`project.include[{i}]`"),
            config_dir.join(inc),
            true,
        ));
    }
    output::check_not_over_inputs(&out_dir.join(cfg.folder()), &inputs)?;
    let mut files = extension_files(&cfg, &templates, config_dir)?;
    let mut warnings = Vec::new();
    let mut bundled = Vec::new();
    // Only a build that carries the Lua client needs the native library.
    if files.files.contains_key(&cfg.names.lua_file) {
        let (libs, w) = native::select(opts.target)?;
        warnings = w;
        for lib in &libs {
            files.files.insert(
                format!("{}/{}", cfg.names.native_dir, lib.file),
                lib.bytes.to_vec(),
            );
        }
        bundled = libs;
    }
    check_portable(&files)?;
    let validation = check::check_rendered(&files, &opts.schemas)?;
    let extension_dir = output::write_extension(&out_dir, cfg.folder(), &files, opts.force)
        .with_context(|| format!("cannot write the extension into {}", out_dir.display()))?;
    Ok(BuildReport {
        extension_dir,
        config_file,
        files: files.files.keys().cloned().collect(),
        validation,
        warnings,
        native: bundled,
    })
}

/// The files of the extension `cfg` describes, before the native libraries: what
/// the templates generate, then the project's own files (`project.include`, relative
/// to `project_dir`).
pub fn extension_files(
    cfg: &Config,
    templates: &Templates,
    project_dir: &Path,
) -> Result<ExtensionFiles> {
    let mut files = render::render_extension(cfg, templates)?;
    project::add_files(cfg, project_dir, &mut files)?;
    Ok(files)
}

/// Every file of the extension must be storable on Windows and in a catalog, and no
/// two may be one file on a case-insensitive file system (the shared rule of
/// `x4pipe_catalog::safe_path`). Project files are checked with their config key
/// earlier; this catches names derived from the config.
fn check_portable(rendered: &ExtensionFiles) -> Result<()> {
    use x4pipe_catalog::safe_path;
    let invalid = |findings: String| check::InvalidOutput { findings };
    for rel in rendered.files.keys() {
        if let Err(reason) = safe_path::check(rel) {
            return Err(invalid(format!("{rel}: {reason}")).into());
        }
    }
    if let Some((a, b)) = safe_path::case_clash(rendered.files.keys().map(String::as_str)) {
        return Err(invalid(format!(
            "{b}: differs from `{a}` only in case: the two would be one file on Windows"
        ))
        .into());
    }
    Ok(())
}
