//! Business metrics of the demo shop: sign-ups by plan, failed logins by reason,
//! active sessions, and the value of orders, next to the technical metrics.

use std::borrow::Cow;
use std::time::Duration;

use monitor_runtime::business::LabelValue;
use monitor_runtime::business_metric;

/// A subscription plan, used as a label value.
#[derive(Clone, Copy, Debug)]
pub enum Plan {
    Free,
    Team,
    Enterprise,
}

impl LabelValue for Plan {
    fn label_value(&self) -> Cow<'_, str> {
        Cow::Borrowed(match self {
            Plan::Free => "free",
            Plan::Team => "team",
            Plan::Enterprise => "enterprise",
        })
    }
}

/// Why a login failed, used as a label value.
#[derive(Debug)]
pub enum LoginError {
    UnknownUser,
    WrongPassword,
    Locked,
}

impl LabelValue for LoginError {
    fn label_value(&self) -> Cow<'_, str> {
        Cow::Borrowed(match self {
            LoginError::UnknownUser => "unknown_user",
            LoginError::WrongPassword => "wrong_password",
            LoginError::Locked => "locked",
        })
    }
}

#[derive(Debug)]
pub struct InvalidEmail;

#[derive(Debug)]
pub struct OutOfStock;

pub struct Order {
    pub total_euros: f64,
}

/// Counted on success only (the default for functions returning `Result`).
#[business_metric(
    counter = "user_signups_total",
    help = "Completed sign-ups, by plan.",
    labels(plan = plan)
)]
pub fn sign_up(plan: Plan, email: &str) -> Result<u64, InvalidEmail> {
    if email.contains('@') {
        Ok(email.len() as u64)
    } else {
        Err(InvalidEmail)
    }
}

/// Failed logins counted by the reason the error gives; a successful one opens a
/// session.
#[business_metric(
    counter = "login_failures_total",
    help = "Failed logins, by reason.",
    on = "error",
    labels(reason = ret)
)]
#[business_metric(gauge = "sessions_active", help = "Sessions currently open.", inc)]
pub fn log_in(user: &str, password: &str) -> Result<u64, LoginError> {
    match (user, password) {
        ("mallory", _) => Err(LoginError::Locked),
        (_, "") => Err(LoginError::WrongPassword),
        ("", _) => Err(LoginError::UnknownUser),
        _ => Ok(user.len() as u64),
    }
}

/// Closes a session opened by [`log_in`].
#[business_metric(gauge = "sessions_active", help = "Sessions currently open.", dec)]
pub fn log_out(session: u64) {
    let _ = session;
}

/// The value of each order placed, by plan.
#[business_metric(
    histogram = "order_value_euros",
    help = "Value of placed orders, in euros, by plan.",
    observe = ret.total_euros,
    labels(plan = plan),
    buckets = [5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0]
)]
pub fn place_order(plan: Plan, items: u32, unit_price_euros: f64) -> Result<Order, OutOfStock> {
    if items > 20 {
        return Err(OutOfStock);
    }
    Ok(Order {
        total_euros: f64::from(items) * unit_price_euros,
    })
}

/// One round of simulated traffic; `seed` varies it.
fn traffic(seed: u64) {
    let plans = [Plan::Free, Plan::Team, Plan::Enterprise];
    let plan = plans[(seed % 3) as usize];
    let email = match seed % 7 {
        0 => "not-an-address",
        _ => "ada@example.com",
    };
    let _ = sign_up(plan, email);
    let (user, password) = match seed % 5 {
        0 => ("mallory", "hunter2"),
        1 => ("ada", ""),
        2 => ("", "secret"),
        _ => ("ada", "correct horse"),
    };
    // Every other session is closed again, so the gauge moves both ways.
    if let (Ok(session), 0) = (log_in(user, password), seed % 2) {
        log_out(session);
    }
    let _ = place_order(plan, (seed % 25) as u32, 4.5 + (seed % 11) as f64);
}

/// Runs one round of simulated shop traffic now, so that every business metric has a
/// series, then keeps it going in the background.
pub fn start() {
    for seed in 0..10 {
        traffic(seed);
    }
    let spawned = std::thread::Builder::new()
        .name("business-traffic".into())
        .spawn(|| {
            // A small linear congruential generator: varied traffic without a dependency.
            let mut state: u64 = 0x2545_f491_4f6c_dd1d;
            loop {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                traffic(state >> 33);
                std::thread::sleep(Duration::from_millis(200));
            }
        });
    if let Err(error) = spawned {
        tracing::error!(%error, "quickstart: could not start the simulated business traffic");
    }
}
