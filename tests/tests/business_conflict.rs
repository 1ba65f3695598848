//! A registration conflict that involves a business metric names the business
//! declaration and its `file:line`, as those of `#[monitored]` and health do: an
//! application's collector that takes the name of a business metric is told which
//! declaration holds it, and a business declaration whose name something else holds
//! is reported as [`RegistrationError::Conflict`] at its own location.

use monitor_runtime::__private::{BusinessSite, MetricKind};
use monitor_runtime::prometheus::IntCounter;
use monitor_runtime::{RegistrationError, business_metrics, register_collector};

const DECLARATION_LINE: u32 = line!() + 3;
business_metrics! {
    /// Declared here; an application's collector of the same name comes later.
    counter CONFLICT_ORDERS = "conflict_orders_total", help = "Orders.";
}

/// A declaration outside the link-time slice, resolved on first use (the lazy
/// fallback), after the application registered a collector of its name.
const LATE_LINE: u32 = line!() + 1;
static LATE: BusinessSite = BusinessSite::new(
    MetricKind::Counter,
    "conflict_taken_total",
    "Taken before this declaration registers.",
    &[],
    &[],
    &[],
    monitor_runtime::__private::NATIVE_OFF,
    0,
    file!(),
    LATE_LINE,
);

#[test]
fn a_collector_that_takes_a_business_metric_name_is_told_which_declaration_holds_it() {
    CONFLICT_ORDERS.inc([]);
    let theirs = IntCounter::new("conflict_orders_total", "Mine.").unwrap();
    let error = register_collector(Box::new(theirs)).unwrap_err();
    let RegistrationError::Conflict {
        metric,
        with,
        registered_at,
        ..
    } = &error
    else {
        panic!("expected a conflict: {error:?}");
    };
    assert_eq!(metric, "conflict_orders_total");
    assert_eq!(with, "the business metric `conflict_orders_total`");
    assert_eq!(registered_at, &format!("{}:{DECLARATION_LINE}", file!()));
    assert!(
        error.to_string().starts_with(&format!(
            "`conflict_orders_total` conflicts with the business metric \
             `conflict_orders_total` registered at {}:{DECLARATION_LINE}",
            file!()
        )),
        "{error}"
    );
}

#[test]
fn a_business_declaration_whose_name_is_taken_is_reported_at_its_location() {
    let theirs = IntCounter::new("conflict_taken_total", "The application's.").unwrap();
    theirs.inc_by(7);
    register_collector(Box::new(theirs)).unwrap();

    // Its updates go somewhere, out of the exposition; the application's stays.
    LATE.series(&[]).count(1.0);
    assert_eq!(
        monitor_tests::sample("conflict_taken_total", &[]),
        Some(7.0)
    );

    let errors = match monitor_runtime::init() {
        Ok(()) => Vec::new(),
        Err(error) => error.errors().to_vec(),
    };
    let conflict = errors
        .iter()
        .find(|error| {
            matches!(error, RegistrationError::Conflict { metric, .. }
                if metric == "conflict_taken_total")
        })
        .unwrap_or_else(|| panic!("the conflict is reported: {errors:?}"));
    let RegistrationError::Conflict {
        location,
        with,
        registered_at,
        ..
    } = conflict
    else {
        unreachable!()
    };
    assert_eq!(location, &format!("{}:{LATE_LINE}", file!()));
    assert_eq!(with, "a collector of the application");
    assert!(registered_at.starts_with(file!()), "{registered_at}");
    let text = conflict.to_string();
    assert!(
        !text.contains("Duplicate metrics collector") && !text.contains("Desc {"),
        "{text}"
    );
}
