//! The cache hit ratio pattern: hits and misses in the exposition, and the recording
//! rule that turns them into a ratio, evaluated by the real `promtool test rules`
//! over known hits and misses.

use monitor_runtime::cache::CacheMetrics;

/// The series the cache recording rule writes.
const HIT_RATIO_RECORD: &str = "cache:hit_ratio:rate5m";
use monitor_tests::{promtool, sample, tools};

#[test]
fn hits_and_misses_are_exposed() {
    let sessions = CacheMetrics::new("sessions");
    let again = CacheMetrics::new("sessions");
    for _ in 0..3 {
        sessions.hit();
    }
    again.miss();
    assert_eq!(sessions.lookup(Some("ada")), Some("ada"));
    assert_eq!(sessions.lookup(None::<&str>), None);
    assert_eq!(
        sample("cache_hits_total", &[("cache", "sessions")]),
        Some(4.0)
    );
    assert_eq!(
        sample("cache_misses_total", &[("cache", "sessions")]),
        Some(2.0)
    );
    // A cache is at zero from its creation.
    let _users = CacheMetrics::new("users");
    assert_eq!(sample("cache_hits_total", &[("cache", "users")]), Some(0.0));
    if tools::require("promtool") {
        let exposition = monitor_runtime::render_metrics().unwrap();
        assert_eq!(promtool::check_metrics(&exposition), Vec::<String>::new());
    }
}

#[test]
fn the_recording_rule_gives_the_ratio() {
    if !tools::require("promtool") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cache.yml"),
        monitor_runtime::cache::recording_rules(),
    )
    .unwrap();
    let (ok, output) = tools::run(
        "promtool",
        &[
            "check",
            "rules",
            dir.path().join("cache.yml").to_str().unwrap(),
        ],
    );
    assert!(ok, "{output}");
    // Per minute: sessions 180 hits (over two instances) and 60 misses (0.75),
    // users 60 hits and no miss (1), cold no lookup (no ratio, rather than NaN).
    // Multiples of 60 per minute keep the rates, and so the ratio, exact.
    let test = format!(
        r#"rule_files: [cache.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'cache_hits_total{{cache="sessions",instance="a"}}'
        values: '0+120x10'
      - series: 'cache_hits_total{{cache="sessions",instance="b"}}'
        values: '0+60x10'
      - series: 'cache_misses_total{{cache="sessions",instance="a"}}'
        values: '0+60x10'
      - series: 'cache_hits_total{{cache="users"}}'
        values: '0+60x10'
      - series: 'cache_misses_total{{cache="users"}}'
        values: '0x10'
      - series: 'cache_hits_total{{cache="cold"}}'
        values: '0x10'
      - series: 'cache_misses_total{{cache="cold"}}'
        values: '0x10'
    promql_expr_test:
      - expr: {record}
        eval_time: 10m
        exp_samples:
          - labels: '{record}{{cache="sessions"}}'
            value: 0.75
          - labels: '{record}{{cache="users"}}'
            value: 1
      - expr: '{record}{{cache="cold"}} >= 0'
        eval_time: 10m
        exp_samples: []
"#,
        record = HIT_RATIO_RECORD
    );
    std::fs::write(dir.path().join("cache_test.yml"), test).unwrap();
    let (ok, output) = tools::run(
        "promtool",
        &[
            "test",
            "rules",
            dir.path().join("cache_test.yml").to_str().unwrap(),
        ],
    );
    assert!(ok, "{output}");
}
