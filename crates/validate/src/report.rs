//! Output formats: human (cargo-style, with the source line), JSON lines, SARIF
//! 2.1.0, and GitHub Actions workflow commands.

use std::io::{self, Write};

use annotate_snippets::{Level, Renderer, Snippet};
use serde_json::{json, Value};

use crate::batch::FileReport;
use crate::diagnostic::{Diagnostic, Severity};
use crate::position::LineIndex;
use x4pipe_files::terminal::{escape, escape_line};

/// How findings are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Like cargo's errors: the source line with the place marked.
    #[default]
    Human,
    /// One JSON object per finding, one per line.
    Json,
    /// One SARIF 2.1.0 log (GitHub code scanning).
    Sarif,
    /// GitHub Actions annotations (`::error file=…,line=…::…`).
    Github,
}

/// Write every finding of `reports` (and `extra`, findings not tied to a validated
/// file, such as a missing path) in `format`.
pub fn write_findings(
    out: &mut dyn Write,
    format: Format,
    reports: &[FileReport],
    extra: &[Diagnostic],
    color: bool,
) -> io::Result<()> {
    let all = || {
        extra.iter().map(|d| (d, None)).chain(
            reports
                .iter()
                .flat_map(|r| r.diagnostics.iter().map(move |d| (d, r.source.as_deref()))),
        )
    };
    match format {
        Format::Human => {
            let renderer = if color {
                Renderer::styled()
            } else {
                Renderer::plain()
            };
            for (d, source) in all() {
                writeln!(out, "{}\n", human(d, source, &renderer))?;
            }
        }
        Format::Json => {
            for (d, _) in all() {
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string(d).map_err(io::Error::other)?
                )?;
            }
        }
        Format::Github => {
            for (d, _) in all() {
                writeln!(out, "{}", github(d))?;
            }
        }
        Format::Sarif => {
            let found: Vec<&Diagnostic> = all().map(|(d, _)| d).collect();
            serde_json::to_writer_pretty(&mut *out, &sarif(&found)).map_err(io::Error::other)?;
            writeln!(out)?;
        }
    }
    Ok(())
}

fn level(s: Severity) -> Level {
    match s {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Note => Level::Note,
    }
}

/// One finding as cargo would show it.
pub fn human(d: &Diagnostic, source: Option<&[u8]>, renderer: &Renderer) -> String {
    let index = source.map(LineIndex::new);
    let path_note = d.element_path.as_ref().map(|p| format!("in {p}"));
    let expected = d.expected.as_ref().map(|e| format!("expected {e}"));
    let line_text = index
        .as_ref()
        .filter(|_| d.line > 0)
        .map(|i| i.line_text(d.line));
    // Names, messages and source lines come from files: control characters and
    // bidi overrides are shown escaped, never sent to the terminal raw.
    let path_note = path_note.map(|p| escape(&p).into_owned());
    let expected = expected.map(|e| escape(&e).into_owned());
    let help = d.help.as_deref().map(escape);
    let file = escape(&d.file);
    let title = escape(&d.message);
    let origin = format!("in {}", escape(&d.location()));
    let mut message = level(d.severity).title(&title).id(&d.code);
    let label = d.expected.as_deref().map(|_| "here").unwrap_or("");
    let escaped_line;
    match line_text.and_then(|t| std::str::from_utf8(t).ok()) {
        Some(text) => {
            let start = char_to_byte(text, d.column);
            let end = char_to_byte(text, d.end_column).max(start);
            // The span in the escaped line: where the escaped prefixes end.
            escaped_line = escape_line(text);
            let start = escape_line(&text[..start]).len();
            let end = escape_line(&text[..end]).len();
            // An empty span (e.g. at the end of a line) still needs a caret.
            let span = if end > start {
                start..end
            } else {
                start..(start + 1).min(escaped_line.len().max(start))
            };
            message = message.snippet(
                Snippet::source(&escaped_line)
                    .line_start(d.line as usize)
                    .origin(&file)
                    .annotation(level(d.severity).span(span).label(label)),
            );
        }
        None => {
            message = message.footer(Level::Note.title(&origin));
        }
    }
    for footer in [&path_note, &expected].into_iter().flatten() {
        message = message.footer(Level::Note.title(footer));
    }
    if let Some(help) = &help {
        message = message.footer(Level::Help.title(help));
    }
    let text = renderer.render(message).to_string();
    text
}

