//! `#[business_metric]` combined with `#[monitored]`, in either order, on sync and
//! async functions and on methods: both see every call, early exits included.

use monitor_runtime::{business_metric, monitored};
use monitor_tests::sample;

#[derive(Debug)]
struct Declined;

#[monitored]
#[business_metric(counter = "combo_outer_monitored_total", help = "Payments.", labels(currency = currency))]
fn pay_outer_monitored(amount: i64, currency: &str) -> Result<i64, Declined> {
    let checked = if amount > 0 {
        Ok(amount)
    } else {
        Err(Declined)
    }?;
    Ok(checked)
}

#[business_metric(counter = "combo_inner_monitored_total", help = "Payments.", labels(currency = currency))]
#[monitored]
fn pay_inner_monitored(amount: i64, currency: &str) -> Result<i64, Declined> {
    if amount <= 0 {
        return Err(Declined);
    }
    Ok(amount)
}

struct Checkout;

impl Checkout {
    #[monitored]
    #[business_metric(histogram = "combo_basket_euros", help = "Basket values.", observe = ret, buckets = [10.0, 100.0])]
    #[business_metric(counter = "combo_checkouts_total", help = "Checkouts.", on = "always")]
    async fn check_out(&self, basket: f64) -> Result<f64, Declined> {
        tokio::task::yield_now().await;
        if basket <= 0.0 {
            return Err(Declined);
        }
        Ok(basket)
    }

    #[business_metric(gauge = "combo_last_basket_euros", help = "Last basket value.", set = *ret)]
    #[monitored]
    async fn quote(&self, basket: f64) -> f64 {
        basket
    }
}

#[test]
fn both_orders_count_the_same_calls_on_sync_functions() {
    for amount in [5, -1, 7, 0, 3] {
        let _ = pay_outer_monitored(amount, "eur");
        let _ = pay_inner_monitored(amount, "eur");
    }
    for (business, function) in [
        ("combo_outer_monitored_total", "pay_outer_monitored"),
        ("combo_inner_monitored_total", "pay_inner_monitored"),
    ] {
        assert_eq!(sample(business, &[("currency", "eur")]), Some(3.0));
        assert_eq!(
            sample(
                "function_calls_total",
                &[("function", function), ("result", "ok")]
            ),
            Some(3.0)
        );
        assert_eq!(
            sample(
                "function_calls_total",
                &[("function", function), ("result", "error")]
            ),
            Some(2.0)
        );
    }
}

#[test]
fn both_orders_work_on_async_methods_with_stacked_attributes() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        let checkout = Checkout;
        checkout.check_out(10.0).await.unwrap();
        checkout.check_out(-2.0).await.unwrap_err();
        checkout.check_out(32.5).await.unwrap();
        assert_eq!(checkout.quote(4.5).await, 4.5);
    });
    assert_eq!(sample("combo_checkouts_total", &[]), Some(3.0));
    assert_eq!(sample("combo_basket_euros_sum", &[]), Some(42.5));
    assert_eq!(sample("combo_basket_euros_count", &[]), Some(2.0));
    assert_eq!(sample("combo_last_basket_euros", &[]), Some(4.5));
    // However `#[monitored]` names a method, it saw every call too.
    let calls = |function: &str, result: &str| {
        let text = monitor_runtime::render_metrics().unwrap();
        monitor_tests::parse_samples(&text)
            .into_iter()
            .filter(|sample| sample.name == "function_calls_total")
            .filter(|sample| {
                sample.labels.iter().any(|(name, value)| {
                    name == "function" && value.rsplit("::").next() == Some(function)
                }) && sample
                    .labels
                    .iter()
                    .any(|(name, value)| name == "result" && value == result)
            })
            .map(|sample| sample.value)
            .sum::<f64>()
    };
    assert_eq!(calls("check_out", "ok"), 2.0);
    assert_eq!(calls("check_out", "error"), 1.0);
    assert_eq!(calls("quote", "ok"), 1.0);
}
