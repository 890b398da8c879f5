//! One export across tabs: buttons of the same site that would start the same job (the same
//! [share key](k12_export_core::share::key)) run it once.
//!
//! The tab that starts the job leads: it holds a Web Lock named by the key while the job runs and
//! sends its view on a `BroadcastChannel` at every change, then the end (done or failed). Another
//! tab's button follows: it shows those views (busy, popover, percent) and sends nothing to the
//! server; a click there starts nothing. Following tabs queue for the lock: when the leading tab
//! is closed or left mid-export its lock is released without an end, and the first follower in the
//! queue takes over — it starts its own machine, whose start re-attaches to the running job, polls
//! and downloads. The file is downloaded in the leading tab only.
//!
//! Leaving a page stops its part at once (the K12 rule): a leader's machine stops and its lock is
//! released, a follower leaves the queue. Without Web Locks or `BroadcastChannel` there is no
//! [`Share`], and each tab exports on its own.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use k12_export_core::share::{follow_events, Message};
use k12_export_core::{Event, Stage, Status, View};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// `navigator.locks` (bound here: web-sys has it behind its unstable APIs).
    type LockManager;
    #[wasm_bindgen(method, catch)]
    fn request(
        this: &LockManager,
        name: &str,
        options: &JsValue,
        callback: &js_sys::Function,
    ) -> Result<js_sys::Promise, JsValue>;

    /// A `BroadcastChannel`.
    #[wasm_bindgen(extends = web_sys::EventTarget)]
    type Channel;
    #[wasm_bindgen(constructor, js_class = "BroadcastChannel", catch)]
    fn open(name: &str) -> Result<Channel, JsValue>;
    #[wasm_bindgen(method, js_name = postMessage, catch)]
    fn post(this: &Channel, message: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(method)]
    fn close(this: &Channel);
}

/// The channel every button of the site talks on (messages carry their key).
pub const CHANNEL: &str = "k12-export";

/// How long a follower granted the lock waits for the end message before taking over: the end is
/// sent before the lock is released, but the two travel separately between tabs.
pub const TAKE_OVER_GRACE_MS: u32 = 150;

/// Shows a view and its events in this tab's button.
pub type Show = Rc<dyn Fn(View, Vec<Event>)>;

/// A lock callback: called by the browser with the lock (or `null`), returns what holds it.
type LockCallback = Closure<dyn FnMut(JsValue) -> JsValue>;

enum Role {
    /// Not part of a running shared job.
    Alone,
    /// A click asked for the lock; the answer tells whether to lead or follow.
    Asking,
    /// This tab runs the job; calling `release` lets the lock go.
    Leading { release: js_sys::Function },
    /// Another tab runs the job; this one shows its views and waits in the lock's queue.
    Following { queue: web_sys::AbortController },
    /// The lock came to this follower: it takes over when no end arrives meanwhile.
    Claiming { release: js_sys::Function, _grace: Timeout },
}

struct State {
    key: String,
    locks: LockManager,
    channel: Channel,
    role: Role,
    /// What this tab's button shows of the shared job (a leader: its own machine's view).
    view: View,
    /// The view when idle (the filename of these options).
    idle: View,
    show: Show,
    start: Rc<dyn Fn()>,
    /// Cancels this tab's own machine (asked by a following tab while this one leads).
    cancel: Rc<dyn Fn()>,
    asking: Option<LockCallback>,
    queued: Option<LockCallback>,
    /// The page was left (`pagehide`).
    left: bool,
    /// A stop whose cause is known a moment later (see [`Share::observe`]).
    stopped: Option<Timeout>,
}

/// One button's part in sharing its job with other tabs. Dropping it releases the lock, leaves the
/// queue and closes the channel.
pub struct Share {
    inner: Rc<RefCell<State>>,
    _listeners: Vec<EventListener>,
}

/// True where the browser has Web Locks and `BroadcastChannel`.
pub fn supported() -> bool {
    let Some(window) = web_sys::window() else { return false };
    let has = |o: &JsValue, name: &str| js_sys::Reflect::get(o, &name.into()).is_ok_and(|v| !v.is_undefined());
    has(&navigator(&window), "locks") && has(&window, "BroadcastChannel")
}

