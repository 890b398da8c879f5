//! Embedding in plain pages: `mount(element, options)` from JavaScript, returning a handle with
//! `update(options)` and `destroy()`. The `<k12-export-button>` custom element
//! (`www/embed/k12-export.js`) is built on it.
//!
//! Options are one plain object in the seed's own config format:
//!
//! ```js
//! const handle = mount(document.querySelector('#export'), {
//!   config: { 'homework-export': { method: 'GET', url: '/j/org/{termId}/homework/export', rest: true, isPolling: true },
//!             'homework-export-progress': { method: 'GET', url: '/j/org/{termId}/homework/export/process', rest: true, isPolling: true } },
//!   data: { termId: 1001, termName: '2024春季班' },
//!   filename: 'K12作业统计-{termName}',
//!   label: '导出', lang: 'zh-CN', disabled: false,
//!   onstart() {}, onprogress(percent) {}, ondone({ url, filename }) {}, onerror({ kind, message, status }) {},
//! });
//! ```
//!
//! Bad options throw an `Error` naming the field, and nothing is mounted. The element also receives
//! `export-start`, `export-progress`, `export-done`, `export-error` and `export-cancel` DOM events
//! (bubbling, with the same `detail`), so pages can listen without passing functions.
//! `titleProgress`, `notify` and `inApp` are described in [`crate::options::PageOptions`].

use std::cell::RefCell;
use std::rc::Rc;

use k12_export_core::json::Json;
use k12_export_core::{Cancellation, Download, FailKind, Failure, OptionsError};
use wasm_bindgen::prelude::*;
use web_sys::Element;
use yew::prelude::*;
use yew::{AppHandle, BaseComponent};

use crate::components::{AsyncExportButton, AsyncExportButtonProps};
use crate::driver::page::Wake;
use crate::labels::Labels;
use crate::options::Options;

/// Props of [`Slot`]: a component's props, or nothing.
#[derive(Properties)]
pub struct SlotProps<C: BaseComponent>
where
    C::Properties: Clone + PartialEq,
{
    /// What to render; `None` renders nothing (and unmounts the component, stopping its work).
    pub inner: Option<C::Properties>,
}

impl<C: BaseComponent> PartialEq for SlotProps<C>
where
    C::Properties: Clone + PartialEq,
{
    fn eq(&self, other: &Self) -> bool {
        self.inner == other.inner
    }
}

/// A root that renders `C` or nothing, so that one Yew root can serve one mount after another.
#[function_component]
pub fn Slot<C: BaseComponent>(props: &SlotProps<C>) -> Html
where
    C::Properties: Clone + PartialEq,
{
    match &props.inner {
        Some(p) => html! { <C ..p.clone() /> },
        None => html! {},
    }
}

/// A Yew root in a host element of its own, reusable after `destroy()`.
///
/// Yew 0.23 never frees a root's event-delegation listeners (each is `forget()`-ed holding its
/// subtree), so a root per `mount()` would leave a host element and a few listeners behind on every
/// mount/destroy cycle. Instead a destroyed root is emptied, detached and kept for the next
/// `mount()`: the number of roots is bounded by the most buttons a page ever shows at once.
struct Pooled<C: BaseComponent>
where
    C::Properties: Clone + PartialEq,
{
    host: Element,
    app: AppHandle<Slot<C>>,
}

/// Roots kept for reuse beyond this are destroyed instead.
const POOL_MAX: usize = 64;

thread_local! {
    static BUTTON_ROOTS: RefCell<Vec<Pooled<AsyncExportButton>>> = const { RefCell::new(Vec::new()) };
}

type Pool<C> = std::thread::LocalKey<RefCell<Vec<Pooled<C>>>>;

/// Puts a pooled root, or a new one, in `element` (its children replaced), showing `props` when
/// given (else nothing yet).
fn attach<C: BaseComponent>(
    pool: &'static Pool<C>,
    element: &Element,
    props: Option<C::Properties>,
) -> Result<Pooled<C>, JsError>
where
    C::Properties: Clone + PartialEq,
{
    let mut root = match pool.with(|p| p.borrow_mut().pop()) {
        Some(root) => root,
        None => {
            let document =
                element.owner_document().ok_or_else(|| JsError::new("k12-export: the element is not in a document"))?;
            let host =
                document.create_element("span").map_err(|_| JsError::new("k12-export: cannot create an element"))?;
            host.set_class_name("k12x-root");
            let app = yew::Renderer::<Slot<C>>::with_root_and_props(host.clone(), SlotProps { inner: None }).render();
            Pooled { host, app }
        }
    };
    element.set_text_content(None);
    element.append_child(&root.host).map_err(|_| JsError::new("k12-export: cannot mount into this element"))?;
    if props.is_some() {
        root.app.update(SlotProps { inner: props });
    }
    Ok(root)
}

