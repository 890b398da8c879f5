//! The K12 backend: the term list and the three export endpoint pairs (作业, 阶段测试, 学生名单).
//!
//! ```text
//! GET /j/org/terms                              {code:0, message:"", result:[{termId, name, students}]}
//! GET /j/org/{termId}/{kind}/export             start / URL: {code, message, result:{url, filename}}
//! GET /j/org/{termId}/{kind}/export/process     progress: {code, message, result:{retCode, loaded, total,
//!                                                 message, data, extra:{filename}}}
//! kind = homework | test | student
//! ```
//!
//! Normal answers are written from `k12_export_core::backends::k12::wire`, the answers the core's K12
//! adapter reads (the tests drive the core's machine against them); the hostile scenarios build
//! their bodies by hand.

use std::time::Duration;

use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use k12_export_core::backends::k12::wire::{Envelope, ProgressExtra, ProgressResult, UrlResult};
use serde::Serialize;
use serde_json::json;

use crate::data::{self, Kind, Term};
use crate::error::ApiError;
use crate::record::touched;
use crate::sim::knobs::{number, param, query_pairs, Knobs};
use crate::sim::scenario::{Scenario, WIRE_FAULTS};
use crate::sim::wire::{self, HOSTILE_NAME, JAVASCRIPT_URL};
use crate::sim::writer::{self, FileFormat, Flow, Layout, WriteError, Written};
use crate::{lock, AppState};
use jobs::{Job, Key, Outcome, Plan, Progress, Settings};

mod jobs;

pub(crate) use jobs::{JobInfo, Jobs};

/// The default `urlDelayMs` of convention B.
pub const DEFAULT_URL_DELAY_MS: u64 = 1_500;
/// The `fail` scenario's message.
pub const FAIL_MESSAGE: &str = "导出任务异常：数据库连接中断";
/// The `code-error-start` scenario's message.
pub const START_ERROR_MESSAGE: &str = "导出失败：没有导出权限";
/// The progress endpoint's message when there is no job.
pub const NO_JOB_MESSAGE: &str = "没有找到导出任务，请先调用导出接口";

/// The scenarios of the K12 endpoints, in the order the docs list them.
pub const SCENARIOS: [Scenario; 27] = {
    use Scenario::*;
    Scenario::join(&[
        &[Normal, Fast, Slow, Empty, Huge, Fail],
        &WIRE_FAULTS,
        &[ResultNull, StringNumbers, LoadedOverTotal, UrlNever, NeverFinishes],
        &[
            JavascriptUrl,
            HostileFilename,
            SlowStart,
            Flaky,
            CodeErrorStart,
            RelativeUrl,
            ForeignUrl,
            ExpiredLink,
            HugeAnswer,
        ],
    ])
};

