//! The seam between the machines and the backends: what a backend implements, and what its
//! builders take and make.
//!
//! Every backend of the design documents follows the same arc — start a job, watch it, obtain the
//! file — but spells each step differently. An [`Adapter`] builds the requests of one export and
//! reads their answers into a [`Reply`]; the export [`Machine`](crate::machine::Machine) owns
//! everything else (timing, retries, deadlines, stale answers, progress display). A backend with a
//! list of recent exports also has a [`HistorySource`], read by the
//! [`HistoryMachine`](crate::history::HistoryMachine). Both are built from the host page's options
//! by the functions of the backend's row in the registry ([`crate::backends`]): a [`Builder`] and a
//! [`SourceBuilder`], given a [`Ctx`].
//!
//! [`fields`] reads a backend's option fields and [`answer`] holds the answer-reading helpers the
//! backends share.

pub mod answer;
pub mod fields;

use crate::codec::json::Json;
use crate::codec::time::parse_time;
use crate::error::{Cancellation, Failure, OptionsError};
use crate::http::HttpRequest;
use crate::small_std::clamp;

/// What one answer means, as the adapter reads it.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// The job exists and is running; no numbers in this answer.
    Pending {
        /// A filename the server chose, if it said one.
        filename: Option<String>,
    },
    /// The job is running, `loaded` of `total` done.
    Progress {
        /// Units done.
        loaded: f64,
        /// Units in all (> 0).
        total: f64,
        /// A filename the server chose, if it said one.
        filename: Option<String>,
    },
    /// The job's work is done, but the file's link is still to be fetched with a [`Step::Link`] request.
    WorkDone {
        /// A filename the server chose, if it said one.
        filename: Option<String>,
    },
    /// The file is at `url` (not yet checked for safety: the machine does that).
    Ready {
        /// Where to download it.
        url: String,
        /// A filename the server chose, if it said one.
        filename: Option<String>,
    },
    /// The file was built here, from data the server returned.
    File {
        /// The file's bytes.
        bytes: Vec<u8>,
        /// Its MIME type.
        mime: &'static str,
        /// Its name.
        filename: String,
    },
    /// The server ended the job (cancelled, expired, invalid): the export ends, cancelled.
    Cancelled(Cancellation),
    /// The export failed for good.
    Failed(Failure),
    /// This answer was unusable but another try may work (counts toward the retry limit).
    Retry(Failure),
}

/// Which request an answer belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// An optional request before the start, for backends that must look at something first
    /// (e.g. snapshot their job list, because the start answer does not say which job it made).
    /// An adapter that needs none returns `None` from [`Adapter::request`] and the machine goes
    /// straight to [`Step::Start`]. Its answer continues to the start on any reply but
    /// [`Reply::Failed`] (the export fails) and [`Reply::Retry`] (the prepare request is retried);
    /// adapters answer [`Reply::Pending`].
    Prepare,
    /// The request that starts the job.
    Start,
    /// A progress/status request.
    Poll,
    /// "Is the file ready?", asked now and then while progress answers carry no numbers, so that a
    /// backend whose progress endpoint says nothing useful still ends. Only for adapters where
    /// such a request is harmless at any time (K12: the start/url endpoint); the others return
    /// `None`. Its answer: [`Reply::Ready`] (or [`Reply::File`]) when the file is there,
    /// [`Reply::Pending`] when not yet, or a failure.
    Probe,
    /// The request that obtains the file once the job is finished.
    Link,
}

/// One backend's wire format. An adapter is reset at the start of each export and may keep the
/// job's identity between steps.
pub trait Adapter {
    /// Forgets the previous export (job ids and the like).
    fn reset(&mut self);
    /// Whether this backend reports numbers: if not (the default), progress is shown as
    /// indeterminate.
    fn reports_progress(&self) -> bool {
        false
    }
    /// The request for `step`. `Prepare` returns `None` for backends that need no request before
    /// the start; `Link` returns `None` for backends whose status answer already carries the URL
    /// (then [`Reply::WorkDone`] is never returned).
    fn request(&mut self, step: Step) -> Option<HttpRequest>;
    /// Reads the answer to `step`. Network errors, 5xx, 408 and 429 never reach here: the machine
    /// retries those itself.
    fn read(&mut self, step: Step, status: u16, body: &str) -> Reply;
}

/// What a protocol's builder reads: the whole options object, its `data`, and the filled
/// `filename` when the page gave one.
#[derive(Clone, Copy, Debug)]
pub struct Ctx<'a> {
    /// The options object.
    pub options: &'a Json,
    /// `options.data` (an empty object when absent).
    pub data: &'a Json,
    /// `options.filename` with its placeholders filled, if given.
    pub filename: Option<&'a str>,
}

impl<'a> Ctx<'a> {
    /// A context for `options` alone (no data, no filename): for tests of one builder.
    pub fn new(options: &'a Json) -> Ctx<'a> {
        const EMPTY: &Json = &Json::Null;
        Ctx { options, data: EMPTY, filename: None }
    }
}

/// What a protocol's builder makes: the adapter, and the filename to show when the page gives none.
pub struct Built {
    /// The adapter.
    pub adapter: Box<dyn Adapter>,
    /// The filename when `options.filename` is absent (else `export`).
    pub default_filename: Option<String>,
}

impl std::fmt::Debug for Built {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Built").field("default_filename", &self.default_filename).finish_non_exhaustive()
    }
}

/// Builds one protocol's adapter from validated common options.
pub type Builder = fn(&Ctx<'_>) -> Result<Built, OptionsError>;

/// Builds one protocol's history source from its options.
pub type SourceBuilder = fn(&Ctx<'_>) -> Result<Box<dyn HistorySource>, OptionsError>;

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
            title: title.map_or_else(|| ["导出任务 ", id].concat(), str::to_owned),
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
                p.is_finite().then(|| clamp(p, 0.0, 99.0) as u8)
            }
            _ => None,
        };
        self
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
