//! The page's one clock and one ear: every button of a page shares one timer and one listener per
//! page event (`page.js`, shared by both runtimes and every copy of the loader on the page),
//! however many buttons the page has. A wake-up or a listener is held by a guard here, and dropping
//! the guard forgets it.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/driver/page.js")]
extern "C" {
    fn wake(at: f64, f: &Closure<dyn FnMut()>) -> u32;
    fn unwake(id: u32);
    fn on(kind: u32, f: &Closure<dyn FnMut(web_sys::Event)>) -> u32;
    fn off(id: u32);
}

/// The page events the widget listens to (indexes of [`EVENTS`]).
pub mod event {
    /// The page is left (`pagehide` on the window).
    pub const PAGEHIDE: u32 = 0;
    /// The page is shown, maybe again from the back/forward cache (`pageshow` on the window).
    pub const PAGESHOW: u32 = 1;
    /// The page is hidden or shown (`visibilitychange` on the document).
    pub const VISIBILITY: u32 = 2;
    /// The page is back from a freeze (`resume` on the document, where the browser has it).
    pub const RESUME: u32 = 3;
}

/// Where each of [`event`] is heard: 0 the window, 1 the document, and its name (written into
/// `page.js` by `crate::seam`).
pub const EVENTS: [(u32, &str); 4] = [(0, "pagehide"), (0, "pageshow"), (1, "visibilitychange"), (1, "resume")];

/// How many due wake-ups the page's clock runs in one task at most, and for how long in
/// milliseconds, before it lets the page have its turn (written into `page.js` by `crate::seam`).
pub const BATCH: u32 = 12;
/// See [`BATCH`].
pub const SLICE_MS: u32 = 8;

/// A wake-up of the page's clock; dropping it forgets the wake-up.
#[must_use = "dropping the wake-up forgets it"]
pub struct Wake {
    id: u32,
    _f: Closure<dyn FnMut()>,
}

impl Wake {
    /// Calls `f` once at `at_ms` (the page's `performance.now()` clock) or soon after.
    pub fn at(at_ms: f64, f: impl FnOnce() + 'static) -> Wake {
        let mut once = Some(f);
        let f: Closure<dyn FnMut()> = Closure::new(move || {
            if let Some(f) = once.take() {
                f();
            }
        });
        Wake { id: wake(at_ms, &f), _f: f }
    }
}

impl Drop for Wake {
    fn drop(&mut self) {
        unwake(self.id);
    }
}

/// A listener of a page event; dropping it stops listening.
#[must_use = "dropping the listener stops it"]
pub struct PageListener {
    id: u32,
    _f: Closure<dyn FnMut(web_sys::Event)>,
}

impl PageListener {
    /// Calls `f` with each page event `kind` (one of [`event`]).
    pub fn new(kind: u32, f: impl FnMut(web_sys::Event) + 'static) -> PageListener {
        let f: Closure<dyn FnMut(web_sys::Event)> = Closure::new(f);
        PageListener { id: on(kind, &f), _f: f }
    }
}

impl Drop for PageListener {
    fn drop(&mut self) {
        off(self.id);
    }
}
