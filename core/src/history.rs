//! The export history panel's protocol: the recent exports of the current user, from whichever
//! list endpoint the backend has, kept fresh while any of them runs, with a re-download action.
//!
//! Sans-IO like the export [`Machine`](crate::machine::Machine), through the same
//! [`SansIo`] interface: inputs go in through `handle` with the current time, requests, aborts and
//! downloads come out of `poll_command` (the same [`Command`]s), the next wake-up from
//! `poll_timeout`, and what to show from `view`. It follows the same [`RetryPolicy`].
//!
//! ```
//! use k12_export_core::history::{HistoryInput, HistoryMachine};
//! use k12_export_core::{Command, HttpOutcome, JobState, SansIo};
//! # let options = k12_export_core::json::Json::parse(r#"{"protocol":"minapp","tableId":1}"#).unwrap();
//! let mut h = HistoryMachine::from_options(&options, 1).unwrap();
//! h.handle(HistoryInput::Refresh, 0.0);
//! let Some(Command::Send { id, request }) = h.poll_command() else { panic!() };
//! assert_eq!(request.url, "/userve/v1.5/table/1/export/?limit=20&offset=0");
//! let body = r#"{"meta":{"total_count":1},"objects":[{"job_id":"j1","status":"ready","created_at":1574405175}]}"#;
//! h.handle(HistoryInput::Response { id, outcome: HttpOutcome::ok(body) }, 30.0);
//! assert_eq!(h.view().items[0].state, JobState::Running);
//! assert_eq!(h.poll_timeout(), Some(2030.0)); // refreshes while a job runs
//! ```
//!
//! # Backends
//!
//! Each backend's list and link knowledge lives in its folder, behind [`HistorySource`] (its
//! `history` module documents the list request and the re-download); the registry
//! ([`crate::backends`]) says which backends have one. A protocol without (`"k12"`: no list
//! endpoint in its design document) is an options error naming `options.protocol`.
//!
//! # Options
//!
//! The same options object as the export button: `protocol` and the fields the list needs
//! (`baseUrl`, `query`, and `userId` / `accessToken` / `tableId` / `session`; the button's other
//! fields are allowed and left to the button to check), `requestTimeoutMs` and `retries` as for
//! the button, plus:
//!
//! - `historyLimit` (1–100, default 20): how many exports to show;
//! - `historyRefreshMs` (100–600000, default 2000): the first automatic refresh while a job runs.
//!
//! The button must be told these two are allowed: pass [`OPTION_KEYS`] among its extra keys.
//!
//! # Behaviour
//!
//! - [`HistoryInput::Refresh`] sends the list request (ignored while one is under way). Answers
//!   carry request ids; a stale or duplicate one is ignored.
//! - Network errors, 5xx, 408, 429 (honouring `Retry-After` in seconds) and unreadable answers are
//!   retried with capped, jittered backoff; one failure more than `retries` in a row sets
//!   [`HistoryView::failure`] and stops until the next refresh. Other 4xx, the backend's own
//!   error answers and an answer over its size limit, whatever its status
//!   ([`crate::http#size-limits`]), set it at once. The items of the last good answer are kept.
//! - After a good answer: if any job is queued or running, an automatic refresh follows
//!   `historyRefreshMs` later, growing ×1.5 up to 10 s while the list stays the same and back to
//!   `historyRefreshMs` when it changes; when none runs, nothing is scheduled.
//! - [`HistoryInput::Download`] re-downloads one item, one at a time, with the same retries; a
//!   failure there sets `failure` too but keeps the list.
//! - Every request is aborted after `requestTimeoutMs` (30 s) and counts as a network failure.
//! - [`HistoryInput::Cancel`] aborts what is in flight and clears every timer; the items stay,
//!   and a later refresh starts again.
//!
//! # Decisions where the documents are silent
//!
//! - Times: see [`crate::codec::time`] (RFC 3339, or China time without an offset; epoch seconds
//!   or milliseconds). A time that cannot be read is kept as [`HistoryItem::created_text`].
//! - Order: newest first by creation time when every item has one (ties keep the backend's
//!   order), else the backend's order; the asset system's list, which comes oldest first, is
//!   turned round by id. Duplicate ids keep their first occurrence. Then at most `historyLimit`.
//! - An item without an id is left out; an item whose status is not one of the documented ones is
//!   shown as failed with "未知的任务状态：…".
//! - `percent` is given only for queued and running jobs whose backend reports numbers, and is at
//!   most 99 (the file is not ready until the job is done).
//! - A download failure is cleared by the next download or the next manual refresh; a list
//!   failure by the next good list answer.

