//! The measured bodies: [`ResponseBody`], whose bytes are counted as they are
//! sent, and the request body's wrapper, whose bytes are recorded when the service
//! drops it.

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use axum::body::HttpBody;
use http_body::{Frame, SizeHint};
use pin_project_lite::pin_project;

use super::cells;
use super::guard::Guard;
use super::routes::MethodEntry;
use super::shared::Shared;
use crate::core::Shard;

/// Where a request body's size goes.
pub(super) struct RequestSize {
    pub(super) shared: &'static Shared,
    pub(super) entry: &'static MethodEntry,
}

impl RequestSize {
    /// Records a body of `bytes`, in `shard` (the current thread's).
    #[inline]
    pub(super) fn record(&self, shard: usize, bytes: u64) {
        let bounds = &self.shared.size_bounds;
        cells::observe(&self.entry.request.block(shard), 0, bounds, bytes);
    }
}

pin_project! {
    /// A response body measured by [`HttpMetrics`]: its bytes are counted as they
    /// are sent; the request is recorded when it ends or is dropped.
    ///
    /// [`HttpMetrics`]: super::HttpMetrics
    ///
    /// ```
    /// use axum::{Router, body::Body, http::Request, routing::get};
    /// use monitor_runtime::http::{HttpMetricsLayer, ResponseBody};
    /// use tower::{Layer, ServiceExt};
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let app = HttpMetricsLayer::new().layer(Router::new().route("/", get(|| async { "hello" })));
    /// let response = app.oneshot(Request::get("/").body(Body::empty()).unwrap()).await.unwrap();
    /// let body: &ResponseBody<Body> = response.body();
    /// # let _ = body;
    /// # });
    /// ```
    pub struct ResponseBody<B> {
        #[pin]
        pub(super) inner: Option<B>,
        pub(super) guard: Option<Guard>,
    }
}

impl<B: HttpBody> HttpBody for ResponseBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        let Some(inner) = this.inner.as_pin_mut() else {
            this.guard.take();
            return Poll::Ready(None);
        };
        // Looked at in place and handed on as it came: a frame is large to move.
        let polled = inner.poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let (Some(data), Some(guard)) = (frame.data_ref(), this.guard.as_mut()) {
                    guard.bytes += bytes::Buf::remaining(data) as u64;
                }
            }
            Poll::Ready(Some(Err(_)) | None) => {
                this.guard.take();
            }
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.as_ref().is_none_or(HttpBody::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        self.inner
            .as_ref()
            .map_or_else(|| SizeHint::with_exact(0), HttpBody::size_hint)
    }
}

pin_project! {
    /// A request body measured by [`HttpMetrics`]: the bytes the service read are
    /// recorded when it is dropped.
    ///
    /// [`HttpMetrics`]: super::HttpMetrics
    pub(super) struct RequestBody<B> {
        #[pin]
        pub(super) inner: B,
        pub(super) size: Option<RequestSize>,
        pub(super) bytes: u64,
    }

    impl<B> PinnedDrop for RequestBody<B> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if let Some(size) = this.size.take() {
                size.record(Shard::current().index(), *this.bytes);
            }
        }
    }
}

impl<B: HttpBody> HttpBody for RequestBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        let frame = ready!(this.inner.poll_frame(cx));
        if let Some(Ok(frame)) = &frame
            && let Some(data) = frame.data_ref()
        {
            *this.bytes += bytes::Buf::remaining(data) as u64;
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
