//! The runtime's own storage for the figures of one monitored function (exposed by
//! `families`).
//!
//! A call touches only the shard of its thread (`core::shard`), a cache line no
//! other thread writes to, without a locked instruction (until there are more
//! threads than shards; the others share one, atomically): one increment when it
//! starts, and when it ends an increment of its bucket, an addition to the nanosecond sum and, for
//! an error, an increment of the error count. Everything else is derived at scrape
//! time: `ok` is the calls counted in the buckets less the errors, in flight is the
//! calls started less the calls finished. Sums are integer nanoseconds, so they add
//! without a compare-and-swap loop and stay exact.

use std::sync::OnceLock;

use crate::core::exemplar::{self, Slot};
use crate::core::model::{Exemplar, NativeBuckets};
use crate::core::native::NativeStore;
use crate::core::{Block, Bounds, CallClock, Shard, ShardedWords, clock};

/// Word offsets inside one shard.
const STARTED: usize = 0;
const ERRORS: usize = 1;
const SUM: usize = 2;
const CANCELLED: usize = 3;
const CANCELLED_SUM: usize = 4;
const BUCKETS: usize = 5;

/// The figures of one monitored function.
pub(super) struct FunctionStats {
    /// The words at the offsets above, in every shard.
    words: ShardedWords,
    /// The bucket bounds, in seconds and whole nanoseconds.
    bounds: Bounds,
    /// A copy of [`clock`], one pointer hop closer.
    clock: CallClock,
    /// Whether calls can be cancelled (the function is asynchronous): only then
    /// are there buckets of cancelled calls.
    cancellable: bool,
    /// The native buckets of finished calls, when the function has them.
    native: Option<NativeStore>,
    /// The exemplars of finished calls: one per bucket, then the `ok` and `error`
    /// counters'; made by the first traced call.
    exemplars: OnceLock<Box<[Slot]>>,
}

impl FunctionStats {
    /// Storage for classic buckets of `bounds` (only `+Inf` when empty) and, with a
    /// `native` schema, native buckets; the buckets of cancelled calls too when the
    /// function is `cancellable` (asynchronous).
    pub(super) fn new(bounds: &[f64], native: Option<i8>, cancellable: bool) -> Self {
        let bounds = Bounds::new(bounds, 1e9);
        // Finished calls have a bucket per bound and +Inf, and so have cancelled
        // calls of an asynchronous function.
        let words = BUCKETS + (1 + usize::from(cancellable)) * bounds.buckets();
        Self {
            cancellable,
            words: ShardedWords::new(words),
            bounds,
            clock: clock().clone(),
            native: native.map(NativeStore::new),
            exemplars: OnceLock::new(),
        }
    }

    /// The clock calls are timed with.
    #[inline(always)]
    pub(super) fn clock(&self) -> &CallClock {
        &self.clock
    }

