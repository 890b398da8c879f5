//! The export history panel's protocol: the recent exports of the current user, from whichever
//! list endpoint the backend has, kept fresh while any of them runs, with a re-download action.
//!
//! Sans-IO like [`Machine`](crate::Machine): inputs go in through [`HistoryMachine::handle`] with
//! the current time, requests, aborts and downloads come out of [`HistoryMachine::poll_command`]
//! (the machine's own [`Command`]), the next wake-up from [`HistoryMachine::poll_timeout`], and what
//! to show from [`HistoryMachine::view`].
//!
//! ```
//! use k12_export_core::history::{HistoryInput, HistoryMachine, JobState};
//! use k12_export_core::{Command, HttpOutcome};
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
//! Each backend's list and link knowledge lives next to its adapter, behind [`HistorySource`]:
//!
//! | `protocol` | list | re-download |
//! |---|---|---|
//! | `"export-service"` | `GET /v1/export/history?user_id=` (the last 7 days) | `GET /v1/export/detail?key=` → `down_url` |
//! | `"xlink"` | `POST /v2/export_tasks` `{offset: 0, limit, order: {create_time: "desc"}}` | a fresh `GET /v2/export_task/{id}/auth_link` every time |
//! | `"minapp"` | `GET /userve/v1.5/table/:id/export/?limit=&offset=0` | the job's `download_url` |
//! | `"asset"` | `GET /api/async_task/{session}` (export tasks only) | `GET /api/export_task/{session}/{id}` → a CSV built here |
//!
//! `"k12"` has no list endpoint in its design document: asking for its history is an options
//! error naming `options.protocol`.
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
//!   [`HistoryView::failure`] and stops until the next refresh. Other 4xx and the backend's own
//!   error answers set it at once. The items of the last good answer are kept.
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
//! - Times: RFC 3339 with its offset; `YYYY-MM-DD HH:MM:SS` (or with a `T`, or a bare date)
//!   without an offset is China time (+08:00), as every backend here is in China and the asset
//!   system's own answers are; numbers and digit strings are epoch seconds, or milliseconds from
//!   10^11 on. A time that cannot be read is kept as [`HistoryItem::created_text`].
//! - Order: newest first by creation time when every item has one (ties keep the backend's
//!   order), else the backend's order; the asset system's list, which comes oldest first, is
//!   turned round by id. Duplicate ids keep their first occurrence. Then at most `historyLimit`.
//! - An item without an id is left out; an item whose status is not one of the documented ones is
//!   shown as failed with "未知的任务状态：…".
//! - `percent` is given only for queued and running jobs whose backend reports numbers, and is at
//!   most 99 (the file is not ready until the job is done).
//! - A download failure is cleared by the next download or the next manual refresh; a list
//!   failure by the next good list answer.

use crate::adapter::Reply;
use crate::error::{FailKind, Failure, OptionsError};
use crate::http::{safe_download_url, sanitize_filename, HttpOutcome, HttpRequest};
use crate::json::Json;
use crate::machine::{Command, RequestId};
use crate::options::Ctx;
use crate::policy::{backoff_ms, Rng};

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

/// Where a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobState {
    /// Waiting to be run.
    Queued,
    /// Being run.
    Running,
    /// Finished with a file.
    Done,
    /// Finished without a (complete) file.
    Failed,
    /// Cancelled on the server.
    Cancelled,
    /// Its file is gone.
    Expired,
}

impl JobState {
    /// Queued or running: the list should be refreshed while a job is.
    pub fn is_active(self) -> bool {
        matches!(self, JobState::Queued | JobState::Running)
    }
}

/// One export in a backend's history.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryItem {
    /// The backend's job id/key, as text.
    pub id: String,
    /// Name/title/file name; never empty (`导出任务 {id}` when the backend names none). Plain
    /// text from the server: render it as text.
    pub title: String,
    /// Where the job is.
    pub state: JobState,
    /// When it was created, in epoch milliseconds.
    pub created_ms: Option<f64>,
    /// The server's own text for the time, when it could not be read.
    pub created_text: Option<String>,
    /// 0–99 for queued/running jobs whose backend reports numbers.
    pub percent: Option<u8>,
    /// The server's word on it (`fail_reason`, `result_desc`, …); plain text.
    pub detail: Option<String>,
    /// A re-download makes sense (done, or the asset system's partial result).
    pub downloadable: bool,
}

