//! The full stderr (and exit code) of every failure path of the binary, as insta
//! snapshots (cargo's `bad_config.rs` way): `error: ...`, each cause once under
//! `Caused by:`, exit 1 when the checked thing is bad, 2 for usage and I/O.
//! A message change is a change users see: review it with `cargo insta review`.

use std::fs;
use std::path::Path;

use crate::support::{shared_schemas, x4pipe};

/// Runs x4pipe in `dir` and returns `exit: N` plus stderr (and stdout when asked),
/// with the temporary folder and timings made stable.
fn failure(dir: &Path, args: &[&str], with_stdout: bool) -> String {
    stable(dir, &x4pipe(dir, args), with_stdout)
}

/// [`failure`] with extra environment variables.
fn failure_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_x4pipe"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .env_remove("X4PIPE_SCHEMAS")
        .env("X4PIPE_CACHE_DIR", dir.join(".cache"))
        .output()
        .expect("run x4pipe");
    stable(dir, &o, false)
}

/// `exit: N`, stderr (and stdout when asked), the temporary folder and timings made
/// stable.
fn stable(dir: &Path, o: &std::process::Output, with_stdout: bool) -> String {
    let mut text = format!("exit: {}\n", o.status.code().unwrap_or(-1));
    if with_stdout {
        text.push_str("--- stdout\n");
        text.push_str(&String::from_utf8_lossy(&o.stdout));
        text.push_str("--- stderr\n");
    }
    text.push_str(&String::from_utf8_lossy(&o.stderr));
    let text = text.replace(&dir.display().to_string(), "[TMP]");
    // Elapsed times in summaries (`in 0.01s`).
    let mut stable = String::new();
    for line in text.lines() {
        match line.rfind(" in ") {
            Some(i)
                if line.ends_with('s') && line[i + 4..line.len() - 1].parse::<f64>().is_ok() =>
            {
                stable.push_str(&line[..i]);
                stable.push_str(" in [TIME]s");
            }
            _ => stable.push_str(line),
        }
        stable.push('\n');
    }
    stable
}

fn project(toml: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("x4pipe.toml"), toml).unwrap();
    tmp
}

/// `x4pipe build --templates DIR` in `dir`, DIR holding the one template `rel` with
/// `text`; the failure as [`failure`] shows it, DIR shown as `[TEMPLATES]`.
fn with_template(dir: &Path, rel: &str, text: &str, more: &[&str]) -> String {
    let over = tempfile::tempdir().unwrap();
    let file = over.path().join(rel);
    fs::create_dir_all(file.parent().unwrap()).unwrap();
    fs::write(&file, text).unwrap();
    let over_arg = over.path().display().to_string();
    let mut args = vec!["build", "--templates", &over_arg];
    args.extend_from_slice(more);
    failure(dir, &args, false).replace(&over_arg, "[TEMPLATES]")
}

#[test]
fn build_failures() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    insta::assert_snapshot!(
        "build_missing_config",
        failure(t, &["build", "--config", "none.toml"], false)
    );

    let p = project("[extension\nid = \"x\"\n");
    insta::assert_snapshot!("build_toml_syntax", failure(p.path(), &["build"], false));

    let p = project("[names]\nmd_pipes = \"bad name\"\n");
    insta::assert_snapshot!("build_bad_value", failure(p.path(), &["build"], false));

    let p = project("[extension]\nid = \"my_mod\"\nunknown_key = 1\n");
    insta::assert_snapshot!("build_unknown_key", failure(p.path(), &["build"], false));

    let p = project("[extension]\nid = \"my_mod\"\n\n[project]\ninclude = [\"md\"]\n");
    insta::assert_snapshot!(
        "build_include_missing",
        failure(p.path(), &["build"], false)
    );

    insta::assert_snapshot!(
        "build_templates_not_a_folder",
        failure(t, &["build", "--templates", "nope"], false)
    );

    let over = tempfile::tempdir().unwrap();
    fs::write(over.path().join("stray.txt"), "x").unwrap();
    let over_arg = over.path().display().to_string();
    insta::assert_snapshot!(
        "build_unknown_template_file",
        failure(t, &["build", "--templates", &over_arg], false).replace(&over_arg, "[TEMPLATES]")
    );

    insta::assert_snapshot!(
        "build_template_error",
        with_template(t, "api/content.xml", "{{ nope.missing }}", &[])
    );

    insta::assert_snapshot!(
        "build_schemas_missing",
        failure(t, &["build", "--schemas", "nope"], false)
    );

    // Output that breaks the game's schema: a template override writes a bad MD cue.
    let schemas = shared_schemas("6.x").display().to_string();
    insta::assert_snapshot!(
        "build_invalid_output",
        with_template(
            t,
            "api/md/named_pipes.xml",
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<mdscript name=\"{{ names.md_pipes | md_name }}\">\n  <cues>\n    <cue name=\"X\" bogus=\"1\"/>\n  </cues>\n</mdscript>\n",
            &["--schemas", &schemas],
        )
    );

    // A template override whose Lua does not compile: refused before writing.
    insta::assert_snapshot!(
        "build_lua_does_not_compile",
        with_template(
            t,
            "api/ui/x4pipe/named_pipes.lua",
            "-- a broken client\nlocal x = = 1\n",
            &[]
        )
    );
    assert!(!t.join("out").exists(), "nothing written");

    // A template override printing a value without saying where it goes.
    insta::assert_snapshot!(
        "build_template_without_context_filter",
        with_template(
            t,
            "api/ui.xml",
            "<addon name=\"{{ names.addon }}\"/>\n",
            &[]
        )
    );

    // A folder x4pipe did not make is not replaced.
    fs::create_dir_all(t.join("out/x4pipe_named_pipes")).unwrap();
    insta::assert_snapshot!("build_foreign_output", failure(t, &["build"], false));
}

