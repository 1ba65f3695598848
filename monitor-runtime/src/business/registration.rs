//! The registration of every business metric at start-up.

use super::private::BUSINESS_METRICS;
use crate::core::{INITIALISERS, Initialiser, Phase};

/// Registers every business metric declared in the program at start-up.
#[linkme::distributed_slice(INITIALISERS)]
static INITIALISER: Initialiser = Initialiser {
    phase: Phase::Feature,
    name: "business",
    run: register_all,
};

fn register_all() {
    for site in BUSINESS_METRICS {
        site.resolved();
    }
}
