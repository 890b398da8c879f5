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
//! Normal answers go through `k12_export_core::backends::k12::wire`, the types the widget reads, so the two
//! cannot drift apart; the hostile scenarios build their bodies by hand.

use std::time::Duration;

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use k12_export_core::backends::k12::wire::{Envelope, ProgressExtra, ProgressResult, UrlResult};
use serde::Serialize;
use serde_json::json;

use crate::data::{self, Kind, Term};
use crate::error::ApiError;
use crate::export::{ExportSpec, Format};
use crate::jobs::{self, Job, Key, Outcome, Plan, Progress, Settings};
use crate::record::{self, Touched};
use crate::scenario::{self, FlakyFault, Scenario, Scheme};
use crate::{lock, AppState};

/// The `fail` scenario's message.
pub const FAIL_MESSAGE: &str = "导出任务异常：数据库连接中断";
/// The `code-error-start` scenario's message.
pub const START_ERROR_MESSAGE: &str = "导出失败：没有导出权限";
/// The progress endpoint's message when there is no job.
pub const NO_JOB_MESSAGE: &str = "没有找到导出任务，请先调用导出接口";
/// The file name of the `hostile-filename` scenario, before its extension.
pub const HOSTILE_NAME: &str = "../../<img src=x onerror=alert(1)>\u{0}报表";
/// The URL of the `javascript-url` scenario.
pub const JAVASCRIPT_URL: &str = "javascript:alert(document.domain)";

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

/// The query parameters of the export endpoints, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Params {
    client: String,
    settings: Settings,
}

pub(crate) fn number<T: std::str::FromStr + PartialOrd + std::fmt::Display>(
    name: &str,
    value: &str,
    max: T,
) -> Result<T, ApiError> {
    value
        .parse::<T>()
        .ok()
        .filter(|v| *v <= max)
        .ok_or_else(|| ApiError::BadRequest(format!("{name} must be an integer from 0 to {max}, not {value:?}")))
}

impl Params {
    fn parse(uri: &Uri, headers: &HeaderMap) -> Result<Params, ApiError> {
        let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(uri)
            .map_err(|_| ApiError::BadRequest("the query string is not valid".to_owned()))?;
        let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let client = record::client_hint(uri, headers).unwrap_or_else(|| record::DEFAULT_CLIENT.to_owned());
        if !record::valid_client(&client) {
            return Err(ApiError::BadRequest("client must be 1-64 characters of A-Z a-z 0-9 _ - . : @".to_owned()));
        }
        let scenario = match get("scenario") {
            None | Some("") => Scenario::Normal,
            Some(s) => Scenario::parse(s).ok_or_else(|| ApiError::UnknownScenario(s.to_owned()))?,
        };
        let scheme = match get("scheme") {
            None | Some("") => Scheme::A,
            Some(s) => {
                Scheme::parse(s).ok_or_else(|| ApiError::BadRequest(format!("scheme must be A or B, not {s:?}")))?
            }
        };
        let format = match get("format") {
            None | Some("") => Format::Xlsx,
            Some(s) => Format::parse(s)
                .ok_or_else(|| ApiError::BadRequest(format!("format must be xlsx or csv, not {s:?}")))?,
        };
        let settings = Settings {
            scenario,
            scheme,
            format,
            duration_ms: get("durationMs").map(|v| number("durationMs", v, 600_000u64)).transpose()?,
            url_delay_ms: get("urlDelayMs").map(|v| number("urlDelayMs", v, 600_000u64)).transpose()?,
            fail_at: get("failAt").map(|v| number("failAt", v, 100u8)).transpose()?,
            start_delay_ms: get("startDelayMs").map(|v| number("startDelayMs", v, 60_000u64)).transpose()?,
            seed: get("seed").map(|v| number("seed", v, u64::MAX)).transpose()?,
        };
        Ok(Params { client, settings })
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

/// The origin for absolute download URLs: the request's `Host` if it is a plain host[:port], else
/// the address the server listens on.
pub(crate) fn origin(headers: &HeaderMap, state: &AppState) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
        })
        .map_or_else(|| state.config().public_host.clone(), str::to_owned);
    format!("http://{host}")
}

pub(crate) fn with_touch(mut response: Response, job: Option<u64>, client: &str) -> Response {
    response.extensions_mut().insert(Touched { job, client: Some(client.to_owned()) });
    response
}

