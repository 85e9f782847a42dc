//! Every value a template prints says where it goes (#15): the audit of every
//! `{{ ... }}` in `templates/`, and the Python escapers checked with real python3.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use x4pipe::escape::{py_doc, py_str};
use x4pipe::render::CONTEXT_FILTERS;

fn template_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            template_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// What a template may print without a context filter: numbers and booleans (digits,
/// `true`, `false` are inert everywhere), the MD names the templates set through a
/// filter (`{% set P = (...) | md_name %}`), and the `access` macro of named_pipes.xml
/// (its output is template text whose own values are filtered).
fn allowed_without_filter(expr: &str) -> bool {
    const NUMBERS: &[&str] = &[
        "settings.debug",
        "settings.ping_interval",
        "settings.backoff_max",
        "settings.default_timeout",
        "settings.write_timeout_ms",
        "ext.version",
        "ext.game_version",
        "ext.save",
        "d.version",
        "chance",
    ];
    const FILTERED_SETS: &[&str] = &["P", "H", "screen", "host"];
    NUMBERS.contains(&expr) || FILTERED_SETS.contains(&expr) || expr.starts_with("access(")
}

#[test]
fn every_printed_value_in_the_templates_names_its_context() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut files = Vec::new();
    template_files(&root, &mut files);
    assert!(files.len() >= 10, "{files:?}");
    let mut unclear = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).unwrap();
        let mut rest = text.as_str();
        while let Some(start) = rest.find("{{") {
            let end = rest[start..].find("}}").expect("closed expression") + start;
            let expr = rest[start + 2..end].trim_matches(|c: char| c == '-' || c.is_whitespace());
            let expr = expr.split_whitespace().collect::<Vec<_>>().join(" ");
            rest = &rest[end + 2..];
            let last_filter = expr.rsplit_once('|').map(|(_, f)| f.trim());
            let ok = match last_filter {
                Some(f) => CONTEXT_FILTERS.contains(&f) || (f == "int"),
                None => allowed_without_filter(&expr),
            };
            if !ok {
                unclear.push(format!("{}: {{{{ {expr} }}}}", file.display()));
            }
        }
        // Values set for later printing go through a context filter too.
        for line in text.lines().filter(|l| l.contains("{% set ")) {
            let filtered = CONTEXT_FILTERS
                .iter()
                .any(|f| line.contains(&format!("| {f} %}}")));
            let number = line.contains(" if settings.debug else ");
            if !(filtered || number) {
                unclear.push(format!("{}: {line}", file.display()));
            }
        }
    }
    assert!(
        unclear.is_empty(),
        "no context filter:\n{}",
        unclear.join("\n")
    );
}

/// Strings Python must read back unchanged from `py_str` and `py_doc`.
const HOSTILE: &[&str] = &[
    "plain",
    "quotes ' \" ''' \"\"\" \\ \\\\ \\n",
    "line\nbreaks\r\nand\rreturns",
    "\u{0}\u{1}\u{1b}[2J\u{7f}\u{85}\u{2028}",
    "é 日本 😀 \u{10FFFF}",
    "{braces} %s $x",
    "ends with a backslash \\",
    "\"",
];

#[test]
fn python_reads_escaped_strings_back_unchanged() {
    let mut program = String::from("import sys\nvalues = [\n");
    for s in HOSTILE {
        program.push_str(&format!("    {},\n", py_str(s)));
        program.push_str(&format!("    \"\"\"{}\"\"\",\n", py_doc(s)));
    }
    program.push_str("]\nsys.stdout.buffer.write('\\x00SEP\\x00'.join(values).encode('utf-8', 'surrogatepass'))\n");
    let o = Command::new("python3")
        .arg("-c")
        .arg(&program)
        .output()
        .expect("python3 runs (the tests need it)");
    assert!(
        o.status.success(),
        "{}\n{program}",
        String::from_utf8_lossy(&o.stderr)
    );
    let expected: Vec<String> = HOSTILE
        .iter()
        .flat_map(|s| [s.to_string(), s.to_string()])
        .collect();
    assert_eq!(
        String::from_utf8(o.stdout).unwrap(),
        expected.join("\u{0}SEP\u{0}")
    );
}
