//! What the API server says besides its answers: warnings (a Pod Security `warn` level, a
//! deprecated field), shown as kubectl shows them, and — with `-vv` — every request with its
//! status and time. A layer of the client's HTTP stack; it hands what it sees to callbacks that
//! the caller provides, and prints nothing itself.

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Instant;

use http::{Request, Response};

/// Receives a line: a warning, or a request the client made.
pub(crate) type Report = Arc<dyn Fn(String) + Send + Sync>;

/// Where warnings and requests go.
#[derive(Clone)]
pub(crate) struct Observer {
    warning: Report,
    request: Option<Report>,
    /// Each warning is shown once per command, as kubectl does.
    seen: Arc<Mutex<BTreeSet<String>>>,
}

impl Observer {
    /// Warnings go to `warning`; each request to `request`, when given.
    pub(crate) fn new(warning: Report, request: Option<Report>) -> Self {
        Observer {
            warning,
            request,
            seen: Arc::default(),
        }
    }

    fn warned(&self, header: &str) {
        let text = warning_text(header);
        let new = self
            .seen
            .lock()
            .map(|mut s| s.insert(text.clone()))
            .unwrap_or(true);
        if new {
            (self.warning)(text);
        }
    }
}

/// The text of a `Warning` header (`299 - "message"`), unquoted.
fn warning_text(header: &str) -> String {
    let rest = header.splitn(3, ' ').nth(2).unwrap_or(header).trim();
    let unquoted = rest
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(rest);
    unquoted.replace("\\\"", "\"")
}

/// The layer: wraps the client's service.
#[derive(Clone)]
pub(crate) struct Layer(pub(crate) Observer);

impl<S> tower::Layer<S> for Layer {
    type Service = Observed<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Observed {
            inner,
            observer: self.0.clone(),
        }
    }
}

/// The client's service, observed.
#[derive(Clone)]
pub(crate) struct Observed<S> {
    inner: S,
    observer: Observer,
}

type Boxed<T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send>>;

impl<S, B, RB> tower::Service<Request<B>> for Observed<S>
where
    S: tower::Service<Request<B>, Response = Response<RB>>,
    S::Future: Send + 'static,
    S::Error: std::fmt::Display,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Boxed<S::Response, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let line = format!(
            "{} {}",
            request.method(),
            readable(request.uri().path_and_query().map_or("", |p| p.as_str()))
        );
        let observer = self.observer.clone();
        let started = Instant::now();
        let answer = self.inner.call(request);
        Box::pin(async move {
            let result = answer.await;
            let took = started.elapsed().as_millis();
            match &result {
                Ok(response) => {
                    for header in response.headers().get_all(http::header::WARNING) {
                        observer.warned(header.to_str().unwrap_or_default());
                    }
                    if let Some(request) = &observer.request {
                        request(format!(
                            "{line} → {} ({took} ms)",
                            response.status().as_u16()
                        ));
                    }
                }
                Err(err) => {
                    if let Some(request) = &observer.request {
                        request(format!("{line} → failed: {err} ({took} ms)"));
                    }
                }
            }
            result
        })
    }
}

/// A request's path as one reads it: kube writes an empty first parameter (`?&limit=500`) and
/// a `?` with none at all.
fn readable(path: &str) -> String {
    path.replacen("?&", "?", 1).trim_end_matches('?').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warning_headers_read_as_their_message() {
        assert_eq!(
            warning_text(
                r#"299 - "would violate PodSecurity \"restricted:latest\": non-default capabilities""#
            ),
            r#"would violate PodSecurity "restricted:latest": non-default capabilities"#
        );
        assert_eq!(warning_text("odd"), "odd");
    }

    #[test]
    fn each_warning_is_reported_once() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let observer = Observer::new(Arc::new(move |w| sink.lock().unwrap().push(w)), None);
        observer.warned(r#"299 - "deprecated""#);
        observer.warned(r#"299 - "deprecated""#);
        assert_eq!(*seen.lock().unwrap(), vec!["deprecated".to_owned()]);
    }

    #[test]
    fn request_paths_read_without_kubes_empty_parameters() {
        assert_eq!(
            readable("/api/v1/namespaces/shop/pods?&labelSelector=app%3Dcassandra"),
            "/api/v1/namespaces/shop/pods?labelSelector=app%3Dcassandra"
        );
        assert_eq!(
            readable("/apis/coordination.k8s.io/v1/namespaces/shop/leases/db-casctl?"),
            "/apis/coordination.k8s.io/v1/namespaces/shop/leases/db-casctl"
        );
    }
}
