//! Updating a business metric whose label set already exists allocates nothing, in
//! both forms, when label values are borrowed (`&str`, `String`, enums) or integers
//! (formatted on the stack).

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
    labels(plan = plan),
    buckets = [1, 5, 10]
)]
fn sign_up(plan: Plan, country: &String, seats: u32) -> Result<u32, ()> {
    Ok(seats)
}

business_metrics! {
    /// Sessions by region.
    gauge SESSIONS = "alloc_sessions", help = "Sessions by region.", labels(region);
    /// Responses by status code and plan.
    counter RESPONSES = "alloc_responses_total", help = "Responses.", labels(status, plan);
}

#[business_metric(counter = "alloc_retries_total", help = "Retries.", labels(attempt = attempt, shard = shard))]
fn retry(attempt: u8, shard: i64) {}

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

#[test]
fn integer_and_enum_label_values_allocate_nothing() {
    // The first updates create the series.
    for status in [200_u16, 404, 503] {
        RESPONSES.inc([&status, &Plan::Team]);
    }
    retry(3, -42);
    let made = allocations(|| {
        for round in 0..1000_u32 {
            let status: u16 = [200, 404, 503][round as usize % 3];
            RESPONSES.inc([&status, &Plan::Team]);
            RESPONSES.inc_by(2, [&u64::from(status), &Plan::Team]);
            retry(3, -42);
        }
    });
    assert_eq!(made, 0);
    // 1 + 334 × (1 + 2) for 200: the label "200" is one series whatever the type.
    assert_eq!(RESPONSES.with([&"200", &"team"]).get(), 1003.0);
    assert_eq!(
        monitor_tests::sample("alloc_retries_total", &[("attempt", "3"), ("shard", "-42")]),
        Some(1001.0)
    );
}
