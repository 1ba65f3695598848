//! [`ResponseFuture`]: the response head, its body wrapped to be measured; a
//! handler's error or panic ends the request there.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::HttpBody;
use axum::http::{Response, StatusCode};
use pin_project_lite::pin_project;

use super::body::ResponseBody;
use super::guard::Guard;

pin_project! {
    /// The future of [`HttpMetrics`]: the inner service's response, its body
    /// measured; a panic of the inner service becomes a `500` answer.
    ///
    /// [`HttpMetrics`]: super::HttpMetrics
    ///
    /// ```
    /// use axum::{Router, body::Body, http::Request, routing::get};
    /// use monitor_runtime::http::{HttpMetricsLayer, ResponseFuture};
    /// use tower::{Layer, Service};
    ///
    /// let mut app = HttpMetricsLayer::new().layer(Router::new().route("/", get(|| async { "hello" })));
    /// let future: ResponseFuture<_> = app.call(Request::get("/").body(Body::empty()).unwrap());
    /// # let _ = future;
    /// ```
    pub struct ResponseFuture<F> {
        #[pin]
        pub(super) inner: F,
        pub(super) guard: Option<Guard>,
    }
}

impl<F, ResBody, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<ResBody>, E>>,
    ResBody: HttpBody,
{
    type Output = Result<Response<ResponseBody<ResBody>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let inner = this.inner;
        let poll = || catch_unwind(AssertUnwindSafe(|| inner.poll(cx)));
        let polled = match this.guard.as_mut().and_then(|guard| guard.trace.as_mut()) {
            Some(trace) => trace.scope(poll),
            None => poll(),
        };
        let response = match polled {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(Ok(response))) => response,
            Ok(Poll::Ready(Err(error))) => {
                // The guard records the request now, as one whose answer never came.
                this.guard.take();
                return Poll::Ready(Err(error));
            }
            Err(_panic) => {
                let mut guard = this.guard.take();
                if let Some(guard) = &mut guard {
                    guard.status = 500;
                    if let Some(trace) = &guard.trace {
                        trace.status(500);
                    }
                }
                tracing::error!("an HTTP handler panicked; answered 500");
                let mut response = Response::new(ResponseBody { inner: None, guard });
                *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
                return Poll::Ready(Ok(response));
            }
        };
        let mut guard = this.guard.take();
        let (parts, body) = response.into_parts();
        if let Some(measuring) = &mut guard {
            measuring.status = parts.status.as_u16();
            if let Some(trace) = &measuring.trace {
                trace.status(measuring.status);
            }
            if body.is_end_stream() {
                // Nothing to send: recorded now.
                guard = None;
            }
        }
        Poll::Ready(Ok(Response::from_parts(
            parts,
            ResponseBody {
                inner: Some(body),
                guard,
            },
        )))
    }
}
