use monitor_runtime::monitored;

macro_rules! twice {
    ($value:expr => $other:expr) => {
        $value + $other
    };
}

#[monitored]
fn hidden_exit(input: &str) -> Result<u32, std::num::ParseIntError> {
    Ok(twice!(input.parse::<u32>()? => 1))
}

fn main() {}
