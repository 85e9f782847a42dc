//! Every rendered XML file is valid against the real game schemas: MD against md.xsd of
//! both 3.x and 6.x, ui.xml against 7.x addon.xsd, content.xml against x4pipe's schema.
//! Checked for the defaults, for a build where every name is changed, and for a mod
//! with the API embedded.

use std::path::{Path, PathBuf};

use x4pipe::config::{ApiMode, Config, Project};
use x4pipe::pipeline::extension_files;
use x4pipe::render::{render_api_default, Templates};
use x4pipe::ExtensionFiles;
use x4pipe_validate::{FileKind, SchemaSource, Validator};

use crate::support::shared_schemas;

fn schemas(version: &str) -> PathBuf {
    shared_schemas(version)
}

fn validator(md_version: &str) -> Validator {
    let v = Validator::load(&SchemaSource::from_dirs([
        schemas(md_version),
        schemas("7.x"),
    ]))
    .unwrap();
    assert!(v.has_schema(FileKind::Md) && v.has_schema(FileKind::Ui));
    v
}

fn renamed() -> Config {
    let mut c = Config::default();
    c.extension.id = "renamed_api".into();
    c.names.md_pipes = "Pipes_Renamed".into();
    c.names.md_host = "Host_Renamed".into();
    c.names.ui_screen = "Screen_Renamed".into();
    c.names.host_pipe = "some.host-pipe".into();
    c.names.lua_file = "ui/renamed/client.lua".into();
    c.settings.debug = true;
    c.settings.default_timeout = 30;
    c
}

fn embedded_mod() -> ExtensionFiles {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("md")).unwrap();
    let mut c = Config::default();
    c.extension.id = "some_mod".into();
    c.project = Some(Project {
        api: ApiMode::Embedded,
        include: vec!["md".into()],
        api_id: "x4pipe_named_pipes".into(),
        api_version: c.extension.version,
    });
    c.derive_embedded_names(&[]);
    c.check().unwrap();
    extension_files(&c, &Templates::load(None).unwrap(), dir.path()).unwrap()
}

fn assert_valid(v: &Validator, label: &str, rendered: &ExtensionFiles) -> usize {
    let mut checked = 0;
    for (path, bytes) in rendered.files.iter().filter(|(p, _)| p.ends_with(".xml")) {
        let kind = FileKind::detect(Path::new(path), bytes);
        assert!(
            matches!(kind, FileKind::Md | FileKind::Ui | FileKind::Content),
            "{label}: {path} detected as {kind:?}"
        );
        let findings = v.validate_bytes(path, bytes, kind);
        assert!(
            findings.is_empty(),
            "{label}: {path} is not valid:\n{}",
            findings
                .iter()
                .map(|d| format!("  {}: {}", d.location(), d.message))
                .collect::<Vec<_>>()
                .join("\n")
        );
        checked += 1;
    }
    checked
}

#[test]
fn rendered_xml_is_valid_against_6x_schemas() {
    let v = validator("6.x");
    assert_eq!(
        assert_valid(
            &v,
            "defaults",
            &render_api_default(&Config::default()).unwrap()
        ),
        4
    );
    assert_eq!(
        assert_valid(&v, "renamed", &render_api_default(&renamed()).unwrap()),
        4
    );
    assert_eq!(assert_valid(&v, "embedded", &embedded_mod()), 4);
}

#[test]
fn rendered_xml_is_valid_against_3x_schemas() {
    let v = validator("3.x");
    assert_eq!(
        assert_valid(
            &v,
            "defaults",
            &render_api_default(&Config::default()).unwrap()
        ),
        4
    );
    assert_eq!(
        assert_valid(&v, "renamed", &render_api_default(&renamed()).unwrap()),
        4
    );
}

#[test]
fn the_validator_does_reject_a_broken_md_script() {
    // Guards the tests above against a validator that accepts anything.
    let v = validator("6.x");
    let mut rendered = render_api_default(&Config::default()).unwrap();
    let md = rendered.files.get_mut("md/named_pipes.xml").unwrap();
    let text = String::from_utf8(md.clone())
        .unwrap()
        .replace("<raise_lua_event ", "<raise_lua_events ");
    *md = text.into_bytes();
    let findings = v.validate_bytes(
        "md/named_pipes.xml",
        &rendered.files["md/named_pipes.xml"],
        FileKind::Md,
    );
    assert!(
        findings
            .iter()
            .any(|d| d.message.contains("raise_lua_events")),
        "{findings:?}"
    );
}