impl HistoryItem {
    /// An item `id` in `state`, titled `title` (or `导出任务 {id}` when blank), with nothing else
    /// known yet.
    pub fn new(id: &str, title: Option<&str>, state: JobState) -> HistoryItem {
        let title = title.map(str::trim).filter(|t| !t.is_empty());
        HistoryItem {
            id: id.to_owned(),
            title: title.map_or_else(|| format!("导出任务 {id}"), str::to_owned),
            state,
            created_ms: None,
            created_text: None,
            percent: None,
            detail: None,
            downloadable: state == JobState::Done,
        }
    }

    /// Sets the creation time from the server's value (see [`parse_time`]).
    pub fn created(mut self, v: Option<&Json>) -> HistoryItem {
        (self.created_ms, self.created_text) = parse_time(v);
        self
    }

    /// Sets the detail (blank is none; capped at 200 characters).
    pub fn detail(mut self, detail: Option<&str>) -> HistoryItem {
        self.detail = detail.map(str::trim).filter(|d| !d.is_empty()).map(|d| d.chars().take(200).collect());
        self
    }

    /// Sets the percent from `done` of `total` (only for active jobs, at most 99).
    pub fn progress(mut self, done: Option<f64>, total: Option<f64>) -> HistoryItem {
        self.percent = match (done, total) {
            (Some(d), Some(t)) if self.state.is_active() && d >= 0.0 && t > 0.0 => {
                let p = (d / t * 100.0).floor();
                p.is_finite().then(|| crate::policy::clamp(p, 0.0, 99.0) as u8)
            }
            _ => None,
        };
        self
    }
}

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
    /// Time passed: the moment [`HistoryMachine::poll_timeout`] named has come (early calls are
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

/// One item as a [`HistorySource`] read it, with what the machine needs to re-download it.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryEntry {
    /// What the panel shows.
    pub item: HistoryItem,
    /// A URL from the list that downloads the file as it is (MinApp's `download_url`); used when
    /// [`HistorySource::link_request`] gives no request. Checked before use.
    pub link: Option<String>,
    /// The name to save the file under (sanitised, and given the URL's extension when it has
    /// none, by the machine).
    pub filename: String,
}

/// One backend's history: its list request and answer, and how to obtain one item's file.
///
/// Network errors, 5xx, 408 and 429 never reach the `read_*` methods: the machine retries those.
pub trait HistorySource {
    /// The list request, for at most `limit` items (backends without paging may ignore it).
    fn list_request(&self, limit: usize) -> HttpRequest;
    /// Reads the list answer, in the backend's order. `Err` is [`Reply::Failed`] (shown at once)
    /// or [`Reply::Retry`] (retried); any other reply counts as an unusable answer.
    fn read_list(&self, status: u16, body: &str) -> Result<Vec<HistoryEntry>, Reply>;
    /// The request that obtains `entry`'s file, or `None` to use [`HistoryEntry::link`]. Asked
    /// anew for every try, so that signed links are always fresh.
    fn link_request(&self, entry: &HistoryEntry) -> Option<HttpRequest>;
    /// Reads its answer: [`Reply::Ready`] (a URL, checked by the machine), [`Reply::File`],
    /// [`Reply::Failed`] or [`Reply::Retry`]; any other reply means "not ready" and is retried.
    fn read_link(&self, entry: &HistoryEntry, status: u16, body: &str) -> Reply;
}

/// Builds one protocol's history source from its options.
pub type SourceBuilder = fn(&Ctx<'_>) -> Result<Box<dyn HistorySource>, OptionsError>;

/// The protocols with a history, and their sources' builders.
pub const HISTORY_TABLE: &[(&str, SourceBuilder)] = &[
    ("export-service", crate::adapters::export_service::history::ExportServiceHistory::from_options),
    ("xlink", crate::adapters::xlink::history::XLinkHistory::from_options),
    ("minapp", crate::adapters::minapp::history::MinAppHistory::from_options),
    ("asset", crate::adapters::asset::history::AssetHistory::from_options),
];

/// The protocols whose backends have a list endpoint, in the order of [`HISTORY_TABLE`].
pub fn history_protocols() -> Vec<&'static str> {
    HISTORY_TABLE.iter().map(|(name, _)| *name).collect()
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
    /// A request without an answer this long is aborted and counts as a network failure.
    pub request_timeout_ms: f64,
    /// Consecutive transient failures tolerated; one more is a failure.
    pub max_retries: u32,
    /// First backoff delay.
    pub backoff_base_ms: f64,
    /// Longest backoff delay.
    pub backoff_cap_ms: f64,
    /// Longest `Retry-After` honoured.
    pub retry_after_cap_ms: f64,
    /// Seed for backoff jitter.
    pub seed: u64,
}

