//! The export protocol as a sans-IO state machine.
//!
//! Inputs go in through [`Machine::handle`] with the current time; what to do comes out of
//! [`Machine::poll_command`] (requests to send or abort, files to download), when to wake it up
//! from [`Machine::poll_timeout`], what to tell the owner from [`Machine::poll_event`], and what
//! to show from [`Machine::view`]. No I/O, no clock: every rule is testable natively.
//!
//! ```
//! use k12_export_core::{Command, HttpOutcome, Input, Machine, Settings, Status};
//! # let options = k12_export_core::json::Json::parse(r#"{"config":{"e":{"url":"/j/org/{termId}/homework/export","rest":true},
//! #   "e-progress":{"url":"/j/org/{termId}/homework/export/process","rest":true}},"data":{"termId":7},"filename":"K12作业统计"}"#).unwrap();
//! let mut m = Machine::from_options(&options, 1).unwrap();
//! m.handle(Input::Start, 0.0);
//! let Some(Command::Send { id, .. }) = m.poll_command() else { panic!() };
//! m.handle(Input::Response { id, outcome: HttpOutcome::ok(r#"{"code":0,"result":{"url":"/f.xlsx"}}"#) }, 5.0);
//! assert!(matches!(m.poll_command(), Some(Command::Download { .. })));
//! assert_eq!(m.view().status, Status::Done);
//! ```

use crate::adapter::{Adapter, Reply, Step};
use crate::error::{FailKind, Failure, OptionsError};
use crate::http::{safe_download_url, sanitize_filename, HttpOutcome, HttpRequest};
use crate::json::Json;
use crate::policy::{backoff_ms, clamp, PollPolicy, Rng, Tracker};

/// Identifies a request across the machine's whole life, so answers to an earlier export (or an
/// aborted request) are recognised and ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

/// Something that happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// The user asked for an export. Ignored while one is running.
    Start,
    /// A request finished.
    Response {
        /// Which request.
        id: RequestId,
        /// What came back.
        outcome: HttpOutcome,
    },
    /// Time passed: the moment [`Machine::poll_timeout`] named has come (early calls are harmless).
    Timer,
    /// Stop at once: the page was left or the widget unmounted. The next start begins afresh.
    Cancel,
}

/// Something for the driver to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Send `request`; answer with [`Input::Response`] carrying `id`.
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

/// Something to tell the owner (callbacks such as `onprogress`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// An export began.
    Started,
    /// The shown percent changed (`None`: indeterminate).
    Progress(Option<u8>),
    /// The file is being downloaded.
    Done {
        /// Its URL (`None` for a file built in the browser).
        url: Option<String>,
        /// Its name.
        filename: String,
    },
    /// The export failed.
    Failed(Failure),
    /// The export was stopped by [`Input::Cancel`].
    Cancelled,
}

/// The widget's overall state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Status {
    /// Ready to export.
    #[default]
    Idle,
    /// An export is running: the button is grey and inert.
    Exporting,
    /// The last export handed over its file.
    Done,
    /// The last export failed.
    Failed,
}

/// Where a running export is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Stage {
    /// Waiting for the start answer.
    #[default]
    Starting,
    /// The job is running.
    Running,
    /// The job's work is done; waiting for the file's URL.
    Generating,
}

/// A file handed over, kept for the fallback "下载" link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Download {
    /// The URL (`None` for a file built in the browser, whose blob URL the driver owns).
    pub url: Option<String>,
    /// The file's name.
    pub filename: String,
}

/// What the UI shows: everything a component renders comes from here.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct View {
    /// Overall state.
    pub status: Status,
    /// Stage of a running export.
    pub stage: Stage,
    /// The export's filename, for display (plain text; may be hostile, render it as text).
    pub filename: String,
    /// Percent to show, 0–100; never 100 before the file is in hand. `None`: indeterminate.
    pub percent: Option<u8>,
    /// Estimated seconds left, when progress has a steady rate.
    pub eta_secs: Option<u32>,
    /// The last request failed and is being retried.
    pub retrying: bool,
    /// Why the last export failed.
    pub failure: Option<Failure>,
    /// The file of the last successful export.
    pub download: Option<Download>,
}

