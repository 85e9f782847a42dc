//! Property test of the config -> render path (#15): any string in any string key of
//! `x4pipe.toml` is either refused naming that key, or rendered so that every XML file
//! parses, the Lua compiles in LuaJIT, and the value reads back unchanged where a
//! parser can read it (an XML attribute, a Lua string, an MD string literal).
//!
//! The same for `new-extension --author/--description`. Fixed seed and 128 (64) cases
//! by default (CI); `PROPTEST_CASES=5000` (and
//! `PROPTEST_RNG_SEED=N`) for a longer local run. A failing case is written to
//! `proptest-regressions/` beside this file: check it in, it is replayed first.

use std::collections::BTreeMap;
use std::path::Path;

#[path = "../shared/proptest_config.rs"]
mod proptest_config;

use proptest::prelude::*;
use x4pipe::config::{Config, NAMES};
use x4pipe::extension_files::ExtensionFiles;
use x4pipe::render::{render_extension, Templates};

/// How the config is used: a plain API build, or a mod project with the API embedded
/// (the names derived from the id) or depended on (no Lua, no MD of the API).
#[derive(Debug, Clone, Copy)]
enum Mode {
    Api,
    Embedded,
    Standalone,
}

/// Every string key (`section.key`), the names straight from the config's one table.
fn string_keys() -> Vec<String> {
    let mut keys: Vec<String> = [
        "extension.id",
        "extension.folder",
        "extension.name",
        "extension.description",
        "extension.author",
        "extension.date",
        "project.api_id",
    ]
    .iter()
    .map(|k| k.to_string())
    .collect();
    keys.extend(NAMES.iter().map(|n| format!("names.{}", n.key)));
    keys
}

/// Characters that break formats: quotes, brackets, dashes, markup, controls, the
/// non-characters, line separators, non-BMP; and plain ones so names can be valid.
fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::char::range('a', 'z'),
        2 => proptest::char::range('A', 'Z'),
        1 => proptest::char::range('0', '9'),
        2 => Just('_'),
        1 => Just('.'),
        1 => Just('/'),
        1 => Just('\\'),
        2 => Just('-'),
        1 => Just(' '),
        1 => prop::sample::select(vec!['"', '\'', '`', '[', ']', '=', '<', '>', '&', ';', '{', '}', '$', '%', '#']),
        1 => (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap()),
        1 => prop::sample::select(vec!['\u{7f}', '\u{85}', '\u{2028}', '\u{2029}', '\u{202e}', '\u{FEFF}', '\u{FFFE}', '\u{FFFF}', '😀', '\u{10FFFF}', 'é', '日']),
        1 => any::<char>(),
    ]
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        // Anything.
        3 => prop::collection::vec(hostile_char(), 0..24).prop_map(|c| c.into_iter().collect()),
        // Shapes that pass the checks, to reach the render with odd but valid values.
        2 => "[A-Z][A-Za-z0-9_]{0,16}",
        1 => "[a-z]{1,6}(/[a-z0-9_.-]{1,8}){1,3}\\.lua",
        1 => "[A-Za-z0-9_.-]{1,20}",
        1 => "20[0-9]{2}-[01][0-9]-[0-3][0-9]",
        // Free text with what XML, Lua and MD treat specially.
        1 => "[a-z '\"<>&\\]\\[=-]{0,30}",
        // Around the length limits (file names, pipe names).
        1 => "[A-Z][a-z]{248,260}",
    ]
}

fn config_text(mode: Mode, key: &str, value: &str) -> String {
    // A `[project]` key makes the config a project: give it one without files.
    let mode = match mode {
        Mode::Api if key.starts_with("project.") => Mode::Standalone,
        m => m,
    };
    fn section<'a>(root: &'a mut toml::Table, name: &str) -> &'a mut toml::Table {
        root.entry(name)
            .or_insert_with(|| toml::Value::Table(toml::Table::new()))
            .as_table_mut()
            .unwrap()
    }
    let mut root = toml::Table::new();
    if !matches!(mode, Mode::Api) {
        section(&mut root, "extension").insert("id".into(), "my_mod".into());
        let project = section(&mut root, "project");
        let api = if matches!(mode, Mode::Embedded) {
            "embedded"
        } else {
            "standalone"
        };
        project.insert("api".into(), api.into());
        project.insert("include".into(), toml::Value::Array(Vec::new()));
    }
    let (sect, k) = key.split_once('.').unwrap();
    section(&mut root, sect).insert(k.into(), value.into());
    toml::to_string(&root).unwrap()
}

