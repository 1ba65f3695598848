//! The validator against the real linter.
