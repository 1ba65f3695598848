//! Figures of the host beside the process ones: CPU, memory, swap, disks and network
//! interfaces, read with [`sysinfo`] at scrape time. Behind the `system` cargo feature.
//!
//! | metric | type | labels | meaning |
//! |---|---|---|---|
//! | `system_cpu_utilization_ratio` | gauge | | share of all logical CPUs busy since the previous reading (a scrape, the dashboard's sampler), 0..1 (0 at the first) |
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
//! process collector, which this feature adds at start-up on Linux.
//!
//! The exporter watches the host when it builds its routes; a program that
//! serves [`render_metrics`](crate::render_metrics) with a server of its own calls
//! [`watch`] once, as [`pool::watch`](crate::pool::watch) and [`runtime_metrics::watch`](crate::runtime_metrics::watch) expose what they watch:
//!
//! ```
//! monitor_runtime::system::watch();
//! let text = monitor_runtime::render_metrics().unwrap();
//! assert!(text.contains("system_memory_size_bytes"));
//! ```
//!
//! Disks and interfaces are listed again at each scrape, so a file system mounted or
//! an interface added later appears; one that disappears keeps its last values.

use std::collections::BTreeMap;
use std::sync::{LazyLock, Mutex};

use sysinfo::{CpuRefreshKind, Disks, MemoryRefreshKind, Networks, RefreshKind, System};

use crate::core::model::{Family, Kind, Labels, Value};
use crate::core::{Claim, Source, add_source, ignore_poison, report};

#[cfg(target_os = "linux")]
mod process;

/// Watches the host: adds its metric families to the exposition (read at each
/// scrape), once; later calls do nothing.
/// A refusal (a family of the same name claimed by someone else) is reported like
/// every registration problem.
///
/// ```
/// monitor_runtime::system::watch();
/// monitor_runtime::system::watch(); // idempotent
/// ```
pub fn watch() {
    static REGISTERED: LazyLock<()> = LazyLock::new(|| {
        let location = "monitor_runtime::system";
        if let Err(conflict) = add_source(&HOST, &HOST_CLAIMS, "the host metrics", location) {
            report(conflict.into_error(location));
        }
    });
    LazyLock::force(&REGISTERED);
}

