//! Progress bars for the catalog library's long jobs (`cat extract`, `cat pack`,
//! `package`), drawn only where a person is watching. The library only reports
//! ([`x4pipe_catalog::Progress`]); drawing is the binary's business.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex, PoisonError};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use x4pipe_catalog::{Progress, ProgressSink};

/// Below this many bytes the work is over before a bar would be readable.
const MIN_BYTES: u64 = 64 << 20;

/// Byte-counting bars on stderr, one per job; no bar when stderr is not a terminal
/// (CI logs, pipes) or the job is small.
#[derive(Debug, Default)]
struct Bars {
    current: Mutex<Option<ProgressBar>>,
}

/// What a command passes as its options' `progress`.
pub fn bars() -> ProgressSink {
    Some(Arc::new(Bars::default()))
}

/// The bar for a job of `total` bytes, if one is worth drawing.
fn bar(what: &'static str, total: u64, terminal: bool) -> Option<ProgressBar> {
    if total < MIN_BYTES || !terminal {
        return None;
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{msg} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what);
    Some(bar)
}

impl Progress for Bars {
    fn start(&self, what: &'static str, total_bytes: u64) {
        let new = bar(what, total_bytes, std::io::stderr().is_terminal());
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(old) = std::mem::replace(&mut *current, new) {
            old.finish_and_clear();
        }
    }

    fn advance(&self, bytes: u64) {
        let current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(bar) = current.as_ref() {
            bar.inc(bytes);
        }
    }

    fn finish(&self) {
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(bar) = current.take() {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_only_for_large_jobs_on_a_terminal() {
        assert!(bar("packing", MIN_BYTES - 1, true).is_none());
        assert!(bar("packing", MIN_BYTES, false).is_none());
        let b = bar("packing", MIN_BYTES, true).expect("a large job on a terminal");
        assert_eq!(b.length(), Some(MIN_BYTES));
        assert_eq!(b.message(), "packing");
    }

    #[test]
    fn each_job_gets_its_own_bar_and_finish_removes_it() {
        let bars = Bars::default();
        // Not a terminal (or small): nothing is drawn, the calls are harmless.
        bars.start("zipping", 10);
        bars.advance(10);
        bars.finish();
        assert!(bars.current.lock().unwrap().is_none());
        *bars.current.lock().unwrap() = bar("packing", MIN_BYTES, true);
        bars.advance(5);
        let pos = bars
            .current
            .lock()
            .unwrap()
            .as_ref()
            .map(ProgressBar::position);
        assert_eq!(pos, Some(5));
        bars.finish();
        assert!(bars.current.lock().unwrap().is_none());
    }
}
