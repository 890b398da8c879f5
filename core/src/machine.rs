//! The export protocol as a sans-IO state machine.
//!
//! Through its [`SansIo`] interface, inputs go in with `handle` and the current time; what to do
//! comes out of `poll_command` (requests to send or abort, files to download), when to wake it up
//! from `poll_timeout`, what to tell the owner from `poll_event`, and what to show from `view`. No
//! I/O, no clock: every rule is testable natively. The backend is an [`Adapter`]; the options
//! are read into an [`ExportSetup`]; timeouts and retries follow the shared [`RetryPolicy`].
//!
//! ```
//! use k12_export_core::{Command, HttpOutcome, Input, Machine, SansIo, Status};
//! # let options = k12_export_core::json::Json::parse(r#"{"config":{"e":{"url":"/j/org/{termId}/homework/export","rest":true},
//! #   "e-progress":{"url":"/j/org/{termId}/homework/export/process","rest":true}},"data":{"termId":7},"filename":"K12作业统计"}"#).unwrap();
//! let mut m = Machine::from_options(&options, 1).unwrap();
//! m.handle(Input::Start, 0.0);
//! let Some(Command::Send { id, .. }) = m.poll_command() else { panic!() };
//! m.handle(Input::Response { id, outcome: HttpOutcome::ok(r#"{"code":0,"result":{"url":"/f.xlsx"}}"#) }, 5.0);
//! assert!(matches!(m.poll_command(), Some(Command::Download { .. })));
//! assert_eq!(m.view().status, Status::Done);
//! ```

use crate::codec::json::Json;
use crate::error::{Cancellation, FailKind, Failure, OptionsError};
use crate::http::{absolute_url, download_name, safe_download_url, sanitize_filename, HttpOutcome};
use crate::options::{number, read_retry_policy, Common};
use crate::poll::{PollPolicy, Tracker};
use crate::retry::{is_transient, retry_wait, timed_out, too_large, RetryPolicy, Rng};
use crate::sansio::{Command, RequestId, SansIo};
use crate::seam::{Adapter, Reply, Step};
use crate::small_std::clamp;

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
    /// Time passed: the moment [`SansIo::poll_timeout`] named has come (early calls are harmless).
    Timer,
    /// Stop at once: the user cancelled, the page was left or the widget unmounted. Requests in
    /// flight are aborted, nothing is downloaded later, the button is idle again; the next start
    /// begins afresh.
    Cancel,
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
    /// The export was stopped: by [`Input::Cancel`] (the view is idle again), or by the server,
    /// which reported the job cancelled (the view's status is [`Status::Cancelled`]).
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
    /// The server ended the last export's job ([`View::cancellation`]): not a failure of the
    /// export, so shown apart from one. The button is ready again.
    Cancelled,
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
    /// How the server ended the last export's job, when it did ([`Status::Cancelled`]).
    pub cancellation: Option<Cancellation>,
    /// The file of the last successful export.
    pub download: Option<Download>,
    /// Whole seconds since the progress last moved (percent, stage), once that is at least
    /// [`STALL_AFTER_MS`]: the server is still working but says nothing new. `None` otherwise;
    /// while set, [`View::eta_secs`] is `None` (an old estimate would be a guess).
    pub stalled_secs: Option<u32>,
}

/// Progress that has not moved for this long is shown as "still working, waited N s" instead of
/// a frozen bar with an old estimate. 15 s: the adaptive polling asks at least every 2.5 s, so this
/// is six unanswered looks in a row — far longer than a healthy job sits on one percent, short
/// enough that a teacher looking at a still bar is told something before thinking it hung.
pub const STALL_AFTER_MS: f64 = 15_000.0;

