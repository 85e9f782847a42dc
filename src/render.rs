//! Rendering an extension's generated files from minijinja templates: the config
//! becomes the template context, the templates become [`ExtensionFiles`].
//!
//! Templates are embedded in the binary so an installed `x4pipe` works anywhere;
//! `--templates DIR` replaces any subset of them, file by file, using the same relative
//! names (e.g. `DIR/api/md/named_pipes.xml`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;

use crate::config::{ApiMode, Config};
use crate::escape;
use crate::extension_files::ExtensionFiles;
use crate::tree::rel_name;
use x4pipe_files::input::{files_under, read_text, InputError, Origin, MAX_READ_BYTES};

/// Every embedded template: (name relative to `templates/`, source).
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "api/content.xml",
        include_str!("../templates/api/content.xml"),
    ),
    ("api/ui.xml", include_str!("../templates/api/ui.xml")),
    (
        "api/md/named_pipes.xml",
        include_str!("../templates/api/md/named_pipes.xml"),
    ),
    (
        "api/md/pipe_server_host.xml",
        include_str!("../templates/api/md/pipe_server_host.xml"),
    ),
    (
        "api/ui/x4pipe/named_pipes.lua",
        include_str!("../templates/api/ui/x4pipe/named_pipes.lua"),
    ),
    (
        "api/native/README.txt",
        include_str!("../templates/api/native/README.txt"),
    ),
    (
        "api/python/x4pipe_server.py",
        include_str!("../templates/api/python/x4pipe_server.py"),
    ),
    // Included by x4pipe_server.py, not an output of its own: the Python transport
    // code that `x4pipe host`'s package uses too, so it is written once.
    ("api/python/x4pipe_seqpacket.py", x4pipe_host::SEQPACKET_PY),
];

/// A rendering problem: which template, and what went wrong (minijinja's message
/// carries the line inside the template).
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A file in the `--templates` folder could not be read or is not a known template.
    #[error("{}: {message}", path.display())]
    Override { path: PathBuf, message: String },
    /// A template file refused by x4pipe's input rule (a link, pipe or device in
    /// the `--templates` folder) or that could not be read.
    #[error(transparent)]
    Input(#[from] InputError),
    /// A template failed to compile or render.
    #[error("template `{name}` ({origin}): {message}")]
    Template {
        name: String,
        origin: String,
        message: String,
    },
}

/// The template set: embedded sources, with overrides from a folder.
pub struct Templates {
    sources: BTreeMap<&'static str, (String, String)>, // name -> (source, origin)
}

impl Templates {
    /// The embedded templates, each replaced by `dir/<name>` when that file exists.
    /// Files in `dir` that match no template are an error: a typo in a file name would
    /// otherwise silently render the embedded version.
    pub fn load(dir: Option<&Path>) -> Result<Templates, RenderError> {
        let mut sources: BTreeMap<&'static str, (String, String)> = EMBEDDED
            .iter()
            .map(|(name, src)| (*name, (src.to_string(), "embedded".to_string())))
            .collect();
        if let Some(dir) = dir {
            if !dir.is_dir() {
                return Err(RenderError::Override {
                    path: dir.to_path_buf(),
                    message: "--templates must name a folder".into(),
                });
            }
            // x4pipe's input rule: links, pipes and devices in the folder are refused.
            for file in files_under(dir)? {
                let rel = rel_name(dir, &file);
                let Some((name, _)) = EMBEDDED.iter().find(|(n, _)| *n == rel) else {
                    let known: Vec<&str> = EMBEDDED.iter().map(|(n, _)| *n).collect();
                    return Err(RenderError::Override {
                        path: file,
                        message: format!(
                            "not a template x4pipe knows; template names are: {}",
                            known.join(", ")
                        ),
                    });
                };
                let text = read_text(&file, Origin::Found, MAX_READ_BYTES)?;
                sources.insert(name, (text, file.display().to_string()));
            }
        }
        Ok(Templates { sources })
    }