fn navigator(window: &web_sys::Window) -> JsValue {
    js_sys::Reflect::get(window, &"navigator".into()).unwrap_or(JsValue::UNDEFINED)
}

impl Share {
    /// Joins the site's channel for `key`; `None` where the browser cannot share. `show` renders
    /// what the button shows while following; `start` starts this tab's own machine (when it leads).
    /// Asks at once whether another tab runs the job, so an open page shows it busy.
    pub fn new(key: String, idle: View, show: Show, start: Rc<dyn Fn()>, cancel: Rc<dyn Fn()>) -> Option<Share> {
        if !supported() {
            return None;
        }
        let window = web_sys::window()?;
        let locks: LockManager = js_sys::Reflect::get(&navigator(&window), &"locks".into()).ok()?.unchecked_into();
        let channel = Channel::open(CHANNEL).ok()?;
        let inner = Rc::new(RefCell::new(State {
            key,
            locks,
            channel,
            role: Role::Alone,
            view: idle.clone(),
            idle,
            show,
            start,
            cancel,
            asking: None,
            queued: None,
            left: false,
            stopped: None,
        }));
        let weak = Rc::downgrade(&inner);
        let on_message = EventListener::new(inner.borrow().channel.unchecked_ref(), "message", move |e| {
            let data = js_sys::Reflect::get(e, &"data".into()).ok().and_then(|d| d.as_string());
            if let (Some(rc), Some(text)) = (weak.upgrade(), data) {
                heard(&rc, &text);
            }
        });
        let weak = Rc::downgrade(&inner);
        let on_leave = EventListener::new(&window, "pagehide", move |_| {
            if let Some(rc) = weak.upgrade() {
                leave(&rc);
            }
        });
        post(&inner.borrow(), &Message::Ask);
        Some(Share { inner, _listeners: vec![on_message, on_leave] })
    }

    /// The button was clicked: lead the job if no other tab does (then `start` runs), else follow.
    /// Ignored while this tab is already part of the job.
    pub fn click(&self) {
        let mut s = self.inner.borrow_mut();
        if !matches!(s.role, Role::Alone) {
            return;
        }
        s.role = Role::Asking;
        s.left = false; // a click: the page is shown (again, after the back/forward cache)
        let weak = Rc::downgrade(&self.inner);
        let callback: LockCallback = Closure::new(move |lock: JsValue| match weak.upgrade() {
            Some(rc) => granted(&rc, !lock.is_null(), false),
            None => JsValue::UNDEFINED,
        });
        let options = object(&[("ifAvailable", JsValue::TRUE)]);
        let asked = s.locks.request(&s.key, &options, callback.as_ref().unchecked_ref());
        s.asking = Some(callback);
        // Busy at once, as without sharing: the lock's answer decides whose export it shows.
        let (show, busy) = (s.show.clone(), View { status: Status::Exporting, ..s.idle.clone() });
        drop(s);
        show(busy, Vec::new());
        settle(asked, &self.inner);
    }

    /// This tab's machine changed (its owner's view): a leader tells the others, and lets the lock
    /// go when the job is over — with an end message when it is done or failed. Stopped, it lets
    /// the lock go at once: when the page was left, a follower takes over; when the user cancelled
    /// here, the end follows a moment later (the page's `pagehide` is heard after the machine's)
    /// and reaches the followers within their take-over grace, so they stop too. Unmounted or
    /// rebuilt (the [`Share`] dropped), a follower takes over.
    pub fn observe(&self, view: &View) {
        let Ok(mut s) = self.inner.try_borrow_mut() else { return };
        if !matches!(s.role, Role::Leading { .. }) {
            return;
        }
        s.view = view.clone();
        post(&s, &Message::View(view.clone()));
        if view.status != Status::Exporting {
            if matches!(view.status, Status::Done | Status::Failed) {
                post(&s, &Message::End(view.clone()));
            } else {
                let (weak, view) = (Rc::downgrade(&self.inner), view.clone());
                s.stopped = Some(Timeout::new(0, move || {
                    if let Some(rc) = weak.upgrade() {
                        if let Ok(s) = rc.try_borrow() {
                            if !s.left {
                                post(&s, &Message::End(view));
                            }
                        }
                    }
                }));
            }
            let role = std::mem::replace(&mut s.role, Role::Alone);
            drop(s);
            release(role);
        }
    }

