//! Cache hit ratio, as a ready business-metric pattern: two counters per cache and
//! the recording rule that turns them into a ratio.
//!
//! | metric | type | labels | meaning |
//! |---|---|---|---|
//! | `cache_hits_total` | counter | `cache` | lookups answered from the cache |
//! | `cache_misses_total` | counter | `cache` | lookups that were not |
//!
//! The ratio is computed where it can be averaged over a window, in Prometheus:
//! [`recording_rules`] gives the rule file recording
//! [`HIT_RATIO_RECORD`] (`cache:hit_ratio:rate5m`) per cache,
//!
//! ```text
//! sum by (cache) (rate(cache_hits_total[5m]))
//!   / (sum by (cache) (rate(cache_hits_total[5m])) + sum by (cache) (rate(cache_misses_total[5m])) > 0)
//! ```
//!
//! (0 to 1; no value, rather than NaN, while a cache sees no lookups). [`hit_ratio_expr`] gives the
//! expression for another window, for a dashboard panel.
//!
//! ```
//! use std::collections::HashMap;
//! use monitor_runtime::cache::CacheMetrics;
//!
//! let sessions = CacheMetrics::new("sessions");
//! let mut store: HashMap<&str, u32> = HashMap::new();
//! store.insert("ada", 7);
//! assert_eq!(sessions.lookup(store.get("ada").copied()), Some(7)); // a hit
//! assert_eq!(sessions.lookup(store.get("bob").copied()), None); // a miss
//! sessions.hit();
//! assert_eq!((sessions.hits(), sessions.misses()), (2, 1));
//!
//! let exposition = monitor_runtime::render_metrics().unwrap();
//! assert!(exposition.contains(r#"cache_hits_total{cache="sessions"} 2"#));
//! assert!(exposition.contains(r#"cache_misses_total{cache="sessions"} 1"#));
//! assert!(monitor_runtime::cache::recording_rules().contains("cache:hit_ratio:rate5m"));
//! ```

use std::sync::OnceLock;

use prometheus::core::Collector;
use prometheus::{IntCounter, IntCounterVec, Opts};
use serde::Serialize;

use crate::core::{INITIALISERS, Initialiser, raw_registry, report};

/// The name of the recorded ratio: `cache:hit_ratio:rate5m`, by `cache`.
pub const HIT_RATIO_RECORD: &str = "cache:hit_ratio:rate5m";

/// The hit and miss counters of one cache, at zero from creation. Cheap to clone;
/// two handles of one name share the series.
#[derive(Debug, Clone)]
pub struct CacheMetrics {
    hits: IntCounter,
    misses: IntCounter,
}

impl CacheMetrics {
    /// The counters of the cache labelled `cache="name"`.
    ///
    /// ```
    /// let users = monitor_runtime::cache::CacheMetrics::new("users");
    /// assert_eq!(users.hits(), 0);
    /// ```
    pub fn new(name: &str) -> Self {
        let _ = crate::core::registry();
        let families = families();
        Self {
            hits: families.hits.with_label_values(&[name]),
            misses: families.misses.with_label_values(&[name]),
        }
    }

    /// Counts a hit.
    ///
    /// ```
    /// let cache = monitor_runtime::cache::CacheMetrics::new("hit-doc");
    /// cache.hit();
    /// assert_eq!(cache.hits(), 1);
    /// ```
    pub fn hit(&self) {
        self.hits.inc();
    }

    /// Counts a miss.
    ///
    /// ```
    /// let cache = monitor_runtime::cache::CacheMetrics::new("miss-doc");
    /// cache.miss();
    /// assert_eq!(cache.misses(), 1);
    /// ```
    pub fn miss(&self) {
        self.misses.inc();
    }

    /// Counts a hit when `hit`, a miss otherwise.
    ///
    /// ```
    /// let cache = monitor_runtime::cache::CacheMetrics::new("record-doc");
    /// cache.record(false);
    /// assert_eq!(cache.misses(), 1);
    /// ```
    pub fn record(&self, hit: bool) {
        if hit { self.hit() } else { self.miss() }
    }

