//! A separate process that remote-writes to a real VictoriaMetrics flushes at its
//! clean exit, and again after a restart: no interval snapshot is due (the
//! interval is an hour), so what arrives after the calls is the exit's snapshot.

use monitor_tests::engines::{self, Replica};
use monitor_tests::tools;

#[tokio::test(flavor = "multi_thread")]
async fn each_run_of_the_app_flushes_its_calls_at_exit() {
    if !tools::require("victoria-metrics") {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let vm = engines::victoria_metrics(root.path()).await;
    let url = format!("{}/api/v1/write", vm.url());
    let selector =
        r#"function_calls_total{job="rw-app",instance="rw-app-1",function="work",result="ok"}"#;

    let first = Replica::start(
        env!("CARGO_BIN_EXE_scale_app"),
        "rw-app",
        "rw-app-1",
        &[("REMOTE_WRITE_URL", &url)],
    );
    first.work(10, 2).await;
    let output = first.quit().await;
    assert!(output.contains("unsent 0"), "{output}");
    vm.query_until(selector, |result| {
        result.first().is_some_and(|s| s.value == 10.0)
    })
    .await;

    let second = Replica::start(
        env!("CARGO_BIN_EXE_scale_app"),
        "rw-app",
        "rw-app-1",
        &[("REMOTE_WRITE_URL", &url)],
    );
    second.work(3, 0).await;
    let output = second.quit().await;
    assert!(output.contains("unsent 0"), "{output}");
    vm.query_until(selector, |result| {
        result.first().is_some_and(|s| s.value == 3.0)
    })
    .await;

    // Start and exit snapshots of both runs, in order: the restart shows as a reset.
    let values: Vec<f64> = engines::export(&vm, selector)
        .await
        .into_iter()
        .flat_map(|(_, values)| values)
        .collect();
    assert_eq!(values, [0.0, 10.0, 0.0, 3.0]);
    let errors = vm
        .query(r#"function_calls_total{job="rw-app",instance="rw-app-1",function="work",result="error"}"#)
        .await;
    assert_eq!(errors[0].value, 0.0, "the second run made no failing call");
}
