//! A global allocator that counts the allocations of each thread, for tests that
//! assert a hot path allocates nothing. A test binary installs it with
//!
//! ```
//! #[global_allocator]
//! static ALLOCATOR: monitor_tests::alloc_count::CountingAllocator =
//!     monitor_tests::alloc_count::CountingAllocator;
//!
//! fn main() {
//!     assert_eq!(monitor_tests::alloc_count::allocations(|| {}), 0);
//!     assert!(monitor_tests::alloc_count::allocations(|| drop(vec![1u8; 16])) >= 1);
//! }
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Forwards to [`System`] and counts `alloc`, `alloc_zeroed` and `realloc` calls of
/// the current thread.
pub struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: the thread's locals may already be gone while it exits.
    let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
}

// SAFETY: every method forwards to `System` unchanged; counting has no side effect
// on the memory handed out.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Allocations made on this thread while running `f` (zero unless the test binary
/// installed [`CountingAllocator`] as its global allocator).
pub fn allocations(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}
