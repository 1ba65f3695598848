//! Figures of the host beside the process ones: CPU, memory, swap, disks and network
//! interfaces, read with [`sysinfo`] at scrape time. Behind the `system` cargo feature.
//!
//! | metric | type | labels | meaning |
//! |---|---|---|---|
//! | `system_cpu_utilization_ratio` | gauge | | share of all logical CPUs busy since the previous reading (a scrape, the dashboard's sampler or [`read`]), 0..1 (0 at the first) |
//! | `system_cpu_logical_cores` | gauge | | logical CPUs of the host |
//! | `system_load_average_1m` | gauge | | one-minute load average (0 where the OS has none) |
//! | `system_memory_size_bytes` | gauge | | physical memory |
//! | `system_memory_used_bytes` | gauge | | physical memory in use |
//! | `system_memory_available_bytes` | gauge | | memory available to new programs without swapping |
//! | `system_swap_size_bytes`, `system_swap_used_bytes` | gauge | | swap space and its use |
//! | `system_disk_size_bytes`, `system_disk_available_bytes` | gauge | `mountpoint` | each mounted file system |
//! | `system_network_received_bytes_total`, `system_network_transmitted_bytes_total` | counter | `interface` | bytes through each network interface since this process started watching it |
//! | `system_uptime_seconds` | gauge | | time since the host booted |
//!
//! The process' own figures (`process_cpu_seconds_total`, `process_resident_memory_bytes`,
//! `process_open_fds`, `process_max_fds`, ...) come from the `prometheus` crate's
//! process collector, which the registry adds on Linux.
//!
//! The exporter registers these families when it builds its routes; a program that
//! serves [`render_metrics`](crate::render_metrics) with a server of its own calls
//! [`register`] once:
//!
//! ```
//! monitor_runtime::system::register();
//! let text = monitor_runtime::render_metrics().unwrap();
//! assert!(text.contains("system_memory_size_bytes"));
//! ```
//!
//! Disks and interfaces are listed again at each scrape, so a file system mounted or
//! an interface added later appears; one that disappears keeps its last values.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use prometheus::core::{Collector, Desc};
use prometheus::proto::MetricFamily;
use prometheus::{Gauge, GaugeVec, IntCounterVec, Opts};
use sysinfo::{CpuRefreshKind, Disks, MemoryRefreshKind, Networks, RefreshKind, System};

use crate::core::ignore_poison;

/// Registers the host metric families in the global registry, once; later calls do
/// nothing. A refusal (a family of the same name registered by someone else) is
/// reported like every registration problem.
///
/// ```
/// monitor_runtime::system::register();
/// monitor_runtime::system::register(); // idempotent
/// ```
pub fn register() {
    static REGISTERED: LazyLock<()> = LazyLock::new(|| {
        let location = "monitor_runtime::system";
        if let Err(conflict) = crate::core::raw_registry().register_as(
            Box::new(HostCollector::new()),
            "the host metrics",
            location,
        ) {
            crate::core::report(conflict.into_error(location));
        }
    });
    LazyLock::force(&REGISTERED);
}

/// The host's figures, read once, for the built-in dashboard.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct HostFigures {
    /// Share of all logical CPUs busy since the previous reading, 0..1.
    pub cpu_utilization: f64,
    /// Logical CPUs.
    pub logical_cores: usize,
    /// Physical memory, bytes.
    pub memory_size: u64,
    /// Physical memory in use, bytes.
    pub memory_used: u64,
    /// `(mount point, size, available)` of each file system, bytes.
    pub disks: Vec<(String, u64, u64)>,
}

/// Reads the host's figures now (through the same sampler as the metrics, so the CPU
/// share is the one since the previous scrape or reading).
///
/// ```
/// let host = monitor_runtime::system::read();
/// assert!(host.memory_size > 0);
/// assert!((0.0..=1.0).contains(&host.cpu_utilization));
/// ```
pub fn read() -> HostFigures {
    let mut sampler = ignore_poison(SAMPLER.lock());
    sampler.refresh();
    HostFigures {
        cpu_utilization: sampler.cpu_utilization(),
        logical_cores: sampler.system.cpus().len(),
        memory_size: sampler.system.total_memory(),
        memory_used: sampler.system.used_memory(),
        disks: sampler
            .disks
            .list()
            .iter()
            .map(|disk| {
                (
                    disk.mount_point().display().to_string(),
                    disk.total_space(),
                    disk.available_space(),
                )
            })
            .collect(),
    }
}

/// The one `sysinfo` state of the process: CPU usage is a difference between two
/// readings, so the metrics and the dashboard share it.
static SAMPLER: LazyLock<Mutex<Sampler>> = LazyLock::new(|| Mutex::new(Sampler::new()));

struct Sampler {
    system: System,
    disks: Disks,
    networks: Networks,
    refreshed_once: bool,
}

impl Sampler {
    fn new() -> Self {
        Self {
            system: System::new_with_specifics(
                RefreshKind::nothing()
                    .with_cpu(CpuRefreshKind::nothing().with_cpu_usage())
                    .with_memory(MemoryRefreshKind::everything()),
            ),
            disks: Disks::new(),
            networks: Networks::new(),
            refreshed_once: false,
        }
    }

    fn refresh(&mut self) {
        self.system.refresh_cpu_usage();
        self.system.refresh_memory();
        self.disks.refresh(true);
        self.networks.refresh(true);
        self.refreshed_once = true;
    }

    fn cpu_utilization(&self) -> f64 {
        (f64::from(self.system.global_cpu_usage()) / 100.0).clamp(0.0, 1.0)
    }
}