use crate::backends;
use crate::codec::json::Json;
use crate::error::{FailKind, Failure, OptionsError};
use crate::http::{download_name, safe_download_url, sanitize_filename, HttpOutcome};
use crate::options::{integer, number, read_retry_policy, Common};
use crate::retry::{is_transient, retry_wait, timed_out, too_large, RetryPolicy, Rng};
use crate::sansio::{Command, RequestId, SansIo};
use crate::seam::{HistoryEntry, HistoryItem, HistorySource, Reply};
use crate::small_std::{comma_list, sort_small};

/// The option fields the history adds to the button's (pass them as the button's extra keys).
pub const OPTION_KEYS: &[&str] = &["historyLimit", "historyRefreshMs"];

/// Items shown when `historyLimit` is not given.
pub const DEFAULT_LIMIT: usize = 20;

/// The first automatic refresh when `historyRefreshMs` is not given.
pub const DEFAULT_REFRESH_MS: f64 = 2000.0;

/// The longest wait between automatic refreshes while nothing changes.
pub const REFRESH_CAP_MS: f64 = 10_000.0;

/// How much the wait grows after an automatic refresh that changed nothing.
pub const REFRESH_GROWTH: f64 = 1.5;

/// What the panel shows.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct HistoryView {
    /// A list refresh is under way: its request is in flight, or it waits to be retried.
    pub loading: bool,
    /// At least one list answer was read.
    pub loaded: bool,
    /// Newest first, at most `historyLimit`.
    pub items: Vec<HistoryItem>,
    /// The last refresh failed (after retries), or the last re-download did; items are kept.
    pub failure: Option<Failure>,
    /// The id of the item being re-downloaded.
    pub downloading: Option<String>,
    /// Automatic refreshes are on, because some job is queued or running.
    pub auto_refresh: bool,
}

/// Something that happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HistoryInput {
    /// Load now (also the first load). Ignored while a refresh is under way.
    Refresh,
    /// A request finished.
    Response {
        /// Which request.
        id: RequestId,
        /// What came back.
        outcome: HttpOutcome,
    },
    /// Time passed: the moment [`SansIo::poll_timeout`] named has come (early calls are
    /// harmless).
    Timer,
    /// Re-download the item with this id. Ignored while another is downloading, or if it is not
    /// in the list or not downloadable.
    Download {
        /// The item's id.
        item: String,
    },
    /// Unmount/pagehide: abort what is in flight and clear the timers.
    Cancel,
}

/// Timing, size and retry settings of the history.
#[derive(Clone, Debug, PartialEq)]
pub struct HistorySettings {
    /// Items shown at most.
    pub limit: usize,
    /// The first automatic refresh after a list with a running job, and the wait after a change.
    pub refresh_ms: f64,
    /// The longest wait between automatic refreshes (at least `refresh_ms`).
    pub refresh_cap_ms: f64,
    /// Request timeouts and retries.
    pub retry: RetryPolicy,
}

impl Default for HistorySettings {
    fn default() -> HistorySettings {
        HistorySettings {
            limit: DEFAULT_LIMIT,
            refresh_ms: DEFAULT_REFRESH_MS,
            refresh_cap_ms: REFRESH_CAP_MS,
            retry: RetryPolicy::default(),
        }
    }
}

