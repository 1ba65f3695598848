//! The one clock of the hot paths (monitored calls, HTTP requests): `quanta`'s,
//! calibrated once, read inline with `rdtsc` where it reads the TSC.

use std::sync::OnceLock;

/// The clock calls and requests are timed with: the TSC where it is invariant,
/// calibrated against the monotonic clock, else the monotonic clock itself (`quanta`
/// decides and calibrates).
pub(crate) fn clock() -> &'static CallClock {
    static CLOCK: OnceLock<CallClock> = OnceLock::new();
    CLOCK.get_or_init(CallClock::new)
}

/// `quanta`'s clock, read without a call into it when it reads the TSC: its raw
/// reading is then the TSC itself, which `rdtsc` gives inline.
#[derive(Clone)]
pub(crate) struct CallClock {
    clock: quanta::Clock,
    /// Whether `clock`'s raw readings are the TSC.
    tsc: bool,
    /// Nanoseconds per 2³² raw units: `quanta`'s calibration (a linear scale) taken
    /// once, so that a difference converts with one multiplication.
    scale: u64,
}

impl CallClock {
    fn new() -> Self {
        let clock = quanta::Clock::new();
        let tsc = reads_tsc(&clock);
        let scale = clock.delta_as_nanos(0, 1 << 32);
        Self { clock, tsc, scale }
    }

    /// A raw reading, in the units of [`CallClock::delta_as_nanos`].
    #[inline(always)]
    pub(crate) fn raw(&self) -> u64 {
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        if self.tsc {
            // SAFETY: `rdtsc` exists on every x86_64 processor.
            return unsafe { core::arch::x86_64::_rdtsc() };
        }
        self.clock.raw()
    }

    /// The raw units of `nanos` nanoseconds (the inverse of [`delta_as_nanos`](Self::delta_as_nanos)).
    pub(crate) fn nanos_as_delta(&self, nanos: u64) -> u64 {
        u64::try_from((u128::from(nanos) << 32) / u128::from(self.scale.max(1))).unwrap_or(u64::MAX)
    }

    /// Nanoseconds between two raw readings (0 if `end` is not after `start`).
    #[inline(always)]
    pub(crate) fn delta_as_nanos(&self, start: u64, end: u64) -> u64 {
        let delta = end.saturating_sub(start);
        ((u128::from(delta) * u128::from(self.scale)) >> 32) as u64
    }
}

/// Whether `clock`'s raw readings are the TSC: a raw reading taken between two TSC
/// readings lies between them, which monotonic nanoseconds (on another scale) do not.
fn reads_tsc(clock: &quanta::Clock) -> bool {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        (0..3).all(|_| {
            // SAFETY: as in `CallClock::raw`.
            let before = unsafe { core::arch::x86_64::_rdtsc() };
            let raw = clock.raw();
            let after = unsafe { core::arch::x86_64::_rdtsc() };
            before <= raw && raw <= after
        })
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        let _ = clock;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::clock;

    #[test]
    fn differences_convert_as_quanta_converts_them() {
        let clock = clock();
        for delta in [0_u64, 1, 1_000, 3_000_000, 1 << 40] {
            let ours = clock.delta_as_nanos(1_000, 1_000 + delta);
            let theirs = clock.clock.delta_as_nanos(1_000, 1_000 + delta);
            // The same scale, rounded once more: within a nanosecond and a
            // billionth.
            let tolerance = 1 + theirs / 1_000_000_000;
            assert!(
                ours.abs_diff(theirs) <= tolerance,
                "{delta}: {ours} vs {theirs}"
            );
        }
        assert_eq!(clock.delta_as_nanos(5, 3), 0);
    }

    #[test]
    fn a_measured_sleep_reads_about_right() {
        let clock = clock();
        // The monotonic clock around our readings bounds them from above, however
        // long a loaded machine keeps the thread asleep.
        let outside = std::time::Instant::now();
        let start = clock.raw();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let nanos = clock.delta_as_nanos(start, clock.raw());
        let around = u64::try_from(outside.elapsed().as_nanos()).unwrap();
        // Within 5 % and a microsecond of the monotonic clock (the calibration's
        // error is far below that).
        let bound = around + around / 20 + 1_000;
        assert!((20_000_000..=bound).contains(&nanos), "{nanos} of {around}");
    }
}
