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

/// A `#[derive(HealthCheck)]` type: its record.
pub trait DerivedType {
    /// The record of the type.
    fn derived() -> &'static DerivedCheck;
}

impl<T: DerivedType> DerivedType for std::sync::Arc<T> {
    fn derived() -> &'static DerivedCheck {
        T::derived()
    }
}

impl<T: DerivedType> DerivedType for Box<T> {
    fn derived() -> &'static DerivedCheck {
        T::derived()
    }
}

/// Marks the part type `T` of a composite as seen when it is a derived type, and
/// does nothing otherwise, by autoref dispatch: the composite's `spec` calls
/// `(&&PartMark::<T>::new()).__monitor_mark()` with [`MarkDerived`] and
/// [`MarkOther`] in scope.
pub struct PartMark<T: ?Sized>(std::marker::PhantomData<fn() -> Box<T>>);

impl<T: ?Sized> PartMark<T> {
    /// The mark of part type `T`.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        Self(std::marker::PhantomData)
    }
}

/// The dispatch of [`PartMark`] for a derived part type.
pub trait MarkDerived {
    /// Marks the part type as seen.
    fn __monitor_mark(&self);
}

impl<T: DerivedType> MarkDerived for &PartMark<T> {
    fn __monitor_mark(&self) {
        T::derived().seen();
    }
}

/// The dispatch of [`PartMark`] for any other part type.
pub trait MarkOther {
    /// Nothing to mark.
    fn __monitor_mark(&self);
}

impl<T: ?Sized> MarkOther for PartMark<T> {
    fn __monitor_mark(&self) {}
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

    static PART: DerivedCheck = DerivedCheck::new("Part", "here.rs", 1);

    struct Part;

    impl DerivedType for Part {
        fn derived() -> &'static DerivedCheck {
            &PART
        }
    }

    #[test]
    #[allow(clippy::needless_borrow)] // the borrows are the dispatch under test
    fn a_part_is_marked_only_when_it_is_a_derived_type() {
        (&&PartMark::<std::sync::Arc<Part>>::new()).__monitor_mark();
        assert!(PART.seen.load(Ordering::Relaxed));
        // Any other type: nothing to mark, and no error.
        (&&PartMark::<String>::new()).__monitor_mark();
    }

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
