//! K12's export jobs: the registry, and the runner that writes a job's file on the blocking pool.
//!
//! A job belongs to `(client, term, kind)`. The writer thread reports the rows written through an
//! atomic counter; request handlers read it and turn it into either convention's numbers. The URL's
//! readiness is computed from timestamps when asked, so no timer runs per job.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::{write_export, ExportSpec, Scheme};
use crate::data::Kind;
use crate::files::{self, remove_files};
use crate::sim::knobs::Knobs;
use crate::sim::scenario::Scenario;
use crate::sim::writer::{FileFormat, Flow, Written};
use crate::{lock, AppState};

/// Who a job belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    pub client: String,
    pub term: u32,
    pub kind: Kind,
}

/// What the request asked for: the knobs every backend reads, and K12's own. A start call with
/// other settings than the running job's starts a fresh job.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct Settings {
    pub knobs: Knobs,
    pub scheme: Scheme,
    pub format: FileFormat,
    pub url_delay_ms: Option<u64>,
}

impl Settings {
    pub fn scenario(&self) -> Scenario {
        self.knobs.scenario
    }
}

/// Where a job is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Rows are being written.
    Running,
    /// The file is complete and registered under `token`.
    Written { at_ms: u64, token: String },
    /// The job stopped with an error; `injected` when the `fail` scenario did it.
    Failed { at_ms: u64, injected: bool },
    /// `never-finishes`: the writer stopped, progress stays where it was.
    Stalled { at_ms: u64 },
    /// Superseded by a new job, or cleared by a reset.
    Cancelled { at_ms: u64 },
}

/// Shared between the writer thread and the handlers.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    /// Rows written so far.
    pub written: AtomicU64,
    /// Set to make the writer stop.
    pub cancel: AtomicBool,
}

/// One export job.
#[derive(Debug)]
pub(crate) struct Job {
    pub id: u64,
    pub key: Key,
    pub settings: Settings,
    /// Student rows to write (after `empty` / `huge`).
    pub rows: u64,
    /// Convention B's delay: `urlDelayMs`, else the server's default.
    pub url_delay_ms: u64,
    pub filename: String,
    pub created_ms: u64,
    pub progress: Arc<Progress>,
    pub outcome: Outcome,
    /// When a start call handed out the URL; the job is then no longer running.
    pub delivered_ms: Option<u64>,
    /// Every API request that touched the job.
    pub requests: u64,
    /// Progress requests, whatever they were answered.
    pub progress_requests: u64,
    /// Well-formed progress answers with numbers (convention B's first one is made up).
    pub answers: u64,
    /// Bytes of `huge-answer` progress answers handed to the connections.
    pub answer_bytes: Arc<AtomicU64>,
}

impl Job {
    /// Running in the sense of the start endpoint: it reports on this job instead of creating one.
    pub fn is_active(&self) -> bool {
        self.delivered_ms.is_none()
            && matches!(self.outcome, Outcome::Running | Outcome::Stalled { .. } | Outcome::Written { .. })
    }

    pub fn written(&self) -> u64 {
        self.progress.written.load(Ordering::Relaxed).min(self.rows)
    }

    /// When the start endpoint may give the URL: at once under A, `urlDelayMs` later under B.
    pub fn url_ready_at(&self) -> Option<u64> {
        let Outcome::Written { at_ms, .. } = self.outcome else { return None };
        match (self.settings.scenario(), self.settings.scheme) {
            (Scenario::UrlNever, _) => None,
            (_, Scheme::A) => Some(at_ms),
            (_, Scheme::B) => Some(at_ms.saturating_add(self.url_delay_ms)),
        }
    }

    pub fn token(&self) -> Option<&str> {
        match &self.outcome {
            Outcome::Written { token, .. } => Some(token),
            _ => None,
        }
    }

    pub fn finished_ms(&self) -> Option<u64> {
        match self.outcome {
            Outcome::Running => None,
            Outcome::Written { at_ms, .. }
            | Outcome::Failed { at_ms, .. }
            | Outcome::Stalled { at_ms }
            | Outcome::Cancelled { at_ms } => Some(at_ms),
        }
    }

    pub fn state_name(&self, now_ms: u64) -> &'static str {
        match self.outcome {
            Outcome::Running => "running",
            Outcome::Stalled { .. } => "stalled",
            Outcome::Failed { .. } => "failed",
            Outcome::Cancelled { .. } => "cancelled",
            Outcome::Written { .. } if self.delivered_ms.is_some() => "delivered",
            Outcome::Written { .. } if self.url_ready_at().is_some_and(|t| now_ms >= t) => "ready",
            Outcome::Written { .. } => "finishing",
        }
    }

    fn cancel(&mut self, now_ms: u64) {
        self.progress.cancel.store(true, Ordering::Relaxed);
        if matches!(self.outcome, Outcome::Running | Outcome::Stalled { .. }) {
            self.outcome = Outcome::Cancelled { at_ms: now_ms };
        }
    }
}

