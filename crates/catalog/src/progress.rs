//! How far a long job has come, told to whoever asked. The library draws nothing:
//! the `x4pipe` binary turns these calls into bars on a terminal
//! (`src/cli/progress.rs`).

use std::sync::Arc;

/// Told about each byte-counting job (pack, extract, zip): [`start`](Self::start)
/// once with the bytes it will move, [`advance`](Self::advance) as they move,
/// [`finish`](Self::finish) when it is done (not after a failure). A `package` run
/// of the cat format is two jobs in turn: packing, then zipping. Every method
/// does nothing unless implemented.
pub trait Progress: std::fmt::Debug + Send + Sync {
    /// A job named `what` ("packing", "extracting", "zipping") begins.
    fn start(&self, _what: &'static str, _total_bytes: u64) {}
    /// `bytes` more bytes of the current job are done.
    fn advance(&self, _bytes: u64) {}
    /// The current job is done.
    fn finish(&self) {}
}

/// The options' progress field: `None` reports nothing.
pub type ProgressSink = Option<Arc<dyn Progress>>;

/// Reports nothing (what an option without a [`Progress`] gets).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// The progress to report to: the caller's, or [`NoProgress`].
pub(crate) fn or_none(sink: &ProgressSink) -> &dyn Progress {
    sink.as_deref().unwrap_or(&NoProgress)
}
