//! Where the game is: the X4 folder that module paths are relative to.
//!
//! In order: `--x4-dir`; the folder of the client process's executable (the game
//! itself: Linux `SO_PEERCRED` + `/proc/<pid>/exe`, Windows
//! `GetNamedPipeClientProcessId`) when it has an `extensions` folder; the folder
//! above the deepest `lua` folder in Lua's `package.path` (the original host's rule;
//! the path is empty since game 7.5, which then simply gives nothing).

use std::path::{Path, PathBuf};

/// How the X4 folder of a client was found (for the log).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Option,
    GameProcess,
    PackagePath,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Source::Option => "from --x4-dir",
            Source::GameProcess => "from the game process",
            Source::PackagePath => "from package.path",
        })
    }
}

/// The folder of the game executable, if it looks like an X4 folder.
pub fn from_exe(exe: &Path) -> Option<PathBuf> {
    let dir = exe.parent()?;
    dir.join("extensions").is_dir().then(|| dir.to_path_buf())
}

/// The X4 folder named by Lua's `package.path` (`;`-separated templates such as
/// `C:\X4\lua\?.lua`): the parent of the deepest folder called `lua` in the first
/// template that has one. Only absolute results count (a relative one would be
/// relative to the game's working folder, which the host does not know). Both `/`
/// and `\` separate folders, whatever OS the host runs on.
pub fn from_package_path(package_path: &str) -> Option<PathBuf> {
    package_path.split(';').find_map(|entry| {
        let entry = entry.trim();
        // Byte offsets of every separator; the folder before a template's file part.
        let seps: Vec<usize> = entry
            .char_indices()
            .filter(|(_, c)| *c == '/' || *c == '\\')
            .map(|(i, _)| i)
            .collect();
        // Folder components end at a separator; walk them from the deepest up.
        for w in (0..seps.len()).rev() {
            let end = seps[w];
            let start = if w == 0 { 0 } else { seps[w - 1] + 1 };
            if entry[start..end].eq_ignore_ascii_case("lua") {
                let dir = &entry[..start.saturating_sub(1)];
                let absolute = dir.starts_with('/')
                    || dir.starts_with('\\')
                    || (dir.len() >= 2 && dir.as_bytes()[1] == b':');
                return (absolute && !dir.is_empty()).then(|| PathBuf::from(dir));
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_above_lua() {
        let win = r".\?.lua;C:\Steam\steamapps\common\X4 Foundations\lua\?.lua;C:\Steam\steamapps\common\X4 Foundations\lua\?\init.lua;";
        assert_eq!(
            from_package_path(win),
            Some(PathBuf::from(r"C:\Steam\steamapps\common\X4 Foundations"))
        );
        let linux = "./?.lua;/games/x4/lua/?.lua;/games/x4/lua/?/init.lua";
        assert_eq!(from_package_path(linux), Some(PathBuf::from("/games/x4")));
        // The deepest `lua` folder wins.
        assert_eq!(
            from_package_path("/home/lua/games/X4/lua/?.lua"),
            Some(PathBuf::from("/home/lua/games/X4"))
        );
    }

    #[test]
    fn nothing_usable_gives_none() {
        assert_eq!(from_package_path(""), None); // game 7.5+
        assert_eq!(from_package_path(r".\?.lua;"), None);
        assert_eq!(from_package_path("lua/?.lua"), None); // relative
        assert_eq!(from_package_path("/lua/?.lua"), None); // no folder above
        assert_eq!(from_package_path("/x/?.lua;/y/?.so"), None);
    }

    #[test]
    fn exe_folder_counts_only_with_extensions() {
        let tmp = tempfile::tempdir().unwrap();
        let exe = tmp.path().join("X4");
        assert_eq!(from_exe(&exe), None);
        std::fs::create_dir(tmp.path().join("extensions")).unwrap();
        assert_eq!(from_exe(&exe), Some(tmp.path().to_path_buf()));
    }
}
