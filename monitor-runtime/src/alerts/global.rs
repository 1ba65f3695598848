//! The process' alert definitions: what `GET /alerts/rules.yml` and
//! `current().rules()` render.

use std::sync::RwLock;

use super::generate::AlertSet;
use crate::core::ignore_poison;

static CONFIGURED: RwLock<Option<AlertSet>> = RwLock::new(None);

/// The service name of the definitions used until [`configure`] is called.
pub(crate) const DEFAULT_SERVICE: &str = "monitor";

/// Makes `set` the process' alert definitions (replacing any earlier ones).
///
/// ```
/// use monitor_runtime::alerts::{self, AlertSet, BusinessAlert};
///
/// alerts::configure(AlertSet::new("shop").business(BusinessAlert::rate_above("login_failures_total", 5.0)));
/// assert!(alerts::current().rules().to_yaml().contains("LoginFailuresTotalRateAbove"));
/// ```
pub fn configure(set: AlertSet) {
    super::embedded::reconfigure(&set);
    *ignore_poison(CONFIGURED.write()) = Some(set);
}

/// The process' alert definitions: those given to [`configure`], or
/// [`AlertSet::annotated`] for a service called `monitor` (the objectives
/// and business alerts declared in the code, and the default service alerts).
pub fn current() -> AlertSet {
    ignore_poison(CONFIGURED.read())
        .clone()
        .unwrap_or_else(|| AlertSet::annotated(DEFAULT_SERVICE))
}