/// What each scenario does to a K12 export, in a line.
pub fn describe(scenario: Scenario) -> &'static str {
    match scenario {
        Scenario::Normal => "The term's real students, written in about 4 s (durationMs=4000).",
        Scenario::Fast => "The term's real students, written in about 1.5 s.",
        Scenario::Slow => "The term's real students, written in about 15 s.",
        Scenario::Empty => "As if the term had no students: a file with only the header row.",
        Scenario::Huge => "As if the term had 100,000 students; writes as fast as it can, but takes at least 5 s.",
        Scenario::Fail => {
            "At failAt percent (default 40) the job stops and progress answers code -1, \
             \"导出任务异常：数据库连接中断\"."
        }
        Scenario::Http500Once => {
            "The job's first progress request answers HTTP 500 with an HTML page; later ones work."
        }
        Scenario::Http500Always => "Every progress request answers HTTP 500 with an HTML page.",
        Scenario::Http502Once => {
            "The job's first progress request answers HTTP 502 with a gateway's HTML page; later ones work."
        }
        Scenario::Http502Always => "Every progress request answers HTTP 502 with a gateway's HTML page.",
        Scenario::RateLimited => {
            "The job's first two progress requests answer HTTP 429 with Retry-After: 1 and a JSON body."
        }
        Scenario::MalformedJson => "Every progress answer is cut-off, invalid JSON.",
        Scenario::MalformedOnce => "The job's first progress answer is cut-off, invalid JSON; later ones are fine.",
        Scenario::ResultNull => {
            "Progress answers result: null throughout; the start endpoint still gives the URL when the file is done."
        }
        Scenario::StringNumbers => "code, retCode, loaded and total come as JSON strings (\"0\", \"12\").",
        Scenario::LoadedOverTotal => "Once every row is written, loaded is reported as students + 5, over total.",
        Scenario::UrlNever => "Progress reaches 100% but the start endpoint never gives the URL.",
        Scenario::NeverFinishes => "Progress stalls at 63% forever.",
        Scenario::JavascriptUrl => "The URL, once ready, is javascript:alert(document.domain).",
        Scenario::RelativeUrl => "The URL, once ready, is the path /files/{token}, relative to the page.",
        Scenario::ForeignUrl => {
            "The URL, once ready, is on another origin: this server under its other loopback name \
             (localhost for 127.0.0.1, else 127.0.0.1), /files/{token}, the file as an attachment."
        }
        Scenario::ExpiredLink => {
            "The URL, once ready, is an expired signed storage link on another origin (as foreign-url): \
             /storage/… answers 403 with an XML body."
        }
        Scenario::HostileFilename => {
            "The file name is ../../<img src=x onerror=alert(1)>\\u0000报表.xlsx in the JSON; \
             the download header carries a sanitised form."
        }
        Scenario::SlowStart => {
            "The start call that creates the job answers after startDelayMs (default 3000); later ones at once."
        }
        Scenario::Flaky => {
            "Each progress request fails ~30% of the time (seeded by seed, default 1): \
             HTTP 502 or a connection reset mid-body."
        }
        Scenario::CodeErrorStart => {
            "The start endpoint answers code -1, \"导出失败：没有导出权限\", at once; no job is created."
        }
        Scenario::HugeAnswer => {
            "Every progress answer is valid JSON of about 50 MB (a runaway result.data), streamed at about \
             32 MB/s; the job's answerBytes (GET /__mock/jobs) counts what was sent before the client hung up."
        }
        other => other.description(),
    }
}

/// The backend convention for `loaded` / `total`, from the design document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Scheme {
    /// `total = n + 1` from the first answer; the URL exists exactly when `loaded == total`; an empty
    /// export is `total 1` and still has a URL.
    #[default]
    A,
    /// A made-up first answer `total 1, loaded 0`; then `total = n`; the URL comes `urlDelayMs` after
    /// `loaded == total == n`; an empty export is `total 1, loaded 2`.
    B,
}

impl Scheme {
    /// Parses `A` or `B` (either case).
    pub fn parse(s: &str) -> Option<Scheme> {
        match s {
            "A" | "a" => Some(Scheme::A),
            "B" | "b" => Some(Scheme::B),
            _ => None,
        }
    }

    /// `"A"` or `"B"`.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::A => "A",
            Scheme::B => "B",
        }
    }
}

/// What a K12 export writes: a term's students, as one kind of export, in a format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExportSpec {
    /// The term whose students are written.
    pub term_id: u32,
    /// Which columns.
    pub kind: Kind,
    /// How many student rows (the header row comes on top).
    pub rows: u64,
    /// The file format.
    pub format: FileFormat,
}

/// Writes a K12 export to `path`, row by row (see [`writer::write_file`]).
pub fn write_export(
    path: &std::path::Path,
    temp_dir: &std::path::Path,
    spec: &ExportSpec,
    step: impl FnMut(u64) -> Flow,
) -> Result<Written, WriteError> {
    let titles = spec.kind.header();
    let layout =
        Layout { keys: &titles, titles: &titles, sheet: spec.kind.sheet_name(), widths: &[(0, 12), (1, 10), (2, 8)] };
    let rows = (0..spec.rows).map(|index| data::row(spec.term_id, spec.kind, index));
    writer::write_file(path, temp_dir, spec.format, layout, rows, step)
}