/// A job as `GET /__mock/jobs` shows it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobInfo {
    /// The job id (also in the request records).
    pub id: u64,
    /// Its client.
    pub client: String,
    /// The term id.
    pub term: u32,
    /// `homework`, `test` or `student`.
    pub kind: &'static str,
    /// The scenario name.
    pub scenario: &'static str,
    /// `A` or `B`.
    pub scheme: &'static str,
    /// `xlsx` or `csv`.
    pub format: &'static str,
    /// `running`, `stalled`, `failed`, `cancelled`, `finishing` (file written, URL not given yet),
    /// `ready` (the start endpoint will give the URL) or `delivered` (it has).
    pub state: &'static str,
    /// Rows written so far: the true count, not either convention's numbers.
    pub loaded: u64,
    /// Rows to write.
    pub total: u64,
    /// The target duration of the writing, in ms.
    pub duration_ms: u64,
    /// The file name.
    pub filename: String,
    /// Created at, ms since server start.
    pub created: u64,
    /// When the job stopped (file written, failed, stalled or cancelled), ms since server start.
    pub finished: Option<u64>,
    /// When the start endpoint may give the URL, ms since server start.
    pub url_ready: Option<u64>,
    /// When a start call gave the URL, ms since server start.
    pub delivered: Option<u64>,
    /// API requests that touched the job.
    pub requests: u64,
    /// Of those, progress requests.
    pub progress_requests: u64,
    /// Bytes of `huge-answer` progress answers sent: a client that stops reading an answer over
    /// its limit hangs up, and the rest is never sent.
    pub answer_bytes: u64,
    /// The download token once the file exists.
    pub token: Option<String>,
}

/// The registry, oldest job first.
#[derive(Debug)]
pub(crate) struct Jobs {
    list: VecDeque<Job>,
    max: usize,
}

impl Jobs {
    pub fn new(max: usize) -> Jobs {
        Jobs { list: VecDeque::new(), max: max.max(1) }
    }

    /// The job the start endpoint reports on.
    pub fn active_mut(&mut self, key: &Key) -> Option<&mut Job> {
        self.list.iter_mut().rev().find(|j| &j.key == key && j.is_active())
    }

    /// The job the progress endpoint reports on: the latest one not cancelled.
    pub fn latest_mut(&mut self, key: &Key) -> Option<&mut Job> {
        self.list.iter_mut().rev().find(|j| &j.key == key && !matches!(j.outcome, Outcome::Cancelled { .. }))
    }

    pub fn get_mut(&mut self, id: u64) -> Option<&mut Job> {
        self.list.iter_mut().rev().find(|j| j.id == id)
    }

    /// Adds a job, forgetting (and stopping) the oldest past the bound.
    pub fn insert(&mut self, job: Job, now_ms: u64) {
        while self.list.len() >= self.max {
            if let Some(mut old) = self.list.pop_front() {
                old.cancel(now_ms);
            }
        }
        self.list.push_back(job);
    }

    /// Cancels an active job that another is replacing.
    pub fn supersede(&mut self, id: u64, now_ms: u64) {
        if let Some(job) = self.get_mut(id) {
            job.cancel(now_ms);
            if matches!(job.outcome, Outcome::Written { .. }) {
                job.outcome = Outcome::Cancelled { at_ms: now_ms };
            }
        }
    }

    /// Stops and forgets the jobs of one client, or all.
    pub fn clear(&mut self, client: Option<&str>, now_ms: u64) {
        for job in self.list.iter_mut().filter(|j| client.is_none_or(|c| j.key.client == c)) {
            job.cancel(now_ms);
        }
        self.list.retain(|j| client.is_some_and(|c| j.key.client != c));
    }

    pub fn info(&self, client: Option<&str>, now_ms: u64) -> Vec<JobInfo> {
        self.list
            .iter()
            .filter(|j| client.is_none_or(|c| j.key.client == c))
            .map(|j| JobInfo {
                id: j.id,
                client: j.key.client.clone(),
                term: j.key.term,
                kind: j.key.kind.segment(),
                scenario: j.settings.scenario().name(),
                scheme: j.settings.scheme.name(),
                format: j.settings.format.extension(),
                state: j.state_name(now_ms),
                loaded: j.written(),
                total: j.rows,
                duration_ms: j.settings.knobs.duration_ms(),
                filename: j.filename.clone(),
                created: j.created_ms,
                finished: j.finished_ms(),
                url_ready: j.url_ready_at(),
                delivered: j.delivered_ms,
                requests: j.requests,
                progress_requests: j.progress_requests,
                answer_bytes: j.answer_bytes.load(Ordering::Relaxed),
                token: j.token().map(str::to_owned),
            })
            .collect()
    }
}

