//! The end of a monitored call, as generated code spells it.

/// Finishes a synchronous or asynchronous call: classifies the returned value,
/// records the outcome on the span (unless spans are off: `no_span`), and updates the
/// metrics. Expanded in the user's crate, so it reaches the runtime through
/// `$crate::__private` like the rest of the generated code; generated code names it
/// `__private::finish_call`.
#[doc(hidden)]
#[macro_export]
macro_rules! __monitor_finish_call {
    ($guard:ident, $ret:ident) => {{
        #[allow(unused_imports)]
        use $crate::__private::{
            ClassifyByTrait as _, ClassifyDefault as _, ClassifyOkValue as _, RecordDebug as _,
            RecordDisplay as _, RecordNothing as _,
        };
        let is_error = (&&&$crate::__private::Outcome(&$ret)).__monitor_is_error();
        if let ::core::option::Option::Some(span) =
            $crate::__private::CallSpan::as_tracing($guard.span())
        {
            if !span.is_disabled() {
                if is_error {
                    // `result = "error"` and the error, in one record.
                    (&&&$crate::__private::ErrorField(&$ret)).__monitor_record(span);
                } else {
                    $crate::__private::record_result(span, false);
                }
            }
        }
        $guard.finish(is_error);
    }};
    ($guard:ident, $ret:ident, no_span) => {{
        #[allow(unused_imports)]
        use $crate::__private::{ClassifyByTrait as _, ClassifyDefault as _, ClassifyOkValue as _};
        let is_error = (&&&$crate::__private::Outcome(&$ret)).__monitor_is_error();
        $guard.finish(is_error);
    }};
}
