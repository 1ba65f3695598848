//! Business metrics in the model (`core::model`): each family is a source of its
//! own, which claims its name when the family registers (at start-up, or when its
//! first declaration resolves later); the business metrics' own counters, labelled
//! by the metric they concern, are one more source, claimed with the first family.

use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering;
use std::sync::{Mutex, Once};

use super::family::Family;
use crate::core::model::{self, Kind, Value};
use crate::core::{Claim, Source, SourceLocation, add_source, ignore_poison, report};

const OVERFLOW: &str = "monitor_label_overflow_total";
const OVERFLOW_HELP: &str = "Updates of a labelled business metric folded into its __overflow__ \
     series because it already held its maximum number of label sets.";
const INVALID: &str = "monitor_business_invalid_values_total";
const INVALID_HELP: &str = "Updates of a business metric dropped because the value was invalid \
     (negative counter increment, NaN or infinite).";
const CUT: &str = "monitor_label_values_cut_total";
const CUT_HELP: &str = "Updates of a business metric whose label value was longer than the \
     limit (256 bytes) and was cut to it.";

impl Source for Family {
    fn collect(&self, out: &mut Vec<model::Family>) {
        out.push(self.model(&mut Vec::new()));
    }
}

/// Exposes a family that a declaration registered: claims its name for it, and
/// gives it its series in the business metrics' own counters (at zero). A claim
/// that is refused (the name is another's) is reported at `location`, as the
/// declaration's; the family keeps counting, out of the exposition. Never logs: it
/// runs inside the declaration's initialiser.
pub(super) fn expose(family: &'static Family, location: SourceLocation) {
    add_own_figures();
    let definition = &family.definition;
    if let Err(conflict) = add_source(
        family,
        &[Claim::new(
            definition.name,
            definition.kind.model(),
            definition.help,
        )],
        format!("the business metric `{}`", definition.name),
        location,
    ) {
        report(conflict.into_error(location));
    }
    let mut families = ignore_poison(OWN_FIGURES.families.lock());
    let at = families
        .binary_search_by(|exposed| exposed.definition.name.cmp(definition.name))
        .unwrap_or_else(|at| at);
    families.insert(at, family);
}

/// The business metrics' own counters, one series per exposed family.
struct OwnFigures {
    /// Every exposed family, sorted by name.
    families: Mutex<Vec<&'static Family>>,
}

static OWN_FIGURES: OwnFigures = OwnFigures {
    families: Mutex::new(Vec::new()),
};

const OWN_CLAIMS: [Claim; 3] = [
    Claim::new(OVERFLOW, Kind::Counter, OVERFLOW_HELP),
    Claim::new(INVALID, Kind::Counter, INVALID_HELP),
    Claim::new(CUT, Kind::Counter, CUT_HELP),
];

/// Adds the source of the own counters, once, with the first family exposed.
fn add_own_figures() {
    static ADDED: Once = Once::new();
    ADDED.call_once(|| {
        if let Err(conflict) = add_source(
            &OWN_FIGURES,
            &OWN_CLAIMS,
            "the business metrics' own counters",
            "the start-up of monitor_runtime::business",
        ) {
            report(conflict.into_error("monitor_runtime::business"));
        }
    });
}

impl Source for OwnFigures {
    fn collect(&self, out: &mut Vec<model::Family>) {
        let families = ignore_poison(self.families.lock());
        let mut overflow = model::Family::new(OVERFLOW, OVERFLOW_HELP, Kind::Counter);
        let mut invalid = model::Family::new(INVALID, INVALID_HELP, Kind::Counter);
        let mut cut = model::Family::new(CUT, CUT_HELP, Kind::Counter);
        let count = |counter: &AtomicU64| Value::counter(counter.load(Ordering::Relaxed) as f64);
        for family in families.iter() {
            // Only a labelled metric can overflow or cut a value given at updates.
            if !family.definition.label_names.is_empty() {
                overflow.push(family.metric_label.clone(), count(&family.overflowed));
                cut.push(family.metric_label.clone(), count(&family.cut));
            }
            invalid.push(family.metric_label.clone(), count(&family.invalid));
        }
        out.extend([overflow, invalid, cut]);
    }
}