/// Every config check that used to pass a value failing later (or not naming the key):
/// each fails at load time naming its key, the value shown without raw control
/// characters.
#[test]
fn config_check_failures() {
    let long_pipe = format!("[names]\nhost_pipe = \"{}\"\n", "p".repeat(257));
    let long_script = format!("[names]\nmd_pipes = \"N{}\"\n", "a".repeat(260));
    // Short enough for an id, too long for the names an embedded API derives from it.
    let long_embedded_id = format!(
        "[extension]\nid = \"m{}\"\n\n[project]\napi = \"embedded\"\n",
        "a".repeat(240)
    );
    let cases: &[(&str, &str)] = &[
        (
            "build_date_impossible",
            "[extension]\ndate = \"2026-02-31\"\n",
        ),
        ("build_version_float", "[extension]\nversion = 1.5\n"),
        (
            "build_version_one_decimal",
            "[extension]\nversion = \"1.5\"\n",
        ),
        (
            "build_game_version_float",
            "[extension]\ngame_version = 6.0\n",
        ),
        ("build_host_pipe_too_long", &long_pipe),
        ("build_host_pipe_dot_dot", "[names]\nhost_pipe = \"..\"\n"),
        ("build_md_script_too_long", &long_script),
        ("build_embedded_id_too_long", &long_embedded_id),
        (
            "build_value_with_terminal_escape",
            "[names]\nmd_pipes = \"Bad\\u001b[2J\\u202eName\"\n",
        ),
        (
            "build_project_has_the_api_id",
            "[extension]\nid = \"X4pipe_Named_Pipes\"\n\n[project]\napi = \"standalone\"\n",
        ),
    ];
    for (name, toml) in cases {
        let p = project(toml);
        insta::assert_snapshot!(*name, failure(p.path(), &["build"], false));
        assert!(!p.path().join("out").exists(), "{name}: nothing written");
    }
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    insta::assert_snapshot!(
        "new_extension_device_name",
        failure(t, &["new-extension", "con"], false)
    );
    insta::assert_snapshot!(
        "new_extension_the_api_id",
        failure(t, &["new-extension", "x4pipe_named_pipes"], false)
    );
    // Values from the command line are named as the user gave them, not as config keys.
    insta::assert_snapshot!(
        "new_extension_author_line_break",
        failure(
            t,
            &["new-extension", "my_mod", "--author", "Me\nos.exit()"],
            false
        )
    );
    let long_name = format!("m{}", "a".repeat(240));
    insta::assert_snapshot!(
        "new_extension_name_too_long_for_the_embedded_api",
        failure(t, &["new-extension", &long_name], false).replace(&"a".repeat(40), "[40 a]")
    );
    assert_eq!(fs::read_dir(t).unwrap().count(), 0, "nothing written");
}