fn filename(term: &Term, kind: Kind, settings: &Settings) -> String {
    let ext = settings.format.extension();
    if settings.scenario == Scenario::HostileFilename {
        format!("{HOSTILE_NAME}.{ext}")
    } else {
        format!("{}-{}.{ext}", kind.file_prefix(), term.name)
    }
}

/// `GET /j/org/{termId}/{kind}/export`: creates the job if none is running for (client, term,
/// kind), else reports on it; gives the URL once the file is ready.
async fn start(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    let (term, kind) = resolve(path)?;
    let Params { client, settings } = Params::parse(&uri, &headers)?;
    if settings.scenario == Scenario::CodeErrorStart {
        let body: Envelope<UrlResult> = Envelope { code: -1, message: START_ERROR_MESSAGE.to_owned(), result: None };
        return Ok(with_touch(Json(body).into_response(), None, &client));
    }
    let key = Key { client: client.clone(), term: term.id, kind };
    let now = state.now_ms();
    let (id, created) = {
        let mut jobs = lock(&state.inner.jobs);
        let existing = jobs.active_mut(&key).map(|j| (j.id, j.settings == settings));
        match existing {
            Some((id, true)) => (id, false),
            other => {
                if let Some((old, _)) = other {
                    jobs.supersede(old, now);
                }
                let id = jobs.next_id();
                let rows = match settings.scenario {
                    Scenario::Empty => 0,
                    Scenario::Huge => data::HUGE_STUDENTS,
                    _ => term.students,
                };
                let progress = std::sync::Arc::new(Progress::default());
                let name = filename(term, kind, &settings);
                let plan = Plan {
                    job: id,
                    client: client.clone(),
                    filename: name.clone(),
                    spec: ExportSpec { term_id: term.id, kind, rows, format: settings.format },
                    token: crate::files::new_token(),
                    dir: state.config().data_dir.clone(),
                    duration: Duration::from_millis(settings.duration_ms()),
                    fail_rows: (settings.scenario == Scenario::Fail)
                        .then(|| rows * u64::from(settings.fail_at()) / 100),
                    stall_rows: (settings.scenario == Scenario::NeverFinishes)
                        .then(|| (rows * jobs::STALL_PERCENT).div_ceil(100)),
                    progress: progress.clone(),
                };
                jobs.insert(
                    Job {
                        id,
                        key: key.clone(),
                        settings,
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
                    },
                    now,
                );
                let runner = state.clone();
                tokio::task::spawn_blocking(move || jobs::run(runner, plan));
                tracing::info!(job = id, client = %key.client, term = term.id, kind = kind.segment(),
                    scenario = settings.scenario.name(), scheme = settings.scheme.name(), rows, "export job started");
                (id, true)
            }
        }
    };
    if created && settings.scenario == Scenario::SlowStart {
        tokio::time::sleep(Duration::from_millis(settings.start_delay_ms())).await;
    }
    let base = origin(&headers, &state);
    let now = state.now_ms();
    let mut jobs = lock(&state.inner.jobs);
    let Some(job) = jobs.get_mut(id).filter(|j| !matches!(j.outcome, Outcome::Cancelled { .. })) else {
        // Reset (or superseded) while this call was waiting.
        let body: Envelope<UrlResult> = Envelope { code: 1, message: "导出任务已取消".to_owned(), result: None };
        return Ok(with_touch(Json(body).into_response(), Some(id), &client));
    };
    job.requests += 1;
    let url = match (job.url_ready_at(), job.token()) {
        (Some(at), Some(token)) if now >= at => {
            let url = if job.settings.scenario == Scenario::JavascriptUrl {
                JAVASCRIPT_URL.to_owned()
            } else {
                format!("{base}/files/{token}")
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
    Ok(with_touch(Json(body).into_response(), Some(id), &client))
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
    if job.settings.scenario == Scenario::LoadedOverTotal && !made_up && written >= n {
        loaded = n + 5;
    }
    (i64::try_from(loaded).unwrap_or(i64::MAX), i64::try_from(total).unwrap_or(i64::MAX))
}

pub(crate) fn html_error(status: StatusCode) -> Response {
    let reason = status.canonical_reason().unwrap_or("Error");
    let code = status.as_u16();
    let page = format!(
        "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n<center><h1>{code} {reason}</h1></center>\r\n\
         <hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static("text/html"))], page).into_response()
}

pub(crate) fn rate_limited() -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, HeaderValue::from_static("1"))],
        Json(json!({"code": 429, "message": "请求过于频繁，请稍后再试"})),
    )
        .into_response()
}

