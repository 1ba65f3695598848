//! Generics, lifetimes, `where` clauses, const generics and `impl Trait` arguments.

use std::fmt::Debug;

use monitor_runtime::monitored;

#[monitored]
fn longest<'a, 'b: 'a>(left: &'a str, right: &'b str) -> &'a str {
    if left.len() >= right.len() { left } else { right }
}

#[monitored]
fn first<T: Clone, const N: usize>(items: [T; N]) -> Option<T>
where
    T: Debug,
{
    items.first().cloned()
}

#[monitored]
fn total(items: impl IntoIterator<Item = u32>) -> u32 {
    items.into_iter().sum()
}

#[monitored]
async fn describe<'a, T>(value: &'a T) -> String
where
    T: Debug + Sync + ?Sized,
{
    format!("{value:?}")
}

struct Wrapper<T>(T);

impl<T: Clone> Wrapper<T> {
    #[monitored]
    fn get(&self) -> T {
        self.0.clone()
    }

    #[monitored]
    fn map<U, F>(self, f: F) -> Wrapper<U>
    where
        F: FnOnce(T) -> U,
    {
        Wrapper(f(self.0))
    }
}

fn main() {
    assert_eq!(longest("ab", "abc"), "abc");
    assert_eq!(first([1, 2, 3]), Some(1));
    assert_eq!(first::<u8, 0>([]), None);
    assert_eq!(total(vec![1, 2, 3]), 6);
    assert_eq!(Wrapper(2).map(|x| x * 2).get(), 4);
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    assert_eq!(runtime.block_on(describe("x")), "\"x\"");
}