#[test]
fn validate_failures() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    insta::assert_snapshot!(
        "validate_schemas_missing",
        failure(t, &["validate", "--schemas", "nope", "."], false)
    );
    insta::assert_snapshot!(
        "validate_game_dir_without_catalogs",
        failure(t, &["validate", "--game-dir", "."], false)
    );
    fs::create_dir_all(t.join("md")).unwrap();
    fs::write(
        t.join("md/bad.xml"),
        "<?xml version=\"1.0\"?>\n<mdscript name=\"Bad\">\n  <cues>\n    <cue name=\"X\" bogus=\"1\"/>\n  </cues>\n</mdscript>\n",
    )
    .unwrap();
    let schemas = shared_schemas("6.x").display().to_string();
    insta::assert_snapshot!(
        "validate_invalid_file",
        failure(
            t,
            &[
                "validate",
                "--no-cache",
                "--color",
                "never",
                "--schemas",
                &schemas,
                "md"
            ],
            true
        )
    );

    insta::assert_snapshot!(
        "validate_base_not_a_folder",
        failure(t, &["validate", "--base", "nope", "."], false)
    );
    insta::assert_snapshot!(
        "validate_conflicts_without_game_files",
        failure(t, &["validate", "--conflicts", "."], false)
    );
    // A diff patch whose selector misses, against a folder of game files.
    fs::create_dir_all(t.join("game/md")).unwrap();
    fs::write(
        t.join("game/md/lib.xml"),
        "<?xml version=\"1.0\"?>\n<mdscript name=\"Lib\">\n  <cues>\n    <library name=\"Spawn\"/>\n  </cues>\n</mdscript>\n",
    )
    .unwrap();
    fs::create_dir_all(t.join("my_mod/md")).unwrap();
    fs::write(t.join("my_mod/content.xml"), "<content id=\"my_mod\"/>\n").unwrap();
    fs::write(
        t.join("my_mod/md/lib.xml"),
        "<diff>\n  <remove sel=\"//library[@name='Spawm']\"/>\n</diff>\n",
    )
    .unwrap();
    insta::assert_snapshot!(
        "validate_patch_selector_misses",
        failure(
            t,
            &[
                "validate",
                "--no-cache",
                "--color",
                "never",
                "--base",
                "game",
                "my_mod/md"
            ],
            true
        )
    );
}

#[test]
fn cat_and_package_failures() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    insta::assert_snapshot!(
        "cat_list_missing",
        failure(t, &["cat", "list", "missing.cat"], false)
    );

    fs::write(t.join("bad.cat"), "just-a-path\n").unwrap();
    fs::write(t.join("bad.dat"), "").unwrap();
    insta::assert_snapshot!(
        "cat_list_malformed",
        failure(t, &["cat", "list", "bad.cat"], false)
    );

    let z = "00000000000000000000000000000000";
    fs::write(t.join("evil.cat"), format!("../escape.txt 0 0 {z}\n")).unwrap();
    fs::write(t.join("evil.dat"), "").unwrap();
    insta::assert_snapshot!(
        "cat_extract_escaping_path",
        failure(t, &["cat", "extract", "evil.cat", "--out", "target"], false)
    );

    fs::write(t.join("empty.cat"), "").unwrap();
    fs::write(t.join("empty.dat"), "").unwrap();
    insta::assert_snapshot!(
        "cat_bad_glob",
        failure(t, &["cat", "list", "empty.cat", "--glob", "a[b"], false)
    );

    insta::assert_snapshot!(
        "package_missing_folder",
        failure(t, &["package", "nope"], false)
    );
    fs::create_dir_all(t.join("empty_ext")).unwrap();
    insta::assert_snapshot!(
        "package_without_content_xml",
        failure(t, &["package", "empty_ext"], false)
    );
    // A content.xml that is not XML: the checked thing is bad (exit 1).
    fs::create_dir_all(t.join("bad_content")).unwrap();
    fs::write(t.join("bad_content/content.xml"), "<content id=\"x\"").unwrap();
    insta::assert_snapshot!(
        "package_bad_content_xml",
        failure(t, &["package", "bad_content"], false)
    );
    fs::create_dir_all(t.join("ignored")).unwrap();
    fs::write(
        t.join("ignored/content.xml"),
        "<content id=\"x\" name=\"X\" version=\"1\"/>",
    )
    .unwrap();
    fs::write(t.join("ignored/.x4pipeignore"), "content.xml\n").unwrap();
    insta::assert_snapshot!(
        "package_content_xml_ignored",
        failure(t, &["package", "ignored"], false)
    );
    fs::create_dir_all(t.join("packed/md")).unwrap();
    fs::write(
        t.join("packed/content.xml"),
        "<content id=\"x\" name=\"X\" version=\"1\"/>",
    )
    .unwrap();
    fs::write(t.join("packed/ext_01.cat"), "").unwrap();
    insta::assert_snapshot!(
        "package_cat_already_packed",
        failure(t, &["package", "packed", "--format", "cat"], false)
    );
    insta::assert_snapshot!(
        "package_bad_source_date_epoch",
        failure_env(
            t,
            &["package", "ignored"],
            &[("SOURCE_DATE_EPOCH", "yesterday")]
        )
    );

    // A catalog whose data no longer matches its md5s: every entry is listed, the bad
    // ones marked, then one error names them (exit 1, like `extract --verify`).
    fs::create_dir_all(t.join("src")).unwrap();
    fs::write(t.join("src/a.txt"), "hi\n").unwrap();
    fs::write(t.join("src/b.txt"), "ok\n").unwrap();
    let o = x4pipe(t, &["cat", "pack", "src", "--out", "v.cat"]);
    assert!(o.status.success(), "{o:?}");
    fs::write(t.join("v.dat"), "ho\nok\n").unwrap();
    insta::assert_snapshot!(
        "cat_list_verify_mismatch",
        failure(t, &["cat", "list", "--verify", "v.cat"], true)
    );
    insta::assert_snapshot!(
        "cat_extract_verify_mismatch",
        failure(
            t,
            &["cat", "extract", "--verify", "v.cat", "--out", "v"],
            false
        )
    );
    insta::assert_snapshot!(
        "cat_pack_missing_folder",
        failure(t, &["cat", "pack", "nope", "--out", "n.cat"], false)
    );
    insta::assert_snapshot!(
        "cat_pack_bad_source_date_epoch",
        failure_env(
            t,
            &["cat", "pack", "src", "--out", "n.cat"],
            &[("SOURCE_DATE_EPOCH", "1.5")]
        )
    );
}

