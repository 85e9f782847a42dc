//! Which module files may run: a registered path is relative to the X4 folder and must
//! resolve, after every symlink, to a file inside `<X4>/extensions/<folder>/`. The
//! extension's id (from its `content.xml`) is what the player allows.

use std::path::{Path, PathBuf};

/// A module that passed the path rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Module {
    /// The path as registered (for the log).
    pub registered: String,
    /// The module file, symlinks resolved: the identity of the module (a module
    /// registered twice, by any client and under any spelling, runs once).
    pub file: PathBuf,
    /// The extension folder, symlinks resolved.
    pub ext_dir: PathBuf,
    /// The `id` of the extension's `content.xml`.
    pub ext_id: String,
}

/// Why a path was refused (one line for the log).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

fn refuse<T>(why: impl Into<String>) -> Result<T, Refused> {
    Err(Refused(why.into()))
}

/// A canonical path as players know it: Windows' `canonicalize` gives verbatim paths
/// (`\\?\C:\...`); a plain drive path means the same and reads better in the log.
pub fn plain(path: PathBuf) -> PathBuf {
    let shorter = path
        .to_str()
        .and_then(|t| t.strip_prefix(r"\\?\"))
        .filter(|rest| rest.as_bytes().get(1) == Some(&b':'))
        .map(PathBuf::from);
    shorter.unwrap_or(path)
}

/// Checks `registered` against the rules and finds its extension.
pub fn resolve(x4: &Path, registered: &str) -> Result<Module, Refused> {
    let raw = registered.trim();
    if raw.starts_with('/') || raw.starts_with('\\') {
        return refuse("absolute paths are not allowed; register a path relative to the X4 folder, like extensions/<folder>/<file>.py");
    }
    if raw.contains(':') {
        return refuse(
            "drive letters (and `:`) are not allowed; register a path relative to the X4 folder",
        );
    }
    let parts: Vec<&str> = raw
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.contains(&"..") {
        return refuse("`..` is not allowed in module paths");
    }
    if parts.len() < 3 || !parts[0].eq_ignore_ascii_case("extensions") {
        return refuse("a module must be a file inside extensions/<folder>/");
    }
    let ext_link = x4.join(parts[0]).join(parts[1]);
    let ext_dir = ext_link.canonicalize().map(plain).or_else(|e| {
        refuse(format!(
            "extension folder {} not found ({e})",
            ext_link.display()
        ))
    })?;
    let joined = parts[2..]
        .iter()
        .fold(ext_link.clone(), |path, part| path.join(part));
    let file = joined
        .canonicalize()
        .map(plain)
        .or_else(|e| refuse(format!("{} not found ({e})", joined.display())))?;
    if !file.starts_with(&ext_dir) {
        return refuse(format!(
            "it resolves to {}, outside its extension folder {} (a symlink out of the extension)",
            file.display(),
            ext_dir.display()
        ));
    }
    if !file.is_file() {
        return refuse(format!("{} is not a file", file.display()));
    }
    let ext_id = extension_id(&ext_dir)?;
    Ok(Module {
        registered: registered.to_owned(),
        file,
        ext_dir,
        ext_id,
    })
}

/// The `id` attribute of `<content>` in the extension's `content.xml`.
fn extension_id(ext_dir: &Path) -> Result<String, Refused> {
    let path = ext_dir.join("content.xml");
    let text = std::fs::read_to_string(&path)
        .or_else(|e| refuse(format!("cannot read {} ({e})", path.display())))?;
    let doc = roxmltree::Document::parse(&text)
        .or_else(|e| refuse(format!("{}: {e}", path.display())))?;
    let root = doc.root_element();
    match root.attribute("id") {
        Some(id) if root.has_tag_name("content") && !id.trim().is_empty() => {
            Ok(id.trim().to_owned())
        }
        _ => refuse(format!("{} has no <content id=\"...\">", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x4() -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        let ext = tmp.path().join("extensions/my_mod/python");
        std::fs::create_dir_all(&ext).unwrap();
        std::fs::write(ext.join("mod.py"), "def main(): pass\n").unwrap();
        std::fs::write(
            tmp.path().join("extensions/my_mod/content.xml"),
            r#"<?xml version="1.0"?><content id="my_mod_id" name="x" version="100"/>"#,
        )
        .unwrap();
        tmp
    }

    fn why(x4: &Path, p: &str) -> String {
        resolve(x4, p).unwrap_err().0
    }

    #[test]
    fn a_module_inside_its_extension() {
        let tmp = x4();
        let m = resolve(tmp.path(), "extensions/my_mod/python/mod.py").unwrap();
        assert_eq!(m.ext_id, "my_mod_id");
        assert!(m.file.ends_with("python/mod.py"));
        // Another spelling of the same file is the same module.
        let again = resolve(tmp.path(), r"extensions\my_mod\.\python//mod.py").unwrap();
        assert_eq!(again.file, m.file);
    }

    #[test]
    fn escaping_paths_are_refused() {
        let tmp = x4();
        let x = tmp.path();
        assert!(why(x, "extensions/my_mod/../other/x.py").contains("`..`"));
        assert!(why(x, "/etc/passwd").contains("absolute"));
        assert!(why(x, r"\\server\share\x.py").contains("absolute"));
        assert!(why(x, r"C:\x.py").contains("drive letter"));
        assert!(why(x, "c:extensions/my_mod/python/mod.py").contains("drive letter"));
        assert!(why(x, "python/mod.py").contains("inside extensions/"));
        assert!(why(x, "extensions/my_mod").contains("inside extensions/"));
        assert!(why(x, "extensions/missing/x.py").contains("not found"));
        assert!(why(x, "extensions/my_mod/python/none.py").contains("not found"));
        assert!(why(x, "extensions/my_mod/python").contains("not a file"));
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_out_of_the_extension_is_refused_but_a_linked_extension_is_fine() {
        let tmp = x4();
        let outside = tmp.path().join("outside.py");
        std::fs::write(&outside, "").unwrap();
        let link = tmp.path().join("extensions/my_mod/python/evil.py");
        std::os::unix::fs::symlink(&outside, &link).unwrap();
        assert!(
            why(tmp.path(), "extensions/my_mod/python/evil.py").contains("outside its extension")
        );
        // A modder's extension folder that is itself a symlink to a work folder.
        let work = tempfile::tempdir().unwrap();
        std::fs::create_dir(work.path().join("py")).unwrap();
        std::fs::write(work.path().join("py/m.py"), "").unwrap();
        std::fs::write(work.path().join("content.xml"), r#"<content id="linked"/>"#).unwrap();
        std::os::unix::fs::symlink(work.path(), tmp.path().join("extensions/linked")).unwrap();
        let m = resolve(tmp.path(), "extensions/linked/py/m.py").unwrap();
        assert_eq!(m.ext_id, "linked");
    }

    #[test]
    fn verbatim_drive_paths_are_shown_plain() {
        assert_eq!(
            plain(PathBuf::from(r"\\?\C:\X4\extensions")),
            PathBuf::from(r"C:\X4\extensions")
        );
        assert_eq!(
            plain(PathBuf::from(r"\\?\UNC\srv\x")),
            PathBuf::from(r"\\?\UNC\srv\x")
        );
        assert_eq!(
            plain(PathBuf::from("/games/x4")),
            PathBuf::from("/games/x4")
        );
    }

    #[test]
    fn content_xml_without_id_is_refused() {
        let tmp = x4();
        std::fs::write(
            tmp.path().join("extensions/my_mod/content.xml"),
            "<content/>",
        )
        .unwrap();
        assert!(why(tmp.path(), "extensions/my_mod/python/mod.py").contains("no <content id"));
        std::fs::remove_file(tmp.path().join("extensions/my_mod/content.xml")).unwrap();
        assert!(why(tmp.path(), "extensions/my_mod/python/mod.py").contains("cannot read"));
    }
}
