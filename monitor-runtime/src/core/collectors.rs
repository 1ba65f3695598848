//! The collectors of the application in the global registry: registered with the
//! claims of the runtime's parts checked first, and refusals worded with what holds
//! the name and where.

use std::collections::HashMap;
use std::fmt;

use prometheus::core::Collector;

use super::error::RegistrationError;
use super::registry::{Conflict, Owner, RAW, REGISTRY, RawRegistry, registry};
use super::sync::ignore_poison;

/// Registers a collector of the application in the global [`registry`], saying in
/// plain words what it clashes with when one of its names is taken: "`name`
/// conflicts with `what` registered at `where`", where prometheus would say
/// "Duplicate metrics collector registration attempted" or print a descriptor.
///
/// ```
/// use monitor_runtime::prometheus::IntGauge;
/// use monitor_runtime::{RegistrationError, register_collector};
///
/// let queue = IntGauge::new("doc_queue_depth", "Jobs waiting.").unwrap();
/// register_collector(Box::new(queue)).unwrap();
///
/// // A name the framework itself registers:
/// let clash = IntGauge::new("health_check_status", "Mine.").unwrap();
/// let error = register_collector(Box::new(clash)).unwrap_err();
/// assert!(matches!(error, RegistrationError::Conflict { .. }));
/// assert!(error.to_string().starts_with("`health_check_status` conflicts with the health check metrics"));
/// ```
///
/// # Errors
///
/// [`RegistrationError::Conflict`] when a name of the collector is taken; the
/// location it names for the collector is the caller's.
#[track_caller]
pub fn register_collector(collector: Box<dyn Collector>) -> Result<(), RegistrationError> {
    let location = super::location::SourceLocation::of(std::panic::Location::caller());
    registry();
    super::source::check_foreign(&super::foreign::describe(collector.as_ref()))
        .map_err(|conflict| conflict.into_error(location))?;
    RAW.register_as(collector, "a collector of the application", location)
        .map_err(|conflict| conflict.into_error(location))
}

impl RawRegistry {
    /// Registers a collector, recording `what` registered it and `location` (a
    /// `file:line`) for the wording of later clashes.
    pub(crate) fn register_as(
        &self,
        collector: Box<dyn Collector>,
        what: impl Into<String>,
        location: impl fmt::Display,
    ) -> Result<(), Conflict> {
        let names: Vec<String> = collector
            .desc()
            .iter()
            .map(|desc| desc.fq_name.clone())
            .collect();
        match REGISTRY.register(collector) {
            Ok(()) => {
                let owner = Owner {
                    what: what.into(),
                    location: location.to_string(),
                };
                let mut owners = ignore_poison(self.owners.lock());
                let owners = owners.get_or_insert_with(HashMap::new);
                for name in names {
                    owners.entry(name).or_insert_with(|| owner.clone());
                }
                Ok(())
            }
            Err(error) => Err(self.conflict(names, error)),
        }
    }

    /// Words a refusal: the first name of the rejected collector that something
    /// else already holds, and what that is.
    fn conflict(&self, names: Vec<String>, error: prometheus::Error) -> Conflict {
        let known = names
            .iter()
            .find_map(|name| {
                let (what, location) = super::source::owner_of(name)?;
                Some((name.clone(), Owner { what, location }))
            })
            .or_else(|| {
                ignore_poison(self.owners.lock())
                    .as_ref()
                    .and_then(|owners| {
                        names
                            .iter()
                            .find_map(|name| Some((name.clone(), owners.get(name)?.clone())))
                    })
            });
        let (metric, owner) = match known {
            Some(found) => found,
            None => {
                // Not registered through the runtime: the application registered it
                // in `registry()` itself.
                let present: Vec<String> = REGISTRY
                    .gather()
                    .iter()
                    .map(|family| family.name().to_owned())
                    .collect();
                let metric = names
                    .iter()
                    .find(|name| present.contains(name))
                    .or(names.first())
                    .cloned()
                    .unwrap_or_default();
                let owner = Owner {
                    what: "a collector of the application".to_owned(),
                    location: "`monitor_runtime::registry()`".to_owned(),
                };
                (metric, owner)
            }
        };
        Conflict::new(&metric, &owner.what, &owner.location, error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use prometheus::{IntCounter, IntGauge};

    use super::*;
    use crate::core::registry::raw_registry;

    #[test]
    fn a_clash_with_a_metric_of_the_runtime_names_it_and_where() {
        let first = IntCounter::new("unit_owned_total", "First.").unwrap();
        raw_registry()
            .register_as(Box::new(first), "the unit test's counter", "unit.rs:1")
            .unwrap();
        for second in [
            IntCounter::new("unit_owned_total", "First.").unwrap(),
            IntCounter::new("unit_owned_total", "Other help.").unwrap(),
        ] {
            let conflict = raw_registry()
                .register_as(Box::new(second), "the second", "unit.rs:2")
                .unwrap_err();
            assert_eq!(
                conflict.to_string(),
                "`unit_owned_total` conflicts with the unit test's counter registered at unit.rs:1"
            );
            let error = conflict.into_error("unit.rs:2").to_string();
            assert!(
                error.starts_with(
                    "`unit_owned_total` conflicts with the unit test's counter registered at unit.rs:1"
                ) && error.contains("unit.rs:2"),
                "{error}"
            );
            assert!(
                !error.contains("Duplicate") && !error.contains("Desc {"),
                "{error}"
            );
        }
    }

    #[test]
    fn a_clash_with_a_collector_of_the_application_says_so() {
        let theirs = IntGauge::new("unit_application_gauge", "Theirs.").unwrap();
        theirs.set(1);
        registry().register(Box::new(theirs)).unwrap();
        let ours = IntGauge::new("unit_application_gauge", "Ours.").unwrap();
        let conflict = raw_registry()
            .register_as(Box::new(ours), "the unit test's gauge", "unit.rs:3")
            .unwrap_err();
        assert_eq!(
            conflict.to_string(),
            "`unit_application_gauge` conflicts with a collector of the application \
             registered at `monitor_runtime::registry()`"
        );
    }
}
