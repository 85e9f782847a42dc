//! The integration tests of x4pipe-sim, in one binary: one link instead of one per file.

mod corpus;
