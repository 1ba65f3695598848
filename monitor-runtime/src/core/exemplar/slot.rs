//! The exemplar slots of buckets and counters, and how often they are replaced.

#[cfg(any(feature = "http", feature = "client"))]
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::context::TraceContext;
#[cfg(any(feature = "http", feature = "client"))]
use crate::core::bounds::Bounds;
use crate::core::clock::clock;
use crate::core::model::{Exemplar, Labels};

/// Nanoseconds between two replacements of one exemplar.
static INTERVAL_NANOS: AtomicU64 = AtomicU64::new(1_000_000_000);

/// Sets how often at most an exemplar is replaced (1 s by default; zero keeps the
/// latest traced call of every bucket).
///
/// ```
/// use std::time::Duration;
///
/// // Keep the latest traced call of every bucket (tests, demos).
/// monitor_runtime::exemplars::set_interval(Duration::ZERO);
/// monitor_runtime::exemplars::set_interval(Duration::from_secs(1));
/// ```
pub fn set_interval(interval: Duration) {
    INTERVAL_NANOS.store(
        u64::try_from(interval.as_nanos()).unwrap_or(u64::MAX),
        Ordering::Relaxed,
    );
    INTERVAL_TICKS.store(UNKNOWN, Ordering::Relaxed);
}

/// The interval in raw units of the call clock, converted by the first exemplar
/// taken after each setting; 0 until then, which makes every slot due, so that
/// the conversion happens out of the hot path.
static INTERVAL_TICKS: AtomicU64 = AtomicU64::new(UNKNOWN);
const UNKNOWN: u64 = 0;

/// The interval in raw units, converted now if it was not yet.
fn interval_ticks() -> u64 {
    let ticks = INTERVAL_TICKS.load(Ordering::Relaxed);
    if ticks != UNKNOWN {
        return ticks;
    }
    let ticks = clock().nanos_as_delta(INTERVAL_NANOS.load(Ordering::Relaxed));
    INTERVAL_TICKS.store(ticks, Ordering::Relaxed);
    ticks
}

/// One exemplar slot of a bucket or counter: written by the call that replaces it
/// (a sequence number odd while it writes), read by snapshots, which retry a torn
/// read. Never locked: a call that finds the slot being written gives up its offer.
#[derive(Default)]
pub(crate) struct Slot {
    sequence: AtomicU64,
    trace_high: AtomicU64,
    trace_low: AtomicU64,
    span: AtomicU64,
    /// The value observed, as `f64` bits.
    value: AtomicU64,
    /// When, nanoseconds since the Unix epoch; 0 for never.
    at: AtomicU64,
    /// The raw reading of the call clock when the exemplar was taken (0 for
    /// never): a traced call compares it with one clock read (the wall clock is
    /// read only when the slot is taken).
    taken: AtomicU64,
}

impl Slot {
    /// Offers the exemplar of a call that observed `value` in `context` now: taken
    /// when the slot is older than [`interval`] and nobody else is writing it.
    #[cold]
    #[inline(never)]
    pub(crate) fn offer(&self, context: TraceContext, value: f64) {
        let now_raw = clock().raw();
        if now_raw.wrapping_sub(self.taken.load(Ordering::Relaxed)) < interval_ticks() {
            return;
        }
        let sequence = self.sequence.load(Ordering::Relaxed);
        if sequence % 2 == 1
            || self
                .sequence
                .compare_exchange(sequence, sequence + 1, Ordering::Acquire, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        self.trace_high.store(context.trace_high, Ordering::Relaxed);
        self.trace_low.store(context.trace_low, Ordering::Relaxed);
        self.span.store(context.span_id, Ordering::Relaxed);
        self.value.store(value.to_bits(), Ordering::Relaxed);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |since| {
                u64::try_from(since.as_nanos()).unwrap_or(u64::MAX)
            });
        self.at.store(now, Ordering::Relaxed);
        self.taken.store(now_raw.max(1), Ordering::Relaxed);
        self.sequence.store(sequence + 2, Ordering::Release);
    }

    /// Whether a call at the raw clock reading `now` may replace the exemplar: an
    /// interval has passed since it was taken (never taken: `taken` is 0, and a
    /// reading is far past the interval, counted from the machine's start).
    #[inline(always)]
    pub(crate) fn due(&self, now: u64) -> bool {
        now.wrapping_sub(self.taken.load(Ordering::Relaxed))
            >= INTERVAL_TICKS.load(Ordering::Relaxed)
    }

