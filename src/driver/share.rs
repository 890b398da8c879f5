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

use k12_export_core::json::Json;
use k12_export_core::share::{follow_events, view_from_json, view_to_json};
use k12_export_core::{Event, Stage, Status, View};
use wasm_bindgen::prelude::*;

// The locks and the channel are in JS (`src/driver/share.js`); the views, which the wasm writes
// and reads, cross as text.
#[wasm_bindgen(module = "/src/driver/share.js")]
extern "C" {
    type JsShare;
    #[wasm_bindgen(js_name = share, catch)]
    fn open(key: &str, act: &Act) -> Result<JsShare, JsValue>;
    #[wasm_bindgen(method)]
    fn click(this: &JsShare);
    #[wasm_bindgen(method)]
    fn observe(this: &JsShare, exporting: bool, ended: bool, text: &str);
    #[wasm_bindgen(method)]
    fn cancel(this: &JsShare);
    #[wasm_bindgen(method)]
    fn close(this: &JsShare);
    #[wasm_bindgen(method)]
    fn following(this: &JsShare) -> bool;
    #[wasm_bindgen(method)]
    fn leading(this: &JsShare) -> bool;
    /// True where the browser has Web Locks and `BroadcastChannel`.
    #[wasm_bindgen(js_name = supported)]
    pub fn supported() -> bool;
}

/// The channel every button of the site talks on (messages carry their key).
pub const CHANNEL: &str = "k12-export";

/// How long a follower granted the lock waits for the end message before taking over: the end is
/// sent before the lock is released, but the two travel separately between tabs (`GRACE_MS` in
/// `share.js`).
pub const TAKE_OVER_GRACE_MS: u32 = 150;

/// Shows a view and its events in this tab's button.
pub type Show = Rc<dyn Fn(View, Vec<Event>)>;

/// What the JS side asks of the wasm: `(kind, view text)`, answered with a number (see `share.js`).
type Act = Closure<dyn Fn(u32, Option<String>) -> i32>;

/// What `share.js` asks of the wasm with `act(kind, text)`: the numbers of its constants of the
/// same names (a test reads them there).
mod kind {
    /// The status of the view in `text` (1 while exporting), -1 when it is not a view.
    pub const PEEK: u32 = 0;
    /// Show the button busy (a click asked for the lock).
    pub const BUSY: u32 = 1;
    /// Show the button idle, without events.
    pub const QUIET_IDLE: u32 = 2;
    /// Show this tab's own view again (it leads).
    pub const OWN: u32 = 3;
    /// Show the view in `text` (none: starting), with the events of the change.
    pub const SHOW: u32 = 4;
    /// Show the button idle, with the events of the change (the shared job ended).
    pub const IDLE: u32 = 5;
    /// Start this tab's own machine (it leads now).
    pub const START: u32 = 6;
    /// Forget this tab's own view.
    pub const RESET: u32 = 7;
    /// Cancel this tab's own machine (a following tab asked).
    pub const CANCEL: u32 = 8;
}

/// The wasm's side of a share: the views, and what showing one means for the button.
struct State {
    /// What this tab's button shows of the shared job (a leader: its own machine's view).
    view: RefCell<View>,
    /// The view when idle (the filename of these options).
    idle: View,
    show: Show,
    start: Rc<dyn Fn()>,
    /// Cancels this tab's own machine (asked by a following tab while this one leads).
    cancel: Rc<dyn Fn()>,
}

impl State {
    /// Shows `view` in this tab's button with the events of the change.
    fn shown(&self, view: View) {
        let Ok(mut now) = self.view.try_borrow_mut() else { return };
        let events = follow_events(&now, &view);
        *now = view.clone();
        drop(now);
        (self.show)(view, events);
    }

