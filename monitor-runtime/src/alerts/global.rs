//! Setting the process' alert definitions: the definitions themselves and the
//! embedded evaluator both take them.

use super::configured::CONFIGURED;
use super::generate::AlertSet;
use crate::core::ignore_poison;

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