    fn env(&self) -> Result<Environment<'_>, RenderError> {
        let mut env = environment();
        for (name, (src, origin)) in &self.sources {
            env.add_template(name, src)
                .map_err(|e| template_err(name, origin, e))?;
        }
        Ok(env)
    }

    fn render_one(
        &self,
        env: &Environment<'_>,
        name: &str,
        ctx: &Value,
    ) -> Result<String, RenderError> {
        let origin = &self.sources[name].1;
        let tmpl = env
            .get_template(name)
            .map_err(|e| template_err(name, origin, e))?;
        tmpl.render(ctx).map_err(|e| template_err(name, origin, e))
    }
}

/// The context filters: each escapes (or refuses) a value for one place in a generated
/// file (see [`crate::escape`]). Every string a template prints must come out of one of
/// them; the formatter of [`environment`] refuses any other.
pub const CONTEXT_FILTERS: &[&str] = &[
    "xml_attr",
    "xml_text",
    "xml_comment",
    "md_str",
    "md_str_part",
    "md_name",
    "lua_str",
    "lua_comment",
    "py_str",
    "py_doc",
    "hash_comment",
    "toml_str",
    "shell_word",
    "plain",
];

/// The minijinja settings and filters every x4pipe template is rendered with: the one
/// place the context filters are registered.
pub(crate) fn environment<'a>() -> Environment<'a> {
    use minijinja::{AutoEscape, Error, ErrorKind};
    let mut env = Environment::new();
    // A misspelt variable must fail the build, not render as an empty string.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    // Every output goes through the formatter below: the filters mark what they return
    // as safe, and a string printed without one is an error, not an unescaped value.
    // (A custom auto-escape mode also keeps macro output marked safe.)
    env.set_auto_escape_callback(|_| AutoEscape::Custom("x4pipe"));
    env.set_formatter(|out, _state, value| {
        use minijinja::value::ValueKind;
        let inert = matches!(value.kind(), ValueKind::Number | ValueKind::Bool);
        if !(inert || value.is_safe()) {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!(
                    "a {} is printed without saying where it goes: end the expression with a context filter ({})",
                    value.kind(),
                    CONTEXT_FILTERS.join(", ")
                ),
            ));
        }
        let written = if value.kind() == ValueKind::Bool {
            // As XML, Lua and TOML spell them (minijinja would print Python's `True`).
            out.write_str(if value.is_true() { "true" } else { "false" })
        } else {
            write!(out, "{value}")
        };
        written.map_err(|_| Error::new(ErrorKind::WriteFailure, "cannot write"))
    });
    fn safe(s: String) -> Value {
        Value::from_safe_string(s)
    }
    fn checked(r: Result<String, String>) -> Result<Value, Error> {
        r.map(Value::from_safe_string)
            .map_err(|m| Error::new(ErrorKind::InvalidOperation, m))
    }
    env.add_filter("xml_attr", |s: String| checked(escape::xml_attr(&s)));
    env.add_filter("xml_text", |s: String| checked(escape::xml_text(&s)));
    env.add_filter("xml_comment", |s: String| safe(escape::xml_comment(&s)));
    env.add_filter("md_str", |s: String| checked(escape::md_str(&s)));
    env.add_filter("md_str_part", |s: String| checked(escape::md_str_part(&s)));
    env.add_filter("md_name", |s: String| checked(escape::md_name(&s)));
    env.add_filter("lua_str", |s: String| safe(escape::lua_str(&s)));
    env.add_filter("lua_comment", |s: String| safe(escape::lua_comment(&s)));
    env.add_filter("py_str", |s: String| safe(escape::py_str(&s)));
    env.add_filter("py_doc", |s: String| safe(escape::py_doc(&s)));
    env.add_filter("hash_comment", |s: String| safe(escape::hash_comment(&s)));
    env.add_filter("toml_str", |s: String| safe(escape::toml_str(&s)));
    env.add_filter("shell_word", |s: String| checked(escape::shell_word(&s)));
    env.add_filter("plain", |s: String| safe(escape::plain(&s)));
    // `safe` would print anything as it is, `escape` escapes for HTML: no template of
    // x4pipe's may use them.
    for unsafe_filter in ["safe", "escape", "e"] {
        env.remove_filter(unsafe_filter);
    }
    env
}

