//! The shop's HTTP API, measured by the HTTP metrics layer, and the workload that
//! calls it over HTTP like a client would, bad requests and unknown paths included.
//!
//! | route | answers |
//! |---|---|
//! | `POST /orders?quantity=N` | `201` placed, `400` bad quantity, `402` payment declined, `409` out of stock |
//! | `GET /orders/{id}` | `200` a placed order, `404` an unknown one, `400` an id that is not a number |
//! | `POST /logins/{user}` | `200` signed in, `401` wrong password, `423` locked |
//! | `POST /signups/{plan}?email=ADDRESS` | `201` signed up, `422` unknown plan or bad address |

use std::collections::HashMap;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::routing::{get, post};
use monitor_runtime::http::HttpMetricsLayer;

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
];

/// The API's routes.
pub fn router() -> Router {
    Router::new()
        .route("/orders", post(place_order))
        .route("/orders/{id}", get(order))
        .route("/logins/{user}", post(log_in))
        .route("/signups/{plan}", post(sign_up))
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
