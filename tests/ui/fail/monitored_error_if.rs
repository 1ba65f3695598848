use monitor_runtime::monitored;

fn is_negative(value: &i64) -> bool {
    *value < 0
}

#[monitored(error_if = "is_negative")]
fn literal() -> i64 {
    1
}

#[monitored(error_if = is_negative)]
fn wrong_type() -> u8 {
    1
}

#[monitored(error_if)]
fn no_value() -> i64 {
    1
}

fn main() {
    literal();
    wrong_type();
    no_value();
}
