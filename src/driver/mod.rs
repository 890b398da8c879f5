//! The driver: runs a core machine ([`SansIo`]: the export [`Machine`] or the history panel's) in
//! the browser. For the export machine it is what the K12 pages' JS component kept in its
//! `$export` cache: one button's export, started, polled and downloaded.
//!
//! It turns the machine's commands into requests through a [`Transport`] (each carrying an
//! `AbortController` signal held by a guard that aborts on drop), a wake-up of the page's one clock
//! ([`page`]) for the machine's next timeout, and downloads ([`download`]); it feeds answers and timer ticks back in
//! and reports every change to its owner. Dropping a [`Driver`] stops everything at once: the
//! timer is cleared, requests in flight are aborted, the page listeners are removed, and late
//! answers find nobody home.

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicBool, Ordering};

use k12_export_core::{Command, ExportSetup, Input, Machine, RequestId, SansIo};
use wasm_bindgen::JsCast;

mod download;
pub mod page;
pub mod share;
mod transport;

pub use download::{download, foreign, page_base, save, BlobUrl, DOWNLOAD_SPACING_MS};
use page::{PageListener, Wake};
use transport::AbortGuard;
pub use transport::{FetchTransport, OutcomeFuture, Transport};

/// What the owner hears after every change: the view to render and what happened.
pub type Observer<M> = Rc<dyn Fn(&<M as SansIo>::View, &[<M as SansIo>::Event])>;

/// A request in flight: its guard (aborting it on drop) and, once its answer came, the wake-up of
/// the page's clock that hands the answer to the machine.
struct Flight {
    id: RequestId,
    guard: AbortGuard,
    answered: Option<Wake>,
}

struct Inner<M: SansIo + 'static> {
    machine: M,
    transport: Rc<dyn Transport>,
    in_flight: Vec<Flight>,
    timer: Option<Wake>,
    observer: Observer<M>,
    blob: Option<BlobUrl>,
}

/// Runs one sans-IO machine in the page. Dropping it stops everything: timer cleared, requests
/// aborted, page listeners removed, late answers ignored.
pub struct Driver<M: SansIo + 'static> {
    inner: Rc<RefCell<Inner<M>>>,
    _page_listeners: [PageListener; 2],
}

/// The browser's monotonic clock, in milliseconds.
pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or_else(js_sys::Date::now, |p| p.now())
}

/// A seed for backoff jitter.
pub fn seed() -> u64 {
    (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64
}

impl<M: SansIo + 'static> Driver<M> {
    /// Runs `machine`, reporting to `observer`. Leaving the page (`pagehide`) stops it, and so
    /// does coming back from the back/forward cache (`pageshow` with `persisted`).
    pub fn with_machine(machine: M, transport: Rc<dyn Transport>, observer: Observer<M>) -> Driver<M> {
        let inner = Rc::new(RefCell::new(Inner {
            machine,
            transport,
            in_flight: Vec::new(),
            timer: None,
            observer,
            blob: None,
        }));
        // The page's listeners (one of each for the whole page, whatever the number of drivers).
        let weak = Rc::downgrade(&inner);
        let left = PageListener::new(page::event::PAGEHIDE, move |_| {
            if let Some(rc) = weak.upgrade() {
                pump(&rc, Some(M::stop()));
            }
        });
        let weak = Rc::downgrade(&inner);
        let back = PageListener::new(page::event::PAGESHOW, move |e| {
            let persisted = e.dyn_ref::<web_sys::PageTransitionEvent>().is_some_and(|e| e.persisted());
            if let (true, Some(rc)) = (persisted, weak.upgrade()) {
                pump(&rc, Some(M::stop()));
            }
        });
        let listeners = [left, back];
        Driver { inner, _page_listeners: listeners }
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

impl Driver<Machine> {
    /// One button's export driver (one export at a time) for a validated `setup`, reporting to `observer`.
    pub fn new(setup: ExportSetup, transport: Rc<dyn Transport>, observer: Observer<Machine>) -> Driver<Machine> {
        let mut settings = setup.settings;
        settings.retry.seed = seed();
        settings.base = page_base();
        Driver::with_machine(Machine::new(setup.adapter, settings, setup.filename), transport, observer)
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

impl<M: SansIo + 'static> Drop for Driver<M> {
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

/// Set by [`halt`]: every driver of this wasm instance is stopped for good.
static HALTED: AtomicBool = AtomicBool::new(false);

/// Stops every driver of this wasm instance for good: from now on none handles an input, sends a
/// request, arms a timer, downloads or tells its owner; answers and timers still due find nobody
/// home. For an instance whose state can no longer be trusted: the embeddable bundle's loader
/// calls it (the `halt` export) after the instance trapped on a panic.
pub fn halt() {
    HALTED.store(true, Ordering::Relaxed);
}

/// Feeds `input` (if any) to the machine, carries out its commands, re-arms the timer and tells
/// the observer. No borrow is held while foreign code (fetch, the observer) runs.
fn pump<M: SansIo + 'static>(rc: &Rc<RefCell<Inner<M>>>, input: Option<M::Input>) {
    if HALTED.load(Ordering::Relaxed) {
        return;
    }
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
    arm_timer(rc);
    observer(&view, &events);
}

fn execute<M: SansIo + 'static>(rc: &Rc<RefCell<Inner<M>>>, command: Command) {
    match command {
        Command::Send { id, request } => {
            let (guard, signal) = AbortGuard::new();
            let transport = rc.borrow().transport.clone();
            let answer = transport.send(request, signal);
            rc.borrow_mut().in_flight.push(Flight { id, guard, answered: None });
            let weak: Weak<RefCell<Inner<M>>> = Rc::downgrade(rc);
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = answer.await;
                // Handled on the page's clock, not in the task that brought the answer: a browser
                // may deliver the answers of a hundred buttons in one task, and the clock runs a
                // few at a time. An abort or a drop before then forgets the answer with its flight.
                let Some(rc) = weak.upgrade() else { return };
                let weak = Rc::downgrade(&rc);
                let wake = Wake::at(now_ms(), move || {
                    let Some(rc) = weak.upgrade() else { return };
                    let flight = {
                        let mut i = rc.borrow_mut();
                        let pos = i.in_flight.iter().position(|f| f.id == id);
                        pos.map(|p| i.in_flight.swap_remove(p))
                    };
                    if let Some(flight) = flight {
                        // Finished normally: forget the guard without aborting.
                        flight.guard.disarm();
                        pump(&rc, Some(M::answer(id, outcome)));
                    }
                });
                let mut i = rc.borrow_mut();
                if let Some(flight) = i.in_flight.iter_mut().find(|f| f.id == id) {
                    flight.answered = Some(wake);
                }
            });
        }
        Command::Abort { id } => {
            let guard = {
                let mut i = rc.borrow_mut();
                i.in_flight.iter().position(|f| f.id == id).map(|p| i.in_flight.swap_remove(p))
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

fn arm_timer<M: SansIo + 'static>(rc: &Rc<RefCell<Inner<M>>>) {
    let Ok(mut i) = rc.try_borrow_mut() else { return };
    let next = i.machine.poll_timeout();
    let old = i.timer.take();
    if let Some(at) = next {
        let weak = Rc::downgrade(rc);
        i.timer = Some(Wake::at(at, move || {
            if let Some(rc) = weak.upgrade() {
                pump(&rc, Some(M::tick()));
            }
        }));
    }
    drop(i);
    drop(old);
}