    /// Counts the result of a lookup, `Some` being a hit, and returns it unchanged.
    ///
    /// ```
    /// let cache = monitor_runtime::cache::CacheMetrics::new("lookup-doc");
    /// assert_eq!(cache.lookup(Some(3)), Some(3));
    /// assert_eq!(cache.hits(), 1);
    /// ```
    pub fn lookup<T>(&self, found: Option<T>) -> Option<T> {
        self.record(found.is_some());
        found
    }

    /// Hits counted so far.
    ///
    /// ```
    /// assert_eq!(monitor_runtime::cache::CacheMetrics::new("hits-doc").hits(), 0);
    /// ```
    pub fn hits(&self) -> u64 {
        self.hits.get()
    }

    /// Misses counted so far.
    ///
    /// ```
    /// assert_eq!(monitor_runtime::cache::CacheMetrics::new("misses-doc").misses(), 0);
    /// ```
    pub fn misses(&self) -> u64 {
        self.misses.get()
    }
}

/// The PromQL of the hit ratio of each cache over `window` (a Prometheus duration
/// such as `5m` or `1h`).
///
/// ```
/// let expr = monitor_runtime::cache::hit_ratio_expr("1h");
/// assert!(expr.starts_with("sum by (cache) (rate(cache_hits_total[1h]))"));
/// ```
pub fn hit_ratio_expr(window: &str) -> String {
    let hits = format!("sum by (cache) (rate(cache_hits_total[{window}]))");
    let misses = format!("sum by (cache) (rate(cache_misses_total[{window}]))");
    // Without lookups the ratio is left out rather than NaN.
    format!("{hits} / ({hits} + {misses} > 0)")
}

#[derive(Serialize)]
struct RuleFile {
    groups: Vec<RuleGroup>,
}

#[derive(Serialize)]
struct RuleGroup {
    name: &'static str,
    rules: Vec<RecordingRule>,
}

#[derive(Serialize)]
struct RecordingRule {
    record: &'static str,
    expr: String,
}

/// A Prometheus rule file (YAML) with one group, `monitor-cache`, recording
/// [`HIT_RATIO_RECORD`] over 5 minutes. Load it next to the other rule files.
///
/// ```
/// let rules = monitor_runtime::cache::recording_rules();
/// assert!(rules.contains("record: cache:hit_ratio:rate5m"));
/// ```
pub fn recording_rules() -> String {
    let file = RuleFile {
        groups: vec![RuleGroup {
            name: "monitor-cache",
            rules: vec![RecordingRule {
                record: HIT_RATIO_RECORD,
                expr: hit_ratio_expr("5m"),
            }],
        }],
    };
    serde_norway::to_string(&file).expect("a rule file serialises")
}

struct Families {
    hits: IntCounterVec,
    misses: IntCounterVec,
}

fn families() -> &'static Families {
    static FAMILIES: OnceLock<Families> = OnceLock::new();
    FAMILIES.get_or_init(|| {
        let counter = |name: &str, help: &str| {
            IntCounterVec::new(Opts::new(name, help), &["cache"])
                .expect("valid static metric options")
        };
        Families {
            hits: counter("cache_hits_total", "Cache lookups answered from the cache."),
            misses: counter(
                "cache_misses_total",
                "Cache lookups not answered from the cache.",
            ),
        }
    })
}

#[linkme::distributed_slice(INITIALISERS)]
static INITIALISER: Initialiser = Initialiser {
    name: "cache",
    run: register_families,
};

fn register_families() {
    let families = families();
    let collectors: [Box<dyn Collector>; 2] = [
        Box::new(families.hits.clone()),
        Box::new(families.misses.clone()),
    ];
    for collector in collectors {
        if let Err(conflict) = raw_registry().register_as(
            collector,
            "the cache metrics",
            "the start-up of monitor_runtime::cache",
        ) {
            report(conflict.into_error("monitor_runtime::cache"));
        }
    }
}