    /// The exemplar, if a call left one (a read that keeps meeting a writer gives
    /// none this time).
    pub(crate) fn read(&self) -> Option<Exemplar> {
        for _ in 0..4 {
            let before = self.sequence.load(Ordering::Acquire);
            if before == 0 {
                return None;
            }
            if before % 2 == 1 {
                std::hint::spin_loop();
                continue;
            }
            let high = self.trace_high.load(Ordering::Relaxed);
            let low = self.trace_low.load(Ordering::Relaxed);
            let span = self.span.load(Ordering::Relaxed);
            let value = f64::from_bits(self.value.load(Ordering::Relaxed));
            let at = self.at.load(Ordering::Relaxed);
            std::sync::atomic::fence(Ordering::Acquire);
            if self.sequence.load(Ordering::Relaxed) != before {
                continue;
            }
            let context = TraceContext::new((u128::from(high) << 64) | u128::from(low), span)?;
            return Some(exemplar(context, value, at as f64 / 1e9));
        }
        None
    }
}

/// The exemplar slots of a histogram's buckets, made by its first traced
/// observation (a histogram never traced keeps none).
#[cfg(any(feature = "http", feature = "client"))]
#[derive(Default)]
pub(crate) struct BucketExemplars(OnceLock<Box<[Slot]>>);

#[cfg(any(feature = "http", feature = "client"))]
impl BucketExemplars {
    /// A traced duration of `nanos`, offered to its bucket of `bounds` (in
    /// nanoseconds) when the bucket's exemplar is due at `now` (a raw reading of
    /// the call clock): the check inline, the rest out of line.
    #[cfg(feature = "client")]
    #[inline(always)]
    pub(crate) fn offer_duration(
        &self,
        bounds: &Bounds,
        context: TraceContext,
        nanos: u64,
        now: u64,
    ) {
        self.offer(bounds, bounds.bucket(nanos), context, nanos, now);
    }

    /// `offer_duration` for a duration whose bucket the
    /// caller has found already.
    #[inline(always)]
    pub(crate) fn offer(
        &self,
        bounds: &Bounds,
        bucket: usize,
        context: TraceContext,
        nanos: u64,
        now: u64,
    ) {
        if let Some(slots) = self.0.get()
            && !slots[bucket].due(now)
        {
            return;
        }
        self.take(bounds, bucket, context, nanos);
    }

    #[cold]
    #[inline(never)]
    fn take(&self, bounds: &Bounds, bucket: usize, context: TraceContext, nanos: u64) {
        let slots = self
            .0
            .get_or_init(|| (0..bounds.buckets()).map(|_| Slot::default()).collect());
        slots[bucket].offer(context, nanos as f64 / 1e9);
    }

    /// The exemplars of the buckets, `(bucket, exemplar)`.
    pub(crate) fn read(&self) -> Vec<(usize, Exemplar)> {
        self.0.get().map_or_else(Vec::new, |slots| {
            slots
                .iter()
                .enumerate()
                .filter_map(|(bucket, slot)| Some((bucket, slot.read()?)))
                .collect()
        })
    }
}

/// The exemplar of a call in `context` that observed `value` at `at` (seconds since
/// the Unix epoch).
pub(crate) fn exemplar(context: TraceContext, value: f64, at: f64) -> Exemplar {
    Exemplar {
        labels: Labels::new([
            ("trace_id", context.trace_id_hex()),
            ("span_id", context.span_id_hex()),
        ]),
        value,
        timestamp: Some(at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_keeps_one_exemplar_per_interval() {
        let slot = Slot::default();
        assert!(slot.read().is_none());
        let first = TraceContext::new(1, 2).unwrap();
        let second = TraceContext::new(3, 4).unwrap();
        slot.offer(first, 0.5);
        slot.offer(second, 0.7);
        let kept = slot.read().unwrap();
        assert_eq!(
            kept.labels.get("trace_id"),
            Some("00000000000000000000000000000001")
        );
        assert_eq!(kept.labels.get("span_id"), Some("0000000000000002"));
        assert_eq!(kept.value, 0.5);
        assert!(kept.timestamp.unwrap() > 1.6e9);
    }
}
