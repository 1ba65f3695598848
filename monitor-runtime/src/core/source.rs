//! Where snapshots come from: every part of the runtime adds a [`Source`] of its
//! families, claiming their names; [`snapshot`] asks each of them, converts the
//! collectors the application registered in [`registry`](super::registry) (the
//! only place that reads `prometheus` protos, in `foreign`), and merges it all into
//! one [`Snapshot`], sorted by name.
//!
//! A name belongs to the first part that claimed it; another claim of the same name
//! agrees with it (same kind and help: several sources may share a family, as two
//! configurations of the HTTP layer do) or is refused as a [`Conflict`]. A collector
//! of the application whose family bears a claimed name is left out of every
//! snapshot and reported once.

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::model::{EXEMPLAR_MAX_CHARACTERS, Exemplar, Family, Kind, Snapshot, Value};
use super::registry::Conflict;
use super::sync::ignore_poison;

/// A part of the runtime that produces metric families.
pub(crate) trait Source: Send + Sync {
    /// Adds the part's families, as they are now, to `out`: each family with its
    /// series sorted by labels (or in the order the part wants them written).
    fn collect(&self, out: &mut Vec<Family>);

    /// What registered the series of family `name` with `labels` (a prefix of them
    /// suffices), and where, when the part can say more precisely than its claim:
    /// for the wording of a clash with a collector of the application.
    fn owner(&self, name: &str, labels: &[(&str, &str)]) -> Option<(String, String)> {
        let _ = (name, labels);
        None
    }
}

/// A family a source produces, claimed when the source is added.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Claim {
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
    pub(crate) help: &'static str,
}

impl Claim {
    pub(crate) const fn new(name: &'static str, kind: Kind, help: &'static str) -> Self {
        Self { name, kind, help }
    }
}

/// A claimed name: its kind and help, and what claimed it first.
#[derive(Debug, Clone)]
pub(super) struct Claimed {
    pub(super) kind: Kind,
    pub(super) help: String,
    pub(super) what: String,
    pub(super) location: String,
}

struct Sources {
    sources: Vec<&'static dyn Source>,
    claims: BTreeMap<String, Claimed>,
}

static SOURCES: Mutex<Sources> = Mutex::new(Sources {
    sources: Vec::new(),
    claims: BTreeMap::new(),
});

/// Adds a source of the families `claims` names, registered by `what` at
/// `location` (for the wording of clashes). Refused, with nothing claimed, when one
/// of the names is claimed with another kind or help, or is held by a collector
/// registered in the registry before (through [`register_collector`](super::register_collector),
/// or by a part of the runtime that registers one): a part that claims its names
/// after start-up, such as a business metric first declared then, does not take the
/// name of a collector the application registered meanwhile. (A collector
/// registered straight into [`registry`](super::registry) under a name claimed
/// later is left out of snapshots and reported, as one registered after the claim.)
///
/// Like every registration, this may run inside the registry's start-up or a lazy
/// initialiser: it never logs (the caller [`report`](super::report)s the
/// conflict).
pub(crate) fn add_source(
    source: &'static dyn Source,
    claims: &[Claim],
    what: impl Into<String>,
    location: impl std::fmt::Display,
) -> Result<(), Conflict> {
    let what = what.into();
    let location = location.to_string();
    for claim in claims {
        if let Some((holder, registered_at)) = super::registry::raw_registry().holder(claim.name) {
            return Err(Conflict::new(
                claim.name,
                &holder,
                &registered_at,
                "a collector registered before holds the name".to_owned(),
            ));
        }
    }
    let mut all = ignore_poison(SOURCES.lock());
    for claim in claims {
        if let Some(claimed) = all.claims.get(claim.name)
            && (claimed.kind != claim.kind || claimed.help != claim.help)
        {
            let reason = if claimed.kind == claim.kind {
                format!("its help differs: {:?} and {:?}", claimed.help, claim.help)
            } else {
                format!("one is a {}, the other a {}", claimed.kind, claim.kind)
            };
            return Err(Conflict::new(
                claim.name,
                &claimed.what,
                &claimed.location,
                reason,
            ));
        }
    }
    for claim in claims {
        all.claims
            .entry(claim.name.to_owned())
            .or_insert_with(|| Claimed {
                kind: claim.kind,
                help: claim.help.to_owned(),
                what: what.clone(),
                location: location.clone(),
            });
    }
    all.sources.push(source);
    Ok(())
}

