//! The shop's HTTP API, measured by the HTTP metrics layer, and the workload that
//! calls it over HTTP like a client would, bad requests and unknown paths included.
//!
//! | route | answers |
//! |---|---|
//! | `POST /orders?quantity=N` | `201` placed, `400` bad quantity, `402` payment declined, `409` out of stock |
//! | `GET /orders/{id}` | `200` a placed order, `404` an unknown one, `400` an id that is not a number |
//! | `POST /logins/{user}` | `200` signed in, `401` wrong password, `423` locked |
//! | `POST /signups/{plan}?email=ADDRESS` | `201` signed up, `422` unknown plan or bad address |
//! | `GET /stock/{product}` | `200` units in stock: the stock service, which placing an order calls |
//!
//! Every request runs in the trace its `traceparent` names (the workload sends
//! one); placing an order calls the stock service (the shop itself, over HTTP
//! through the client metrics layer), which continues the same trace: the order's
//! logs, the stock request's logs and the exemplars of both carry one trace id.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::routing::{get, post};
use http_body_util::Empty;
use hyper::body::Bytes;
use hyper_util::client::legacy::Client as LegacyClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use monitor_runtime::client::HttpClientMetricsLayer;
use monitor_runtime::http::HttpMetricsLayer;
use tower::{Service, ServiceBuilder, ServiceExt};

use crate::business::{self, Plan};
use crate::client::Client;
use crate::logins::{Accounts, LoginError};
use crate::orders::{self, OrderError};

/// The API's routes, as `(method, template)`: their series exist from start-up.
pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/orders"),
    ("GET", "/orders/{id}"),
    ("POST", "/logins/{user}"),
    ("POST", "/signups/{plan}"),
    ("GET", "/stock/{product}"),
];

/// The API's routes.
pub fn router() -> Router {
    Router::new()
        .route("/orders", post(place_order))
        .route("/orders/{id}", get(order))
        .route("/logins/{user}", post(log_in))
        .route("/signups/{plan}", post(sign_up))
        .route("/stock/{product}", get(stock))
}

/// Where the stock service answers: the shop itself, over plain HTTP (unset when
/// it serves HTTPS, whose certificate the demo's client does not check).
static STOCK_SERVICE: OnceLock<SocketAddr> = OnceLock::new();

/// Sets where the stock service answers.
pub fn set_stock_service(addr: SocketAddr) {
    let _ = STOCK_SERVICE.set(addr);
}

/// The client of the stock service: hyper-util's, measured and traced by the
/// client metrics layer (which sends the order's trace on in `traceparent`).
type StockClient = tower::timeout::Timeout<
    monitor_runtime::client::HttpClientMetrics<LegacyClient<HttpConnector, Empty<Bytes>>>,
>;

fn stock_client() -> StockClient {
    static CLIENT: OnceLock<StockClient> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            let client = LegacyClient::builder(TokioExecutor::new()).build_http();
            ServiceBuilder::new()
                .timeout(Duration::from_secs(2))
                .layer(HttpClientMetricsLayer::new())
                .service(client)
        })
        .clone()
}

/// Asks the stock service about `product`; `None` when it cannot answer.
async fn check_stock(product: u64) -> Option<u16> {
    let addr = STOCK_SERVICE.get()?;
    let request = http::Request::get(format!("http://{addr}/stock/{product}"))
        .body(Empty::new())
        .ok()?;
    let response = stock_client()
        .ready()
        .await
        .ok()?
        .call(request)
        .await
        .ok()?;
    Some(response.status().as_u16())
}

async fn stock(Path(product): Path<u64>) -> (StatusCode, String) {
    tracing::info!(product, "stock checked");
    (StatusCode::OK, format!("{} units\n", 100 - product % 100))
}

/// The HTTP metrics layer the exporter wraps every route in (the monitoring routes
/// are left out by default).
pub fn layer() -> HttpMetricsLayer {
    HttpMetricsLayer::new().routes(ROUTES.iter().copied())
}

