//! Two annotated functions that would write the same series: `init` reports the
//! clash with both source locations instead of panicking, and both functions keep
//! working.

use monitor_runtime::{RegistrationError, monitored};

const FIRST_LINE: u32 = line!() + 2;
#[monitored(name = "duplicate")]
fn first() -> u32 {
    1
}

const SECOND_LINE: u32 = line!() + 2;
#[monitored(name = "duplicate")]
fn second() -> u32 {
    2
}

#[test]
fn a_clash_is_reported_with_both_locations() {
    let error = monitor_runtime::init().expect_err("the clash is reported");
    let [
        RegistrationError::Clash {
            metric,
            series,
            first: a,
            second: b,
        },
    ] = error.errors()
    else {
        panic!("expected exactly one clash: {error}");
    };
    assert_eq!(metric, "function_calls_total");
    assert!(series.contains("function=\"duplicate\""), "{series}");
    let mut locations = [a.clone(), b.clone()];
    locations.sort();
    let mut expected = [
        format!("{}:{FIRST_LINE}", file!()),
        format!("{}:{SECOND_LINE}", file!()),
    ];
    expected.sort();
    assert_eq!(locations, expected);

    let message = error.to_string();
    assert!(
        message.contains(&expected[0]) && message.contains(&expected[1]),
        "{message}"
    );
    assert!(
        message.contains("name = "),
        "the message says how to fix it: {message}"
    );

    // Both still run; the exposition holds one series, never a merged or broken one.
    assert_eq!(first() + second(), 3);
    let text = monitor_runtime::render_metrics().expect("the exposition still renders");
    let ok_series = text
        .lines()
        .filter(|line| {
            line.starts_with("function_calls_total{")
                && line.contains("function=\"duplicate\"")
                && line.contains("result=\"ok\"")
        })
        .count();
    assert_eq!(ok_series, 1, "{text}");
    assert!(
        monitor_runtime::init().is_err(),
        "later calls report the same result"
    );
}