/// Everything the writer thread needs.
#[derive(Debug)]
pub(crate) struct Plan {
    pub job: u64,
    pub client: String,
    pub filename: String,
    pub spec: ExportSpec,
    pub token: String,
    pub dir: PathBuf,
    pub duration: Duration,
    pub fail_rows: Option<u64>,
    pub stall_rows: Option<u64>,
    pub progress: Arc<Progress>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stop {
    Cancelled,
    Failed,
    Stalled,
}

/// Sleeps until row `n` of `rows` is due, `duration` spread evenly; false if cancelled meanwhile.
fn pace(started: Instant, duration: Duration, n: u64, rows: u64, cancel: &AtomicBool) -> bool {
    if rows == 0 {
        return !cancel.load(Ordering::Relaxed);
    }
    let due_nanos = duration.as_nanos() * u128::from(n) / u128::from(rows);
    let due = Duration::from_nanos(u64::try_from(due_nanos).unwrap_or(u64::MAX));
    loop {
        if cancel.load(Ordering::Relaxed) {
            return false;
        }
        let elapsed = started.elapsed();
        if elapsed >= due {
            return true;
        }
        // Sleep in slices so that a cancel is seen quickly; skip sleeps too short to matter.
        let wait = (due - elapsed).min(Duration::from_millis(25));
        if wait < Duration::from_millis(1) {
            return true;
        }
        std::thread::sleep(wait);
    }
}

/// Writes a job's file. Blocking: run it with `spawn_blocking`.
pub(crate) fn run(state: AppState, plan: Plan) {
    let started = Instant::now();
    let path = plan.dir.join(format!("{}.{}", plan.token, plan.spec.format.extension()));
    let mut stop = None;
    let result = std::fs::create_dir_all(&plan.dir).map_err(Into::into).and_then(|()| {
        write_export(&path, &plan.dir, &plan.spec, |n| {
            if !pace(started, plan.duration, n, plan.spec.rows, &plan.progress.cancel) {
                stop = Some(Stop::Cancelled);
                return Flow::Stop;
            }
            plan.progress.written.store(n, Ordering::Relaxed);
            if plan.fail_rows.is_some_and(|f| n >= f) {
                stop = Some(Stop::Failed);
                return Flow::Stop;
            }
            if plan.stall_rows.is_some_and(|s| n >= s) {
                stop = Some(Stop::Stalled);
                return Flow::Stop;
            }
            Flow::Continue
        })
    });
    let now = state.now_ms();
    let outcome = match result {
        Ok(Written::Complete) => {
            files::register_as(
                &state,
                &plan.token,
                path.clone(),
                &plan.filename,
                plan.spec.format.mime(),
                &plan.client,
                plan.job,
            );
            tracing::info!(job = plan.job, rows = plan.spec.rows, ms = started.elapsed().as_millis(), "export written");
            Outcome::Written { at_ms: now, token: plan.token.clone() }
        }
        Ok(Written::Stopped) => {
            remove_files(vec![path.clone()]);
            match stop {
                Some(Stop::Failed) => Outcome::Failed { at_ms: now, injected: true },
                Some(Stop::Stalled) => Outcome::Stalled { at_ms: now },
                Some(Stop::Cancelled) | None => Outcome::Cancelled { at_ms: now },
            }
        }
        Err(e) => {
            tracing::error!(job = plan.job, error = %e, "export failed");
            remove_files(vec![path.clone()]);
            Outcome::Failed { at_ms: now, injected: false }
        }
    };
    let mut jobs = lock(&state.stores().k12);
    match jobs.get_mut(plan.job) {
        Some(job) if !matches!(job.outcome, Outcome::Cancelled { .. }) => job.outcome = outcome,
        _ => {
            // Cancelled or forgotten while the file was being finished: nobody will ask for it.
            drop(jobs);
            if let Outcome::Written { token, .. } = outcome {
                let path = lock(state.files()).forget(&token);
                remove_files(path.into_iter().collect());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pace_spreads_rows_over_the_duration() {
        let cancel = AtomicBool::new(false);
        let started = Instant::now();
        assert!(pace(started, Duration::from_millis(100), 5, 10, &cancel));
        let e = started.elapsed();
        assert!(e >= Duration::from_millis(49) && e < Duration::from_millis(90), "{e:?}");
        cancel.store(true, Ordering::Relaxed);
        assert!(!pace(Instant::now(), Duration::from_secs(10), 10, 10, &cancel));
    }
}