impl HistorySettings {
    /// `historyLimit`, `historyRefreshMs`, `requestTimeoutMs` and `retries` over the defaults.
    pub fn from_options(v: &Json) -> Result<HistorySettings, OptionsError> {
        let mut s = HistorySettings::default();
        if let Some(n) = integer(v, "historyLimit", 1, 100)? {
            s.limit = n as usize;
        }
        if let Some(ms) = number(v, "historyRefreshMs", 100, 600_000)? {
            s.refresh_ms = ms;
        }
        read_retry_policy(v, &mut s.retry)?;
        Ok(s)
    }
}

/// Where the list is.
#[derive(Clone, Copy, Debug, PartialEq)]
enum List {
    /// Nothing under way, nothing scheduled.
    Idle,
    /// The list request is in flight.
    Sending { id: RequestId, timeout_at: f64 },
    /// Waiting to retry after a transient failure.
    Retrying { at: f64 },
    /// An automatic refresh is due (a job runs).
    Scheduled { at: f64 },
}

/// Where a re-download is.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Wait {
    Sending { id: RequestId, timeout_at: f64 },
    Retrying { at: f64 },
}

#[derive(Clone, Debug)]
struct Fetch {
    entry: HistoryEntry,
    wait: Wait,
    failures: u32,
}

/// Which activity set the failure shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    List,
    Download,
}

/// The history of one backend for one user, sans-IO like the export machine; its commands are the
/// same [`Command`]s (`Send` / `Abort` / `Download` / `Save`).
pub struct HistoryMachine {
    source: Box<dyn HistorySource>,
    settings: HistorySettings,
    rng: Rng,
    next_id: u64,
    list: List,
    list_failures: u32,
    refresh_delay: Option<f64>,
    entries: Vec<HistoryEntry>,
    fetch: Option<Fetch>,
    failure_origin: Option<Origin>,
    view: HistoryView,
    /// A short FIFO queue, in a Vec: smaller code than a VecDeque.
    commands: Vec<Command>,
}

impl std::fmt::Debug for HistoryMachine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HistoryMachine")
            .field("list", &self.list)
            .field("fetch", &self.fetch)
            .field("view", &self.view)
            .finish_non_exhaustive()
    }
}

impl HistoryMachine {
    /// A machine reading `source` with `settings`.
    pub fn new(source: Box<dyn HistorySource>, settings: HistorySettings) -> HistoryMachine {
        HistoryMachine {
            source,
            rng: Rng::new(settings.retry.seed),
            settings,
            next_id: 0,
            list: List::Idle,
            list_failures: 0,
            refresh_delay: None,
            entries: Vec::new(),
            fetch: None,
            failure_origin: None,
            view: HistoryView::default(),
            commands: Vec::new(),
        }
    }

    /// A machine from the button's options (see the module docs); `seed` feeds the jitter.
    pub fn from_options(options: &Json, seed: u64) -> Result<HistoryMachine, OptionsError> {
        HistoryMachine::from_options_with(options, &[], seed)
    }

    /// As [`HistoryMachine::from_options`], also allowing `extra_keys` (fields the widget reads
    /// itself, such as the button's label).
    pub fn from_options_with(options: &Json, extra_keys: &[&str], seed: u64) -> Result<HistoryMachine, OptionsError> {
        let common = Common::read(options, &[OPTION_KEYS, extra_keys])?;
        let Some(build) = common.protocol.history else {
            return Err(OptionsError::new(
                "options.protocol",
                &format!(
                    "'{}' has no export history: its backend has no list endpoint (history works with {})",
                    common.protocol.name,
                    comma_list(backends::history_protocols())
                ),
            ));
        };
        let source = build(&common.ctx(options))?;
        let mut settings = HistorySettings::from_options(options)?;
        settings.retry.seed = seed;
        Ok(HistoryMachine::new(source, settings))
    }