fn template_err(name: &str, origin: &str, e: minijinja::Error) -> RenderError {
    let mut message = e.to_string();
    if let Some(line) = e.line() {
        // minijinja names the line itself as `(in <template>:<line>)` when it can.
        if !message.contains(&format!(":{line})")) {
            message.push_str(&format!(" (line {line})"));
        }
    }
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        message.push_str(&format!(": {s}"));
        source = s.source();
    }
    RenderError::Template {
        name: name.to_string(),
        origin: origin.to_string(),
        message,
    }
}

/// The template context; field names are the contract in `docs/contracts.md`.
#[derive(Serialize)]
struct Context<'a> {
    ext: ExtCtx<'a>,
    names: BTreeMap<&'static str, &'a str>,
    settings: &'a crate::config::Settings,
    /// Other extensions `content.xml` depends on.
    deps: Vec<Dependency>,
    x4pipe_version: &'static str,
}

/// A `<dependency id= version= name=/>` of content.xml.
#[derive(Serialize)]
struct Dependency {
    id: String,
    version: u32,
    name: String,
}

/// `ext` in every template's context: the extension's content.xml facts.
#[derive(Serialize)]
pub(crate) struct ExtCtx<'a> {
    id: &'a str,
    folder: &'a str,
    name: &'a str,
    description: &'a str,
    author: &'a str,
    version: u32,
    date: &'a str,
    game_version: u32,
    save: bool,
}

/// `names` in every template's context: each row of the config's one table of names
/// ([`crate::config::NAMES`]) by its key, defaults applied, and `native_lib`.
pub(crate) fn names_ctx(cfg: &Config) -> BTreeMap<&'static str, &str> {
    let mut names: BTreeMap<&'static str, &str> = cfg.names_by_key().collect();
    names.insert("native_lib", crate::native::NATIVE_LIB);
    names
}

impl<'a> ExtCtx<'a> {
    pub(crate) fn of(cfg: &'a Config) -> Self {
        let e = &cfg.extension;
        ExtCtx {
            id: &e.id,
            folder: cfg.folder(),
            name: &e.name,
            description: &e.description,
            author: &e.author,
            version: e.version.0,
            date: &e.date,
            game_version: e.game_version,
            save: e.save,
        }
    }
}

fn context(cfg: &Config) -> Value {
    Value::from_serialize(Context {
        ext: ExtCtx::of(cfg),
        names: names_ctx(cfg),
        settings: &cfg.settings,
        deps: match (&cfg.project, cfg.api_mode()) {
            (Some(p), ApiMode::Standalone) => vec![Dependency {
                id: p.api_id.clone(),
                version: p.api_version.0,
                name: "Named Pipes API".into(),
            }],
            _ => Vec::new(),
        },
        x4pipe_version: env!("CARGO_PKG_VERSION"),
    })
}

