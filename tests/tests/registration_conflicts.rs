//! A run-time clash with a name the framework registers is worded "`name` conflicts
//! with <what> registered at <where>", never as prometheus's "Duplicate metrics
//! collector registration attempted" or a dump of its descriptor.

use monitor_runtime::prometheus::{IntCounter, IntGauge, Opts};
use monitor_runtime::{RegistrationError, monitored, register_collector};

const FUNCTION_LINE: u32 = line!() + 2;
#[monitored]
fn counted() {}

fn assert_plain(text: &str) {
    assert!(
        !text.contains("Duplicate metrics collector") && !text.contains("Desc {"),
        "prometheus's words leaked: {text}"
    );
}

#[test]
fn an_application_collector_with_a_framework_family_name_is_told_what_it_clashes_with() {
    counted();
    let status = IntGauge::new("health_check_status", "Mine.").unwrap();
    let error = register_collector(Box::new(status)).unwrap_err();
    let RegistrationError::Conflict {
        metric,
        with,
        location,
        ..
    } = &error
    else {
        panic!("expected a conflict: {error:?}");
    };
    assert_eq!(metric, "health_check_status");
    assert_eq!(with, "the health check metrics");
    assert!(location.starts_with(file!()), "{location}");
    let text = error.to_string();
    assert!(
        text.starts_with(
            "`health_check_status` conflicts with the health check metrics registered at "
        ),
        "{text}"
    );
    assert_plain(&text);

    // The same series as a monitored function's: named, with its location.
    let opts = Opts::new("function_calls_total", "Mine too.")
        .const_label("function", "counted")
        .const_label("module", module_path!())
        .const_label("result", "ok");
    let calls = IntCounter::with_opts(opts).unwrap();
    let text = register_collector(Box::new(calls)).unwrap_err().to_string();
    assert!(
        text.starts_with(&format!(
            "`function_calls_total` conflicts with the metrics of `#[monitored]` function \
             `counted` (module `{}`) registered at {}:{FUNCTION_LINE}",
            module_path!(),
            file!()
        )),
        "{text}"
    );
    assert_plain(&text);

    // A name nobody holds is registered as with `registry().register`.
    let free = IntGauge::new("conflicts_free_gauge", "Free.").unwrap();
    free.set(3);
    register_collector(Box::new(free)).unwrap();
    assert_eq!(
        monitor_tests::sample("conflicts_free_gauge", &[]),
        Some(3.0)
    );
}
