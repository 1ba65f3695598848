//! `#[health_check]` on functions and `#[derive(HealthCheck)]` on structs: options in
//! `attr`, code generation in `expand`.

mod attr;
mod expand;

pub(crate) use expand::{derive, health_check};
