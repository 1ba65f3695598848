//! A real Prometheus (2.42, Debian's) scrapes one target in each exposition format at
//! once: with `--enable-feature=native-histograms` it asks for protobuf, and two more
//! jobs force OpenMetrics and the text format with `?format=`. Every series of the
//! runtime's own reads the same through the query API in each; the native histogram's
//! `histogram_quantile` agrees with the latencies it was given; the exemplars a test
//! put in context come back from `/api/v1/query_exemplars`. Then the quickstart is
//! scraped the same way, with the configuration it prints.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use monitor_runtime::exemplars::{self, TraceContext};
use monitor_runtime::monitored;
use monitor_tests::engines::{Engine, PATIENCE, QuerySample};
use monitor_tests::quickstart::{self, Quickstart};
use monitor_tests::server::TestServer;
use monitor_tests::tools;
use serde_json::Value;

const TRACE: &str = "0af7651916cd43dd8448eb211c80319c";
const SPAN: &str = "b7ad6b7169203331";

#[derive(Debug)]
struct Refused;

#[monitored]
fn approve(amount: u32) -> Result<u32, Refused> {
    if amount.is_multiple_of(4) {
        Err(Refused)
    } else {
        Ok(amount)
    }
}

#[monitored(native, buckets = [0.001, 0.01, 0.1])]
fn lookup(key: u32) -> u32 {
    key * 2
}

monitor_runtime::business_metrics! {
    /// Sign-ups by plan.
    counter SIGNUPS = "formats_e2e_signups_total", help = "Sign-ups, by plan.", labels(plan);
    /// Items in the queue.
    gauge QUEUE = "formats_e2e_queue_items", help = "Items waiting.";
    /// Known latencies, in native buckets.
    histogram LATENCIES = "formats_e2e_latency_seconds", help = "Known latencies.", native;
}

/// A Prometheus with three jobs on `target`: `proto` (what it asks for with native
/// histograms on: protobuf), `openmetrics` and `text` (forced with `?format=`).
async fn prometheus(root: &Path, target: &str, job: &str) -> Engine {
    let config = root.join("prometheus.yml");
    let jobs: String = [("proto", ""), ("openmetrics", "openmetrics"), ("text", "text")]
        .iter()
        .map(|(name, format)| {
            let params = if format.is_empty() {
                String::new()
            } else {
                format!("    params:\n      format: [{format}]\n")
            };
            format!(
                "  - job_name: {name}\n{params}{job}    static_configs:\n      - targets: ['{target}']\n"
            )
        })
        .collect();
    std::fs::write(
        &config,
        format!("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n{jobs}"),
    )
    .unwrap();
    let config_arg = format!("--config.file={}", config.display());
    Engine::start(
        "prometheus",
        "prometheus",
        &[
            &config_arg,
            "--storage.tsdb.path={dir}/data",
            "--web.listen-address={addr}",
            "--enable-feature=native-histograms,exemplar-storage",
        ],
        root,
        "/-/ready",
    )
    .await
}

