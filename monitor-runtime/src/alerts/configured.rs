//! The process' alert definitions: what `GET /alerts/rules.yml` and
//! `current().rules()` render.

use std::sync::RwLock;

use super::generate::AlertSet;
use crate::core::ignore_poison;

/// The definitions given to [`configure`](super::configure), if any.
pub(super) static CONFIGURED: RwLock<Option<AlertSet>> = RwLock::new(None);

/// The service name of the definitions used until [`configure`](super::configure)
/// is called.
pub(crate) const DEFAULT_SERVICE: &str = "monitor";

/// The process' alert definitions: those given to [`configure`](super::configure),
/// or [`AlertSet::annotated`] for a service called `monitor` (the objectives
/// and business alerts declared in the code, and the default service alerts).
///
/// ```
/// let rules = monitor_runtime::alerts::current().rules();
/// assert!(rules.alerts().any(|alert| alert.alert == "TargetDown"));
/// ```
pub fn current() -> AlertSet {
    ignore_poison(CONFIGURED.read())
        .clone()
        .unwrap_or_else(|| AlertSet::annotated(DEFAULT_SERVICE))
}