/// The host's figures, read once, for the built-in dashboard.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub(crate) struct HostFigures {
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
pub(crate) fn read() -> HostFigures {
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

const CPU: &str = "system_cpu_utilization_ratio";
const CPU_HELP: &str =
    "Share of all logical CPUs of the host busy since the previous reading (0 to 1).";
const CORES: &str = "system_cpu_logical_cores";
const CORES_HELP: &str = "Logical CPUs of the host.";
const LOAD: &str = "system_load_average_1m";
const LOAD_HELP: &str = "One-minute load average of the host (0 where the system has none).";
const MEMORY_SIZE: &str = "system_memory_size_bytes";
const MEMORY_SIZE_HELP: &str = "Physical memory of the host.";
const MEMORY_USED: &str = "system_memory_used_bytes";
const MEMORY_USED_HELP: &str = "Physical memory of the host in use.";
const MEMORY_AVAILABLE: &str = "system_memory_available_bytes";
const MEMORY_AVAILABLE_HELP: &str =
    "Memory of the host available to new programs without swapping.";
const SWAP_SIZE: &str = "system_swap_size_bytes";
const SWAP_SIZE_HELP: &str = "Swap space of the host.";
const SWAP_USED: &str = "system_swap_used_bytes";
const SWAP_USED_HELP: &str = "Swap space of the host in use.";
const DISK_SIZE: &str = "system_disk_size_bytes";
const DISK_SIZE_HELP: &str = "Size of each mounted file system of the host.";
const DISK_AVAILABLE: &str = "system_disk_available_bytes";
const DISK_AVAILABLE_HELP: &str =
    "Space available to this process on each mounted file system of the host.";
const RECEIVED: &str = "system_network_received_bytes_total";
const RECEIVED_HELP: &str =
    "Bytes received by each network interface of the host since monitoring started.";
const TRANSMITTED: &str = "system_network_transmitted_bytes_total";
const TRANSMITTED_HELP: &str =
    "Bytes sent by each network interface of the host since monitoring started.";
const UPTIME: &str = "system_uptime_seconds";
const UPTIME_HELP: &str = "Time since the host booted.";

/// The host families.
const HOST_CLAIMS: [Claim; 13] = [
    Claim::new(CPU, Kind::Gauge, CPU_HELP),
    Claim::new(CORES, Kind::Gauge, CORES_HELP),
    Claim::new(LOAD, Kind::Gauge, LOAD_HELP),
    Claim::new(MEMORY_SIZE, Kind::Gauge, MEMORY_SIZE_HELP),
    Claim::new(MEMORY_USED, Kind::Gauge, MEMORY_USED_HELP),
    Claim::new(MEMORY_AVAILABLE, Kind::Gauge, MEMORY_AVAILABLE_HELP),
    Claim::new(SWAP_SIZE, Kind::Gauge, SWAP_SIZE_HELP),
    Claim::new(SWAP_USED, Kind::Gauge, SWAP_USED_HELP),
    Claim::new(DISK_SIZE, Kind::Gauge, DISK_SIZE_HELP),
    Claim::new(DISK_AVAILABLE, Kind::Gauge, DISK_AVAILABLE_HELP),
    Claim::new(RECEIVED, Kind::Counter, RECEIVED_HELP),
    Claim::new(TRANSMITTED, Kind::Counter, TRANSMITTED_HELP),
    Claim::new(UPTIME, Kind::Gauge, UPTIME_HELP),
];

/// The host families, from a fresh reading at each collection.
struct HostFamilies(Mutex<Seen>);

static HOST: HostFamilies = HostFamilies(Mutex::new(Seen {
    disks: BTreeMap::new(),
    interfaces: BTreeMap::new(),
}));

/// What earlier readings found: a file system or an interface that disappears keeps
/// its last values.
struct Seen {
    /// Mount point → its series.
    disks: BTreeMap<String, Disk>,
    /// Interface → its series.
    interfaces: BTreeMap<String, Interface>,
}

struct Disk {
    /// `mountpoint`.
    labels: Labels,
    size: u64,
    available: u64,
}

struct Interface {
    /// `interface`.
    labels: Labels,
    /// The counters: bytes since monitoring started.
    received: u64,
    transmitted: u64,
    /// The interface's own totals at the previous reading.
    totals: (u64, u64),
}

impl Source for HostFamilies {
    fn collect(&self, out: &mut Vec<Family>) {
        let mut sampler = ignore_poison(SAMPLER.lock());
        let first = !sampler.refreshed_once;
        sampler.refresh();
        let gauge = |name, help, value: f64| {
            let mut family = Family::new(name, help, Kind::Gauge);
            family.push(Labels::empty(), Value::Gauge(value));
            family
        };
        // The first reading has no earlier one to compare with: sysinfo's figure is
        // meaningless then.
        let cpu = if first {
            0.0
        } else {
            sampler.cpu_utilization()
        };
        let system = &sampler.system;
        out.extend([
            gauge(CPU, CPU_HELP, cpu),
            gauge(CORES, CORES_HELP, system.cpus().len() as f64),
            gauge(LOAD, LOAD_HELP, System::load_average().one),
            gauge(MEMORY_SIZE, MEMORY_SIZE_HELP, system.total_memory() as f64),
            gauge(MEMORY_USED, MEMORY_USED_HELP, system.used_memory() as f64),
            gauge(
                MEMORY_AVAILABLE,
                MEMORY_AVAILABLE_HELP,
                system.available_memory() as f64,
            ),
            gauge(SWAP_SIZE, SWAP_SIZE_HELP, system.total_swap() as f64),
            gauge(SWAP_USED, SWAP_USED_HELP, system.used_swap() as f64),
            gauge(UPTIME, UPTIME_HELP, System::uptime() as f64),
        ]);
        let mut seen = ignore_poison(self.0.lock());
        for disk in sampler.disks.list() {
            let mountpoint = disk.mount_point().display().to_string();
            let series = seen
                .disks
                .entry(mountpoint)
                .or_insert_with_key(|mountpoint| Disk {
                    labels: Labels::new([("mountpoint", mountpoint.clone())]),
                    size: 0,
                    available: 0,
                });
            series.size = disk.total_space();
            series.available = disk.available_space();
        }
        for (name, data) in sampler.networks.list() {
            let totals = (data.total_received(), data.total_transmitted());
            let series = seen
                .interfaces
                .entry(name.clone())
                .or_insert_with_key(|name| Interface {
                    labels: Labels::new([("interface", name.clone())]),
                    received: 0,
                    transmitted: 0,
                    totals: (0, 0),
                });
            // Counters only go up: a total that went down (an interface re-created)
            // starts again from its new value.
            series.received += totals.0.checked_sub(series.totals.0).unwrap_or(totals.0);
            series.transmitted += totals.1.checked_sub(series.totals.1).unwrap_or(totals.1);
            series.totals = totals;
        }
        drop(sampler);
        let mut disk_size = Family::new(DISK_SIZE, DISK_SIZE_HELP, Kind::Gauge);
        let mut disk_available = Family::new(DISK_AVAILABLE, DISK_AVAILABLE_HELP, Kind::Gauge);
        for disk in seen.disks.values() {
            disk_size.push(disk.labels.clone(), Value::Gauge(disk.size as f64));
            disk_available.push(disk.labels.clone(), Value::Gauge(disk.available as f64));
        }
        let mut received = Family::new(RECEIVED, RECEIVED_HELP, Kind::Counter);
        let mut transmitted = Family::new(TRANSMITTED, TRANSMITTED_HELP, Kind::Counter);
        for interface in seen.interfaces.values() {
            received.push(
                interface.labels.clone(),
                Value::counter(interface.received as f64),
            );
            transmitted.push(
                interface.labels.clone(),
                Value::counter(interface.transmitted as f64),
            );
        }
        out.extend([disk_size, disk_available, received, transmitted]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_is_claimed_and_collected() {
        assert_eq!(HOST_CLAIMS.len(), 13);
        let mut families = Vec::new();
        HOST.collect(&mut families);
        let names: Vec<&str> = families.iter().map(|family| family.name.as_ref()).collect();
        for claim in HOST_CLAIMS {
            assert!(
                names.contains(&claim.name),
                "{} missing from {names:?}",
                claim.name
            );
        }
        for name in [
            "system_cpu_utilization_ratio",
            "system_memory_size_bytes",
            "system_uptime_seconds",
        ] {
            assert!(names.contains(&name), "{name} missing from {names:?}");
        }
        for family in &families {
            let claim = HOST_CLAIMS
                .iter()
                .find(|claim| claim.name == family.name)
                .unwrap();
            assert_eq!(
                (family.kind, family.help.as_ref()),
                (claim.kind, claim.help)
            );
        }
    }
}
