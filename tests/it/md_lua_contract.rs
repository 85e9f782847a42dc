//! The MD scripts and the Lua client agree, for the default names, for a build where
//! every name is changed, and for an embedded API: every cue an MD script references
//! exists, every Lua event MD raises is registered by the Lua client (loaded in
//! LuaJIT), and every answer the Lua sends arrives on the screen and control the MD
//! waits for. The game cannot run here; this is the next best proof that the pieces
//! fit.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use x4pipe::config::Config;
use x4pipe::render::render_api_default;
use x4pipe::ExtensionFiles;

/// What the rendered MD scripts define and expect.
#[derive(Default, Debug)]
struct Md {
    /// script name -> names of its cues and libraries
    cues: BTreeMap<String, BTreeSet<String>>,
    /// (script, referenced script, referenced cue, where)
    refs: Vec<(String, String, String, String)>,
    /// Lua events raised: name -> the parameter expression
    raised: BTreeMap<String, String>,
    /// (screen, control) MD waits for; a control ending in `_` is a prefix (`+ $id`)
    waits: BTreeSet<(String, String)>,
}

fn literal(expr: &str) -> Option<String> {
    let e = expr.trim();
    (e.len() >= 2 && e.starts_with('\'') && e.ends_with('\'') && !e[1..e.len() - 1].contains('\''))
        .then(|| e[1..e.len() - 1].to_string())
}

fn is_cue_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `md.Script.Cue` references inside any expression.
fn md_refs(expr: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, _) in expr.match_indices("md.") {
        let rest = &expr[i + 3..];
        let mut parts = rest.split('.');
        let script: String = parts
            .next()
            .unwrap_or("")
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let cue: String = parts
            .next()
            .unwrap_or("")
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if is_cue_name(&script) && is_cue_name(&cue) {
            out.push((script, cue));
        }
    }
    out
}

fn read_md(rendered: &ExtensionFiles) -> Md {
    read_md_files(rendered.files.iter().filter(|(p, _)| p.starts_with("md/")))
}

fn read_md_files<'a>(files: impl Iterator<Item = (&'a String, &'a Vec<u8>)>) -> Md {
    let mut md = Md::default();
    for (path, bytes) in files {
        let text = std::str::from_utf8(bytes).unwrap();
        let doc = roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("{path}: {e}"));
        let script = doc.root_element().attribute("name").unwrap().to_string();
        let mut names = BTreeSet::new();
        for n in doc.descendants().filter(|n| n.is_element()) {
            let at = format!("{path}:{}", doc.text_pos_at(n.range().start).row);
            if matches!(n.tag_name().name(), "cue" | "library") {
                names.insert(n.attribute("name").unwrap().to_string());
            }
            for a in n.attributes() {
                let v = a.value();
                // Bare cue names in cue/ref attributes, and `$cue=Name` in tables.
                if matches!(a.name(), "cue" | "ref") && is_cue_name(v) {
                    md.refs
                        .push((script.clone(), script.clone(), v.to_string(), at.clone()));
                }
                for (i, _) in v.match_indices("$cue=") {
                    let name: String = v[i + 5..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if is_cue_name(&name) {
                        md.refs
                            .push((script.clone(), script.clone(), name, at.clone()));
                    }
                }
                for (s, c) in md_refs(v) {
                    md.refs.push((script.clone(), s, c, at.clone()));
                }
            }
            match n.tag_name().name() {
                "raise_lua_event" => {
                    let name =
                        literal(n.attribute("name").unwrap()).expect("event names are literals");
                    md.raised
                        .insert(name, n.attribute("param").unwrap_or("").to_string());
                }
                "event_ui_triggered" => {
                    let screen = literal(n.attribute("screen").unwrap()).expect("literal screen");
                    let control = n.attribute("control").unwrap();
                    // `'prefix_' + $id`, or `$pipe + '_suffix'` (kept as `*_suffix`).
                    let control = match control.split_once(" + ") {
                        Some((prefix, rest)) => literal(prefix)
                            .or_else(|| literal(rest).map(|suffix| format!("*{suffix}")))
                            .expect("a literal prefix or suffix"),
                        None => literal(control).expect("literal control"),
                    };
                    md.waits.insert((screen, control));
                }
                _ => {}
            }
        }
        md.cues.insert(script, names);
    }
    md
}

