//! Early `return` and `?` in every position: nested blocks, loops, `match`,
//! macro arguments, `Option`, conversions through `From`; closures and async
//! blocks inside the body keep their own exits.

use monitor_runtime::monitored;

#[derive(Debug, PartialEq)]
enum AppError {
    Parse,
    Negative,
}

impl From<std::num::ParseIntError> for AppError {
    fn from(_: std::num::ParseIntError) -> Self {
        AppError::Parse
    }
}

#[monitored]
fn parse_all(inputs: &[&str]) -> Result<Vec<i64>, AppError> {
    let mut out = Vec::new();
    for input in inputs {
        let value: i64 = input.trim().parse()?;
        if value < 0 {
            return Err(AppError::Negative);
        }
        out.push(value);
    }
    let closure_exits = |s: &str| -> Result<i64, std::num::ParseIntError> {
        let v = s.parse::<i64>()?;
        return Ok(v);
    };
    let _ = closure_exits("1");
    Ok(out)
}

#[monitored]
fn in_macro(input: &str) -> Result<String, AppError> {
    let text = format!("value={}", input.parse::<i64>()?);
    Ok(text)
}

#[monitored]
fn option_chain(values: &[u32]) -> Option<u32> {
    let first = values.first()?;
    let last = values.last()?;
    match first.checked_add(*last) {
        Some(sum) if sum > 100 => return None,
        other => other,
    }
}

#[monitored]
fn unit_return(flag: bool) {
    if flag {
        return;
    }
    let _ = flag;
}

#[monitored]
fn loop_break(limit: u32) -> u32 {
    let mut n = 0;
    loop {
        n += 1;
        if n == limit {
            break n * 2;
        }
    }
}

#[monitored]
fn nested_fn() -> u32 {
    fn helper() -> Option<u32> {
        let v = Some(1)?;
        return Some(v + 1);
    }
    helper().unwrap_or(0)
}

fn main() {
    assert_eq!(parse_all(&["1", " 2"]), Ok(vec![1, 2]));
    assert_eq!(parse_all(&["x"]), Err(AppError::Parse));
    assert_eq!(parse_all(&["-1"]), Err(AppError::Negative));
    assert_eq!(in_macro("4").unwrap(), "value=4");
    assert_eq!(in_macro("x"), Err(AppError::Parse));
    assert_eq!(option_chain(&[1, 2]), Some(3));
    assert_eq!(option_chain(&[]), None);
    assert_eq!(option_chain(&[100, 1]), None);
    unit_return(true);
    unit_return(false);
    assert_eq!(loop_break(3), 6);
    assert_eq!(nested_fn(), 2);
}
