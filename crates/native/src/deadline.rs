//! Timeouts as deadlines: the one place that works out how long a wait may still last,
//! for the client's writes and the server's accepts and reads alike.

use std::time::{Duration, Instant};

/// When a wait with an optional timeout gives up.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Deadline(Option<Instant>);

impl Deadline {
    /// A deadline `timeout` from now; `None` waits for ever.
    pub(crate) fn after(timeout: Option<Duration>) -> Self {
        Deadline(timeout.map(|t| Instant::now() + t))
    }

    /// How long the next wait may take: `Some(None)` without limit, `Some(Some(d))` at
    /// most `d`, and `None` once the deadline has passed.
    pub(crate) fn remaining(self) -> Option<Option<Duration>> {
        match self.0 {
            None => Some(None),
            Some(d) => {
                let rest = d.saturating_duration_since(Instant::now());
                (!rest.is_zero()).then_some(Some(rest))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remaining_time() {
        assert_eq!(Deadline::after(None).remaining(), Some(None));
        let left = Deadline::after(Some(Duration::from_secs(60))).remaining();
        assert!(matches!(left, Some(Some(d)) if d > Duration::from_secs(59)));
        assert_eq!(Deadline::after(Some(Duration::ZERO)).remaining(), None);
    }
}
