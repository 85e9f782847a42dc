//! winpipe (under construction)