    /// A call started, in the current thread's shard, whose words it returns.
    #[inline(always)]
    pub(super) fn start(&'static self) -> Block<'static> {
        let block = self.words.block(Shard::current().index());
        block.add(STARTED, 1);
        block
    }

    /// The words of the current thread's shard.
    #[inline(always)]
    pub(super) fn current_block(&'static self) -> Block<'static> {
        self.words.block(Shard::current().index())
    }

    /// A call finished (returned, or panicked: an error) after `nanos`, recorded in
    /// `block`, which must be the current thread's shard's ([`Shard::current`]): a
    /// thread writes only to its own shard (or the shared one). A synchronous call
    /// passes the block its start returned; an asynchronous one may end on another
    /// thread. `started`: the call's first clock reading, which decides whether its
    /// bucket's exemplar is due for replacement.
    #[inline(always)]
    pub(super) fn finish(&self, block: Block<'_>, nanos: u64, is_error: bool, started: u64) {
        let bucket = self.bounds.bucket(nanos);
        // SAFETY: `bucket` is below `bounds.buckets()`, and the words were made for
        // `BUCKETS + 2 * bounds.buckets()`.
        unsafe { block.add_unchecked(BUCKETS + bucket, 1) };
        block.add(SUM, nanos);
        if is_error {
            block.add(ERRORS, 1);
        }
        if let Some(native) = &self.native {
            native.observe(seconds(nanos));
        }
        // A call in a sampled trace whose bucket's exemplar is due (once per
        // interval) leaves its own: a thread-local read and, in a trace, two loads
        // and a comparison; the rest out of line.
        if exemplar::in_sampled_trace() {
            match self.exemplars.get() {
                // SAFETY: the slots are one per bucket and two more.
                Some(slots) if !unsafe { slots.get_unchecked(bucket) }.due(started) => {}
                _ => self.offer(bucket, nanos, is_error),
            }
        }
    }

    /// The current trace's exemplar, offered to the call's bucket and, with it, to
    /// its counter.
    #[cold]
    #[inline(never)]
    fn offer(&self, bucket: usize, nanos: u64, is_error: bool) {
        let Some(context) = exemplar::current_sampled() else {
            return;
        };
        let buckets = self.bounds.buckets();
        let slots = self
            .exemplars
            .get_or_init(|| (0..buckets + 2).map(|_| Slot::default()).collect());
        slots[bucket].offer(context, seconds(nanos));
        slots[buckets + usize::from(is_error)].offer(context, 1.0);
    }

    /// The exemplars of the buckets of finished calls, `(bucket, exemplar)`.
    pub(super) fn bucket_exemplars(&self) -> Vec<(usize, Exemplar)> {
        let Some(slots) = self.exemplars.get() else {
            return Vec::new();
        };
        slots[..self.bounds.buckets()]
            .iter()
            .enumerate()
            .filter_map(|(bucket, slot)| Some((bucket, slot.read()?)))
            .collect()
    }

    /// The exemplar of the `ok` (or `error`) counter.
    pub(super) fn counter_exemplar(&self, is_error: bool) -> Option<Exemplar> {
        self.exemplars.get()?[self.bounds.buckets() + usize::from(is_error)].read()
    }

    /// The native buckets of finished calls (at most `max_buckets` of them), with
    /// their count, when the function has them.
    pub(super) fn native(&self, max_buckets: usize) -> Option<(u64, NativeBuckets)> {
        Some(self.native.as_ref()?.read(max_buckets))
    }

    /// A call was cancelled after `nanos`.
    pub(super) fn cancel(&self, nanos: u64) {
        let block = self.words.block(Shard::current().index());
        if !self.cancellable {
            // Only an asynchronous call can be cancelled: should a synchronous one
            // ever come here, it is counted as an error rather than written past its
            // words.
            self.finish(block, nanos, true, 0);
            return;
        }
        block.add(
            BUCKETS + self.bounds.buckets() + self.bounds.bucket(nanos),
            1,
        );
        block.add(CANCELLED_SUM, nanos);
        block.add(CANCELLED, 1);
    }

    /// Every figure at once, each word read once, into `scratch`: errors before
    /// buckets (an error is counted after its bucket, so errors never exceed the
    /// calls finished), started calls last (a call starts before it ends, so in
    /// flight is never negative).
    pub(super) fn read<'s>(&self, scratch: &'s mut Vec<u64>) -> Reading<'s> {
        let errors = self.total(ERRORS);
        let buckets = self.bounds.buckets();
        let end = BUCKETS + (1 + usize::from(self.cancellable)) * buckets;
        self.words.totals(SUM..end, scratch);
        let started = self.total(STARTED);
        let words: &'s [u64] = scratch;
        let at = |offset: usize| words[offset - SUM];
        let finished = &words[BUCKETS - SUM..BUCKETS - SUM + buckets];
        let cancelled_buckets = &words[BUCKETS - SUM + buckets..];
        let count = finished
            .iter()
            .fold(0, |total: u64, count| total.wrapping_add(*count));
        let cancelled = cancelled_buckets
            .iter()
            .fold(0, |total: u64, count| total.wrapping_add(*count));
        Reading {
            errors: errors.min(count),
            count,
            in_flight: started.saturating_sub(count.wrapping_add(cancelled)),
            sum: seconds(at(SUM)),
            finished,
            cancelled: at(CANCELLED),
            cancelled_sum: seconds(at(CANCELLED_SUM)),
            cancelled_buckets,
        }
    }

    /// Sums one word over every shard.
    fn total(&self, offset: usize) -> u64 {
        self.words.total(offset)
    }

    /// The bucket bounds, in seconds.
    pub(super) fn bounds(&self) -> &[f64] {
        self.bounds.given()
    }
}

fn seconds(nanos: u64) -> f64 {
    nanos as f64 / 1e9
}

/// The figures of a function at one reading.
pub(super) struct Reading<'s> {
    /// Calls finished.
    pub(super) count: u64,
    /// Of which errors.
    pub(super) errors: u64,
    /// Calls in progress.
    pub(super) in_flight: u64,
    /// Seconds of finished calls.
    pub(super) sum: f64,
    /// Finished calls per bucket (not cumulative), +Inf last.
    pub(super) finished: &'s [u64],
    /// Calls cancelled.
    pub(super) cancelled: u64,
    /// Seconds of cancelled calls.
    pub(super) cancelled_sum: f64,
    /// Cancelled calls per bucket, +Inf last.
    pub(super) cancelled_buckets: &'s [u64],
}
