//! Stacked attributes expand to one wrapper, whichever expands first.

use proc_macro2::TokenStream;
use quote::quote;

use super::{business_metric, monitored};

/// How often `needle` occurs in the expansion, compared without whitespace.
fn count(expanded: &TokenStream, needle: &str) -> usize {
    let text: String = expanded.to_string().split_whitespace().collect();
    let needle: String = needle.split_whitespace().collect();
    text.matches(&needle).count()
}

/// `needle` occurs `times` times in the expansion.
#[track_caller]
fn assert_count(expanded: &TokenStream, needle: &str, times: usize) {
    assert_eq!(count(expanded, needle), times, "`{needle}` in {expanded}");
}

/// The expansion, which must be a function without errors and without any attribute
/// of ours left to expand (only the markers that name an absorbed attribute's path
/// once more, which expand to nothing).
fn checked(expanded: TokenStream) -> TokenStream {
    assert_count(&expanded, "compile_error", 0);
    for attribute in ["#[monitored", "#[business_metric"] {
        let markers = count(&expanded, &format!("{attribute}(__monitor_absorbed)]"));
        assert_count(&expanded, attribute, markers);
    }
    syn::parse2::<syn::ImplItemFn>(expanded.clone())
        .unwrap_or_else(|error| panic!("{error}: {expanded}"));
    expanded
}

/// The body wrapped once: one guard (when monitored), one labelled block or one
/// `.await` of the body, one binding of the value, one descriptor per metric.
fn assert_one_wrapper(expanded: &TokenStream, monitored: bool, metrics: usize, awaits: usize) {
    assert_count(expanded, "CallGuard::enter", usize::from(monitored));
    assert_count(expanded, "static __MONITOR_SITE", usize::from(monitored));
    assert_count(expanded, "'__monitor_body: {", usize::from(awaits == 0));
    assert_count(expanded, ".await", awaits);
    assert_count(expanded, "let __monitor_ret", 1 + usize::from(awaits == 0));
    for index in 0..metrics {
        let site = format!("static __MONITOR_BUSINESS_SITE_{index}:");
        assert_count(expanded, &site, 1);
    }
    let next = format!("__MONITOR_BUSINESS_SITE_{metrics}");
    assert_count(expanded, &next, 0);
}

/// The metrics' descriptors stand in this order: the order they were declared in.
fn assert_in_order(expanded: &TokenStream, metrics: &[&str]) {
    let text = expanded.to_string();
    let positions: Vec<usize> = metrics
        .iter()
        .map(|metric| {
            text.find(&format!("\"{metric}\""))
                .unwrap_or_else(|| panic!("no `{metric}` in {text}"))
        })
        .collect();
    assert!(positions.is_sorted(), "{metrics:?} out of order in {text}");
}

#[test]
fn monitored_first_absorbs_business_metrics_on_a_sync_function() {
    let expanded = checked(monitored(
        TokenStream::new(),
        quote! {
            #[business_metric(counter = "logins_total", help = "Logins.")]
            #[inline]
            #[business_metric(counter = "failures_total", help = "Failures.", on = "error")]
            fn log_in(user: &str) -> Result<u32, String> {
                let length = check(user)?;
                Ok(length)
            }
        },
    ));
    assert_one_wrapper(&expanded, true, 2, 0);
    // The other attribute stays, and the metrics keep their declaration order.
    assert_count(&expanded, "#[inline]", 1);
    assert_in_order(&expanded, &["logins_total", "failures_total"]);
}

#[test]
fn business_metric_first_absorbs_monitored_on_a_sync_function() {
    let expanded = checked(business_metric(
        quote!(counter = "logins_total", help = "Logins."),
        quote! {
            #[monitored(span = false)]
            #[business_metric(counter = "failures_total", help = "Failures.", on = "error")]
            fn log_in(user: &str) -> Result<u32, String> {
                if user.is_empty() {
                    return Err(String::new());
                }
                Ok(1)
            }
        },
    ));
    assert_one_wrapper(&expanded, true, 2, 0);
    assert_count(&expanded, "no_span", 1);
    assert_in_order(&expanded, &["logins_total", "failures_total"]);
}

#[test]
fn either_order_wraps_an_async_fn_once() {
    let function = quote! {
        async fn check_out(&self, basket: f64) -> Result<f64, Declined> {
            tick().await;
            Ok(basket)
        }
    };
    let monitored_first = checked(monitored(
        TokenStream::new(),
        quote! {
            #[business_metric(histogram = "basket_euros", help = "Baskets.", observe = ret, buckets = [10.0])]
            #function
        },
    ));
    assert_one_wrapper(&monitored_first, true, 1, 1 + 1);
    let business_first = checked(business_metric(
        quote!(
            histogram = "basket_euros",
            help = "Baskets.",
            observe = ret,
            buckets = [10.0]
        ),
        quote! {
            #[monitored]
            #function
        },
    ));
    assert_one_wrapper(&business_first, true, 1, 1 + 1);
}

