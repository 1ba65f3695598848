//! The Pushgateway path against a real Pushgateway: a push lands under its grouping
//! key (job, instance, labels of ours, a value with `/` in base64), replaces the
//! group, is deleted on request; the interval task pushes and deletes on a clean
//! exit, in process and from a separate process; a failed push is an error and a
//! metric, not a crash.

use std::time::{Duration, Instant};

use monitor_runtime::identity::{self, Identity};
use monitor_runtime::push::Pushgateway;
use monitor_tests::engines::{self, Engine, PATIENCE, Replica};
use monitor_tests::{Sample, find, parse_samples, tools};

monitor_runtime::business_metrics! {
    counter JOBS = "pushed_jobs_done_total", help = "Jobs done.";
}

async fn gateway_samples(gateway: &Engine) -> Vec<Sample> {
    let text = monitor_tests::http::get(&format!("{}/metrics", gateway.url()))
        .await
        .expect("the gateway serves /metrics")
        .body;
    parse_samples(&text)
}

async fn wait_for(gateway: &Engine, what: &str, accept: impl Fn(&[Sample]) -> bool) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let samples = gateway_samples(gateway).await;
        if accept(&samples) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "never: {what}; the gateway has {samples:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn group<'a>(job: &'a str, instance: &'a str, shard: &'a str) -> [(&'a str, &'a str); 3] {
    [("job", job), ("instance", instance), ("shard", shard)]
}

#[tokio::test(flavor = "multi_thread")]
async fn pushes_land_under_their_grouping_key_and_are_deleted() {
    if !tools::require("prometheus-pushgateway") {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let gateway = engines::pushgateway(root.path()).await;
    identity::configure(Identity::new("nightly-batch").instance("worker-1"));

    // One push, a grouping label whose value needs the base64 form.
    let pusher = Pushgateway::new(&gateway.url()).grouping("shard", "eu/2");
    JOBS.inc_by(3.0, []);
    pusher.push().await.expect("the push is accepted");
    let samples = gateway_samples(&gateway).await;
    let labels = group("nightly-batch", "worker-1", "eu/2");
    assert_eq!(find(&samples, "pushed_jobs_done_total", &labels), Some(3.0));
    assert_eq!(
        find(&samples, "target_info", &labels),
        Some(1.0),
        "the whole registry is pushed, identity included"
    );
    assert!(
        find(&samples, "push_time_seconds", &labels).is_some(),
        "the gateway knows the group"
    );

    // A push replaces the group.
    JOBS.inc_by(2.0, []);
    pusher.push().await.unwrap();
    assert_eq!(
        find(
            &gateway_samples(&gateway).await,
            "pushed_jobs_done_total",
            &labels
        ),
        Some(5.0)
    );

    pusher.delete().await.expect("the delete is accepted");
    let samples = gateway_samples(&gateway).await;
    assert_eq!(
        find(&samples, "push_time_seconds", &labels),
        None,
        "the group is gone"
    );

    // The interval task: pushes on its own, deletes at a clean exit.
    let task = Pushgateway::new(&gateway.url())
        .grouping("shard", "b")
        .interval(Duration::from_millis(100))
        .delete_on_exit(true)
        .start();
    let labels = group("nightly-batch", "worker-1", "b");
    wait_for(&gateway, "the first interval push", |samples| {
        find(samples, "pushed_jobs_done_total", &labels) == Some(5.0)
    })
    .await;
    JOBS.inc([]);
    wait_for(&gateway, "a later interval push", |samples| {
        find(samples, "pushed_jobs_done_total", &labels) == Some(6.0)
    })
    .await;
    task.stop().await.expect("last push and delete");
    assert_eq!(
        find(
            &gateway_samples(&gateway).await,
            "push_time_seconds",
            &labels
        ),
        None,
        "deleted on exit"
    );

    // Pushes are counted by result.
    let text = monitor_runtime::render_metrics().unwrap();
    let own = parse_samples(&text);
    assert!(
        find(
            &own,
            "monitor_pushgateway_pushes_total",
            &[("result", "ok")]
        )
        .unwrap()
            >= 4.0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_push_to_no_gateway_is_an_error_and_counted() {
    let before = monitor_tests::sample("monitor_pushgateway_pushes_total", &[("result", "error")])
        .unwrap_or(0.0);
    let nobody = engines::free_addr();
    let error = Pushgateway::new(&format!("http://{nobody}"))
        .timeout(Duration::from_secs(2))
        .push()
        .await
        .expect_err("nobody listens");
    assert!(error.to_string().contains(&nobody.to_string()), "{error}");
    let after = monitor_tests::sample("monitor_pushgateway_pushes_total", &[("result", "error")]);
    assert!(after.unwrap() >= before + 1.0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_separate_process_pushes_on_its_interval_and_deletes_its_group_on_exit() {
    if !tools::require("prometheus-pushgateway") {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let gateway = engines::pushgateway(root.path()).await;
    let replica = Replica::start(
        env!("CARGO_BIN_EXE_scale_app"),
        "pushed-app",
        "pod-a",
        &[
            ("PUSHGATEWAY_URL", &gateway.url()),
            ("PUSH_INTERVAL_MS", "200"),
        ],
    );
    replica.work(4, 1).await;
    let ok = [
        ("job", "pushed-app"),
        ("instance", "pod-a"),
        ("function", "work"),
        ("result", "ok"),
    ];
    wait_for(&gateway, "the app's calls", |samples| {
        find(samples, "function_calls_total", &ok) == Some(4.0)
    })
    .await;
    let output = replica.quit().await;
    assert!(output.contains("pushed and deleted"), "{output}");
    let group = [("job", "pushed-app"), ("instance", "pod-a")];
    assert_eq!(
        find(
            &gateway_samples(&gateway).await,
            "push_time_seconds",
            &group
        ),
        None,
        "the clean exit deleted the group"
    );
}
