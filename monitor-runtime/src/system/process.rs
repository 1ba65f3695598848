//! The process' own figures (CPU time, memory, file descriptors, threads, start
//! time), read from `/proc/self` at each collection straight into the model: on
//! Linux only, added at start-up. The names and help texts are those of the
//! Prometheus client libraries' process collectors, which dashboards and alerts
//! expect.

use std::sync::LazyLock;

use procfs::process::Process;

use crate::core::model::{Family, Kind, Labels, Value};
use crate::core::{Claim, INITIALISERS, Initialiser, Phase, Source, add_source, report};

const CPU: &str = "process_cpu_seconds_total";
const CPU_HELP: &str = "Total user and system CPU time spent in seconds.";
const OPEN_FDS: &str = "process_open_fds";
const OPEN_FDS_HELP: &str = "Number of open file descriptors.";
const MAX_FDS: &str = "process_max_fds";
const MAX_FDS_HELP: &str = "Maximum number of open file descriptors.";
const VIRTUAL: &str = "process_virtual_memory_bytes";
const VIRTUAL_HELP: &str = "Virtual memory size in bytes.";
const RESIDENT: &str = "process_resident_memory_bytes";
const RESIDENT_HELP: &str = "Resident memory size in bytes.";
const START: &str = "process_start_time_seconds";
const START_HELP: &str = "Start time of the process since unix epoch in seconds.";
const THREADS: &str = "process_threads";
const THREADS_HELP: &str = "Number of OS threads in the process.";

/// The families of the process, sorted by name.
const CLAIMS: [Claim; 7] = [
    Claim::new(CPU, Kind::Counter, CPU_HELP),
    Claim::new(MAX_FDS, Kind::Gauge, MAX_FDS_HELP),
    Claim::new(OPEN_FDS, Kind::Gauge, OPEN_FDS_HELP),
    Claim::new(RESIDENT, Kind::Gauge, RESIDENT_HELP),
    Claim::new(START, Kind::Gauge, START_HELP),
    Claim::new(THREADS, Kind::Gauge, THREADS_HELP),
    Claim::new(VIRTUAL, Kind::Gauge, VIRTUAL_HELP),
];

/// What does not change while the process runs, read once.
struct ProcessFigures {
    /// Clock ticks per second, the unit of the CPU times in `stat`.
    ticks: f64,
    /// Bytes per page, the unit of the resident set in `stat`.
    page: f64,
    /// Seconds since the Unix epoch, when `/proc` tells it.
    start: Option<f64>,
}

static PROCESS: LazyLock<ProcessFigures> = LazyLock::new(|| {
    let ticks = procfs::ticks_per_second() as f64;
    let start = Process::myself()
        .and_then(|process| process.stat())
        .ok()
        .zip(procfs::boot_time_secs().ok())
        .map(|(stat, boot)| boot as f64 + (stat.starttime as f64 / ticks).floor());
    ProcessFigures {
        ticks,
        page: procfs::page_size() as f64,
        start,
    }
});

impl Source for ProcessFigures {
    fn collect(&self, out: &mut Vec<Family>) {
        let one = |name, help, kind, value| {
            let mut family = Family::new(name, help, kind);
            family.push(Labels::empty(), value);
            family
        };
        let gauge = |name, help, value| one(name, help, Kind::Gauge, Value::Gauge(value));
        let Ok(process) = Process::myself() else {
            // No `/proc` (a sandbox): nothing to tell.
            return;
        };
        if let Ok(stat) = process.stat() {
            let cpu = (stat.utime + stat.stime) as f64 / self.ticks;
            out.push(one(CPU, CPU_HELP, Kind::Counter, Value::counter(cpu)));
            out.push(gauge(RESIDENT, RESIDENT_HELP, stat.rss as f64 * self.page));
            out.push(gauge(THREADS, THREADS_HELP, stat.num_threads as f64));
            out.push(gauge(VIRTUAL, VIRTUAL_HELP, stat.vsize as f64));
        }
        if let Some(max) = rustix::process::getrlimit(rustix::process::Resource::Nofile).current {
            out.push(gauge(MAX_FDS, MAX_FDS_HELP, max as f64));
        }
        if let Ok(open) = process.fd_count() {
            out.push(gauge(OPEN_FDS, OPEN_FDS_HELP, open as f64));
        }
        if let Some(start) = self.start {
            out.push(gauge(START, START_HELP, start));
        }
    }
}

#[linkme::distributed_slice(INITIALISERS)]
static INITIALISER: Initialiser = Initialiser {
    phase: Phase::Feature,
    name: "system",
    run: add_the_source,
};

/// Adds the process figures.
fn add_the_source() {
    let process: &'static ProcessFigures = &PROCESS;
    if let Err(conflict) = add_source(
        process,
        &CLAIMS,
        "the process figures",
        "the start-up of monitor_runtime",
    ) {
        report(conflict.into_error("monitor_runtime (the process figures)"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_is_claimed_and_tells_this_process() {
        let mut families = Vec::new();
        PROCESS.collect(&mut families);
        assert_eq!(families.len(), CLAIMS.len(), "{families:?}");
        for family in &families {
            let claim = CLAIMS
                .iter()
                .find(|claim| claim.name == family.name)
                .unwrap_or_else(|| panic!("{} is not claimed", family.name));
            assert_eq!(
                (family.kind, family.help.as_ref()),
                (claim.kind, claim.help)
            );
        }
        let value = |name: &str| {
            families
                .iter()
                .find(|family| family.name == name)
                .map(|family| family.series[0].value.scalar())
                .unwrap()
        };
        assert!(value(OPEN_FDS) >= 3.0, "stdin, stdout and stderr at least");
        assert!(value(MAX_FDS) >= value(OPEN_FDS));
        assert!(
            value(RESIDENT) > 1e6,
            "a running test takes more than a megabyte"
        );
        assert!(value(VIRTUAL) >= value(RESIDENT));
        assert!(value(THREADS) >= 1.0);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        let start = value(START);
        assert!(
            start <= now + 1.0 && start > now - 86_400.0,
            "{start} vs {now}"
        );
        // Some work, then the CPU time has gone up (it is kept to the clock tick,
        // not to the second).
        let before = value(CPU);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let mut after = before;
        let mut spin = 0_u64;
        while after <= before && std::time::Instant::now() < deadline {
            for _ in 0..1_000_000 {
                spin = std::hint::black_box(spin.wrapping_add(1));
            }
            let mut again = Vec::new();
            PROCESS.collect(&mut again);
            after = again[0].series[0].value.scalar();
        }
        assert!(after > before, "the CPU time went from {before} to {after}");
    }
}
