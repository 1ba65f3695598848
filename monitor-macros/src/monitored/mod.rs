//! `#[monitored]` on functions and `impl` blocks: what it accepts (`item`), its
//! arguments (`attr`) and its expansion (`expand`).

mod attr;
mod expand;
mod item;
mod objective;

pub(crate) use expand::{
    Monitoring, OPAQUE_EXIT, check_function, guard, monitored, parse, private,
};
