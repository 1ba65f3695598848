//! The static descriptor of each business metric declaration, and its registration.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, OnceLock};

use super::family::{
    Definition, Family, LabelSet, LabelSource, MetricKind, Series, VOID_SERIES, any_too_long,
    cut as cut_value,
};
use super::{cache, source};
use crate::core::native::{NATIVE_OFF, NativeSetting};
use crate::core::{
    DEFAULT_BUCKETS, RegistrationError, SourceLocation, ignore_poison, log_reported, report,
};

/// Describes one business metric declaration: an attribute on a function, or an
/// entry of `business_metrics!`. Generated code creates one `static` per declaration;
/// it resolves its family once, at [`crate::init`] or on first use.
#[doc(hidden)]
pub struct BusinessSite {
    /// Counter, gauge or histogram.
    pub kind: MetricKind,
    /// Metric name.
    pub name: &'static str,
    /// Help text.
    pub help: &'static str,
    /// Names of the labels whose values are given at each update, in the order the
    /// values are passed.
    pub labels: &'static [&'static str],
    /// Constant labels of this declaration.
    pub const_labels: &'static [(&'static str, &'static str)],
    /// Histogram upper bounds; empty for the default buckets of durations (the
    /// macros take no histogram without bounds unless its name ends in `_seconds`).
    pub buckets: &'static [f64],
    /// What the declaration asks of native buckets (`native`).
    pub native: NativeSetting,
    /// Maximum number of label sets; 0 for the global default.
    pub max_label_sets: usize,
    /// Source file of the declaration.
    pub file: &'static str,
    /// Source line of the declaration.
    pub line: u32,
    resolved: OnceLock<Resolved>,
}

pub(super) struct Resolved {
    pub(super) family: &'static Family,
    sources: Box<[LabelSource]>,
    overflow_sources: Box<[LabelSource]>,
    /// The only series of a declaration without labels given at updates.
    fixed: Option<&'static Series>,
    overflow: OnceLock<&'static Series>,
}

impl Resolved {
    /// Remembers on this thread that `values` resolved to `series`, if it is the
    /// label set's own: not the overflow series (each folded update is counted on
    /// the way), nor the stand-in of a series that could not be created. Called for
    /// labelled declarations only (those without labels return their fixed series
    /// first).
    #[inline]
    fn keep(&self, site: &'static BusinessSite, values: &[&str], series: &'static Series) {
        let folded = self
            .overflow
            .get()
            .is_some_and(|overflow| std::ptr::eq(*overflow, series));
        if !folded && !std::ptr::eq(series, &VOID_SERIES) {
            cache::keep(site, values, series);
        }
    }
}

/// The series of a label set, looked up when a call starts and updated when it ends
/// (see [`BusinessSite::pending`]).
#[doc(hidden)]
pub struct PendingSeries {
    site: &'static BusinessSite,
    found: Option<&'static Series>,
    /// The label values of a set that had no series yet.
    values: Option<Box<[Box<str>]>>,
    /// A label value was cut to [`MAX_LABEL_VALUE_LEN`](super::MAX_LABEL_VALUE_LEN).
    cut: bool,
}

impl PendingSeries {
    /// The series to update, created now if the label set is new.
    #[inline]
    pub fn get(&self) -> &'static Series {
        let resolved = self.site.resolved();
        if self.cut && resolved.fixed.is_none() {
            resolved.family.value_cut();
        }
        match (self.found, &self.values) {
            (Some(series), _) => series,
            (None, Some(values)) => self.create(resolved, values),
            (None, None) => &VOID_SERIES,
        }
    }

    #[cold]
    #[inline(never)]
    fn create(&self, resolved: &'static Resolved, values: &[Box<str>]) -> &'static Series {
        let values: Vec<&str> = values.iter().map(|value| &**value).collect();
        resolved.family.series(
            LabelSet {
                sources: &resolved.sources,
                values: &values,
            },
            &resolved.overflow_sources,
            &resolved.overflow,
        )
    }
}

/// Every family by name: declarations that agree share one.
static FAMILIES: LazyLock<Mutex<HashMap<&'static str, &'static Family>>> =
    LazyLock::new(Default::default);