    /// Cancel pressed in a following tab: the tab running the job is asked to cancel it; its end
    /// message then returns this one to idle as well.
    pub fn cancel(&self) {
        post(&self.inner.borrow(), &Message::Cancel);
    }

    /// True while another tab runs this button's job (for tests and diagnostics).
    pub fn following(&self) -> bool {
        matches!(self.inner.borrow().role, Role::Following { .. } | Role::Claiming { .. })
    }

    /// True while this tab runs the shared job (for tests and diagnostics).
    pub fn leading(&self) -> bool {
        matches!(self.inner.borrow().role, Role::Leading { .. })
    }
}

impl Drop for Share {
    fn drop(&mut self) {
        let role = match self.inner.try_borrow_mut() {
            Ok(mut s) => {
                s.channel.close();
                std::mem::replace(&mut s.role, Role::Alone)
            }
            Err(_) => Role::Alone,
        };
        release(role);
    }
}

fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

fn post(s: &State, m: &Message) {
    let _ = s.channel.post(&JsValue::from_str(&m.encode(&s.key)));
}

/// Lets go of what `role` holds: the lock, or the place in its queue.
fn release(role: Role) {
    match role {
        Role::Leading { release } | Role::Claiming { release, .. } => {
            let _ = release.call0(&JsValue::UNDEFINED);
        }
        Role::Following { queue } => queue.abort(),
        Role::Alone | Role::Asking => {}
    }
}

/// A promise that holds the lock until the returned function is called.
fn holder() -> (js_sys::Promise, js_sys::Function) {
    let mut release = None;
    let promise = js_sys::Promise::new(&mut |resolve, _| release = Some(resolve));
    let release = release.unwrap_or_else(|| js_sys::Function::new_no_args(""));
    (promise, release)
}

/// Waits for a lock request's end: its rejection (aborted, or the closure gone) is expected and
/// must not surface as an unhandled rejection. When the request could not be made, a click
/// exports on its own, as without sharing, and a follower stops following.
fn settle(request: Result<js_sys::Promise, JsValue>, rc: &Rc<RefCell<State>>) {
    let Err(_) = request.map(|p| {
        wasm_bindgen_futures::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(p).await;
        })
    }) else {
        return;
    };
    let Ok(mut s) = rc.try_borrow_mut() else { return };
    let role = std::mem::replace(&mut s.role, Role::Alone);
    let (start, show, idle) = (s.start.clone(), s.show.clone(), s.idle.clone());
    drop(s);
    match role {
        Role::Asking => start(),
        other => {
            release(other);
            show(idle, Vec::new());
        }
    }
}

/// The lock answered: `got` it or not; `queued` for a follower's place in the queue.
fn granted(rc: &Rc<RefCell<State>>, got: bool, queued: bool) -> JsValue {
    let Ok(mut s) = rc.try_borrow_mut() else { return JsValue::UNDEFINED };
    match (&s.role, got, queued) {
        // A click, and nobody runs the job: this tab leads.
        (Role::Asking, true, false) => {
            let (hold, release) = holder();
            s.role = Role::Leading { release };
            let start = s.start.clone();
            drop(s);
            lead(rc, &start);
            hold.into()
        }
        // A click while another tab runs it: follow.
        (Role::Asking, false, false) => {
            s.role = Role::Alone;
            let view = View { status: Status::Exporting, stage: Stage::Starting, ..s.idle.clone() };
            drop(s);
            follow(rc, view);
            JsValue::UNDEFINED
        }
        // The leader let go: take over unless its end is on the way.
        (Role::Following { .. }, true, true) => {
            let (hold, release) = holder();
            let weak = Rc::downgrade(rc);
            let grace = Timeout::new(TAKE_OVER_GRACE_MS, move || {
                if let Some(rc) = weak.upgrade() {
                    take_over(&rc);
                }
            });
            s.role = Role::Claiming { release, _grace: grace };
            hold.into()
        }
        _ => JsValue::UNDEFINED,
    }
}

