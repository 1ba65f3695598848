//! The generated code names nothing from the caller's scope: it still compiles when
//! the prelude's names are shadowed by unrelated items.

#![allow(dead_code, non_camel_case_types, unused_imports)]

use monitor_runtime::monitored;

struct Result;
struct Ok;
struct Err;
struct Option;
struct Some;
struct None;
struct Box;
struct Vec;
struct String;
struct Drop;
struct Future;
struct From;
struct Into;
struct bool;
struct u8;
struct f64;
mod core {}
mod std {}
mod tracing {}
mod linkme {}
mod prometheus {}
struct __private;

type Outcome = ::core::result::Result<u32, &'static str>;

#[monitored]
fn sync_fn(x: u32) -> Outcome {
    if x == 0 {
        return ::core::result::Result::Err("zero");
    }
    let y = ::core::result::Result::<u32, &str>::Ok(x)?;
    ::core::result::Result::Ok(y)
}

#[monitored]
async fn async_fn(x: u32) -> Outcome {
    ::core::result::Result::Ok(x)
}

#[monitored]
fn later(x: u32) -> impl ::core::future::Future<Output = u32> {
    async move { x }
}

struct Service;

#[monitored]
impl Service {
    fn method(&self) -> ::core::option::Option<u32> {
        ::core::option::Option::Some(1)
    }
}

fn main() {
    assert_eq!(sync_fn(1), ::core::result::Result::Ok(1));
    assert!(Service.method().is_some());
    let _ = async_fn(1);
    let _ = later(1);
}