impl Default for HistorySettings {
    fn default() -> HistorySettings {
        HistorySettings {
            limit: DEFAULT_LIMIT,
            refresh_ms: DEFAULT_REFRESH_MS,
            refresh_cap_ms: REFRESH_CAP_MS,
            request_timeout_ms: 30_000.0,
            max_retries: 3,
            backoff_base_ms: 500.0,
            backoff_cap_ms: 8_000.0,
            retry_after_cap_ms: 60_000.0,
            seed: 0x5EED,
        }
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

/// The history of one backend for one user, sans-IO like [`Machine`](crate::Machine); its
/// commands are the machine's [`Command`] (`Send` / `Abort` / `Download` / `Save`).
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
            rng: Rng::new(settings.seed),
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
        let common = crate::options::Common::read(options, &[OPTION_KEYS, extra_keys])?;
        let name = common.protocol.name;
        let Some((_, build)) = HISTORY_TABLE.iter().find(|(n, _)| *n == name) else {
            return Err(OptionsError::new(
                "options.protocol",
                &format!(
                    "'{name}' has no export history: its backend has no list endpoint (history works with {})",
                    crate::options::comma_list(history_protocols())
                ),
            ));
        };
        let source = build(&common.ctx(options))?;
        let mut settings = settings(options)?;
        settings.seed = seed;
        Ok(HistoryMachine::new(source, settings))
    }