impl BusinessSite {
    /// Creates a descriptor; used by generated code only.
    #[allow(clippy::too_many_arguments)]
    pub const fn new(
        kind: MetricKind,
        name: &'static str,
        help: &'static str,
        labels: &'static [&'static str],
        const_labels: &'static [(&'static str, &'static str)],
        buckets: &'static [f64],
        native: NativeSetting,
        max_label_sets: usize,
        file: &'static str,
        line: u32,
    ) -> Self {
        Self {
            kind,
            name,
            help,
            labels,
            const_labels,
            buckets,
            native,
            max_label_sets,
            file,
            line,
            resolved: OnceLock::new(),
        }
    }

    /// The series for the label `values` (one per name in `labels`, in order),
    /// created if it is new. Allocates nothing when the label set already exists.
    #[inline]
    pub fn series(&'static self, values: &[&str]) -> &'static Series {
        // A label set seen before on this thread: its series, nothing else to do
        // (the site was resolved when the set was first seen).
        if let Some(series) = cache::get(self, values) {
            return series;
        }
        self.series_uncached(values)
    }

    #[inline(never)]
    fn series_uncached(&'static self, values: &[&str]) -> &'static Series {
        let resolved = self.resolved();
        if let Some(fixed) = resolved.fixed {
            return fixed;
        }
        if any_too_long(values) {
            resolved.family.value_cut();
        }
        let series = resolved.family.series(
            LabelSet {
                sources: &resolved.sources,
                values,
            },
            &resolved.overflow_sources,
            &resolved.overflow,
        );
        resolved.keep(self, values, series);
        series
    }

    /// The series for the label `values` as a call starts, to be updated when it
    /// ends: an existing series is found now (allocating nothing), a new label set is
    /// kept (copied) and its series created only by [`PendingSeries::get`], so that a
    /// call that does not update the metric (it failed, panicked or was cancelled)
    /// creates no series and uses up no place under `max_label_sets`.
    #[inline]
    pub fn pending(&'static self, values: &[&str]) -> PendingSeries {
        if let Some(series) = cache::get(self, values) {
            return PendingSeries {
                site: self,
                found: Some(series),
                values: None,
                // Only values short enough to keep whole are remembered.
                cut: false,
            };
        }
        let resolved = self.resolved();
        let cut = any_too_long(values);
        if let Some(fixed) = resolved.fixed {
            return PendingSeries {
                site: self,
                found: Some(fixed),
                values: None,
                cut,
            };
        }
        let set = LabelSet {
            sources: &resolved.sources,
            values,
        };
        match resolved.family.find(set) {
            Some(series) => {
                resolved.keep(self, values, series);
                PendingSeries {
                    site: self,
                    found: Some(series),
                    values: None,
                    cut,
                }
            }
            None => PendingSeries {
                site: self,
                found: None,
                values: Some(
                    values
                        .iter()
                        .map(|value| Box::from(cut_value(value)))
                        .collect(),
                ),
                cut,
            },
        }
    }

    #[inline]
    pub(super) fn resolved(&'static self) -> &'static Resolved {
        match self.resolved.get() {
            Some(resolved) => resolved,
            None => self.resolve(),
        }
    }

    #[cold]
    #[inline(never)]
    fn resolve(&'static self) -> &'static Resolved {
        let resolved = self.resolved.get_or_init(|| self.register());
        // Outside the initialiser: a problem it reported may be logged now.
        log_reported();
        resolved
    }

    fn location(&self) -> SourceLocation {
        SourceLocation::new(self.file, self.line)
    }

    fn definition(&self) -> Definition {
        let mut label_names: Vec<&'static str> = self
            .labels
            .iter()
            .copied()
            .chain(self.const_labels.iter().map(|(name, _)| *name))
            .collect();
        label_names.sort_unstable();
        let buckets = match self.kind {
            // `native` without `buckets`: native buckets only.
            MetricKind::Histogram if self.buckets.is_empty() && self.native != NATIVE_OFF => &[],
            MetricKind::Histogram if self.buckets.is_empty() => DEFAULT_BUCKETS,
            MetricKind::Histogram => self.buckets,
            _ => &[],
        };
        let native = match self.kind {
            MetricKind::Histogram => crate::core::native::resolve(self.native),
            _ => None,
        };
        Definition {
            name: self.name,
            help: self.help,
            kind: self.kind,
            label_names,
            buckets,
            native,
        }
    }

    /// Finds or creates the family, reporting a declaration that disagrees with the
    /// one registered first; then creates the series known at start-up at zero.
    fn register(&'static self) -> Resolved {
        let definition = self.definition();
        let family = {
            let mut families = ignore_poison(FAMILIES.lock());
            match families.get(self.name) {
                Some(family) => match family.definition.difference(&definition) {
                    None => {
                        self.agree_on_limit(family);
                        *family
                    }
                    Some(reason) => {
                        report(RegistrationError::Incompatible {
                            metric: self.name.to_owned(),
                            first: family.location.to_string(),
                            second: self.location().to_string(),
                            reason,
                        });
                        self.detached(definition)
                    }
                },
                None => {
                    let family = Family::create(definition, self.location(), self.max_label_sets);
                    source::expose(family, self.location());
                    families.insert(self.name, family);
                    family
                }
            }
        };
        let sources: Box<[LabelSource]> = family
            .definition
            .label_names
            .iter()
            .map(
                |name| match self.labels.iter().position(|label| label == name) {
                    Some(index) => LabelSource::Given(index),
                    None => LabelSource::Const(
                        self.const_labels
                            .iter()
                            .find(|(label, _)| label == name)
                            .map_or("", |(_, value)| *value),
                    ),
                },
            )
            .collect();
        let overflow_sources = LabelSet::overflow_sources(&sources);
        let fixed = self
            .labels
            .is_empty()
            .then(|| family.fixed_series(&sources));
        Resolved {
            family,
            sources,
            overflow_sources,
            fixed,
            overflow: OnceLock::new(),
        }
    }

    /// Two declarations of one metric that give different `max_label_sets` are
    /// reported; the metric takes the smaller, whichever registers first.
    fn agree_on_limit(&self, family: &'static Family) {
        let declared = family.declared_limit();
        if self.max_label_sets > 0 && declared > 0 && self.max_label_sets != declared {
            report(RegistrationError::Incompatible {
                metric: self.name.to_owned(),
                first: family.location.to_string(),
                second: self.location().to_string(),
                reason: format!(
                    "their max_label_sets differ: {declared} and {} (the metric keeps the \
                     smaller, {}, for both)",
                    self.max_label_sets,
                    declared.min(self.max_label_sets)
                ),
            });
        }
        family.restrict_limit(self.max_label_sets);
    }

    /// A family outside the exposition for a declaration that could not join its
    /// metric: its updates are kept apart rather than merged into the wrong series.
    fn detached(&self, definition: Definition) -> &'static Family {
        Family::create(definition, self.location(), self.max_label_sets)
    }
}
