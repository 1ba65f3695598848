//! What the layers of one configuration share: their options, bounds, clock and
//! active counts, and the table of the routes they have seen ([`super::routes`]).
//! Layers built alike share one, found in [`CONFIGURATIONS`] when the first of them
//! serves.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use axum::extract::MatchedPath;

use super::cells;
use super::labels::{checked_const_labels, labels};
use super::options::{DEFAULT_DURATION_BUCKETS, DEFAULT_SIZE_BUCKETS, Options};
use super::routes::{
    ADDRESS_SLOTS, AddressSlot, METHODS, MethodEntry, RouteEntry, StatusEntry, UNMATCHED_ROUTE,
    method_index,
};
use crate::core::exemplar::BucketExemplars;
use crate::core::model::{Labels, Text};
use crate::core::native::NativeStore;
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
    pub(super) fn new(options: Options) -> Self {
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
        let const_labels = checked_const_labels(&options.const_labels);
        Self {
            duration_bounds: Bounds::new(&duration, 1e9),
            native: crate::core::native::resolve(options.native),
            size_bounds: Bounds::new(&size, 1.0),
            clock: clock().clone(),
            active: ShardedWords::new(2 * METHODS.len()),
            active_labels: METHODS.map(|method| labels(&const_labels, method, None)),
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

/// The slots a route may take in the address table, from its home slot on.
const PROBES: usize = 8;

fn home_slot(address: usize) -> usize {
    // Fibonacci hashing of the address without its alignment bits.
    let mixed = ((address >> 3) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (mixed >> (64 - ADDRESS_SLOTS.trailing_zeros())) as usize
}

impl Shared {
    /// The series of the routes given to [`HttpMetricsLayer::routes`], at zero.
    ///
    /// [`HttpMetricsLayer::routes`]: super::HttpMetricsLayer::routes
    pub(super) fn create_configured_routes(&'static self) {
        let grouped = self.options.group_status;
        for (method, route) in &self.options.routes {
            let entry = self.by_route_name(route);
            if !entry.excluded {
                entry
                    .method(self, method_index(method))
                    .status(self, if grouped { 2 } else { 200 });
            }
        }
        if !self.options.routes.is_empty() {
            self.unmatched
                .method(self, 0)
                .status(self, if grouped { 4 } else { 404 });
        }
    }

    fn by_route_name(&self, route: &str) -> &'static RouteEntry {
        let mut by_name = ignore_poison(self.by_name.lock());
        if let Some(entry) = by_name.get(route) {
            return entry;
        }
        let entry = RouteEntry::leaked(&self.options, route);
        by_name.insert(route.into(), entry);
        entry
    }

    /// The entry of a request without a [`MatchedPath`]: the given template its
    /// path matches, or the unmatched route.
    #[inline]
    pub(super) fn by_path(&self, path: &str) -> &'static RouteEntry {
        match self.by_path.at(path) {
            Ok(matched) => matched.value,
            Err(_) => self.unmatched,
        }
    }

    /// The entry of a matched route: by the address of its text first.
    #[inline]
    pub(super) fn route(&self, route: &MatchedPath) -> &'static RouteEntry {
        let address = route.as_str().as_ptr() as usize;
        let home = home_slot(address);
        for probe in 0..PROBES {
            match self.by_address[(home + probe) % ADDRESS_SLOTS].get() {
                Some(slot) if slot.address == address => return slot.entry,
                Some(_) => {}
                None => break,
            }
        }
        self.learn(route, address, home)
    }

    #[cold]
    #[inline(never)]
    fn learn(&self, route: &MatchedPath, address: usize, home: usize) -> &'static RouteEntry {
        let entry = self.by_route_name(route.as_str());
        for probe in 0..PROBES {
            let slot = &self.by_address[(home + probe) % ADDRESS_SLOTS];
            if slot.get().is_none()
                && slot
                    .set(AddressSlot {
                        address,
                        entry,
                        _text: route.clone(),
                    })
                    .is_ok()
            {
                break;
            }
        }
        entry
    }

    /// The routes seen or given, measured (not left out), sorted.
    pub(super) fn measured_routes(&self) -> Vec<&'static RouteEntry> {
        let mut routes: Vec<&'static RouteEntry> = ignore_poison(self.by_name.lock())
            .values()
            .copied()
            .filter(|entry| !entry.excluded)
            .collect();
        routes.sort_by(|a, b| a.route.cmp(&b.route));
        routes
    }
}

impl RouteEntry {
    #[inline]
    pub(super) fn method(&self, shared: &Shared, method: usize) -> &MethodEntry {
        self.methods[method].get_or_init(|| MethodEntry {
            request: ShardedWords::new(cells::words(&shared.size_bounds)),
            statuses: (0..shared.status_slots())
                .map(|_| OnceLock::new())
                .collect(),
            span_name: OnceLock::new(),
        })
    }
}

impl MethodEntry {
    /// `code` is the status code, or its class when grouped.
    #[inline]
    pub(super) fn status(&self, shared: &Shared, code: u16) -> &StatusEntry {
        let slot = usize::from(code).min(self.statuses.len() - 1);
        self.statuses[slot].get_or_init(|| {
            Box::new(StatusEntry {
                cells: ShardedWords::new(
                    cells::words(&shared.duration_bounds) + cells::words(&shared.size_bounds),
                ),
                native: shared.native.map(NativeStore::new),
                exemplars: BucketExemplars::default(),
                labels: OnceLock::new(),
            })
        })
    }
}
