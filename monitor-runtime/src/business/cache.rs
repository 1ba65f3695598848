//! The series that short label values resolved to, remembered per thread.
//!
//! A two-way table of the thread's own: a slot holds a declaration, the bytes
//! of up to [`MAX_LABELS`] label values of at most [`MAX_LEN`] bytes each (whole, so
//! that a match is exact, not a hash match), and the series they resolved to. A hit
//! reads a few words the thread alone writes: no hashing of the values, no probe
//! of the family's table, no shared cache line, no lock. A miss, or a value too long
//! to keep, takes the family's table as before; only a label set's own series is
//! remembered (never the overflow series, whose updates are counted as they fold,
//! nor the stand-in of a series that could not be created), and a label set keeps
//! its series for the program's life, so an entry never goes stale.

use std::cell::Cell;

use super::family::{Series, short_words};

/// Label values per update that the cache takes (more go to the family's table).
const MAX_LABELS: usize = 2;

/// The longest label value the cache takes, in bytes.
const MAX_LEN: usize = 16;

/// Sets of two slots per thread (a power of two): a label set belongs to one set
/// and sits in either of its slots, so that two label sets that fall in the same
/// set are both remembered. 128 slots of 56 bytes: 7 KiB per thread.
const SETS: usize = 64;

/// One slot: a label set (its declaration, the number and lengths of its values,
/// their bytes) and its series.
#[derive(Clone, Copy)]
struct Entry {
    /// The declaration's address; 0 in an empty slot.
    site: usize,
    /// The number of values in the low byte, each value's length in a byte above.
    lens: u64,
    /// Each value's bytes as two words (see [`short_words`]).
    words: [u64; 2 * MAX_LABELS],
    series: *const Series,
}

const EMPTY: Entry = Entry {
    site: 0,
    lens: 0,
    words: [0; 2 * MAX_LABELS],
    series: std::ptr::null(),
};

thread_local! {
    /// No destructor: readable while the thread's other thread-locals are dropped.
    static CACHE: [[Cell<Entry>; 2]; SETS] =
        const { [const { [const { Cell::new(EMPTY) }, const { Cell::new(EMPTY) }] }; SETS] };
}

/// A label set as the cache compares it: `site`'s address (a declaration: the
/// cache reads nothing else of it), the lengths of `values` and their words (the
/// first `2 * values.len()` of them), if the cache takes them.
#[inline(always)]
fn key<Site>(site: &'static Site, values: &[&str]) -> Option<(usize, u64, [u64; 2 * MAX_LABELS])> {
    if values.len() > MAX_LABELS {
        return None;
    }
    let mut lens = values.len() as u64;
    let mut all = [0; 2 * MAX_LABELS];
    for (index, value) in values.iter().enumerate() {
        if value.len() > MAX_LEN {
            return None;
        }
        lens |= (value.len() as u64) << (8 * (index + 1));
        (all[2 * index], all[2 * index + 1]) = short_words(value.as_bytes());
    }
    Some((std::ptr::from_ref(site) as usize, lens, all))
}

/// The set of a label set: its words mixed with one multiplication.
#[inline(always)]
fn set(site: usize, lens: u64, words: &[u64]) -> usize {
    let mixed = words
        .iter()
        .enumerate()
        .fold(site as u64 ^ lens, |mixed, (index, word)| {
            mixed ^ word.rotate_left(17 * index as u32)
        });
    (mixed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SETS.trailing_zeros())) as usize
}

/// The series `values` resolved to on this thread, if it is remembered.
#[inline(always)]
pub(super) fn get<Site>(site: &'static Site, values: &[&str]) -> Option<&'static Series> {
    let (site, lens, words) = key(site, values)?;
    let used = &words[..2 * values.len()];
    let set = set(site, lens, used);
    CACHE
        .try_with(|cache| {
            // SAFETY: `set` is below `SETS` (the top bits of a word).
            let slots = unsafe { cache.get_unchecked(set) };
            slots.iter().find_map(|slot| {
                // SAFETY: the entry is the thread's own and nothing writes it while
                // this reads it.
                let entry = unsafe { &*slot.as_ptr() };
                let hit = entry.site == site
                    && entry.lens == lens
                    && used
                        .iter()
                        .zip(&entry.words)
                        .all(|(given, kept)| given == kept);
                // SAFETY: an entry of a site holds a series given to `keep` as
                // `&'static`.
                hit.then(|| unsafe { &*entry.series })
            })
        })
        .ok()
        .flatten()
}

/// Remembers that `values` resolved to `series`, the label set's own: in the first
/// slot of its set, the one there before moving to the second (the one in the
/// second is forgotten).
#[inline]
pub(super) fn keep<Site>(site: &'static Site, values: &[&str], series: &'static Series) {
    if let Some((site, lens, words)) = key(site, values) {
        let set = set(site, lens, &words[..2 * values.len()]);
        let _ = CACHE.try_with(|cache| {
            let [first, second] = &cache[set];
            second.set(first.get());
            first.set(Entry {
                site,
                lens,
                words,
                series: std::ptr::from_ref(series),
            });
        });
    }
}

#[cfg(test)]
mod tests {
    use super::MAX_LEN;
    use crate::business::family::short_words as words;

    #[test]
    fn values_of_one_length_have_equal_words_only_when_equal() {
        // Every value of each length up to MAX_LEN over a small alphabet, and a
        // change of any one byte: equal words exactly when the bytes are equal.
        for len in 0..=MAX_LEN {
            let base: Vec<u8> = (0..len).map(|i| b'a' + (i % 7) as u8).collect();
            for at in 0..len {
                let mut changed = base.clone();
                changed[at] ^= 0x20;
                assert_ne!(words(&base), words(&changed), "length {len}, byte {at}");
            }
            assert_eq!(words(&base), words(&base.clone()));
        }
    }
}