/// What claimed `name`, if anything did.
pub(super) fn claimed(name: &str) -> Option<Claimed> {
    ignore_poison(SOURCES.lock()).claims.get(name).cloned()
}

/// Whether `name` is claimed by a part of the runtime.
pub(super) fn is_claimed(name: &str) -> bool {
    ignore_poison(SOURCES.lock()).claims.contains_key(name)
}

/// Every family now: the collectors of the application first (so that the
/// exposition's own figures count this conversion's refusals, when the snapshot is
/// for an `exposition`), then every part of the runtime, merged and sorted by name.
pub(crate) fn collect_all(exposition: bool) -> Snapshot {
    let foreign = super::foreign::collect_foreign(is_claimed, exposition);
    let sources = ignore_poison(SOURCES.lock()).sources.clone();
    let mut families = Vec::with_capacity(sources.len() * 2 + foreign.len());
    for source in sources {
        source.collect(&mut families);
    }
    families.extend(foreign);
    // Only a trace context in use gives exemplars (the application's collectors
    // give none).
    if super::exemplar::in_use() {
        let dropped = drop_long_exemplars(&mut families);
        if dropped > 0 {
            super::exposition::exemplars_dropped(dropped);
        }
    }
    Snapshot {
        families: merge(families),
    }
}

/// Removes the exemplars whose labels are longer than OpenMetrics allows (128
/// characters of names and values), and returns how many.
fn drop_long_exemplars(families: &mut [Family]) -> u64 {
    let too_long = |exemplar: &Exemplar| exemplar.labels.characters() > EXEMPLAR_MAX_CHARACTERS;
    let mut dropped = 0;
    for series in families
        .iter_mut()
        .flat_map(|family| family.series.iter_mut())
    {
        match &mut series.value {
            Value::Counter(counter) if counter.exemplar.as_ref().is_some_and(too_long) => {
                counter.exemplar = None;
                dropped += 1;
            }
            Value::Histogram(histogram) => {
                let before = histogram.exemplars.len();
                histogram
                    .exemplars
                    .retain(|(_, exemplar)| !too_long(exemplar));
                dropped += (before - histogram.exemplars.len()) as u64;
            }
            _ => {}
        }
    }
    dropped
}

/// Sorts `families` by name and merges those of one name (several sources of one
/// family): their series, sorted by labels, each label set once. A family of a name
/// whose kind differs from the first of that name is left out (claims prevent it).
fn merge(mut families: Vec<Family>) -> Vec<Family> {
    families.retain(|family| !family.series.is_empty());
    families.sort_by(|a, b| a.name.cmp(&b.name));
    let mut merged: Vec<Family> = Vec::with_capacity(families.len());
    let mut unsorted = Vec::new();
    for family in families {
        match merged.last_mut() {
            Some(last) if last.name == family.name => {
                if last.kind == family.kind {
                    last.series.extend(family.series);
                    if unsorted.last() != Some(&(merged.len() - 1)) {
                        unsorted.push(merged.len() - 1);
                    }
                }
            }
            _ => merged.push(family),
        }
    }
    for at in unsorted {
        let series = &mut merged[at].series;
        series.sort_by(|a, b| a.labels.cmp(&b.labels));
        series.dedup_by(|a, b| a.labels == b.labels);
    }
    merged
}

/// The registry's name for what claimed `name`, for the wording of clashes with
/// collectors of the application.
pub(super) fn owner_of(name: &str) -> Option<(String, String)> {
    claimed(name).map(|claimed| (claimed.what, claimed.location))
}

