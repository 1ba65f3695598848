//! A collector that produces metrics the encoder refuses: its family is left out,
//! logged and counted in `monitor_exposition_errors_total`, and everything else is
//! still served. Its own test binary, because the broken collector stays in the
//! global registry.

use monitor_runtime::monitored;
use monitor_tests::http;
use monitor_tests::server::TestServer;
use monitor_tests::{find, parse_samples, promtool, tools};
use prometheus::core::{Collector, Desc};
use prometheus::proto::{Counter, Metric, MetricFamily, MetricType};

/// Describes itself properly, then collects a family without a name.
struct Nameless {
    desc: Desc,
}

impl Collector for Nameless {
    fn desc(&self) -> Vec<&Desc> {
        vec![&self.desc]
    }

    fn collect(&self) -> Vec<MetricFamily> {
        let mut counter = Counter::default();
        counter.set_value(1.0);
        let mut metric = Metric::default();
        metric.set_counter(counter);
        let mut family = MetricFamily::default();
        family.set_field_type(MetricType::COUNTER);
        family.set_help("broken".to_owned());
        family.set_metric(vec![metric]);
        vec![family]
    }
}

#[monitored]
fn still_counted() {}

#[tokio::test]
async fn a_refused_family_is_left_out_counted_and_the_rest_is_served() {
    let desc = Desc::new(
        "nameless_total".to_owned(),
        "broken".to_owned(),
        vec![],
        Default::default(),
    )
    .unwrap();
    monitor_runtime::registry()
        .register(Box::new(Nameless { desc }))
        .unwrap();
    still_counted();

    let text = monitor_runtime::render_metrics().expect("the exposition still renders");
    let samples = parse_samples(&text);
    assert_eq!(
        find(
            &samples,
            "function_calls_total",
            &[("function", "still_counted"), ("result", "ok")]
        ),
        Some(1.0)
    );
    assert!(
        !text.contains("broken"),
        "the refused family leaked:\n{text}"
    );
    let errors = find(&samples, "monitor_exposition_errors_total", &[]).expect("the error counter");
    assert_eq!(errors, 1.0, "the first exposition counts its own refusal");

    let server = TestServer::start();
    let response = http::get(&server.url("/metrics")).await.unwrap();
    assert_eq!(response.status, 200);
    let served = parse_samples(&response.body);
    let after = find(&served, "monitor_exposition_errors_total", &[]).unwrap();
    // Each exposition counts the family it left out, in the count it shows.
    assert_eq!(after, errors + 1.0, "{}", response.body);
    assert_eq!(
        find(
            &served,
            "function_calls_total",
            &[("function", "still_counted"), ("result", "ok")]
        ),
        Some(1.0)
    );
    if tools::require("promtool") {
        assert_eq!(
            promtool::check_metrics(&response.body),
            Vec::<String>::new()
        );
    }
}
