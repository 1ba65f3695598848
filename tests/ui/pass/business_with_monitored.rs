use monitor_runtime::{business_metric, monitored};

#[monitored]
#[business_metric(counter = "logins_total", help = "Logins.", labels(method = "password"))]
#[business_metric(counter = "logins_total", help = "Logins.", labels(method = "sso"), on = "error")]
fn log_in(user: &str) -> Result<u32, String> {
    let length = if user.is_empty() { Err("empty".to_owned()) } else { Ok(user.len()) }?;
    Ok(length as u32)
}

#[business_metric(counter = "logouts_total", help = "Logouts.")]
#[monitored]
async fn log_out(session: u32) -> Result<(), String> {
    let _ = session;
    Ok(())
}

#[track_caller]
#[business_metric(counter = "lookups_total", help = "Lookups.")]
fn lookup(values: &mut Vec<u32>) -> &mut u32 {
    values.first_mut().unwrap()
}

fn main() {
    log_in("ada").unwrap();
    let _ = log_out(1);
    let mut values = vec![1];
    *lookup(&mut values) += 1;
}
