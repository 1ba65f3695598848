//! Updating a business metric whose label set already exists allocates nothing, in
//! both forms, when label values are borrowed (`&str`, `String`, enums).

use std::borrow::Cow;

use monitor_runtime::business::LabelValue;
use monitor_runtime::{business_metric, business_metrics};
use monitor_tests::alloc_count::{CountingAllocator, allocations};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

#[derive(Clone, Copy)]
enum Plan {
    Team,
}

impl LabelValue for Plan {
    fn label_value(&self) -> Cow<'_, str> {
        Cow::Borrowed(match self {
            Plan::Team => "team",
        })
    }
}

#[business_metric(
    counter = "alloc_signups_total",
    help = "Sign-ups.",
    labels(plan = plan, country = country, channel = "web")
)]
#[business_metric(
    histogram = "alloc_seats",
    help = "Seats per sign-up.",
    observe = *ret,
    labels(plan = plan)
)]
fn sign_up(plan: Plan, country: &String, seats: u32) -> Result<u32, ()> {
    Ok(seats)
}

business_metrics! {
    /// Sessions by region.
    gauge SESSIONS = "alloc_sessions", help = "Sessions by region.", labels(region);
}

#[test]
fn updating_an_existing_label_set_allocates_nothing() {
    let country = String::from("fr");
    // The first calls create the series (and register the metrics).
    sign_up(Plan::Team, &country, 2).unwrap();
    SESSIONS.inc([&"eu"]);
    SESSIONS.inc([&country]);
    let made = allocations(|| {
        for seats in 0..1000 {
            sign_up(Plan::Team, &country, seats).unwrap();
            SESSIONS.inc([&"eu"]);
            SESSIONS.dec([&country]);
        }
    });
    assert_eq!(made, 0);
    assert_eq!(SESSIONS.with([&"eu"]).get(), 1001.0);
}
