//! Everything generated code needs, and nothing else: only re-exports, so that the
//! door generated code goes through shows at a glance what it may use. Not a stable
//! API.

pub use linkme;
pub use tracing;

pub use crate::core::native::setting::{NATIVE_DEFAULT, NATIVE_OFF};
pub use crate::core::{
    Branch, ClassifyByTrait, ClassifyDefault, ClassifyOkValue, FromResidual, Outcome,
};

// For tests only: the proof that no reader parses the text exposition.
pub use crate::core::break_text_rendering;

pub use crate::monitored::{
    CallGuard, CallSpan, CheckReturnsAFuture, CheckReturnsNoFuture, ErrorField, FunctionSite,
    FutureCheck, LazySpan, MONITORED_FUNCTIONS,
    MonitoredFunctionReturnsAFuture_AddMonitoredFutureOrFutureFalse, NoSpan, NotAFuture,
    RecordDebug, RecordDisplay, RecordNothing, ReturnsNoFuture, Tracked, assert_not_a_future,
    record_result,
};
// `#[macro_export]` puts the macro at the crate root; generated code names it here.
pub use crate::__monitor_finish_call as finish_call;
pub use crate::__monitor_span_if_enabled as span_if_enabled;

pub use crate::business::private::{
    BUSINESS_METRICS, BusinessSite, MetricKind, PendingSeries, PickErrOfAny, PickErrOfResult,
    PickOkOfAny, PickOkOfResult, Returned, Series, counter, gauge, histogram, label_value,
    metric_value,
};
pub use crate::business::{Counter, Gauge, Histogram, LabelValue, MetricValue};

pub use crate::alerts::annotations::{
    BUSINESS_ALERTS, BusinessAlertKind, BusinessAlertSite, OBJECTIVES, ObjectiveSite,
};

pub use crate::health::private::*;

// For tests and benches only: the dashboard's history, read and driven from outside.
#[cfg(feature = "http")]
pub use crate::history::{
    History, RETENTION, Snapshot as HistorySnapshot, global as history,
    sample_now as sample_history, set_interval as set_history_interval,
};

// For tests only: the embedded evaluator driven step by step.
#[cfg(feature = "http")]
pub use crate::alerts::embedded::{
    ActiveAlert, AlertState, Evaluator, active as active_alerts,
    sample_and_evaluate as evaluate_alerts,
};
// For tests only: every query of a generated Grafana dashboard.
#[cfg(feature = "grafana")]
pub use crate::grafana::queries::expressions as grafana_expressions;
// For tests only: the HTTP layer's defaults.
#[cfg(feature = "http")]
pub use crate::http::metrics::{
    DEFAULT_DURATION_BUCKETS as HTTP_DURATION_BUCKETS, DEFAULT_SIZE_BUCKETS as HTTP_SIZE_BUCKETS,
    monitoring_routes,
};