/// Writes `md/<name>.xml` of a bare extension folder `dir` (MD only, no Lua client).
fn md_extension(dir: &Path, name: &str, cue_actions: &str) {
    fs::create_dir_all(dir.join("md")).unwrap();
    fs::write(
        dir.join("md").join(format!("{name}.xml")),
        format!(
            "<?xml version=\"1.0\"?>\n<mdscript name=\"{name}\">\n  <cues>\n    <cue name=\"Start\">\n      <actions>\n{cue_actions}      </actions>\n    </cue>\n  </cues>\n</mdscript>\n"
        ),
    )
    .unwrap();
}

#[test]
fn sim_failures() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    insta::assert_snapshot!("sim_not_a_folder", failure(t, &["sim", "nope"], true));
    insta::assert_snapshot!("sim_no_out_folder", failure(t, &["sim"], true));
    fs::create_dir_all(t.join("out")).unwrap();
    insta::assert_snapshot!("sim_empty_out_folder", failure(t, &["sim"], true));
    insta::assert_snapshot!(
        "sim_bad_event",
        failure(t, &["sim", "out", "--event", "sometime@3s"], true)
    );

    md_extension(
        &t.join("outside"),
        "sim_outside",
        "        <debug_text text=\"'before'\"/>\n        <find_ship name=\"$ship\" space=\"player.galaxy\"/>\n",
    );
    insta::assert_snapshot!(
        "sim_not_simulated",
        failure(t, &["sim", "outside", "--for", "10s"], true)
    );

    fs::create_dir_all(t.join("broken/md")).unwrap();
    fs::write(
        t.join("broken/md/broken.xml"),
        "<mdscript name=\"Broken\">\n  <cues>\n    <cue>\n",
    )
    .unwrap();
    insta::assert_snapshot!(
        "sim_md_not_well_formed",
        failure(t, &["sim", "broken", "--for", "1s"], true)
    );

    md_extension(
        &t.join("faulty"),
        "faulty",
        "        <debug_text text=\"1 / 0\"/>\n        <debug_text text=\"$nothing.{1}\"/>\n",
    );
    insta::assert_snapshot!(
        "sim_md_errors",
        failure(t, &["sim", "faulty", "--for", "1s"], true)
    );

    md_extension(
        &t.join("quiet"),
        "quiet",
        "        <debug_text text=\"'hello'\"/>\n",
    );
    insta::assert_snapshot!(
        "sim_until_debug_text_no_match",
        failure(
            t,
            &["sim", "quiet", "--for", "1s", "--until-debug-text", "bye"],
            true
        )
    );

    // A cue that references a library no loaded script has.
    fs::create_dir_all(t.join("reflib/md")).unwrap();
    fs::write(
        t.join("reflib/md/reflib.xml"),
        "<mdscript name=\"RefLib\">\n  <cues>\n    <cue name=\"Uses\" ref=\"md.Missing.Lib\"/>\n  </cues>\n</mdscript>\n",
    )
    .unwrap();
    insta::assert_snapshot!(
        "sim_ref_to_a_missing_library",
        failure(t, &["sim", "reflib", "--for", "1s"], true)
    );
}

