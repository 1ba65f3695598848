//! A function returning `BoxFuture<'_, T>` is timed until its future completes and
//! classified by what the future resolves to, not by the future itself.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use monitor_runtime::monitored;
use monitor_tests::sample;
use tokio::sync::oneshot;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

#[monitored]
fn lookup(
    reply: oneshot::Receiver<Result<u32, String>>,
) -> BoxFuture<'static, Result<u32, String>> {
    Box::pin(async move {
        reply
            .await
            .unwrap_or_else(|_| Err("sender dropped".to_owned()))
    })
}

fn metric(name: &str, extra: &[(&str, &str)]) -> f64 {
    let mut labels = vec![("function", "lookup")];
    labels.extend_from_slice(extra);
    sample(name, &labels).unwrap_or_else(|| panic!("{name} {labels:?}"))
}

#[test]
fn a_box_future_is_timed_to_completion_and_counted_by_its_output() {
    monitor_runtime::init().expect("no registration errors");
    let mut context = Context::from_waker(Waker::noop());
    let (sender, receiver) = oneshot::channel();
    let mut future = lookup(receiver);
    assert_eq!(metric("function_calls_total", &[("result", "ok")]), 0.0);

    // Started and pending: in flight, not finished.
    assert!(future.as_mut().poll(&mut context).is_pending());
    assert_eq!(metric("function_calls_concurrent", &[]), 1.0);
    assert_eq!(metric("function_calls_total", &[("result", "ok")]), 0.0);
    assert_eq!(metric("function_calls_total", &[("result", "error")]), 0.0);
    assert_eq!(metric("function_calls_duration_seconds_count", &[]), 0.0);

    sender.send(Err("not found".to_owned())).unwrap();
    let Poll::Ready(result) = future.as_mut().poll(&mut context) else {
        panic!("the reply was sent");
    };
    assert_eq!(result, Err("not found".to_owned()));
    assert_eq!(metric("function_calls_concurrent", &[]), 0.0);
    assert_eq!(metric("function_calls_total", &[("result", "error")]), 1.0);
    assert_eq!(metric("function_calls_total", &[("result", "ok")]), 0.0);
    assert_eq!(metric("function_calls_duration_seconds_count", &[]), 1.0);

    // An `Ok` output counts as `ok`.
    let (sender, receiver) = oneshot::channel();
    sender.send(Ok(7)).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    assert_eq!(runtime.block_on(lookup(receiver)), Ok(7));
    assert_eq!(metric("function_calls_total", &[("result", "ok")]), 1.0);
}
