//! `#[monitored]`: the static descriptor each annotated function carries, the guard
//! that times one call, the span it runs in, and the link-time slice through which
//! every annotated function is registered at start-up.
//!
//! Generated code reaches this module only through `crate::__private`: a
//! [`FunctionSite`] per function, placed in [`MONITORED_FUNCTIONS`], a [`CallGuard`]
//! per call, and `finish_call!` at each return. The classification of a returned
//! value ([`crate::CallOutcome`]) and the early-exit traits are shared with business
//! metrics, so they live in `core`.

mod families;
mod finish;
mod future_check;
mod guard;
mod site;
mod span;
mod stats;

use crate::core::{INITIALISERS, Initialiser, Phase};

pub use future_check::{
    CheckReturnsAFuture, CheckReturnsNoFuture, FutureCheck,
    MonitoredFunctionReturnsAFuture_AddMonitoredFutureOrFutureFalse, NotAFuture, ReturnsNoFuture,
    assert_not_a_future,
};
pub use guard::{CallGuard, Tracked};
pub use site::FunctionSite;
pub use span::{
    CallSpan, ErrorField, LazySpan, NoSpan, RecordDebug, RecordDisplay, RecordNothing,
    record_result,
};

/// Every `#[monitored]` function in the program, collected at link time; its
/// identifier carries the crate's version so that its link section is unique (see
/// `core::INITIALISERS`).
#[doc(hidden)]
#[linkme::distributed_slice]
pub static MONITOR_RUNTIME_0_1_0_MONITORED_FUNCTIONS: [&'static FunctionSite];
#[doc(hidden)]
pub use MONITOR_RUNTIME_0_1_0_MONITORED_FUNCTIONS as MONITORED_FUNCTIONS;

/// Creates the series of every monitored function at zero.
#[linkme::distributed_slice(INITIALISERS)]
static INITIALISER: Initialiser = Initialiser {
    phase: Phase::Feature,
    name: "monitored",
    run: register_all,
};

fn register_all() {
    families::add_the_source();
    for site in MONITORED_FUNCTIONS {
        site.handles();
    }
}
