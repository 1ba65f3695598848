//! Routes and methods: the label values of methods, the route templates (the
//! monitoring routes left out by default, the one value of unmatched requests),
//! how a request finds its route's figures (by the address of its matched
//! template's text, or by matching its path), and those figures, by method and
//! status, created on first use.

use std::sync::OnceLock;

use axum::extract::MatchedPath;
use axum::http::Method;

use super::cells;
use super::layer::Options;
use super::shared::Shared;
use crate::core::exemplar::{Slot, TraceContext};
use crate::core::model::{Exemplar, Labels};
use crate::core::native::NativeStore;
use crate::core::{Bounds, ShardedWords, ignore_poison};

/// The `http_route` of a request that matched no route: one value, whatever the
/// path, so that a flood of random paths adds no series.
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
    address: usize,
    entry: &'static RouteEntry,
    /// The text at `address`, kept alive: while the slot holds it, no other text
    /// can be allocated there, so an equal address is this route.
    _text: MatchedPath,
}

/// Slots of the address table (a power of two) and the slots a route may take
/// from its home slot on. A route that finds them all taken is looked up by name,
/// under a lock: correct, slower.
pub(super) const ADDRESS_SLOTS: usize = 256;
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
}

pub(super) struct StatusEntry {
    /// The duration histogram at word 0, the response-size histogram after it.
    pub(super) cells: ShardedWords,
    /// The native buckets of the durations, when the layer has them.
    pub(super) native: Option<NativeStore>,
    /// The exemplars of the duration buckets, made by the first traced request.
    pub(super) exemplars: OnceLock<Box<[Slot]>>,
    /// The labels of both series, built by the first snapshot that finds them.
    pub(super) labels: OnceLock<Labels>,
}

impl StatusEntry {
    /// A traced request's exemplar, offered to its duration bucket.
    #[cold]
    #[inline(never)]
    pub(super) fn offer(&self, bounds: &Bounds, context: TraceContext, nanos: u64) {
        let slots = self
            .exemplars
            .get_or_init(|| (0..bounds.buckets()).map(|_| Slot::default()).collect());
        slots[bounds.bucket(nanos)].offer(context, nanos as f64 / 1e9);
    }

    /// The exemplars of the duration buckets, `(bucket, exemplar)`.
    pub(super) fn exemplars(&self) -> Vec<(usize, Exemplar)> {
        self.exemplars.get().map_or_else(Vec::new, |slots| {
            slots
                .iter()
                .enumerate()
                .filter_map(|(bucket, slot)| Some((bucket, slot.read()?)))
                .collect()
        })
    }
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

    #[inline]
    pub(super) fn method(&self, shared: &Shared, method: usize) -> &MethodEntry {
        self.methods[method].get_or_init(|| MethodEntry {
            request: ShardedWords::new(cells::words(&shared.size_bounds)),
            statuses: (0..shared.status_slots())
                .map(|_| OnceLock::new())
                .collect(),
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
                exemplars: OnceLock::new(),
                labels: OnceLock::new(),
            })
        })
    }
}
