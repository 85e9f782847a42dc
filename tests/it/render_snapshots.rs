//! Snapshots of every file the embedded defaults render, and a LuaJIT compile of every
//! rendered Lua file. A snapshot change is a change to what modders ship: review it
//! with `cargo insta review`.

use x4pipe::config::Config;
use x4pipe::render::render_api_default;

#[test]
fn every_rendered_file_matches_its_snapshot() {
    let rendered = render_api_default(&Config::default()).unwrap();
    assert_eq!(rendered.files.len(), 7);
    for (path, bytes) in &rendered.files {
        let text = std::str::from_utf8(bytes).expect("rendered files are UTF-8");
        // One snapshot per output file, named after its path.
        let name = path.replace('/', "__");
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn rendering_is_deterministic() {
    let a = render_api_default(&Config::default()).unwrap();
    let b = render_api_default(&Config::default()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn rendered_lua_compiles_in_luajit() {
    let lua = mlua::Lua::new();
    let version: String = lua.load("return jit.version").eval().unwrap();
    assert!(version.starts_with("LuaJIT 2.1"), "{version}");
    let mut seen = 0;
    for cfg in [Config::default(), renamed_config()] {
        let rendered = render_api_default(&cfg).unwrap();
        for (path, bytes) in rendered.files.iter().filter(|(p, _)| p.ends_with(".lua")) {
            lua.load(bytes.as_slice())
                .set_name(format!("@{path}"))
                .into_function()
                .unwrap_or_else(|e| panic!("{path} does not compile in LuaJIT: {e}"));
            seen += 1;
        }
    }
    assert_eq!(seen, 2);
}

/// Every global name changed, to prove no default is hard-coded in a template.
fn renamed_config() -> Config {
    let mut c = Config::default();
    c.extension.id = "other_mod".into();
    let n = &mut c.names;
    n.md_pipes = "Other_Pipes".into();
    n.md_host = "Other_Host".into();
    n.ui_screen = "Other_Screen".into();
    n.ev_read = "otherRead".into();
    n.ev_write = "otherWrite".into();
    n.ev_write_special = "otherWriteSpecial".into();
    n.ev_check = "otherCheck".into();
    n.ev_close = "otherClose".into();
    n.ev_suppress = "otherSuppress".into();
    n.ev_unsuppress = "otherUnsuppress".into();
    n.ev_cancel = "otherCancel".into();
    n.ev_tick = "otherTick".into();
    n.loaded = "other_loaded".into();
    n.host_pipe = "other_host_pipe".into();
    n.lua_file = "ui/other/client.lua".into();
    n.native_dir = "ui/other/bin".into();
    c.check().unwrap();
    c
}

#[test]
fn no_default_name_leaks_into_a_renamed_build() {
    let defaults = [
        "Named_Pipes",
        "Pipe_Server_Host",
        "pipeRead",
        "pipeWriteSpecial",
        "pipeCheck",
        "pipeClose",
        "pipeSuppressPausedReads",
        "pipeUnsuppressPausedReads",
        "pipeCancel",
        "pipeTick",
        "lua_named_pipe_api_loaded",
        "x4_python_host",
        "x4pipe_named_pipes",
        "ui/x4pipe/",
    ];
    let rendered = render_api_default(&renamed_config()).unwrap();
    for (path, bytes) in &rendered.files {
        let text = String::from_utf8_lossy(bytes);
        for d in defaults {
            // Comments may mention the API's generic name; code may not. Completion
            // controls (`pipeRead_complete_<id>`) are fixed by the spec and live on the
            // configurable UI screen, so they cannot collide between builds.
            for (i, line) in text.lines().enumerate() {
                let code = line.split("--").next().unwrap_or("");
                let code = code
                    .replace("pipeRead_complete_", "")
                    .replace("pipeWrite_complete_", "")
                    .replace("pipeCheck_complete_", "");
                let is_comment =
                    line.trim_start().starts_with("<!--") || line.trim_start().starts_with("--");
                if !is_comment && code.contains(d) {
                    panic!(
                        "{path}:{}: default name `{d}` in a renamed build: {line}",
                        i + 1
                    );
                }
            }
        }
        for d in ["md/named_pipes.xml", "md/pipe_server_host.xml"] {
            assert_ne!(path, d);
        }
    }
}

/// Everything before the first line of code in the rendered Lua client is comment, for
/// any extension name: a line break in a config value must not start Lua code (the
/// file runs in every player's game). Values are set here past the config checks, as a
/// template override or a future key could bring them in.
#[test]
fn no_config_value_can_end_the_lua_header_comment() {
    for evil in [
        "Evil\nos.execute('echo pwned')",
        "Evil\r\nos.execute('echo pwned')",
        "Evil\ros.execute('echo pwned')",
        "Evil ]] os.execute('echo pwned') --[[",
    ] {
        let mut cfg = Config::default();
        cfg.extension.name = evil.into();
        let rendered = render_api_default(&cfg).unwrap();
        let lua = String::from_utf8(rendered.files[&cfg.names.lua_file].clone()).unwrap();
        let first_code = lua
            .split(['\n', '\r'])
            .find(|l| !l.trim().is_empty() && !l.starts_with("--"))
            .unwrap();
        assert!(
            first_code.starts_with("local SCREEN = "),
            "{evil:?} put code into the header: {first_code:?}"
        );
    }
}
