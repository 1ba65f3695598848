//! The families of every monitored function, produced in the model
//! (`core::model`) from each function's storage (`stats`): one source for all of
//! them, which keeps the functions sorted by name and module, and their labels
//! built once.

use std::sync::Mutex;

use super::stats::{FunctionStats, Reading};
use crate::core::model::{Counter, Family, Histogram, Kind, Labels, Value};
use crate::core::{Claim, Source, SourceLocation, add_source, ignore_poison, report};

pub(super) const CALLS: &str = "function_calls_total";
pub(super) const CALLS_HELP: &str =
    "Calls of monitored functions, by result (ok or error; a panic is an error).";
pub(super) const DURATION: &str = "function_calls_duration_seconds";
pub(super) const DURATION_HELP: &str = "Duration of monitored function calls, in seconds.";
pub(super) const IN_FLIGHT: &str = "function_calls_concurrent";
pub(super) const IN_FLIGHT_HELP: &str = "Calls of monitored functions currently in progress.";
pub(super) const CANCELLED: &str = "function_calls_cancelled_total";
pub(super) const CANCELLED_HELP: &str =
    "Calls of monitored async functions whose future was dropped before completing.";
pub(super) const CANCELLED_DURATION: &str = "function_calls_cancelled_duration_seconds";
pub(super) const CANCELLED_DURATION_HELP: &str = "Time cancelled calls of monitored async \
     functions ran before their future was dropped, in seconds.";

/// The families of monitored functions.
const CLAIMS: [Claim; 5] = [
    Claim::new(CALLS, Kind::Counter, CALLS_HELP),
    Claim::new(DURATION, Kind::Histogram, DURATION_HELP),
    Claim::new(IN_FLIGHT, Kind::Gauge, IN_FLIGHT_HELP),
    Claim::new(CANCELLED, Kind::Counter, CANCELLED_HELP),
    Claim::new(CANCELLED_DURATION, Kind::Histogram, CANCELLED_DURATION_HELP),
];

/// One function whose series are exposed.
struct Exposed {
    function: &'static str,
    module: &'static str,
    /// `function` and `module`.
    labels: Labels,
    /// The same with `result="ok"`, and with `result="error"`.
    ok: Labels,
    error: Labels,
    stats: &'static FunctionStats,
    /// Where the function is.
    location: SourceLocation,
    /// Whether it is asynchronous (and so has the cancelled families).
    is_async: bool,
}

struct ExposedFunctions {
    functions: Vec<Exposed>,
    /// Whether `functions` is sorted by module and function.
    sorted: bool,
}

/// Every monitored function exposed so far: the source of their families.
struct MonitoredFunctions(Mutex<ExposedFunctions>);

static EXPOSED: MonitoredFunctions = MonitoredFunctions(Mutex::new(ExposedFunctions {
    functions: Vec::new(),
    sorted: true,
}));

/// Adds the source of every monitored function's families; runs once, while the
/// registry initialises.
pub(super) fn add_the_source() {
    if let Err(conflict) = add_source(
        &EXPOSED,
        &CLAIMS,
        "the metrics of `#[monitored]` functions",
        "the start-up of monitor_runtime",
    ) {
        report(conflict.into_error("monitor_runtime (monitored functions)"));
    }
}

/// Exposes the series of a function.
pub(super) fn expose(
    function: &'static str,
    module: &'static str,
    stats: &'static FunctionStats,
    location: SourceLocation,
    is_async: bool,
) {
    // A function's labels live as long as the program: cloned per snapshot as a
    // reference. Those without `result` are the first two of those with
    // `result="error"` (one address: the dashboard's history knows the function
    // of the one from the other without reading them again).
    let error = Labels::new([
        ("function", function),
        ("module", module),
        ("result", "error"),
    ])
    .leaked();
    let labels = error.prefix(2);
    let exposed = Exposed {
        function,
        module,
        ok: labels.with("result", "ok").leaked(),
        error,
        labels,
        stats,
        location,
        is_async,
    };
    let mut all = ignore_poison(EXPOSED.0.lock());
    all.functions.push(exposed);
    all.sorted = false;
}

