//! Validating rendered files in memory before they are written, with the same engine
//! as `x4pipe validate`: a build never emits XML the game's schemas reject.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use x4pipe_validate::{
    report, FileKind, FileReport, Format, SchemaSource, Validator, VerdictCache,
};

use crate::extension_files::ExtensionFiles;

/// The rendered extension breaks the game's schemas; carries every finding, rendered
/// as `x4pipe validate` shows them.
#[derive(Debug, thiserror::Error)]
#[error("the rendered extension is not valid; nothing was written:\n{findings}")]
pub struct InvalidOutput {
    pub findings: String,
}

/// What a build's output was checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// Files checked against a game schema (md.xsd, addon.xsd) or x4pipe's content.xml schema.
    pub validated: Vec<String>,
    /// XML files only checked for well-formedness, for want of the game's schema.
    pub unchecked: Vec<String>,
}

impl Checked {
    /// One line for the user: what was validated, and what to do when schemas are missing.
    pub fn summary(&self) -> String {
        if self.unchecked.is_empty() {
            format!(
                "validated {} XML files against their schemas",
                self.validated.len()
            )
        } else {
            format!(
                "validated {} XML files; {} only checked for well-formedness ({}): pass --schemas DIR or set {} to a folder with the game's md.xsd/common.xsd/addon.xsd",
                self.validated.len(),
                self.unchecked.len(),
                self.unchecked.join(", "),
                x4pipe_validate::SCHEMAS_ENV
            )
        }
    }
}

/// Compile (without running) every `.lua` file of `rendered` with LuaJIT, the game's
/// Lua: a client that does not compile is never written. The findings carry LuaJIT's
/// message with the file and line (`ui/x4pipe/named_pipes.lua:3: '=' expected ...`).
/// A project's own `.lua` files are checked the same way, except precompiled LuaJIT
/// bytecode (starting with ESC `LJ`), which is not source.
pub fn check_lua(rendered: &ExtensionFiles) -> Result<(), InvalidOutput> {
    let lua = mlua::Lua::new();
    let mut findings = Vec::new();
    let source = |(p, b): &(&String, &Vec<u8>)| p.ends_with(".lua") && !b.starts_with(b"\x1bLJ");
    for (rel, bytes) in rendered.files.iter().filter(source) {
        let compiled = lua
            .load(bytes.as_slice())
            .set_name(format!("={rel}"))
            .set_mode(mlua::ChunkMode::Text)
            .into_function();
        if let Err(e) = compiled {
            let message = match e {
                mlua::Error::SyntaxError { message, .. } => message,
                other => other.to_string(),
            };
            findings.push(format!("error: {message} (LuaJIT cannot compile it)"));
        }
    }
    if findings.is_empty() {
        Ok(())
    } else {
        Err(InvalidOutput {
            findings: findings.join("\n"),
        })
    }
}

/// Validate every `.xml` file of `rendered`. Schemas come from `dirs`, else
/// `$X4PIPE_SCHEMAS`; without them, game-schema files are only checked for
/// well-formedness. Invalid output is an error carrying every finding.
///
/// Verdicts go through `x4pipe validate`'s cache (keyed by schema and file content), so
/// a rebuild whose output did not change compiles no schema at all.
pub fn check_rendered(rendered: &ExtensionFiles, dirs: &[PathBuf]) -> Result<Checked> {
    check_lua(rendered)?;
    let source = SchemaSource::discover_all(dirs);
    if let Some(missing) = source.missing_dirs().first() {
        bail!("schema folder {} does not exist", missing.display());
    }
    let validator = Validator::load(&source)?;
    let cache = VerdictCache::default_location();
    let mut checked = Checked {
        validated: Vec::new(),
        unchecked: Vec::new(),
    };
    let mut reports = Vec::new();
    for (rel, bytes) in rendered.files.iter().filter(|(p, _)| p.ends_with(".xml")) {
        let kind = FileKind::detect(Path::new(rel), bytes);
        if validator.has_schema(kind) {
            checked.validated.push(rel.clone());
        } else {
            checked.unchecked.push(rel.clone());
        }
        let (diagnostics, _) = validator.validate_cached(rel, bytes, kind, cache.as_ref());
        if diagnostics.iter().any(|d| d.is_error()) {
            reports.push(FileReport {
                path: PathBuf::from(rel),
                kind,
                diagnostics,
                cached: false,
                source: Some(bytes.clone()),
            });
        }
    }
    if !reports.is_empty() {
        let mut text = Vec::new();
        report::write_findings(&mut text, Format::Human, &reports, &[], false)?;
        return Err(InvalidOutput {
            findings: String::from_utf8_lossy(&text).trim_end().to_string(),
        }
        .into());
    }
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &[u8])]) -> ExtensionFiles {
        let mut f = ExtensionFiles::default();
        for (p, b) in list {
            f.files.insert(p.to_string(), b.to_vec());
        }
        f
    }

    #[test]
    fn lua_that_does_not_compile_is_refused_with_file_and_line() {
        assert!(check_lua(&files(&[("ui/a.lua", b"local x = 1\nreturn x\n")])).is_ok());
        let e = check_lua(&files(&[
            ("ui/a.lua", b"local x = 1\n"),
            ("ui/b.lua", b"-- ok\nlocal = 2\n"),
        ]))
        .unwrap_err();
        assert!(e.findings.contains("ui/b.lua:2:"), "{}", e.findings);
        assert!(!e.findings.contains("ui/a.lua"), "{}", e.findings);
    }

    #[test]
    fn a_projects_precompiled_lua_is_not_source_to_check() {
        // LuaJIT bytecode (`string.dump`) starts with ESC "LJ"; it is not compiled here.
        let lua = mlua::Lua::new();
        let f: mlua::Function = lua.load("return 1").into_function().unwrap();
        let bytecode = f.dump(true);
        assert!(bytecode.starts_with(b"\x1bLJ"));
        assert!(check_lua(&files(&[("ui/mod/compiled.lua", &bytecode)])).is_ok());
    }
}
