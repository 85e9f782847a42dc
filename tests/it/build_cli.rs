//! `x4pipe build` end to end through the real binary: what lands on disk, exit codes,
//! error messages, determinism and refusal to overwrite foreign folders.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{stderr, x4pipe};

/// Every file below `dir`, relative, with its bytes, in sorted order.
pub(crate) fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn build_with_defaults_makes_the_api_extension() {
    let tmp = tempfile::tempdir().unwrap();
    let o = x4pipe(tmp.path(), &["build"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let ext = tmp.path().join("out/x4pipe_named_pipes");
    let names: Vec<String> = tree(&ext).into_iter().map(|(n, _)| n).collect();
    let mut expected: Vec<String> = [
        ".x4pipe-manifest",
        "content.xml",
        "md/named_pipes.xml",
        "md/pipe_server_host.xml",
        "python/x4pipe_server.py",
        "ui.xml",
        "ui/x4pipe/named_pipes.lua",
        "ui/x4pipe/native/README.txt",
    ]
    .map(String::from)
    .to_vec();
    // `--target auto` bundles every native library this binary carries.
    for lib in x4pipe::native::EMBEDDED
        .iter()
        .filter(|e| e.bytes.is_some())
    {
        expected.push(format!("ui/x4pipe/native/{}", lib.file));
    }
    expected.sort();
    assert_eq!(names, expected);
    // Nothing but the extension folder is left in --out (no staging folders).
    let leftovers: Vec<PathBuf> = fs::read_dir(tmp.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(leftovers, [ext]);
}

#[test]
fn second_build_is_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(x4pipe(tmp.path(), &["build", "--out", "a"])
        .status
        .success());
    assert!(x4pipe(tmp.path(), &["build", "--out", "b"])
        .status
        .success());
    let a = tree(&tmp.path().join("a"));
    let b = tree(&tmp.path().join("b"));
    assert!(!a.is_empty());
    assert_eq!(a, b);
    // Rebuilding over its own output is allowed and gives the same bytes again.
    assert!(x4pipe(tmp.path(), &["build", "--out", "a"])
        .status
        .success());
    assert_eq!(tree(&tmp.path().join("a")), b);
}

#[test]
fn foreign_folder_is_not_overwritten_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("out/x4pipe_named_pipes");
    fs::create_dir_all(&target).unwrap();
    fs::write(target.join("my_notes.txt"), "mine").unwrap();

    let o = x4pipe(tmp.path(), &["build"]);
    // A usage error (choose another --out or pass --force): exit 2.
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("was not made by x4pipe"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(
        tree(&target),
        [("my_notes.txt".to_string(), b"mine".to_vec())]
    );
    assert_eq!(
        fs::read_dir(tmp.path().join("out")).unwrap().count(),
        1,
        "no staging left"
    );

    let o = x4pipe(tmp.path(), &["build", "--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!target.join("my_notes.txt").exists());
    assert!(target.join("content.xml").is_file());
}

/// Each bad config: (toml, the key the error must name, a phrase it must contain).
const BAD_CONFIGS: &[(&str, &str, &str)] = &[
    (
        "[names]\nmd_pipes = \"named_pipes\"\n",
        "names.md_pipes",
        "[A-Z][A-Za-z0-9_]+",
    ),
    (
        "[names]\nmd_host = \"Pipe Host\"\n",
        "names.md_host",
        "[A-Z][A-Za-z0-9_]+",
    ),
    (
        "[extension]\nid = \"\"\n",
        "extension.id",
        "must not be empty",
    ),
    ("[extension]\nid = \"my mod\"\n", "extension.id", "' '"),
    (
        "[extension]\nfolder = \"ego_dlc_mine\"\n",
        "extension.folder",
        "ego_",
    ),
    ("[names]\naddon = \"ego_addon\"\n", "names.addon", "ego_"),
    (
        "[names]\nui_screen = \"Named Pipes\"\n",
        "names.ui_screen",
        "' '",
    ),
    (
        "[names]\nev_read = \"pipeWrite\"\n",
        "names.ev_write",
        "also names.ev_read",
    ),
    ("[names]\nhost_pipe = \"a;b\"\n", "names.host_pipe", "';'"),
    (
        "[names]\nlua_file = \"named_pipes.lua\"\n",
        "names.lua_file",
        "subfolder",
    ),
    (
        "[names]\nnative_dir = \"../outside\"\n",
        "names.native_dir",
        "no `..`",
    ),
    (
        "[extension]\nversion = \"1.5\"\n",
        "extension.version",
        "version \"1.5\"",
    ),
    (
        "[extension]\nversion = 1.5\n",
        "extension.version",
        "write 150",
    ),
    (
        "[extension]\ndate = \"2026-02-31\"\n",
        "extension.date",
        "not a day of the calendar",
    ),
    (
        "[extension]\nversion = 7\n",
        "extension.version",
        "at least three digits",
    ),
    (
        "[extension]\ndate = \"25.11.2026\"\n",
        "extension.date",
        "YYYY-MM-DD",
    ),
    (
        "[settings]\nping_interval = 10\nbackoff_max = 5\n",
        "settings.backoff_max",
        "ping interval",
    ),
    (
        "[extension]\nname = \"x\"\nunknown_key = 1\n",
        "",
        "unknown field `unknown_key`",
    ),
];

#[test]
fn bad_configs_are_rejected_naming_the_key_and_line_and_write_nothing() {
    for (toml, key, phrase) in BAD_CONFIGS {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("x4pipe.toml"), toml).unwrap();
        let o = x4pipe(tmp.path(), &["build"]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{toml}: {err}");
        assert!(
            err.contains("x4pipe.toml:"),
            "file and line named for {toml}: {err}"
        );
        if !key.is_empty() {
            assert!(
                err.contains(&format!("`{key}`")),
                "key {key} named for {toml}: {err}"
            );
        }
        assert!(
            err.contains(phrase),
            "{phrase:?} in error for {toml}: {err}"
        );
        assert!(
            !tmp.path().join("out").exists(),
            "nothing written for {toml}"
        );
    }
}

/// One-line values (a name, an author) reach comments and strings of MD, Lua and XML:
/// a line break there is refused at load time, naming the key.
#[test]
fn line_breaks_in_one_line_values_are_refused_naming_the_key() {
    for key in ["name", "author"] {
        for brk in ["\\n", "\\r", "\\u2028", "\\u2029", "\\uFFFE"] {
            let tmp = tempfile::tempdir().unwrap();
            let toml = format!(
                "[extension]\nid = \"my_mod\"\n{key} = \"Evil{brk}os.execute('echo pwned')\"\n"
            );
            fs::write(tmp.path().join("x4pipe.toml"), &toml).unwrap();
            let o = x4pipe(tmp.path(), &["build"]);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(1), "{toml}: {err}");
            assert!(
                err.contains(&format!("config key `extension.{key}`")),
                "{toml}: {err}"
            );
            assert!(!tmp.path().join("out").exists(), "nothing written: {toml}");
        }
    }
}

#[test]
fn config_errors_point_at_the_line_of_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    let toml = "# my mod\n[extension]\nid = \"my_mod\"\n\n[names]\nmd_pipes = \"bad name\"\n";
    fs::write(tmp.path().join("x4pipe.toml"), toml).unwrap();
    let err = stderr(&x4pipe(tmp.path(), &["build"]));
    assert!(
        err.contains("x4pipe.toml:6: config key `names.md_pipes`"),
        "{err}"
    );
}

#[test]
fn config_values_are_escaped_into_content_xml() {
    let tmp = tempfile::tempdir().unwrap();
    let toml = "[extension]\nid = \"my_mod\"\nname = \"Pipes & <Friends> \\\"quoted\\\"\"\nversion = \"2.05\"\nauthor = \"O'Neil\"\n";
    fs::write(tmp.path().join("x4pipe.toml"), toml).unwrap();
    let o = x4pipe(tmp.path(), &["build"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let content = fs::read_to_string(tmp.path().join("out/my_mod/content.xml")).unwrap();
    assert!(content.contains(r#"id="my_mod""#), "{content}");
    assert!(
        content.contains(r#"name="Pipes &amp; &lt;Friends&gt; &quot;quoted&quot;""#),
        "{content}"
    );
    assert!(content.contains(r#"author="O&apos;Neil""#), "{content}");
    assert!(content.contains(r#"version="205""#), "{content}");
}

#[test]
fn templates_override_file_by_file_and_unknown_files_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path().join("tpl/api");
    fs::create_dir_all(&t).unwrap();
    fs::write(
        t.join("ui.xml"),
        "<addon name=\"{{ names.addon | xml_attr }}\"/>\n",
    )
    .unwrap();
    let o = x4pipe(tmp.path(), &["build", "--templates", "tpl"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let ext = tmp.path().join("out/x4pipe_named_pipes");
    assert_eq!(
        fs::read_to_string(ext.join("ui.xml")).unwrap(),
        "<addon name=\"x4pipe_named_pipes\"/>\n"
    );
    // The others are still the embedded ones.
    assert!(fs::read_to_string(ext.join("content.xml"))
        .unwrap()
        .contains("<content "));

    fs::write(t.join("content.xm"), "typo").unwrap();
    let o = x4pipe(tmp.path(), &["build", "--templates", "tpl", "--out", "o2"]);
    // A bad --templates folder is a usage error.
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("content.xm: not a template x4pipe knows"),
        "{}",
        stderr(&o)
    );
    assert!(!tmp.path().join("o2").exists());
}

#[test]
fn template_errors_name_the_template() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path().join("tpl/api");
    fs::create_dir_all(&t).unwrap();
    fs::write(t.join("ui.xml"), "line one\n{{ names.no_such_name }}\n").unwrap();
    let o = x4pipe(tmp.path(), &["build", "--templates", "tpl"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("template `api/ui.xml`"), "{err}");
    assert!(err.contains("api/ui.xml:2)"), "the line is named: {err}");
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn help_and_version() {
    let tmp = tempfile::tempdir().unwrap();
    let o = x4pipe(tmp.path(), &["--version"]);
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("x4pipe "));
    let o = x4pipe(tmp.path(), &["build", "--help"]);
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(
        help.contains("--templates") && help.contains("Examples"),
        "{help}"
    );
    let o = x4pipe(tmp.path(), &["no-such-command"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn native_libraries_are_bundled_per_target() {
    let linux = x4pipe::native::EMBEDDED
        .iter()
        .find(|e| e.os == "linux")
        .unwrap();
    let linux_bytes = linux
        .bytes
        .expect("every Linux build of x4pipe carries the Linux library");
    let tmp = tempfile::tempdir().unwrap();
    let o = x4pipe(tmp.path(), &["build", "--target", "linux"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let native = tmp.path().join("out/x4pipe_named_pipes/ui/x4pipe/native");
    assert_eq!(
        fs::read(native.join("libx4pipe_native.so")).unwrap(),
        linux_bytes
    );
    assert!(!native.join("x4pipe_native.dll").exists());
    // The bundled file is a real shared library exporting the C ABI.
    assert_eq!(&linux_bytes[..4], b"\x7fELF");
    assert!(linux_bytes.windows(8).any(|w| w == b"x4p_open"));

    let windows = x4pipe::native::EMBEDDED
        .iter()
        .find(|e| e.os == "windows")
        .unwrap();
    let o = x4pipe(tmp.path(), &["build", "--target", "all", "--out", "all"]);
    match windows.bytes {
        Some(dll) => {
            assert!(o.status.success(), "{}", stderr(&o));
            let native = tmp.path().join("all/x4pipe_named_pipes/ui/x4pipe/native");
            assert_eq!(fs::read(native.join("x4pipe_native.dll")).unwrap(), dll);
            assert_eq!(&dll[..2], b"MZ");
            assert!(native.join("libx4pipe_native.so").is_file());
        }
        None => {
            // Without the toolchain the strict target says exactly how to get it.
            assert_eq!(o.status.code(), Some(1));
            let err = stderr(&o);
            assert!(
                err.contains("x86_64-pc-windows-gnu") || err.contains("mingw"),
                "{err}"
            );
            assert!(!tmp.path().join("all").exists());
        }
    }
}

#[test]
fn an_installed_binary_needs_no_source_tree() {
    // Run a copy of the binary from a folder far from the repository.
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    fs::create_dir_all(&bin).unwrap();
    let exe = bin.join("x4pipe");
    fs::copy(env!("CARGO_BIN_EXE_x4pipe"), &exe).unwrap();
    let work = tmp.path().join("work");
    fs::create_dir_all(&work).unwrap();
    let o = crate::support::output_of_fresh_copy(
        Command::new(&exe)
            .args(["build", "--target", "linux"])
            .current_dir(&work),
    )
    .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let ext = work.join("out/x4pipe_named_pipes");
    assert!(ext.join("ui/x4pipe/native/libx4pipe_native.so").is_file());
    assert!(ext.join("md/named_pipes.xml").is_file());
}

#[test]
fn build_refuses_to_write_output_the_game_schemas_reject() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path().join("tpl/api/md");
    fs::create_dir_all(&t).unwrap();
    // A Close cue with an action md.xsd does not know, on line 5 of the rendered file.
    fs::write(
        t.join("named_pipes.xml"),
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<mdscript name=\"{{ names.md_pipes | md_name }}\">\n  <cues>\n    <cue name=\"Close\">\n      <actions><open_the_pod_bay_doors/></actions>\n    </cue>\n  </cues>\n</mdscript>\n",
    )
    .unwrap();
    let s6 = crate::support::shared_schemas("6.x");
    let s7 = crate::support::shared_schemas("7.x");
    let args = [
        "build",
        "--templates",
        "tpl",
        "--schemas",
        s6.to_str().unwrap(),
        "--schemas",
        s7.to_str().unwrap(),
    ];
    let o = x4pipe(tmp.path(), &args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    assert!(err.contains("md/named_pipes.xml:5"), "{err}");
    assert!(err.contains("open_the_pod_bay_doors"), "{err}");
    assert!(!tmp.path().join("out").exists());
    // Again, now answered from the verdict cache: the same refusal, word for word.
    let again = x4pipe(tmp.path(), &args);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(stderr(&again), err);
    assert!(!tmp.path().join("out").exists());

    // Without schemas the same output is only checked for well-formedness, and says so.
    let o = x4pipe(tmp.path(), &["build", "--templates", "tpl"]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("only checked for well-formedness"), "{err}");
}

/// One path rule for every command: a project file `package` (and Windows) would
/// refuse is refused by `build` already, naming the key and the file.
#[test]
fn project_files_follow_the_one_path_rule() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir_all(tmp.path().join("md")).unwrap();
    fs::write(tmp.path().join("md/aux.xml"), "<mdscript/>").unwrap();
    fs::write(
        tmp.path().join("x4pipe.toml"),
        "[extension]\nid = \"my_mod\"\n\n[project]\ninclude = [\"md\"]\n",
    )
    .unwrap();
    let o = x4pipe(tmp.path(), &["build"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("config key `project.include[0]`")
            && err.contains("md/aux.xml")
            && err.contains("Windows device name"),
        "{err}"
    );
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn project_include_errors_name_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir_all(tmp.path().join("md")).unwrap();
    fs::write(
        tmp.path().join("x4pipe.toml"),
        "[extension]\nid = \"my_mod\"\n\n[project]\napi = \"embedded\"\ninclude = [\"md\", \"python\"]\n",
    )
    .unwrap();
    let o = x4pipe(tmp.path(), &["build"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("config key `project.include[1]`") && err.contains("does not exist"),
        "{err}"
    );
    assert!(!tmp.path().join("out").exists());

    // A project file on the path of a generated one would be silently lost: refused.
    fs::create_dir_all(tmp.path().join("python")).unwrap();
    fs::write(tmp.path().join("md/Named_Pipes_my_mod.xml"), "<mdscript/>").unwrap();
    let o = x4pipe(tmp.path(), &["build"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("md/Named_Pipes_my_mod.xml") && err.contains("same path"),
        "{err}"
    );
    assert!(!tmp.path().join("out").exists());
}

/// `--` in a pipe name is fine for pipes; the one place it mattered was the XML
/// comment of the host script naming the pipe, which now escapes it.
#[test]
fn a_pipe_name_with_double_dashes_builds_well_formed_md() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("x4pipe.toml"),
        "[names]\nhost_pipe = \"my--pipe-\"\n",
    )
    .unwrap();
    let o = x4pipe(tmp.path(), &["build", "--target", "linux"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let md = fs::read_to_string(
        tmp.path()
            .join("out/x4pipe_named_pipes/md/pipe_server_host.xml"),
    )
    .unwrap();
    let doc = roxmltree::Document::parse(&md).unwrap();
    // The pipe itself is unchanged where MD reads it.
    assert!(
        doc.descendants()
            .any(|n| n.attribute("param") == Some("'my--pipe-'")),
        "{md}"
    );
}
