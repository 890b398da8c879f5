//! Helpers for the browser tests: a scripted transport, mounting, DOM queries, waiting.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use k12_export::core::{HttpOutcome, HttpRequest};
use k12_export::driver::{OutcomeFuture, Transport};
use k12_export::{AsyncExportButton, AsyncExportButtonProps};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortSignal, Element, HtmlElement};
use yew::AppHandle;

/// What the scripted server answers to the `n`th request (0-based): an outcome after a delay,
/// or `None` to never answer (the request hangs until aborted).
pub type Responder = Box<dyn Fn(&HttpRequest, usize) -> Option<(HttpOutcome, u32)>>;

/// A transport that answers from a script and records everything.
pub struct Script {
    pub requests: RefCell<Vec<HttpRequest>>,
    pub aborts: Rc<Cell<usize>>,
    responder: Responder,
}

impl Script {
    pub fn new(responder: impl Fn(&HttpRequest, usize) -> Option<(HttpOutcome, u32)> + 'static) -> Rc<Script> {
        Rc::new(Script {
            requests: RefCell::new(Vec::new()),
            aborts: Rc::new(Cell::new(0)),
            responder: Box::new(responder),
        })
    }

    /// Answers by URL: progress requests get `progress(n)` where n counts progress requests.
    pub fn count(&self) -> usize {
        self.requests.borrow().len()
    }

    pub fn urls(&self) -> Vec<String> {
        self.requests.borrow().iter().map(|r| r.url.clone()).collect()
    }
}

