//! The static descriptor of each business metric declaration, and its registration.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, OnceLock};

use super::family::{
    Definition, Family, FamilyCollector, LabelSet, LabelSource, MetricKind, Series,
};
use crate::core::{RegistrationError, SourceLocation, ignore_poison, raw_registry, report};

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
    /// Histogram upper bounds; empty for the default buckets.
    pub buckets: &'static [f64],
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
            max_label_sets,
            file,
            line,
            resolved: OnceLock::new(),
        }
    }

    /// The series for the label `values` (one per name in `labels`, in order).
    /// Allocates nothing when the label set already exists.
    #[inline]
    pub fn series(&'static self, values: &[&str]) -> &'static Series {
        let resolved = self.resolved();
        if let Some(fixed) = resolved.fixed {
            return fixed;
        }
        resolved.family.series(
            LabelSet {
                sources: &resolved.sources,
                values,
            },
            &resolved.overflow_sources,
            &resolved.overflow,
        )
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
        self.resolved.get_or_init(|| self.register())
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
            MetricKind::Histogram if self.buckets.is_empty() => {
                prometheus::DEFAULT_BUCKETS.to_vec()
            }
            MetricKind::Histogram => self.buckets.to_vec(),
            _ => Vec::new(),
        };
        Definition {
            name: self.name,
            help: self.help,
            kind: self.kind,
            label_names,
            buckets,
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
                    None => *family,
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
                None => match Family::create(
                    definition.clone(),
                    self.location(),
                    self.max_label_sets,
                    true,
                ) {
                    Ok(family) => {
                        if let Err(error) =
                            raw_registry().register(Box::new(FamilyCollector(family)))
                        {
                            report(RegistrationError::Rejected {
                                location: self.location().to_string(),
                                reason: error.to_string(),
                            });
                        }
                        families.insert(self.name, family);
                        family
                    }
                    Err(error) => {
                        report(RegistrationError::Rejected {
                            location: self.location().to_string(),
                            reason: error.to_string(),
                        });
                        self.detached(definition)
                    }
                },
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

    /// A family outside the exposition for a declaration that could not join its
    /// metric: its updates are kept apart rather than merged into the wrong series.
    fn detached(&self, definition: Definition) -> &'static Family {
        let kind = definition.kind;
        Family::create(definition, self.location(), self.max_label_sets, false).unwrap_or_else(
            |_| {
                // Only a definition prometheus rejects gets here (the macros validate
                // names, so in practice never): keep its counts under a placeholder.
                let placeholder = Definition {
                    name: "monitor_detached",
                    help: "Updates of a business metric that could not be registered.",
                    kind,
                    label_names: Vec::new(),
                    buckets: prometheus::DEFAULT_BUCKETS.to_vec(),
                };
                Family::create(placeholder, self.location(), self.max_label_sets, false)
                    .expect("a label-less definition with a valid name is accepted")
            },
        )
    }
}