impl Source for MonitoredFunctions {
    fn owner(&self, name: &str, labels: &[(&str, &str)]) -> Option<(String, String)> {
        if !CLAIMS.iter().any(|claim| claim.name == name) {
            return None;
        }
        let label = |key: &str| {
            labels
                .iter()
                .find(|(name, _)| *name == key)
                .map(|(_, value)| *value)
        };
        let (function, module) = (label("function")?, label("module")?);
        let all = ignore_poison(self.0.lock());
        let exposed = all
            .functions
            .iter()
            .find(|exposed| exposed.function == function && exposed.module == module)?;
        Some((
            format!("the metrics of `#[monitored]` function `{function}` (module `{module}`)"),
            exposed.location.to_string(),
        ))
    }

    fn collect(&self, out: &mut Vec<Family>) {
        let mut all = ignore_poison(self.0.lock());
        if !all.sorted {
            // By module, then function: the order the dashboard's history keys them
            // in, so that it reads them without sorting.
            all.functions
                .sort_by(|a, b| (a.module, a.function).cmp(&(b.module, b.function)));
            all.sorted = true;
        }
        let functions = &all.functions;
        let asynchronous = functions.iter().filter(|f| f.is_async).count();
        let mut calls = Family::new(CALLS, CALLS_HELP, Kind::Counter);
        calls.series.reserve(2 * functions.len());
        let mut durations = Family::new(DURATION, DURATION_HELP, Kind::Histogram);
        durations.series.reserve(functions.len());
        let mut in_flight = Family::new(IN_FLIGHT, IN_FLIGHT_HELP, Kind::Gauge);
        in_flight.series.reserve(functions.len());
        let mut cancelled = Family::new(CANCELLED, CANCELLED_HELP, Kind::Counter);
        cancelled.series.reserve(asynchronous);
        let mut cancelled_durations =
            Family::new(CANCELLED_DURATION, CANCELLED_DURATION_HELP, Kind::Histogram);
        cancelled_durations.series.reserve(asynchronous);
        let mut scratch = Vec::new();
        let max_buckets = crate::core::native::max_buckets();
        for function in functions {
            let stats = function.stats;
            let reading = stats.read(&mut scratch);
            // Sorted by `result`: `error` before `ok`.
            calls.push(
                function.error.clone(),
                Value::Counter(Counter {
                    value: reading.errors as f64,
                    exemplar: stats.counter_exemplar(true),
                }),
            );
            calls.push(
                function.ok.clone(),
                Value::Counter(Counter {
                    value: (reading.count - reading.errors) as f64,
                    exemplar: stats.counter_exemplar(false),
                }),
            );
            durations.push(
                function.labels.clone(),
                durations_of(stats, &reading, max_buckets),
            );
            in_flight.push(
                function.labels.clone(),
                Value::Gauge(reading.in_flight as f64),
            );
            if function.is_async {
                cancelled.push(
                    function.labels.clone(),
                    Value::counter(reading.cancelled as f64),
                );
                let histogram = Histogram::classic(
                    stats.bounds(),
                    reading.cancelled_buckets,
                    reading.cancelled_sum,
                );
                cancelled_durations.push(function.labels.clone(), Value::Histogram(histogram));
            }
        }
        out.extend([calls, durations, in_flight, cancelled, cancelled_durations]);
    }
}

/// The duration histogram of a function: classic buckets, their exemplars, and the
/// native buckets when it has them (then the count is theirs, and the classic
/// buckets, read a moment apart, never exceed it).
fn durations_of(stats: &'static FunctionStats, reading: &Reading<'_>, max_buckets: usize) -> Value {
    let mut histogram = Histogram::classic(stats.bounds(), reading.finished, reading.sum);
    histogram.exemplars = stats.bucket_exemplars();
    if let Some((count, native)) = stats.native(max_buckets) {
        histogram.count = count;
        for cumulative in &mut histogram.cumulative {
            *cumulative = (*cumulative).min(count);
        }
        histogram.native = Some(Box::new(native));
    }
    Value::Histogram(histogram)
}
