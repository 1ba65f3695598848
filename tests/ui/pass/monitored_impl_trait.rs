//! `impl Trait` anywhere in the return type, and boxed trait objects.

use std::error::Error;
use std::fmt::Display;
use std::future::Future;

use monitor_runtime::monitored;

#[derive(Debug)]
struct Invalid;

impl Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("invalid")
    }
}

impl Error for Invalid {}

#[monitored]
fn label(n: u32) -> impl Display {
    n
}

#[monitored]
fn parsed(input: &str) -> Result<impl Display, Invalid> {
    if input.is_empty() {
        return Err(Invalid);
    }
    Ok(input.len())
}

#[monitored]
fn boxed(input: &str) -> Result<u32, Box<dyn Error>> {
    let n: u32 = input.parse()?;
    if n == 0 {
        return Err(Box::new(Invalid));
    }
    Ok(n)
}

#[monitored]
fn boxed_error() -> Box<dyn Error + Send + Sync> {
    Box::new(Invalid)
}

#[monitored]
fn evens(limit: u32) -> impl Iterator<Item = u32> + Clone {
    (0..limit).filter(|n| n % 2 == 0)
}

#[monitored]
fn pair() -> (impl Display, Vec<impl Display>) {
    ("a", vec![1, 2])
}

#[monitored]
fn callback(offset: u32) -> Box<dyn Fn(u32) -> u32> {
    Box::new(move |x| x + offset)
}

#[monitored]
fn later(x: u32) -> impl Future<Output = Result<u32, Invalid>> {
    async move { if x == 0 { Err(Invalid) } else { Ok(x) } }
}

#[monitored]
async fn async_parsed(input: &str) -> Result<impl Display, Box<dyn Error + Send + Sync>> {
    let n: u32 = input.parse()?;
    Ok(n)
}

fn main() {
    assert_eq!(label(3).to_string(), "3");
    assert_eq!(parsed("abc").unwrap().to_string(), "3");
    assert!(parsed("").is_err());
    assert_eq!(boxed("4").unwrap(), 4);
    assert!(boxed("x").is_err());
    assert!(boxed("0").is_err());
    assert_eq!(boxed_error().to_string(), "invalid");
    assert_eq!(evens(5).collect::<Vec<_>>(), [0, 2, 4]);
    let (a, list) = pair();
    assert_eq!(format!("{a}{}", list.len()), "a2");
    assert_eq!(callback(1)(1), 2);
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    runtime.block_on(async {
        assert_eq!(later(2).await.unwrap(), 2);
        assert!(later(0).await.is_err());
        assert_eq!(async_parsed("7").await.unwrap().to_string(), "7");
        assert!(async_parsed("x").await.is_err());
    });
}
