//! Checks made of closures.

use super::types::{CheckFuture, CheckSpec, HealthCheck, IntoHealth};

/// A check made of a closure, for [`HealthRegistry::register_fn`](super::HealthRegistry::register_fn) and the built-ins.
pub(crate) struct ClosureCheck<F> {
    spec: CheckSpec,
    check: F,
}

impl<F> ClosureCheck<F> {
    pub(crate) fn new(spec: CheckSpec, check: F) -> Self {
        Self { spec, check }
    }
}

impl<F, R> HealthCheck for ClosureCheck<F>
where
    F: Fn() -> R + Send + Sync + 'static,
    R: IntoHealth,
{
    fn spec(&self) -> CheckSpec {
        self.spec.clone()
    }

    fn check(&self) -> CheckFuture<'_> {
        Box::pin(async move { (self.check)().into_health() })
    }
}
