//! The static descriptor each `#[monitored]` function carries, its resolved metric
//! handles, and their registration.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, OnceLock};

use super::families;
use super::stats::FunctionStats;

use crate::core::native::NativeSetting;
use crate::core::{
    DEFAULT_BUCKETS, RegistrationError, SourceLocation, ignore_poison, log_reported, report,
};

/// Describes one `#[monitored]` function. One `static` per annotated function is
/// generated; it resolves its metric handles once, on first use or at [`crate::init`].
///
/// Generated code only calls [`FunctionSite::new`] and the methods of
/// [`CallGuard`](super::CallGuard): how the handles are stored and how a call is timed
/// can change behind them.
#[doc(hidden)]
pub struct FunctionSite {
    /// Value of the `function` label.
    function: &'static str,
    /// Value of the `module` label (the defining module's `module_path!()`).
    module: &'static str,
    /// Where the annotated function is, for clash reports.
    location: SourceLocation,
    /// Histogram upper bounds; empty for the default buckets.
    buckets: &'static [f64],
    /// Whether the histogram has classic buckets (`false` for `native` alone).
    classic: bool,
    /// What the declaration asks of native buckets.
    native: NativeSetting,
    /// Whether the function is asynchronous (and so can be cancelled).
    is_async: bool,
    handles: OnceLock<FunctionHandles>,
}

impl FunctionSite {
    /// Creates a descriptor; used by generated code only.
    #[allow(
        clippy::too_many_arguments,
        reason = "one argument per part of the declaration"
    )]
    pub const fn new(
        function: &'static str,
        module: &'static str,
        file: &'static str,
        line: u32,
        buckets: &'static [f64],
        classic: bool,
        native: NativeSetting,
        is_async: bool,
    ) -> Self {
        Self {
            function,
            module,
            location: SourceLocation::new(file, line),
            buckets,
            classic,
            native,
            is_async,
            handles: OnceLock::new(),
        }
    }

    /// The resolved handles: one atomic load once resolved.
    #[inline]
    pub(super) fn handles(&'static self) -> &'static FunctionHandles {
        match self.handles.get() {
            Some(handles) => handles,
            None => self.resolve(),
        }
    }

    #[cold]
    #[inline(never)]
    fn resolve(&'static self) -> &'static FunctionHandles {
        let handles = self.handles.get_or_init(|| register(self));
        // Outside the initialiser: a problem it reported may be logged now.
        log_reported();
        handles
    }

    /// Where the annotated function is.
    fn location(&self) -> SourceLocation {
        self.location
    }
}

/// The resolved storage of one monitored function, created once.
pub(super) struct FunctionHandles {
    pub(super) stats: &'static FunctionStats,
}

/// The `function` and `module` label values taken so far, with the location of the
/// function that took them.
static TAKEN: LazyLock<Mutex<HashMap<(&'static str, &'static str), SourceLocation>>> =
    LazyLock::new(Default::default);

/// Creates and registers the metrics of one monitored function. A second function
/// with the same labels keeps counting, outside the exposition, and the clash is
/// reported.
fn register(site: &'static FunctionSite) -> FunctionHandles {
    let handles = function_handles(site);
    let mut taken = ignore_poison(TAKEN.lock());
    let key = (site.module, site.function);
    if let Some(first) = taken.get(&key) {
        let error = RegistrationError::Clash {
            metric: "function_calls_total".to_owned(),
            series: format!("function=\"{}\", module=\"{}\"", site.function, site.module),
            first: first.to_string(),
            second: site.location().to_string(),
        };
        drop(taken);
        report(error);
        return handles;
    }
    taken.insert(key, site.location());
    drop(taken);
    families::expose(
        site.function,
        site.module,
        handles.stats,
        site.location(),
        site.is_async,
    );
    handles
}

fn function_handles(site: &FunctionSite) -> FunctionHandles {
    let buckets = if !site.classic {
        &[][..]
    } else if site.buckets.is_empty() {
        DEFAULT_BUCKETS
    } else {
        site.buckets
    };
    let native = crate::core::native::resolve(site.native);
    // One per function, for the life of the program.
    let stats = Box::leak(Box::new(FunctionStats::new(buckets, native, site.is_async)));
    FunctionHandles { stats }
}