/// Waits until every job has scraped the target at least twice since `since`.
async fn scraped_twice(prometheus: &Engine, since: f64) {
    for job in ["proto", "openmetrics", "text"] {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let result = prometheus
                .query(&format!("timestamp(up{{job=\"{job}\"}})"))
                .await;
            // A scrape that began a second after `since` saw the figures as they were
            // set; `up` is 1 when it succeeded.
            let up = prometheus.query(&format!("up{{job=\"{job}\"}}")).await;
            if result
                .first()
                .is_some_and(|sample| sample.value > since + 1.0)
                && up.first().is_some_and(|sample| sample.value == 1.0)
            {
                break;
            }
            assert!(Instant::now() < deadline, "{job} stopped scraping");
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// Series whose figures move by themselves between scrapes.
fn moves(name: &str) -> bool {
    const MOVING: [&str; 12] = [
        "process_",
        "system_",
        "tokio_",
        "scrape_",
        "up",
        "monitor_exposition_renders_total",
        "monitor_exporter_",
        "health_check_",
        "http_server_",
        "http_client_",
        "db_client_",
        "monitor_remote_write",
    ];
    MOVING.iter().any(|prefix| name.starts_with(prefix))
}

/// The series of `job` keyed by name and labels (without `job`, `le` read as a
/// number so that `1` and `1.0` are one bound).
async fn series_of(
    prometheus: &Engine,
    job: &str,
) -> BTreeMap<(String, Vec<(String, String)>), f64> {
    // Native histograms (a bare histogram name) are read with `histogram_*`.
    prometheus
        .query(&format!(
            "{{job=\"{job}\",__name__!~\"function_calls_duration_seconds|formats_e2e_latency_seconds\"}}"
        ))
        .await
        .into_iter()
        .filter_map(|sample| {
            let name = sample.label("__name__")?.to_owned();
            if moves(&name) {
                return None;
            }
            let labels: Vec<(String, String)> = sample
                .labels
                .iter()
                .filter(|(key, _)| key != "job" && key != "__name__" && key != "instance")
                .map(|(key, value)| {
                    let value = if key == "le" {
                        value
                            .parse::<f64>()
                            .map_or(value.clone(), |bound| bound.to_string())
                    } else {
                        value.clone()
                    };
                    (key.clone(), value)
                })
                .collect();
            Some(((name, labels), sample.value))
        })
        .collect()
}

#[tokio::test]
async fn prometheus_reads_the_same_series_in_every_format() {
    if !tools::require("prometheus") {
        return;
    }
    monitor_runtime::init().expect("no registration problem");
    exemplars::set_interval(Duration::ZERO);
    let trace = TraceContext::from_hex(TRACE, SPAN).unwrap();
    for amount in 1..=20 {
        let _traced = exemplars::enter(trace);
        let _ = approve(amount);
        lookup(amount);
    }
    SIGNUPS.inc([&"pro"]);
    SIGNUPS.inc([&"team"]);
    SIGNUPS.inc([&"team"]);
    QUEUE.set(7, []);
    // 1 ms to 1 s by 1 ms: the q-quantile is q seconds.
    for millis in 1..=1000 {
        LATENCIES.observe(f64::from(millis) / 1000.0, []);
    }
    let server = TestServer::start();
    let root = tempfile::tempdir().unwrap();
    let since = now();
    let prometheus = prometheus(root.path(), &server.addr().to_string(), "").await;
    scraped_twice(&prometheus, since).await;

    let text = series_of(&prometheus, "text").await;
    let openmetrics = series_of(&prometheus, "openmetrics").await;
    let proto = series_of(&prometheus, "proto").await;
    assert!(
        text.keys().any(|(name, _)| name == "function_calls_total"),
        "{text:?}"
    );
    // Every own series of the text job, the same in OpenMetrics.
    assert_eq!(
        openmetrics.keys().collect::<Vec<_>>(),
        text.keys().collect::<Vec<_>>()
    );
    for (key, value) in &text {
        assert_eq!(openmetrics[key], *value, "{key:?}");
    }
    // And in protobuf: the same, but for `lookup`'s histogram, which Prometheus
    // takes there as a native histogram (one series) instead of its classic buckets.
    for (key, value) in &text {
        let native_part = (key.0.starts_with("function_calls_duration_seconds")
            && key.1.iter().any(|(_, value)| value == "lookup"))
            || key.0.starts_with("formats_e2e_latency_seconds");
        if native_part {
            assert!(!proto.contains_key(key), "{key:?}");
            continue;
        }
        assert_eq!(proto.get(key), Some(value), "{key:?}");
    }
    let lookup_count = |job: &str| {
        format!(
            "histogram_count(function_calls_duration_seconds{{job=\"{job}\",function=\"lookup\"}})"
        )
    };
    let native_count = prometheus.query(&lookup_count("proto")).await;
    assert_eq!(native_count.len(), 1, "{native_count:?}");
    let classic_count = text
        .iter()
        .find(|((name, labels), _)| {
            name == "function_calls_duration_seconds_count"
                && labels.iter().any(|(_, value)| value == "lookup")
        })
        .map(|(_, value)| *value);
    assert_eq!(Some(native_count[0].value), classic_count);
    assert_eq!(classic_count, Some(20.0));

    // Quantiles of the known latencies, within a bucket's width at schema 3
    // (2^(1/8), about 9 %).
    let width = 2_f64.powf(1.0 / 8.0);
    for q in [0.5, 0.9, 0.99] {
        let estimate = prometheus
            .query(&format!(
                "histogram_quantile({q}, formats_e2e_latency_seconds{{job=\"proto\"}})"
            ))
            .await;
        assert_eq!(estimate.len(), 1, "{estimate:?}");
        let ratio = estimate[0].value / q;
        assert!(
            (1.0 / width..=width).contains(&ratio),
            "p{q}: {} for {q}",
            estimate[0].value
        );
    }

    // The exemplars of the traced calls, from the OpenMetrics and the protobuf jobs.
    for job in ["openmetrics", "proto"] {
        let exemplars = query_exemplars(
            &prometheus,
            &format!(
                "function_calls_duration_seconds_bucket{{job=\"{job}\",function=\"approve\"}}"
            ),
        )
        .await;
        assert!(
            exemplars.iter().any(|exemplar| {
                exemplar["labels"]["trace_id"] == TRACE && exemplar["labels"]["span_id"] == SPAN
            }),
            "{job}: {exemplars:?}"
        );
    }
}

/// `GET /api/v1/query_exemplars` over the last ten minutes: every exemplar found.
async fn query_exemplars(prometheus: &Engine, query: &str) -> Vec<Value> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let end = now();
        let params: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("query", query)
            .append_pair("start", &format!("{}", end - 600.0))
            .append_pair("end", &format!("{end}"))
            .finish();
        let response = monitor_tests::http::get(&format!(
            "{}/api/v1/query_exemplars?{params}",
            prometheus.url()
        ))
        .await
        .unwrap();
        let json: Value = serde_json::from_str(&response.body).unwrap();
        assert_eq!(json["status"], "success", "{}", response.body);
        let found: Vec<Value> = json["data"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|series| series["exemplars"].as_array().cloned().unwrap_or_default())
            .collect();
        if !found.is_empty() {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "no exemplar for `{query}`:\n{}",
            prometheus.log()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn prometheus_scrapes_the_quickstart_in_every_format() {
    if !tools::require("prometheus") {
        return;
    }
    let binary = quickstart::build();
    let addr = monitor_tests::engines::free_addr().to_string();
    let printed = std::process::Command::new(&binary)
        .args(["--addr", &addr, "--print-prometheus"])
        .output()
        .unwrap();
    assert!(printed.status.success());
    let printed = String::from_utf8(printed.stdout).unwrap();
    assert!(printed.contains("--enable-feature=native-histograms,exemplar-storage"));
    let root = tempfile::tempdir().unwrap();
    // The printed configuration as Prometheus reads it.
    std::fs::write(root.path().join("printed.yml"), &printed).unwrap();
    let (valid, output) = tools::run(
        "promtool",
        &[
            "check",
            "config",
            &root.path().join("printed.yml").display().to_string(),
        ],
    );
    assert!(valid, "{output}");
    let mut service = Quickstart::spawn(&binary, &["--addr", &addr]);
    service.wait_for_line(|line| line.contains("press Ctrl-C"));
    let prometheus = prometheus(root.path(), &addr, "").await;
    for job in ["proto", "openmetrics", "text"] {
        prometheus
            .query_until(
                &format!("function_calls_total{{job=\"{job}\",function=\"place_order\"}}"),
                |result: &[QuerySample]| !result.is_empty(),
            )
            .await;
    }
    // `charge_payment`'s native histogram, from the protobuf job.
    prometheus
        .query_until(
            "histogram_count(function_calls_duration_seconds{job=\"proto\",function=\"charge_payment\"}) > 0",
            |result| !result.is_empty(),
        )
        .await;
    let quantile = prometheus
        .query_until(
            "histogram_quantile(0.5, function_calls_duration_seconds{job=\"proto\",function=\"charge_payment\"})",
            |result| !result.is_empty(),
        )
        .await;
    // It sleeps 5 to 38 ms.
    assert!((0.004..0.1).contains(&quantile[0].value), "{quantile:?}");
    // Each order's trace id beside its latency bucket.
    let exemplars = query_exemplars(
        &prometheus,
        "function_calls_duration_seconds_bucket{job=\"openmetrics\",function=\"place_order\"}",
    )
    .await;
    assert!(
        exemplars.iter().all(|exemplar| {
            exemplar["labels"]["trace_id"]
                .as_str()
                .is_some_and(|id| id.len() == 32 && id.bytes().all(|byte| byte.is_ascii_hexdigit()))
        }),
        "{exemplars:?}"
    );
    service.interrupt();
}