    /// The settings in use.
    pub fn settings(&self) -> &HistorySettings {
        &self.settings
    }

    fn next_request(&mut self) -> RequestId {
        let id = RequestId(self.next_id);
        self.next_id += 1;
        id
    }

    fn sync(&mut self) {
        self.view.loading = matches!(self.list, List::Sending { .. } | List::Retrying { .. });
    }

    fn clear_failure(&mut self) {
        self.view.failure = None;
        self.failure_origin = None;
    }

    fn set_failure(&mut self, failure: Failure, origin: Origin) {
        self.view.failure = Some(failure);
        self.failure_origin = Some(origin);
    }

    // ---- the list ------------------------------------------------------------------------------

    fn send_list(&mut self, now: f64) {
        let id = self.next_request();
        let request = self.source.list_request(self.settings.limit);
        self.list = List::Sending { id, timeout_at: now + self.settings.retry.request_timeout_ms };
        self.commands.push(Command::Send { id, request });
        self.sync();
    }

    fn list_timer(&mut self, now: f64) {
        match self.list {
            List::Sending { id, timeout_at } if now >= timeout_at => {
                self.commands.push(Command::Abort { id });
                self.list = List::Idle;
                self.list_transient(timed_out(), None, now);
            }
            List::Retrying { at } | List::Scheduled { at } if now >= at => self.send_list(now),
            _ => {}
        }
    }

    /// An answer for the list or the re-download: retried when transient, else read.
    fn on_outcome(&mut self, origin: Origin, outcome: HttpOutcome, now: f64) {
        let (failure, wait) = match outcome {
            HttpOutcome::NetworkError(_) => (Failure::new(FailKind::Network), None),
            HttpOutcome::Answer { status, retry_after, .. } if is_transient(status) => {
                (Failure::new(FailKind::Http).status(status), retry_wait(status, retry_after.as_deref()))
            }
            HttpOutcome::Answer { status, body, .. } => {
                return match origin {
                    Origin::List => self.on_list(status, &body, now),
                    Origin::Download => self.on_fetch(status, &body, now),
                };
            }
            // Over its size limit: unreadable, and asking again would bring the same bytes.
            HttpOutcome::TooLarge => {
                return match origin {
                    Origin::List => self.list_failed(too_large()),
                    Origin::Download => self.fetch_failed(too_large()),
                };
            }
        };
        match origin {
            Origin::List => self.list_transient(failure, wait, now),
            Origin::Download => self.fetch_transient(failure, wait, now),
        }
    }

    fn on_list(&mut self, status: u16, body: &str, now: f64) {
        match self.source.read_list(status, body) {
            Ok(entries) => self.listed(entries, now),
            Err(Reply::Failed(f)) => self.list_failed(f),
            Err(Reply::Retry(f)) => self.list_transient(f, None, now),
            Err(_) => self.list_transient(Failure::new(FailKind::BadResponse), None, now),
        }
    }

    fn listed(&mut self, mut entries: Vec<HistoryEntry>, now: f64) {
        let mut seen: Vec<String> = Vec::with_capacity(entries.len());
        entries.retain(|e| {
            if seen.contains(&e.item.id) {
                return false;
            }
            seen.push(e.item.id.clone());
            true
        });
        if entries.iter().all(|e| e.item.created_ms.is_some()) {
            // Newest first; equal times keep the backend's order.
            sort_small(&mut entries, |a, b| a.item.created_ms.unwrap_or(0.0) > b.item.created_ms.unwrap_or(0.0));
        }
        entries.truncate(self.settings.limit.max(1));
        let items: Vec<HistoryItem> = entries.iter().map(|e| e.item.clone()).collect();
        let changed = !self.view.loaded || items != self.view.items;
        self.entries = entries;
        self.view.items = items;
        self.view.loaded = true;
        self.list_failures = 0;
        if self.failure_origin == Some(Origin::List) {
            self.clear_failure();
        }
        if self.view.items.iter().any(|i| i.state.is_active()) {
            let base = self.settings.refresh_ms;
            let cap = self.settings.refresh_cap_ms.max(base);
            let delay = match (changed, self.refresh_delay) {
                (false, Some(last)) => (last * REFRESH_GROWTH).min(cap),
                _ => base,
            };
            self.refresh_delay = Some(delay);
            self.list = List::Scheduled { at: now + delay };
            self.view.auto_refresh = true;
        } else {
            self.refresh_delay = None;
            self.list = List::Idle;
            self.view.auto_refresh = false;
        }
        self.sync();
    }