/// The host metric families, filled from a fresh reading at each collection.
struct HostCollector {
    cpu: Gauge,
    cores: Gauge,
    load: Gauge,
    memory_size: Gauge,
    memory_used: Gauge,
    memory_available: Gauge,
    swap_size: Gauge,
    swap_used: Gauge,
    disk_size: GaugeVec,
    disk_available: GaugeVec,
    received: IntCounterVec,
    transmitted: IntCounterVec,
    uptime: Gauge,
    /// Interface → the `(received, transmitted)` totals already added to the counters.
    network_totals: Mutex<HashMap<String, (u64, u64)>>,
    descs: Vec<Desc>,
}

fn gauge(name: &str, help: &str) -> Gauge {
    Gauge::with_opts(Opts::new(name, help)).expect("valid static metric options")
}

impl HostCollector {
    fn new() -> Self {
        let disk = |name: &str, help: &str| {
            GaugeVec::new(Opts::new(name, help), &["mountpoint"])
                .expect("valid static metric options")
        };
        let network = |name: &str, help: &str| {
            IntCounterVec::new(Opts::new(name, help), &["interface"])
                .expect("valid static metric options")
        };
        let mut collector = Self {
            cpu: gauge(
                "system_cpu_utilization_ratio",
                "Share of all logical CPUs of the host busy since the previous reading (0 to 1).",
            ),
            cores: gauge("system_cpu_logical_cores", "Logical CPUs of the host."),
            load: gauge(
                "system_load_average_1m",
                "One-minute load average of the host (0 where the system has none).",
            ),
            memory_size: gauge("system_memory_size_bytes", "Physical memory of the host."),
            memory_used: gauge(
                "system_memory_used_bytes",
                "Physical memory of the host in use.",
            ),
            memory_available: gauge(
                "system_memory_available_bytes",
                "Memory of the host available to new programs without swapping.",
            ),
            swap_size: gauge("system_swap_size_bytes", "Swap space of the host."),
            swap_used: gauge("system_swap_used_bytes", "Swap space of the host in use."),
            disk_size: disk(
                "system_disk_size_bytes",
                "Size of each mounted file system of the host.",
            ),
            disk_available: disk(
                "system_disk_available_bytes",
                "Space available to this process on each mounted file system of the host.",
            ),
            received: network(
                "system_network_received_bytes_total",
                "Bytes received by each network interface of the host since monitoring started.",
            ),
            transmitted: network(
                "system_network_transmitted_bytes_total",
                "Bytes sent by each network interface of the host since monitoring started.",
            ),
            uptime: gauge("system_uptime_seconds", "Time since the host booted."),
            network_totals: Mutex::new(HashMap::new()),
            descs: Vec::new(),
        };
        collector.descs = collector
            .parts()
            .iter()
            .flat_map(|part| part.desc())
            .cloned()
            .collect();
        collector
    }

    fn parts(&self) -> [&dyn Collector; 13] {
        [
            &self.cpu,
            &self.cores,
            &self.load,
            &self.memory_size,
            &self.memory_used,
            &self.memory_available,
            &self.swap_size,
            &self.swap_used,
            &self.disk_size,
            &self.disk_available,
            &self.received,
            &self.transmitted,
            &self.uptime,
        ]
    }

    fn update(&self) {
        let mut sampler = ignore_poison(SAMPLER.lock());
        let first = !sampler.refreshed_once;
        sampler.refresh();
        // The first reading has no earlier one to compare with: sysinfo's figure is
        // meaningless then.
        self.cpu.set(if first {
            0.0
        } else {
            sampler.cpu_utilization()
        });
        let system = &sampler.system;
        self.cores.set(system.cpus().len() as f64);
        self.load.set(System::load_average().one);
        self.memory_size.set(system.total_memory() as f64);
        self.memory_used.set(system.used_memory() as f64);
        self.memory_available.set(system.available_memory() as f64);
        self.swap_size.set(system.total_swap() as f64);
        self.swap_used.set(system.used_swap() as f64);
        self.uptime.set(System::uptime() as f64);
        for disk in sampler.disks.list() {
            let mountpoint = disk.mount_point().display().to_string();
            self.disk_size
                .with_label_values(&[&mountpoint])
                .set(disk.total_space() as f64);
            self.disk_available
                .with_label_values(&[&mountpoint])
                .set(disk.available_space() as f64);
        }
        let mut totals = ignore_poison(self.network_totals.lock());
        for (interface, data) in sampler.networks.list() {
            let (received, transmitted) = (data.total_received(), data.total_transmitted());
            let seen = totals.entry(interface.clone()).or_insert((0, 0));
            // Counters only go up: a total that went down (an interface re-created)
            // starts again from its new value.
            self.received
                .with_label_values(&[interface])
                .inc_by(received.checked_sub(seen.0).unwrap_or(received));
            self.transmitted
                .with_label_values(&[interface])
                .inc_by(transmitted.checked_sub(seen.1).unwrap_or(transmitted));
            *seen = (received, transmitted);
        }
    }
}

impl Collector for HostCollector {
    fn desc(&self) -> Vec<&Desc> {
        self.descs.iter().collect()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        self.update();
        self.parts()
            .iter()
            .flat_map(|part| part.collect())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_is_described_and_collected() {
        let collector = HostCollector::new();
        assert_eq!(collector.desc().len(), 13);
        let families = collector.collect();
        let names: Vec<&str> = families.iter().map(|family| family.name()).collect();
        for name in [
            "system_cpu_utilization_ratio",
            "system_memory_size_bytes",
            "system_uptime_seconds",
        ] {
            assert!(names.contains(&name), "{name} missing from {names:?}");
        }
    }
}
