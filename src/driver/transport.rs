//! Sending requests: the [`Transport`] seam (the browser's `fetch` by default, scripted in tests)
//! and the guard that aborts a request when it is dropped.

use std::future::Future;
use std::pin::Pin;

use k12_export_core::{HttpOutcome, HttpRequest};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

/// A future for one answer.
pub type OutcomeFuture = Pin<Box<dyn Future<Output = HttpOutcome>>>;

/// Sends requests. The default is [`FetchTransport`]; tests script their own.
pub trait Transport {
    /// Sends `request`; the future must finish (with [`HttpOutcome::NetworkError`]) soon after
    /// `signal` is aborted. A body over `request.limit` bytes is not read past it:
    /// [`HttpOutcome::TooLarge`].
    fn send(&self, request: HttpRequest, signal: Option<AbortSignal>) -> OutcomeFuture;
}

/// `fetch`, with the page's cookies for same-origin endpoints; the body read as it arrives, and
/// its download cancelled the moment it passes the request's limit.
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

// The request itself is made in JS (`src/driver/transport.js`): a few lines there, a dozen
// imports of the wasm here.
#[wasm_bindgen(module = "/src/driver/transport.js")]
extern "C" {
    #[wasm_bindgen(js_name = fetchText)]
    fn fetch_text(
        url: &str,
        method: &str,
        headers: js_sys::Array,
        body: Option<String>,
        signal: Option<AbortSignal>,
        limit: u32,
    ) -> js_sys::Promise;
}

/// One `fetch` and its body as text, read no further than the request's limit (then
/// [`HttpOutcome::TooLarge`]); `Err` (a description) when no answer came.
async fn fetch(request: &HttpRequest, signal: Option<&AbortSignal>) -> Result<HttpOutcome, String> {
    let headers = js_sys::Array::new();
    for (name, value) in &request.headers {
        headers.push(&JsValue::from_str(name));
        headers.push(&JsValue::from_str(value));
    }
    let promise = fetch_text(
        &request.url,
        request.method.as_str(),
        headers,
        request.body.clone(),
        signal.cloned(),
        request.limit,
    );
    let answer: js_sys::Array = JsFuture::from(promise).await.map_err(js_error)?.unchecked_into();
    Ok(match answer.get(2).as_string() {
        Some(body) => HttpOutcome::Answer {
            status: answer.get(0).as_f64().map_or(0, |s| s as u16),
            retry_after: answer.get(1).as_string(),
            body,
        },
        None => HttpOutcome::TooLarge,
    })
}

/// A rejection as text, e.g. `TypeError: Failed to fetch`.
fn js_error(e: JsValue) -> String {
    match e.dyn_ref::<js_sys::Error>() {
        Some(e) => String::from(e.to_string()),
        None => "fetch failed".to_owned(),
    }
}

/// Aborts its request when dropped, unless disarmed first: every request in flight is held by
/// one, so dropping the driver aborts them all.
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
