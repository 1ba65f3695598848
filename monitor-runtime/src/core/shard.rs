//! Per-thread shards, the one thread numbering of every sharded figure (monitored
//! functions, business counters and histograms, HTTP server metrics).
//!
//! Sharded storage keeps [`shard_count`] copies of its words, a cache-line pair per
//! shard, and a figure's value is the sum over them. Shard [`SHARED`] (`0`) is
//! written by any thread with atomic additions. Every other shard belongs to at most
//! one living thread at a time, the only one that writes to it, so its additions are
//! a plain load and store of a relaxed atomic (no locked instruction, nothing lost):
//! a thread takes a shard of its own on its first update, while one is free, and
//! gives it back when it exits, for the next thread to carry on from its counts
//! (the hand-over goes through a mutex, so the next owner starts from the last value
//! written). Readers sum every shard with relaxed loads at scrape time.
//!
//! A thread updating a figure from a signal handler that interrupted an update of the
//! same figure on the same thread could lose that one count; nothing here is meant to
//! run in a signal handler.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use super::sync::ignore_poison;

/// The shard every thread may write to (with atomic additions): the one of a thread
/// that found no free shard of its own, or runs its thread-local destructors.
pub(crate) const SHARED: usize = 0;

/// Shards of every sharded figure: twice the machine's parallelism, rounded up to a
/// power of two, at least 4 and at most 64 (so that the worker threads of a runtime,
/// the main thread and some blocking threads each find one of their own).
#[inline]
pub(crate) fn shard_count() -> usize {
    static SHARDS: OnceLock<usize> = OnceLock::new();
    *SHARDS.get_or_init(|| {
        std::thread::available_parallelism()
            .map_or(1, usize::from)
            .saturating_mul(2)
            .clamp(4, 64)
            .next_power_of_two()
    })
}

/// The current thread's shard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Shard(usize);

thread_local! {
    /// The thread's shard index, `usize::MAX` before its first update. No
    /// destructor, so that it stays readable while other thread-locals are dropped.
    static INDEX: Cell<usize> = const { Cell::new(usize::MAX) };
    /// Gives the thread's own shard back when the thread exits.
    static OWNER: Owner = const { Owner(Cell::new(SHARED)) };
}

/// Shards given back by threads that exited, and the next never-used one.
static FREE: Mutex<Vec<usize>> = Mutex::new(Vec::new());
static NEXT: AtomicUsize = AtomicUsize::new(SHARED + 1);

struct Owner(Cell<usize>);

impl Drop for Owner {
    fn drop(&mut self) {
        let index = self.0.replace(SHARED);
        if index != SHARED {
            // Updates from the thread's later destructors go to the shared shard.
            INDEX.with(|slot| slot.set(SHARED));
            ignore_poison(FREE.lock()).push(index);
        }
    }
}

impl Shard {
    /// The current thread's shard: its own while it holds one, else [`SHARED`].
    #[inline(always)]
    pub(crate) fn current() -> Self {
        match INDEX.try_with(Cell::get) {
            Ok(usize::MAX) => Self::assign(),
            Ok(index) => Self(index),
            Err(_) => Self(SHARED),
        }
    }

