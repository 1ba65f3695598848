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

use super::model::{Family, Kind};
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

/// Every source added so far, in the order they were added.
pub(super) fn sources() -> Vec<&'static dyn Source> {
    ignore_poison(SOURCES.lock()).sources.clone()
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
