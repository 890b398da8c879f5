//! Sending requests: the [`Transport`] seam (the browser's `fetch` by default, scripted in tests)
//! and the guard that aborts a request when it is dropped.

use std::future::Future;
use std::pin::Pin;

use k12_export_core::{HttpOutcome, HttpRequest};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

/// A future for one answer.
pub type OutcomeFuture = Pin<Box<dyn Future<Output = HttpOutcome>>>;

/// Sends requests. The default is [`FetchTransport`]; tests script their own.
pub trait Transport {
    /// Sends `request`; the future must finish (with [`HttpOutcome::NetworkError`]) soon after
    /// `signal` is aborted.
    fn send(&self, request: HttpRequest, signal: Option<AbortSignal>) -> OutcomeFuture;
}

/// `fetch`, with the page's cookies for same-origin endpoints.
#[derive(Clone, Copy, Debug, Default)]
pub struct FetchTransport;

impl Transport for FetchTransport {
    fn send(&self, request: HttpRequest, signal: Option<AbortSignal>) -> OutcomeFuture {
        Box::pin(async move {
            match fetch(&request, signal.as_ref()).await {
                Ok(outcome) => outcome,
                Err(e) => HttpOutcome::NetworkError(e),
            }
        })
    }
}

/// One `fetch` and its body as text; `Err` (a description) when no answer came.
async fn fetch(request: &HttpRequest, signal: Option<&AbortSignal>) -> Result<HttpOutcome, String> {
    let raw = build_request(request, signal)?;
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response =
        JsFuture::from(window.fetch_with_request(&raw)).await.map_err(js_error)?.dyn_into().map_err(js_error)?;
    let status = response.status();
    let retry_after = response.headers().get("retry-after").ok().flatten();
    let body = JsFuture::from(response.text().map_err(js_error)?).await.map_err(js_error)?;
    Ok(HttpOutcome::Answer { status, retry_after, body: body.as_string().unwrap_or_default() })
}

/// A rejection as text, e.g. `TypeError: Failed to fetch`.
fn js_error(e: JsValue) -> String {
    match e.dyn_ref::<js_sys::Error>() {
        Some(e) => String::from(e.to_string()),
        None => "fetch failed".to_owned(),
    }
}

/// The `fetch` request, with the URL exactly as the core built it.
fn build_request(request: &HttpRequest, signal: Option<&AbortSignal>) -> Result<web_sys::Request, String> {
    let init = web_sys::RequestInit::new();
    init.set_method(request.method.as_str());
    if let Some(signal) = signal {
        init.set_signal(Some(signal));
    }
    let headers = web_sys::Headers::new().map_err(|_| "cannot create headers".to_owned())?;
    for (name, value) in &request.headers {
        headers.append(name, value).map_err(|_| ["invalid header ", name].concat())?;
    }
    if let Some(body) = &request.body {
        headers.append("Content-Type", "application/json").map_err(|_| "invalid header".to_owned())?;
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    web_sys::Request::new_with_str_and_init(&request.url, &init)
        .map_err(|_| ["invalid request URL: ", &request.url].concat())
}

/// Aborts its request when dropped, unless disarmed first: every request in flight is held by
/// one, so dropping the runner aborts them all.
#[must_use = "dropping the guard aborts the request"]
pub(crate) struct AbortGuard(Option<AbortController>);

impl AbortGuard {
    /// A new controller and its guard; `None` signal when the browser cannot make one.
    pub(crate) fn new() -> (AbortGuard, Option<AbortSignal>) {
        let controller = AbortController::new().ok();
        let signal = controller.as_ref().map(AbortController::signal);
        (AbortGuard(controller), signal)
    }

    /// The request finished normally: forget it without aborting.
    pub(crate) fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for AbortGuard {
    fn drop(&mut self) {
        if let Some(c) = &self.0 {
            c.abort();
        }
    }
}
