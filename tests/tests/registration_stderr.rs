//! Without a `tracing` subscriber, a registration problem is still seen: printed to
//! stderr, once, besides being counted and returned by `init()`.

use monitor_runtime::monitored;
use monitor_tests::process::{is_child, stderr_of_alone};

#[monitored(name = "twice_named")]
fn first() -> u32 {
    1
}

#[monitored(name = "twice_named")]
fn second() -> u32 {
    2
}

/// Set in the child process, which has no subscriber.
const CHILD: &str = "MONITOR_TEST_REGISTRATION_STDERR_CHILD";
const TEST: &str = "without_a_subscriber_a_registration_problem_is_printed_to_stderr_once";

#[test]
fn without_a_subscriber_a_registration_problem_is_printed_to_stderr_once() {
    if is_child(CHILD) {
        assert_eq!(first() + second(), 3);
        let problems = monitor_runtime::init().expect_err("the clash is reported");
        assert_eq!(problems.errors().len(), 1);
        // Later scrapes and look-ups print nothing more.
        for _ in 0..3 {
            monitor_runtime::render_metrics().unwrap();
            let _ = monitor_runtime::registry();
        }
        return;
    }
    let stderr = stderr_of_alone(TEST, CHILD);
    assert_eq!(
        stderr.matches("monitor: registration problem").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("twice_named"), "{stderr}");
}
