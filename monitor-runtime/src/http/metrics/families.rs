//! The families of the HTTP server layer, produced in the model (`core::model`)
//! from its storage (`cells`): one source for every configuration of the layer,
//! its names claimed at start-up. Each configuration adds its series, with its
//! constant labels; the labels of a route, method and status are built once, by
//! the first snapshot that finds its figures, kept beside them in the route's entry
//! and cloned into each later snapshot.
//!
//! Configurations whose constant labels are alike (two routers, each with a layer
//! given its own routes) may have series of the same labels, such as the active
//! gauge of a method: those are added together, as the figures of layers built
//! alike are shared.

use std::sync::Mutex;

use super::cells;
use super::labels::{STATUS_LABEL, labels};
use super::options::Options;
use super::routes::METHODS;
use super::shared::Shared;
use crate::core::model::{Family, Histogram, Kind, Series, Value};
use crate::core::{
    Bounds, Claim, INITIALISERS, Initialiser, Phase, ShardedWords, Source, add_source,
    ignore_poison, report,
};

const DURATION: &str = "http_server_request_duration_seconds";
const ACTIVE: &str = "http_server_active_requests";
const REQUEST_SIZE: &str = "http_server_request_body_size_bytes";
const RESPONSE_SIZE: &str = "http_server_response_body_size_bytes";
const DURATION_HELP: &str = "Duration of HTTP server requests, to the end of the response body.";
const ACTIVE_HELP: &str = "HTTP server requests in progress.";
const REQUEST_SIZE_HELP: &str = "Bytes of HTTP request bodies, as read by the service.";
const RESPONSE_SIZE_HELP: &str = "Bytes of HTTP response bodies, as sent.";

/// The families of the layer.
const CLAIMS: [Claim; 4] = [
    Claim::new(DURATION, Kind::Histogram, DURATION_HELP),
    Claim::new(ACTIVE, Kind::Gauge, ACTIVE_HELP),
    Claim::new(REQUEST_SIZE, Kind::Histogram, REQUEST_SIZE_HELP),
    Claim::new(RESPONSE_SIZE, Kind::Histogram, RESPONSE_SIZE_HELP),
];

/// Every configuration of the layer in use: the source of its families.
struct HttpServerFamilies(Mutex<Vec<&'static Shared>>);

static EXPOSED: HttpServerFamilies = HttpServerFamilies(Mutex::new(Vec::new()));

#[linkme::distributed_slice(INITIALISERS)]
static INITIALISER: Initialiser = Initialiser {
    phase: Phase::Feature,
    name: "http",
    run: add_the_source,
};

/// Adds the source of the layer's families; runs once, while the registry
/// initialises (so a clash is reported, never logged here).
fn add_the_source() {
    if let Err(conflict) = add_source(
        &EXPOSED,
        &CLAIMS,
        "the HTTP server metrics (`HttpMetricsLayer`)",
        "the start-up of monitor_runtime::http",
    ) {
        report(conflict.into_error("monitor_runtime::http (HttpMetricsLayer)"));
    }
}

/// Configurations in use, so that layers built alike share their figures (and
/// are exposed once).
static CONFIGURATIONS: Mutex<Vec<&'static Shared>> = Mutex::new(Vec::new());

impl Shared {
    /// The figures of a configuration: those of a layer configured alike if any,
    /// else new ones, exposed.
    pub(super) fn get(options: &Options) -> &'static Self {
        let mut all = ignore_poison(CONFIGURATIONS.lock());
        if let Some(shared) = all.iter().find(|s| s.options == *options) {
            return shared;
        }
        let shared: &'static Self = Box::leak(Box::new(Self::new(options.clone())));
        all.push(shared);
        drop(all);
        expose(shared);
        shared.create_configured_routes();
        shared
    }
}

/// Exposes the series of a new configuration.
pub(super) fn expose(shared: &'static Shared) {
    ignore_poison(EXPOSED.0.lock()).push(shared);
}

impl Source for HttpServerFamilies {
    fn collect(&self, out: &mut Vec<Family>) {
        let configurations = ignore_poison(self.0.lock()).clone();
        if configurations.is_empty() {
            return;
        }
        let mut families = [
            Family::new(DURATION, DURATION_HELP, Kind::Histogram),
            Family::new(ACTIVE, ACTIVE_HELP, Kind::Gauge),
            Family::new(REQUEST_SIZE, REQUEST_SIZE_HELP, Kind::Histogram),
            Family::new(RESPONSE_SIZE, RESPONSE_SIZE_HELP, Kind::Histogram),
        ];
        let mut buckets = Vec::new();
        for shared in &configurations {
            add_series(shared, &mut families, &mut buckets);
        }
        if configurations.len() > 1 {
            for family in &mut families {
                add_alike(&mut family.series);
            }
        }
        out.extend(families);
    }
}