#[test]
fn new_extension_and_usage_failures() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    insta::assert_snapshot!(
        "new_extension_bad_name",
        failure(t, &["new-extension", "bad-name"], false)
    );
    fs::create_dir_all(t.join("taken")).unwrap();
    fs::write(t.join("taken/file.txt"), "mine").unwrap();
    insta::assert_snapshot!(
        "new_extension_not_empty",
        failure(t, &["new-extension", "my_mod", "--dir", "taken"], false)
    );
    insta::assert_snapshot!(
        "usage_unknown_flag",
        failure(t, &["build", "--bogus"], false)
    );
}

#[test]
fn windows_path_failures() {
    // A project file named like a Windows device, and two differing only in case.
    let p = project(
        "[extension]\nid = \"my_mod\"\n\n[project]\napi = \"embedded\"\ninclude = [\"md\"]\n",
    );
    fs::create_dir_all(p.path().join("md")).unwrap();
    fs::write(p.path().join("md/aux.xml"), "<mdscript/>").unwrap();
    insta::assert_snapshot!(
        "build_device_name",
        failure(p.path(), &["build", "--target", "linux"], false)
    );
    fs::remove_file(p.path().join("md/aux.xml")).unwrap();
    fs::write(p.path().join("md/Helper.xml"), "<mdscript/>").unwrap();
    fs::write(p.path().join("md/helper.xml"), "<mdscript/>").unwrap();
    insta::assert_snapshot!(
        "build_case_clash",
        failure(p.path(), &["build", "--target", "linux"], false)
    );

    let p = project("[extension]\nid = \"my_mod\"\n\n[project]\ninclude = ['D:\\mods\\md']\n");
    insta::assert_snapshot!(
        "build_include_drive_letter",
        failure(p.path(), &["build"], false)
    );

    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    fs::write(
        t.join("case.cat"),
        "md/A.xml 1 0 0cc175b9c0f1b6a831c399e269772661\nmd/a.xml 1 0 92eb5ffee6ae2fec3ad71c777531578f\n",
    )
    .unwrap();
    fs::write(t.join("case.dat"), "ab").unwrap();
    insta::assert_snapshot!(
        "cat_extract_case_clash",
        failure(t, &["cat", "extract", "case.cat", "--out", "x"], false)
    );
}

#[test]
fn host_failures() {
    // Each fails before the host serves anything (it would otherwise run until Ctrl-C).
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let pipe = crate::support::pipe_name("host-fail");
    fs::write(t.join("perm.json"), "{\n  \"my_mod\": true,\n  oops\n}\n").unwrap();
    insta::assert_snapshot!(
        "host_permissions_not_json",
        failure(
            t,
            &["host", "--pipe", &pipe, "--permissions", "perm.json"],
            false
        )
    );
    fs::write(t.join("perm.json"), "{\"my_mod\": \"yes\"}").unwrap();
    insta::assert_snapshot!(
        "host_permissions_not_boolean",
        failure(
            t,
            &["host", "--pipe", &pipe, "--permissions", "perm.json"],
            false
        )
    );
    insta::assert_snapshot!(
        "host_x4_dir_missing",
        failure(
            t,
            &[
                "host",
                "--pipe",
                &pipe,
                "--permissions",
                "p.json",
                "--x4-dir",
                "no-such-dir"
            ],
            false
        )
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // A socket folder other users can enter: refused before anything is served.
        let open = t.join("open");
        fs::create_dir(&open).unwrap();
        fs::set_permissions(&open, fs::Permissions::from_mode(0o755)).unwrap();
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_x4pipe"))
            .args(["host", "--pipe", &pipe, "--permissions", "p.json"])
            .current_dir(t)
            .env("X4PIPE_SOCKET_DIR", &open)
            .output()
            .unwrap();
        let text = format!(
            "exit: {}\n{}",
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stderr)
        )
        .replace(&t.display().to_string(), "[TMP]");
        insta::assert_snapshot!("host_socket_folder_open", text);
    }
}

