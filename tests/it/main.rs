//! The integration tests of the x4pipe package, in one binary (ripgrep's way): one
//! link instead of one per file. A new test file is `tests/it/<name>.rs` plus a
//! `mod <name>;` line here (`layout.rs` fails if one is missing).

mod build_cli;
mod cat_cli;
mod cli_errors;
mod config_props;
mod escaping;
mod host;
mod hostile_corpus;
mod hostile_files;
mod layout;
mod lua_client;
mod md_lua_contract;
mod new_extension;
#[cfg(target_os = "linux")]
mod python_server;
mod render_snapshots;
mod schema_validity;
// Python's side of the pipes (x4pipe_server.py) is Linux only.
#[cfg(target_os = "linux")]
mod sim;
mod support;
mod validate_game_dir;
mod windows_cli;
mod windows_paths;
