//! `x4pipe new-extension`: a new pipe-enabled mod project from embedded templates.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use x4pipe_files::{StagingDir, WriteError};

use minijinja::Value;
use serde::Serialize;

use crate::config::{self, ApiMode, Config, ConfigError, Project};
use crate::render::{names_ctx, ExtCtx};

/// The project skeleton: (template name, path in the new project). `{id}` and
/// `{script}` in paths are replaced.
const FILES: &[(&str, &str, &str)] = &[
    (
        "x4pipe.toml",
        include_str!("../templates/new-extension/x4pipe.toml"),
        "x4pipe.toml",
    ),
    (
        "md/mod.xml",
        include_str!("../templates/new-extension/md/mod.xml"),
        "md/{id}.xml",
    ),
    (
        "python/mod.py",
        include_str!("../templates/new-extension/python/mod.py"),
        "python/{id}.py",
    ),
    (
        "README.md",
        include_str!("../templates/new-extension/README.md"),
        "README.md",
    ),
    (
        "gitignore",
        include_str!("../templates/new-extension/gitignore"),
        ".gitignore",
    ),
    (
        ".github/workflows/validate.yml",
        include_str!("../templates/new-extension/.github/workflows/validate.yml"),
        ".github/workflows/validate.yml",
    ),
];

/// What `x4pipe new-extension` was asked for.
#[derive(Debug, Clone)]
pub struct NewExtension {
    pub name: String,
    pub dir: PathBuf,
    pub author: String,
    pub description: Option<String>,
    pub api: ApiMode,
    pub force: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error(transparent)]
    Name(ConfigError),
    #[error("{} is not empty; choose another --dir, or pass --force to write the project into it (files of the same name are replaced)", .0.display())]
    NotEmpty(PathBuf),
    #[error("new-extension template: {0}")]
    Template(String),
    #[error(transparent)]
    Write(#[from] x4pipe_files::WriteError),
}

#[derive(Serialize)]
struct Ctx<'a> {
    ext: ExtCtx<'a>,
    names: BTreeMap<&'static str, &'a str>,
    api: &'static str,
    script: String,
    pipe: &'a str,
    x4pipe_version: &'static str,
}

/// The MD script name of the mod itself: the id in `Title_Case`, kept clear of the
/// API's own script names.
pub fn mod_script_name(id: &str, cfg: &Config) -> String {
    let mut name: String = id
        .split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("_");
    if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
        name = format!("Mod_{name}");
    }
    if name == cfg.names.md_pipes || name == cfg.names.md_host || name.len() < 2 {
        name.push_str("_Mod");
    }
    name
}

