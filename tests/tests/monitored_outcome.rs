//! How a returned value is classified as `ok` or `error`: by its type (every
//! `Result`, whatever alias spells it), or by a `CallOutcome` impl.

use monitor_runtime::{CallOutcome, monitored};
use monitor_tests::sample;

fn calls(function: &str, result: &str) -> f64 {
    sample(
        "function_calls_total",
        &[("function", function), ("result", result)],
    )
    .unwrap_or_else(|| panic!("no function_calls_total series for {function}/{result}"))
}

fn assert_counts(function: &str, ok: f64, error: f64) {
    assert_eq!(
        (calls(function, "ok"), calls(function, "error")),
        (ok, error),
        "{function}: (ok, error)"
    );
}

#[monitored]
fn io_alias(fail: bool) -> std::io::Result<u8> {
    if fail {
        Err(std::io::Error::other("disk"))
    } else {
        Ok(1)
    }
}

#[monitored]
fn anyhow_alias(fail: bool) -> anyhow::Result<u8> {
    if fail {
        anyhow::bail!("refused");
    }
    Ok(1)
}

mod errors {
    #[derive(Debug)]
    pub struct ServiceError;
    pub type Outcome<T> = Result<T, ServiceError>;
}

#[monitored]
fn custom_alias(fail: bool) -> errors::Outcome<u8> {
    if fail {
        Err(errors::ServiceError)
    } else {
        Ok(1)
    }
}

#[monitored]
fn question_mark(input: &str) -> Result<u32, std::num::ParseIntError> {
    let value: u32 = input.parse()?;
    Ok(value)
}

#[test]
fn results_are_detected_by_type_through_aliases() {
    for fail in [false, true, true] {
        let _ = io_alias(fail);
        let _ = anyhow_alias(fail);
        let _ = custom_alias(fail);
    }
    assert_counts("io_alias", 1.0, 2.0);
    assert_counts("anyhow_alias", 1.0, 2.0);
    assert_counts("custom_alias", 1.0, 2.0);
    assert!(question_mark("x").is_err());
    assert_eq!(question_mark("3"), Ok(3));
    assert_counts("question_mark", 1.0, 1.0);
}

#[monitored]
fn option_none() -> Option<u8> {
    None
}

#[monitored]
fn plain_value() -> u8 {
    7
}

#[test]
fn other_types_count_as_ok() {
    assert_eq!(option_none(), None);
    assert_eq!(plain_value(), 7);
    assert_counts("option_none", 1.0, 0.0);
    assert_counts("plain_value", 1.0, 0.0);
}

pub enum Reply {
    Served,
    Rejected,
}

impl CallOutcome for Reply {
    fn is_error(&self) -> bool {
        matches!(self, Reply::Rejected)
    }
}

#[monitored]
fn reply(accept: bool) -> Reply {
    if accept {
        Reply::Served
    } else {
        Reply::Rejected
    }
}

#[monitored]
async fn async_reply(accept: bool) -> Reply {
    reply(accept)
}

#[monitored]
fn boxed_result(fail: bool) -> Box<Result<u8, String>> {
    Box::new(if fail { Err("no".to_owned()) } else { Ok(1) })
}

#[test]
fn call_outcome_classifies_other_types() {
    let _ = reply(true);
    let _ = reply(false);
    let _ = reply(false);
    assert_counts("reply", 1.0, 2.0);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        let _ = async_reply(false).await;
    });
    assert_counts("async_reply", 0.0, 1.0);

    let _ = boxed_result(true);
    assert_counts("boxed_result", 0.0, 1.0);
}

#[monitored]
fn generic_result<T: Default, E>(value: Option<T>, error: E) -> Result<T, E> {
    value.ok_or(error)
}

#[test]
fn a_generic_function_returning_a_result_is_classified() {
    assert!(generic_result::<u8, _>(None, "e").is_err());
    assert_eq!(generic_result(Some(1u8), "e"), Ok(1));
    assert_eq!(generic_result(Some("s"), 0), Ok("s"));
    assert_counts("generic_result", 2.0, 1.0);
}
