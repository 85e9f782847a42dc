//! Windows transport (in progress).