fn char_to_byte(text: &str, column: u32) -> usize {
    let skip = (column as usize).saturating_sub(1);
    text.char_indices().nth(skip).map_or(text.len(), |(i, _)| i)
}

/// The full message: the engine's sentence plus what was expected.
fn full_message(d: &Diagnostic) -> String {
    let mut m = d.message.clone();
    if let Some(p) = &d.element_path {
        m.push_str(&format!(" (at {p})"));
    }
    if let Some(e) = &d.expected {
        m.push_str(&format!("; expected {e}"));
    }
    if let Some(h) = &d.help {
        m.push_str(&format!("; {h}"));
    }
    m
}

/// A GitHub Actions workflow command.
pub fn github(d: &Diagnostic) -> String {
    let command = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    };
    let mut props = vec![format!(
        "file={}",
        escape_property(&d.file.replace('\\', "/"))
    )];
    if d.line > 0 {
        props.push(format!("line={}", d.line));
        props.push(format!("col={}", d.column));
        props.push(format!("endColumn={}", d.end_column));
    }
    props.push(format!("title={}", escape_property(&d.code)));
    format!(
        "::{command} {}::{}",
        props.join(","),
        escape_data(&full_message(d))
    )
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// A SARIF 2.1.0 log with one run: one rule per code, one result per finding.
pub fn sarif(found: &[&Diagnostic]) -> Value {
    let mut rule_ids: Vec<&str> = found.iter().map(|d| d.code.as_str()).collect();
    rule_ids.sort();
    rule_ids.dedup();
    let rules: Vec<Value> = rule_ids
        .iter()
        .map(|id| json!({ "id": id, "shortDescription": { "text": rule_text(id) } }))
        .collect();
    let results: Vec<Value> = found
        .iter()
        .map(|d| {
            let mut physical = json!({ "artifactLocation": { "uri": artifact_uri(&d.file) } });
            if d.line > 0 {
                physical["region"] = json!({ "startLine": d.line, "startColumn": d.column, "endColumn": d.end_column });
            }
            json!({
                "ruleId": d.code,
                "ruleIndex": rule_ids.iter().position(|r| *r == d.code).unwrap_or(0),
                "level": d.severity.as_str(),
                "message": { "text": full_message(d) },
                "locations": [ { "physicalLocation": physical } ],
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [ {
            "tool": { "driver": {
                "name": "x4pipe validate",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://www.w3.org/TR/xmlschema-1/",
                "rules": rules,
            } },
            "columnKind": "unicodeCodePoints",
            "results": results,
        } ],
    })
}

/// SARIF wants a URI reference: forward slashes, no leading `./`, percent-escaped.
fn artifact_uri(file: &str) -> String {
    let f = file.replace('\\', "/");
    let f = f.strip_prefix("./").unwrap_or(&f);
    let mut out = String::new();
    for b in f.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn rule_text(code: &str) -> String {
    use crate::diagnostic::codes;
    match code {
        codes::NOT_WELL_FORMED => "The file is not well-formed XML".into(),
        codes::EMPTY => "The file is empty".into(),
        codes::ENCODING => "The file is not UTF-8 text".into(),
        codes::TOO_LARGE => "The file is too large or nests too deep".into(),
        codes::IO => "The file could not be read".into(),
        codes::SCHEMA => "The schema could not be compiled".into(),
        codes::WELL_FORMED_ONLY => "Only well-formedness was checked".into(),
        other => format!("XML Schema constraint {other}"),
    }
}
