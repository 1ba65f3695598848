//! `#[track_caller]` is preserved: the body sees its caller's location, both for
//! sync functions and methods.

use std::panic::Location;

use monitor_runtime::monitored;

#[monitored]
#[track_caller]
fn caller_line() -> u32 {
    Location::caller().line()
}

#[track_caller]
#[monitored]
fn caller_line_result() -> Result<u32, String> {
    Ok(Location::caller().line())
}

struct Probe;

impl Probe {
    #[monitored]
    #[track_caller]
    fn caller_line(&self) -> u32 {
        Location::caller().line()
    }
}

fn main() {
    let line = line!();
    assert_eq!(caller_line(), line + 1);
    assert_eq!(caller_line_result(), Ok(line + 2));
    assert_eq!(Probe.caller_line(), line + 3);
}
