//! [`HttpMetrics`]: what a request does on its way in: it finds its route's
//! figures, counts itself active, and hands the inner service its request, the
//! body measured.

use std::any::TypeId;
use std::mem::ManuallyDrop;
use std::task::{Context, Poll};

use axum::BoxError;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::MatchedPath;
use axum::http::{Request, Response};
use tower::Service;

use super::body::{RequestBody, RequestSize, ResponseBody};
use super::future::ResponseFuture;
use super::guard::{CLIENT_CLOSED_STATUS, Guard};
use super::routes::{METHODS, method_index};
use super::shared::Shared;
use super::trace::{RequestTrace, TraceSettings, span_name};
use crate::core::Shard;

/// The service [`HttpMetricsLayer`] wraps around another.
///
/// [`HttpMetricsLayer`]: super::HttpMetricsLayer
///
/// ```
/// use axum::{Router, routing::get};
/// use monitor_runtime::http::{HttpMetrics, HttpMetricsLayer};
/// use tower::Layer;
///
/// let app: HttpMetrics<Router> =
///     HttpMetricsLayer::new().layer(Router::new().route("/", get(|| async { "hello" })));
/// # let _ = app;
/// ```
#[derive(Clone)]
pub struct HttpMetrics<S> {
    pub(super) inner: S,
    pub(super) shared: &'static Shared,
    pub(super) trace: TraceSettings,
}

impl<S, B, ResBody> Service<Request<B>> for HttpMetrics<S>
where
    S: Service<Request<Body>, Response = Response<ResBody>>,
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
    ResBody: HttpBody,
{
    type Response = Response<ResponseBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let shared = self.shared;
        let start = shared.clock.raw();
        let route = match request.extensions().get::<MatchedPath>() {
            Some(path) => shared.route(path),
            None => shared.by_path(request.uri().path()),
        };
        if route.excluded {
            return ResponseFuture {
                inner: self.inner.call(inner_request(request, None)),
                guard: None,
            };
        }
        let method = method_index(request.method());
        let entry = route.method(shared, method);
        let shard = Shard::current().index();
        shared.active.add(shard, method, 1);
        let size = RequestSize { shared, entry };
        let trace = self.trace.enabled.then(|| {
            let name =
                (route.route.as_ref() != super::routes::UNMATCHED_ROUTE).then_some(&*route.route);
            RequestTrace::start(&request, self.trace, METHODS[method], name, || {
                entry
                    .span_name
                    .get_or_init(|| span_name(METHODS[method], name))
            })
        });
        let request = inner_request(request, Some((size, shard)));
        let mut guard = Guard {
            shared,
            entry,
            method: method as u8,
            status: CLIENT_CLOSED_STATUS,
            start,
            bytes: 0,
            trace,
        };
        let inner = match &mut guard.trace {
            Some(trace) => trace.scope(|| self.inner.call(request)),
            None => self.inner.call(request),
        };
        ResponseFuture {
            guard: Some(guard),
            inner,
        }
    }
}

/// The request the inner service gets, its body measured when `size` says where to
/// (with the current thread's shard): axum's own `Request<Body>` is handed on as it
/// is, its body replaced in place only when there is something to read; another
/// body type is mapped into a `Body`.
#[inline(always)]
fn inner_request<B>(request: Request<B>, size: Option<(RequestSize, usize)>) -> Request<Body>
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    if TypeId::of::<B>() == TypeId::of::<Body>() {
        let mut request = ManuallyDrop::new(request);
        // SAFETY: `B` is `Body` (the same type id): this is the same request.
        let request = unsafe { &mut *std::ptr::from_mut(&mut *request).cast::<Request<Body>>() };
        if let Some((size, shard)) = size {
            let body = request.body_mut();
            if body.is_end_stream() {
                size.record(shard, 0);
            } else {
                let inner = std::mem::take(body);
                *body = Body::new(RequestBody {
                    inner,
                    size: Some(size),
                    bytes: 0,
                });
            }
        }
        // SAFETY: read once, as the request is not dropped (`ManuallyDrop`).
        return unsafe { std::ptr::read(request) };
    }
    request.map(|body| match size {
        Some((size, shard)) if body.is_end_stream() => {
            size.record(shard, 0);
            Body::empty()
        }
        None if body.is_end_stream() => Body::empty(),
        None => Body::new(body),
        Some((size, _)) => Body::new(RequestBody {
            inner: body,
            size: Some(size),
            bytes: 0,
        }),
    })
}