async fn aborted(signal: AbortSignal) {
    if signal.aborted() {
        return;
    }
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let opts = web_sys::AddEventListenerOptions::new();
        opts.set_once(true);
        let _ = signal.add_event_listener_with_callback_and_add_event_listener_options("abort", &resolve, &opts);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

impl Transport for Script {
    fn send(&self, request: HttpRequest, signal: Option<AbortSignal>) -> OutcomeFuture {
        let n = self.requests.borrow().len();
        let answer = (self.responder)(&request, n);
        self.requests.borrow_mut().push(request);
        let aborts = self.aborts.clone();
        Box::pin(async move {
            let signal = signal.expect("every request carries an abort signal");
            match answer {
                Some((outcome, delay)) => {
                    if delay > 0 {
                        TimeoutFuture::new(delay).await;
                    }
                    if signal.aborted() {
                        aborts.set(aborts.get() + 1);
                        return HttpOutcome::NetworkError("aborted".into());
                    }
                    outcome
                }
                None => {
                    aborted(signal).await;
                    aborts.set(aborts.get() + 1);
                    HttpOutcome::NetworkError("aborted".into())
                }
            }
        })
    }
}

pub fn ok(body: &str) -> Option<(HttpOutcome, u32)> {
    Some((HttpOutcome::ok(body), 5))
}

pub const NOT_READY: &str = r#"{"code":0,"message":"","result":{"url":null,"filename":"K12作业统计-2024春季班.xlsx"}}"#;

pub fn ready(url: &str) -> String {
    format!(r#"{{"code":0,"message":"","result":{{"url":"{url}","filename":"K12作业统计-2024春季班.xlsx"}}}}"#)
}

pub fn progress(loaded: i64, total: i64) -> String {
    format!(
        r#"{{"code":0,"message":"","result":{{"retCode":0,"loaded":{loaded},"total":{total},"message":"","data":"","extra":{{"filename":null}}}}}}"#
    )
}

pub const CONFIG: &str = r#"{
  "homework-export": {"method":"GET","url":"/j/org/{termId}/homework/export","rest":true,"isPolling":true},
  "homework-export-progress": {"method":"GET","url":"/j/org/{termId}/homework/export/process","rest":true,"isPolling":true}
}"#;

pub fn is_progress(r: &HttpRequest) -> bool {
    r.url.contains("/process")
}

/// A start answer, then endless progress at `pct`%.
pub fn stuck_at(pct: i64) -> Rc<Script> {
    Script::new(move |r, _| if is_progress(r) { ok(&progress(pct, 100)) } else { ok(NOT_READY) })
}

/// Props for a K12 homework button on term 1001 with `script` as transport.
pub fn props(script: &Rc<Script>) -> AsyncExportButtonProps {
    props_with(script, "")
}

/// Same, with extra option fields (JSON members, e.g. `"timeoutMs":3000`).
pub fn props_with(script: &Rc<Script>, extra: &str) -> AsyncExportButtonProps {
    let text = format!(r#"{{"config":{CONFIG}{}{extra}}}"#, if extra.is_empty() { "" } else { "," });
    AsyncExportButtonProps {
        options: k12_export::Options::parse(&text).unwrap(),
        data: k12_export::core::json::Json::parse(r#"{"termId":1001,"termName":"2024春季班"}"#).unwrap(),
        filename: "K12作业统计-{termName}".into(),
        label: None,
        labels: Default::default(),
        disabled: false,
        start_key: 0,
        onstart: Default::default(),
        onprogress: Default::default(),
        ondone: Default::default(),
        onerror: Default::default(),
        transport: Some(k12_export::TransportRef(script.clone() as Rc<dyn Transport>)),
        oncancel: Default::default(),
    }
}

pub fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Adds the widget's stylesheet to the test page once, so computed styles are real.
pub fn install_css() {
    let d = document();
    if d.get_element_by_id("k12x-test-css").is_none() {
        let style = d.create_element("style").unwrap();
        style.set_id("k12x-test-css");
        style.set_text_content(Some(include_str!("../../www/k12-export.css")));
        d.head().unwrap().append_child(&style).unwrap();
    }
}

/// A fresh container in the page.
pub fn container() -> Element {
    install_css();
    let div = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&div).unwrap();
    div
}

pub struct Mounted {
    pub root: Element,
    pub app: Option<AppHandle<AsyncExportButton>>,
}

impl Mounted {
    pub async fn new(props: AsyncExportButtonProps) -> Mounted {
        let root = container();
        let app = yew::Renderer::<AsyncExportButton>::with_root_and_props(root.clone(), props).render();
        yew::scheduler::flush().await;
        Mounted { root, app: Some(app) }
    }

    /// The same, rendered in an open shadow root (as the embedded widget is), with the widget's
    /// stylesheet inside it and none outside.
    pub async fn in_shadow(props: AsyncExportButtonProps) -> Mounted {
        let host = document().create_element("div").unwrap();
        document().body().unwrap().append_child(&host).unwrap();
        let shadow = host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open)).unwrap();
        let style = document().create_element("style").unwrap();
        style.set_text_content(Some(include_str!("../../www/k12-export.css")));
        shadow.append_child(&style).unwrap();
        let root = document().create_element("span").unwrap();
        shadow.append_child(&root).unwrap();
        let app = yew::Renderer::<AsyncExportButton>::with_root_and_props(root.clone(), props).render();
        yew::scheduler::flush().await;
        Mounted { root, app: Some(app) }
    }

    /// The shadow root's host, when mounted with [`Mounted::in_shadow`].
    pub fn host(&self) -> Element {
        self.root.get_root_node().dyn_into::<web_sys::ShadowRoot>().expect("in a shadow root").host()
    }

    pub fn q(&self, selector: &str) -> Option<Element> {
        self.root.query_selector(selector).unwrap()
    }

    pub fn button(&self) -> HtmlElement {
        self.q(".k12x-btn").expect("the button").dyn_into().unwrap()
    }

    pub fn wrapper(&self) -> Element {
        self.q(".k12x").expect("the wrapper")
    }

    pub async fn click(&self) {
        self.button().click();
        yew::scheduler::flush().await;
    }

    /// The pointer enters the button's wrapper (what opens the popover while exporting).
    pub async fn hover(&self) {
        fire(&self.wrapper(), "mouseenter");
        yew::scheduler::flush().await;
    }

    pub fn attr(&self, selector: &str, name: &str) -> Option<String> {
        self.q(selector).and_then(|e| e.get_attribute(name))
    }

    pub fn status(&self) -> String {
        self.wrapper().get_attribute("data-status").unwrap_or_default()
    }

    pub fn popover_open(&self) -> bool {
        self.q(".k12x-pop").is_some_and(|p| !p.has_attribute("hidden"))
    }

    pub fn text(&self, selector: &str) -> String {
        self.q(selector).and_then(|e| e.text_content()).unwrap_or_default()
    }

    pub async fn unmount(&mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
        }
        yew::scheduler::flush().await;
        match self.root.get_root_node().dyn_into::<web_sys::ShadowRoot>() {
            Ok(shadow) => shadow.host().remove(),
            Err(_) => self.root.remove(),
        }
    }
}

