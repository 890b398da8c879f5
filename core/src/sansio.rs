//! What a driver sees of a machine: the sans-IO interface both the export
//! [`Machine`](crate::machine::Machine) and the history panel's
//! [`HistoryMachine`](crate::history::HistoryMachine) implement, and the commands they give.
//!
//! Inputs go in through [`SansIo::handle`] with the current time; requests to send or abort and
//! files to hand over come out of [`SansIo::poll_command`], the next wake-up from
//! [`SansIo::poll_timeout`], what to tell the owner from [`SansIo::poll_event`], and what to show
//! from [`SansIo::view`]. The browser's driver runs any `SansIo` with `fetch` and one timer.

use crate::http::{HttpOutcome, HttpRequest};

/// Identifies a request across a machine's whole life, so answers to an earlier export (or an
/// aborted request) are recognised and ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

/// Something for the driver to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Send `request`; answer with the machine's input for a response, carrying `id`.
    Send {
        /// Its id.
        id: RequestId,
        /// The request.
        request: HttpRequest,
    },
    /// Abort the request `id` (its answer, if any, will be ignored anyway).
    Abort {
        /// Which request.
        id: RequestId,
    },
    /// Download `url` (already checked to be http(s) or relative) as `filename`.
    Download {
        /// The URL.
        url: String,
        /// The suggested name (sanitised).
        filename: String,
    },
    /// Save `bytes` built here as `filename`.
    Save {
        /// The file.
        bytes: Vec<u8>,
        /// Its MIME type.
        mime: &'static str,
        /// Its name (sanitised).
        filename: String,
    },
}

/// A sans-IO protocol machine: no I/O, no clock; time is passed in.
pub trait SansIo {
    /// What goes in.
    type Input;
    /// What the UI shows.
    type View: Clone;
    /// What the owner is told.
    type Event: Clone;
    /// Feeds one input at time `now_ms` (any monotonic millisecond clock).
    fn handle(&mut self, input: Self::Input, now_ms: f64);
    /// The next thing to do, if any.
    fn poll_command(&mut self) -> Option<Command>;
    /// When to feed [`SansIo::tick`] next; `None` when nothing is under way or scheduled.
    fn poll_timeout(&self) -> Option<f64>;
    /// The next thing to tell the owner, if any.
    fn poll_event(&mut self) -> Option<Self::Event>;
    /// What to show.
    fn view(&self) -> &Self::View;
    /// The input for the answer to request `id`.
    fn answer(id: RequestId, outcome: HttpOutcome) -> Self::Input;
    /// The input for a timer tick: the moment [`SansIo::poll_timeout`] named has come (early
    /// ticks are harmless).
    fn tick() -> Self::Input;
    /// The input that stops everything (page left, unmounted).
    fn stop() -> Self::Input;
}