/// The K12 routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/j/org/terms", get(terms))
        .route("/j/org/{term_id}/{kind}/export", get(start))
        .route("/j/org/{term_id}/{kind}/export/process", get(progress))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TermInfo {
    term_id: u32,
    name: &'static str,
    students: u64,
}

async fn terms() -> Json<Envelope<Vec<TermInfo>>> {
    let list = data::TERMS.iter().map(|t| TermInfo { term_id: t.id, name: t.name, students: t.students }).collect();
    Json(Envelope { code: 0, message: String::new(), result: Some(list) })
}

/// The query parameters of the export endpoints, checked: the knobs of every backend, plus
/// `scheme`, `format` and `urlDelayMs`.
fn settings(uri: &Uri, headers: &HeaderMap) -> Result<Settings, ApiError> {
    let knobs = Knobs::parse(uri, headers, &SCENARIOS)?;
    let pairs = query_pairs(uri)?;
    let scheme = match param(&pairs, "scheme") {
        None | Some("") => Scheme::A,
        Some(s) => Scheme::parse(s).ok_or_else(|| ApiError::BadRequest(format!("scheme must be A or B, not {s:?}")))?,
    };
    let format = match param(&pairs, "format") {
        None | Some("") => FileFormat::Xlsx,
        Some(s) => FileFormat::parse(s)
            .ok_or_else(|| ApiError::BadRequest(format!("format must be xlsx or csv, not {s:?}")))?,
    };
    let url_delay_ms = param(&pairs, "urlDelayMs").map(|v| number("urlDelayMs", v, 600_000u64)).transpose()?;
    Ok(Settings { knobs, scheme, format, url_delay_ms })
}

/// What a request to an export endpoint names: the term and kind of its path, and its settings.
struct Export {
    term: &'static Term,
    kind: Kind,
    settings: Settings,
}

impl FromRequestParts<AppState> for Export {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Export, ApiError> {
        let (term, kind) = resolve(Path::from_request_parts(parts, state).await)?;
        Ok(Export { term, kind, settings: settings(&parts.uri, &parts.headers)? })
    }
}

/// Checks `{termId}` and `{kind}`: 400 for an id that is not a number, 404 for an unknown one.
fn resolve(path: Result<Path<(String, String)>, PathRejection>) -> Result<(&'static Term, Kind), ApiError> {
    let Path((term_id, kind)) = path.map_err(|_| ApiError::BadRequest("the path is not valid".to_owned()))?;
    let id: u32 = term_id
        .parse()
        .ok()
        .filter(|&id| id > 0)
        .ok_or_else(|| ApiError::BadRequest(format!("termId must be a positive integer, not {term_id:?}")))?;
    let kind = Kind::from_segment(&kind)
        .ok_or_else(|| ApiError::NotFound(format!("unknown export kind {kind:?}; use homework, test or student")))?;
    let term = data::term(id).ok_or_else(|| ApiError::NotFound(format!("unknown term {id}")))?;
    Ok((term, kind))
}

fn filename(term: &Term, kind: Kind, settings: &Settings) -> String {
    let ext = settings.format.extension();
    if settings.scenario() == Scenario::HostileFilename {
        format!("{HOSTILE_NAME}.{ext}")
    } else {
        format!("{}-{}.{ext}", kind.file_prefix(), term.name)
    }
}

