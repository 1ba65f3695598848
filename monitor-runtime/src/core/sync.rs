//! The one way the runtime takes a lock.

use std::sync::{LockResult, PoisonError};

/// The guard of a `lock()`, `read()` or `write()`, even when a thread panicked while
/// holding it.
///
/// Monitoring must keep answering after a panic elsewhere: the runtime's locks only
/// guard plain data (tables, lists, tokens) that is never left half-updated by the
/// code holding them, so a poisoned lock still holds consistent data.
#[inline]
pub(crate) fn ignore_poison<Guard>(result: LockResult<Guard>) -> Guard {
    result.unwrap_or_else(PoisonError::into_inner)
}