/// Timing and retry settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// An export that has not finished this long after its start fails.
    pub deadline_ms: f64,
    /// A request without an answer this long is aborted and counts as a network failure.
    pub request_timeout_ms: f64,
    /// Consecutive transient failures tolerated; one more fails the export.
    pub max_retries: u32,
    /// First backoff delay.
    pub backoff_base_ms: f64,
    /// Longest backoff delay.
    pub backoff_cap_ms: f64,
    /// Longest `Retry-After` honoured.
    pub retry_after_cap_ms: f64,
    /// Progress polling.
    pub policy: PollPolicy,
    /// Seed for backoff jitter.
    pub seed: u64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            deadline_ms: 15.0 * 60_000.0,
            request_timeout_ms: 30_000.0,
            max_retries: 3,
            backoff_base_ms: 500.0,
            backoff_cap_ms: 8_000.0,
            retry_after_cap_ms: 60_000.0,
            policy: PollPolicy::default(),
            seed: 0x5EED,
        }
    }
}

/// How much a filename is trusted: a later, weaker source never replaces a stronger one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum NameSource {
    Template,
    Progress,
    Start,
}

#[derive(Clone, Copy, Debug)]
enum Wait {
    Request {
        id: RequestId,
        step: Step,
        timeout_at: f64,
    },
    Timer {
        at: f64,
        step: Step,
    },
    /// An answer is being applied; every path out of `apply` replaces this.
    Answered,
}

#[derive(Debug)]
struct Job {
    deadline: f64,
    wait: Wait,
    failures: u32,
    link_tries: u32,
    /// Progress answers in a row without numbers (see [`Step::Probe`]).
    blind_polls: u32,
    /// The adapter has no probe.
    no_probe: bool,
    tracker: Tracker,
    saw_numbers: bool,
    name_source: NameSource,
}

/// While progress answers carry no numbers, every this many is followed by a [`Step::Probe`].
const PROBE_EVERY: u32 = 3;

/// The export protocol machine for one button.
pub struct Machine {
    adapter: Box<dyn Adapter>,
    settings: Settings,
    template_name: String,
    rng: Rng,
    next_id: u64,
    job: Option<Job>,
    view: View,
    // Short FIFO queues (a few entries between polls), in Vecs: smaller code than VecDeques.
    commands: Vec<Command>,
    events: Vec<Event>,
}

impl std::fmt::Debug for Machine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Machine").field("job", &self.job).field("view", &self.view).finish_non_exhaustive()
    }
}

impl Machine {
    /// A machine speaking through `adapter`. `filename` is shown until the server names the file.
    pub fn new(adapter: Box<dyn Adapter>, settings: Settings, filename: String) -> Machine {
        let rng = Rng::new(settings.seed);
        let view = View { filename: filename.clone(), ..View::default() };
        Machine {
            adapter,
            settings,
            template_name: filename,
            rng,
            next_id: 0,
            job: None,
            view,
            commands: Vec::new(),
            events: Vec::new(),
        }
    }

    /// A machine from host-page options (see [`crate::options`]); `seed` feeds the jitter.
    pub fn from_options(options: &Json, seed: u64) -> Result<Machine, OptionsError> {
        let o = crate::options::ExportOptions::from_json(options, &[])?;
        let mut settings = o.settings;
        settings.seed = seed;
        Ok(Machine::new(o.adapter, settings, o.filename))
    }

    /// Replaces adapter, settings and filename for the next export (a running one is cancelled).
    pub fn reconfigure(&mut self, adapter: Box<dyn Adapter>, settings: Settings, filename: String, now_ms: f64) {
        self.handle(Input::Cancel, now_ms);
        let seed = self.settings.seed;
        self.adapter = adapter;
        self.settings = Settings { seed, ..settings };
        self.view.filename = filename.clone();
        self.template_name = filename;
    }

