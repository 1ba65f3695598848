//! `#[business_metric]` on functions and `business_metrics!` declarations: one model,
//! the same compile-time checks, the same runtime descriptor. Arguments in `attr`
//! (with `alert(...)` in `alert`), rules in `valid`, code generation in `expand`.

mod alert;
mod attr;
mod expand;
mod valid;

pub(crate) use attr::BusinessArgs;
pub(crate) use expand::{
    OPAQUE_EXIT, business_metric, business_metrics, check_function, parse, part, private,
};
