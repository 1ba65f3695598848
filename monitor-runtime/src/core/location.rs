//! Where an annotated item or a registration comes from, as reports show it.

use std::fmt;

/// A place in the source: the `file:line` that registration problems and health
/// check clashes name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SourceLocation {
    file: &'static str,
    line: u32,
}

impl SourceLocation {
    /// The location recorded by generated code (`file!()`, `line!()`).
    pub(crate) const fn new(file: &'static str, line: u32) -> Self {
        Self { file, line }
    }

    /// The caller of a `#[track_caller]` function.
    pub(crate) fn of(location: &'static std::panic::Location<'static>) -> Self {
        Self::new(location.file(), location.line())
    }
}

/// `file:line`.
impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}