    /// Feeds one input at time `now_ms` (any monotonic millisecond clock).
    pub fn handle(&mut self, input: HistoryInput, now_ms: f64) {
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
                if matches!(self.list, List::Sending { id: want, .. } if want == id) {
                    self.list = List::Idle;
                    self.on_list(outcome, now_ms);
                } else if matches!(&self.fetch, Some(Fetch { wait: Wait::Sending { id: want, .. }, .. }) if *want == id)
                {
                    self.on_fetch(outcome, now_ms);
                }
                // else: stale, a duplicate, or a request we aborted
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

    /// The next thing to do, if any.
    pub fn poll_command(&mut self) -> Option<Command> {
        (!self.commands.is_empty()).then(|| self.commands.remove(0))
    }

    /// When to call `handle(HistoryInput::Timer, …)` next; `None` when nothing is under way or
    /// scheduled.
    pub fn poll_timeout(&self) -> Option<f64> {
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

    /// What to show.
    pub fn view(&self) -> &HistoryView {
        &self.view
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
        self.list = List::Sending { id, timeout_at: now + self.settings.request_timeout_ms };
        self.commands.push(Command::Send { id, request });
        self.sync();
    }

    fn list_timer(&mut self, now: f64) {
        match self.list {
            List::Sending { id, timeout_at } if now >= timeout_at => {
                self.commands.push(Command::Abort { id });
                self.list = List::Idle;
                self.list_transient(Failure::new(FailKind::Network).detail(Some("request timed out")), None, now);
            }
            List::Retrying { at } | List::Scheduled { at } if now >= at => self.send_list(now),
            _ => {}
        }
    }

    fn on_list(&mut self, outcome: HttpOutcome, now: f64) {
        let read = match outcome {
            HttpOutcome::NetworkError(_) => return self.list_transient(Failure::new(FailKind::Network), None, now),
            HttpOutcome::Answer { status, retry_after, .. } if transient(status) => {
                let wait = crate::http::retry_wait(status, retry_after.as_deref());
                return self.list_transient(Failure::new(FailKind::Http).status(status), wait, now);
            }
            HttpOutcome::Answer { status, body, .. } => self.source.read_list(status, &body),
        };
        match read {
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

    fn list_transient(&mut self, failure: Failure, wait_ms: Option<f64>, now: f64) {
        self.list_failures += 1;
        if self.list_failures > self.settings.max_retries {
            self.list_failed(failure);
            return;
        }
        let delay = self.delay(self.list_failures, wait_ms);
        self.list = List::Retrying { at: now + delay };
        self.sync();
    }

    fn list_failed(&mut self, failure: Failure) {
        self.list = List::Idle;
        self.list_failures = 0;
        self.refresh_delay = None;
        self.view.auto_refresh = false;
        self.set_failure(failure, Origin::List);
        self.sync();
    }

    fn delay(&mut self, failures: u32, wait_ms: Option<f64>) -> f64 {
        match wait_ms {
            Some(ms) => ms.min(self.settings.retry_after_cap_ms),
            None => backoff_ms(failures, self.settings.backoff_base_ms, self.settings.backoff_cap_ms, &mut self.rng),
        }
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
                let timeout_at = now + self.settings.request_timeout_ms;
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
                self.fetch_transient(Failure::new(FailKind::Network).detail(Some("request timed out")), None, now);
            }
            Wait::Retrying { at } if now >= at => self.fetch_step(now),
            _ => {}
        }
    }

    fn on_fetch(&mut self, outcome: HttpOutcome, now: f64) {
        let reply = match outcome {
            HttpOutcome::NetworkError(_) => return self.fetch_transient(Failure::new(FailKind::Network), None, now),
            HttpOutcome::Answer { status, retry_after, .. } if transient(status) => {
                let wait = crate::http::retry_wait(status, retry_after.as_deref());
                return self.fetch_transient(Failure::new(FailKind::Http).status(status), wait, now);
            }
            HttpOutcome::Answer { status, body, .. } => match &self.fetch {
                Some(fetch) => self.source.read_link(&fetch.entry, status, &body),
                None => return,
            },
        };
        self.fetched(reply, now);
    }

    fn fetched(&mut self, reply: Reply, now: f64) {
        let Some(fetch) = &self.fetch else { return };
        match reply {
            Reply::Ready { url, filename } => match safe_download_url(&url) {
                Some(url) => {
                    let name = filename.as_deref().and_then(sanitize_filename).unwrap_or(fetch.entry.filename.clone());
                    let filename = crate::machine::download_name(&name, Some(&url));
                    self.commands.push(Command::Download { url, filename });
                    self.fetch_done();
                }
                None => self.fetch_failed(Failure::new(FailKind::UnsafeUrl)),
            },
            Reply::File { bytes, mime, filename } => {
                let filename = crate::machine::download_name(&filename, None);
                self.commands.push(Command::Save { bytes, mime, filename });
                self.fetch_done();
            }
            Reply::Failed(f) => self.fetch_failed(f),
            Reply::Retry(f) => self.fetch_transient(f, None, now),
            Reply::Pending { .. } | Reply::Progress { .. } | Reply::Finished { .. } => self.fetch_transient(
                Failure::new(FailKind::BadResponse).detail(Some("the file is not ready")),
                None,
                now,
            ),
        }
    }

    fn fetch_transient(&mut self, failure: Failure, wait_ms: Option<f64>, now: f64) {
        let Some(fetch) = &mut self.fetch else { return };
        fetch.failures += 1;
        let n = fetch.failures;
        if n > self.settings.max_retries {
            self.fetch_failed(failure);
            return;
        }
        let at = now + self.delay(n, wait_ms);
        if let Some(fetch) = &mut self.fetch {
            fetch.wait = Wait::Retrying { at };
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

/// Answers worth another try whatever the backend: 5xx, 408, 429.
fn transient(status: u16) -> bool {
    status >= 500 || status == 429 || status == 408
}

fn settings(v: &Json) -> Result<HistorySettings, OptionsError> {
    let mut s = HistorySettings::default();
    let number = |name: &str, min: f64, max: f64, integer: bool| -> Result<Option<f64>, OptionsError> {
        let what = if integer { "an integer" } else { "a number" };
        match v.get(name) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::Num(n)) if n.is_finite() && (min..=max).contains(n) && (!integer || n.fract() == 0.0) => {
                Ok(Some(*n))
            }
            Some(_) => {
                // Integer bounds: formatting an f64 would bring float printing into the wasm.
                let (min, max) = (min as i64, max as i64);
                Err(OptionsError::new(&format!("options.{name}"), &format!("must be {what} from {min} to {max}")))
            }
        }
    };
    if let Some(n) = number("historyLimit", 1.0, 100.0, true)? {
        s.limit = n as usize;
    }
    if let Some(ms) = number("historyRefreshMs", 100.0, 600_000.0, false)? {
        s.refresh_ms = ms;
    }
    if let Some(ms) = number("requestTimeoutMs", 100.0, 600_000.0, false)? {
        s.request_timeout_ms = ms;
    }
    if let Some(n) = number("retries", 0.0, 20.0, false)? {
        s.max_retries = n as u32;
    }
    Ok(s)
}

// ---- times ---------------------------------------------------------------------------------------

/// The offset assumed for a time without one: China time.
pub const DEFAULT_OFFSET_MINUTES: i64 = 8 * 60;

/// A stable insertion sort by `before(a, b)` (a goes first): history lists are short, and the
/// standard library's sorts are the largest generic code a wasm module can carry.
pub(crate) fn sort_small<T>(v: &mut [T], before: impl Fn(&T, &T) -> bool) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && before(&v[j], &v[j - 1]) {
            v.swap(j, j - 1);
            j -= 1;
        }
    }
}

/// Reads a creation time: `(epoch milliseconds, None)` when it can be read, `(None, text)` when it
/// is text that cannot, `(None, None)` when there is none (missing, `null`, blank, 0 or less).
///
/// Accepted: RFC 3339 (`2021-09-06T17:24:34+08:00`, `2014-10-09T08:15:40.843Z`);
/// `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DDTHH:MM:SS` (fraction allowed) or `YYYY-MM-DD`, without an
/// offset, as China time (+08:00); numbers and digit strings as epoch seconds, or milliseconds
/// from 10^11 (the year 5138 in seconds) on.
pub fn parse_time(v: Option<&Json>) -> (Option<f64>, Option<String>) {
    let epoch = |n: f64| -> Option<f64> {
        (n.is_finite() && n > 0.0).then_some(if n >= 1e11 { n } else { n * 1000.0 }).filter(|ms| *ms < 1e15)
    };
    match v {
        Some(Json::Num(n)) => (epoch(*n), None),
        Some(Json::Str(s)) => {
            let t = s.trim();
            if t.is_empty() {
                return (None, None);
            }
            let parsed = if t.bytes().all(|b| b.is_ascii_digit()) && t.len() <= 16 {
                // By hand: `str::parse::<f64>` would bring the float parser into the wasm.
                epoch(t.bytes().fold(0.0, |n, d| n * 10.0 + f64::from(d - b'0')))
            } else {
                parse_datetime(t)
            };
            match parsed {
                Some(ms) => (Some(ms), None),
                None => (None, Some(t.chars().take(64).collect())),
            }
        }
        _ => (None, None),
    }
}

fn parse_datetime(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let digits = |from: usize, n: usize| -> Option<i64> {
        let part = b.get(from..from + n)?;
        part.iter().all(u8::is_ascii_digit).then(|| part.iter().fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0')))
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (year, month, day) = (digits(0, 4)?, digits(5, 2)?, digits(8, 2)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let (mut hour, mut minute, mut second, mut millis) = (0, 0, 0.0, 0.0);
    let mut rest = &s[10..];
    if !rest.is_empty() {
        let sep = rest.as_bytes()[0];
        if !matches!(sep, b'T' | b't' | b' ') {
            return None;
        }
        let t = &rest.as_bytes()[1..];
        if t.len() < 8 || t[2] != b':' || t[5] != b':' {
            return None;
        }
        let two = |i: usize| -> Option<i64> {
            let (x, y) = (t[i], t[i + 1]);
            (x.is_ascii_digit() && y.is_ascii_digit()).then(|| i64::from(x - b'0') * 10 + i64::from(y - b'0'))
        };
        hour = two(0)?;
        minute = two(3)?;
        second = two(6)? as f64;
        if hour > 23 || minute > 59 || second > 60.0 {
            return None;
        }
        rest = &rest[9..];
        if let Some(frac) = rest.strip_prefix('.') {
            let n = frac.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return None;
            }
            // Milliseconds from the first three digits (finer parts cannot matter here).
            millis = frac
                .bytes()
                .take(3)
                .chain(std::iter::repeat(b'0'))
                .take(3)
                .fold(0.0, |m, d| m * 10.0 + f64::from(d - b'0'));
            rest = &frac[n..];
        }
    }
    let offset_minutes = match rest {
        "" => DEFAULT_OFFSET_MINUTES,
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let o = &rest.as_bytes()[1..];
            let num = |x: &[u8]| -> Option<i64> {
                (x.len() == 2 && x.iter().all(u8::is_ascii_digit))
                    .then(|| i64::from(x[0] - b'0') * 10 + i64::from(x[1] - b'0'))
            };
            let (h, m) = match o.len() {
                5 if o[2] == b':' => (num(&o[..2])?, num(&o[3..])?),
                4 => (num(&o[..2])?, num(&o[2..])?),
                2 => (num(o)?, 0),
                _ => return None,
            };
            if h > 23 || m > 59 {
                return None;
            }
            sign * (h * 60 + m)
        }
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 - offset_minutes * 60;
    Some(secs as f64 * 1000.0 + second * 1000.0 + millis)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(s: &str) -> Option<f64> {
        parse_time(Some(&Json::Str(s.to_owned()))).0
    }

    #[test]
    fn times_read_in_every_documented_shape() {
        // The export service's example: 2021-09-06T17:24:34+08:00 is 1630920274 seconds.
        assert_eq!(time("2021-09-06T17:24:34+08:00"), Some(1_630_920_274_000.0));
        assert_eq!(time("2021-09-06 17:24:34"), Some(1_630_920_274_000.0), "China time without an offset");
        assert_eq!(time("2014-10-09T08:15:40.843Z"), Some(1_412_842_540_843.0));
        assert_eq!(time("2014-10-09T08:15:40-0130"), Some(1_412_842_540_000.0 + 5_400_000.0));
        assert_eq!(time("1970-01-01"), Some(-8.0 * 3_600_000.0));
        assert_eq!(time("1574405175"), Some(1_574_405_175_000.0));
        assert_eq!(parse_time(Some(&Json::Num(1_574_405_175.0))).0, Some(1_574_405_175_000.0));
        assert_eq!(parse_time(Some(&Json::Num(1_574_405_175_123.0))).0, Some(1_574_405_175_123.0));
        assert_eq!(parse_time(Some(&Json::Num(0.0))), (None, None));
        assert_eq!(parse_time(None), (None, None));
        assert_eq!(parse_time(Some(&Json::Str(" ".into()))), (None, None));
    }

    #[test]
    fn unreadable_times_keep_the_servers_text() {
        for bad in
            ["昨天", "2021-13-01", "2021-02-30 10:00:00", "2021-09-06T25:00:00", "2021-09-06T10:00:00+8", "创建时间"]
        {
            assert_eq!(parse_time(Some(&Json::Str(bad.into()))), (None, Some(bad.to_owned())), "{bad}");
        }
        assert_eq!(time("2024-02-29 00:00:00"), Some(1_709_136_000_000.0), "a leap day");
    }

    #[test]
    fn download_names_get_the_urls_extension() {
        assert_eq!(crate::machine::download_name("导出", Some("http://h/v1/down/k.zip?x=1")), "导出.zip");
        assert_eq!(crate::machine::download_name("a.csv", Some("http://h/x.zip")), "a.csv");
        assert_eq!(crate::machine::download_name("../x", None), "_x");
    }

    #[test]
    fn percent_is_for_active_jobs_and_below_100() {
        let running = HistoryItem::new("1", None, JobState::Running);
        assert_eq!(running.clone().progress(Some(5.0), Some(5.0)).percent, Some(99));
        assert_eq!(running.clone().progress(Some(1.0), Some(3.0)).percent, Some(33));
        assert_eq!(running.clone().progress(Some(1.0), Some(0.0)).percent, None);
        assert_eq!(running.progress(None, Some(3.0)).percent, None);
        let done = HistoryItem::new("1", Some(" "), JobState::Done).progress(Some(3.0), Some(3.0));
        assert_eq!((done.percent, done.title.as_str(), done.downloadable), (None, "导出任务 1", true));
    }
}