/// Starts this tab's machine as the leader; lets the lock go if it did not start.
fn lead(rc: &Rc<RefCell<State>>, start: &Rc<dyn Fn()>) {
    start();
    let Ok(mut s) = rc.try_borrow_mut() else { return };
    if matches!(s.role, Role::Leading { .. }) && s.view.status != Status::Exporting {
        let role = std::mem::replace(&mut s.role, Role::Alone);
        let (show, view) = (s.show.clone(), s.view.clone());
        drop(s);
        release(role);
        show(view, Vec::new()); // not the busy look of the click any more
    }
}

fn take_over(rc: &Rc<RefCell<State>>) {
    let Ok(mut s) = rc.try_borrow_mut() else { return };
    if let Role::Claiming { release, .. } = std::mem::replace(&mut s.role, Role::Alone) {
        s.role = Role::Leading { release };
        // The machine starts from idle: what it shows comes from it from now on.
        s.view = s.idle.clone();
        let start = s.start.clone();
        drop(s);
        lead(rc, &start);
    }
}

/// Becomes a follower showing `view`, queued for the lock.
fn follow(rc: &Rc<RefCell<State>>, view: View) {
    let Ok(mut s) = rc.try_borrow_mut() else { return };
    if !matches!(s.role, Role::Alone | Role::Asking) {
        return;
    }
    let Ok(queue) = web_sys::AbortController::new() else { return };
    let weak = Rc::downgrade(rc);
    let callback: LockCallback = Closure::new(move |lock: JsValue| match weak.upgrade() {
        Some(rc) => granted(&rc, !lock.is_null(), true),
        None => JsValue::UNDEFINED,
    });
    let options = object(&[("signal", queue.signal().into())]);
    let request = s.locks.request(&s.key, &options, callback.as_ref().unchecked_ref());
    let old = s.queued.replace(callback);
    s.role = Role::Following { queue };
    post(&s, &Message::Ask);
    drop(s);
    drop(old);
    settle(request, rc);
    shown(rc, view);
}

/// Shows `view` in this tab's button with the events of the change.
fn shown(rc: &Rc<RefCell<State>>, view: View) {
    let Ok(mut s) = rc.try_borrow_mut() else { return };
    let events = follow_events(&s.view, &view);
    s.view = view.clone();
    let show = s.show.clone();
    drop(s);
    show(view, events);
}

fn heard(rc: &Rc<RefCell<State>>, text: &str) {
    let (message, role) = {
        let Ok(s) = rc.try_borrow() else { return };
        let Some(m) = Message::decode(text, &s.key) else { return };
        let role = match s.role {
            Role::Alone | Role::Asking => 0,
            Role::Leading { .. } => 1,
            Role::Following { .. } | Role::Claiming { .. } => 2,
        };
        (m, role)
    };
    match (message, role) {
        (Message::Ask, 1) => {
            let s = rc.borrow();
            post(&s, &Message::View(s.view.clone()));
        }
        (Message::Cancel, 1) => {
            let cancel = rc.borrow().cancel.clone();
            cancel();
        }
        // Another tab runs this job: show it, here too.
        (Message::View(v), 0) if v.status == Status::Exporting => follow(rc, v),
        (Message::View(v), 2) if v.status == Status::Exporting => shown(rc, v),
        (Message::End(v), 2) => {
            let role = rc.try_borrow_mut().map(|mut s| std::mem::replace(&mut s.role, Role::Alone));
            if let Ok(role) = role {
                release(role);
            }
            shown(rc, v);
        }
        _ => {}
    }
}

/// The page is left: a follower stops following (the K12 rule: nothing of a left page goes on)
/// and shows idle again, for a page restored from the back/forward cache. A leader's machine is
/// stopped by its runner, which [`Share::observe`] hears.
fn leave(rc: &Rc<RefCell<State>>) {
    let Ok(mut s) = rc.try_borrow_mut() else { return };
    s.left = true;
    if matches!(s.role, Role::Following { .. } | Role::Claiming { .. }) {
        let role = std::mem::replace(&mut s.role, Role::Alone);
        let idle = s.idle.clone();
        drop(s);
        release(role);
        shown(rc, idle);
    }
}