/// A body that fails after the headers are out: hyper drops the connection, which a browser sees
/// as a network error.
struct ResetBody;

impl http_body::Body for ResetBody {
    type Data = axum::body::Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        std::task::Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "flaky scenario: connection reset",
        ))))
    }
}

pub(crate) fn reset() -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], Body::new(ResetBody))
        .into_response()
}

pub(crate) fn json_text(body: String) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()
}

/// Cuts a JSON text in the middle (on a character boundary), so that it cannot parse.
pub(crate) fn truncate(text: &str) -> String {
    let mut end = text.len() / 2;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// The transport fault of the `index`-th progress request of a job, if its scenario has one.
fn transport_fault(settings: &Settings, index: u64) -> Option<Response> {
    match settings.scenario {
        Scenario::Http500Once if index == 0 => Some(html_error(StatusCode::INTERNAL_SERVER_ERROR)),
        Scenario::Http500Always => Some(html_error(StatusCode::INTERNAL_SERVER_ERROR)),
        Scenario::Http502Once if index == 0 => Some(html_error(StatusCode::BAD_GATEWAY)),
        Scenario::Http502Always => Some(html_error(StatusCode::BAD_GATEWAY)),
        Scenario::RateLimited if index < 2 => Some(rate_limited()),
        Scenario::Flaky => match scenario::flaky_fault(settings.seed(), index) {
            Some(FlakyFault::BadGateway) => Some(html_error(StatusCode::BAD_GATEWAY)),
            Some(FlakyFault::Reset) => Some(reset()),
            None => None,
        },
        _ => None,
    }
}

/// `GET /j/org/{termId}/{kind}/export/process`: reports on the latest job of (client, term, kind).
async fn progress(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    let (term, kind) = resolve(path)?;
    let Params { client, .. } = Params::parse(&uri, &headers)?;
    let key = Key { client: client.clone(), term: term.id, kind };
    let mut jobs = lock(&state.inner.jobs);
    let Some(job) = jobs.latest_mut(&key) else {
        let body: Envelope<ProgressResult> = Envelope { code: 1, message: NO_JOB_MESSAGE.to_owned(), result: None };
        return Ok(with_touch(Json(body).into_response(), None, &client));
    };
    job.requests += 1;
    let index = job.progress_requests;
    job.progress_requests += 1;
    let id = Some(job.id);
    if let Some(fault) = transport_fault(&job.settings, index) {
        return Ok(with_touch(fault, id, &client));
    }
    if let Outcome::Failed { injected, .. } = job.outcome {
        let message = if injected { FAIL_MESSAGE } else { "导出失败：服务器内部错误" };
        let body: Envelope<ProgressResult> = Envelope { code: -1, message: message.to_owned(), result: None };
        return Ok(with_touch(Json(body).into_response(), id, &client));
    }
    let scenario = job.settings.scenario;
    if scenario == Scenario::ResultNull {
        let body: Envelope<ProgressResult> = Envelope { code: 0, message: String::new(), result: None };
        return Ok(with_touch(Json(body).into_response(), id, &client));
    }
    let malformed = scenario == Scenario::MalformedJson || (scenario == Scenario::MalformedOnce && index == 0);
    let (loaded, total) = numbers(job, job.answers == 0);
    if !malformed {
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
    let text = if malformed { truncate(&text) } else { text };
    Ok(with_touch(json_text(text), id, &client))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncated_json_does_not_parse() {
        let text = r#"{"code":0,"message":"","result":{"extra":{"filename":"K12作业统计-2024春季班.xlsx"}}}"#;
        let cut = truncate(text);
        assert!(cut.len() < text.len());
        assert!(serde_json::from_str::<serde_json::Value>(&cut).is_err());
    }

    #[test]
    fn bad_numbers_are_rejected_with_their_name() {
        let err = number("failAt", "101", 100u8).unwrap_err();
        assert!(matches!(err, ApiError::BadRequest(ref m) if m.contains("failAt")), "{err:?}");
        assert!(number("durationMs", "-1", 10u64).is_err());
        assert_eq!(number("durationMs", "7", 10u64).unwrap(), 7);
    }
}
