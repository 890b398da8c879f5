//! The `$export` cache: runs the core [`Machine`] in the browser.
//!
//! It turns the machine's commands into `fetch` requests (each carrying an `AbortController`
//! signal held by a guard that aborts on drop), a single `setTimeout` for the machine's next
//! timeout, and downloads; it feeds answers and timer ticks back in and reports every change to
//! its owner. Dropping an [`Exporter`] stops everything at once: the timer is cleared, requests
//! in flight are aborted, the page listeners are removed, and late answers find nobody home.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
#[cfg(feature = "backends")]
use k12_export_core::history::{HistoryInput, HistoryMachine, HistoryView};
use k12_export_core::policy::clamp;
use k12_export_core::{Command, Event, ExportOptions, HttpOutcome, HttpRequest, Input, Machine, RequestId, View};
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
        headers.append(name, value).map_err(|_| format!("invalid header {name}"))?;
    }
    if let Some(body) = &request.body {
        headers.append("Content-Type", "application/json").map_err(|_| "invalid header".to_owned())?;
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    web_sys::Request::new_with_str_and_init(&request.url, &init)
        .map_err(|_| format!("invalid request URL: {}", request.url))
}

/// Aborts its request when dropped.
struct AbortGuard(Option<AbortController>);

impl Drop for AbortGuard {
    fn drop(&mut self) {
        if let Some(c) = &self.0 {
            c.abort();
        }
    }
}

/// A sans-IO protocol machine the driver can run: the export [`Machine`] and the history panel's
/// machine share this runner.
pub trait SansIo: 'static {
    /// What goes in.
    type Input;
    /// What the UI shows.
    type View: Clone;
    /// What the owner is told.
    type Event: Clone;
    /// Feeds one input at `now_ms`.
    fn handle(&mut self, input: Self::Input, now_ms: f64);
    /// The next command.
    fn poll_command(&mut self) -> Option<Command>;
    /// When to wake up next.
    fn poll_timeout(&self) -> Option<f64>;
    /// The next event for the owner.
    fn poll_event(&mut self) -> Option<Self::Event>;
    /// What to show.
    fn view(&self) -> &Self::View;
    /// The input for an answer.
    fn answer(id: RequestId, outcome: HttpOutcome) -> Self::Input;
    /// The input for a timer tick.
    fn tick() -> Self::Input;
    /// The input that stops everything (page left, unmounted).
    fn stop() -> Self::Input;
}

impl SansIo for Machine {
    type Input = Input;
    type View = View;
    type Event = Event;
    fn handle(&mut self, input: Input, now_ms: f64) {
        Machine::handle(self, input, now_ms);
    }
    fn poll_command(&mut self) -> Option<Command> {
        Machine::poll_command(self)
    }
    fn poll_timeout(&self) -> Option<f64> {
        Machine::poll_timeout(self)
    }
    fn poll_event(&mut self) -> Option<Event> {
        Machine::poll_event(self)
    }
    fn view(&self) -> &View {
        Machine::view(self)
    }
    fn answer(id: RequestId, outcome: HttpOutcome) -> Input {
        Input::Response { id, outcome }
    }
    fn tick() -> Input {
        Input::Timer
    }
    fn stop() -> Input {
        Input::Cancel
    }
}

#[cfg(feature = "backends")]
impl SansIo for HistoryMachine {
    type Input = HistoryInput;
    type View = HistoryView;
    type Event = std::convert::Infallible;
    fn handle(&mut self, input: HistoryInput, now_ms: f64) {
        HistoryMachine::handle(self, input, now_ms);
    }
    fn poll_command(&mut self) -> Option<Command> {
        HistoryMachine::poll_command(self)
    }
    fn poll_timeout(&self) -> Option<f64> {
        HistoryMachine::poll_timeout(self)
    }
    fn poll_event(&mut self) -> Option<std::convert::Infallible> {
        None
    }
    fn view(&self) -> &HistoryView {
        HistoryMachine::view(self)
    }
    fn answer(id: RequestId, outcome: HttpOutcome) -> HistoryInput {
        HistoryInput::Response { id, outcome }
    }
    fn tick() -> HistoryInput {
        HistoryInput::Timer
    }
    fn stop() -> HistoryInput {
        HistoryInput::Cancel
    }
}

/// What the owner hears after every change: the view to render and what happened.
pub type Observer<M> = Rc<dyn Fn(&<M as SansIo>::View, &[<M as SansIo>::Event])>;

struct Inner<M: SansIo> {
    machine: M,
    transport: Rc<dyn Transport>,
    in_flight: Vec<(RequestId, AbortGuard)>,
    timer: Option<Timeout>,
    observer: Observer<M>,
    blob: Option<BlobUrl>,
}

/// Runs one sans-IO machine in the page. Dropping it stops everything: timer cleared, requests
/// aborted, page listeners removed, late answers ignored.
pub struct Runner<M: SansIo> {
    inner: Rc<RefCell<Inner<M>>>,
    _page_listeners: Vec<EventListener>,
}

