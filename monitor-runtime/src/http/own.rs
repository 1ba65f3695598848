//! The exporter's own figures, each a source of its family in the model
//! (`core::model`): counters of renders, rejected connections and alert
//! notifications, and the gauge of registration problems. Each family is added the
//! first time the part that counts in it is used (the exporter's routes built, the
//! embedded evaluator started), so that its series exist at zero from then on.

use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::core::model::{Family, Kind, Labels, Value};
use crate::core::{Claim, Source, SourceLocation, add_source, report};

/// Adds `source` of the family `claim` names, for the exporter. A refusal is
/// reported like every registration problem (logged later, outside any lock or
/// initialiser, and counted), never logged here.
pub(super) fn add_own(source: &'static dyn Source, claim: Claim, location: SourceLocation) {
    if let Err(conflict) = add_source(source, &[claim], "the exporter", location) {
        report(conflict.into_error(location));
    }
}

/// A counter of the exporter's own, without labels. It counts even when its name
/// was refused.
pub(super) struct OwnCounter {
    name: &'static str,
    help: &'static str,
    value: AtomicU64,
    added: Once,
}

impl OwnCounter {
    pub(super) const fn new(name: &'static str, help: &'static str) -> Self {
        Self {
            name,
            help,
            value: AtomicU64::new(0),
            added: Once::new(),
        }
    }

    /// The counter, its family added to the snapshots on the first call.
    #[track_caller]
    pub(super) fn exposed(&'static self) -> &'static Self {
        if !self.added.is_completed() {
            let location = SourceLocation::of(std::panic::Location::caller());
            self.added.call_once(|| {
                add_own(
                    self,
                    Claim::new(self.name, Kind::Counter, self.help),
                    location,
                );
            });
        }
        self
    }

    /// Counts one.
    pub(super) fn inc(&self) {
        self.value.fetch_add(1, Ordering::Relaxed);
    }

    /// The count.
    #[cfg(test)]
    pub(super) fn get(&self) -> u64 {
        self.value.load(Ordering::Relaxed)
    }
}

impl Source for OwnCounter {
    fn collect(&self, out: &mut Vec<Family>) {
        let mut family = Family::new(self.name, self.help, Kind::Counter);
        family.push(
            Labels::empty(),
            Value::counter(self.value.load(Ordering::Relaxed) as f64),
        );
        out.push(family);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_counter_is_in_the_snapshot_once_exposed() {
        static COUNTER: OwnCounter = OwnCounter::new("unit_own_counted_total", "Counted.");
        COUNTER.inc();
        assert_eq!(
            crate::core::snapshot().value("unit_own_counted_total", &[]),
            None
        );
        COUNTER.exposed().inc();
        COUNTER.exposed();
        assert_eq!(COUNTER.get(), 2);
        let snapshot = crate::core::snapshot();
        let family = snapshot.family("unit_own_counted_total").unwrap();
        assert_eq!(
            (family.kind, family.help.as_ref()),
            (Kind::Counter, "Counted.")
        );
        assert_eq!(family.series.len(), 1);
        assert_eq!(snapshot.value("unit_own_counted_total", &[]), Some(2.0));
    }
}
