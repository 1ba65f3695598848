//! The series of one business metric family, found without a lock.
//!
//! An open-addressing table of pointers to series that live as long as the program.
//! Readers load the current table and probe it with acquire loads only; writers take
//! one mutex, publish a series with a release store, and grow the table by building a
//! larger one and publishing it whole. A replaced table is kept (a reader may still be
//! probing it): the tables of a family add up to less than twice the last one.

use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Mutex, MutexGuard};

use crate::core::ignore_poison;

/// What a table holds: a value with its hash, never freed.
pub(super) trait Hashed: 'static {
    fn hash(&self) -> u64;
}

/// One table: a power-of-two number of slots, at most half of them full.
struct Slots<T: 'static> {
    slots: Box<[AtomicPtr<T>]>,
}

impl<T: Hashed> Slots<T> {
    fn with_capacity(capacity: usize) -> Self {
        Self {
            slots: (0..capacity)
                .map(|_| AtomicPtr::new(std::ptr::null_mut()))
                .collect(),
        }
    }

    #[inline]
    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// The value of that hash for which `eq` holds. The probe ends at the first empty
    /// slot, and a table is never more than half full, so it always ends.
    #[inline]
    fn find(&self, hash: u64, mut eq: impl FnMut(&T) -> bool) -> Option<&'static T> {
        let mask = self.mask();
        let mut index = hash as usize & mask;
        loop {
            // SAFETY: `index` is masked to the number of slots.
            let pointer = unsafe { self.slots.get_unchecked(index) }.load(Ordering::Acquire);
            if pointer.is_null() {
                return None;
            }
            // SAFETY: a non-null slot points to a value leaked for the program's life,
            // published (release) after it was written.
            let value: &'static T = unsafe { &*pointer };
            if value.hash() == hash && eq(value) {
                return Some(value);
            }
            index = (index + 1) & mask;
        }
    }

    /// Puts `value` in the first empty slot of its probe sequence; writers only.
    fn put(&self, value: &'static T) {
        let mask = self.mask();
        let mut index = value.hash() as usize & mask;
        while !self.slots[index].load(Ordering::Relaxed).is_null() {
            index = (index + 1) & mask;
        }
        self.slots[index].store(std::ptr::from_ref(value).cast_mut(), Ordering::Release);
    }

    fn iter(&self) -> impl Iterator<Item = &'static T> + '_ {
        self.slots.iter().filter_map(|slot| {
            let pointer = slot.load(Ordering::Acquire);
            // SAFETY: as in `find`.
            (!pointer.is_null()).then(|| unsafe { &*pointer })
        })
    }
}

/// Values found without a lock, inserted under one.
pub(super) struct Table<T: 'static> {
    current: AtomicPtr<Slots<T>>,
    writer: Mutex<Writer<T>>,
}

struct Writer<T: 'static> {
    /// Every table built, the current one last; boxed so that they never move.
    #[allow(
        clippy::vec_box,
        reason = "readers hold the address of a table: it must not move when the list grows"
    )]
    tables: Vec<Box<Slots<T>>>,
    len: usize,
}

/// The first table's slots: room for 8 values before it grows.
const FIRST_CAPACITY: usize = 16;

impl<T: Hashed> Table<T> {
    pub(super) fn new() -> Self {
        let first = Box::new(Slots::with_capacity(FIRST_CAPACITY));
        Self {
            current: AtomicPtr::new(std::ptr::from_ref(&*first).cast_mut()),
            writer: Mutex::new(Writer {
                tables: vec![first],
                len: 0,
            }),
        }
    }

    #[inline]
    fn slots(&self) -> &Slots<T> {
        // SAFETY: `current` always points to a table owned by `writer`, which keeps
        // every table it built until the `Table` is dropped.
        unsafe { &*self.current.load(Ordering::Acquire) }
    }

    /// The value of that hash for which `eq` holds: a few atomic loads, no lock.
    #[inline]
    pub(super) fn find(&self, hash: u64, eq: impl FnMut(&T) -> bool) -> Option<&'static T> {
        self.slots().find(hash, eq)
    }

    /// Takes the writers' lock: inserts are serialised, finds go on.
    pub(super) fn lock(&self) -> TableWriter<'_, T> {
        TableWriter {
            table: self,
            writer: ignore_poison(self.writer.lock()),
        }
    }

    /// Every value, in no particular order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &'static T> + '_ {
        self.slots().iter()
    }
}

/// The writers' side of a [`Table`], held while a value is inserted.
pub(super) struct TableWriter<'a, T: 'static> {
    table: &'a Table<T>,
    writer: MutexGuard<'a, Writer<T>>,
}

impl<T: Hashed> TableWriter<'_, T> {
    /// As [`Table::find`]; no value can be inserted meanwhile.
    pub(super) fn find(&self, hash: u64, eq: impl FnMut(&T) -> bool) -> Option<&'static T> {
        self.table.find(hash, eq)
    }

    /// Publishes a value, which no other holds (the caller looked first).
    pub(super) fn insert(&mut self, value: &'static T) {
        let capacity = self.table.slots().slots.len();
        if (self.writer.len + 1) * 2 > capacity {
            let grown = Box::new(Slots::with_capacity(capacity * 2));
            for old in self.table.slots().iter() {
                grown.put(old);
            }
            self.table
                .current
                .store(std::ptr::from_ref(&*grown).cast_mut(), Ordering::Release);
            self.writer.tables.push(grown);
        }
        self.table.slots().put(value);
        self.writer.len += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::{Hashed, Table};

    struct Entry(u64, u32);

    impl Hashed for Entry {
        fn hash(&self) -> u64 {
            self.0
        }
    }

    #[test]
    fn finds_every_value_inserted_across_growths_and_collisions() {
        let table: Table<Entry> = Table::new();
        for n in 0..1000_u32 {
            // Many equal hashes: probing must go past them.
            let entry: &'static Entry = Box::leak(Box::new(Entry(u64::from(n % 37), n)));
            let mut writer = table.lock();
            assert!(writer.find(entry.0, |e| e.1 == n).is_none());
            writer.insert(entry);
        }
        for n in 0..1000_u32 {
            let found = table.find(u64::from(n % 37), |e| e.1 == n);
            assert_eq!(found.map(|e| e.1), Some(n));
        }
        assert!(table.find(3, |e| e.1 == 5000).is_none());
        let mut all: Vec<u32> = table.iter().map(|e| e.1).collect();
        all.sort_unstable();
        assert_eq!(all, (0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn readers_find_values_while_a_writer_grows_the_table() {
        let table: &'static Table<Entry> = Box::leak(Box::new(Table::new()));
        std::thread::scope(|scope| {
            let writer = scope.spawn(|| {
                for n in 0..2000_u32 {
                    table
                        .lock()
                        .insert(Box::leak(Box::new(Entry(u64::from(n), n))));
                }
            });
            scope.spawn(|| {
                // Once found, a value is found on every later look-up.
                let mut seen = 0_u32;
                while seen < 2000 {
                    if table.find(u64::from(seen), |e| e.1 == seen).is_some() {
                        seen += 1;
                    } else {
                        assert!(
                            seen == 0
                                || table
                                    .find(u64::from(seen - 1), |e| e.1 == seen - 1)
                                    .is_some()
                        );
                        std::hint::spin_loop();
                    }
                }
            });
            writer.join().unwrap();
        });
    }
}