/// Adds the series of one configuration to the families of [`CLAIMS`], in that
/// order; `buckets` is room to read a histogram into.
fn add_series(shared: &'static Shared, families: &mut [Family; 4], buckets: &mut Vec<u64>) {
    let [durations, active, requests, responses] = families;
    // The active requests first, finished before started (a request starts before it
    // finishes, so the difference is never negative), then the histograms: a
    // request ends by adding to its histograms, then to the finished count, so a
    // request counted finished here is in the histograms read after.
    for (index, labels) in shared.active_labels.iter().enumerate() {
        let finished = shared.active.total(METHODS.len() + index);
        let started = shared.active.total(index);
        active.push(
            labels.clone(),
            Value::Gauge(started.saturating_sub(finished) as f64),
        );
    }
    let (time, sizes) = (&shared.duration_bounds, &shared.size_bounds);
    let max_buckets = crate::core::native::max_buckets();
    for route in shared.measured_routes() {
        for (method, entry) in route.methods.iter().enumerate() {
            let Some(entry) = entry.get() else { continue };
            let labels = route.labels[method].get_or_init(|| {
                // A route entry lives as long as the program: so do its labels.
                labels(shared.const_labels(), METHODS[method], Some(&route.route)).leaked()
            });
            let request = histogram(&entry.request, 0, sizes, 1.0, buckets);
            requests.push(labels.clone(), request);
            for (slot, status) in entry.statuses.iter().enumerate() {
                let Some(status) = status.get() else { continue };
                let labels = status.labels.get_or_init(|| {
                    labels
                        .with(STATUS_LABEL, shared.status_label(slot))
                        .leaked()
                });
                let mut duration = histogram(&status.cells, 0, time, 1e9, buckets);
                if let Value::Histogram(histogram) = &mut duration {
                    histogram.exemplars = status.exemplars.read();
                    if let Some(native) = &status.native {
                        let (count, native) = native.read(max_buckets);
                        histogram.count = count;
                        for cumulative in &mut histogram.cumulative {
                            *cumulative = (*cumulative).min(count);
                        }
                        histogram.native = Some(Box::new(native));
                    }
                }
                durations.push(labels.clone(), duration);
                let offset = cells::words(time);
                let response = histogram(&status.cells, offset, sizes, 1.0, buckets);
                responses.push(labels.clone(), response);
            }
        }
    }
}

/// The histogram at word `offset` of `cells`, its sum in whole units divided by
/// `scale` (units per exposed unit).
fn histogram(
    cells: &ShardedWords,
    offset: usize,
    bounds: &'static Bounds,
    scale: f64,
    buckets: &mut Vec<u64>,
) -> Value {
    let sum = cells::read(cells, offset, bounds, buckets);
    Value::Histogram(Histogram::classic(
        bounds.given(),
        buckets,
        sum as f64 / scale,
    ))
}

/// Sorts `series` by labels and adds up those of the same labels (gauges, and
/// histograms of the same bounds; of histograms with other bounds, the first
/// configuration's is kept).
fn add_alike(series: &mut Vec<Series>) {
    series.sort_by(|a, b| a.labels.cmp(&b.labels));
    series.dedup_by(|later, kept| {
        if later.labels != kept.labels {
            return false;
        }
        match (&mut kept.value, &later.value) {
            (Value::Gauge(kept), Value::Gauge(later)) => *kept += later,
            (Value::Histogram(kept), Value::Histogram(later)) if kept.bounds == later.bounds => {
                kept.count = kept.count.wrapping_add(later.count);
                kept.sum += later.sum;
                for (kept, later) in kept.cumulative.iter_mut().zip(&later.cumulative) {
                    *kept = kept.wrapping_add(*later);
                }
            }
            _ => {}
        }
        true
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::Labels;

    #[test]
    fn series_of_the_same_labels_add_up() {
        let labels = Labels::new([("http_request_method", "GET")]);
        let other = Labels::new([("http_request_method", "PUT")]);
        let histogram = |counts: &[u64], bounds: &'static [f64]| {
            Value::Histogram(Histogram::classic(bounds, counts, 1.5))
        };
        let mut series = vec![
            Series {
                labels: labels.clone(),
                value: Value::Gauge(2.0),
            },
            Series {
                labels: other.clone(),
                value: Value::Gauge(1.0),
            },
            Series {
                labels: labels.clone(),
                value: Value::Gauge(3.0),
            },
        ];
        add_alike(&mut series);
        assert_eq!(series.len(), 2);
        assert_eq!(series[0].value, Value::Gauge(5.0));
        assert_eq!(series[1].value, Value::Gauge(1.0));

        let mut series = vec![
            Series {
                labels: labels.clone(),
                value: histogram(&[1, 2, 3], &[0.1, 1.0]),
            },
            Series {
                labels: labels.clone(),
                value: histogram(&[1, 0, 1], &[0.1, 1.0]),
            },
            Series {
                labels: labels.clone(),
                value: histogram(&[5, 5], &[0.5]),
            },
        ];
        add_alike(&mut series);
        assert_eq!(series.len(), 1);
        let Value::Histogram(sum) = &series[0].value else {
            panic!("a histogram")
        };
        assert_eq!((sum.count, sum.sum), (8, 3.0));
        assert_eq!(sum.cumulative, [2, 4]);
    }
}