/// x4pipe's input rule (`x4pipe_files::input`): links found in folders, pipes,
/// huge files and catalog numbers larger than memory are refused by name.
#[cfg(unix)]
#[test]
fn input_rule_failures() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();

    let p = project("[extension]\nid = \"my_mod\"\n\n[project]\ninclude = [\"md\"]\n");
    fs::create_dir(p.path().join("md")).unwrap();
    fs::write(t.join("passwd"), "root:x:0:0\n").unwrap();
    std::os::unix::fs::symlink(t.join("passwd"), p.path().join("md/passwd.txt")).unwrap();
    insta::assert_snapshot!(
        "build_include_symlink",
        failure(p.path(), &["build"], false)
    );

    fs::write(t.join("long.cat"), "a".repeat(200_000)).unwrap();
    fs::write(t.join("long.dat"), "").unwrap();
    insta::assert_snapshot!(
        "cat_line_too_long",
        failure(t, &["cat", "list", "long.cat"], false)
    );
    fs::File::create(t.join("huge.cat"))
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    fs::write(t.join("huge.dat"), "").unwrap();
    insta::assert_snapshot!(
        "cat_index_too_large",
        failure(t, &["cat", "list", "huge.cat"], false)
    );
    assert!(std::process::Command::new("mkfifo")
        .arg(t.join("fifo.cat"))
        .status()
        .unwrap()
        .success());
    insta::assert_snapshot!(
        "cat_index_fifo",
        failure(t, &["cat", "list", "fifo.cat"], false)
    );
    let c = tempfile::tempdir().unwrap();
    assert!(std::process::Command::new("mkfifo")
        .arg(c.path().join("x4pipe.toml"))
        .status()
        .unwrap()
        .success());
    insta::assert_snapshot!("build_config_fifo", failure(c.path(), &["build"], false));
    insta::assert_snapshot!(
        "build_config_device",
        failure(t, &["build", "--config", "/dev/zero"], false)
    );
    let schemas = t.join("fifo_schemas");
    fs::create_dir(&schemas).unwrap();
    fs::copy(shared_schemas("6.x/md.xsd"), schemas.join("md.xsd")).unwrap();
    assert!(std::process::Command::new("mkfifo")
        .arg(schemas.join("common.xsd"))
        .status()
        .unwrap()
        .success());
    insta::assert_snapshot!(
        "validate_schema_fifo",
        failure(
            t,
            &["validate", "passwd", "--schemas", "fifo_schemas"],
            false
        )
    );
    let sim = t.join("sim_ext");
    fs::create_dir_all(sim.join("md")).unwrap();
    fs::write(
        sim.join("ui.xml"),
        "<addon name=\"x\"><environment type=\"fullscreen\"><file name=\"../x.lua\"/></environment></addon>\n",
    )
    .unwrap();
    insta::assert_snapshot!(
        "sim_lua_outside_extension",
        failure(t, &["sim", "sim_ext", "--for", "1s"], false)
    );
    fs::remove_file(sim.join("ui.xml")).unwrap();
    std::os::unix::fs::symlink(t.join("passwd"), sim.join("md/link.xml")).unwrap();
    insta::assert_snapshot!(
        "sim_md_symlink",
        failure(t, &["sim", "sim_ext", "--for", "1s"], false)
    );

    let ext = t.join("my_mod");
    fs::create_dir(&ext).unwrap();
    std::os::unix::fs::symlink(t.join("passwd"), ext.join("content.xml")).unwrap();
    insta::assert_snapshot!(
        "package_content_symlink",
        failure(t, &["package", "my_mod"], false)
    );

    let game = t.join("game");
    fs::create_dir(&game).unwrap();
    let huge: u64 = 1 << 40;
    fs::write(
        game.join("01.cat"),
        format!("libraries/md.xsd {huge} 0 {}\n", "0".repeat(32)),
    )
    .unwrap();
    fs::File::create(game.join("01.dat"))
        .unwrap()
        .set_len(huge)
        .unwrap();
    insta::assert_snapshot!(
        "validate_game_entry_too_large",
        failure(t, &["validate", "my_mod", "--game-dir", "game"], false)
    );
}