    /// Feeds one input at time `now_ms` (any monotonic millisecond clock).
    pub fn handle(&mut self, input: Input, now_ms: f64) {
        match input {
            Input::Start => {
                if self.job.is_none() {
                    self.begin(now_ms);
                }
            }
            Input::Cancel => {
                if let Some(job) = self.job.take() {
                    if let Wait::Request { id, .. } = job.wait {
                        self.commands.push(Command::Abort { id });
                    }
                    self.events.push(Event::Cancelled);
                }
                self.view = View { filename: self.template_name.clone(), ..View::default() };
            }
            Input::Response { id, outcome } => {
                let Some(job) = &self.job else { return };
                let Wait::Request { id: want, step, .. } = job.wait else { return };
                if id != want {
                    return; // stale: an earlier export, or a request we aborted
                }
                if let Some(job) = &mut self.job {
                    job.wait = Wait::Answered;
                }
                self.on_outcome(step, outcome, now_ms);
            }
            Input::Timer => self.on_timer(now_ms),
        }
    }

    /// The next thing to do, if any.
    pub fn poll_command(&mut self) -> Option<Command> {
        (!self.commands.is_empty()).then(|| self.commands.remove(0))
    }

    /// The next thing to tell the owner, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        (!self.events.is_empty()).then(|| self.events.remove(0))
    }

    /// When to call `handle(Input::Timer, …)` next; `None` when nothing is running.
    pub fn poll_timeout(&self) -> Option<f64> {
        let job = self.job.as_ref()?;
        let at = match job.wait {
            Wait::Request { timeout_at, .. } => timeout_at,
            Wait::Timer { at, .. } => at,
            Wait::Answered => job.deadline,
        };
        Some(at.min(job.deadline))
    }

    /// What to show.
    pub fn view(&self) -> &View {
        &self.view
    }

    /// True while an export runs.
    pub fn is_running(&self) -> bool {
        self.job.is_some()
    }

    fn begin(&mut self, now: f64) {
        self.adapter.reset();
        let determinate = self.adapter.reports_progress();
        self.view = View {
            status: Status::Exporting,
            stage: Stage::Starting,
            filename: self.template_name.clone(),
            percent: determinate.then_some(0),
            ..View::default()
        };
        self.job = Some(Job {
            deadline: now + self.settings.deadline_ms,
            wait: Wait::Timer { at: now, step: Step::Prepare },
            failures: 0,
            link_tries: 0,
            blind_polls: 0,
            no_probe: false,
            tracker: Tracker::new(now),
            saw_numbers: false,
            name_source: NameSource::Template,
        });
        self.events.push(Event::Started);
        self.events.push(Event::Progress(self.view.percent));
        self.send(Step::Prepare, now);
    }

    fn send(&mut self, step: Step, now: f64) {
        // Past the deadline nothing new is asked: an answer handled after it (before its timer
        // ran) that would ask again ends the export here instead.
        if self.job.as_ref().is_some_and(|j| now >= j.deadline) {
            self.fail(Failure::new(FailKind::TimedOut), now);
            return;
        }
        let Some(request) = self.adapter.request(step) else {
            match step {
                // Most backends need nothing before the start.
                Step::Prepare => self.send(Step::Start, now),
                // A backend without a separate link step never says Finished; if one does, poll on.
                Step::Link => self.schedule(Step::Poll, now + 500.0),
                // A backend without a probe: poll instead, and do not ask again in this export.
                Step::Probe => {
                    if let Some(job) = &mut self.job {
                        job.no_probe = true;
                    }
                    self.send(Step::Poll, now);
                }
                Step::Start | Step::Poll => self.fail(Failure::new(FailKind::BadResponse), now),
            }
            return;
        };
        let id = RequestId(self.next_id);
        self.next_id += 1;
        let timeout_at = now + self.settings.request_timeout_ms;
        if let Some(job) = &mut self.job {
            job.wait = Wait::Request { id, step, timeout_at };
        }
        self.commands.push(Command::Send { id, request });
    }

    fn schedule(&mut self, step: Step, at: f64) {
        if let Some(job) = &mut self.job {
            job.wait = Wait::Timer { at, step };
        }
    }

    fn on_timer(&mut self, now: f64) {
        let Some(job) = &self.job else { return };
        if now >= job.deadline {
            self.fail(Failure::new(FailKind::TimedOut), now);
            return;
        }
        match job.wait {
            Wait::Timer { at, step } if now >= at => self.send(step, now),
            Wait::Request { id, step, timeout_at } if now >= timeout_at => {
                self.commands.push(Command::Abort { id });
                if let Some(job) = &mut self.job {
                    job.wait = Wait::Answered;
                }
                self.transient(step, Failure::new(FailKind::Network).detail(Some("request timed out")), None, now);
            }
            _ => {}
        }
    }

    fn on_outcome(&mut self, step: Step, outcome: HttpOutcome, now: f64) {
        let reply = match outcome {
            HttpOutcome::NetworkError(_) => {
                self.transient(step, Failure::new(FailKind::Network), None, now);
                return;
            }
            HttpOutcome::Answer { status, retry_after, .. } if status >= 500 || status == 429 || status == 408 => {
                let wait = crate::http::retry_wait(status, retry_after.as_deref());
                self.transient(step, Failure::new(FailKind::Http).status(status), wait, now);
                return;
            }
            HttpOutcome::Answer { status, body, .. } => self.adapter.read(step, status, &body),
        };
        self.apply(step, reply, now);
    }

    fn apply(&mut self, step: Step, reply: Reply, now: f64) {
        let source = if step == Step::Poll { NameSource::Progress } else { NameSource::Start };
        if let Some(job) = &mut self.job {
            if !matches!(reply, Reply::Retry(_)) {
                job.failures = 0;
                self.view.retrying = false;
            }
        }
        if step == Step::Prepare {
            match reply {
                Reply::Failed(f) => self.fail(f, now),
                Reply::Retry(f) => self.transient(step, f, None, now),
                _ => self.send(Step::Start, now),
            }
            return;
        }
        match reply {
            Reply::Pending { filename } => {
                self.name(filename.as_deref(), source);
                self.view.stage = Stage::Running;
                if step == Step::Poll {
                    if let Some(job) = &mut self.job {
                        job.blind_polls += 1;
                        if !job.saw_numbers && self.view.percent.is_some() {
                            self.view.percent = None; // the backend gives no numbers: indeterminate
                            self.events.push(Event::Progress(None));
                        }
                    }
                }
                self.schedule_poll(now);
            }
            Reply::Progress { loaded, total, filename } => {
                self.name(filename.as_deref(), source);
                self.view.stage = Stage::Running;
                let fraction = loaded / total;
                if let Some(job) = &mut self.job {
                    job.saw_numbers = true;
                    job.blind_polls = 0;
                    job.tracker.observe(now, fraction);
                }
                self.show_fraction(fraction);
                self.schedule_poll(now);
            }
            Reply::Finished { filename } => {
                self.name(filename.as_deref(), source);
                self.view.stage = Stage::Generating;
                self.view.eta_secs = None;
                if let Some(job) = &mut self.job {
                    job.saw_numbers = true;
                }
                self.show_fraction(1.0);
                let tries = self.job.as_ref().map_or(0, |j| j.link_tries);
                if let Some(job) = &mut self.job {
                    job.link_tries += 1;
                }
                if step == Step::Link {
                    // Still writing the file: ask again soon, a little later each time.
                    let delay = (150.0 * 1.5f64.powi(tries.saturating_sub(1).min(10) as i32)).min(1000.0);
                    self.schedule(Step::Link, now + delay);
                } else {
                    self.send(Step::Link, now);
                }
            }
            Reply::Ready { url, filename } => {
                self.name(filename.as_deref(), source);
                match safe_download_url(&url) {
                    Some(url) => {
                        let filename = download_name(&self.view.filename, Some(&url));
                        self.commands.push(Command::Download { url: url.clone(), filename: filename.clone() });
                        self.finish(Download { url: Some(url), filename });
                    }
                    None => self.fail(Failure::new(FailKind::UnsafeUrl), now),
                }
            }
            Reply::File { bytes, mime, filename } => {
                self.name(Some(&filename), NameSource::Start);
                let filename = download_name(&self.view.filename, None);
                self.commands.push(Command::Save { bytes, mime, filename: filename.clone() });
                self.finish(Download { url: None, filename });
            }
            Reply::Failed(f) => self.fail(f, now),
            Reply::Retry(f) => self.transient(step, f, None, now),
        }
    }

    fn name(&mut self, filename: Option<&str>, source: NameSource) {
        let Some(job) = &mut self.job else { return };
        if let Some(name) = filename.and_then(sanitize_filename) {
            if source >= job.name_source {
                job.name_source = source;
                self.view.filename = name;
            }
        }
    }

    /// Shows `fraction` as a percent: monotonic, clamped, and at most 99 until the file is here.
    fn show_fraction(&mut self, fraction: f64) {
        let pct = if fraction.is_finite() { clamp((fraction * 100.0).floor(), 0.0, 99.0) as u8 } else { 0 };
        let shown = Some(self.view.percent.map_or(pct, |p| p.max(pct)));
        if shown != self.view.percent {
            self.view.percent = shown;
            self.events.push(Event::Progress(shown));
        }
    }

    fn schedule_poll(&mut self, now: f64) {
        let policy = self.settings.policy;
        let Some(job) = &mut self.job else { return };
        let delay = job.tracker.next_delay(policy, now);
        self.view.eta_secs = job.tracker.eta_ms(now).filter(|&ms| ms >= 1000.0).map(|ms| (ms / 1000.0).ceil() as u32);
        // Progress that never says anything: every third time, ask whether the file is ready.
        let probe = !job.no_probe && job.blind_polls > 0 && job.blind_polls % PROBE_EVERY == 0;
        let step = if probe { Step::Probe } else { Step::Poll };
        if step == Step::Probe {
            job.blind_polls += 1; // once per run of blind answers, not on every retry of the probe
        }
        self.schedule(step, now + delay);
    }

    fn transient(&mut self, step: Step, failure: Failure, wait_ms: Option<f64>, now: f64) {
        let Some(job) = &mut self.job else { return };
        job.failures += 1;
        if job.failures > self.settings.max_retries {
            self.fail(failure, now);
            return;
        }
        let n = job.failures;
        let delay = match wait_ms {
            Some(ms) => ms.min(self.settings.retry_after_cap_ms),
            None => backoff_ms(n, self.settings.backoff_base_ms, self.settings.backoff_cap_ms, &mut self.rng),
        };
        self.view.retrying = true;
        self.schedule(step, now + delay);
    }

    fn finish(&mut self, download: Download) {
        self.job = None;
        self.view.status = Status::Done;
        self.view.stage = Stage::Running;
        self.view.percent = Some(100);
        self.view.eta_secs = None;
        self.view.retrying = false;
        self.events.push(Event::Progress(Some(100)));
        self.events.push(Event::Done { url: download.url.clone(), filename: download.filename.clone() });
        self.view.download = Some(download);
    }

    fn fail(&mut self, failure: Failure, _now: f64) {
        if let Some(job) = self.job.take() {
            if let Wait::Request { id, .. } = job.wait {
                self.commands.push(Command::Abort { id });
            }
        }
        self.view.status = Status::Failed;
        self.view.retrying = false;
        self.view.eta_secs = None;
        self.view.failure = Some(failure.clone());
        self.events.push(Event::Failed(failure));
    }
}

