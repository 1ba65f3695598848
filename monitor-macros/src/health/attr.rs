//! Parsing of `#[health_check(...)]` and `#[health(...)]` options.

use std::time::Duration;

use syn::{Expr, LitStr};

use crate::naming;
use crate::support::Ctxt;
use crate::support::args::{ArgValue, Arguments, crate_path, flag, parse_args, string};

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

const FUNCTION: &[&str] = &[
    "name",
    "liveness",
    "readiness",
    "startup",
    "probe",
    "critical",
    "timeout",
    "cache",
    "refresh",
    "crate",
];

const CONTAINER: &[&str] = &[
    "name",
    "check",
    "liveness",
    "readiness",
    "startup",
    "probe",
    "critical",
    "timeout",
    "cache",
    "refresh",
    "crate",
];

const FIELD: &[&str] = &["name", "critical", "skip"];

/// The probe words and `probe`: one of them per check.
const PROBES: &[&str] = &["liveness", "readiness", "startup", "probe"];

const FUNCTION_EXPECTED: &str = "`name = \"...\"`, `liveness`, `readiness`, `startup`, \
     `probe = \"...\"`, `critical`, `critical = false`, `timeout = \"...\"`, `cache = \"...\"`, \
     `refresh = \"...\"`, `crate = \"...\"`";

const CONTAINER_EXPECTED: &str = "`name = \"...\"`, `check = method`, `liveness`, `readiness`, \
     `startup`, `probe = \"...\"`, `critical`, `critical = false`, `timeout = \"...\"`, \
     `cache = \"...\"`, `refresh = \"...\"`, `crate = \"...\"`";

const FIELD_EXPECTED: &str = "`name = \"...\"`, `critical`, `critical = false`, `skip`";

impl Place {
    /// The arguments accepted here; one reader serves every attribute of one place
    /// (a struct's `#[health(...)]` may be split in several).
    pub(crate) fn arguments(self) -> Arguments {
        match self {
            Place::Function => Arguments::new("`#[health_check]`", FUNCTION, FUNCTION_EXPECTED)
                .misplaced(|name| {
                    (name == "check").then(|| {
                        "`check = method` belongs on a `#[derive(HealthCheck)]` struct; a \
                         `#[health_check]` function is the check itself"
                            .to_owned()
                    })
                }),
            Place::Container => Arguments::new("`#[health]`", CONTAINER, CONTAINER_EXPECTED),
            Place::Field => {
                Arguments::new("`#[health]`", FIELD, FIELD_EXPECTED).misplaced(|name| {
                    matches!(
                        name,
                        "probe"
                            | "liveness"
                            | "readiness"
                            | "startup"
                            | "timeout"
                            | "cache"
                            | "refresh"
                    )
                    .then(|| {
                        format!(
                            "`{name}` is an option of the check itself: put it in \
                             `#[health(...)]` on the field's type; on a field, expected one of \
                             {FIELD_EXPECTED}"
                        )
                    })
                })
            }
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

/// Reads the options of one attribute into `args`, through `arguments` (from
/// [`Place::arguments`], shared by the attributes of one place).
pub(crate) fn parse(
    cx: &mut Ctxt,
    tokens: proc_macro2::TokenStream,
    arguments: &mut Arguments,
    args: &mut HealthArgs,
) {
    for arg in parse_args(cx, tokens) {
        let probe_given = PROBES.iter().any(|probe| arguments.seen(probe));
        if !arguments.accept(cx, &arg) {
            continue;
        }
        let key = arg.name();
        if PROBES.contains(&key.as_str()) && probe_given {
            cx.error_spanned_by(
                &arg.key,
                "expected only a single probe: `liveness`, `readiness` or `startup`",
            );
            continue;
        }
        match (key.as_str(), &arg.value) {
            ("liveness" | "readiness" | "startup", ArgValue::Flag) => args.probe = Probe::parse(&key),
            ("liveness" | "readiness" | "startup", _) => cx.error_spanned_by(
                &arg,
                format!("`{key}` stands alone: write `{key}`, or `probe = \"{key}\"`"),
            ),
            ("probe", ArgValue::Expr(value)) => match string(value) {
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
                    value,
                    "`probe` takes a string: `probe = \"liveness\"`, `\"readiness\"` or `\"startup\"`",
                ),
            },
            ("probe", ArgValue::Flag) => {
                cx.error_spanned_by(&arg.key, "`probe` takes a value: `probe = \"liveness\"`")
            }
            ("name", ArgValue::Expr(value)) => match string(value) {
                Some(lit) => {
                    if let Some(error) = naming::health_check_name(&lit.value()) {
                        cx.error_spanned_by(lit, error);
                    } else {
                        args.name = Some(lit.clone());
                    }
                }
                None => cx.error_spanned_by(
                    value,
                    "`name` takes a string literal, e.g. `name = \"database\"`",
                ),
            },
            ("critical", ArgValue::Flag) => args.critical = Some(true),
            ("critical", ArgValue::Expr(value)) => {
                if let Some(critical) = flag(cx, "critical", value) {
                    args.critical = Some(critical);
                }
            }
            ("timeout" | "cache" | "refresh", ArgValue::Expr(value)) => {
                let duration = naming::duration_argument(cx, &key, value);
                match key.as_str() {
                    "timeout" => args.timeout = duration,
                    "cache" => args.cache = duration,
                    _ => args.refresh = duration,
                }
            }
            ("check", ArgValue::Expr(value)) => match value {
                Expr::Path(path) if path.path.get_ident().is_some() => {
                    args.check = path.path.get_ident().cloned();
                }
                other => cx.error_spanned_by(
                    other,
                    "`check` takes the name of a method of this struct, e.g. `check = ping`",
                ),
            },
            ("crate", ArgValue::Expr(value)) => {
                args.krate = crate_path(cx, Some(value), value);
            }
            ("skip", ArgValue::Flag) => args.skip = true,
            ("skip", _) => cx.error_spanned_by(&arg, "`skip` takes no value: `#[health(skip)]`"),
            (_, ArgValue::List(_)) => cx.error_spanned_by(
                &arg,
                format!(
                    "`{key}` does not take a list; expected one of {}",
                    arguments.expected()
                ),
            ),
            _ => cx.error_spanned_by(
                &arg,
                format!(
                    "`{key}` takes a value: `{key} = ...`; expected one of {}",
                    arguments.expected()
                ),
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