    /// The shard of a thread on its first update: a free one of its own if there is
    /// one (kept until it exits), else the shared one.
    #[cold]
    #[inline(never)]
    fn assign() -> Self {
        let index = ignore_poison(FREE.lock()).pop().or_else(|| {
            NEXT.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |next| {
                (next < shard_count()).then_some(next + 1)
            })
            .ok()
        });
        let index = match index {
            // Owned only if the thread can give it back: its destructor is set up by
            // this first access (which fails while the thread is exiting).
            Some(index) => match OWNER.try_with(|owner| owner.0.set(index)) {
                Ok(()) => index,
                Err(_) => {
                    ignore_poison(FREE.lock()).push(index);
                    SHARED
                }
            },
            None => SHARED,
        };
        // Ignored when the thread-local is gone: the next update asks again.
        let _ = INDEX.try_with(|slot| slot.set(index));
        Self(index)
    }

    /// This shard's position among `shards` (a storage with fewer shards than
    /// [`shard_count`] sends the threads beyond them to the shared one).
    #[inline(always)]
    pub(crate) fn index_within(self, shards: usize) -> usize {
        if self.0 < shards { self.0 } else { SHARED }
    }

    /// The shard index, below [`shard_count`].
    #[inline(always)]
    pub(crate) fn index(self) -> usize {
        self.0
    }

    /// Adds `value` to `word`, a word of shard `index` (which [`Shard::index`] or
    /// [`Shard::index_within`] gave): without a locked instruction when this thread
    /// owns the shard, atomically in the shared one.
    #[inline(always)]
    pub(crate) fn add(index: usize, word: &AtomicU64, value: u64) {
        if index == SHARED {
            word.fetch_add(value, Ordering::Relaxed);
        } else {
            // Only this thread writes to its shard: nothing can come in between.
            word.store(
                word.load(Ordering::Relaxed).wrapping_add(value),
                Ordering::Relaxed,
            );
        }
    }

    /// Adds `value` to `word`, the bits of an `f64` in shard `index`: a plain load
    /// and store when this thread owns the shard, a compare-and-swap loop in the
    /// shared one.
    #[inline(always)]
    pub(crate) fn add_f64(index: usize, word: &AtomicU64, value: f64) {
        if index == SHARED {
            // The closure always returns `Some`: the update always happens.
            let _ = word.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |bits| {
                Some((f64::from_bits(bits) + value).to_bits())
            });
        } else {
            // Only this thread writes to its shard: nothing can come in between.
            let sum = f64::from_bits(word.load(Ordering::Relaxed)) + value;
            word.store(sum.to_bits(), Ordering::Relaxed);
        }
    }
}

/// Words per pair of cache lines (adjacent-line prefetching pulls lines in pairs,
/// so a shard owns both).
const LINE_WORDS: usize = 16;

#[repr(align(128))]
struct Line(
    #[allow(
        dead_code,
        reason = "read through a pointer to its shard's words (`ShardedWords::block`)"
    )]
    [AtomicU64; LINE_WORDS],
);

impl Line {
    fn zero() -> Self {
        Self([const { AtomicU64::new(0) }; LINE_WORDS])
    }
}

/// A block of `words` counters in every shard, a shard's lines contiguous and
/// owned by it (storage of monitored functions, business metrics and HTTP server
/// metrics). A word holds a `u64` ([`Block::add`]) or the bits of an `f64`
/// ([`Block::add_f64`]); all words start at zero (which is also `0.0`).
pub(crate) struct ShardedWords {
    lines: Box<[Line]>,
    /// Bytes per shard: its lines' (one multiplication finds a shard).
    shard_bytes: usize,
    /// `shards - 1`.
    mask: usize,
    /// `mask + 1`.
    shards: usize,
    /// Words of a shard: its lines' worth.
    words: usize,
}

impl ShardedWords {
    pub(crate) fn new(words: usize) -> Self {
        Self::with_max_shards(words, usize::MAX)
    }

    /// As [`new`](Self::new), with at most `max_shards` shards (rounded down to a
    /// power of two, at least one): for storage that exists many times over, such as
    /// the series of a labelled metric, so that one costs a bounded amount of memory
    /// whatever the machine. The threads whose shard is beyond share the shared one:
    /// update through [`current`](Self::current), which sends them there.
    pub(crate) fn with_max_shards(words: usize, max_shards: usize) -> Self {
        let shards = shard_count().min(1 << max_shards.max(1).ilog2());
        let stride = words.div_ceil(LINE_WORDS).max(1);
        Self {
            lines: (0..shards * stride).map(|_| Line::zero()).collect(),
            shard_bytes: stride * std::mem::size_of::<Line>(),
            mask: shards - 1,
            shards,
            words: stride * LINE_WORDS,
        }
    }