/// Checks a collector of the application against the claimed names, before it is
/// registered: the first of its families (name and constant labels) whose name a
/// part of the runtime claimed, with the part that owns the series if it says.
pub(super) fn check_foreign(descs: &[(String, Vec<(String, String)>)]) -> Result<(), Conflict> {
    for (name, labels) in descs {
        let Some(claimed) = claimed(name) else {
            continue;
        };
        let labels: Vec<(&str, &str)> = labels
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str()))
            .collect();
        let sources = ignore_poison(SOURCES.lock()).sources.clone();
        let (what, location) = sources
            .iter()
            .find_map(|source| source.owner(name, &labels))
            .unwrap_or((claimed.what, claimed.location));
        return Err(Conflict::new(
            name,
            &what,
            &location,
            "the name belongs to a part of the runtime".to_owned(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::{Labels, Value};

    fn family(name: &'static str, kind: Kind, labels: &[(&'static str, &'static str)]) -> Family {
        let mut family = Family::new(name, "help", kind);
        family.push(Labels::new(labels.iter().copied()), Value::Gauge(1.0));
        family
    }

    #[test]
    fn exemplars_longer_than_openmetrics_allows_are_dropped() {
        use crate::core::model::{Counter, Exemplar, Histogram};
        let exemplar = |value: &str| Exemplar {
            labels: Labels::new([("trace_id", value.to_owned())]),
            value: 1.0,
            timestamp: None,
        };
        let mut calls = Family::new("c_total", "help", Kind::Counter);
        calls.push(
            Labels::empty(),
            Value::Counter(Counter {
                value: 1.0,
                exemplar: Some(exemplar(&"a".repeat(121))),
            }),
        );
        calls.push(
            Labels::new([("x", "y")]),
            Value::Counter(Counter {
                value: 1.0,
                exemplar: Some(exemplar(&"a".repeat(120))),
            }),
        );
        let mut waits = Family::new("w_seconds", "help", Kind::Histogram);
        let mut histogram = Histogram::classic(vec![1.0], &[1, 1], 1.0);
        histogram.exemplars = vec![(0, exemplar("short")), (1, exemplar(&"é".repeat(200)))];
        waits.push(Labels::empty(), Value::Histogram(histogram));
        let mut families = vec![calls, waits];
        assert_eq!(drop_long_exemplars(&mut families), 2);
        let Value::Counter(kept) = &families[0].series[1].value else {
            panic!("a counter")
        };
        assert!(kept.exemplar.is_some(), "exactly 128 characters fit");
        let Value::Histogram(histogram) = &families[1].series[0].value else {
            panic!("a histogram")
        };
        assert_eq!(histogram.exemplars.len(), 1);
    }

    #[test]
    fn families_of_one_name_merge_sorted_and_once() {
        let merged = merge(vec![
            family("b", Kind::Gauge, &[("x", "2")]),
            family("a", Kind::Gauge, &[]),
            family("b", Kind::Gauge, &[("x", "1")]),
            family("b", Kind::Gauge, &[("x", "2")]),
            family("b", Kind::Counter, &[("x", "3")]),
            Family::new("empty", "help", Kind::Gauge),
        ]);
        let names: Vec<&str> = merged.iter().map(|family| family.name.as_ref()).collect();
        assert_eq!(names, ["a", "b"]);
        let values: Vec<Option<&str>> = merged[1]
            .series
            .iter()
            .map(|series| series.labels.get("x"))
            .collect();
        assert_eq!(values, [Some("1"), Some("2")]);
    }

    struct Nothing;

    impl Source for Nothing {
        fn collect(&self, _: &mut Vec<Family>) {}
    }

    #[test]
    fn a_claim_of_another_kind_or_help_is_refused() {
        static NOTHING: Nothing = Nothing;
        let claim = Claim::new("unit_claimed_total", Kind::Counter, "Help.");
        add_source(&NOTHING, &[claim], "the first part", "a.rs:1").unwrap();
        add_source(&NOTHING, &[claim], "a second source", "b.rs:1").unwrap();
        let conflict = add_source(
            &NOTHING,
            &[Claim::new("unit_claimed_total", Kind::Gauge, "Help.")],
            "another part",
            "c.rs:1",
        )
        .unwrap_err();
        assert_eq!(
            conflict.to_string(),
            "`unit_claimed_total` conflicts with the first part registered at a.rs:1"
        );
        assert!(
            add_source(
                &NOTHING,
                &[Claim::new("unit_claimed_total", Kind::Counter, "Other.")],
                "another part",
                "c.rs:1",
            )
            .is_err()
        );
    }

    #[test]
    fn a_claim_of_a_name_a_registered_collector_holds_is_refused() {
        static NOTHING: Nothing = Nothing;
        let theirs = prometheus::IntCounter::new("unit_held_total", "Theirs.").unwrap();
        crate::core::registry::raw_registry()
            .register_as(
                Box::new(theirs),
                "a collector of the application",
                "app.rs:7",
            )
            .unwrap();
        let conflict = add_source(
            &NOTHING,
            &[Claim::new("unit_held_total", Kind::Counter, "Ours.")],
            "a late part",
            "late.rs:1",
        )
        .unwrap_err();
        assert_eq!(
            conflict.to_string(),
            "`unit_held_total` conflicts with a collector of the application registered at app.rs:7"
        );
        assert!(!is_claimed("unit_held_total"));
    }
}
