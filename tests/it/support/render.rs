//! The Lua client as users get it: rendered by `x4pipe::render` from the embedded
//! templates with the default configuration, except for the settings the tests vary.

use x4pipe::config::Config;

/// Settings of the rendered file that the tests vary.
#[derive(Clone, Debug)]
pub struct Settings {
    pub debug: bool,
    pub write_timeout_ms: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            debug: false,
            write_timeout_ms: 1000,
        }
    }
}

/// Default names of the contract (what the tests raise and expect).
pub mod names {
    pub const SCREEN: &str = "Named_Pipes";
    pub const LOADED: &str = "lua_named_pipe_api_loaded";
    pub const READ: &str = "pipeRead";
    pub const WRITE: &str = "pipeWrite";
    pub const WRITE_SPECIAL: &str = "pipeWriteSpecial";
    pub const CHECK: &str = "pipeCheck";
    pub const CLOSE: &str = "pipeClose";
    pub const SUPPRESS: &str = "pipeSuppressPausedReads";
    pub const UNSUPPRESS: &str = "pipeUnsuppressPausedReads";
    pub const CANCEL: &str = "pipeCancel";
    pub const TICK: &str = "pipeTick";
    /// The answer to MD's greeting (`TICK` "hello").
    pub const LIVE: &str = "lua_named_pipe_api_loaded_live";
    pub const ALL_EVENTS: [&str; 9] = [
        READ,
        WRITE,
        WRITE_SPECIAL,
        CHECK,
        CLOSE,
        SUPPRESS,
        UNSUPPRESS,
        CANCEL,
        TICK,
    ];
    pub const EXT_FOLDER: &str = "x4pipe_named_pipes";
    pub const LUA_FILE: &str = "ui/x4pipe/named_pipes.lua";
    pub const NATIVE_DIR: &str = "ui/x4pipe/native";
}

/// The Lua client as the game would get it.
pub fn render_lua(settings: &Settings) -> String {
    let mut cfg = Config::default();
    cfg.settings.debug = settings.debug;
    cfg.settings.write_timeout_ms = settings.write_timeout_ms;
    let rendered = x4pipe::render::render_api_default(&cfg).expect("the API renders");
    let file = rendered
        .files
        .get(names::LUA_FILE)
        .unwrap_or_else(|| panic!("{} not rendered", names::LUA_FILE));
    String::from_utf8(file.clone()).expect("UTF-8 Lua")
}
