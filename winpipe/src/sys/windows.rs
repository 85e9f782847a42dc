//! Windows OS calls (in progress).
