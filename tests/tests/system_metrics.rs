//! The host metrics beside the process ones: registered once, filled at each scrape
//! from sysinfo, named so that `promtool check metrics` finds nothing.

use monitor_tests::{find, parse_samples, promtool};

#[test]
fn host_metrics_are_scraped_and_pass_promtool() {
    monitor_runtime::system::watch();
    monitor_runtime::system::watch();
    // Two scrapes: the CPU share is a difference between two readings.
    monitor_runtime::render_metrics().unwrap();
    let text = monitor_runtime::render_metrics().unwrap();
    let samples = parse_samples(&text);

    let memory = find(&samples, "system_memory_size_bytes", &[]).expect("host memory");
    assert!(memory > 0.0);
    let used = find(&samples, "system_memory_used_bytes", &[]).unwrap();
    assert!((0.0..=memory).contains(&used), "{used} of {memory}");
    let cpu = find(&samples, "system_cpu_utilization_ratio", &[]).unwrap();
    assert!((0.0..=1.0).contains(&cpu), "{cpu}");
    assert!(find(&samples, "system_cpu_logical_cores", &[]).unwrap() >= 1.0);
    assert!(find(&samples, "system_uptime_seconds", &[]).unwrap() > 0.0);
    // Every mounted file system, and every interface (loopback at least).
    let disks: Vec<_> = samples
        .iter()
        .filter(|sample| sample.name == "system_disk_size_bytes")
        .collect();
    assert!(!disks.is_empty(), "no file system in:\n{text}");
    assert!(
        samples
            .iter()
            .any(|sample| sample.name == "system_network_received_bytes_total"),
        "no network interface in:\n{text}"
    );
    // The process' own figures are there too (the process collector, Linux).
    #[cfg(target_os = "linux")]
    assert!(find(&samples, "process_open_fds", &[]).unwrap() > 0.0);
    // Exactly one family of each name: registering twice did nothing.
    assert_eq!(
        text.matches("# TYPE system_memory_size_bytes gauge")
            .count(),
        1
    );

    assert_eq!(
        promtool::check_metrics(&text),
        Vec::<String>::new(),
        "{text}"
    );
}
