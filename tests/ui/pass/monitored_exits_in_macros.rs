//! Early exits inside macro calls that are not a list of expressions: `vec![x?; n]`
//! is rewritten, and a `?Sized` bound is not mistaken for one. `Poll<Option<Result>>`
//! bodies use `?` like the standard `Try` impls allow.

#![deny(warnings)]

use std::fmt::Debug;
use std::num::ParseIntError;
use std::task::Poll;

use monitor_runtime::{business_metric, monitored};

macro_rules! items {
    ($($item:item)*) => { $($item)* };
}

#[monitored]
fn repeated(text: &str, times: usize) -> Result<Vec<u32>, ParseIntError> {
    Ok(vec![text.parse::<u32>()?; times])
}

#[business_metric(counter = "exits_in_macros_total", help = "Calls.")]
fn shown(value: &str) -> Result<String, ParseIntError> {
    items! {
        fn show<T: ?Sized + Debug>(value: &T) -> String {
            format!("{value:?}")
        }
    }
    let number: u32 = value.parse()?;
    Ok(show(&number))
}

#[monitored]
fn next_number(text: Option<&str>) -> Poll<Option<Result<u32, ParseIntError>>> {
    let Some(text) = text else {
        return Poll::Ready(None);
    };
    let number: u32 = text.parse()?;
    let polled: Poll<Option<u32>> = Poll::Ready(Some(Ok::<u32, ParseIntError>(number)))?;
    match polled {
        Poll::Ready(Some(number)) => Poll::Ready(Some(Ok(number + 1))),
        _ => Poll::Pending,
    }
}

/// Different attributes updating one metric are fine: each declares its own series.
#[business_metric(counter = "exits_outcomes_total", help = "Outcomes.", labels(outcome = "ok"))]
#[business_metric(counter = "exits_outcomes_total", help = "Outcomes.", labels(outcome = "error"), on = "error")]
fn outcome(fail: bool) -> Result<(), String> {
    if fail { Err("failed".to_owned()) } else { Ok(()) }
}

fn main() {
    assert_eq!(repeated("3", 2), Ok(vec![3, 3]));
    assert!(repeated("x", 2).is_err());
    assert_eq!(shown("4").unwrap(), "4");
    assert_eq!(next_number(Some("1")), Poll::Ready(Some(Ok(2))));
    assert!(matches!(next_number(Some("x")), Poll::Ready(Some(Err(_)))));
    assert_eq!(next_number(None), Poll::Ready(None));
    outcome(false).unwrap();
    outcome(true).unwrap_err();
}