/// Timing and retry settings of the export button.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// An export that has not finished this long after its start fails.
    pub deadline_ms: f64,
    /// Progress polling.
    pub poll: PollPolicy,
    /// Request timeouts and retries.
    pub retry: RetryPolicy,
    /// A file's URL is not handed to the browser (no [`Command::Download`]): the export still
    /// ends done with the link in [`View::download`], for the page to offer. For in-app browsers
    /// (WeChat, WeCom, DingTalk) that ignore downloads.
    pub hold_downloads: bool,
    /// The page's address (`document.baseURI`): a file's URL the server gave relative to it is
    /// made absolute against it ([`absolute_url`]), so that the link downloaded, shown, copied and
    /// shared with other tabs leads to the file anywhere. Empty: left as the server gave it.
    pub base: String,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            deadline_ms: 15.0 * 60_000.0,
            poll: PollPolicy::default(),
            retry: RetryPolicy::default(),
            hold_downloads: false,
            base: String::new(),
        }
    }
}

impl Settings {
    /// `timeoutMs`, `pollIntervalMs` (fixed polling instead of the adaptive one), `requestTimeoutMs`
    /// and `retries` over the defaults.
    pub fn from_options(v: &Json) -> Result<Settings, OptionsError> {
        let mut s = Settings::default();
        if let Some(ms) = number(v, "timeoutMs", 1000, 86_400_000)? {
            s.deadline_ms = ms;
        }
        read_retry_policy(v, &mut s.retry)?;
        if let Some(ms) = number(v, "pollIntervalMs", 100, 600_000)? {
            s.poll = PollPolicy::Fixed { interval_ms: ms };
        }
        Ok(s)
    }
}

/// What a host page's options set up for one button: an adapter ready for its first export, the
/// settings, and the filename to show.
pub struct ExportSetup {
    /// The backend's adapter.
    pub adapter: Box<dyn Adapter>,
    /// Timing and retry settings.
    pub settings: Settings,
    /// The filename shown until the server names the file (template filled).
    pub filename: String,
}

impl std::fmt::Debug for ExportSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportSetup")
            .field("settings", &self.settings)
            .field("filename", &self.filename)
            .finish_non_exhaustive()
    }
}

impl ExportSetup {
    /// Validates the options `v` (see [`crate::options`]). `extra_keys` are lists of fields the
    /// caller (the widget) reads itself and that are therefore allowed.
    pub fn from_json(v: &Json, extra_keys: &[&[&str]]) -> Result<ExportSetup, OptionsError> {
        let common = Common::read(v, extra_keys)?;
        let built = (common.protocol.build)(&common.ctx(v))?;
        let filename = common.filename.or(built.default_filename).unwrap_or_else(|| "export".to_owned());
        Ok(ExportSetup { adapter: built.adapter, settings: Settings::from_options(v)?, filename })
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
    /// An answer is being applied; every path out of `apply` that goes on replaces this.
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
    /// When the shown progress (percent or stage) last moved.
    moved_at: f64,
}

impl Job {
    /// Waits until `at`, then sends `step`.
    fn schedule(&mut self, step: Step, at: f64) -> Run {
        self.wait = Wait::Timer { at, step };
        Run::On
    }
}

/// Whether an export goes on after an input, or has ended (done, failed or cancelled).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
enum Run {
    On,
    Over,
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
        let rng = Rng::new(settings.retry.seed);
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
        let o = ExportSetup::from_json(options, &[])?;
        let mut settings = o.settings;
        settings.retry.seed = seed;
        Ok(Machine::new(o.adapter, settings, o.filename))
    }

    /// Replaces adapter, settings and filename for the next export (a running one is cancelled).
    pub fn reconfigure(&mut self, adapter: Box<dyn Adapter>, settings: Settings, filename: String, now_ms: f64) {
        self.handle(Input::Cancel, now_ms);
        let seed = self.settings.retry.seed;
        self.adapter = adapter;
        self.settings = settings;
        self.settings.retry.seed = seed;
        self.view.filename = filename.clone();
        self.template_name = filename;
    }

