//! Exact counts of `#[monitored]` calls: every call is counted once, under the right
//! `result`, from any number of threads, and timed in the histogram.

use std::thread;

use monitor_runtime::monitored;
use monitor_tests::sample;

const MODULE: &str = module_path!();

fn calls(function: &str, result: &str) -> f64 {
    sample(
        "function_calls_total",
        &[
            ("function", function),
            ("module", MODULE),
            ("result", result),
        ],
    )
    .unwrap_or_else(|| panic!("no function_calls_total series for {function}/{result}"))
}

fn duration_count(function: &str) -> f64 {
    sample(
        "function_calls_duration_seconds_count",
        &[("function", function), ("module", MODULE)],
    )
    .unwrap_or_else(|| panic!("no histogram for {function}"))
}

fn in_flight(function: &str) -> f64 {
    sample(
        "function_calls_concurrent",
        &[("function", function), ("module", MODULE)],
    )
    .unwrap_or_else(|| panic!("no gauge for {function}"))
}

#[monitored]
fn add_one(x: u64) -> u64 {
    x + 1
}

#[test]
fn two_threads_of_100_000_calls_count_exactly_200_000() {
    const CALLS: u64 = 100_000;
    let threads: Vec<_> = (0..2)
        .map(|_| {
            thread::spawn(|| {
                let mut sum = 0;
                for i in 0..CALLS {
                    sum += add_one(i);
                }
                sum
            })
        })
        .collect();
    for thread in threads {
        assert_eq!(thread.join().unwrap(), CALLS * (CALLS + 1) / 2);
    }
    assert_eq!(calls("add_one", "ok"), 200_000.0);
    assert_eq!(calls("add_one", "error"), 0.0);
    assert_eq!(duration_count("add_one"), 200_000.0);
    assert_eq!(in_flight("add_one"), 0.0);
}

#[monitored]
fn checked_half(x: u32) -> Result<u32, String> {
    if x % 2 == 1 {
        return Err(format!("{x} is odd"));
    }
    Ok(x / 2)
}

#[test]
fn ok_and_error_are_counted_apart() {
    let threads: Vec<_> = (0..2)
        .map(|_| thread::spawn(|| (0..10_000).filter(|&x| checked_half(x).is_err()).count()))
        .collect();
    let errors: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(errors, 10_000);
    assert_eq!(calls("checked_half", "ok"), 10_000.0);
    assert_eq!(calls("checked_half", "error"), 10_000.0);
    assert_eq!(duration_count("checked_half"), 20_000.0);
}

#[monitored]
async fn async_double(x: u64) -> Result<u64, String> {
    tokio::task::yield_now().await;
    x.checked_mul(2).ok_or_else(|| "overflow".to_owned())
}

#[test]
fn async_calls_on_a_multi_threaded_runtime_count_exactly() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let tasks: Vec<_> = (0..2)
            .map(|_| {
                tokio::spawn(async {
                    for i in 0..5_000 {
                        async_double(i).await.unwrap();
                    }
                    async_double(u64::MAX).await.unwrap_err();
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
    assert_eq!(calls("async_double", "ok"), 10_000.0);
    assert_eq!(calls("async_double", "error"), 2.0);
    assert_eq!(duration_count("async_double"), 10_002.0);
    assert_eq!(in_flight("async_double"), 0.0);
    assert_eq!(
        sample(
            "function_calls_cancelled_total",
            &[("function", "async_double"), ("module", MODULE)]
        ),
        Some(0.0)
    );
}

#[monitored]
fn wait_for(gate: &std::sync::Barrier, release: &std::sync::Barrier) {
    gate.wait();
    release.wait();
}

#[test]
fn the_gauge_shows_calls_in_progress() {
    use std::sync::{Arc, Barrier};
    let gate = Arc::new(Barrier::new(3));
    let release = Arc::new(Barrier::new(3));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (gate, release) = (gate.clone(), release.clone());
            thread::spawn(move || wait_for(&gate, &release))
        })
        .collect();
    gate.wait();
    assert_eq!(in_flight("wait_for"), 2.0);
    release.wait();
    for worker in workers {
        worker.join().unwrap();
    }
    assert_eq!(in_flight("wait_for"), 0.0);
    assert_eq!(calls("wait_for", "ok"), 2.0);
}

#[monitored]
fn with_macros(n: usize) -> String {
    let items = vec![n; n];
    println!("items: {items:?}");
    let text = format!("{n}:{}", items.iter().sum::<usize>());
    assert_eq!(text.len(), 3, "unexpected {text}");
    text
}

#[test]
fn a_sync_body_using_std_macros_runs_and_counts() {
    assert_eq!(with_macros(3), "3:9");
    assert_eq!(with_macros(2), "2:4");
    assert_eq!(calls("with_macros", "ok"), 2.0);
}

struct Account {
    balance: i64,
}

#[monitored]
impl Account {
    fn withdraw(&mut self, amount: i64) -> Result<i64, String> {
        if amount > self.balance {
            return Err("insufficient funds".to_owned());
        }
        self.balance -= amount;
        Ok(self.balance)
    }

    #[monitored(name = "account_balance")]
    fn balance(&self) -> i64 {
        self.balance
    }

    #[monitored(skip)]
    fn audit(&self) -> i64 {
        self.balance
    }
}

#[test]
fn an_impl_block_labels_methods_type_method_and_honours_skip() {
    let mut account = Account { balance: 10 };
    assert_eq!(account.withdraw(4), Ok(6));
    assert!(account.withdraw(7).is_err());
    assert_eq!(account.balance(), 6);
    assert_eq!(account.audit(), 6);
    assert_eq!(calls("Account::withdraw", "ok"), 1.0);
    assert_eq!(calls("Account::withdraw", "error"), 1.0);
    assert_eq!(calls("account_balance", "ok"), 1.0);
    let text = monitor_runtime::render_metrics().unwrap();
    assert!(!text.contains("Account::audit"), "{text}");
    assert!(!text.contains("Account::balance"), "{text}");
}

#[monitored(buckets = [0.5, 1.0, 2.5])]
fn bucketed() {}

#[test]
fn custom_buckets_are_used() {
    bucketed();
    let bucket = |le: &str| {
        sample(
            "function_calls_duration_seconds_bucket",
            &[("function", "bucketed"), ("le", le)],
        )
    };
    assert_eq!(bucket("0.5"), Some(1.0));
    assert_eq!(bucket("2.5"), Some(1.0));
    assert_eq!(bucket("+Inf"), Some(1.0));
    assert_eq!(bucket("0.005"), None, "the default buckets are replaced");
}
