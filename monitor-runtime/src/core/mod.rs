//! What every feature builds on, and nothing else: the global registry and the
//! start-up run of the features' initialisers, registration problems and the one
//! function that reports them, source locations, the one poison-tolerant lock
//! helper, the text exposition, and the instance identity (`target_info`).
//!
//! `core` imports nothing else of the crate. It reaches the features only through
//! [`INITIALISERS`], a link-time slice each feature adds its initialiser to, so the
//! registry initialises everything on first use without knowing what there is;
//! core's own figures (the exposition's counters, the instance identity) register
//! through the same slice, in an earlier [`Phase`], so the registry names none of
//! its parts either.
//!
//! Two pieces of support for generated code live here too, because both
//! `#[monitored]` and `#[business_metric]` expand to them and neither feature may
//! import the other: the classification of a returned value as `ok` or `error`
//! ([`CallOutcome`] and its autoref wrapper, in `outcome`) and the traits that let
//! `?` leave an instrumented body through its bookkeeping (`exits`).

#[cfg(any(feature = "http", feature = "push", feature = "remote-write"))]
mod background;
mod bounds;
mod clock;
mod collectors;
mod error;
pub mod exemplar;
mod exits;
mod exposition;
mod foreign;
mod histogram;
pub mod identity;
mod location;
pub mod model;
pub mod native;
mod outcome;
mod own_figures;
mod registry;
mod render;
mod samples;
mod shard;
mod source;
mod sync;

#[cfg(any(feature = "http", feature = "push", feature = "remote-write"))]
pub use background::Background;
#[cfg(any(feature = "http", feature = "push"))]
pub(crate) use background::Signals;
#[cfg(feature = "remote-write")]
pub(crate) use background::Stop;
pub(crate) use bounds::{Bounds, DEFAULT_BUCKETS};
pub(crate) use clock::{CallClock, clock};
pub use collectors::register_collector;
pub use error::{InitError, RegistrationError, WatchError};
pub use exits::{Branch, FromResidual};
#[cfg(any(feature = "http", feature = "push"))]
pub(crate) use exposition::snapshot_for_exposition;
pub use exposition::{render, render_metrics, snapshot};
#[allow(
    unused_imports,
    reason = "the parts that wrap a prometheus collector use it"
)]
pub(crate) use foreign::convert_families;
pub(crate) use histogram::DurationHistogram;
pub(crate) use location::SourceLocation;
pub use outcome::{CallOutcome, ClassifyByTrait, ClassifyDefault, ClassifyOkValue, Outcome};
pub(crate) use registry::{INITIALISERS, Initialiser, Phase, log_reported, report};
pub use registry::{init, registry};
pub use render::Format;
#[doc(hidden)]
pub use render::break_text_rendering;
#[allow(
    unused_imports,
    reason = "writers of text beside the exposition use them"
)]
pub(crate) use render::{escape_label_value, write_float};
pub(crate) use samples::for_each_sample;
pub(crate) use shard::Block;
pub(crate) use shard::{Shard, ShardedWords};
pub(crate) use source::{Claim, Source, add_source};
pub(crate) use sync::ignore_poison;