    /// True while an export runs.
    pub fn is_running(&self) -> bool {
        self.job.is_some()
    }

    /// A new job, its view shown as started: the caller sends its first request.
    fn begin(&mut self, now: f64) -> Job {
        self.adapter.reset();
        let determinate = self.adapter.reports_progress();
        self.view = View {
            status: Status::Exporting,
            stage: Stage::Starting,
            filename: self.template_name.clone(),
            percent: determinate.then_some(0),
            ..View::default()
        };
        self.events.push(Event::Started);
        self.events.push(Event::Progress(self.view.percent));
        Job {
            deadline: now + self.settings.deadline_ms,
            wait: Wait::Timer { at: now, step: Step::Prepare },
            failures: 0,
            link_tries: 0,
            blind_polls: 0,
            no_probe: false,
            tracker: Tracker::new(now),
            saw_numbers: false,
            name_source: NameSource::Template,
            moved_at: now,
        }
    }

    /// An input while no export runs.
    fn idle(&mut self, input: Input, now: f64) {
        match input {
            Input::Start => {
                let mut job = self.begin(now);
                if self.send(&mut job, Step::Prepare, now) == Run::On {
                    self.job = Some(job);
                }
            }
            Input::Cancel => self.view = View { filename: self.template_name.clone(), ..View::default() },
            // Stale: an answer or a timer of an export that has ended.
            Input::Response { .. } | Input::Timer => {}
        }
    }

    /// An input while `job` runs.
    fn running(&mut self, job: &mut Job, input: Input, now: f64) -> Run {
        match input {
            Input::Start => Run::On,
            Input::Cancel => {
                self.abort(job, Event::Cancelled);
                self.view = View { filename: self.template_name.clone(), ..View::default() };
                Run::Over
            }
            Input::Response { id, outcome } => match job.wait {
                Wait::Request { id: want, step, .. } if id == want => {
                    job.wait = Wait::Answered;
                    self.on_outcome(job, step, outcome, now)
                }
                // Stale: a request we aborted.
                _ => Run::On,
            },
            Input::Timer => self.on_timer(job, now),
        }
    }

    fn send(&mut self, job: &mut Job, step: Step, now: f64) -> Run {
        // Past the deadline nothing new is asked: an answer handled after it (before its timer
        // ran) that would ask again ends the export here instead.
        if now >= job.deadline {
            return self.fail(job, Failure::new(FailKind::TimedOut));
        }
        let Some(request) = self.adapter.request(step) else {
            return match step {
                // Most backends need nothing before the start.
                Step::Prepare => self.send(job, Step::Start, now),
                // A backend without a separate link step never says WorkDone; if one does, poll on.
                Step::Link => job.schedule(Step::Poll, now + 500.0),
                // A backend without a probe: poll instead, and do not ask again in this export.
                Step::Probe => {
                    job.no_probe = true;
                    self.send(job, Step::Poll, now)
                }
                Step::Start | Step::Poll => self.fail(job, Failure::new(FailKind::BadResponse)),
            };
        };
        let id = RequestId(self.next_id);
        self.next_id += 1;
        job.wait = Wait::Request { id, step, timeout_at: now + self.settings.retry.request_timeout_ms };
        self.commands.push(Command::Send { id, request });
        Run::On
    }

    fn on_timer(&mut self, job: &mut Job, now: f64) -> Run {
        if now >= job.deadline {
            return self.fail(job, Failure::new(FailKind::TimedOut));
        }
        match job.wait {
            Wait::Timer { at, step } if now >= at => self.send(job, step, now),
            Wait::Request { id, step, timeout_at } if now >= timeout_at => {
                self.commands.push(Command::Abort { id });
                job.wait = Wait::Answered;
                self.transient(job, step, timed_out(), None, now)
            }
            _ => Run::On,
        }
    }

