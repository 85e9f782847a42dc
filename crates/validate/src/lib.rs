//! x4pipe-validate (under construction)
