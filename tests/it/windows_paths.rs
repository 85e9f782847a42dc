//! Windows file-system facts, checked by the one shared path rule
//! (`x4pipe_catalog::safe_path`) in every command, on every OS: what `build` accepts,
//! `package` and `cat pack` accept too, and the result can be stored on Windows.
//! (The Windows binary itself runs the same commands under Wine in `windows_cli.rs`.)

use std::fs;
use std::path::Path;

use crate::support::{stderr, x4pipe};

/// A mod project with the API embedded and the given project files.
fn project(dir: &Path, toml_include: &str, files: &[&str]) {
    for f in files {
        let p = dir.join(f);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<mdscript name=\"My_Mod\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"md.xsd\"><cues/></mdscript>\n").unwrap();
    }
    fs::write(
        dir.join("x4pipe.toml"),
        format!("[extension]\nid = \"my_mod\"\n\n[project]\napi = \"embedded\"\ninclude = {toml_include}\n"),
    )
    .unwrap();
}

#[test]
fn build_refuses_a_device_name_that_package_would_refuse() {
    let tmp = tempfile::tempdir().unwrap();
    project(tmp.path(), r#"["md"]"#, &["md/my_mod.xml", "md/aux.xml"]);
    let o = x4pipe(tmp.path(), &["build", "--target", "linux"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("config key `project.include[0]`"), "{err}");
    assert!(err.contains("md/aux.xml"), "{err}");
    assert!(err.contains("Windows device name"), "{err}");
    assert!(!tmp.path().join("out").exists());

    // Without it the project builds, and `package` takes what `build` wrote.
    fs::remove_file(tmp.path().join("md/aux.xml")).unwrap();
    let o = x4pipe(tmp.path(), &["build", "--target", "linux"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = x4pipe(
        tmp.path(),
        &["package", "out/my_mod", "--out", "my_mod.zip"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn device_names_in_config_values_are_refused_naming_the_key() {
    for (toml, key) in [
        ("[extension]\nid = \"aux\"\n", "extension.id"),
        ("[extension]\nfolder = \"Nul\"\n", "extension.folder"),
        ("[names]\nmd_pipes = \"Com1\"\n", "names.md_pipes"),
        ("[names]\nnative_dir = \"ui/con\"\n", "names.native_dir"),
        ("[names]\nlua_file = 'ui\\lpt1.lua'\n", "names.lua_file"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("x4pipe.toml"), toml).unwrap();
        let o = x4pipe(tmp.path(), &["build", "--target", "linux"]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{toml}: {err}");
        assert!(
            err.contains(&format!("config key `{key}`")),
            "{toml}: {err}"
        );
        assert!(err.contains("Windows device name"), "{toml}: {err}");
        assert!(!tmp.path().join("out").exists());
    }
}

#[test]
fn project_files_differing_only_in_case_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    project(
        tmp.path(),
        r#"["md"]"#,
        &["md/my_mod.xml", "md/Helper.xml", "md/helper.xml"],
    );
    let o = x4pipe(tmp.path(), &["build", "--target", "linux"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("config key `project.include[0]`"), "{err}");
    assert!(
        err.contains("`md/Helper.xml`") && err.contains("md/helper.xml"),
        "{err}"
    );
    assert!(err.contains("only in case"), "{err}");
    assert!(!tmp.path().join("out").exists());

    // `cat pack` and `package` apply the same rule to a folder.
    let o = x4pipe(tmp.path(), &["cat", "pack", "md", "--out", "x.cat"]);
    let err = stderr(&o);
    assert_ne!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("only in case"), "{err}");
    assert!(!tmp.path().join("x.cat").exists());
}

#[test]
fn windows_separators_and_crlf_in_x4pipe_toml_build_the_same_extension() {
    let unix = tempfile::tempdir().unwrap();
    project(
        unix.path(),
        r#"["md", "extra/sub"]"#,
        &["md/my_mod.xml", "extra/sub/data.xml"],
    );
    let win = tempfile::tempdir().unwrap();
    project(
        win.path(),
        r#"['md', 'extra\sub']"#,
        &["md/my_mod.xml", "extra/sub/data.xml"],
    );
    let toml = win.path().join("x4pipe.toml");
    let crlf = fs::read_to_string(&toml).unwrap().replace('\n', "\r\n");
    fs::write(&toml, crlf).unwrap();
    for d in [unix.path(), win.path()] {
        let o = x4pipe(d, &["build", "--target", "linux"]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    assert_eq!(
        crate::build_cli::tree(&unix.path().join("out")),
        crate::build_cli::tree(&win.path().join("out"))
    );
    assert!(unix.path().join("out/my_mod/extra/sub/data.xml").is_file());

    // A drive letter cannot be inside the extension: refused naming the key, and a
    // CRLF file still reports the right line.
    fs::write(
        &toml,
        "[extension]\r\nid = \"my_mod\"\r\n\r\n[project]\r\napi = \"embedded\"\r\ninclude = ['C:\\mods\\md']\r\n",
    )
    .unwrap();
    let o = x4pipe(win.path(), &["build", "--target", "linux", "--force"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("x4pipe.toml:6"), "{err}");
    assert!(err.contains("config key `project.include[0]`"), "{err}");
    assert!(err.contains("absolute path"), "{err}");
}
