//! x4pipe library
