//! Figures and limits of the test process itself (its resident memory and its
//! file-descriptor limit), and a test of it run again in a child process.

/// The resident set size of this process, in bytes (Linux: `VmRSS` of
/// `/proc/self/status`).
///
/// # Panics
///
/// If `/proc/self/status` cannot be read.
pub fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map(|kib| kib * 1024)
        .expect("VmRSS in /proc/self/status")
}

/// Raises the soft limit on open files to `wanted` (or the hard limit, if lower)
/// and returns the soft limit now in force.
pub fn raise_fd_limit(wanted: u64) -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable rlimit for the duration of each call.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 0;
        }
        if limit.rlim_cur < wanted {
            limit.rlim_cur = wanted.min(limit.rlim_max);
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
            libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
        }
    }
    limit.rlim_cur
}

/// Whether this process is the child [`stderr_of_alone`] started with `marker` set.
pub fn is_child(marker: &str) -> bool {
    std::env::var_os(marker).is_some()
}

/// Runs test `test` of this test binary again, alone, in a child process with the
/// environment variable `marker` set (the test checks [`is_child`] to play the
/// child's part: a process of its own, with no `tracing` subscriber installed by
/// another test), and returns what the child wrote to stderr.
///
/// # Panics
///
/// If the child cannot be started or fails.
pub fn stderr_of_alone(test: &str, marker: &str) -> String {
    let output = std::process::Command::new(std::env::current_exe().expect("the test binary"))
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(marker, "1")
        .output()
        .expect("the child starts");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "the child failed: {stderr}");
    stderr
}
