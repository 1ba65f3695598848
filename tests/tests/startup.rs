//! Zero from start-up: before any monitored function has been called, the first
//! exposition already holds every series of every annotated function at zero. This
//! test binary holds a single test so that nothing calls them first.

use monitor_runtime::monitored;
use monitor_tests::{find, parse_samples};

#[monitored]
fn place_order() -> Result<u32, String> {
    Ok(1)
}

#[monitored]
async fn refresh_stock() -> u32 {
    2
}

#[allow(dead_code)]
#[monitored]
fn never_called() {}

#[allow(dead_code)]
#[monitored]
fn never_instantiated<T: Default>() -> T {
    T::default()
}

struct Cart;

#[monitored]
impl Cart {
    fn checkout(&self) {}
}

mod inventory {
    #[monitor_runtime::monitored(name = "reserve_items")]
    pub(crate) fn reserve() {}
}

const MODULE: &str = module_path!();

#[test]
fn every_series_exists_at_zero_before_the_first_call() {
    let text = monitor_runtime::render_metrics().unwrap();
    let samples = parse_samples(&text);
    let get = |name: &str, function: &str, module: &str, extra: &[(&str, &str)]| {
        let mut labels = vec![("function", function), ("module", module)];
        labels.extend_from_slice(extra);
        find(&samples, name, &labels)
            .unwrap_or_else(|| panic!("{name} for {function} missing at start-up:\n{text}"))
    };
    let inventory = format!("{MODULE}::inventory");
    let functions = [
        ("place_order", MODULE),
        ("refresh_stock", MODULE),
        ("never_called", MODULE),
        ("never_instantiated", MODULE),
        ("Cart::checkout", MODULE),
        ("reserve_items", inventory.as_str()),
    ];
    for (function, module) in functions {
        for result in ["ok", "error"] {
            let calls = get(
                "function_calls_total",
                function,
                module,
                &[("result", result)],
            );
            assert_eq!(calls, 0.0, "{function} {result}");
        }
        for (name, extra) in [
            ("function_calls_duration_seconds_count", &[][..]),
            ("function_calls_duration_seconds_sum", &[][..]),
            (
                "function_calls_duration_seconds_bucket",
                &[("le", "+Inf")][..],
            ),
            (
                "function_calls_duration_seconds_bucket",
                &[("le", "0.005")][..],
            ),
            ("function_calls_concurrent", &[][..]),
        ] {
            assert_eq!(
                get(name, function, module, extra),
                0.0,
                "{name} of {function}"
            );
        }
    }
    assert_eq!(
        get(
            "function_calls_cancelled_total",
            "refresh_stock",
            MODULE,
            &[]
        ),
        0.0
    );
    assert_eq!(
        find(
            &samples,
            "function_calls_cancelled_total",
            &[("function", "place_order")]
        ),
        None,
        "a synchronous function cannot be cancelled"
    );

    // The start-up series are the ones calls then update.
    place_order().unwrap();
    Cart.checkout();
    inventory::reserve();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    assert_eq!(runtime.block_on(refresh_stock()), 2);
    let samples = parse_samples(&monitor_runtime::render_metrics().unwrap());
    for (function, module) in [
        ("place_order", MODULE),
        ("refresh_stock", MODULE),
        ("Cart::checkout", MODULE),
        ("reserve_items", inventory.as_str()),
    ] {
        let labels = [("function", function), ("module", module), ("result", "ok")];
        assert_eq!(find(&samples, "function_calls_total", &labels), Some(1.0));
    }

    let findings =
        monitor_tests::promtool::check_metrics(&monitor_runtime::render_metrics().unwrap());
    assert!(findings.is_empty(), "promtool findings: {findings:?}");
}
