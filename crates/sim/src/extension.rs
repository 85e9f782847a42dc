//! A built extension folder as the game reads it: `content.xml`, `md/*.xml` and the
//! Lua files that `ui.xml` lists.

use crate::error::SimError;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
pub struct Extension {
    pub dir: PathBuf,
    /// `content.xml`'s id, else the folder name.
    pub id: String,
    /// MD files, sorted by lower-cased file name.
    pub md_files: Vec<PathBuf>,
    /// Lua files in `ui.xml` order.
    pub lua_files: Vec<PathBuf>,
}

fn err(path: &Path, msg: impl Into<String>) -> SimError {
    SimError::Extension {
        path: path.display().to_string(),
        msg: msg.into(),
    }
}

fn read_xml(path: &Path) -> Result<String, SimError> {
    std::fs::read_to_string(path).map_err(|e| err(path, format!("cannot read: {e}")))
}

/// Reads the folder of one extension.
pub fn load(dir: &Path) -> Result<Extension, SimError> {
    if !dir.is_dir() {
        return Err(err(dir, "not a folder"));
    }
    let mut id = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let content = dir.join("content.xml");
    if content.is_file() {
        let text = read_xml(&content)?;
        let doc = roxmltree::Document::parse(&text)
            .map_err(|e| err(&content, format!("not well-formed XML: {e}")))?;
        if let Some(i) = doc.root_element().attribute("id") {
            id = i.to_owned();
        }
    }
    let mut md_files = Vec::new();
    let md = dir.join("md");
    if md.is_dir() {
        let entries = std::fs::read_dir(&md).map_err(|e| err(&md, format!("cannot list: {e}")))?;
        for e in entries {
            let p = e.map_err(|e| err(&md, format!("cannot list: {e}")))?.path();
            if p.extension().is_some_and(|x| x.eq_ignore_ascii_case("xml")) && p.is_file() {
                md_files.push(p);
            }
        }
    }
    md_files.sort_by_key(|p| p.file_name().map(|n| n.to_string_lossy().to_lowercase()));
    let mut lua_files = Vec::new();
    let ui = dir.join("ui.xml");
    if ui.is_file() {
        let text = read_xml(&ui)?;
        let doc = roxmltree::Document::parse(&text)
            .map_err(|e| err(&ui, format!("not well-formed XML: {e}")))?;
        for env in doc
            .root_element()
            .children()
            .filter(|n| n.has_tag_name("environment"))
        {
            for f in env.children().filter(|n| n.has_tag_name("file")) {
                let line = doc.text_pos_at(f.range().start).row;
                let Some(name) = f.attribute("name") else {
                    return Err(err(&ui, format!("line {line}: <file> without name")));
                };
                let path = dir.join(name.replace('\\', "/"));
                if !path.is_file() {
                    return Err(err(&ui, format!("line {line}: {name} does not exist")));
                }
                lua_files.push(path);
            }
        }
    }
    if md_files.is_empty() && lua_files.is_empty() {
        return Err(err(
            dir,
            "no md/*.xml and no ui.xml: not a built extension (run `x4pipe build` first)",
        ));
    }
    Ok(Extension {
        dir: dir.to_owned(),
        id,
        md_files,
        lua_files,
    })
}