/// One button's export runner (the `$export` cache). One export at a time.
pub type Exporter = Runner<Machine>;

/// The browser's monotonic clock, in milliseconds.
pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or_else(js_sys::Date::now, |p| p.now())
}

/// A seed for backoff jitter.
pub fn seed() -> u64 {
    (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64
}

impl<M: SansIo> Runner<M> {
    /// Runs `machine`, reporting to `observer`. Leaving the page (`pagehide`) stops it, and so
    /// does coming back from the back/forward cache (`pageshow` with `persisted`).
    pub fn with_machine(machine: M, transport: Rc<dyn Transport>, observer: Observer<M>) -> Runner<M> {
        let inner = Rc::new(RefCell::new(Inner {
            machine,
            transport,
            in_flight: Vec::new(),
            timer: None,
            observer,
            blob: None,
        }));
        let mut listeners = Vec::new();
        if let Some(window) = web_sys::window() {
            let weak = Rc::downgrade(&inner);
            listeners.push(EventListener::new(&window, "pagehide", move |_| {
                if let Some(rc) = weak.upgrade() {
                    pump(&rc, Some(M::stop()));
                }
            }));
            let weak = Rc::downgrade(&inner);
            listeners.push(EventListener::new(&window, "pageshow", move |e| {
                let persisted = e.dyn_ref::<web_sys::PageTransitionEvent>().is_some_and(|e| e.persisted());
                if let (true, Some(rc)) = (persisted, weak.upgrade()) {
                    pump(&rc, Some(M::stop()));
                }
            }));
        }
        Runner { inner, _page_listeners: listeners }
    }

    /// Feeds `input` and carries out what follows.
    pub fn input(&self, input: M::Input) {
        pump(&self.inner, Some(input));
    }

    /// The current view.
    pub fn view(&self) -> M::View {
        self.inner.borrow().machine.view().clone()
    }

    /// Requests in flight (for tests and diagnostics).
    pub fn requests_in_flight(&self) -> usize {
        self.inner.borrow().in_flight.len()
    }

    /// True while a timer is armed (for tests and diagnostics).
    pub fn timer_armed(&self) -> bool {
        self.inner.borrow().timer.is_some()
    }
}

impl Runner<Machine> {
    /// An exporter for validated `options`, reporting to `observer`.
    pub fn new(options: ExportOptions, transport: Rc<dyn Transport>, observer: Observer<Machine>) -> Exporter {
        let mut settings = options.settings;
        settings.seed = seed();
        Runner::with_machine(Machine::new(options.adapter, settings, options.filename), transport, observer)
    }

    /// Starts an export (ignored while one runs).
    pub fn start(&self) {
        self.input(Input::Start);
    }

    /// Stops the running export, if any.
    pub fn cancel(&self) {
        self.input(Input::Cancel);
    }
}

impl<M: SansIo> Drop for Runner<M> {
    fn drop(&mut self) {
        // Silent shutdown: the owner is going away and must not hear about it.
        let (timer, in_flight) = match self.inner.try_borrow_mut() {
            Ok(mut i) => {
                i.machine.handle(M::stop(), now_ms());
                while i.machine.poll_command().is_some() {}
                while i.machine.poll_event().is_some() {}
                i.blob = None;
                (i.timer.take(), std::mem::take(&mut i.in_flight))
            }
            Err(_) => (None, Vec::new()),
        };
        drop(timer);
        drop(in_flight); // aborts every request still in flight
    }
}

/// Feeds `input` (if any) to the machine, carries out its commands, re-arms the timer and tells
/// the observer. No borrow is held while foreign code (fetch, the observer) runs.
fn pump<M: SansIo>(rc: &Rc<RefCell<Inner<M>>>, input: Option<M::Input>) {
    let now = now_ms();
    let (commands, events, view, observer) = {
        let Ok(mut i) = rc.try_borrow_mut() else { return };
        if let Some(input) = input {
            i.machine.handle(input, now);
        }
        let commands: Vec<Command> = std::iter::from_fn(|| i.machine.poll_command()).collect();
        let events: Vec<M::Event> = std::iter::from_fn(|| i.machine.poll_event()).collect();
        (commands, events, i.machine.view().clone(), i.observer.clone())
    };
    for command in commands {
        execute(rc, command);
    }
    arm_timer(rc, now);
    observer(&view, &events);
}

fn execute<M: SansIo>(rc: &Rc<RefCell<Inner<M>>>, command: Command) {
    match command {
        Command::Send { id, request } => {
            let controller = AbortController::new().ok();
            let signal = controller.as_ref().map(AbortController::signal);
            let transport = rc.borrow().transport.clone();
            let answer = transport.send(request, signal);
            rc.borrow_mut().in_flight.push((id, AbortGuard(controller)));
            let weak: Weak<RefCell<Inner<M>>> = Rc::downgrade(rc);
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = answer.await;
                if let Some(rc) = weak.upgrade() {
                    let done = {
                        let mut i = rc.borrow_mut();
                        let pos = i.in_flight.iter().position(|(r, _)| *r == id);
                        // Finished normally: forget the guard without aborting.
                        pos.map(|p| {
                            let (_, mut guard) = i.in_flight.swap_remove(p);
                            guard.0 = None;
                        })
                    };
                    if done.is_some() {
                        pump(&rc, Some(M::answer(id, outcome)));
                    }
                }
            });
        }
        Command::Abort { id } => {
            let guard = {
                let mut i = rc.borrow_mut();
                i.in_flight.iter().position(|(r, _)| *r == id).map(|p| i.in_flight.swap_remove(p))
            };
            drop(guard); // aborts outside the borrow
        }
        Command::Download { url, filename } => download(&url, &filename),
        Command::Save { bytes, mime, filename } => {
            let blob = save(&bytes, mime, &filename);
            let old = rc.try_borrow_mut().ok().and_then(|mut i| std::mem::replace(&mut i.blob, blob));
            drop(old);
        }
    }
}

