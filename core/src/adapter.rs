//! The seam between the protocol machine and one backend's wire format.
//!
//! Every backend of the design documents follows the same arc — start a job, watch it, obtain the
//! file — but spells each step differently. An [`Adapter`] builds the three kinds of request and
//! reads their answers into a [`Reply`]; the [`Machine`](crate::Machine) owns everything else
//! (timing, retries, deadlines, stale answers, progress display). Adding a backend means adding
//! one adapter module under [`crate::adapters`] and one line in the table of [`crate::options`].

use crate::error::Failure;
use crate::http::HttpRequest;

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
    /// The job's work is done; the file's link must now be fetched with a [`Step::Link`] request.
    Finished {
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
    /// Whether this backend reports numbers: if not, progress is shown as indeterminate.
    fn reports_progress(&self) -> bool;
    /// The request for `step`. `Prepare` returns `None` for backends that need no request before
    /// the start; `Link` returns `None` for backends whose status answer already carries the URL
    /// (then `Finished` is never returned).
    fn request(&mut self, step: Step) -> Option<HttpRequest>;
    /// Reads the answer to `step`. Network errors, 5xx, 408 and 429 never reach here: the machine
    /// retries those itself.
    fn read(&mut self, step: Step, status: u16, body: &str) -> Reply;
}
