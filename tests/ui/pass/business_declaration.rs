use monitor_runtime::business::{Counter, Gauge, Histogram};

mod metrics {
    monitor_runtime::business_metrics! {
        /// Orders by plan and region.
        pub counter ORDERS_TOTAL = "orders_total", help = "Orders.", labels(plan, region, source = "api");
        /// Carts open.
        pub(crate) gauge CARTS_OPEN = "carts_open", help = "Carts open.";
        /// Basket sizes.
        pub histogram BASKET_ITEMS = "basket_items", help = "Items per basket.",
            buckets = [1.0, 5.0, 20.0], max_label_sets = 100, labels(channel);
    }
}

fn typed(_: &Counter<2>, _: &Gauge<0>, _: &Histogram<1>) {}

fn main() {
    typed(&metrics::ORDERS_TOTAL, &metrics::CARTS_OPEN, &metrics::BASKET_ITEMS);
    let region = String::from("eu");
    metrics::ORDERS_TOTAL.inc([&"pro", &region]);
    metrics::CARTS_OPEN.inc([]);
    metrics::BASKET_ITEMS.observe(3_u8, [&"web"]);
}
