//! A test app with the clashes that were easy to hit: two monitored `From` impls for
//! one error type in one module, `impl Foo<u8>` and `impl Foo<u16>`, and two
//! `#[health_check] fn ping()` in two modules. Each gets a distinct label or name:
//! `init` reports nothing, and `/metrics` and the probes show both.

use monitor_runtime::health::HealthRegistry;
use monitor_runtime::monitored;
use monitor_tests::http::get;
use monitor_tests::server::TestServer;
use monitor_tests::{find, parse_samples};

#[derive(Debug)]
pub struct DbError;

#[derive(Debug)]
pub enum AppError {
    Io(std::io::Error),
    Db(DbError),
}

#[monitored]
impl From<std::io::Error> for AppError {
    fn from(error: std::io::Error) -> Self {
        AppError::Io(error)
    }
}

#[monitored]
impl From<DbError> for AppError {
    fn from(error: DbError) -> Self {
        AppError::Db(error)
    }
}

pub struct Foo<T>(T);

#[monitored]
impl Foo<u8> {
    pub fn new(value: u8) -> Self {
        Foo(value)
    }
}

#[monitored]
impl Foo<u16> {
    pub fn new(value: u16) -> Self {
        Foo(value)
    }
}

mod database {
    #[monitor_runtime::health_check]
    pub fn ping() -> bool {
        true
    }
}

mod cache {
    #[monitor_runtime::health_check(critical = false)]
    pub fn ping() -> Result<(), String> {
        Err("cache is cold".to_owned())
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_item_gets_its_own_label_and_name() {
    monitor_runtime::init().expect("no clash between the labels and names");

    let _ = AppError::from(std::io::Error::other("disk"));
    let _ = AppError::from(DbError);
    let (small, large) = (Foo::<u8>::new(1), Foo::<u16>::new(2));
    assert_eq!((small.0, large.0), (1, 2));
    assert!(database::ping());
    assert!(cache::ping().is_err());

    let names = HealthRegistry::global().names();
    for name in ["database.ping", "cache.ping"] {
        assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
    }

    let server = TestServer::start();
    let metrics = get(&server.url("/metrics")).await.expect("GET /metrics");
    assert_eq!(metrics.status, 200);
    let samples = parse_samples(&metrics.body);
    for function in [
        "<AppError as From<std::io::Error>>::from",
        "<AppError as From<DbError>>::from",
        "Foo<u8>::new",
        "Foo<u16>::new",
    ] {
        assert_eq!(
            find(
                &samples,
                "function_calls_total",
                &[("function", function), ("result", "ok")]
            ),
            Some(1.0),
            "{function} in {}",
            metrics.body
        );
    }
    for check in ["database.ping", "cache.ping"] {
        assert!(
            find(&samples, "health_check_status", &[("check", check)]).is_some(),
            "{check} in {}",
            metrics.body
        );
    }

    let ready = get(&server.url("/health/ready"))
        .await
        .expect("GET /health/ready");
    assert_eq!(ready.status, 200, "{}", ready.body);
    for check in ["database.ping", "cache.ping"] {
        assert!(ready.body.contains(check), "{check} in {}", ready.body);
    }
    let one = get(&server.url("/health/database.ping"))
        .await
        .expect("GET one check");
    assert_eq!(one.status, 200, "{}", one.body);
}