/// Check the name, render every file, and write the project. Returns the files written
/// (relative to the project folder).
pub fn new_extension(req: &NewExtension) -> Result<Vec<String>, ScaffoldError> {
    config::check_ext_id("NAME", &req.name).map_err(|mut e| {
        e.key = None;
        e.message = format!("NAME is not a valid extension id: {}", e.message);
        if req.name.is_empty() {
            e.message =
                "NAME is empty: give the extension id, e.g. `x4pipe new-extension my_mod`".into();
        }
        ScaffoldError::Name(e)
    })?;

    let mut cfg = Config::default();
    cfg.extension.id = req.name.clone();
    cfg.extension.name = req.name.clone();
    cfg.extension.author = req.author.clone();
    cfg.extension.description = req
        .description
        .clone()
        .unwrap_or_else(|| "An X4 mod that talks to Python over named pipes.".into());
    cfg.project = Some(Project {
        api: req.api,
        include: vec!["md".into(), "python".into()],
        api_id: Config::default().extension.id,
        api_version: Config::default().extension.version,
    });
    let derived = match req.api {
        ApiMode::Embedded => cfg.derive_embedded_names(&[]),
        ApiMode::Standalone => Vec::new(),
    };
    cfg.check_derived(&derived).map_err(|mut e| {
        // The values came from this command line: name them as the user gave them.
        let given = match e.key.as_deref() {
            Some("extension.id") => Some("NAME"),
            Some("extension.author") => Some("--author"),
            Some("extension.description") => Some("--description"),
            _ => None,
        };
        if let Some(given) = given {
            e.key = None;
            e.message = format!("{given}: {}", e.message);
        }
        ScaffoldError::Name(e)
    })?;

    let files = render(&cfg, req.api)?;
    check_rendered(&files)?;
    write_project(&req.dir, &files, req.force)?;
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

fn render(cfg: &Config, api: ApiMode) -> Result<Vec<(String, String)>, ScaffoldError> {
    let env = crate::render::environment();
    let id = cfg.extension.id.as_str();
    let script = mod_script_name(id, cfg);
    let ctx = Value::from_serialize(Ctx {
        ext: ExtCtx::of(cfg),
        names: names_ctx(cfg),
        api: match api {
            ApiMode::Standalone => "standalone",
            ApiMode::Embedded => "embedded",
        },
        script: script.clone(),
        pipe: id,
        x4pipe_version: env!("CARGO_PKG_VERSION"),
    });
    let mut out = Vec::new();
    for (name, src, path) in FILES {
        let text = env
            .render_str(src, &ctx)
            .map_err(|e| ScaffoldError::Template(format!("{name}: {e}")))?;
        out.push((path.replace("{id}", id).replace("{script}", &script), text));
    }
    Ok(out)
}

/// Each rendered file must read back as what it is before anything is written: the
/// project's x4pipe.toml loads (and passes every config check), the MD parses as XML.
/// (Python has no parser here; its values go through `py_str`/`py_doc`, which
/// `tests/it/escaping.rs` checks with python3.)
fn check_rendered(files: &[(String, String)]) -> Result<(), ScaffoldError> {
    for (path, text) in files {
        let problem = if path == config::CONFIG_FILE {
            Config::from_toml_str(text, Path::new(path))
                .err()
                .map(|e| e.to_string())
        } else if path.ends_with(".xml") {
            roxmltree::Document::parse(text)
                .err()
                .map(|e| e.to_string())
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(ScaffoldError::Template(format!(
                "{path} does not read back: {problem}"
            )));
        }
    }
    Ok(())
}

fn write_project(dir: &Path, files: &[(String, String)], force: bool) -> Result<(), ScaffoldError> {
    let exists = dir.exists();
    if exists {
        let non_empty = fs::read_dir(dir)
            .map_err(WriteError::at(dir))?
            .next()
            .is_some();
        if non_empty && !force {
            return Err(ScaffoldError::NotEmpty(dir.to_path_buf()));
        }
    }
    // Render everything into a staging folder first (x4pipe's one atomic writer):
    // a failure or Ctrl-C leaves nothing behind.
    let staging = StagingDir::beside(dir, "new-extension")?;
    for (rel, text) in files {
        let path = staging.path().join(rel);
        if let Some(p) = path.parent() {
            fs::create_dir_all(p).map_err(WriteError::at(p))?;
        }
        fs::write(&path, text).map_err(WriteError::at(&path))?;
    }
    if !exists {
        staging.replace(dir)?;
        return Ok(());
    }
    // --force into an existing folder: each file over its namesake, never through a
    // linked subfolder (checked for every file before any is moved).
    let rels: Vec<String> = files.iter().map(|(rel, _)| rel.clone()).collect();
    staging.merge_into(dir, &rels)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_files_that_do_not_read_back_are_refused() {
        let good = |p: &str, t: &str| (p.to_string(), t.to_string());
        assert!(
            check_rendered(&[good("md/a.xml", "<mdscript/>"), good("x4pipe.toml", "")]).is_ok()
        );
        let e = check_rendered(&[good("md/a.xml", "<a><!-- x -- y --></a>")]).unwrap_err();
        assert!(e.to_string().contains("md/a.xml"), "{e}");
        let e = check_rendered(&[good("x4pipe.toml", "[extension]\ndate = \"2026-02-31\"\n")])
            .unwrap_err();
        assert!(e.to_string().contains("extension.date"), "{e}");
    }
}