    /// `kind` of `share.js`'s `act` (see [`kind`]).
    fn act(&self, kind: u32, text: Option<String>) -> i32 {
        let read = || text.as_deref().and_then(|t| Json::parse(t).ok()).and_then(|v| view_from_json(&v));
        let busy = View { status: Status::Exporting, ..self.idle.clone() };
        match kind {
            kind::PEEK => return read().map_or(-1, |v| v.status as i32),
            kind::BUSY => (self.show)(busy, Vec::new()),
            kind::QUIET_IDLE => (self.show)(self.idle.clone(), Vec::new()),
            kind::OWN => {
                let own = self.view.try_borrow().map(|v| v.clone()).unwrap_or_else(|_| self.idle.clone());
                (self.show)(own, Vec::new());
            }
            kind::SHOW => match text {
                None => self.shown(View { stage: Stage::Starting, ..busy }),
                Some(_) => match read() {
                    Some(v) => self.shown(v),
                    None => return -1,
                },
            },
            kind::IDLE => self.shown(self.idle.clone()),
            kind::START => (self.start)(),
            kind::RESET => {
                if let Ok(mut v) = self.view.try_borrow_mut() {
                    *v = self.idle.clone();
                }
            }
            kind::CANCEL => (self.cancel)(),
            _ => return -1,
        }
        0
    }
}

/// One button's part in sharing its job with other tabs. Dropping it releases the lock, leaves the
/// queue and closes the channel.
pub struct Share {
    js: JsShare,
    state: Rc<State>,
    _act: Act,
}

impl Share {
    /// Joins the site's channel for `key`; `None` where the browser cannot share. `show` renders
    /// what the button shows while following; `start` starts this tab's own machine (when it leads).
    /// Asks at once whether another tab runs the job, so an open page shows it busy.
    pub fn new(key: String, idle: View, show: Show, start: Rc<dyn Fn()>, cancel: Rc<dyn Fn()>) -> Option<Share> {
        if !supported() {
            return None;
        }
        let state = Rc::new(State { view: RefCell::new(idle.clone()), idle, show, start, cancel });
        let s = state.clone();
        let act: Act = Closure::new(move |kind, text| s.act(kind, text));
        let js = open(&key, &act).ok()?;
        Some(Share { js, state, _act: act })
    }

    /// The button was clicked: lead the job if no other tab does (then `start` runs), else follow.
    /// Ignored while this tab is already part of the job.
    pub fn click(&self) {
        self.js.click();
    }

    /// This tab's machine changed (its owner's view): a leader tells the others, and lets the lock
    /// go when the job is over — with an end message when it is done or failed (see `share.js`).
    pub fn observe(&self, view: &View) {
        if !self.js.leading() {
            return;
        }
        if let Ok(mut now) = self.state.view.try_borrow_mut() {
            *now = view.clone();
        }
        let mut text = String::new();
        view_to_json(view).write(&mut text);
        let ended = matches!(view.status, Status::Done | Status::Failed);
        self.js.observe(view.status == Status::Exporting, ended, &text);
    }

    /// Cancel pressed in a following tab: the tab running the job is asked to cancel it; its end
    /// message then returns this one to idle as well.
    pub fn cancel(&self) {
        self.js.cancel();
    }

    /// True while another tab runs this button's job (for tests and diagnostics).
    pub fn following(&self) -> bool {
        self.js.following()
    }

    /// True while this tab runs the shared job (for tests and diagnostics).
    pub fn leading(&self) -> bool {
        self.js.leading()
    }
}

impl Drop for Share {
    fn drop(&mut self) {
        self.js.close();
    }
}

#[cfg(test)]
mod tests {
    use super::kind;

    /// The numbers `share.js` sends are the ones `State::act` matches.
    #[test]
    fn the_kinds_are_those_of_share_js() {
        let js = include_str!("share.js");
        let line = js.lines().find(|l| l.starts_with("const PEEK = ")).expect("share.js names its kinds on one line");
        let in_js: Vec<(String, u32)> = line["const ".len()..]
            .trim_end_matches(';')
            .split(", ")
            .map(|pair| {
                let (name, n) = pair.split_once(" = ").expect("NAME = number");
                (name.to_owned(), n.parse().expect("a number"))
            })
            .collect();
        let in_rust = [
            ("PEEK", kind::PEEK),
            ("BUSY", kind::BUSY),
            ("QUIET_IDLE", kind::QUIET_IDLE),
            ("OWN", kind::OWN),
            ("SHOW", kind::SHOW),
            ("IDLE", kind::IDLE),
            ("START", kind::START),
            ("RESET", kind::RESET),
            ("CANCEL", kind::CANCEL),
        ];
        let in_rust: Vec<(String, u32)> = in_rust.iter().map(|(n, k)| (n.to_string(), *k)).collect();
        assert_eq!(in_js, in_rust);
    }
}