fn arm_timer<M: SansIo>(rc: &Rc<RefCell<Inner<M>>>, now: f64) {
    let Ok(mut i) = rc.try_borrow_mut() else { return };
    let next = i.machine.poll_timeout();
    let old = i.timer.take();
    if let Some(at) = next {
        let delay = clamp(at - now, 0.0, 2_147_483_647.0).ceil() as u32;
        let weak = Rc::downgrade(rc);
        i.timer = Some(Timeout::new(delay, move || {
            if let Some(rc) = weak.upgrade() {
                pump(&rc, Some(M::tick()));
            }
        }));
    }
    drop(i);
    drop(old);
}

/// Downloads of the page wait their turn, this far apart: browsers drop programmatic downloads
/// that come in a burst (Chromium lets about ten through), which a page with many export
/// buttons can produce.
pub const DOWNLOAD_SPACING_MS: u32 = 150;

/// The page's downloads not started yet, and the timer that starts the next one.
#[derive(Default)]
struct DownloadQueue {
    waiting: Vec<(String, String)>,
    timer: Option<Timeout>,
}

thread_local! {
    static DOWNLOADS: RefCell<DownloadQueue> = RefCell::new(DownloadQueue::default());
}

/// Starts a download with a programmatic `<a href download>` click — at once, or after the
/// downloads already waiting. Same-origin files take the name from `filename`; cross-origin ones
/// take it from the server's `Content-Disposition`.
pub fn download(url: &str, filename: &str) {
    let idle = DOWNLOADS.with(|q| {
        let mut q = q.borrow_mut();
        q.waiting.push((url.to_owned(), filename.to_owned()));
        q.timer.is_none()
    });
    if idle {
        next_download();
    }
}

/// Clicks the next waiting download and, if more wait, arms the timer for the one after.
fn next_download() {
    let next = DOWNLOADS.with(|q| {
        let mut q = q.borrow_mut();
        let next = (!q.waiting.is_empty()).then(|| q.waiting.remove(0));
        q.timer = next.is_some().then(|| Timeout::new(DOWNLOAD_SPACING_MS, next_download));
        next
    });
    if let Some((url, filename)) = next {
        click_download(&url, &filename);
        // The spacing counts from the click: adding and clicking the anchor can take tens of
        // milliseconds (WebKit, a large page). The timer armed above kept re-entrant calls queued.
        DOWNLOADS.with(|q| {
            let mut q = q.borrow_mut();
            if q.timer.is_some() {
                q.timer = Some(Timeout::new(DOWNLOAD_SPACING_MS, next_download));
            }
        });
    }
}

fn click_download(url: &str, filename: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(a) = document.create_element("a") else { return };
    let Ok(a) = a.dyn_into::<web_sys::HtmlAnchorElement>() else { return };
    a.set_href(url);
    a.set_download(filename);
    a.set_rel("noopener");
    let _ = a.set_attribute("hidden", "");
    let _ = a.set_attribute("data-k12x-download", "");
    if let Some(body) = document.body() {
        let _ = body.append_child(&a);
        a.click();
        a.remove();
    } else {
        a.click();
    }
}

/// A Blob URL, revoked when dropped: with the next file, or when the exporter goes away.
/// (Revoking at once can cancel the download in some browsers.)
pub struct BlobUrl(String);

impl BlobUrl {
    /// The URL.
    pub fn url(&self) -> &str {
        &self.0
    }
}

impl Drop for BlobUrl {
    fn drop(&mut self) {
        let _ = web_sys::Url::revoke_object_url(&self.0);
    }
}

/// Saves bytes built in the browser through a Blob URL.
pub fn save(bytes: &[u8], mime: &str, filename: &str) -> Option<BlobUrl> {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let props = web_sys::BlobPropertyBag::new();
    props.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &props).ok()?;
    let url = BlobUrl(web_sys::Url::create_object_url_with_blob(&blob).ok()?);
    download(url.url(), filename);
    Some(url)
}