    fn on_outcome(&mut self, job: &mut Job, step: Step, outcome: HttpOutcome, now: f64) -> Run {
        let reply = match outcome {
            HttpOutcome::NetworkError(_) => {
                return self.transient(job, step, Failure::new(FailKind::Network), None, now)
            }
            HttpOutcome::Answer { status, retry_after, .. } if is_transient(status) => {
                let wait = retry_wait(status, retry_after.as_deref());
                return self.transient(job, step, Failure::new(FailKind::Http).status(status), wait, now);
            }
            HttpOutcome::Answer { status, body, .. } => self.adapter.read(step, status, &body),
            // Over its size limit: unreadable, and asking again would bring the same bytes.
            HttpOutcome::TooLarge => Reply::Failed(too_large()),
        };
        self.apply(job, step, reply, now)
    }

    fn apply(&mut self, job: &mut Job, step: Step, reply: Reply, now: f64) -> Run {
        let source = if step == Step::Poll { NameSource::Progress } else { NameSource::Start };
        if !matches!(reply, Reply::Retry(_)) {
            job.failures = 0;
            self.view.retrying = false;
        }
        if step == Step::Prepare {
            return match reply {
                Reply::Failed(f) => self.fail(job, f),
                Reply::Cancelled(c) => self.cancelled(job, c),
                Reply::Retry(f) => self.transient(job, step, f, None, now),
                _ => self.send(job, Step::Start, now),
            };
        }
        match reply {
            Reply::Pending { filename } => {
                self.name(job, filename.as_deref(), source);
                self.view.stage = Stage::Running;
                if step == Step::Poll {
                    job.blind_polls += 1;
                    if !job.saw_numbers && self.view.percent.is_some() {
                        self.view.percent = None; // the backend gives no numbers: indeterminate
                        self.events.push(Event::Progress(None));
                    }
                }
                self.schedule_poll(job, now)
            }
            Reply::Progress { loaded, total, filename } => {
                self.name(job, filename.as_deref(), source);
                self.view.stage = Stage::Running;
                let fraction = loaded / total;
                job.saw_numbers = true;
                job.blind_polls = 0;
                job.tracker.observe(now, fraction);
                self.show_fraction(fraction);
                self.schedule_poll(job, now)
            }
            Reply::WorkDone { filename } => {
                self.name(job, filename.as_deref(), source);
                self.view.stage = Stage::Generating;
                self.view.eta_secs = None;
                job.saw_numbers = true;
                self.show_fraction(1.0);
                let tries = job.link_tries;
                job.link_tries += 1;
                if step == Step::Link {
                    // Still writing the file: ask again soon, a little later each time.
                    let delay = (150.0 * 1.5f64.powi(tries.saturating_sub(1).min(10) as i32)).min(1000.0);
                    job.schedule(Step::Link, now + delay)
                } else {
                    self.send(job, Step::Link, now)
                }
            }
            Reply::Ready { url, filename } => {
                self.name(job, filename.as_deref(), source);
                match safe_download_url(&url).map(|url| absolute_url(&url, &self.settings.base)) {
                    Some(url) => {
                        let filename = download_name(&self.view.filename, Some(&url));
                        if !self.settings.hold_downloads {
                            self.commands.push(Command::Download { url: url.clone(), filename: filename.clone() });
                        }
                        self.finish(Download { url: Some(url), filename })
                    }
                    None => self.fail(job, Failure::new(FailKind::UnsafeUrl)),
                }
            }
            Reply::File { bytes, mime, filename } => {
                self.name(job, Some(&filename), NameSource::Start);
                let filename = download_name(&self.view.filename, None);
                self.commands.push(Command::Save { bytes, mime, filename: filename.clone() });
                self.finish(Download { url: None, filename })
            }
            Reply::Failed(f) => self.fail(job, f),
            Reply::Cancelled(c) => self.cancelled(job, c),
            Reply::Retry(f) => self.transient(job, step, f, None, now),
        }
    }