/// x4pipe's one writer (`x4pipe_files::atomic`): output paths never come from file
/// contents, outputs never replace inputs or each other, never half a pair.
#[cfg(unix)]
#[test]
fn output_rule_failures() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let ext = t.join("my_mod");
    fs::create_dir_all(ext.join("md")).unwrap();
    fs::write(
        ext.join("content.xml"),
        "<content id=\"my_mod\" version=\"1/../../x\"/>",
    )
    .unwrap();
    insta::assert_snapshot!(
        "package_version_not_a_file_name",
        failure(t, &["package", "my_mod"], false)
    );
    fs::write(
        ext.join("content.xml"),
        "<content id=\"my_mod\" name=\"My mod\" version=\"100\"/>",
    )
    .unwrap();
    insta::assert_snapshot!(
        "package_out_not_zip",
        failure(t, &["package", "my_mod", "-o", "my_mod/md/a.xml"], false)
    );

    fs::create_dir_all(t.join("src")).unwrap();
    fs::write(t.join("src/x.cat"), "a").unwrap();
    insta::assert_snapshot!(
        "cat_pack_out_not_cat",
        failure(t, &["cat", "pack", "src", "-o", "x.dat"], false)
    );
    fs::create_dir_all(t.join("blocked/x.cat/keep")).unwrap();
    insta::assert_snapshot!(
        "cat_pack_out_is_a_folder",
        failure(t, &["cat", "pack", "src", "-o", "blocked/x.cat"], false)
    );
    assert!(x4pipe(t, &["cat", "pack", "src", "-o", "x.cat"])
        .status
        .success());
    insta::assert_snapshot!(
        "cat_extract_over_its_catalog",
        failure(t, &["cat", "extract", "x.cat", "-o", "."], false)
    );

    let p = t.join("x4pipe_named_pipes");
    fs::create_dir(&p).unwrap();
    fs::write(p.join("x4pipe.toml"), "").unwrap();
    insta::assert_snapshot!(
        "build_out_over_project",
        failure(&p, &["build", "--out", "..", "--force"], false)
            .replace("[TMP]/x4pipe_named_pipes/..", "[TMP]")
    );

    fs::create_dir_all(t.join("new/md")).unwrap();
    fs::remove_dir(t.join("new/md")).unwrap();
    std::os::unix::fs::symlink(t.join("src"), t.join("new/md")).unwrap();
    insta::assert_snapshot!(
        "new_extension_force_through_link",
        failure(
            t,
            &["new-extension", "my_mod", "--dir", "new", "--force"],
            false
        )
    );
}

/// Root detection without DTD processing, and `package` checking content.xml fully.
#[test]
fn validation_bypass_failures() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    fs::write(
        t.join("x.xml"),
        "<?xml version=\"1.0\"?>\n<!DOCTYPE mdscript [ <!ENTITY x \"y\"> ]>\n<mdscript name=\"A\"><bogus/></mdscript>\n",
    )
    .unwrap();
    insta::assert_snapshot!(
        "validate_doctype",
        failure(t, &["validate", "x.xml", "--no-cache"], true)
    );

    let ext = t.join("my_mod");
    fs::create_dir(&ext).unwrap();
    fs::write(
        ext.join("content.xml"),
        "<content id=\"my_mod\" version=\"100\"><dependency id=\"x\"></content>\n",
    )
    .unwrap();
    insta::assert_snapshot!(
        "package_content_not_well_formed",
        failure(t, &["package", "my_mod"], false)
    );
    fs::write(
        ext.join("content.xml"),
        "<content id=\"my_mod\" version=\"100\" save=\"maybe\"/>\n",
    )
    .unwrap();
    insta::assert_snapshot!(
        "package_content_invalid",
        failure(t, &["package", "my_mod"], false)
    );
}

/// Names and contents from files are shown with control characters escaped.
#[test]
fn control_characters_are_escaped_on_the_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    fs::create_dir(t.join("md")).unwrap();
    fs::write(
        t.join("md/evil\u{1b}]0;owned\u{7}.xml"),
        "<mdscript name=\"Evil\">\u{1b}[2J\r<cues/></mdscript>\n",
    )
    .unwrap();
    insta::assert_snapshot!(
        "validate_control_characters",
        failure(t, &["validate", "md", "--no-cache"], true)
    );
}