type Form = Query<HashMap<String, String>>;

async fn place_order(Query(form): Form) -> (StatusCode, String) {
    let Some(quantity) = form.get("quantity").and_then(|q| q.parse::<u32>().ok()) else {
        return (StatusCode::BAD_REQUEST, "quantity: a whole number\n".into());
    };
    let stock = check_stock(u64::from(quantity)).await;
    tracing::info!(quantity, stock, "placing an order");
    let (id, result) = orders::take_order(quantity, 250 + crate::percent() * 10).await;
    match result {
        Ok(total) => (StatusCode::CREATED, format!("order {id}: {total} cents\n")),
        Err(error @ OrderError::PaymentDeclined) => {
            (StatusCode::PAYMENT_REQUIRED, format!("{error}\n"))
        }
        Err(error) => (StatusCode::CONFLICT, format!("{error}\n")),
    }
}

async fn order(Path(id): Path<u64>) -> (StatusCode, String) {
    if id >= 1 && id <= orders::taken() {
        (StatusCode::OK, format!("order {id}\n"))
    } else {
        (StatusCode::NOT_FOUND, format!("no order {id}\n"))
    }
}

async fn log_in(Path(user): Path<String>) -> (StatusCode, String) {
    match Accounts.log_in(&user, crate::percent()).await {
        Ok(session) => (StatusCode::OK, format!("{session}\n")),
        Err(error @ LoginError::Locked) => (StatusCode::LOCKED, format!("{error}\n")),
        Err(error) => (StatusCode::UNAUTHORIZED, format!("{error}\n")),
    }
}

async fn sign_up(Path(plan): Path<String>, Query(form): Form) -> (StatusCode, String) {
    let plan = match plan.as_str() {
        "free" => Plan::Free,
        "team" => Plan::Team,
        "enterprise" => Plan::Enterprise,
        _ => return (StatusCode::UNPROCESSABLE_ENTITY, "unknown plan\n".into()),
    };
    let email = form.get("email").map_or("", String::as_str);
    match business::sign_up(plan, email) {
        Ok(user) => (StatusCode::CREATED, format!("user {user}\n")),
        Err(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid e-mail\n".into()),
    }
}

/// Starts the workload: `client` calling the API a few times a second.
pub fn start_workload(client: Client) {
    tokio::spawn(async move {
        let users = ["alice", "bob", "carol", "mallory"];
        let mut round: u64 = 0;
        loop {
            round += 1;
            let draw = crate::percent();
            let user = users[(draw % users.len() as u64) as usize];
            let quantity = 1 + draw % 5;
            let request = match round % 10 {
                0 | 3 | 6 => format!("POST /orders?quantity={quantity}"),
                1 | 5 | 8 => format!("POST /logins/{user}"),
                2 => format!("GET /orders/{}", 1 + draw),
                4 => match draw % 4 {
                    0 => "POST /signups/gold?email=ada@example.com".to_owned(),
                    1 => "POST /signups/free?email=not-an-address".to_owned(),
                    _ => "POST /signups/team?email=ada@example.com".to_owned(),
                },
                // What scanners and broken clients send: unknown paths, a wrong
                // method, an id that is not a number, a missing quantity.
                7 => match draw % 4 {
                    0 => format!("GET /wp-login.php?{draw}"),
                    1 => format!("GET /admin/{draw}/.env"),
                    2 => "DELETE /orders/1".to_owned(),
                    _ => "GET /orders/latest".to_owned(),
                },
                _ => "POST /orders".to_owned(),
            };
            let (method, path) = request.split_once(' ').unwrap_or(("GET", "/"));
            if let Err(error) = client.call(method, path).await {
                tracing::debug!(%error, method, path, "API call failed");
            }
            tokio::time::sleep(Duration::from_millis(50 + draw)).await;
        }
    });
}