    fn name(&mut self, job: &mut Job, filename: Option<&str>, source: NameSource) {
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

    fn schedule_poll(&mut self, job: &mut Job, now: f64) -> Run {
        let delay = job.tracker.next_delay(self.settings.poll, now);
        self.view.eta_secs = job.tracker.eta_ms(now).filter(|&ms| ms >= 1000.0).map(|ms| (ms / 1000.0).ceil() as u32);
        // Progress that never says anything: every third time, ask whether the file is ready.
        let probe = !job.no_probe && job.blind_polls > 0 && job.blind_polls.is_multiple_of(PROBE_EVERY);
        if probe {
            job.blind_polls += 1; // once per run of blind answers, not on every retry of the probe
        }
        job.schedule(if probe { Step::Probe } else { Step::Poll }, now + delay)
    }

    fn transient(&mut self, job: &mut Job, step: Step, failure: Failure, retry_after_ms: Option<f64>, now: f64) -> Run {
        job.failures += 1;
        match self.settings.retry.next_wait(job.failures, retry_after_ms, &mut self.rng) {
            Some(delay) => {
                self.view.retrying = true;
                job.schedule(step, now + delay)
            }
            None => self.fail(job, failure),
        }
    }

    fn finish(&mut self, download: Download) -> Run {
        self.view.status = Status::Done;
        self.view.stage = Stage::Running;
        self.view.percent = Some(100);
        self.view.eta_secs = None;
        self.view.retrying = false;
        self.view.stalled_secs = None;
        self.events.push(Event::Progress(Some(100)));
        self.events.push(Event::Done { url: download.url.clone(), filename: download.filename.clone() });
        self.view.download = Some(download);
        Run::Over
    }

    fn fail(&mut self, job: &Job, failure: Failure) -> Run {
        self.view.failure = Some(failure.clone());
        self.end(job, Status::Failed, Event::Failed(failure));
        Run::Over
    }

    /// The server ended the job.
    fn cancelled(&mut self, job: &Job, cancellation: Cancellation) -> Run {
        self.view.cancellation = Some(cancellation);
        self.end(job, Status::Cancelled, Event::Cancelled);
        Run::Over
    }

    /// Ends `job` with `status` before its file: its request in flight aborted, the owner told
    /// `event`.
    fn end(&mut self, job: &Job, status: Status, event: Event) {
        self.view.status = status;
        self.view.retrying = false;
        self.view.eta_secs = None;
        self.view.stalled_secs = None;
        self.abort(job, event);
    }

    /// Aborts `job`'s request in flight, if any, and tells the owner `event`.
    fn abort(&mut self, job: &Job, event: Event) {
        if let Wait::Request { id, .. } = job.wait {
            self.commands.push(Command::Abort { id });
        }
        self.events.push(event);
    }

    /// Notes whether the shown progress moved since the last look, and updates the stalled time.
    fn watch_stall(&mut self, job: &mut Job, before: (Option<u8>, Stage), now: f64) {
        if (self.view.percent, self.view.stage) != before {
            job.moved_at = now;
        }
        let still = now - job.moved_at;
        self.view.stalled_secs = (still >= STALL_AFTER_MS).then(|| (still / 1000.0) as u32);
        if self.view.stalled_secs.is_some() {
            self.view.eta_secs = None;
        }
    }
}

/// The export machine as its driver runs it. `poll_timeout` is `None` when nothing is running.
impl SansIo for Machine {
    type Input = Input;
    type View = View;
    type Event = Event;

    fn handle(&mut self, input: Input, now_ms: f64) {
        // The job is taken out for the input and put back unless it ended.
        let Some(mut job) = self.job.take() else { return self.idle(input, now_ms) };
        let before = (self.view.percent, self.view.stage);
        if self.running(&mut job, input, now_ms) == Run::On {
            self.watch_stall(&mut job, before, now_ms);
            self.job = Some(job);
        }
    }

