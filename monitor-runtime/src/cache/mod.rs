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
//! `cache:hit_ratio:rate5m` per cache,
//!
//! ```text
//! sum by (cache) (rate(cache_hits_total[5m]))
//!   / (sum by (cache) (rate(cache_hits_total[5m])) + sum by (cache) (rate(cache_misses_total[5m])) > 0)
//! ```
//!
//! (0 to 1; no value, rather than NaN, while a cache sees no lookups). `hit_ratio_expr` gives the
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

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::core::model::{Family, Kind, Labels, Value};
use crate::core::{
    Claim, INITIALISERS, Initialiser, Phase, Shard, ShardedWords, Source, add_source,
    ignore_poison, report,
};

/// The name of the recorded ratio: `cache:hit_ratio:rate5m`, by `cache`.
pub(crate) const HIT_RATIO_RECORD: &str = "cache:hit_ratio:rate5m";

/// The hit and miss counters of one cache, at zero from creation. Cheap to clone;
/// two handles of one name share the series.
///
/// ```
/// use monitor_runtime::cache::CacheMetrics;
///
/// let sessions = CacheMetrics::new("doc_sessions");
/// let found = sessions.lookup(Some("session"));
/// sessions.lookup(None::<&str>);
/// assert_eq!((found, sessions.hits(), sessions.misses()), (Some("session"), 1, 1));
/// ```
#[derive(Clone)]
pub struct CacheMetrics(Arc<CacheCells>);

impl CacheMetrics {
    /// The counters of the cache labelled `cache="name"`.
    ///
    /// ```
    /// let users = monitor_runtime::cache::CacheMetrics::new("users");
    /// assert_eq!(users.hits(), 0);
    /// ```
    pub fn new(name: &str) -> Self {
        // The families are claimed by the start-up of the registry.
        let _ = crate::core::registry();
        let mut caches = ignore_poison(CACHES.0.lock());
        let cells = caches.entry(name.to_owned()).or_insert_with(|| {
            Arc::new(CacheCells {
                labels: Labels::new([("cache", name.to_owned())]),
                counts: ShardedWords::new(2),
            })
        });
        Self(cells.clone())
    }

    /// Counts a hit.
    ///
    /// ```
    /// let cache = monitor_runtime::cache::CacheMetrics::new("hit-doc");
    /// cache.hit();
    /// assert_eq!(cache.hits(), 1);
    /// ```
    pub fn hit(&self) {
        self.0.counts.add(Shard::current().index(), HITS, 1);
    }

    /// Counts a miss.
    ///
    /// ```
    /// let cache = monitor_runtime::cache::CacheMetrics::new("miss-doc");
    /// cache.miss();
    /// assert_eq!(cache.misses(), 1);
    /// ```
    pub fn miss(&self) {
        self.0.counts.add(Shard::current().index(), MISSES, 1);
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
        self.0.counts.total(HITS)
    }

    /// Misses counted so far.
    ///
    /// ```
    /// assert_eq!(monitor_runtime::cache::CacheMetrics::new("misses-doc").misses(), 0);
    /// ```
    pub fn misses(&self) -> u64 {
        self.0.counts.total(MISSES)
    }
}

impl fmt::Debug for CacheMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CacheMetrics")
            .field("cache", &self.0.labels.get("cache").unwrap_or_default())
            .field("hits", &self.hits())
            .field("misses", &self.misses())
            .finish()
    }
}

/// The PromQL of the hit ratio of each cache over `window` (a Prometheus duration
/// such as `5m` or `1h`).
pub(crate) fn hit_ratio_expr(window: &str) -> String {
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
/// `cache:hit_ratio:rate5m` over 5 minutes. Load it next to the other rule files.
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

const HITS_NAME: &str = "cache_hits_total";
const HITS_HELP: &str = "Cache lookups answered from the cache.";
const MISSES_NAME: &str = "cache_misses_total";
const MISSES_HELP: &str = "Cache lookups not answered from the cache.";

const CLAIMS: [Claim; 2] = [
    Claim::new(HITS_NAME, Kind::Counter, HITS_HELP),
    Claim::new(MISSES_NAME, Kind::Counter, MISSES_HELP),
];

/// The words of a cache's counts, in per-thread shards (a lookup adds to its
/// thread's shard only).
const HITS: usize = 0;
const MISSES: usize = 1;

/// The counts of one cache, shared by every handle of its name.
struct CacheCells {
    /// `cache`.
    labels: Labels,
    counts: ShardedWords,
}

/// Every cache counted so far, by name: the source of the cache families.
struct Caches(Mutex<BTreeMap<String, Arc<CacheCells>>>);

static CACHES: Caches = Caches(Mutex::new(BTreeMap::new()));

impl Source for Caches {
    fn collect(&self, out: &mut Vec<Family>) {
        let caches = ignore_poison(self.0.lock());
        let mut hits = Family::new(HITS_NAME, HITS_HELP, Kind::Counter);
        hits.series.reserve(caches.len());
        let mut misses = Family::new(MISSES_NAME, MISSES_HELP, Kind::Counter);
        misses.series.reserve(caches.len());
        for cells in caches.values() {
            hits.push(
                cells.labels.clone(),
                Value::counter(cells.counts.total(HITS) as f64),
            );
            misses.push(
                cells.labels.clone(),
                Value::counter(cells.counts.total(MISSES) as f64),
            );
        }
        out.extend([hits, misses]);
    }
}

#[linkme::distributed_slice(INITIALISERS)]
static INITIALISER: Initialiser = Initialiser {
    phase: Phase::Feature,
    name: "cache",
    run: add_the_source,
};

fn add_the_source() {
    if let Err(conflict) = add_source(
        &CACHES,
        &CLAIMS,
        "the cache metrics",
        "the start-up of monitor_runtime::cache",
    ) {
        report(conflict.into_error("monitor_runtime::cache"));
    }
}
