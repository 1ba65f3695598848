use std::borrow::Cow;

use monitor_runtime::business::LabelValue;
use monitor_runtime::business_metric;

pub enum Plan {
    Free,
    Pro,
}

impl Plan {
    fn tier(&self) -> &'static str {
        match self {
            Plan::Free => "free",
            Plan::Pro => "pro",
        }
    }
}

impl LabelValue for Plan {
    fn label_value(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.tier())
    }
}

#[derive(Debug)]
pub struct Form {
    pub country: String,
    pub seats: u32,
}

#[derive(Debug)]
pub enum SignUpError {
    Taken,
}

// Labels from a method call, an enum, a `String` field and a constant; counted on `Ok`.
#[business_metric(
    counter = "user_signups_total",
    help = "Completed sign-ups.",
    labels(tier = plan.tier(), plan = plan, country = form.country.clone(), channel = "web")
)]
// The amount comes from an argument the body consumes: evaluated before the body.
#[business_metric(counter = "seats_sold_total", help = "Seats sold.", amount = form.seats)]
// Errors counted by their kind.
#[business_metric(
    counter = "signup_failures_total",
    help = "Failed sign-ups.",
    on = "error",
    labels(reason = format!("{ret:?}"))
)]
#[business_metric(counter = "signup_attempts_total", help = "Sign-up attempts.", on = "always")]
fn sign_up(plan: Plan, form: Form) -> Result<u64, SignUpError> {
    let form = form;
    if form.seats == 0 {
        return Err(SignUpError::Taken);
    }
    drop(plan);
    Ok(u64::from(form.seats))
}

// A function without `Result` counts every call; `labels(region)` reads the argument.
#[business_metric(counter = "page_views_total", help = "Page views.", labels(region))]
fn view(region: String) {
    let _ = region;
}

fn main() {
    let form = Form { country: "fr".to_owned(), seats: 3 };
    assert_eq!(sign_up(Plan::Pro, form).unwrap(), 3);
    view("eu".to_owned());
    let _ = Plan::Free;
}
