//! `unsafe fn`, sync and async, free and as a method; `extern "C"` ABI.

use monitor_runtime::monitored;

/// # Safety
/// `ptr` must be valid for reads.
#[monitored]
unsafe fn read(ptr: *const u32) -> u32 {
    // SAFETY: the caller guarantees `ptr` is valid.
    unsafe { *ptr }
}

/// # Safety
/// `ptr` must be valid for reads.
#[monitored]
async unsafe fn read_async(ptr: *const u32) -> u32 {
    // SAFETY: the caller guarantees `ptr` is valid.
    unsafe { *ptr }
}

#[monitored]
extern "C" fn exported(x: u32) -> u32 {
    x + 1
}

struct Raw;

impl Raw {
    /// # Safety
    /// `ptr` must be valid for writes.
    #[monitored]
    unsafe fn write(&self, ptr: *mut u32, value: u32) {
        // SAFETY: the caller guarantees `ptr` is valid.
        unsafe { *ptr = value }
    }
}

fn main() {
    let mut value = 3;
    // SAFETY: `value` is a live local.
    unsafe {
        assert_eq!(read(&value), 3);
        Raw.write(&mut value, 4);
    }
    assert_eq!(exported(1), 2);
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    // SAFETY: `value` outlives the call.
    assert_eq!(runtime.block_on(unsafe { read_async(&value) }), 4);
}