/// The Lua client loaded in LuaJIT with protected UI mode on (so no native library is
/// needed): every event is registered and every request answered at once.
struct Lua {
    lua: mlua::Lua,
    handlers: Rc<RefCell<BTreeMap<String, mlua::Function>>>,
    signals: Rc<RefCell<Vec<(String, String, String)>>>,
}

fn load_lua(rendered: &ExtensionFiles, cfg: &Config) -> Lua {
    let lua = mlua::Lua::new();
    let handlers = Rc::new(RefCell::new(BTreeMap::new()));
    let signals = Rc::new(RefCell::new(Vec::new()));
    let g = lua.globals();
    let h = handlers.clone();
    g.set(
        "RegisterEvent",
        lua.create_function(move |_, (name, f): (String, mlua::Function)| {
            h.borrow_mut().insert(name, f);
            Ok(())
        })
        .unwrap(),
    )
    .unwrap();
    let s = signals.clone();
    g.set(
        "AddUITriggeredEvent",
        lua.create_function(
            move |_, (screen, control, value): (String, String, Option<mlua::String>)| {
                let value = value
                    .map(|v| v.to_string_lossy().to_string())
                    .unwrap_or_default();
                s.borrow_mut().push((screen, control, value));
                Ok(())
            },
        )
        .unwrap(),
    )
    .unwrap();
    g.set(
        "GetUISafeModeOption",
        lua.create_function(|_, ()| Ok(true)).unwrap(),
    )
    .unwrap();
    g.set(
        "DebugError",
        lua.create_function(|_, _: mlua::MultiValue| Ok(()))
            .unwrap(),
    )
    .unwrap();
    g.set(
        "SetScript",
        lua.create_function(|_, _: mlua::MultiValue| Ok(()))
            .unwrap(),
    )
    .unwrap();
    g.set(
        "RemoveScript",
        lua.create_function(|_, _: mlua::MultiValue| Ok(()))
            .unwrap(),
    )
    .unwrap();
    g.set(
        "GetCurRealTime",
        lua.create_function(|_, ()| Ok(0.0)).unwrap(),
    )
    .unwrap();
    let code = &rendered.files[&cfg.names.lua_file];
    lua.load(code.as_slice())
        .set_name(format!(
            "@extensions/{}/{}",
            cfg.folder(),
            cfg.names.lua_file
        ))
        .exec()
        .expect("the Lua client loads");
    Lua {
        lua,
        handlers,
        signals,
    }
}

fn check(label: &str, cfg: &Config) {
    let rendered = render_api_default(cfg).unwrap();
    let md = read_md(&rendered);
    assert_eq!(md.cues.len(), 2, "{label}: two MD scripts");

    // 1. Every referenced cue exists.
    for (from, script, cue, at) in &md.refs {
        let known = md.cues.get(script).unwrap_or_else(|| {
            panic!("{label}: {at}: script `{script}` (from {from}) is not rendered")
        });
        assert!(
            known.contains(cue),
            "{label}: {at}: cue `{cue}` of `{script}` does not exist"
        );
    }
    assert!(
        md.refs.len() > 20,
        "{label}: references were collected ({})",
        md.refs.len()
    );

    // 2. MD raises exactly the events the Lua client registers.
    let lua = load_lua(&rendered, cfg);
    let registered: BTreeSet<String> = lua.handlers.borrow().keys().cloned().collect();
    let raised: BTreeSet<String> = md.raised.keys().cloned().collect();
    assert_eq!(
        raised, registered,
        "{label}: events MD raises vs events Lua registers"
    );

    // 3. The loaded signal is one the MD listens for.
    let loaded = lua.signals.borrow()[0].clone();
    assert!(
        md.waits.contains(&(loaded.0.clone(), loaded.1.clone())),
        "{label}: MD waits for {loaded:?}"
    );
    assert!(loaded.2.starts_with("DISABLED:"), "{label}: {loaded:?}");

    // 4. Each access event's answer reaches the control the MD access waits on.
    let mut answered = 0;
    for (event, param_expr) in &md.raised {
        let with_id = param_expr.contains("$id");
        let param = match (with_id, param_expr.matches("';'").count()) {
            (true, 2) => "some_pipe;77;a;message".to_string(),
            (true, _) => "some_pipe;77".to_string(),
            (false, _) => "some_pipe".to_string(),
        };
        lua.signals.borrow_mut().clear();
        let f = lua.handlers.borrow()[event].clone();
        f.call::<()>((event.clone(), lua.lua.create_string(&param).unwrap()))
            .unwrap_or_else(|e| panic!("{label}: {event}: {e}"));
        let sent = lua.signals.borrow().clone();
        // Whatever the Lua sends lands on a control the MD waits for.
        for (screen, control, _) in &sent {
            let waited = md.waits.iter().any(|(s, c)| {
                s == screen
                    && (c == control || (c.ends_with('_') && control.starts_with(c.as_str())))
            });
            assert!(
                waited,
                "{label}: {event} sends ({screen}, {control}), which no MD cue waits for; MD waits for {:?}",
                md.waits
            );
        }
        // Dropping an access MD gave up on has no answer: MD answered its caller.
        if with_id && *event != cfg.names.ev_cancel {
            assert_eq!(sent.len(), 1, "{label}: {event} answers once: {sent:?}");
            let (_, control, value) = &sent[0];
            assert_eq!(value, "ERROR", "{label}: disabled API answers ERROR");
            assert!(control.ends_with("77"), "{label}: {control} carries the id");
            answered += 1;
        } else if *event != cfg.names.ev_tick {
            assert!(sent.is_empty(), "{label}: {event} has no answer: {sent:?}");
        }
    }
    assert_eq!(answered, 4, "{label}: read, write, write special and check");
}

