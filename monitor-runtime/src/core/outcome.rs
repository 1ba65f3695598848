//! How a call's return value is classified as `ok` or `error`: [`CallOutcome`], and
//! the autoref-specialisation wrapper generated code classifies through.
//!
//! It sits in `core` because two features read it: `#[monitored]` counts
//! `result="error"` by it, and `#[business_metric]` decides with it which calls
//! update a metric (`on = "ok"`/`"error"`). Neither may import the other.

/// Classifies the value a monitored function returned as a success or a failure.
///
/// `#[monitored]` looks at the *type* of the returned value, not at how the return
/// type is spelled: `Result<T, E>`, `std::io::Result<T>`, `anyhow::Result<T>` and any
/// alias of `Result` are all classified by [`Result::is_err`]. Any type that does not
/// implement `CallOutcome` counts as `ok` whenever the function returns normally.
///
/// Implement it for your own types to have them classified too:
///
/// ```
/// use monitor_runtime::{monitored, CallOutcome};
///
/// pub enum Reply {
///     Served(String),
///     Rejected { reason: &'static str },
/// }
///
/// impl CallOutcome for Reply {
///     fn is_error(&self) -> bool {
///         matches!(self, Reply::Rejected { .. })
///     }
/// }
///
/// #[monitored]
/// fn handle(request: &str) -> Reply {
///     if request.is_empty() {
///         Reply::Rejected { reason: "empty request" }
///     } else {
///         Reply::Served(request.to_uppercase())
///     }
/// }
///
/// assert!(handle("").is_error());
/// assert!(!handle("hello").is_error());
/// ```
///
/// The classification is resolved where the function is defined. In a generic
/// function that returns a type parameter `T`, the value is counted as `ok` unless
/// the function's return type is itself a `Result` (or another implementor).
pub trait CallOutcome {
    /// Returns `true` when the call failed and must be counted as `result="error"`.
    fn is_error(&self) -> bool;
}

impl<T, E> CallOutcome for Result<T, E> {
    #[inline]
    fn is_error(&self) -> bool {
        self.is_err()
    }
}

impl<T: CallOutcome + ?Sized> CallOutcome for &T {
    #[inline]
    fn is_error(&self) -> bool {
        (**self).is_error()
    }
}

impl<T: CallOutcome + ?Sized> CallOutcome for Box<T> {
    #[inline]
    fn is_error(&self) -> bool {
        (**self).is_error()
    }
}

/// Wraps a returned value for classification by autoref specialisation: the
/// `CallOutcome` impl wins when there is one, otherwise the call counts as `ok`.
#[doc(hidden)]
pub struct Outcome<'a, T: ?Sized>(pub &'a T);

/// Classification of a `Result` whose `Ok` value is classified too: an `Err`, or an
/// `Ok` value that is an error (an axum handler's `Ok(response)` with a `5xx`
/// status). Tried before [`ClassifyByTrait`], so it wins where the `Ok` type is
/// known to implement [`CallOutcome`]; elsewhere `Result` falls back to `is_err`.
#[doc(hidden)]
pub trait ClassifyOkValue {
    /// Whether the call failed.
    fn __monitor_is_error(&self) -> bool;
}

impl<T: CallOutcome, E> ClassifyOkValue for &&Outcome<'_, Result<T, E>> {
    #[inline]
    fn __monitor_is_error(&self) -> bool {
        match self.0 {
            Ok(value) => value.is_error(),
            Err(_) => true,
        }
    }
}

/// Classification through [`CallOutcome`].
#[doc(hidden)]
pub trait ClassifyByTrait {
    /// Whether the call failed.
    fn __monitor_is_error(&self) -> bool;
}

impl<T: CallOutcome + ?Sized> ClassifyByTrait for &Outcome<'_, T> {
    #[inline]
    fn __monitor_is_error(&self) -> bool {
        self.0.is_error()
    }
}

/// Fallback classification: a normal return is a success.
#[doc(hidden)]
pub trait ClassifyDefault {
    /// Always `false`.
    fn __monitor_is_error(&self) -> bool;
}

impl<T: ?Sized> ClassifyDefault for Outcome<'_, T> {
    #[inline]
    fn __monitor_is_error(&self) -> bool {
        false
    }
}
