//! Progress bars that only appear where a person is watching.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Below this many bytes the work is over before a bar would be readable.
const MIN_BYTES: u64 = 64 << 20;

/// A byte-counting bar on stderr, hidden when not asked for, when stderr is not
/// a terminal (CI logs, pipes) or when the job is small.
pub(crate) fn bytes(enabled: bool, total: u64, what: &'static str) -> ProgressBar {
    if !enabled || total < MIN_BYTES || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{msg} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what);
    bar
}
