//! Parsing of `#[health_check(...)]` and `#[health(...)]` options.

use std::time::Duration;

use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, LitStr, Meta, Token};

use crate::naming;
use crate::support::Ctxt;
use crate::support::args::{crate_path, flag, meta_key, string};

/// Where the options were written: each place accepts a different set.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// `#[health_check(...)]` on a function.
    Function,
    /// `#[health(...)]` on a `#[derive(HealthCheck)]` struct.
    Container,
    /// `#[health(...)]` on a field of a composite.
    Field,
}

impl Place {
    fn attribute(self) -> &'static str {
        match self {
            Place::Function => "#[health_check]",
            Place::Container | Place::Field => "#[health]",
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Place::Function => {
                "`name = \"...\"`, `liveness`, `readiness`, `startup`, `probe = \"...\"`, `critical`, \
                 `critical = false`, `timeout = \"...\"`, `cache = \"...\"`, `refresh = \"...\"`, `crate = \"...\"`"
            }
            Place::Container => {
                "`name = \"...\"`, `check = method`, `liveness`, `readiness`, `startup`, `probe = \"...\"`, \
                 `critical`, `critical = false`, `timeout = \"...\"`, `cache = \"...\"`, `refresh = \"...\"`, \
                 `crate = \"...\"`"
            }
            Place::Field => "`name = \"...\"`, `critical`, `critical = false`, `skip`",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Probe {
    Liveness,
    Readiness,
    Startup,
}

impl Probe {
    pub(crate) fn variant(self) -> &'static str {
        match self {
            Probe::Liveness => "Liveness",
            Probe::Readiness => "Readiness",
            Probe::Startup => "Startup",
        }
    }

    fn parse(text: &str) -> Option<Probe> {
        match text {
            "liveness" => Some(Probe::Liveness),
            "readiness" => Some(Probe::Readiness),
            "startup" => Some(Probe::Startup),
            _ => None,
        }
    }
}

/// What the user wrote; every option keeps enough to point errors at it.
#[derive(Default)]
pub(crate) struct HealthArgs {
    pub(crate) name: Option<LitStr>,
    pub(crate) probe: Option<Probe>,
    pub(crate) critical: Option<bool>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) cache: Option<Duration>,
    pub(crate) refresh: Option<Duration>,
    pub(crate) check: Option<syn::Ident>,
    pub(crate) skip: bool,
    pub(crate) krate: Option<syn::Path>,
}

pub(crate) fn parse(
    cx: &mut Ctxt,
    tokens: proc_macro2::TokenStream,
    place: Place,
    args: &mut HealthArgs,
    seen: &mut Vec<String>,
) {
    let metas = match Punctuated::<Meta, Token![,]>::parse_terminated.parse2(tokens) {
        Ok(metas) => metas,
        Err(error) => {
            cx.push(error);
            return;
        }
    };
    let attribute = place.attribute();
    let expected = place.expected();
    for meta in metas {
        let key = meta_key(&meta);
        let probe_word = Probe::parse(&key).is_some() && matches!(meta, Meta::Path(_));
        let slot = if probe_word { "probe" } else { key.as_str() };
        let allowed = match place {
            Place::Function => &[
                "name", "probe", "critical", "timeout", "cache", "refresh", "crate",
            ][..],
            Place::Container => &[
                "name", "probe", "critical", "timeout", "cache", "refresh", "crate", "check",
            ][..],
            Place::Field => &["name", "critical", "skip"][..],
        };
        if !allowed.contains(&slot) {
            let message = match (place, slot) {
                (Place::Function, "check") => format!(
                    "`check = method` belongs on a `#[derive(HealthCheck)]` struct; a `{attribute}` \
                     function is the check itself"
                ),
                (Place::Field, "probe" | "timeout" | "cache" | "refresh") => format!(
                    "`{key}` is an option of the check itself: put it in `#[health(...)]` on the \
                     field's type; on a field, expected one of {expected}"
                ),
                _ => format!("unknown `{attribute}` option `{key}`; expected one of {expected}"),
            };
            cx.error_spanned_by(meta.path(), message);
            continue;
        }
        if seen.iter().any(|previous| previous == slot) {
            let message = if slot == "probe" {
                "expected only a single probe: `liveness`, `readiness` or `startup`".to_owned()
            } else {
                format!("expected only a single `{slot}` option")
            };
            cx.error_spanned_by(meta.path(), message);
            continue;
        }
        seen.push(slot.to_owned());
        match (slot, &meta) {
            ("probe", Meta::Path(path)) => args.probe = Probe::parse(&key).or_else(|| {
                cx.error_spanned_by(path, "`probe` takes a value: `probe = \"liveness\"`");
                None
            }),
            ("probe", Meta::NameValue(nv)) => match string(&nv.value) {
                Some(lit) => match Probe::parse(&lit.value()) {
                    Some(probe) => args.probe = Some(probe),
                    None => cx.error_spanned_by(
                        lit,
                        format!(
                            "unknown probe `{}`; expected `liveness`, `readiness` or `startup`",
                            lit.value()
                        ),
                    ),
                },
                None => cx.error_spanned_by(
                    &nv.value,
                    "`probe` takes a string: `probe = \"liveness\"`, `\"readiness\"` or `\"startup\"`",
                ),
            },
            ("name", Meta::NameValue(nv)) => match string(&nv.value) {
                Some(lit) => {
                    if let Some(error) = naming::health_check_name(&lit.value()) {
                        cx.error_spanned_by(lit, error);
                    } else {
                        args.name = Some(lit.clone());
                    }
                }
                None => cx.error_spanned_by(
                    &nv.value,
                    "`name` takes a string literal, e.g. `name = \"database\"`",
                ),
            },
            ("critical", Meta::Path(_)) => args.critical = Some(true),
            ("critical", Meta::NameValue(nv)) => {
                if let Some(critical) = flag(cx, "critical", &nv.value) {
                    args.critical = Some(critical);
                }
            }
            ("timeout" | "cache" | "refresh", Meta::NameValue(nv)) => {
                let duration = naming::duration_argument(cx, slot, &nv.value);
                match slot {
                    "timeout" => args.timeout = duration,
                    "cache" => args.cache = duration,
                    _ => args.refresh = duration,
                }
            }
            ("check", Meta::NameValue(nv)) => match &nv.value {
                Expr::Path(path) if path.path.get_ident().is_some() => {
                    args.check = path.path.get_ident().cloned();
                }
                other => cx.error_spanned_by(
                    other,
                    "`check` takes the name of a method of this struct, e.g. `check = ping`",
                ),
            },
            ("crate", Meta::NameValue(nv)) => {
                args.krate = crate_path(cx, Some(&nv.value), &nv.value);
            }
            ("skip", Meta::Path(_)) => args.skip = true,
            ("skip", _) => cx.error_spanned_by(&meta, "`skip` takes no value: `#[health(skip)]`"),
            (_, Meta::List(list)) => cx.error_spanned_by(
                list,
                format!("`{key}` does not take a list; expected one of {expected}"),
            ),
            _ => cx.error_spanned_by(
                &meta,
                format!("`{key}` takes a value: `{key} = ...`; expected one of {expected}"),
            ),
        }
    }
}

/// `DatabasePool` → `database_pool`.
pub(crate) fn snake_case(ident: &str) -> String {
    let mut out = String::new();
    for (index, c) in ident.chars().enumerate() {
        if c.is_uppercase() {
            if index > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}
