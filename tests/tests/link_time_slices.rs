//! Another crate's link-time slices with the plain names the runtime's slices once
//! had (`INITIALISERS`, `MONITORED_FUNCTIONS`, ...) live in the same binary as the
//! runtime's: `registry()` does not panic, and every annotated item is registered.
//! (The same holds for a second copy of the runtime: its slices carry its version.)

use monitor_runtime::__private::linkme::{self, distributed_slice};
use monitor_runtime::{health_check, monitored};

/// Slices of "another crate", named as the runtime's once were.
mod other_crate {
    use super::{distributed_slice, linkme};

    #[distributed_slice]
    #[linkme(crate = linkme)]
    pub static INITIALISERS: [fn() -> u32];

    #[distributed_slice]
    #[linkme(crate = linkme)]
    pub static MONITORED_FUNCTIONS: [u32];

    #[distributed_slice]
    #[linkme(crate = linkme)]
    pub static HEALTH_CHECKS: [u32];

    #[distributed_slice]
    #[linkme(crate = linkme)]
    pub static BUSINESS_METRICS: [u32];

    fn seven() -> u32 {
        7
    }

    #[distributed_slice(INITIALISERS)]
    #[linkme(crate = linkme)]
    static SEVEN: fn() -> u32 = seven;

    #[distributed_slice(MONITORED_FUNCTIONS)]
    #[linkme(crate = linkme)]
    static ONE: u32 = 1;

    #[distributed_slice(HEALTH_CHECKS)]
    #[linkme(crate = linkme)]
    static TWO: u32 = 2;

    #[distributed_slice(BUSINESS_METRICS)]
    #[linkme(crate = linkme)]
    static THREE: u32 = 3;
}

#[monitored]
fn next_to_other_slices() -> u32 {
    4
}

#[health_check(name = "beside-other-slices")]
fn beside_other_slices() -> bool {
    true
}

#[test]
fn slices_of_the_same_plain_names_elsewhere_do_not_break_the_registry() {
    monitor_runtime::init().expect("no registration problem");
    assert_eq!(next_to_other_slices(), 4);
    let text = monitor_runtime::render_metrics().unwrap();
    assert!(
        text.contains(r#"function_calls_total{function="next_to_other_slices""#),
        "{text}"
    );
    assert!(text.contains(r#"check="beside-other-slices""#), "{text}");
    assert!(
        monitor_runtime::health::HealthRegistry::global()
            .names()
            .contains(&"beside-other-slices".to_owned())
    );
    // The other crate's slices are whole, and apart from the runtime's.
    let initialisers: Vec<u32> = other_crate::INITIALISERS.iter().map(|f| f()).collect();
    assert_eq!(initialisers, [7]);
    assert_eq!(other_crate::MONITORED_FUNCTIONS[..], [1]);
    assert_eq!(other_crate::HEALTH_CHECKS[..], [2]);
    assert_eq!(other_crate::BUSINESS_METRICS[..], [3]);
}