    /// The words of `shard` ([`Shard::index`] or [`Shard::index_within`] of the
    /// current thread, or any index for reading), found once for several updates:
    /// the lines of a shard are contiguous, so its words are too.
    #[inline(always)]
    pub(crate) fn block(&self, shard: usize) -> Block<'_> {
        // SAFETY: `shard & mask` is at most `mask`.
        unsafe { self.block_at(shard & self.mask, shard) }
    }

    /// The words of the current thread's shard in this storage ([`current`](Self::current)).
    #[inline(always)]
    pub(crate) fn current_block(&self) -> Block<'_> {
        let shard = self.current();
        // SAFETY: `current` is at most `mask`.
        unsafe { self.block_at(shard, shard) }
    }

    /// The words at position `at` for updates as shard `shard`.
    ///
    /// # Safety
    ///
    /// `at` is at most `mask`.
    #[inline(always)]
    unsafe fn block_at(&self, at: usize, shard: usize) -> Block<'_> {
        // SAFETY: `at` is below the shard count, so the shard's lines, `shard_bytes`
        // from `at * shard_bytes`, are in `lines`, and a `Line` is its 16 words with
        // no padding (128 bytes, aligned to 128): `words` words from the first.
        let words = unsafe {
            std::slice::from_raw_parts(
                self.lines
                    .as_ptr()
                    .cast::<u8>()
                    .add(at * self.shard_bytes)
                    .cast::<AtomicU64>(),
                self.words,
            )
        };
        Block { words, shard }
    }

    /// Adds `value` to a word of `shard` ([`Shard::index`] of the current thread).
    #[inline(always)]
    pub(crate) fn add(&self, shard: usize, offset: usize, value: u64) {
        self.block(shard).add(offset, value);
    }

    /// Words `range` summed over every shard, into `totals` (cleared first): one
    /// pass over each shard's contiguous words, for a reader that wants many.
    pub(crate) fn totals(&self, range: std::ops::Range<usize>, totals: &mut Vec<u64>) {
        totals.clear();
        let first = &self.block(0).words[range.clone()];
        totals.extend(first.iter().map(|word| word.load(Ordering::Relaxed)));
        for shard in 1..=self.mask {
            let words = &self.block(shard).words[range.clone()];
            for (total, word) in totals.iter_mut().zip(words) {
                *total = total.wrapping_add(word.load(Ordering::Relaxed));
            }
        }
    }

    /// The current thread's shard in this storage: its own, or the shared one when
    /// the storage has fewer shards than [`shard_count`] and the thread's is beyond.
    /// At most `mask`.
    #[inline(always)]
    pub(crate) fn current(&self) -> usize {
        Shard::current().index_within(self.shards)
    }

    /// One word summed over every shard.
    pub(crate) fn total(&self, offset: usize) -> u64 {
        (0..=self.mask)
            .map(|shard| self.block(shard).words[offset].load(Ordering::Relaxed))
            .fold(0, u64::wrapping_add)
    }

    /// One `f64` word summed over every shard.
    pub(crate) fn total_f64(&self, offset: usize) -> f64 {
        (0..=self.mask)
            .map(|shard| f64::from_bits(self.block(shard).words[offset].load(Ordering::Relaxed)))
            .sum()
    }
}

/// The words of one shard: updates without a locked instruction when the thread
/// owns the shard, atomic ones in the shared shard. An offset past the shard's words
/// panics (a bug of the caller's layout), never writes elsewhere.
#[derive(Clone, Copy)]
pub(crate) struct Block<'a> {
    words: &'a [AtomicU64],
    shard: usize,
}

