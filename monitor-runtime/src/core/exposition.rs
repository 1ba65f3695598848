//! Snapshots of every family and their expositions, with or without the HTTP
//! exporter.

use super::model::{EXEMPLAR_MAX_CHARACTERS, Exemplar, Family, Snapshot, Value};
use super::registry::registry;
use super::render::Format;

/// Every family of the runtime and of the collectors registered in
/// [`registry`](crate::registry), as they are now: the one model every exposition
/// format is rendered from (see [`model`](crate::model)).
///
/// ```
/// #[monitor_runtime::monitored]
/// fn ship() {}
///
/// ship();
/// let snapshot = monitor_runtime::snapshot();
/// assert_eq!(
///     snapshot.value("function_calls_total", &[("function", "ship"), ("result", "ok")]),
///     Some(1.0)
/// );
/// ```
pub fn snapshot() -> Snapshot {
    // First: the first access registers every annotated item.
    registry();
    collect_all(false)
}

/// A snapshot for an exposition: families the `prometheus` encoder refuses count in
/// `monitor_exposition_errors_total`.
pub(crate) fn snapshot_for_exposition() -> Snapshot {
    registry();
    collect_all(true)
}

/// Renders every metric of the runtime and of the global
/// [`registry`](crate::registry) in the Prometheus text exposition format, as
/// `/metrics` serves it to a scraper that asks for no other format.
///
/// A metric family the `prometheus` encoder refuses (a collector registered by the
/// application produced, say, a family without a name) is left out rather than
/// failing the whole exposition: the error is logged and counted in
/// `monitor_exposition_errors_total`, and every other family is still served.
///
/// ```
/// let text = monitor_runtime::render_metrics().unwrap();
/// assert!(text.contains("# TYPE monitor_exposition_errors_total counter"));
/// ```
///
/// # Errors
///
/// None at present: refused families are left out and counted instead. The
/// `Result` leaves room for failures of the whole exposition.
pub fn render_metrics() -> Result<String, prometheus::Error> {
    Ok(super::render::render_text(&snapshot_for_exposition()))
}

/// Renders every metric in `format` (see [`Format`] for what each carries).
///
/// ```
/// use monitor_runtime::Format;
///
/// let text = String::from_utf8(monitor_runtime::render(Format::OpenMetrics)).unwrap();
/// assert!(text.ends_with("# EOF\n"));
/// ```
pub fn render(format: Format) -> Vec<u8> {
    format.render(&snapshot_for_exposition())
}

/// Every family now: the collectors of the application first (so that the
/// exposition's own figures count this conversion's refusals, when the snapshot is
/// for an `exposition`), then every part of the runtime, merged and sorted by name.
fn collect_all(exposition: bool) -> Snapshot {
    let foreign = super::foreign::collect_foreign(super::source::is_claimed, exposition);
    let sources = super::source::sources();
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
            super::own_figures::exemplars_dropped(dropped);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::{Kind, Labels, Value};

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
}