/// Empties `root` (stopping whatever it ran), detaches it and keeps it for reuse.
fn detach<C: BaseComponent>(pool: &'static Pool<C>, mut root: Pooled<C>)
where
    C::Properties: Clone + PartialEq,
{
    root.app.update(SlotProps { inner: None });
    root.host.remove();
    pool.with(|p| {
        let mut p = p.borrow_mut();
        if p.len() < POOL_MAX {
            p.push(root);
        } else {
            root.app.destroy();
        }
    });
}

/// A mounted button: the page's element, the root in it and what it shows (once drawn).
struct Button {
    element: Element,
    /// `None` once destroyed.
    root: Option<Pooled<AsyncExportButton>>,
    props: AsyncExportButtonProps,
    /// A drawing is due on the page's clock: it shows the props as they are then.
    due: bool,
}

/// A mounted button. `destroy()` stops any export and removes the button and all its listeners.
#[wasm_bindgen]
pub struct Handle {
    /// Let go by `destroy()`.
    button: Option<Rc<RefCell<Button>>>,
    /// The button's next drawing, waiting its turn on the page's clock.
    draw: Option<Wake>,
}

const BUSY: &str = "k12-export: the button is busy drawing (called from one of its own events?)";

/// Mounts an export button into `element` (its children are replaced). Throws on bad options.
///
/// The options are checked at once; the button is drawn on the page's clock, a few buttons per
/// task, so that a page mounting a hundred in one loop makes no long task (the loader shows its
/// own drawing of the idle button meanwhile). `update()` and `start()` are drawn the same way, so
/// that a page starting a hundred in one loop makes none either.
///
/// `element` may sit in a shadow root (the loader renders there): the DOM events then go to the
/// shadow root's host, where the page listens.
#[wasm_bindgen]
pub fn mount(element: Element, options: JsValue) -> Result<Handle, JsError> {
    let props = props(&element, &options, 0)?;
    let root = attach(&BUTTON_ROOTS, &element, None)?;
    let button = Rc::new(RefCell::new(Button { element, root: Some(root), props, due: true }));
    let draw = Some(draw_next_turn(&button));
    Ok(Handle { button: Some(button), draw })
}

/// A drawing of `button` in the page clock's next turn: what its props are then.
fn draw_next_turn(button: &Rc<RefCell<Button>>) -> Wake {
    let weak = Rc::downgrade(button);
    Wake::at(crate::driver::now_ms(), move || {
        let Some(button) = weak.upgrade() else { return };
        let Ok(mut b) = button.try_borrow_mut() else { return };
        b.due = false;
        let props = b.props.clone();
        if let Some(root) = b.root.as_mut() {
            root.app.update(SlotProps { inner: Some(props) });
        }
    })
}

#[wasm_bindgen]
impl Handle {
    /// Replaces the options (a running export is stopped if what it exports changed). Throws on
    /// bad options and keeps the old ones.
    pub fn update(&mut self, options: JsValue) -> Result<(), JsError> {
        self.change(|b| {
            b.props = props(&b.element, &options, b.props.start_key)?;
            Ok(())
        })
    }

    /// Starts an export, as a click on the button would (nothing happens while one runs, or when
    /// the button is disabled).
    pub fn start(&mut self) -> Result<(), JsError> {
        self.change(|b| {
            b.props.start_key = b.props.start_key.wrapping_add(1).max(1);
            Ok(())
        })
    }

    /// Changes the button's props, drawn at its next drawing (one is made due if none is).
    fn change(&mut self, f: impl FnOnce(&mut Button) -> Result<(), JsError>) -> Result<(), JsError> {
        let button = self.live()?;
        let mut b = button.try_borrow_mut().map_err(|_| JsError::new(BUSY))?;
        f(&mut b)?;
        if !b.due {
            b.due = true;
            drop(b);
            self.draw = Some(draw_next_turn(&button));
        }
        Ok(())
    }

    fn live(&self) -> Result<Rc<RefCell<Button>>, JsError> {
        self.button.clone().ok_or_else(|| JsError::new("k12-export: this button was destroyed"))
    }

    /// Stops any export, removes the button and every listener. Safe to call twice.
    pub fn destroy(&mut self) {
        self.draw = None;
        if let Some(button) = self.button.take() {
            let root = button.try_borrow_mut().ok().and_then(|mut b| b.root.take());
            match root {
                Some(root) => detach(&BUTTON_ROOTS, root),
                // Called from one of its own events while it draws: detached right after.
                None => wasm_bindgen_futures::spawn_local(async move {
                    let root = button.try_borrow_mut().ok().and_then(|mut b| b.root.take());
                    if let Some(root) = root {
                        detach(&BUTTON_ROOTS, root);
                    }
                }),
            }
        }
    }

    /// True until `destroy()`.
    #[wasm_bindgen(getter)]
    pub fn mounted(&self) -> bool {
        self.button.is_some()
    }
}

/// Stops every export of this runtime for good ([`crate::driver::halt`]). The loader calls it
/// after the runtime trapped: in the embeddable bundle a panic aborts at once, and what the
/// runtime held then can no longer be trusted.
#[wasm_bindgen]
pub fn halt() {
    crate::driver::halt();
}

#[cfg(feature = "backends")]
pub use history_panel::{mount_history, HistoryHandle};

/// The export history panel for plain pages (with the `backends` feature).
#[cfg(feature = "backends")]
mod history_panel {
    use super::*;
    use crate::components::{ExportHistory, ExportHistoryProps};
    use k12_export_core::history::HistoryMachine;

    thread_local! {
        static HISTORY_ROOTS: RefCell<Vec<Pooled<ExportHistory>>> = const { RefCell::new(Vec::new()) };
    }

    /// A mounted export history panel.
    #[wasm_bindgen]
    pub struct HistoryHandle {
        root: Option<Pooled<ExportHistory>>,
        props: ExportHistoryProps,
    }

    /// Mounts an export history panel into `element`, with the same options as the button (a
    /// protocol that has a list endpoint). Throws on bad options.
    #[wasm_bindgen(js_name = mountHistory)]
    pub fn mount_history(element: Element, options: JsValue) -> Result<HistoryHandle, JsError> {
        let props = history_props(&options, 0)?;
        let root = attach(&HISTORY_ROOTS, &element, Some(props.clone()))?;
        Ok(HistoryHandle { root: Some(root), props })
    }

    #[wasm_bindgen]
    impl HistoryHandle {
        /// Replaces the options. Throws on bad options and keeps the old ones.
        pub fn update(&mut self, options: JsValue) -> Result<(), JsError> {
            let props = history_props(&options, self.props.refresh_key)?;
            self.render(props)
        }

        /// Loads the list again (e.g. after an export started).
        pub fn refresh(&mut self) -> Result<(), JsError> {
            let props =
                ExportHistoryProps { refresh_key: self.props.refresh_key.wrapping_add(1), ..self.props.clone() };
            self.render(props)
        }

        /// Stops any request and timer and removes the panel. Safe to call twice.
        pub fn destroy(&mut self) {
            if let Some(root) = self.root.take() {
                detach(&HISTORY_ROOTS, root);
            }
        }

        /// True until `destroy()`.
        #[wasm_bindgen(getter)]
        pub fn mounted(&self) -> bool {
            self.root.is_some()
        }

        fn render(&mut self, props: ExportHistoryProps) -> Result<(), JsError> {
            let root = self.root.as_mut().ok_or_else(|| JsError::new("k12-export: this panel was destroyed"))?;
            root.app.update(SlotProps { inner: Some(props.clone()) });
            self.props = props;
            Ok(())
        }
    }

    pub(super) fn history_props(options: &JsValue, refresh_key: u32) -> Result<ExportHistoryProps, JsError> {
        let json = plain_json(options)?;
        let labels = labels(&json)?;
        let title = match json.get("heading") {
            Some(Json::Str(s)) if !s.trim().is_empty() => Some(AttrValue::from(s.clone())),
            _ => None,
        };
        let spec = Options::from_json(json);
        HistoryMachine::from_options_with(spec.json(), crate::options::WIDGET_KEYS, 0).map_err(error)?;
        Ok(ExportHistoryProps { options: spec, labels: Rc::new(labels), title, refresh_key, transport: None })
    }
}

fn error(e: OptionsError) -> JsError {
    JsError::new(&["k12-export: ", &e.message()].concat())
}

/// Reads the options object: its data walked ([`plain_json`]), its functions read one by one.
fn props(element: &Element, options: &JsValue, start_key: u32) -> Result<AsyncExportButtonProps, JsError> {
    let json = plain_json(options)?;
    let label = match json.get("label") {
        None | Some(Json::Null) => None,
        Some(Json::Str(s)) if !s.trim().is_empty() => Some(AttrValue::from(s.clone())),
        Some(_) => return Err(error(OptionsError::new("options.label", "must be a non-empty string"))),
    };
    let labels = labels(&json)?;
    let disabled = match json.get("disabled") {
        None | Some(Json::Null) => false,
        Some(Json::Bool(b)) => *b,
        Some(_) => return Err(error(OptionsError::new("options.disabled", "must be true or false"))),
    };
    crate::options::PageOptions::from_page(&json).map_err(error)?;
    let spec = Options::from_json(json);
    // Validate now, so that bad options throw instead of mounting a broken button.
    spec.resolve(&Json::Null, "").map_err(error)?;
    spec.shared().map_err(error)?;

    let callback = |name: &str| -> Result<JsValue, JsError> {
        let v = js_sys::Reflect::get(options, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
        if v.is_undefined() || v.is_null() || v.is_function() {
            Ok(v)
        } else {
            Err(error(OptionsError::option(name, "must be a function")))
        }
    };
    let target = event_target(element);
    let (f, t) = (callback("onstart")?, target.clone());
    let onstart = Callback::from(move |()| started(&t, &f));
    let (f, t) = (callback("onprogress")?, target.clone());
    let onprogress = Callback::from(move |pct: Option<u8>| progressed(&t, &f, pct));
    let (f, t) = (callback("ondone")?, target.clone());
    let ondone = Callback::from(move |d: Download| done(&t, &f, d.url, &d.filename));
    // Cancel: `export-cancel` with `{ by: "user" }`, or `{ by: "server", message }`.
    let (f, t, l) = (callback("oncancel")?, target.clone(), labels.clone());
    let oncancel = Callback::from(move |e: Option<Cancellation>| match e {
        Some(e) => cancelled(&t, &f, "server", Some(l.cancel_reason(&e))),
        None => cancelled(&t, &f, "user", None),
    });
    let (f, t, l) = (callback("onerror")?, target, labels.clone());
    let onerror = Callback::from(move |e: Failure| failed(&t, &f, kind_name(e.kind), &l.reason(&e), e.status));
    Ok(AsyncExportButtonProps {
        options: spec,
        data: Json::Null,
        filename: AttrValue::default(),
        label,
        labels: Rc::new(labels),
        disabled,
        start_key,
        onstart,
        onprogress,
        ondone,
        onerror,
        transport: None,
        oncancel,
    })
}

/// The options object as JSON data, walked member by member as a `JSON.parse` result is (see
/// `k12_export_core::json::browser::from_js`): own enumerable keys only, functions left out, `toJSON` never called, so that
/// neither a polluted `Object.prototype` nor an old library's `Array.prototype.toJSON` changes
/// what is read. A value that cannot be data is an error naming its place
/// (`options.data.when is not plain data …`).
#[cfg(target_arch = "wasm32")]
fn plain_json(options: &JsValue) -> Result<Json, JsError> {
    use k12_export_core::json::browser::from_js;
    if !options.is_object() || options.is_function() {
        return Err(error(OptionsError::new("options", "must be an object")));
    }
    from_js(options).map_err(|e| error(OptionsError::new(&["options", &e.at].concat(), e.what)))
}

/// Natively (lints, unit tests) there is no JS value to read: the walk is the browser's.
#[cfg(not(target_arch = "wasm32"))]
fn plain_json(_: &JsValue) -> Result<Json, JsError> {
    Err(error(OptionsError::new("options", "can only be read in a browser")))
}

fn labels(json: &Json) -> Result<Labels, JsError> {
    match json.get("lang") {
        None | Some(Json::Null) => Ok(Labels::zh_cn()),
        Some(Json::Str(s)) => Ok(Labels::for_lang(s)),
        Some(_) => Err(error(OptionsError::new("options.lang", "must be a language tag such as \"zh-CN\" or \"en\""))),
    }
}

/// Where the widget's DOM events go: the shadow root's host when `element` is inside one (events
/// dispatched inside would not leave the shadow tree), else `element` itself.
fn event_target(element: &Element) -> Element {
    element.get_root_node().dyn_into::<web_sys::ShadowRoot>().map_or_else(|_| element.clone(), |r| r.host())
}

// Reports to the page (`src/embed.js`): a bubbling DOM event on the element, then the option's
// function `f` (`undefined` when not given), with the same detail.
#[wasm_bindgen(module = "/src/embed.js")]
extern "C" {
    fn started(target: &Element, f: &JsValue);
    fn progressed(target: &Element, f: &JsValue, percent: Option<u8>);
    fn done(target: &Element, f: &JsValue, url: Option<String>, filename: &str);
    fn cancelled(target: &Element, f: &JsValue, by: &str, message: Option<String>);
    fn failed(target: &Element, f: &JsValue, kind: &str, message: &str, status: Option<u16>);
}

/// Failure kinds as JS sees them.
pub fn kind_name(k: FailKind) -> &'static str {
    match k {
        FailKind::Server => "server",
        FailKind::Http => "http",
        FailKind::Network => "network",
        FailKind::BadResponse => "bad-response",
        FailKind::UnsafeUrl => "unsafe-url",
        FailKind::TimedOut => "timed-out",
        FailKind::Rejected => "rejected",
    }
}
