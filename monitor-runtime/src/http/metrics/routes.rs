//! Routes and methods: the label values of methods, the route templates (the
//! monitoring routes left out by default, the one value of unmatched requests),
//! how a request finds its route's figures (by the address of its matched
//! template's text, or by matching its path), and those figures, by method and
//! status, created on first use.

use std::sync::OnceLock;

use axum::extract::MatchedPath;
use axum::http::Method;

use super::options::Options;
use crate::core::ShardedWords;
use crate::core::exemplar::BucketExemplars;
use crate::core::model::Labels;
use crate::core::native::NativeStore;

/// The `http_route` of a request that matched no route: one value, whatever the
/// path, so that a flood of random paths adds no series.
///
/// ```
/// use monitor_runtime::http::{HttpMetricsLayer, UNMATCHED_ROUTE};
///
/// // Requests to paths no route matches are not measured at all.
/// let layer = HttpMetricsLayer::new().exclude_routes([UNMATCHED_ROUTE]);
/// # let _ = layer;
/// ```
pub const UNMATCHED_ROUTE: &str = "_UNMATCHED";

/// The routes of [`crate::router`], which the layer leaves out by default: read
/// from the tables the router is built from, so that none is forgotten.
pub fn monitoring_routes() -> &'static [&'static str] {
    static ROUTES: std::sync::LazyLock<Vec<&'static str>> =
        std::sync::LazyLock::new(super::super::exporter::monitoring_paths);
    &ROUTES
}

/// The methods with a label of their own; any other folds into `_OTHER`.
pub(super) const METHODS: [&str; 10] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "_OTHER",
];

pub(super) fn method_index(method: &Method) -> usize {
    match *method {
        Method::GET => 0,
        Method::HEAD => 1,
        Method::POST => 2,
        Method::PUT => 3,
        Method::DELETE => 4,
        Method::CONNECT => 5,
        Method::OPTIONS => 6,
        Method::TRACE => 7,
        Method::PATCH => 8,
        _ => 9,
    }
}

pub(super) struct AddressSlot {
    pub(super) address: usize,
    pub(super) entry: &'static RouteEntry,
    /// The text at `address`, kept alive: while the slot holds it, no other text
    /// can be allocated there, so an equal address is this route.
    pub(super) _text: MatchedPath,
}

/// Slots of the address table (a power of two). A route that finds all the slots
/// it may take from its home slot on taken is looked up by name, under a lock:
/// correct, slower.
pub(super) const ADDRESS_SLOTS: usize = 256;

/// The figures of one route, by method, created on first use.
pub(super) struct RouteEntry {
    pub(super) route: Box<str>,
    /// Left out: its requests are not measured.
    pub(super) excluded: bool,
    pub(super) methods: [OnceLock<MethodEntry>; METHODS.len()],
    /// The labels of each method's request-size series, built by the first
    /// snapshot that finds the method's figures (`families`), so that no
    /// request builds them.
    pub(super) labels: [OnceLock<Labels>; METHODS.len()],
}

pub(super) struct MethodEntry {
    /// The request-size histogram at word 0.
    pub(super) request: ShardedWords,
    /// By status code (`0..1000`), or by class (`0..10`) when grouped.
    pub(super) statuses: Box<[OnceLock<Box<StatusEntry>>]>,
    /// The name of its requests' spans (`GET /users/{id}`), made by the first
    /// request a subscriber records.
    pub(super) span_name: OnceLock<Box<str>>,
}

pub(super) struct StatusEntry {
    /// The duration histogram at word 0, the response-size histogram after it.
    pub(super) cells: ShardedWords,
    /// The native buckets of the durations, when the layer has them.
    pub(super) native: Option<NativeStore>,
    /// The exemplars of the duration buckets, made by the first traced request.
    pub(super) exemplars: BucketExemplars,
    /// The labels of both series, built by the first snapshot that finds them.
    pub(super) labels: OnceLock<Labels>,
}

impl RouteEntry {
    /// A new entry for `route`, left out if `options` exclude it. Leaked: entries
    /// live as long as their configuration.
    pub(super) fn leaked(options: &Options, route: &str) -> &'static Self {
        Box::leak(Box::new(Self {
            route: route.into(),
            excluded: options.excluded.iter().any(|r| r == route),
            methods: std::array::from_fn(|_| OnceLock::new()),
            labels: std::array::from_fn(|_| OnceLock::new()),
        }))
    }
}