/// Starts a job for `key`: registers it and runs its writer on the blocking pool.
fn create(state: &AppState, jobs: &mut Jobs, key: &Key, term: &Term, settings: &Settings) -> u64 {
    let now = state.now_ms();
    let id = state.next_job_id();
    let rows = match settings.scenario() {
        Scenario::Empty => 0,
        Scenario::Huge => data::HUGE_STUDENTS,
        _ => term.students,
    };
    let progress = std::sync::Arc::new(Progress::default());
    let name = filename(term, key.kind, settings);
    let stop_rows = settings.knobs.stop_rows(rows);
    let plan = Plan {
        job: id,
        client: key.client.clone(),
        filename: name.clone(),
        spec: ExportSpec { term_id: term.id, kind: key.kind, rows, format: settings.format },
        token: crate::files::new_token(),
        dir: state.config().data_dir.clone(),
        duration: Duration::from_millis(settings.knobs.duration_ms()),
        fail_rows: stop_rows.filter(|_| settings.scenario() == Scenario::Fail),
        stall_rows: stop_rows.filter(|_| settings.scenario() == Scenario::NeverFinishes),
        progress: progress.clone(),
    };
    jobs.insert(
        Job {
            id,
            key: key.clone(),
            settings: settings.clone(),
            rows,
            url_delay_ms: settings.url_delay_ms.unwrap_or(state.config().url_delay_ms),
            filename: name,
            created_ms: now,
            progress,
            outcome: Outcome::Running,
            delivered_ms: None,
            requests: 0,
            progress_requests: 0,
            answers: 0,
            answer_bytes: std::sync::Arc::default(),
        },
        now,
    );
    let runner = state.clone();
    tokio::task::spawn_blocking(move || jobs::run(runner, plan));
    tracing::info!(job = id, client = %key.client, term = term.id, kind = key.kind.segment(),
        scenario = settings.scenario().name(), scheme = settings.scheme.name(), rows, "export job started");
    id
}

/// `GET /j/org/{termId}/{kind}/export`: creates the job if none is running for (client, term,
/// kind), else reports on it; gives the URL once the file is ready.
async fn start(State(state): State<AppState>, headers: HeaderMap, export: Export) -> Result<Response, ApiError> {
    let Export { term, kind, settings } = export;
    let client = settings.knobs.client.clone();
    if settings.scenario() == Scenario::CodeErrorStart {
        let body: Envelope<UrlResult> = Envelope { code: -1, message: START_ERROR_MESSAGE.to_owned(), result: None };
        return Ok(touched(Json(body).into_response(), None, &client));
    }
    let key = Key { client: client.clone(), term: term.id, kind };
    let (id, created) = {
        let mut jobs = lock(&state.stores().k12);
        let existing = jobs.active_mut(&key).map(|j| (j.id, j.settings == settings));
        match existing {
            Some((id, true)) => (id, false),
            other => {
                if let Some((old, _)) = other {
                    jobs.supersede(old, state.now_ms());
                }
                (create(&state, &mut jobs, &key, term, &settings), true)
            }
        }
    };
    if created {
        settings.knobs.slow_start().await;
    }
    let base = state.origin(&headers);
    let now = state.now_ms();
    let mut jobs = lock(&state.stores().k12);
    let Some(job) = jobs.get_mut(id).filter(|j| !matches!(j.outcome, Outcome::Cancelled { .. })) else {
        // Reset (or superseded) while this call was waiting.
        let body: Envelope<UrlResult> = Envelope { code: 1, message: "导出任务已取消".to_owned(), result: None };
        return Ok(touched(Json(body).into_response(), Some(id), &client));
    };
    job.requests += 1;
    let url = match (job.url_ready_at(), job.token()) {
        (Some(at), Some(token)) if now >= at => {
            let url = match job.settings.scenario() {
                Scenario::JavascriptUrl => JAVASCRIPT_URL.to_owned(),
                Scenario::RelativeUrl => format!("/files/{token}"),
                Scenario::ForeignUrl => format!("{}/files/{token}", wire::other_origin(&base)),
                Scenario::ExpiredLink => format!(
                    "{}/storage/k12/{token}.xlsx?client={client}&Expires=1&Signature=expired",
                    wire::other_origin(&base)
                ),
                _ => format!("{base}/files/{token}"),
            };
            job.delivered_ms = Some(now);
            Some(url)
        }
        _ => None,
    };
    let body = Envelope {
        code: 0,
        message: String::new(),
        result: Some(UrlResult { url, filename: Some(job.filename.clone()) }),
    };
    Ok(touched(Json(body).into_response(), Some(id), &client))
}