    fn poll_command(&mut self) -> Option<Command> {
        (!self.commands.is_empty()).then(|| self.commands.remove(0))
    }

    fn poll_event(&mut self) -> Option<Event> {
        (!self.events.is_empty()).then(|| self.events.remove(0))
    }

    fn poll_timeout(&self) -> Option<f64> {
        let job = self.job.as_ref()?;
        let at = match job.wait {
            Wait::Request { timeout_at, .. } => timeout_at,
            Wait::Timer { at, .. } => at,
            Wait::Answered => job.deadline,
        };
        // No wake-up of its own for the stalled time: polls come at least every 2.5 s (adaptive
        // polling), and each answer or timer brings the waited time up to date.
        Some(at.min(job.deadline))
    }

    fn view(&self) -> &View {
        &self.view
    }

    fn answer(id: RequestId, outcome: HttpOutcome) -> Input {
        Input::Response { id, outcome }
    }

    fn tick() -> Input {
        Input::Timer
    }

    fn stop() -> Input {
        Input::Cancel
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(text: &str) -> Result<ExportSetup, OptionsError> {
        ExportSetup::from_json(&Json::parse(text).unwrap(), &[&["label"]])
    }

    const CONFIG: &str = r#""config":{"homework-export":{"method":"GET","url":"/j/org/{termId}/homework/export","rest":true,"isPolling":true},
        "homework-export-progress":{"method":"GET","url":"/j/org/{termId}/homework/export/process","rest":true,"isPolling":true}}"#;

    #[test]
    fn k12_options_validate_and_infer_the_key_pair() {
        let o = opts(&format!(r#"{{{CONFIG},"data":{{"termId":7,"termName":"2024春季班"}},"filename":"K12作业统计-{{termName}}","label":"导出"}}"#)).unwrap();
        assert_eq!(o.filename, "K12作业统计-2024春季班");
        assert_eq!(o.settings, Settings::default());
    }

    #[test]
    fn every_bad_field_is_named() {
        let cases = [
            ("[]".to_owned(), "options"),
            (format!(r#"{{{CONFIG},"data":{{}}}}"#), "options.data.termId"),
            (format!(r#"{{{CONFIG},"data":[]}}"#), "options.data"),
            (format!(r#"{{{CONFIG},"data":{{"termId":1}},"confg":1}}"#), "options.confg"),
            (format!(r#"{{{CONFIG},"data":{{"termId":1}},"protocol":"ftp"}}"#), "options.protocol"),
            (format!(r#"{{{CONFIG},"data":{{"termId":1}},"start":"nope"}}"#), "options.start"),
            (format!(r#"{{{CONFIG},"data":{{"termId":1}},"filename":"K12-{{termName}}"}}"#), "options.filename"),
            (format!(r#"{{{CONFIG},"data":{{"termId":1}},"filename":""}}"#), "options.filename"),
            (format!(r#"{{{CONFIG},"data":{{"termId":1}},"timeoutMs":-5}}"#), "options.timeoutMs"),
            (format!(r#"{{{CONFIG},"data":{{"termId":1}},"retries":"3"}}"#), "options.retries"),
            (r#"{"data":{"termId":1}}"#.to_owned(), "options.config"),
            (r#"{"config":{"a":{"url":"/a"},"b":{"url":"/b"}}}"#.to_owned(), "options.start"),
        ];
        for (text, field) in cases {
            let err = opts(&text).unwrap_err();
            assert_eq!(err.field, field, "{text}: {err}");
        }
    }

    #[test]
    fn poll_interval_selects_fixed_polling() {
        let o = opts(&format!(r#"{{{CONFIG},"data":{{"termId":1}},"pollIntervalMs":1000,"timeoutMs":5000}}"#)).unwrap();
        assert_eq!(o.settings.poll, PollPolicy::Fixed { interval_ms: 1000.0 });
        assert_eq!(o.settings.deadline_ms, 5000.0);
    }
}