    fn list_transient(&mut self, failure: Failure, retry_after_ms: Option<f64>, now: f64) {
        self.list_failures += 1;
        match self.settings.retry.next_wait(self.list_failures, retry_after_ms, &mut self.rng) {
            Some(delay) => {
                self.list = List::Retrying { at: now + delay };
                self.sync();
            }
            None => self.list_failed(failure),
        }
    }

    fn list_failed(&mut self, failure: Failure) {
        self.list = List::Idle;
        self.list_failures = 0;
        self.refresh_delay = None;
        self.view.auto_refresh = false;
        self.set_failure(failure, Origin::List);
        self.sync();
    }

    // ---- re-downloads --------------------------------------------------------------------------

    fn download(&mut self, item: &str, now: f64) {
        if self.fetch.is_some() {
            return;
        }
        let Some(entry) = self.entries.iter().find(|e| e.item.id == item && e.item.downloadable) else {
            return;
        };
        let entry = entry.clone();
        if self.failure_origin == Some(Origin::Download) {
            self.clear_failure();
        }
        self.view.downloading = Some(entry.item.id.clone());
        self.fetch = Some(Fetch { entry, wait: Wait::Retrying { at: now }, failures: 0 });
        self.fetch_step(now);
    }

    /// Asks for the file: a request, or the list's own link.
    fn fetch_step(&mut self, now: f64) {
        let Some(fetch) = &self.fetch else { return };
        match self.source.link_request(&fetch.entry) {
            Some(request) => {
                let id = self.next_request();
                let timeout_at = now + self.settings.retry.request_timeout_ms;
                if let Some(fetch) = &mut self.fetch {
                    fetch.wait = Wait::Sending { id, timeout_at };
                }
                self.commands.push(Command::Send { id, request });
            }
            None => {
                let reply = match &fetch.entry.link {
                    Some(url) => Reply::Ready { url: url.clone(), filename: None },
                    None => Reply::Failed(Failure::new(FailKind::BadResponse).detail(Some("no download link"))),
                };
                self.fetched(reply, now);
            }
        }
    }

    fn fetch_timer(&mut self, now: f64) {
        let Some(fetch) = &self.fetch else { return };
        match fetch.wait {
            Wait::Sending { id, timeout_at } if now >= timeout_at => {
                self.commands.push(Command::Abort { id });
                self.fetch_transient(timed_out(), None, now);
            }
            Wait::Retrying { at } if now >= at => self.fetch_step(now),
            _ => {}
        }
    }

    fn on_fetch(&mut self, status: u16, body: &str, now: f64) {
        let Some(fetch) = &self.fetch else { return };
        let reply = self.source.read_link(&fetch.entry, status, body);
        self.fetched(reply, now);
    }

