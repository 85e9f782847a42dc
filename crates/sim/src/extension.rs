//! A built extension folder as the game reads it: `content.xml`, `md/*.xml` and the
//! Lua files that `ui.xml` lists.

use crate::error::SimError;
use std::path::{Path, PathBuf};
use x4pipe_files::input::{self, InputError, Origin, MAX_READ_BYTES};

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

/// Reads a file of the extension under x4pipe's input rule (`x4pipe_files::input`):
/// a regular file, never a link out of the extension, size capped.
pub(crate) fn read_text(path: &Path) -> Result<String, SimError> {
    input::read_text(path, Origin::Found, MAX_READ_BYTES).map_err(|e| refused(path, e))
}

fn refused(path: &Path, e: InputError) -> SimError {
    match e {
        InputError::Io { source, .. } => err(path, format!("cannot read: {source}")),
        // The rule's message starts with the path, which SimError shows itself.
        other => {
            let text = other.to_string();
            let prefix = format!("{}: ", path.display());
            err(path, text.strip_prefix(&prefix).unwrap_or(&text))
        }
    }
}

/// Whether a file of the extension exists under this name (as anything: what it
/// is, the input rule decides when it is read).
fn present(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// A `<file name=...>` of ui.xml must stay inside the extension: relative, no `..`,
/// no drive or stream (`:`).
fn inside(name: &str) -> bool {
    let name = name.replace('\\', "/");
    !name.starts_with('/')
        && !name.contains(':')
        && name
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..")
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
    if present(&content) {
        let text = read_text(&content)?;
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
            let e = e.map_err(|e| err(&md, format!("cannot list: {e}")))?;
            let p = e.path();
            if !p.extension().is_some_and(|x| x.eq_ignore_ascii_case("xml")) {
                continue;
            }
            let ft = e
                .file_type()
                .map_err(|e| err(&p, format!("cannot read: {e}")))?;
            // A link or a pipe named *.xml is refused, not skipped or followed.
            input::check_found(&p, &ft).map_err(|e| refused(&p, e))?;
            if ft.is_file() {
                md_files.push(p);
            }
        }
    }
    md_files.sort_by_key(|p| p.file_name().map(|n| n.to_string_lossy().to_lowercase()));
    let mut lua_files = Vec::new();
    let ui = dir.join("ui.xml");
    if present(&ui) {
        let text = read_text(&ui)?;
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
                if !inside(name) {
                    return Err(err(
                        &ui,
                        format!("line {line}: {name} is not a path inside the extension"),
                    ));
                }
                let path = dir.join(name.replace('\\', "/"));
                if !present(&path) {
                    return Err(err(&ui, format!("line {line}: {name} does not exist")));
                }
                // Checked now (a regular file, not a link); read when the Lua loads.
                input::open(&path, Origin::Found).map_err(|e| refused(&path, e))?;
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
