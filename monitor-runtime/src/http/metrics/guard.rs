//! The guard that records a request when it ends: its duration, status and
//! response size, and the request counted finished.

use super::cells;
use super::routes::{METHODS, MethodEntry};
use super::shared::Shared;
use super::trace::RequestTrace;
use crate::core::{Shard, exemplar};

/// The `http_response_status_code` of a request whose client went away before the
/// response head was ready (the service's future was dropped): `499`, the "client
/// closed request" code of nginx.
pub(crate) const CLIENT_CLOSED_STATUS: u16 = 499;

/// A request's figures until its response body ends or is dropped: the drop
/// records them and counts the request finished.
pub(super) struct Guard {
    pub(super) shared: &'static Shared,
    /// The figures of the request's route and method.
    pub(super) entry: &'static MethodEntry,
    pub(super) method: u8,
    pub(super) status: u16,
    /// Raw clock reading at arrival.
    pub(super) start: u64,
    pub(super) bytes: u64,
    /// The request's trace and server span, which ends with the guard.
    pub(super) trace: Option<RequestTrace>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        let shared = self.shared;
        let nanos = shared.clock.delta_as_nanos(self.start, shared.clock.raw());
        let code = if shared.options.group_status {
            self.status / 100
        } else {
            self.status
        };
        let status = self.entry.status(shared, code);
        let cells = &status.cells;
        let shard = Shard::current().index();
        let durations = &shared.duration_bounds;
        let block = cells.block(shard);
        let bucket = cells::observe(&block, 0, durations, nanos);
        if let Some(native) = &status.native {
            native.observe(nanos as f64 / 1e9);
        }
        if exemplar::in_use()
            && let Some(context) = match &self.trace {
                Some(trace) => Some(trace.context).filter(|context| context.sampled()),
                None => exemplar::current_sampled(),
            }
        {
            status
                .exemplars
                .offer(durations, bucket, context, nanos, self.start);
        }
        cells::observe(
            &block,
            cells::words(durations),
            &shared.size_bounds,
            self.bytes,
        );
        let finished = METHODS.len() + usize::from(self.method);
        shared.active.add(shard, finished, 1);
    }
}
