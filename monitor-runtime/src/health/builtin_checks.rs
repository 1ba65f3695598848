//! Opt-in checks of the machine, with figures from the `sysinfo` crate.

use std::path::{Path, PathBuf};

use super::types::{CheckFuture, CheckSpec, Health, HealthCheck};

/// Free space on the file system holding a path, against a minimum.
///
/// Unhealthy below the minimum, healthy otherwise; the details give the free and
/// total bytes. Each run asks for the file system of its own path only (one
/// `statvfs` on Unix), never for every mount, and like every check its synchronous
/// work runs on tokio's blocking pool under its timeout: a hung network file system
/// makes it time out, not a probe hang. A liveness check by default would be wrong
/// (a full disk is not fixed by a restart): it belongs to readiness unless changed
/// with [`DiskSpace::spec`].
///
/// ```
/// use monitor_runtime::health::{self, builtin::DiskSpace};
///
/// health::register(DiskSpace::new("/").min_free_bytes(512 * 1024 * 1024)).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct DiskSpace {
    spec: CheckSpec,
    path: PathBuf,
    min_free_bytes: u64,
    min_free_ratio: f64,
}

impl DiskSpace {
    /// Watches the file system of `path`, named `disk_space`, requiring 1 GiB free
    /// and no ratio.
    ///
    /// ```
    /// let check = monitor_runtime::health::builtin::DiskSpace::new(std::env::temp_dir());
    /// # let _ = check;
    /// ```
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            spec: CheckSpec::new("disk_space"),
            path: path.into(),
            min_free_bytes: 1 << 30,
            min_free_ratio: 0.0,
        }
    }

    /// The minimum free space, in bytes.
    ///
    /// ```
    /// let check = monitor_runtime::health::builtin::DiskSpace::new("/").min_free_bytes(0);
    /// # let _ = check;
    /// ```
    pub fn min_free_bytes(mut self, bytes: u64) -> Self {
        self.min_free_bytes = bytes;
        self
    }

    /// The minimum free fraction of the file system, between 0 and 1.
    ///
    /// ```
    /// let check = monitor_runtime::health::builtin::DiskSpace::new("/").min_free_ratio(0.1);
    /// # let _ = check;
    /// ```
    pub fn min_free_ratio(mut self, ratio: f64) -> Self {
        self.min_free_ratio = ratio.clamp(0.0, 1.0);
        self
    }

    /// Replaces the name, probe, criticality, timeout or caching.
    ///
    /// ```
    /// use monitor_runtime::health::{CheckSpec, builtin::DiskSpace};
    /// let check = DiskSpace::new("/var/lib/app").spec(CheckSpec::new("data_disk").critical(false));
    /// # let _ = check;
    /// ```
    pub fn spec(mut self, spec: CheckSpec) -> Self {
        self.spec = spec;
        self
    }

    #[cfg(unix)]
    fn measure(&self) -> Health {
        match rustix::fs::statvfs(&self.path) {
            Ok(stats) => verdict_disk(
                &self.path,
                stats.f_bavail.saturating_mul(stats.f_frsize),
                stats.f_blocks.saturating_mul(stats.f_frsize),
                self.min_free_bytes,
                self.min_free_ratio,
            ),
            Err(error) => Health::unhealthy(format!(
                "the file system of `{}` could not be read: {error}",
                self.path.display()
            )),
        }
    }

    #[cfg(not(unix))]
    fn measure(&self) -> Health {
        let disks = sysinfo::Disks::new_with_refreshed_list();
        let path = self
            .path
            .canonicalize()
            .unwrap_or_else(|_| self.path.clone());
        // The longest mount point that contains the path is its file system.
        let Some(disk) = disks
            .list()
            .iter()
            .filter(|disk| path.starts_with(disk.mount_point()))
            .max_by_key(|disk| disk.mount_point().as_os_str().len())
        else {
            return Health::unhealthy(format!(
                "no mounted file system holds `{}`",
                self.path.display()
            ));
        };
        verdict_disk(
            &self.path,
            disk.available_space(),
            disk.total_space(),
            self.min_free_bytes,
            self.min_free_ratio,
        )
    }
}

fn verdict_disk(path: &Path, free: u64, total: u64, min_bytes: u64, min_ratio: f64) -> Health {
    let ratio = if total == 0 {
        1.0
    } else {
        free as f64 / total as f64
    };
    let health = if free < min_bytes || ratio < min_ratio {
        Health::unhealthy(format!(
            "{free} bytes free on the file system of `{}` ({:.1}%), below the minimum",
            path.display(),
            ratio * 100.0
        ))
    } else {
        Health::healthy()
    };
    health
        .with_detail("free_bytes", free)
        .with_detail("total_bytes", total)
}

impl HealthCheck for DiskSpace {
    fn spec(&self) -> CheckSpec {
        self.spec.clone()
    }

    fn check(&self) -> CheckFuture<'_> {
        Box::pin(std::future::ready(self.measure()))
    }
}