#[test]
fn either_order_wraps_a_returned_future_once() {
    for function in [
        quote! {
            fn fetch(&self) -> impl Future<Output = Result<u32, Declined>> {
                let id = self.id()?;
                async move { Ok(id) }
            }
        },
        quote! {
            fn fetch(&self) -> Pin<Box<dyn Future<Output = Result<u32, Declined>> + Send + '_>> {
                Box::pin(async move { Ok(1) })
            }
        },
    ] {
        let monitored_first = checked(monitored(
            TokenStream::new(),
            quote! {
                #[business_metric(counter = "fetches_total", help = "Fetches.")]
                #function
            },
        ));
        // The body runs once in a labelled block that builds the future, awaited once.
        assert_count(&monitored_first, "'__monitor_body: {", 1);
        assert_count(&monitored_first, "__monitor_future).await", 1);
        assert_count(&monitored_first, "CallGuard::enter", 1);
        let business_first = checked(business_metric(
            quote!(counter = "fetches_total", help = "Fetches."),
            quote! {
                #[monitored]
                #function
            },
        ));
        assert_count(&business_first, "'__monitor_body: {", 1);
        assert_count(&business_first, "__monitor_future).await", 1);
        assert_count(&business_first, "CallGuard::enter", 1);
    }
}

#[test]
fn business_metrics_alone_share_one_wrapper() {
    let expanded = checked(business_metric(
        quote!(gauge = "sessions_active", help = "Sessions.", inc),
        quote! {
            #[business_metric(counter = "logins_total", help = "Logins.")]
            #[business_metric(counter = "failures_total", help = "Failures.", on = "error")]
            fn log_in(user: &str) -> Result<u32, String> {
                Ok(1)
            }
        },
    ));
    assert_one_wrapper(&expanded, false, 3, 0);
}

#[test]
fn a_monitored_impl_block_absorbs_the_business_metrics_of_its_methods() {
    let expanded = monitored(
        TokenStream::new(),
        quote! {
            impl Catalog {
                #[business_metric(counter = "lookups_total", help = "Lookups.", labels(kind = kind))]
                #[monitored(name = "catalog_find")]
                pub fn find(&self, kind: &str) -> Result<u64, String> {
                    Ok(1)
                }

                #[business_metric(counter = "skipped_total", help = "Skipped.")]
                #[monitored(skip)]
                pub fn skipped(&self) {}
            }
        },
    );
    assert_count(&expanded, "compile_error", 0);
    syn::parse2::<syn::ItemImpl>(expanded.clone()).unwrap();
    // One guard, for `find`, whose metric joined its wrapper; the skipped method
    // keeps its `#[business_metric]`, which expands on its own.
    assert_count(&expanded, "CallGuard::enter", 1);
    assert_count(&expanded, "'__monitor_body: {", 1);
    assert_count(&expanded, "FunctionSite::new(\"catalog_find\"", 1);
    assert_count(&expanded, "\"lookups_total\"", 1);
    assert_count(&expanded, "\"skipped_total\"", 1);
    // Besides the markers of the absorbed attributes (which expand to nothing).
    let unexpanded = |attribute: &str| {
        count(&expanded, attribute) - count(&expanded, &format!("{attribute}(__monitor_absorbed)]"))
    };
    assert_eq!(unexpanded("#[business_metric"), 1, "{expanded}");
    assert_eq!(unexpanded("#[monitored"), 0, "{expanded}");
}

#[test]
fn errors_of_every_absorbed_attribute_are_reported_with_the_function() {
    let expanded = business_metric(
        quote!(counter = "bad-name_total", help = "Bad."),
        quote! {
            #[monitored(span = "loud")]
            #[business_metric(help = "No metric.")]
            #[monitored]
            fn f() -> u32 { 1 }
        },
    );
    assert_count(&expanded, "compile_error", 4);
    let text = expanded.to_string();
    assert!(text.contains("not a valid Prometheus name"), "{text}");
    assert!(text.contains("unknown span level"), "{text}");
    assert!(text.contains("missing the metric"), "{text}");
    assert!(text.contains("applied twice"), "{text}");
    // The function as written, without our attributes, and without a wrapper.
    assert!(
        text.starts_with("fn f () -> u32 { 1 } :: core :: compile_error !"),
        "{text}"
    );
}

#[test]
fn a_wrapper_around_a_wrapper_takes_a_label_of_its_own() {
    // What an attribute of ours renamed by `use ... as ...` meets: a body wrapped
    // already, since it was not recognised and absorbed.
    let inner = business_metric(
        quote!(counter = "inner_total", help = "Inner."),
        quote! {
            fn f(input: Option<u32>) -> Option<u32> {
                let value = input?;
                Some(value)
            }
        },
    );
    let outer = checked(business_metric(
        quote!(counter = "outer_total", help = "Outer."),
        inner,
    ));
    assert_count(&outer, "'__monitor_body: {", 1);
    assert_count(&outer, "'__monitor_body_1: {", 1);
    // The inner body's exit still breaks out of the inner block.
    assert_count(&outer, "break '__monitor_body __monitor_exit", 1);
    assert_count(&outer, "break '__monitor_body_1", 0);
}