impl Block<'_> {
    /// Adds `value` to word `offset`.
    #[inline(always)]
    pub(crate) fn add(&self, offset: usize, value: u64) {
        let word = if offset < LINE_WORDS {
            // SAFETY: a shard has at least one line of `LINE_WORDS` words. (For the
            // constant offsets of a layout, this check is made at compile time.)
            unsafe { self.words.get_unchecked(offset) }
        } else {
            &self.words[offset]
        };
        Shard::add(self.shard, word, value);
    }

    /// Adds `value` to word `offset`, which the caller's layout proves in range.
    ///
    /// # Safety
    ///
    /// `offset` is below the words the storage was made with.
    #[inline(always)]
    pub(crate) unsafe fn add_unchecked(&self, offset: usize, value: u64) {
        debug_assert!(offset < self.words.len());
        // SAFETY: the caller's promise.
        Shard::add(
            self.shard,
            unsafe { self.words.get_unchecked(offset) },
            value,
        );
    }

    /// The shard these words belong to.
    #[cfg(test)]
    pub(crate) fn shard(&self) -> usize {
        self.shard
    }

    /// Adds `value` to word `offset`, the bits of an `f64`.
    #[inline(always)]
    pub(crate) fn add_f64(&self, offset: usize, value: f64) {
        Shard::add_f64(self.shard, &self.words[offset], value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn living_threads_never_share_a_shard_of_their_own() {
        let count = shard_count();
        assert!(count.is_power_of_two() && (4..=64).contains(&count));
        let barrier = std::sync::Barrier::new(count + 4);
        let indexes: Vec<usize> = std::thread::scope(|scope| {
            let threads: Vec<_> = (0..count + 4)
                .map(|_| {
                    scope.spawn(|| {
                        let index = Shard::current().index();
                        // Every thread holds its shard until all have one.
                        barrier.wait();
                        index
                    })
                })
                .collect();
            threads.into_iter().map(|t| t.join().unwrap()).collect()
        });
        let mut owned: Vec<usize> = indexes.into_iter().filter(|&i| i != SHARED).collect();
        let before = owned.len();
        owned.sort_unstable();
        owned.dedup();
        assert_eq!(owned.len(), before, "two living threads owned one shard");
        assert!(owned.iter().all(|&index| index < count));
    }

    #[test]
    fn a_shard_given_back_carries_its_counts_to_the_next_owner() {
        let words: Vec<AtomicU64> = (0..shard_count()).map(|_| AtomicU64::new(0)).collect();
        // Threads one after another, more than there are shards: each adds 1 000 in
        // its shard; shards are handed on as threads exit.
        for _ in 0..3 * shard_count() {
            std::thread::scope(|scope| {
                scope.spawn(|| {
                    let index = Shard::current().index();
                    for _ in 0..1_000 {
                        Shard::add(index, &words[index], 1);
                    }
                });
            });
        }
        let total: u64 = words.iter().map(|w| w.load(Ordering::Relaxed)).sum();
        assert_eq!(total, 3 * shard_count() as u64 * 1_000);
    }

    #[test]
    fn concurrent_threads_lose_no_count() {
        let words: Vec<AtomicU64> = (0..shard_count()).map(|_| AtomicU64::new(0)).collect();
        let threads = 2 * shard_count();
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    for _ in 0..10_000 {
                        let index = Shard::current().index_within(2);
                        Shard::add(index, &words[index], 1);
                    }
                });
            }
        });
        let total: u64 = words.iter().map(|w| w.load(Ordering::Relaxed)).sum();
        assert_eq!(total, threads as u64 * 10_000);
    }

    #[test]
    fn fractions_added_by_concurrent_threads_are_all_summed() {
        // At most two shards: most threads share the shared one, some own the other.
        let words = ShardedWords::with_max_shards(2, 2);
        let threads = 2 * shard_count();
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    for _ in 0..10_000 {
                        let block = words.current_block();
                        // Exact in binary: the sum is exact whatever the order.
                        block.add_f64(0, 0.25);
                        block.add(1, 1);
                    }
                });
            }
        });
        assert_eq!(words.total_f64(0), threads as f64 * 2_500.0);
        assert_eq!(words.total(1), threads as u64 * 10_000);
    }

    #[test]
    fn storage_keeps_at_most_its_shards() {
        for (max, expected) in [(0, 1), (1, 1), (3, 2), (4, 4), (usize::MAX, shard_count())] {
            let words = ShardedWords::with_max_shards(1, max);
            assert_eq!(words.mask + 1, expected.min(shard_count()), "{max}");
            assert!(words.current() <= words.mask);
        }
    }
}
