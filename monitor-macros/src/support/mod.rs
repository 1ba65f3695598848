//! What every macro shares, and no attribute owns: the error context, argument
//! helpers, the function model, early-exit rewriting and the one body wrapper. Nothing
//! here imports an attribute module (`monitored`, `business`, `health`).

pub(crate) mod args;
pub(crate) mod ctxt;
pub(crate) mod exits;
pub(crate) mod function;
pub(crate) mod wrap;

pub(crate) use ctxt::{Ctxt, with_errors};
pub(crate) use wrap::{Guard, Wrapper, wrap};