/// Dispatches a plain DOM event of `kind` on `target`.
pub fn fire(target: &web_sys::EventTarget, kind: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(false);
    let e = web_sys::Event::new_with_event_init_dict(kind, &init).unwrap();
    target.dispatch_event(&e).unwrap();
}

/// A pointer (a finger, a pen or the mouse) goes down on `target`: a bubbling, composed event.
pub fn pointer_down(target: &web_sys::EventTarget) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    let e = web_sys::Event::new_with_event_init_dict("pointerdown", &init).unwrap();
    target.dispatch_event(&e).unwrap();
}

pub fn key(target: &web_sys::EventTarget, key: &str) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    let e = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    target.dispatch_event(&e).unwrap();
}

/// Waits until `cond` holds (flushing renders), failing after `ms`.
pub async fn until(ms: u32, what: &str, mut cond: impl FnMut() -> bool) {
    let start = js_sys::Date::now();
    loop {
        yew::scheduler::flush().await;
        if cond() {
            return;
        }
        if js_sys::Date::now() - start > f64::from(ms) {
            panic!("timed out after {ms} ms waiting for: {what}");
        }
        TimeoutFuture::new(10).await;
    }
}

pub async fn sleep(ms: u32) {
    TimeoutFuture::new(ms).await;
    yew::scheduler::flush().await;
}

/// Records every download the page starts and stops it: the href and download name of an anchor
/// click (same-origin files), and the src and name of a download frame (files on another origin).
pub struct DownloadSpy {
    pub seen: Rc<RefCell<Vec<(String, String)>>>,
    _listener: gloo_events::EventListener,
    _frames: Closure<dyn Fn(String, String)>,
    observer: JsValue,
}

impl DownloadSpy {
    pub fn new() -> DownloadSpy {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let s = seen.clone();
        let opts =
            gloo_events::EventListenerOptions { phase: gloo_events::EventListenerPhase::Capture, passive: false };
        let listener = gloo_events::EventListener::new_with_options(&document(), "click", opts, move |e| {
            if let Some(a) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlAnchorElement>().ok()) {
                s.borrow_mut().push((a.href(), a.download()));
                e.prevent_default();
            }
        });
        let s = seen.clone();
        let frames: Closure<dyn Fn(String, String)> = Closure::new(move |src, name| s.borrow_mut().push((src, name)));
        // A frame is removed as soon as it is added: its load never gets far.
        let watch = js_sys::Function::new_with_args(
            "seen",
            "const o = new MutationObserver((records) => { for (const r of records) for (const n of r.addedNodes) \
               if (n.localName === 'iframe' && n.hasAttribute('data-k12x-download')) { \
                 seen(n.src, n.getAttribute('data-k12x-download')); n.remove(); } }); \
             o.observe(document.documentElement, { childList: true, subtree: true }); return o;",
        );
        let observer = watch.call1(&JsValue::NULL, frames.as_ref()).unwrap();
        DownloadSpy { seen, _listener: listener, _frames: frames, observer }
    }
}

impl Drop for DownloadSpy {
    fn drop(&mut self) {
        let disconnect = js_sys::Reflect::get(&self.observer, &"disconnect".into()).unwrap();
        disconnect.unchecked_ref::<js_sys::Function>().call0(&self.observer).unwrap();
    }
}

pub fn js(v: &str) -> JsValue {
    JsValue::from_str(v)
}
