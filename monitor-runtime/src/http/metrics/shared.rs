//! What the layers of one configuration share: their options, bounds, clock and
//! active counts, and the table of the routes they have seen ([`super::routes`]).
//! Layers built alike share one, found in [`CONFIGURATIONS`] when the first of them
//! serves.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use super::families;
use super::layer::{DEFAULT_DURATION_BUCKETS, DEFAULT_SIZE_BUCKETS, Options};
use super::routes::{ADDRESS_SLOTS, AddressSlot, METHODS, RouteEntry, UNMATCHED_ROUTE};
use crate::core::model::{Labels, Text};
use crate::core::{Bounds, CallClock, ShardedWords, clock, ignore_poison};

/// The figures of one configuration and the routes seen so far. Leaked: a
/// configuration's series stay in the exposition for the life of the process, and
/// its routes are bounded by the routers it serves (unmatched requests share one).
pub(super) struct Shared {
    pub(super) options: Options,
    pub(super) duration_bounds: Bounds,
    /// The schema of the native duration buckets, if any.
    pub(super) native: Option<i8>,
    pub(super) size_bounds: Bounds,
    /// A copy of [`clock`], one pointer hop closer.
    pub(super) clock: CallClock,
    /// Requests started, by method, at words `0..METHODS.len()`; finished ones after
    /// them. Active is their difference, at scrape time.
    pub(super) active: ShardedWords,
    /// The constant labels of every series, checked (`families`).
    const_labels: Vec<(Text, Text)>,
    /// The labels of the active gauge of each method.
    pub(super) active_labels: [Labels; METHODS.len()],
    /// Seen routes by the address of their text: axum hands every request of a route
    /// a clone of the same `Arc<str>`, so a seen route is found without hashing or
    /// locking. Each slot holds a clone of that `Arc`, so that the address is never
    /// reused for another text while the slot exists: an equal address is the
    /// route. (A router nested as a service builds its nested routes' text per
    /// request; those fill at most the table and are then found by name.)
    pub(super) by_address: Box<[OnceLock<AddressSlot>]>,
    pub(super) by_name: Mutex<HashMap<Box<str>, &'static RouteEntry>>,
    /// The templates given to [`HttpMetricsLayer::routes`] and
    /// [`HttpMetricsLayer::exclude_routes`], matched (by axum's own matcher) against
    /// the path of a request that carries no [`MatchedPath`]: one that reached the
    /// layer before a router, or that no route of the router matched.
    ///
    /// [`HttpMetricsLayer::routes`]: super::HttpMetricsLayer::routes
    /// [`HttpMetricsLayer::exclude_routes`]: super::HttpMetricsLayer::exclude_routes
    /// [`MatchedPath`]: axum::extract::MatchedPath
    pub(super) by_path: matchit::Router<&'static RouteEntry>,
    pub(super) unmatched: &'static RouteEntry,
}

/// Configurations in use, so that layers built alike share their figures (and
/// are exposed once).
static CONFIGURATIONS: Mutex<Vec<&'static Shared>> = Mutex::new(Vec::new());

/// `bounds` if they are usable as histogram bounds (finite, non-negative,
/// increasing, `+Inf` last allowed and dropped), else the defaults, logged.
fn checked_bounds(bounds: &[f64], defaults: &[f64], metric: &str) -> Vec<f64> {
    let bounds = match bounds.split_last() {
        Some((last, rest)) if *last == f64::INFINITY => rest,
        _ => bounds,
    };
    let valid = !bounds.is_empty()
        && bounds.iter().all(|b| b.is_finite() && *b >= 0.0)
        && bounds.windows(2).all(|pair| pair[0] < pair[1]);
    if valid {
        bounds.to_vec()
    } else {
        tracing::error!(
            metric,
            ?bounds,
            "invalid HTTP metric buckets (they must be finite, non-negative and increasing); using the defaults"
        );
        defaults.to_vec()
    }
}

impl Shared {
    pub(super) fn get(options: &Options) -> &'static Self {
        let mut all = ignore_poison(CONFIGURATIONS.lock());
        if let Some(shared) = all.iter().find(|s| s.options == *options) {
            return shared;
        }
        let shared: &'static Self = Box::leak(Box::new(Self::new(options.clone())));
        all.push(shared);
        drop(all);
        families::expose(shared);
        shared.create_configured_routes();
        shared
    }

    fn new(options: Options) -> Self {
        let duration = checked_bounds(
            &options.duration_buckets,
            DEFAULT_DURATION_BUCKETS,
            "http_server_request_duration_seconds",
        );
        let size = checked_bounds(
            &options.size_buckets,
            DEFAULT_SIZE_BUCKETS,
            "http_server_request_body_size_bytes",
        );
        let unmatched = RouteEntry::leaked(&options, UNMATCHED_ROUTE);
        let mut by_name = HashMap::from([(UNMATCHED_ROUTE.into(), unmatched)]);
        let mut by_path = matchit::Router::new();
        let given = options.routes.iter().map(|(_, route)| route);
        for route in given.chain(&options.excluded) {
            if by_name.contains_key(route.as_str()) {
                continue;
            }
            let entry = RouteEntry::leaked(&options, route);
            by_name.insert(route.as_str().into(), entry);
            if let Err(error) = by_path.insert(route.as_str(), entry) {
                // Still named when a router matches it; outside one, its requests
                // count as unmatched.
                tracing::error!(
                    route = route.as_str(),
                    %error,
                    "HTTP route template not usable to match paths"
                );
            }
        }
        let const_labels = families::checked_const_labels(&options.const_labels);
        Self {
            duration_bounds: Bounds::new(&duration, 1e9),
            native: crate::core::native::resolve(options.native),
            size_bounds: Bounds::new(&size, 1.0),
            clock: clock().clone(),
            active: ShardedWords::new(2 * METHODS.len()),
            active_labels: METHODS.map(|method| families::labels(&const_labels, method, None)),
            const_labels,
            by_address: (0..ADDRESS_SLOTS).map(|_| OnceLock::new()).collect(),
            by_name: Mutex::new(by_name),
            by_path,
            unmatched,
            options,
        }
    }

    pub(super) fn status_slots(&self) -> usize {
        if self.options.group_status { 10 } else { 1000 }
    }

    /// The `http_response_status_code` of the status entry at `slot`: the code, or
    /// its class when grouped.
    pub(super) fn status_label(&self, slot: usize) -> String {
        if self.options.group_status {
            format!("{slot}xx")
        } else {
            slot.to_string()
        }
    }

    /// The constant labels of every series, checked.
    pub(super) fn const_labels(&self) -> &[(Text, Text)] {
        &self.const_labels
    }
}
