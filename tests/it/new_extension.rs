//! `x4pipe new-extension` -> `build` -> `validate` -> `package`, for both API modes,
//! through the real binary; embedded mods never share a global name; bad names and
//! non-empty folders are refused without writing anything.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::{shared_schemas, x4pipe};

use x4pipe::config::Config;
use x4pipe::pipeline::extension_files;
use x4pipe::render::Templates;

fn ok(o: &Output, what: &str) {
    assert!(
        o.status.success(),
        "{what} failed ({:?}):\n{}\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

fn schemas(version: &str) -> String {
    shared_schemas(version).to_string_lossy().into_owned()
}

fn zip_names(path: &Path) -> Vec<String> {
    let file = fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let archive = zip::ZipArchive::new(file).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    archive.file_names().map(String::from).collect()
}

fn scaffold_build_validate_package(api: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let id = format!("my_{api}_mod");
    ok(
        &x4pipe(
            tmp.path(),
            &["new-extension", &id, "--author", "Tester", "--api", api],
        ),
        "new-extension",
    );
    let project = tmp.path().join(&id);
    for f in [
        "x4pipe.toml".to_string(),
        format!("md/{id}.xml"),
        format!("python/{id}.py"),
        "README.md".into(),
        ".gitignore".into(),
        ".github/workflows/validate.yml".into(),
    ] {
        assert!(project.join(&f).is_file(), "{api}: {f} missing");
    }
    let py = fs::read_to_string(project.join(format!("python/{id}.py"))).unwrap();
    assert!(
        py.contains("from X4_Python_Pipe_Server import Pipe_Server"),
        "{py}"
    );
    assert!(py.contains(&format!("Pipe_Server('{id}')")), "{py}");
    let md = fs::read_to_string(project.join(format!("md/{id}.xml"))).unwrap();
    for outcome in ["'ERROR'", "'TIMEOUT'", "'CANCELLED'"] {
        assert!(
            md.contains(outcome),
            "{api}: the example MD handles {outcome}"
        );
    }

    let (s6, s7) = (schemas("6.x"), schemas("7.x"));
    ok(
        &x4pipe(&project, &["build", "--schemas", &s6, "--schemas", &s7]),
        "build",
    );
    let ext = project.join("out").join(&id);
    let content = fs::read_to_string(ext.join("content.xml")).unwrap();
    assert!(content.contains("author=\"Tester\""), "{content}");
    assert!(ext.join(format!("md/{id}.xml")).is_file());
    assert!(ext.join(format!("python/{id}.py")).is_file());
    if api == "standalone" {
        assert!(
            content.contains(r#"<dependency id="x4pipe_named_pipes" version="100""#),
            "{content}"
        );
        assert!(
            !ext.join("ui.xml").exists(),
            "standalone mods do not carry the API"
        );
        assert!(md.contains("md.Named_Pipes.Write") && md.contains("md.Pipe_Server_Host.Reloaded"));
    } else {
        assert!(!content.contains("<dependency id="), "{content}");
        assert!(ext.join("ui.xml").is_file());
        assert!(ext.join(format!("md/named_pipes_{id}.xml")).is_file());
        assert!(ext.join(format!("md/pipe_server_host_{id}.xml")).is_file());
        assert!(ext.join(format!("ui/{id}/named_pipes.lua")).is_file());
        assert!(md.contains(&format!("md.Named_Pipes_{id}.Write")), "{md}");
    }

    let o = x4pipe(
        &project,
        &["validate", "--schemas", &s6, "--schemas", &s7, "out", "md"],
    );
    ok(&o, "validate");
    let summary = String::from_utf8_lossy(&o.stdout);
    assert!(summary.contains("0 invalid"), "{summary}");

    let zip = project.join(format!("{id}.zip"));
    ok(
        &x4pipe(
            &project,
            &[
                "package",
                &format!("out/{id}"),
                "--out",
                zip.to_str().unwrap(),
            ],
        ),
        "package",
    );
    let names = zip_names(&zip);
    assert!(names.contains(&format!("{id}/content.xml")), "{names:?}");
    assert!(names.contains(&format!("{id}/md/{id}.xml")), "{names:?}");
    assert!(
        names.iter().all(|n| n.starts_with(&format!("{id}/"))),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|n| n.contains(".x4pipe-manifest")),
        "{names:?}"
    );
}

#[test]
fn standalone_mod_scaffolds_builds_validates_and_packages() {
    scaffold_build_validate_package("standalone");
}

#[test]
fn embedded_mod_scaffolds_builds_validates_and_packages() {
    scaffold_build_validate_package("embedded");
}

/// Everything an extension puts into the game's shared namespaces.
#[derive(Default)]
struct Globals {
    md_scripts: BTreeSet<String>,
    lua_events: BTreeSet<String>,
    ui_screens: BTreeSet<String>,
    addons: BTreeSet<String>,
    files: BTreeSet<String>,
}

fn globals_of_embedded(id: &str) -> Globals {
    let tmp = tempfile::tempdir().unwrap();
    ok(
        &x4pipe(tmp.path(), &["new-extension", id, "--api", "embedded"]),
        "new-extension",
    );
    let project = tmp.path().join(id);
    let cfg = Config::load(Some(&project.join("x4pipe.toml"))).unwrap();
    let rendered = extension_files(&cfg, &Templates::load(None).unwrap(), &project).unwrap();
    let mut g = Globals::default();
    for (path, bytes) in &rendered.files {
        let text = String::from_utf8_lossy(bytes);
        if let Some(rest) = text.split("<mdscript name=\"").nth(1) {
            g.md_scripts
                .insert(rest.split('"').next().unwrap().to_string());
        }
        if let Some(rest) = text.split("<addon name=\"").nth(1) {
            g.addons.insert(rest.split('"').next().unwrap().to_string());
        }
        g.files
            .insert(format!("extensions/{}/{path}", cfg.folder()));
        if path.ends_with(".lua") {
            // The names the Lua client registers must be the configured ones.
            let n = &cfg.names;
            for ev in [
                &n.ev_read,
                &n.ev_write,
                &n.ev_write_special,
                &n.ev_check,
                &n.ev_close,
                &n.ev_suppress,
                &n.ev_unsuppress,
                &n.ev_cancel,
                &n.ev_tick,
            ] {
                assert!(text.contains(&format!("\"{ev}\"")), "{path} registers {ev}");
                g.lua_events.insert(ev.clone());
            }
            assert!(
                text.contains(&format!("\"{}\"", n.ui_screen)),
                "{path} uses its screen"
            );
            assert!(
                text.contains(&format!("\"{}\"", n.loaded)),
                "{path} uses its loaded signal"
            );
            g.lua_events.insert(n.loaded.clone());
        }
    }
    g.ui_screens.insert(cfg.names.ui_screen.clone());
    assert_eq!(g.md_scripts.len(), 3, "{:?}", g.md_scripts);
    g
}

#[test]
fn two_embedded_mods_share_no_global_name() {
    let a = globals_of_embedded("alpha_mod");
    let b = globals_of_embedded("beta_mod");
    let disjoint = |x: &BTreeSet<String>, y: &BTreeSet<String>, what: &str| {
        assert!(!x.is_empty() && !y.is_empty(), "{what}: nothing collected");
        let common: Vec<_> = x.intersection(y).collect();
        assert!(
            common.is_empty(),
            "{what} shared by two embedded mods: {common:?}"
        );
    };
    disjoint(&a.md_scripts, &b.md_scripts, "MD script names");
    disjoint(&a.lua_events, &b.lua_events, "Lua event names");
    disjoint(&a.ui_screens, &b.ui_screens, "UI screen names");
    disjoint(&a.addons, &b.addons, "ui.xml addon names");
    disjoint(&a.files, &b.files, "installed file paths");
    // Nor with the standalone API.
    let api = Config::default();
    for g in [&a, &b] {
        assert!(
            !g.md_scripts.contains(&api.names.md_pipes)
                && !g.md_scripts.contains(&api.names.md_host)
        );
        assert!(!g.lua_events.contains(&api.names.ev_read));
        assert!(!g.ui_screens.contains(&api.names.ui_screen));
    }
}

#[test]
fn bad_names_are_refused_and_nothing_is_written() {
    for (name, phrase) in [
        ("my mod", "' '"),
        ("my-mod", "'-'"),
        ("ego_mod", "ego_"),
        ("EGO_mod", "ego_"),
        ("modé", "'é'"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let o = x4pipe(tmp.path(), &["new-extension", name]);
        let err = String::from_utf8_lossy(&o.stderr);
        // A bad NAME argument is a usage error.
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(phrase) && err.contains(name), "{name}: {err}");
        let left: Vec<PathBuf> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert!(left.is_empty(), "{name}: wrote {left:?}");
    }
    let tmp = tempfile::tempdir().unwrap();
    let o = x4pipe(tmp.path(), &["new-extension", ""]);
    assert_ne!(o.status.code(), Some(0));
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn a_non_empty_folder_needs_force() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("proj");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("notes.txt"), "keep me").unwrap();
    let o = x4pipe(tmp.path(), &["new-extension", "my_mod", "--dir", "proj"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is not empty"));
    let left: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["notes.txt"], "nothing added");
    assert_eq!(
        fs::read_dir(tmp.path()).unwrap().count(),
        1,
        "no staging folder left"
    );

    ok(
        &x4pipe(
            tmp.path(),
            &["new-extension", "my_mod", "--dir", "proj", "--force"],
        ),
        "--force",
    );
    assert_eq!(
        fs::read_to_string(dir.join("notes.txt")).unwrap(),
        "keep me"
    );
    assert!(dir.join("x4pipe.toml").is_file());

    // An empty folder is fine without --force.
    fs::create_dir_all(tmp.path().join("empty")).unwrap();
    ok(
        &x4pipe(
            tmp.path(),
            &["new-extension", "other_mod", "--dir", "empty"],
        ),
        "empty dir",
    );
    assert!(tmp.path().join("empty/x4pipe.toml").is_file());
}

/// What SirNukes' sn_mod_support_apis (bvbohnen/x4-projects) puts into the game's
/// namespaces, read from its sources; a mod made by `new-extension` must share none of it.
mod original {
    /// `extensions/sn_mod_support_apis/md/*.xml` (the lower-case names of the latest
    /// versions, e.g. `md/pipe_server_host.xml` @ ef511c1, `md/simple_menu_options.xml`
    /// @ 536c4c1); each file's `<mdscript name>` is its file name in the original case
    /// (checked in `Named_Pipes.xml`, `pipe_server_host.xml`, `simple_menu_options.xml`,
    /// `Hotkey_API.xml`).
    pub const MD_SCRIPTS: [&str; 11] = [
        "Chat_Window_API",
        "Hotkey_API",
        "Interact_Menu_API",
        "Lua_Loader",
        "Named_Pipes",
        "Pipe_Server_Host",
        "Pipe_Server_Lib",
        "Simple_Menu_API",
        "Simple_Menu_Options",
        "Time_API",
        "Userdata",
    ];
    /// UI screens of `event_ui_triggered` / `AddUITriggeredEvent`: `Named_Pipes`
    /// (md/Named_Pipes.xml `Reset_On_Lua_Reload`; its controls `reloaded`, `disabled`,
    /// `<pipe>_disconnected`, `pipe*_complete_<id>`), `Lua_Loader` (control `Ready`,
    /// same file), `Hotkey` (md/Hotkey_API.xml).
    pub const UI_SCREENS: [&str; 3] = ["Named_Pipes", "Lua_Loader", "Hotkey"];
    /// Lua events: `pipeProcessCommand` (md/Named_Pipes.xml `Send_Command`,
    /// ui/named_pipes/Interface.lua `RegisterEvent`), `Lua_Loader.Load` (every API's
    /// `Load_Lua_Files`), `Hotkey.*` (md/Hotkey_API.xml).
    pub const LUA_EVENTS: [&str; 4] = [
        "pipeProcessCommand",
        "Lua_Loader.Load",
        "Hotkey.Update_Player_Keys",
        "Hotkey.Update_Connection_Status",
    ];
    /// Pipes its Python servers serve with a single instance: the host
    /// (pipe_server_host.xml `$Pipe_Name`, Main.py) and the hotkey server
    /// (Hotkey_API.xml `$Pipe_Name`).
    pub const PIPES: [&str; 2] = ["x4_python_host", "x4_keys"];
}

/// Review finding 4 / issue 9 item 9 (coexistence): many players keep
/// sn_mod_support_apis installed. A mod made by `new-extension` with no options shares
/// nothing with it: no MD script name, no MD file path (compared case-insensitively, as
/// the game does on Windows), no UI screen, no Lua event, no single-instance pipe, and
/// no dependency on an extension that carries the original's names.
#[test]
fn the_default_scaffold_works_beside_the_original_api() {
    let tmp = tempfile::tempdir().unwrap();
    ok(
        &x4pipe(tmp.path(), &["new-extension", "side_mod"]),
        "new-extension",
    );
    let project = tmp.path().join("side_mod");
    ok(&x4pipe(&project, &["build"]), "build");
    let ext = project.join("out/side_mod");
    let folded =
        |names: &[&str]| -> Vec<String> { names.iter().map(|n| n.to_lowercase()).collect() };
    let original_files: Vec<String> = original::MD_SCRIPTS
        .iter()
        .map(|n| format!("md/{}.xml", n.to_lowercase()))
        .collect();
    let original_scripts = folded(&original::MD_SCRIPTS);
    let quoted = regex::Regex::new(r"'([^']*)'").unwrap();
    let lua_name = regex::Regex::new(r#"(?m)^local (SCREEN|EV_[A-Z_]+) = "([^"]*)""#).unwrap();
    let (mut md_files, mut lua_names) = (0, 0);
    for entry in walk(&ext) {
        let rel = entry
            .strip_prefix(&ext)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        assert!(
            !original_files.contains(&rel.to_lowercase()),
            "{rel} is a file of the original API"
        );
        let text = fs::read_to_string(&entry).unwrap_or_default();
        if rel.starts_with("md/") {
            md_files += 1;
            let doc = roxmltree::Document::parse(&text).unwrap();
            let name = doc.root_element().attribute("name").unwrap();
            assert!(
                !original_scripts.contains(&name.to_lowercase()),
                "{rel}: mdscript {name}"
            );
            for n in doc.descendants().filter(|n| n.is_element()) {
                if let Some(screen) = n.attribute("screen") {
                    let screen = screen.trim_matches('\'');
                    assert!(
                        !original::UI_SCREENS.contains(&screen),
                        "{rel}: UI screen {screen}"
                    );
                }
                if n.has_tag_name("raise_lua_event") {
                    let ev = n.attribute("name").unwrap().trim_matches('\'');
                    assert!(!original::LUA_EVENTS.contains(&ev), "{rel}: Lua event {ev}");
                }
                // Every string literal in MD: pipe names are passed as `$pipe='...'`
                // or as a plain parameter (Cancel_Reads).
                for value in n.attributes().map(|a| a.value()) {
                    for lit in quoted.captures_iter(value) {
                        assert!(
                            !original::PIPES.contains(&&lit[1]),
                            "{rel}: uses the original's single-instance pipe {}",
                            &lit[1]
                        );
                    }
                }
            }
        }
        if rel.ends_with(".lua") {
            for c in lua_name.captures_iter(&text) {
                lua_names += 1;
                let value = &c[2];
                assert!(
                    !original::UI_SCREENS.contains(&value)
                        && !original::LUA_EVENTS.contains(&value),
                    "{rel}: {} = {value} is the original's",
                    &c[1]
                );
            }
        }
        if rel == "content.xml" {
            assert!(
                !text.contains("x4pipe_named_pipes") && !text.contains("ws_2042901274"),
                "depends on an API with the original's names: {text}"
            );
        }
    }
    assert!(md_files >= 3, "the mod and its embedded API");
    assert!(
        lua_names >= 9,
        "the Lua client's screen and events were checked"
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