/// `loaded` and `total` as the job's convention reports them, for the `first` answer or a later one.
fn numbers(job: &Job, first: bool) -> (i64, i64) {
    let n = job.rows;
    let written = job.written();
    let file_done = matches!(job.outcome, Outcome::Written { .. });
    let (mut loaded, total) = match job.settings.scheme {
        Scheme::A => (if file_done { n + 1 } else { written }, n + 1),
        Scheme::B if first => (0, 1),
        Scheme::B if n == 0 => (2, 1),
        Scheme::B => (if file_done { n } else { written }, n),
    };
    let made_up = job.settings.scheme == Scheme::B && first;
    if job.settings.scenario() == Scenario::LoadedOverTotal && !made_up && written >= n {
        loaded = n + 5;
    }
    (i64::try_from(loaded).unwrap_or(i64::MAX), i64::try_from(total).unwrap_or(i64::MAX))
}

/// `GET /j/org/{termId}/{kind}/export/process`: reports on the latest job of (client, term, kind).
async fn progress(State(state): State<AppState>, export: Export) -> Result<Response, ApiError> {
    let Export { term, kind, settings } = export;
    let client = settings.knobs.client;
    let key = Key { client: client.clone(), term: term.id, kind };
    let mut jobs = lock(&state.stores().k12);
    let Some(job) = jobs.latest_mut(&key) else {
        let body: Envelope<ProgressResult> = Envelope { code: 1, message: NO_JOB_MESSAGE.to_owned(), result: None };
        return Ok(touched(Json(body).into_response(), None, &client));
    };
    job.requests += 1;
    let index = job.progress_requests;
    job.progress_requests += 1;
    let id = Some(job.id);
    if let Some(fault) = wire::fault(job.settings.scenario(), job.settings.knobs.seed(), index) {
        return Ok(touched(fault, id, &client));
    }
    if let Outcome::Failed { injected, .. } = job.outcome {
        let message = if injected { FAIL_MESSAGE } else { "导出失败：服务器内部错误" };
        let body: Envelope<ProgressResult> = Envelope { code: -1, message: message.to_owned(), result: None };
        return Ok(touched(Json(body).into_response(), id, &client));
    }
    let scenario = job.settings.scenario();
    if scenario == Scenario::HugeAnswer {
        // A progress answer with a runaway `data`: its numbers come first, as a reader that got
        // that far would see them.
        let name = serde_json::to_string(&job.filename).map_err(|e| ApiError::Internal(format!("name json: {e}")))?;
        let head =
            r#"{"code":0,"message":"","result":{"retCode":0,"loaded":1,"total":10,"message":"正在导出","data":["#;
        let tail = format!(r#"{{"row":0}}],"extra":{{"filename":{name}}}}}}}"#);
        return Ok(touched(wire::huge_answer(head.to_owned(), tail, job.answer_bytes.clone()), id, &client));
    }
    if scenario == Scenario::ResultNull {
        let body: Envelope<ProgressResult> = Envelope { code: 0, message: String::new(), result: None };
        return Ok(touched(Json(body).into_response(), id, &client));
    }
    let (loaded, total) = numbers(job, job.answers == 0);
    if !wire::malformed(scenario, index) {
        job.answers += 1;
    }
    let message = if loaded >= total { "导出完成" } else { "正在导出" };
    let text = if scenario == Scenario::StringNumbers {
        json!({
            "code": "0",
            "message": "",
            "result": {
                "retCode": "0",
                "loaded": loaded.to_string(),
                "total": total.to_string(),
                "message": message,
                "data": null,
                "extra": {"filename": job.filename},
            },
        })
        .to_string()
    } else {
        let body = Envelope {
            code: 0,
            message: String::new(),
            result: Some(ProgressResult {
                ret_code: 0,
                loaded,
                total,
                message: message.to_owned(),
                data: None,
                extra: ProgressExtra { filename: Some(job.filename.clone()) },
            }),
        };
        serde_json::to_string(&body).map_err(|e| ApiError::Internal(format!("progress json: {e}")))?
    };
    Ok(touched(wire::status_answer(text, scenario, index), id, &client))
}
