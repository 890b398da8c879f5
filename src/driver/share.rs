//! One export across tabs: buttons of the same site that would start the same job (the same
//! [share key](k12_export_core::share::key)) run it once.
//!
//! What each tab does is decided by the core's [`Coordinator`] (its module has the whole story:
//! who leads, who follows, who takes over, what the channel is trusted with). Here it is run in
//! the page: its commands become calls of the job's Web Lock and of the site's channel (in JS,
//! `share.js`, which does nothing else), its timer a `setTimeout`, and its view and events what
//! the button shows. Where the browser has no Web Locks or `BroadcastChannel` there is no
//! [`Share`], and each tab exports on its own.

use std::cell::{Cell, OnceCell, RefCell};
use std::rc::{Rc, Weak};

use k12_export_core::share::{Coordinator, TabCommand, TabInput};
use k12_export_core::{Event, View};
use wasm_bindgen::prelude::*;

use crate::driver::page::Wake;
use crate::driver::{now_ms, seed};

// The lock and the channel are in JS (`src/driver/share.js`); messages cross as text.
#[wasm_bindgen(module = "/src/driver/share.js")]
extern "C" {
    type JsShare;
    #[wasm_bindgen(js_name = share, catch)]
    fn open(key: &str, hear: &Hear) -> Result<JsShare, JsValue>;
    #[wasm_bindgen(method)]
    fn lock(this: &JsShare, ticket: u32, wait: bool);
    #[wasm_bindgen(method)]
    fn release(this: &JsShare, ticket: u32);
    #[wasm_bindgen(method)]
    fn query(this: &JsShare, ticket: u32);
    #[wasm_bindgen(method)]
    fn post(this: &JsShare, text: &str);
    #[wasm_bindgen(method)]
    fn close(this: &JsShare);
    /// True where the browser has Web Locks and `BroadcastChannel`.
    #[wasm_bindgen(js_name = supported)]
    pub fn supported() -> bool;
}

/// Shows a view and its events in this tab's button.
pub type Show = Rc<dyn Fn(View, Vec<Event>)>;

/// What the JS side tells the wasm: `(what, ticket, text)` (see [`heard`]).
type Hear = Closure<dyn Fn(u32, u32, Option<String>)>;

/// What `share.js` tells the wasm with `hear(what, ticket, text)` (written into it from here:
/// `crate::seam`).
pub(crate) mod heard {
    /// The lock asked for with `ticket` is held by this tab.
    pub const GRANTED: u32 = 0;
    /// The lock asked for at once with `ticket` is held by another tab.
    pub const REFUSED: u32 = 1;
    /// The lock request with `ticket` failed.
    pub const LOCK_FAILED: u32 = 2;
    /// The job's lock is held (answer to a query with `ticket`).
    pub const HELD: u32 = 3;
    /// The job's lock is free (answer to a query with `ticket`).
    pub const FREE: u32 = 4;
    /// A message about this job, in `text`.
    pub const MESSAGE: u32 = 5;
    /// The page is shown again.
    pub const SHOWN: u32 = 6;
    /// The page is left.
    pub const LEAVE: u32 = 7;
}

/// The input for what `share.js` heard.
fn input(what: u32, ticket: u32, text: Option<String>) -> Option<TabInput> {
    Some(match what {
        heard::GRANTED => TabInput::Granted(ticket),
        heard::REFUSED => TabInput::Refused(ticket),
        heard::LOCK_FAILED => TabInput::LockFailed(ticket),
        heard::HELD => TabInput::Held(ticket, true),
        heard::FREE => TabInput::Held(ticket, false),
        heard::MESSAGE => TabInput::Message(text?),
        heard::SHOWN => TabInput::Shown,
        heard::LEAVE => TabInput::Leave,
        _ => return None,
    })
}

struct Inner {
    coordinator: RefCell<Coordinator>,
    /// Inputs waiting while one is handled (starting the machine reports back at once).
    queue: RefCell<Vec<TabInput>>,
    busy: Cell<bool>,
    js: OnceCell<JsShare>,
    hear: OnceCell<Hear>,
    timer: RefCell<Option<Wake>>,
    show: Show,
    start: Rc<dyn Fn()>,
    stop: Rc<dyn Fn()>,
}

/// One button's part in sharing its job with other tabs. Dropping it lets the lock go, leaves the
/// queue and the channel.
pub struct Share {
    inner: Rc<Inner>,
}