/// Render the Named Pipes API extension for `cfg`.
pub fn render_api(cfg: &Config, templates: &Templates) -> Result<ExtensionFiles, RenderError> {
    let env = templates.env()?;
    let ctx = context(cfg);
    let n = &cfg.names;
    let outputs = [
        ("api/content.xml", "content.xml".to_string()),
        ("api/ui.xml", "ui.xml".to_string()),
        // Lower case like every vanilla and original MD file: the game looks files up
        // case-insensitively on Windows, and by exact name on Linux.
        (
            "api/md/named_pipes.xml",
            format!("md/{}.xml", n.md_pipes.to_lowercase()),
        ),
        (
            "api/md/pipe_server_host.xml",
            format!("md/{}.xml", n.md_host.to_lowercase()),
        ),
        ("api/ui/x4pipe/named_pipes.lua", n.lua_file.clone()),
        (
            "api/native/README.txt",
            format!("{}/README.txt", n.native_dir),
        ),
        // The server end of the Linux transport, for the Python side of mods.
        (
            "api/python/x4pipe_server.py",
            "python/x4pipe_server.py".into(),
        ),
    ];
    let mut rendered = ExtensionFiles::default();
    for (name, out) in outputs {
        let text = templates.render_one(&env, name, &ctx)?;
        rendered.files.insert(out, text.into_bytes());
    }
    Ok(rendered)
}

/// Render the files x4pipe generates for `cfg`: the API extension, or for a mod
/// project (a config with `[project]`) its content.xml plus the API when embedded.
/// The project's own files are added by [`crate::project::add_files`].
pub fn render_extension(
    cfg: &Config,
    templates: &Templates,
) -> Result<ExtensionFiles, RenderError> {
    match cfg.project.as_ref().map(|p| p.api) {
        None | Some(ApiMode::Embedded) => render_api(cfg, templates),
        Some(ApiMode::Standalone) => {
            let env = templates.env()?;
            let mut files = ExtensionFiles::default();
            let text = templates.render_one(&env, "api/content.xml", &context(cfg))?;
            files.files.insert("content.xml".into(), text.into_bytes());
            Ok(files)
        }
    }
}

/// Shorthand for tests and library users: embedded templates, no overrides.
pub fn render_api_default(cfg: &Config) -> Result<ExtensionFiles, RenderError> {
    render_api(cfg, &Templates::load(None)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(src: &str) -> Result<String, minijinja::Error> {
        let ctx = minijinja::context! { s => "a<b", n => 7, b => true };
        environment().render_str(src, ctx)
    }

    #[test]
    fn a_string_printed_without_a_context_filter_is_refused() {
        let e = render("<a x=\"{{ s }}\"/>").unwrap_err();
        assert!(e.to_string().contains("context filter"), "{e}");
        assert!(
            render("{{ s ~ 'x' }}").is_err(),
            "a concatenation loses the filter"
        );
        assert!(render("{{ s | safe }}").is_err(), "no way around it");
        assert!(
            render("{{ s | e }}").is_err(),
            "HTML escaping is not a context"
        );
    }

    #[test]
    fn filtered_strings_numbers_booleans_and_macros_print() {
        assert_eq!(
            render("<a x=\"{{ s | xml_attr }}\"/>").unwrap(),
            "<a x=\"a&lt;b\"/>"
        );
        assert_eq!(render("{{ n }} {{ b }}").unwrap(), "7 true");
        let src = "{% macro m(v) %}[{{ v | lua_str }}]{% endmacro %}{{ m(s) }}";
        assert_eq!(render(src).unwrap(), "[\"a<b\"]");
        let src = "{% set P = ('md.' ~ 'X') | md_name %}{{ P }}.Cue";
        assert_eq!(render(src).unwrap(), "md.X.Cue");
    }

    #[test]
    fn refusing_filters_stop_the_render() {
        let e = render("{{ s | md_str }}").unwrap_err();
        assert!(e.to_string().contains("MD string literal"), "{e}");
        assert!(render("{{ s | md_name }}").is_err());
        assert!(render("{{ s | shell_word }}").is_err());
    }

    /// `x4pipe host`'s Python transport is inlined into every build's x4pipe_server.py;
    /// a template tag in it would change the shipped code (or fail the build).
    #[test]
    fn the_shared_python_transport_is_inlined_verbatim() {
        let cfg = Config::default();
        let files = render_api_default(&cfg).unwrap();
        let server = String::from_utf8(files.files["python/x4pipe_server.py"].clone()).unwrap();
        assert!(server.contains(x4pipe_host::SEQPACKET_PY));
    }
}