    fn fetched(&mut self, reply: Reply, now: f64) {
        let Some(fetch) = &self.fetch else { return };
        match reply {
            Reply::Ready { url, filename } => match safe_download_url(&url) {
                Some(url) => {
                    let name = filename.as_deref().and_then(sanitize_filename).unwrap_or(fetch.entry.filename.clone());
                    let filename = download_name(&name, Some(&url));
                    self.commands.push(Command::Download { url, filename });
                    self.fetch_done();
                }
                None => self.fetch_failed(Failure::new(FailKind::UnsafeUrl)),
            },
            Reply::File { bytes, mime, filename } => {
                let filename = download_name(&filename, None);
                self.commands.push(Command::Save { bytes, mime, filename });
                self.fetch_done();
            }
            Reply::Failed(f) => self.fetch_failed(f),
            // A re-download of a job the server has since ended: the file is not to be had.
            Reply::Cancelled(c) => self.fetch_failed(Failure::new(FailKind::Server).detail(c.detail.as_deref())),
            Reply::Retry(f) => self.fetch_transient(f, None, now),
            Reply::Pending { .. } | Reply::Progress { .. } | Reply::WorkDone { .. } => self.fetch_transient(
                Failure::new(FailKind::BadResponse).detail(Some("the file is not ready")),
                None,
                now,
            ),
        }
    }

    fn fetch_transient(&mut self, failure: Failure, retry_after_ms: Option<f64>, now: f64) {
        let Some(fetch) = &mut self.fetch else { return };
        fetch.failures += 1;
        match self.settings.retry.next_wait(fetch.failures, retry_after_ms, &mut self.rng) {
            Some(delay) => fetch.wait = Wait::Retrying { at: now + delay },
            None => self.fetch_failed(failure),
        }
    }

    fn fetch_done(&mut self) {
        self.fetch = None;
        self.view.downloading = None;
    }

    fn fetch_failed(&mut self, failure: Failure) {
        self.fetch_done();
        self.set_failure(failure, Origin::Download);
    }
}

/// The history as its driver runs it. It tells its owner nothing: everything is in the view.
impl SansIo for HistoryMachine {
    type Input = HistoryInput;
    type View = HistoryView;
    type Event = std::convert::Infallible;

    fn handle(&mut self, input: HistoryInput, now_ms: f64) {
        match input {
            HistoryInput::Refresh => {
                if !self.view.loading {
                    if self.failure_origin == Some(Origin::Download) {
                        self.clear_failure();
                    }
                    self.refresh_delay = None;
                    self.list_failures = 0;
                    self.send_list(now_ms);
                }
            }
            HistoryInput::Response { id, outcome } => {
                let origin = if matches!(self.list, List::Sending { id: want, .. } if want == id) {
                    self.list = List::Idle;
                    Origin::List
                } else if matches!(&self.fetch, Some(Fetch { wait: Wait::Sending { id: want, .. }, .. }) if *want == id)
                {
                    Origin::Download
                } else {
                    return; // stale, a duplicate, or a request we aborted
                };
                self.on_outcome(origin, outcome, now_ms);
            }
            HistoryInput::Timer => {
                self.list_timer(now_ms);
                self.fetch_timer(now_ms);
            }
            HistoryInput::Download { item } => self.download(&item, now_ms),
            HistoryInput::Cancel => {
                if let List::Sending { id, .. } = self.list {
                    self.commands.push(Command::Abort { id });
                }
                if let Some(Fetch { wait: Wait::Sending { id, .. }, .. }) = self.fetch {
                    self.commands.push(Command::Abort { id });
                }
                self.list = List::Idle;
                self.list_failures = 0;
                self.refresh_delay = None;
                self.fetch = None;
                self.view.downloading = None;
                self.view.auto_refresh = false;
                self.sync();
            }
        }
    }

    fn poll_command(&mut self) -> Option<Command> {
        (!self.commands.is_empty()).then(|| self.commands.remove(0))
    }

    fn poll_timeout(&self) -> Option<f64> {
        let list = match self.list {
            List::Idle => None,
            List::Sending { timeout_at, .. } => Some(timeout_at),
            List::Retrying { at } | List::Scheduled { at } => Some(at),
        };
        let fetch = self.fetch.as_ref().map(|f| match f.wait {
            Wait::Sending { timeout_at, .. } => timeout_at,
            Wait::Retrying { at } => at,
        });
        match (list, fetch) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn view(&self) -> &HistoryView {
        &self.view
    }

    fn poll_event(&mut self) -> Option<std::convert::Infallible> {
        None
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