/// The name to save under: the shown name (sanitised), plus the URL's extension when the name
/// has none.
pub(crate) fn download_name(shown: &str, url: Option<&str>) -> String {
    let name = sanitize_filename(shown).unwrap_or_else(|| "export".to_owned());
    let has_ext = name.rfind('.').is_some_and(|i| (2..=5).contains(&(name.len() - i)));
    if has_ext {
        return name;
    }
    let ext = url
        .map(|u| u.split(['?', '#']).next().unwrap_or(""))
        .and_then(|path| path.rsplit('/').next())
        .and_then(|last| last.rfind('.').map(|i| &last[i..]))
        .filter(|e| (2..=5).contains(&e.len()) && e[1..].bytes().all(|b| b.is_ascii_alphanumeric()));
    match ext {
        Some(ext) => format!("{name}{ext}"),
        None => name,
    }
}

#[cfg(test)]
mod tests {
    use super::download_name;

    #[test]
    fn download_names_borrow_the_url_extension_when_they_have_none() {
        assert_eq!(download_name("K12作业统计-2024春", Some("/files/a1.xlsx?sig=1")), "K12作业统计-2024春.xlsx");
        assert_eq!(download_name("K12作业统计-2024春.xlsx", Some("/files/a1.csv")), "K12作业统计-2024春.xlsx");
        assert_eq!(download_name("a", Some("/files/noext")), "a");
        assert_eq!(download_name("", None), "export");
    }
}