impl Share {
    /// Joins the site's channel for `key`; `None` where the browser cannot share. `idle` is the
    /// button's view when no export runs, `deadline_ms` its export's deadline; `show` renders what
    /// the button shows (its own machine's view, or the view of a job another tab runs); `start`
    /// and `stop` start and stop this tab's own machine. Asks at once whether another tab runs the
    /// job, so an open page shows it busy.
    pub fn new(
        key: String,
        idle: View,
        deadline_ms: f64,
        show: Show,
        start: Rc<dyn Fn()>,
        stop: Rc<dyn Fn()>,
    ) -> Option<Share> {
        if !supported() {
            return None;
        }
        let inner = Rc::new(Inner {
            coordinator: RefCell::new(Coordinator::new(key.clone(), idle, deadline_ms, seed())),
            queue: RefCell::new(Vec::new()),
            busy: Cell::new(false),
            js: OnceCell::new(),
            hear: OnceCell::new(),
            timer: RefCell::new(None),
            show,
            start,
            stop,
        });
        let weak = Rc::downgrade(&inner);
        let hear: Hear = Closure::new(move |what, ticket, text| {
            if let (Some(inner), Some(input)) = (weak.upgrade(), input(what, ticket, text)) {
                feed(&inner, input);
            }
        });
        // The browser can share (above): what the page's changes to the platform threw instead
        // is said, and this tab exports alone.
        let js = open(&key, &hear)
            .map_err(|e| {
                web_sys::console::error_2(
                    &"k12-export: cannot share exports across tabs here; this tab exports alone:".into(),
                    &e,
                )
            })
            .ok()?;
        let _ = inner.js.set(js);
        let _ = inner.hear.set(hear);
        // The ask the coordinator posted when it was made goes out now.
        run(&inner);
        Some(Share { inner })
    }

    /// The button was clicked: lead the job if no other tab does (then `start` runs), else follow.
    pub fn click(&self) {
        feed(&self.inner, TabInput::Click);
    }

    /// "取消导出" pressed in this tab: the job stops here and everywhere.
    pub fn cancel(&self) {
        feed(&self.inner, TabInput::Cancel);
    }

    /// This tab's own machine changed: its view and what happened.
    pub fn observe(&self, view: &View, events: &[Event]) {
        feed(&self.inner, TabInput::Own(view.clone(), events.to_vec()));
    }

    /// True while another tab runs this button's job (for tests and diagnostics).
    pub fn following(&self) -> bool {
        self.inner.coordinator.borrow().following()
    }

    /// True while this tab runs the shared job (for tests and diagnostics).
    pub fn leading(&self) -> bool {
        self.inner.coordinator.borrow().leading()
    }
}

impl Drop for Share {
    fn drop(&mut self) {
        self.inner.timer.borrow_mut().take();
        if let Some(js) = self.inner.js.get() {
            js.close();
        }
    }
}

/// Feeds `input`, then carries out what follows, one input at a time: an input that comes while
/// one is handled (the machine started here reports its view at once) waits its turn.
fn feed(inner: &Rc<Inner>, input: TabInput) {
    inner.queue.borrow_mut().push(input);
    run(inner);
}

fn run(inner: &Rc<Inner>) {
    if inner.busy.replace(true) {
        return;
    }
    loop {
        let inputs = std::mem::take(&mut *inner.queue.borrow_mut());
        let last = inputs.is_empty();
        // Nothing queued: the commands and update of a coordinator just made.
        for input in inputs.into_iter().map(Some).chain(last.then_some(None)) {
            let (commands, update) = {
                let mut c = inner.coordinator.borrow_mut();
                if let Some(input) = input {
                    c.handle(input, now_ms());
                }
                (c.commands(), c.update())
            };
            for command in commands {
                execute(inner, command);
            }
            if let Some((view, events)) = update {
                (inner.show)(view, events);
            }
        }
        if last {
            break;
        }
    }
    inner.busy.set(false);
    arm(inner);
}

fn execute(inner: &Rc<Inner>, command: TabCommand) {
    let Some(js) = inner.js.get() else { return };
    match command {
        TabCommand::Lock { ticket, wait } => js.lock(ticket, wait),
        TabCommand::Release(ticket) => js.release(ticket),
        TabCommand::Query(ticket) => js.query(ticket),
        TabCommand::Post(text) => js.post(&text),
        TabCommand::Start => {
            (inner.start)();
            // After whatever the machine reported while starting.
            inner.queue.borrow_mut().push(TabInput::Started);
        }
        TabCommand::Stop => (inner.stop)(),
    }
}

/// One `setTimeout` for the coordinator's next timeout.
fn arm(inner: &Rc<Inner>) {
    let at = inner.coordinator.borrow().poll_timeout();
    let timer = at.map(|at| {
        let weak: Weak<Inner> = Rc::downgrade(inner);
        Wake::at(at, move || {
            if let Some(inner) = weak.upgrade() {
                feed(&inner, TabInput::Timer);
            }
        })
    });
    let old = std::mem::replace(&mut *inner.timer.borrow_mut(), timer);
    drop(old);
}