#[test]
fn md_and_lua_agree_with_default_names() {
    check("defaults", &Config::default());
}

#[test]
fn md_and_lua_agree_with_every_name_changed() {
    let mut c = Config::default();
    c.extension.id = "renamed".into();
    let n = &mut c.names;
    n.md_pipes = "P2".into();
    n.md_host = "H2".into();
    n.ui_screen = "S2".into();
    n.ev_read = "r2".into();
    n.ev_write = "w2".into();
    n.ev_write_special = "ws2".into();
    n.ev_check = "c2".into();
    n.ev_close = "cl2".into();
    n.ev_suppress = "su2".into();
    n.ev_unsuppress = "un2".into();
    n.ev_cancel = "ca2".into();
    n.ev_tick = "t2".into();
    n.loaded = "l2".into();
    n.host_pipe = "hp2".into();
    n.lua_file = "ui/r2/x.lua".into();
    c.check().unwrap();
    check("renamed", &c);
}

#[test]
fn md_and_lua_agree_in_an_embedded_build() {
    let mut c = Config::default();
    c.extension.id = "some_mod".into();
    c.derive_embedded_names(&[]);
    c.check().unwrap();
    check("embedded", &c);
}

/// The example MD of `new-extension` only calls cues that the API it uses defines.
#[test]
fn the_scaffolded_mod_calls_existing_api_cues() {
    use x4pipe::config::ApiMode;
    use x4pipe::scaffold::{new_extension, NewExtension};
    for api in [ApiMode::Standalone, ApiMode::Embedded] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("proj");
        new_extension(&NewExtension {
            name: "my_mod".into(),
            dir: dir.clone(),
            author: String::new(),
            description: None,
            api,
            force: false,
        })
        .unwrap();
        let cfg = Config::load(Some(&dir.join("x4pipe.toml"))).unwrap();
        // The API the mod talks to: its own embedded copy, or the standalone defaults.
        let api_cfg = if api == ApiMode::Embedded {
            cfg.clone()
        } else {
            Config::default()
        };
        let mut files = render_api_default(&api_cfg).unwrap().files;
        files.retain(|p, _| p.starts_with("md/"));
        let mod_md = std::fs::read(dir.join("md/my_mod.xml")).unwrap();
        files.insert("md/my_mod.xml".into(), mod_md);
        let md = read_md_files(files.iter());
        assert_eq!(md.cues.len(), 3, "{api:?}");
        let from_mod: Vec<_> = md.refs.iter().filter(|r| r.0 == "My_Mod").collect();
        assert!(
            from_mod.iter().any(|r| r.2 == "Register_Module"),
            "{api:?}: {from_mod:?}"
        );
        for (from, script, cue, at) in &md.refs {
            let known = md.cues.get(script).unwrap_or_else(|| {
                panic!("{api:?}: {at}: script `{script}` (from {from}) missing")
            });
            assert!(
                known.contains(cue),
                "{api:?}: {at}: cue `{cue}` of `{script}` does not exist"
            );
        }
    }
}
