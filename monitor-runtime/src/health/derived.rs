//! The `#[derive(HealthCheck)]` types of the program, recorded at link time, so that
//! one never handed to [`register`](super::register) (directly, or as a field of a
//! registered composite) is reported instead of silently absent from every probe.

use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

/// A type that derives `HealthCheck`, and whether the health engine has seen a
/// value of it (its `spec` read at registration, or its check run as a field).
pub struct DerivedCheck {
    type_name: &'static str,
    file: &'static str,
    line: u32,
    seen: AtomicBool,
}

impl DerivedCheck {
    /// The record of the type `type_name`, derived at `file:line`.
    pub const fn new(type_name: &'static str, file: &'static str, line: u32) -> Self {
        Self {
            type_name,
            file,
            line,
            seen: AtomicBool::new(false),
        }
    }

    /// A value of the type was registered, or run as a field of a registered one.
    #[inline]
    pub fn seen(&self) {
        if !self.seen.load(Ordering::Relaxed) {
            self.seen.store(true, Ordering::Relaxed);
        }
    }
}

/// Every `#[derive(HealthCheck)]` type of the program.
#[linkme::distributed_slice]
pub static DERIVED_CHECKS: [&'static DerivedCheck];

/// Once, after the first health report of the program-wide registry (its checks,
/// and the fields of its composites, have run): warns of each derived check type no
/// value of which was registered, logged, and printed to stderr when no `tracing`
/// subscriber would show the warning.
pub(super) fn warn_of_unregistered() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for derived in DERIVED_CHECKS.iter() {
            if derived.seen.load(Ordering::Relaxed) {
                continue;
            }
            let message = unregistered_message(derived);
            tracing::warn!(check = derived.type_name, "{message}");
            if !tracing::enabled!(tracing::Level::WARN) {
                eprintln!("monitor: {message}");
            }
        }
    });
}

fn unregistered_message(derived: &DerivedCheck) -> String {
    format!(
        "`{}` derives `HealthCheck` ({}:{}) but no value of it was registered, so no \
         probe runs it: pass one to `monitor_runtime::health::register` (or make it a \
         field of a registered composite check)",
        derived.type_name, derived.file, derived.line
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_names_the_type_where_it_is_and_the_fix() {
        let derived = DerivedCheck::new("Storage", "src/main.rs", 12);
        let message = unregistered_message(&derived);
        assert!(message.contains("`Storage`"), "{message}");
        assert!(message.contains("src/main.rs:12"), "{message}");
        assert!(message.contains("health::register"), "{message}");
        derived.seen();
        assert!(derived.seen.load(Ordering::Relaxed));
    }
}