/// Memory use against a maximum fraction: of the cgroup limit when the process runs
/// in a container that has one, of the machine's memory otherwise. Its reads run on
/// tokio's blocking pool under its timeout, as every check's synchronous work does.
///
/// ```
/// use monitor_runtime::health::{self, builtin::Memory};
///
/// health::register(Memory::new().max_used_ratio(0.9)).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct Memory {
    spec: CheckSpec,
    max_used_ratio: f64,
}

impl Default for Memory {
    fn default() -> Self {
        Self::new()
    }
}

impl Memory {
    /// Named `memory`, unhealthy above 95 % used.
    ///
    /// ```
    /// let check = monitor_runtime::health::builtin::Memory::new();
    /// # let _ = check;
    /// ```
    pub fn new() -> Self {
        Self {
            spec: CheckSpec::new("memory"),
            max_used_ratio: 0.95,
        }
    }

    /// The maximum used fraction, between 0 and 1.
    ///
    /// ```
    /// let check = monitor_runtime::health::builtin::Memory::new().max_used_ratio(0.8);
    /// # let _ = check;
    /// ```
    pub fn max_used_ratio(mut self, ratio: f64) -> Self {
        self.max_used_ratio = ratio.clamp(0.0, 1.0);
        self
    }

    /// Replaces the name, probe, criticality, timeout or caching.
    ///
    /// ```
    /// use monitor_runtime::health::{CheckSpec, builtin::Memory};
    /// let check = Memory::new().spec(CheckSpec::new("ram").critical(false));
    /// # let _ = check;
    /// ```
    pub fn spec(mut self, spec: CheckSpec) -> Self {
        self.spec = spec;
        self
    }

    fn measure(&self) -> Health {
        let mut system = sysinfo::System::new();
        system.refresh_memory();
        let (used, total, scope) = match system.cgroup_limits() {
            Some(limits) if limits.total_memory > 0 => (
                limits.total_memory.saturating_sub(limits.free_memory),
                limits.total_memory,
                "cgroup",
            ),
            _ => (
                system
                    .total_memory()
                    .saturating_sub(system.available_memory()),
                system.total_memory(),
                "machine",
            ),
        };
        verdict_memory(used, total, scope, self.max_used_ratio)
    }
}

fn verdict_memory(used: u64, total: u64, scope: &str, max_ratio: f64) -> Health {
    if total == 0 {
        return Health::unhealthy("the total memory could not be read");
    }
    let ratio = used as f64 / total as f64;
    let health = if ratio > max_ratio {
        Health::unhealthy(format!(
            "{:.1}% of {scope} memory used, above {:.1}%",
            ratio * 100.0,
            max_ratio * 100.0
        ))
    } else {
        Health::healthy()
    };
    health
        .with_detail("used_bytes", used)
        .with_detail("total_bytes", total)
        .with_detail("scope", scope)
}

impl HealthCheck for Memory {
    fn spec(&self) -> CheckSpec {
        self.spec.clone()
    }

    fn check(&self) -> CheckFuture<'_> {
        Box::pin(std::future::ready(self.measure()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::types::Status;

    #[test]
    fn disk_verdicts() {
        let path = Path::new("/data");
        assert_eq!(
            verdict_disk(path, 10, 100, 20, 0.0).status(),
            Status::Unhealthy
        );
        assert_eq!(
            verdict_disk(path, 10, 100, 5, 0.2).status(),
            Status::Unhealthy
        );
        let fine = verdict_disk(path, 50, 100, 5, 0.2);
        assert_eq!(fine.status(), Status::Healthy);
        assert_eq!(fine.details()["free_bytes"], "50");
    }

    #[test]
    fn memory_verdicts() {
        assert_eq!(
            verdict_memory(96, 100, "machine", 0.95).status(),
            Status::Unhealthy
        );
        assert_eq!(
            verdict_memory(50, 100, "cgroup", 0.95).status(),
            Status::Healthy
        );
        assert_eq!(
            verdict_memory(1, 0, "machine", 0.95).status(),
            Status::Unhealthy
        );
    }

    #[test]
    fn real_figures_are_read() {
        let memory = Memory::new().max_used_ratio(1.0).measure();
        assert_eq!(memory.status(), Status::Healthy, "{memory:?}");
        assert!(memory.details()["total_bytes"].parse::<u64>().unwrap() > 0);
        let disk = DiskSpace::new(std::env::temp_dir())
            .min_free_bytes(0)
            .measure();
        assert_eq!(disk.status(), Status::Healthy, "{disk:?}");
        assert!(disk.details()["total_bytes"].parse::<u64>().unwrap() > 0);
    }

    #[test]
    fn a_path_that_cannot_be_read_is_unhealthy() {
        let disk = DiskSpace::new("/no/such/directory/here")
            .min_free_bytes(0)
            .measure();
        assert_eq!(disk.status(), Status::Unhealthy, "{disk:?}");
        assert!(
            disk.reason().unwrap().contains("/no/such/directory/here"),
            "{disk:?}"
        );
    }
}
