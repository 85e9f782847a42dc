//! x4pipe-catalog (under construction)
