use monitor_runtime::business_metric;

pub struct User {
    pub api_key: String,
}

#[business_metric(counter = "logins_total", help = "Logins.", labels(password))]
fn log_in(user: &str, password: &str) -> bool {
    user.len() > password.len()
}

#[business_metric(counter = "calls_total", help = "Calls.", labels(caller = user.api_key.clone()))]
fn call(user: &User) -> usize {
    user.api_key.len()
}

#[business_metric(counter = "refreshes_total", help = "Refreshes.", labels(who = auth_token.len()))]
fn refresh(auth_token: &str) -> bool {
    auth_token.is_empty()
}

monitor_runtime::business_metrics! {
    counter REQUESTS = "requests_total", help = "Requests.", labels(session_token);
}

fn main() {}