/// The `local NAME = "..."` string constants of the Lua client, read by LuaJIT.
fn lua_constants(lua: &mlua::Lua, code: &str) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for line in code.lines() {
        let Some(rest) = line.strip_prefix("local ") else {
            continue;
        };
        let Some((name, expr)) = rest.split_once(" = ") else {
            continue;
        };
        if !expr.starts_with('"') || !name.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
            continue;
        }
        let s: mlua::String = lua.load(format!("return {expr}")).eval().unwrap();
        out.insert(name.to_string(), s.as_bytes().to_vec());
    }
    out
}

/// Where a key's value can be read back: (file, how) pairs checked when the file exists.
enum Place {
    /// The attribute of the first element with that tag name.
    Attr(&'static str, &'static str, &'static str),
    /// The `<mdscript name=>` of some MD file.
    MdScript,
    /// A Lua constant of the client.
    Lua(String),
    /// Some attribute holding the MD literal `'value'`.
    MdLiteral(&'static str),
}

fn places(key: &str) -> Vec<Place> {
    use Place::*;
    match key {
        "extension.id" => vec![Attr("content.xml", "content", "id")],
        "extension.name" => vec![Attr("content.xml", "content", "name")],
        "extension.description" => vec![Attr("content.xml", "content", "description")],
        "extension.author" => vec![Attr("content.xml", "content", "author")],
        "extension.date" => vec![Attr("content.xml", "content", "date")],
        "extension.folder" => vec![Lua("EXT_FOLDER".into())],
        "project.api_id" => vec![Attr("content.xml", "dependency", "id")],
        "names.md_pipes" | "names.md_host" => vec![MdScript],
        "names.addon" => vec![Attr("ui.xml", "addon", "name")],
        "names.lua_file" => vec![Attr("ui.xml", "file", "name"), Lua("LUA_FILE".into())],
        "names.ui_screen" => vec![Lua("SCREEN".into())],
        "names.loaded" => vec![Lua("LOADED_SIGNAL".into())],
        "names.native_dir" => vec![Lua("NATIVE_DIR".into())],
        "names.host_pipe" => vec![MdLiteral("md/pipe_server_host.xml")],
        k => match k.strip_prefix("names.ev_") {
            Some(ev) => vec![Lua(format!("EV_{}", ev.to_uppercase()))],
            None => Vec::new(),
        },
    }
}

fn check_rendered(
    rendered: &ExtensionFiles,
    cfg: &Config,
    key: &str,
    value: &str,
) -> Result<(), TestCaseError> {
    let lua = mlua::Lua::new();
    let mut docs = BTreeMap::new();
    let mut constants = BTreeMap::new();
    for (rel, bytes) in &rendered.files {
        if rel.ends_with(".xml") {
            let text = String::from_utf8(bytes.clone()).unwrap();
            roxmltree::Document::parse(&text)
                .map_err(|e| TestCaseError::fail(format!("{rel} does not parse: {e}\n{text}")))?;
            docs.insert(rel.clone(), text);
        } else if rel.ends_with(".lua") {
            let code = String::from_utf8_lossy(bytes).into_owned();
            lua.load(bytes.as_slice())
                .set_name(rel.as_str())
                .into_function()
                .map_err(|e| TestCaseError::fail(format!("{rel} does not compile: {e}")))?;
            constants = lua_constants(&lua, &code);
        }
    }
    let has_lua = rendered.files.contains_key(&cfg.names.lua_file);
    for place in places(key) {
        let found = match place {
            Place::Attr(file, tag, attr) => {
                let Some(text) = docs.get(file) else { continue };
                let doc = roxmltree::Document::parse(text).unwrap();
                let node = doc
                    .descendants()
                    .find(|n| n.has_tag_name(tag) && n.has_attribute(attr));
                let Some(node) = node else { continue };
                node.attribute(attr) == Some(value)
            }
            Place::MdScript => {
                if !has_lua {
                    continue;
                }
                docs.values().any(|text| {
                    let doc = roxmltree::Document::parse(text).unwrap();
                    let root = doc.root_element();
                    root.has_tag_name("mdscript") && root.attribute("name") == Some(value)
                })
            }
            Place::Lua(name) => {
                if !has_lua {
                    continue;
                }
                constants.get(&name).map(Vec::as_slice) == Some(value.as_bytes())
            }
            Place::MdLiteral(file) => {
                let Some(text) = docs.get(file) else { continue };
                let doc = roxmltree::Document::parse(text).unwrap();
                let literal = format!("'{value}'");
                doc.descendants()
                    .any(|n| n.attributes().any(|a| a.value() == literal))
            }
        };
        prop_assert!(found, "{key} = {value:?} does not read back unchanged");
    }
    Ok(())
}

proptest! {
    #![proptest_config(proptest_config::config(128, 0x5eed_c0f1))]

    #[test]
    fn any_string_in_any_key_is_refused_by_name_or_rendered_safely(
        mode in prop_oneof![Just(Mode::Api), Just(Mode::Embedded), Just(Mode::Standalone)],
        key in prop::sample::select(string_keys()),
        value in value(),
    ) {
        // The project modes set the id themselves; a project never has the API's id.
        let text = config_text(mode, &key, &value);
        match Config::from_toml_str(&text, Path::new("x4pipe.toml")) {
            Err(e) => {
                let named = e.key.as_deref() == Some(key.as_str())
                    || e.message.contains(&key);
                prop_assert!(named, "{key} = {value:?} ({mode:?}) refused without naming the key: {e}");
            }
            Ok(cfg) => {
                // Paths may be written with `\` (documented): they read back with `/`.
                let is_path = key
                    .strip_prefix("names.")
                    .and_then(|k| NAMES.iter().find(|n| n.key == k))
                    .is_some_and(|n| n.kind.is_path());
                let value = if is_path { value.replace('\\', "/") } else { value.clone() };
                let templates = Templates::load(None).unwrap();
                let rendered = render_extension(&cfg, &templates)
                    .map_err(|e| TestCaseError::fail(format!("{key} = {value:?} ({mode:?}) passed the checks but does not render: {e}")))?;
                check_rendered(&rendered, &cfg, &key, &value)?;
            }
        }
    }
}

/// `new-extension --author/--description`: any string is refused naming the option,
/// or the project is written so that its x4pipe.toml loads back the same value, its MD
/// parses, and the content.xml `build` would render carries the value unchanged.
fn scaffold_case(option: &str, value: &str) -> Result<(), TestCaseError> {
    use x4pipe::config::ApiMode;
    use x4pipe::scaffold::{new_extension, NewExtension};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("my_mod");
    let author = option == "--author";
    let req = NewExtension {
        name: "my_mod".into(),
        dir: dir.clone(),
        author: if author { value.into() } else { String::new() },
        description: (!author).then(|| value.to_string()),
        api: ApiMode::Embedded,
        force: false,
    };
    let written = match new_extension(&req) {
        Err(e) => {
            prop_assert!(
                e.to_string().contains(option),
                "{option} {value:?} refused without naming it: {e}"
            );
            prop_assert!(!dir.exists(), "nothing written");
            return Ok(());
        }
        Ok(written) => written,
    };
    for rel in written.iter().filter(|p| p.ends_with(".xml")) {
        let text = std::fs::read_to_string(dir.join(rel)).unwrap();
        prop_assert!(roxmltree::Document::parse(&text).is_ok(), "{rel}");
    }
    let toml_path = dir.join("x4pipe.toml");
    let cfg = Config::from_toml_str(&std::fs::read_to_string(&toml_path).unwrap(), &toml_path)
        .map_err(|e| TestCaseError::fail(format!("the written x4pipe.toml does not load: {e}")))?;
    let back = if author {
        &cfg.extension.author
    } else {
        &cfg.extension.description
    };
    prop_assert_eq!(back.as_str(), value);
    let files = render_extension(&cfg, &Templates::load(None).unwrap()).unwrap();
    let attr = if author { "author" } else { "description" };
    check_rendered(&files, &cfg, &format!("extension.{attr}"), value)
}

proptest! {
    // Each case writes a project to disk: fewer cases.
    #![proptest_config(proptest_config::config(64, 0x5eed_c0f1))]

    #[test]
    fn any_author_or_description_is_refused_by_name_or_scaffolded_safely(
        option in prop_oneof![Just("--author"), Just("--description")],
        value in value(),
    ) {
        scaffold_case(option, &value)?;
    }
}
