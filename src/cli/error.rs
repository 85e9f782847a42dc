//! The one error policy of the binary (cargo's way): commands return errors, this
//! module prints them and picks the exit code. Library crates never print or exit.
//!
//! Exit codes (README): 0 success, 1 the checked thing is bad (a config value, a
//! template, invalid XML, a malformed catalog), 2 usage or I/O errors.
//!
//! Printing: `error: <message>`, then each cause once under `Caused by:`. Library
//! errors keep their source out of their own message (thiserror `#[source]`), so the
//! chain never repeats; a cause whose text the line above already shows is skipped
//! as a backstop.

use std::fmt::Write as _;

/// The exit code of a failure whose input is bad.
pub const INVALID: u8 = 1;
/// The exit code of a usage or I/O failure.
pub const TROUBLE: u8 = 2;

/// The exit code for `e`: the first error in its chain that says what kind of
/// failure it is decides; anything unknown is trouble (2).
pub fn exit_code(e: &anyhow::Error) -> u8 {
    use x4pipe::config::{ConfigError, LoadError};
    use x4pipe::project::ProjectError;
    use x4pipe::render::RenderError;
    use x4pipe_catalog::Error as Cat;
    for cause in e.chain() {
        if cause.is::<ConfigError>() || cause.is::<x4pipe::pipeline::check::InvalidOutput>() {
            return INVALID;
        }
        if let Some(l) = cause.downcast_ref::<LoadError>() {
            return match l {
                LoadError::Read { .. } => TROUBLE,
                LoadError::Invalid(_) => INVALID,
            };
        }
        if let Some(r) = cause.downcast_ref::<RenderError>() {
            return match r {
                RenderError::Template { .. } => INVALID,
                RenderError::Input(i) => input_code(i),
                RenderError::Override { .. } => TROUBLE,
            };
        }
        if let Some(p) = cause.downcast_ref::<ProjectError>() {
            return match p {
                ProjectError::Missing { .. }
                | ProjectError::Collision { .. }
                | ProjectError::Unportable { .. } => INVALID,
                ProjectError::Input { source, .. } => input_code(source),
            };
        }
        if let Some(c) = cause.downcast_ref::<Cat>() {
            return match c {
                Cat::Parse { .. }
                | Cat::UnsafePath { .. }
                | Cat::PastEnd { .. }
                | Cat::Md5Mismatch { .. }
                | Cat::Unpackable { .. }
                | Cat::EntryTooLarge { .. }
                | Cat::LineTooLong { .. }
                | Cat::MissingGameFiles { .. }
                | Cat::BadContent { .. } => INVALID,
                Cat::Input(i) => input_code(i),
                _ => TROUBLE,
            };
        }
        if let Some(c) = cause.downcast_ref::<x4pipe::release::ContentError>() {
            return match c {
                x4pipe::release::ContentError::Invalid { .. } => INVALID,
                x4pipe::release::ContentError::Input(i) => input_code(i),
                x4pipe::release::ContentError::Schema(_) => TROUBLE,
            };
        }
        if let Some(i) = cause.downcast_ref::<x4pipe_files::InputError>() {
            return input_code(i);
        }
        if cause.is::<super::cat::VerifyFailed>() || cause.is::<super::sim::RunFailed>() {
            return INVALID;
        }
        if cause.is::<x4pipe::scaffold::ScaffoldError>() {
            // A bad extension name is a bad argument: usage.
            return TROUBLE;
        }
        if let Some(e) = cause.downcast_ref::<x4pipe_sim::SimError>() {
            use x4pipe_sim::SimError as S;
            return match e {
                // The scripts are bad, or use what the simulator cannot run.
                S::NotSimulated { .. } | S::Script { .. } => INVALID,
                S::Extension { .. } | S::Host(_) => TROUBLE,
            };
        }
        if cause.is::<std::io::Error>() {
            return TROUBLE;
        }
    }
    TROUBLE
}

/// An input file refused by x4pipe's input rule (a link, pipe, device, or too
/// large) is bad input; failing to read an acceptable one is I/O trouble.
fn input_code(e: &x4pipe_files::InputError) -> u8 {
    if e.is_refusal() {
        INVALID
    } else {
        TROUBLE
    }
}

/// The full text printed for `e`.
pub fn report(e: &anyhow::Error) -> String {
    let mut out = format!("error: {e}\n");
    let mut shown = e.to_string();
    let mut causes = Vec::new();
    for cause in e.chain().skip(1) {
        let text = cause.to_string();
        if !text.is_empty() && !shown.contains(&text) {
            causes.push(text.clone());
        }
        shown = text;
    }
    if !causes.is_empty() {
        out.push_str("\nCaused by:\n");
        for c in causes {
            for (i, line) in c.lines().enumerate() {
                let indent = if i == 0 { "  " } else { "    " };
                let _ = writeln!(out, "{indent}{line}");
            }
        }
    }
    // Messages name files and quote their contents: no raw control characters or
    // bidi overrides reach the terminal (x4pipe_files::terminal; escaping is
    // idempotent, so text escaped before stays as it is).
    let mut safe = String::with_capacity(out.len());
    for line in out.split_terminator('\n') {
        safe.push_str(&x4pipe_files::terminal::escape_line(line));
        safe.push('\n');
    }
    safe
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer {0}")]
    struct Repeats(#[source] std::io::Error);

    #[test]
    fn causes_are_listed_once_and_never_repeat_the_message() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        let e = anyhow::Error::new(io).context("cannot read a.cat");
        assert_eq!(
            report(&e),
            "error: cannot read a.cat\n\nCaused by:\n  gone\n"
        );

        // A Display that already shows its source: the cause is not printed again.
        let e = anyhow::Error::new(Repeats(std::io::Error::other("gone")));
        assert_eq!(report(&e), "error: outer gone\n");
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let e = anyhow::anyhow!("bad name a\u{1b}[2Jb\r").context("in x\u{202e}y.cat");
        assert_eq!(
            report(&e),
            "error: in x\\u{202e}y.cat\n\nCaused by:\n  bad name a\\x1b[2Jb\\x0d\n"
        );
    }

    #[test]
    fn io_is_trouble_and_config_is_invalid() {
        let e = anyhow::Error::new(std::io::Error::other("x"));
        assert_eq!(exit_code(&e), TROUBLE);
        let c = x4pipe::config::ConfigError {
            file: None,
            line: None,
            key: Some("names.addon".into()),
            message: "bad".into(),
        };
        assert_eq!(
            exit_code(&anyhow::Error::new(c).context("in build")),
            INVALID
        );
    }
}
