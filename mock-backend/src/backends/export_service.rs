//! The export service: a paged demo source, jobs that really crawl an HTTP source (concurrently)
//! or take rows from the request, and a ZIP of .xlsx (or CSV) parts as the result.
//!
//! ```text
//! GET  /demo/page?page=1&limit=10[&total=500]   the paged source: {errcode, msg, data:{data:[header, rows…],
//!                                               pagetag:{page, limit, total, total_page}}, request_id}
//! POST /v1/export/http                          {timestamp, ext_type, title, user_id, callback,
//!                                               source_http:{url, method, header, param:{limit}}}
//! POST /v1/export/raw                           {…, source_raw:"[{header}, {row}, …]"}
//!                                               → {errcode:0, msg:"", data:{hash_key}, request_id}
//! GET  /v1/export/detail?key=HASH               → {errcode, msg, data:{created_at, down_url, ext_type, fail_reason,
//!                                                  hash_key, id, source_type, status, title}, request_id}
//! GET  /v1/export/history?user_id=U             → {errcode, msg, data:[{… without down_url}], request_id}, the last 7 days
//! GET  /v1/down/{hash_key}.zip                  the ZIP, as an attachment; 410 once expired
//! ```
//!
//! `status`: 1 processing, 2 success, 3 failed, 4 cancelled. Errors are HTTP 200 with a non-zero
//! `errcode`, as the service does: 10001 start refused (`start-error`), 10002 bad request body,
//! 10003 bad `source_raw`, 10004 no such job.
//!
//! The crawl: page 1 of `source_http.url` (with `page` and `limit` added to its query) gives the
//! header (`data.data[0]`) and `pagetag.total_page`; the other pages are fetched four at a time;
//! every page's first row is the header and is skipped. A source on this server (its host is the
//! request's `Host`) is crawled through the server's own router, without a socket — so oneshot
//! tests crawl too; any other `http://` source is fetched over the network. The crawl sends
//! `X-Client-Id` with the job's client, so the page requests are recorded under it. The job takes
//! at least `durationMs`; then the rows are written as .xlsx parts of `splitRows` rows each
//! (query parameter, default 200; one part for fewer), named `{title}-{n}.xlsx`, zipped.
//!
//! Scenarios (`?scenario=` on the POST; see [`crate::sim::knobs`] for the other knobs):
//!
//! | scenario | behaviour |
//! |---|---|
//! | `normal`, `fast`, `slow` | the crawl and file, in at least 4 s / 1.5 s / 15 s |
//! | `empty` | the rows are dropped: one part with only the header |
//! | `fail` | status 3 at `failAt`% of the job's time, `fail_reason` "数据源第 N 页请求失败：连接被重置" |
//! | `cancelled` | status 4 half-way, `fail_reason` "导出任务已被取消" |
//! | `never-finishes` | status 1 forever |
//! | `http500-once`, `http500-always`, `http502-once`, `http502-always`, `rate-limited`, `malformed-json`, `malformed-once`, `flaky` | on the detail requests, as for K12 |
//! | `javascript-url` | `down_url` is `javascript:alert(document.domain)` |
//! | `hostile-filename` | the ZIP's download name is hostile (`Content-Disposition` carries it sanitised) |
//! | `slow-start` | the POST answers after `startDelayMs` |
//! | `start-error` | the POST answers `errcode 10001, msg "导出失败：没有导出权限"`, no job |
//!
//! With `?backslash=1` on the POST, `down_url` is written the way the document shows it, with
//! backslashes (`…/v1/down\\HASH.zip`); the download route accepts both.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http_body_util::BodyExt;
use k12_export_core::backends::export_service::wire::{Created, Detail, Envelope, ExportRequest, PageTag};
use k12_export_core::json::Json as CoreJson;
use serde_json::json;
use tower::ServiceExt;

use crate::data;
use crate::error::ApiError;
use crate::record::touched;
use crate::sim::clock::{rfc3339_cst, unix_now};
use crate::sim::job::{self, Header};
use crate::sim::knobs::{param, plays, query_pairs, Asked, Knobs, Params};
use crate::sim::scenario::Scenario;
use crate::sim::wire::{HOSTILE_NAME, JAVASCRIPT_URL};
use crate::sim::writer::{write_zip, Cell, FileFormat, Table};
use crate::{lock, AppState};

/// The scenarios this backend supports.
pub const SCENARIOS: [Scenario; 19] = {
    use Scenario::*;
    Scenario::with_link_faults(&[Normal, Fast, Slow, Empty, Fail, Cancelled, NeverFinishes])
};

plays!(ExportService: SCENARIOS);

/// `start-error`'s message.
pub const START_ERROR: &str = "导出失败：没有导出权限";
/// Rows of `/demo/page` when `total` is not given (the document's example).
pub const DEFAULT_TOTAL: u64 = 500;
/// Rows per .xlsx part when `splitRows` is not given.
pub const DEFAULT_SPLIT_ROWS: usize = 200;
/// Pages fetched at once.
pub const CONCURRENCY: usize = 4;

/// The routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/demo/page", get(page))
        .route("/v1/export/{source}", post(create_from))
        .route("/v1/export/detail", get(detail))
        .route("/v1/export/history", get(history))
        .route("/v1/down/{name}", get(download))
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum State_ {
    Running,
    Written { token: String },
    Failed { reason: String },
    Cancelled,
}

/// A job.
#[derive(Clone, Debug)]
pub(crate) struct Job {
    header: Header,
    key: String,
    user_id: String,
    title: String,
    ext_type: String,
    source_type: &'static str,
    origin: String,
    backslash: bool,
    state: State_,
}

impl job::Job for Job {
    fn header(&self) -> &Header {
        &self.header
    }
}

fn request_id() -> String {
    let t = crate::files::new_token();
    format!("{}-{}-{}-{}-{}", &t[..8], &t[8..12], &t[12..16], &t[16..20], &t[20..])
}

fn envelope<T: serde::Serialize>(errcode: i64, msg: &str, data: Option<T>) -> Response {
    Json(Envelope { errcode, msg: msg.to_owned(), data, request_id: request_id() }).into_response()
}

fn error(errcode: i64, msg: &str) -> Response {
    envelope::<()>(errcode, msg, None)
}

/// The refusal of a request without the query parameter `name`: `10002 缺少参数 {name}`.
fn missing(name: &str, knobs: &Knobs) -> ApiError {
    knobs.refuse(error(10002, &format!("缺少参数 {name}")))
}

// ---- the paged source -------------------------------------------------------------------------

/// `GET /demo/page`: `data.data[0]` is the header, then `limit` rows of page `page`.
async fn page(Params(pairs): Params) -> Result<Response, ApiError> {
    let num = |name: &str, default: u64, min: u64, max: u64| -> Result<u64, ApiError> {
        match param(&pairs, name) {
            None | Some("") => Ok(default),
            Some(v) => v.parse::<u64>().ok().filter(|n| (min..=max).contains(n)).ok_or_else(|| {
                ApiError::BadRequest(format!("{name} must be an integer from {min} to {max}, not {v:?}"))
            }),
        }
    };
    let page = num("page", 1, 1, 1_000_000)?;
    let limit = num("limit", 10, 1, 10_000)?;
    let total = num("total", DEFAULT_TOTAL, 0, 1_000_000)?;
    let total_page = total.div_ceil(limit);
    let mut rows = vec![json!({"Age": "年龄", "ID": "编号", "Name": "姓名"})];
    let first = (page - 1).saturating_mul(limit);
    for id in first..total.min(first.saturating_add(limit)) {
        rows.push(json!({"ID": id, "Name": data::student(1001, id).name, "Age": 15 + id % 10}));
    }
    let tag = PageTag { page, limit, total, total_page };
    Ok(envelope(0, "", Some(json!({"data": rows, "pagetag": tag}))))
}

// ---- creating a job ---------------------------------------------------------------------------

fn parse_body(body: &[u8]) -> Result<ExportRequest, Box<Response>> {
    let req: ExportRequest =
        serde_json::from_slice(body).map_err(|e| Box::new(error(10002, &format!("请求体不合法：{e}"))))?;
    if req.title.trim().is_empty() || req.user_id.trim().is_empty() {
        return Err(Box::new(error(10002, "title 与 user_id 不能为空")));
    }
    if !["XLSX", "CSV"].contains(&req.ext_type.as_str()) {
        return Err(Box::new(error(10002, "ext_type 只支持 XLSX 与 CSV")));
    }
    Ok(req)
}

/// `POST /v1/export/http` and `/raw`.
async fn create_from(
    Path(source): Path<String>,
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Asked(knobs, _): Asked<ExportService>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    match source.as_str() {
        "http" => create(state, headers, uri, knobs, body, "http").await,
        "raw" => create(state, headers, uri, knobs, body, "raw").await,
        _ => Err(ApiError::NotFound(format!("no route for {}", uri.path()))),
    }
}

/// The rows of `source_raw`: the header object's keys and titles, then the rows.
fn raw_table(text: &str) -> Option<Table> {
    let CoreJson::Arr(items) = CoreJson::parse(text).ok()? else { return None };
    let (header, rows) = items.split_first()?;
    let CoreJson::Obj(columns) = header else { return None };
    let keys: Vec<String> = columns.iter().map(|(k, _)| k.clone()).collect();
    let titles = columns.iter().map(|(k, v)| v.as_text().unwrap_or_else(|| k.clone())).collect();
    let mut out = Vec::new();
    for row in rows {
        if !matches!(row, CoreJson::Obj(_)) {
            return None;
        }
        out.push(keys.iter().map(|k| cell(row.get(k))).collect());
    }
    Some(Table { keys, titles, rows: out })
}

fn cell(v: Option<&CoreJson>) -> Cell {
    match v {
        None | Some(CoreJson::Null) => Cell::Text(String::new()),
        Some(CoreJson::Num(n)) => Cell::Number(*n),
        Some(CoreJson::Str(s)) => Cell::Text(s.clone()),
        Some(other) => Cell::Text(other.to_string()),
    }
}

async fn create(
    state: AppState,
    headers: HeaderMap,
    uri: Uri,
    knobs: Knobs,
    body: axum::body::Bytes,
    source_type: &'static str,
) -> Result<Response, ApiError> {
    let client = knobs.client.clone();
    let pairs = query_pairs(&uri)?;
    let split = match param(&pairs, "splitRows") {
        None => DEFAULT_SPLIT_ROWS,
        Some(v) => v.parse::<usize>().ok().filter(|n| (1..=1_000_000).contains(n)).ok_or_else(|| {
            ApiError::BadRequest(format!("splitRows must be an integer from 1 to 1000000, not {v:?}"))
        })?,
    };
    let backslash = pairs.iter().any(|(k, v)| k == "backslash" && v == "1");
    knobs.slow_start().await;
    if knobs.scenario == Scenario::StartError {
        return Ok(touched(error(10001, START_ERROR), None, &client));
    }
    let req = match parse_body(&body) {
        Ok(r) => r,
        Err(resp) => return Ok(touched(*resp, None, &client)),
    };
    let source = match (source_type, &req.source_http, &req.source_raw) {
        ("http", Some(src), _) => Source::Http(src.clone()),
        ("raw", _, Some(text)) => match raw_table(text) {
            Some(t) => Source::Raw(t),
            None => {
                let resp = error(10003, "source_raw 必须是 JSON 数组，第一条为表头");
                return Ok(touched(resp, None, &client));
            }
        },
        _ => return Ok(touched(error(10002, &format!("缺少 source_{source_type}")), None, &client)),
    };
    let key = crate::files::new_token();
    let job = Job {
        header: Header::new(&state, knobs, 0),
        key: key.clone(),
        user_id: req.user_id.clone(),
        title: req.title.clone(),
        ext_type: req.ext_type.clone(),
        source_type,
        origin: state.origin(&headers),
        backslash,
        state: State_::Running,
    };
    let (id, scenario) = (job.header.id, job.header.knobs.scenario);
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("").to_owned();
    lock(&state.stores().export_service).list.push(job.clone());
    tokio::spawn(run(state.clone(), job, source, host, split));
    tracing::info!(job = id, %client, scenario = scenario.name(), source_type, "export-service job started");
    Ok(touched(envelope(0, "", Some(Created { hash_key: key })), Some(id), &client))
}

enum Source {
    Http(k12_export_core::backends::export_service::wire::SourceHttp),
    Raw(Table),
}

fn set_state(state: &AppState, id: u64, new: State_) {
    if let Some(job) = lock(&state.stores().export_service).get_mut(id) {
        if job.state == State_::Running {
            job.state = new;
        }
    }
}

fn job_exists(state: &AppState, id: u64) -> bool {
    lock(&state.stores().export_service).get_mut(id).is_some()
}

/// Runs a job: crawl (or take the raw rows), pace, write, publish.
async fn run(state: AppState, job: Job, source: Source, host: String, split: usize) {
    let (id, knobs) = (job.header.id, &job.header.knobs);
    let deadline = tokio::time::Instant::now() + Duration::from_millis(knobs.duration_ms());
    let scenario = knobs.scenario;
    if matches!(scenario, Scenario::Fail | Scenario::Cancelled) {
        let percent = if scenario == Scenario::Fail { u64::from(knobs.fail_at()) } else { 50 };
        tokio::time::sleep(Duration::from_millis(knobs.duration_ms() * percent / 100)).await;
        let new = if scenario == Scenario::Fail {
            let page = 1 + percent / 10;
            State_::Failed { reason: format!("数据源第 {page} 页请求失败：连接被重置") }
        } else {
            State_::Cancelled
        };
        set_state(&state, id, new);
        return;
    }
    let table = match source {
        Source::Raw(t) => Ok(t),
        Source::Http(src) => crawl(&state, &job, &src, &host).await,
    };
    let mut table = match table {
        Ok(t) => t,
        Err(reason) => {
            set_state(&state, id, State_::Failed { reason });
            return;
        }
    };
    if scenario == Scenario::Empty {
        table.rows.clear();
    }
    tokio::time::sleep_until(deadline).await;
    if scenario == Scenario::NeverFinishes || !job_exists(&state, id) {
        return;
    }
    let name = if scenario == Scenario::HostileFilename { HOSTILE_NAME } else { &job.title };
    let dir = state.config().data_dir.clone();
    let format = if job.ext_type == "CSV" { FileFormat::Csv } else { FileFormat::Xlsx };
    // The parts are named after the title, made safe to unzip.
    let stem = crate::files::download_filename(&job.title).replace(['\\', '/'], "_");
    let written = tokio::task::spawn_blocking(move || write_zip(&dir, &stem, format, &table, split)).await;
    match written {
        Ok(Ok(path)) => {
            let filename = format!("{name}.zip");
            let token = crate::files::register(&state, path, &filename, "application/zip", &job.header.client, id);
            set_state(&state, id, State_::Written { token });
        }
        Ok(Err(e)) => {
            tracing::error!(job = id, error = %e, "writing the zip failed");
            set_state(&state, id, State_::Failed { reason: "写入文件失败".to_owned() });
        }
        Err(e) => set_state(&state, id, State_::Failed { reason: format!("写入文件失败：{e}") }),
    }
}

/// Fetches one page of the source: `Ok(body)` or a reason.
async fn fetch(
    state: &AppState,
    src: &k12_export_core::backends::export_service::wire::SourceHttp,
    own_host: &str,
    client: &str,
    page: u64,
) -> Result<String, String> {
    let sep = if src.url.contains('?') { '&' } else { '?' };
    let url = format!("{}{sep}page={page}&limit={}", src.url, src.param.limit.max(1));
    let uri: Uri = url.parse().map_err(|_| format!("数据源地址不合法：{}", src.url))?;
    let method =
        if src.method.eq_ignore_ascii_case("POST") { axum::http::Method::POST } else { axum::http::Method::GET };
    let local = uri.authority().is_some_and(|a| a.as_str() == own_host);
    let mut builder = Request::builder().method(method).header("x-client-id", client);
    for (k, v) in &src.header {
        builder = builder.header(k.as_str(), v.as_str());
    }
    let response = if local {
        let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
        let request =
            builder.uri(path).header(header::HOST, own_host).body(Body::empty()).map_err(|e| e.to_string())?;
        match crate::app(state.clone()).oneshot(request).await {
            Ok(r) => r,
            Err(never) => match never {},
        }
    } else {
        if uri.scheme_str() != Some("http") {
            return Err("数据源只支持 http://（模拟服务）".to_owned());
        }
        let request =
            builder.uri(uri).body(http_body_util::Empty::<axum::body::Bytes>::new()).map_err(|e| e.to_string())?;
        let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();
        let r = tokio::time::timeout(Duration::from_secs(10), client.request(request))
            .await
            .map_err(|_| format!("数据源第 {page} 页请求超时"))?
            .map_err(|e| format!("数据源第 {page} 页请求失败：{e}"))?;
        let (parts, body) = r.into_parts();
        Response::from_parts(parts, Body::new(body))
    };
    if !response.status().is_success() {
        return Err(format!("数据源第 {page} 页返回 HTTP {}", response.status().as_u16()));
    }
    let bytes =
        response.into_body().collect().await.map_err(|e| format!("数据源第 {page} 页读取失败：{e}"))?.to_bytes();
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A page of the source: the header's (key, title) pairs, `total_page`, and the rows.
type Page = (Vec<(String, String)>, u64, Vec<CoreJson>);

/// Reads a page.
fn read_page(body: &str, page: u64) -> Result<Page, String> {
    let bad = || format!("数据源第 {page} 页不是约定的分页格式");
    let v = CoreJson::parse(body).map_err(|_| bad())?;
    if v.get("errcode").and_then(CoreJson::as_i64).is_some_and(|c| c != 0) {
        let msg = v.get("msg").and_then(CoreJson::as_str).unwrap_or("");
        return Err(format!("数据源第 {page} 页返回错误：{msg}"));
    }
    let data = v.get("data").ok_or_else(bad)?;
    let CoreJson::Arr(items) = data.get("data").ok_or_else(bad)? else { return Err(bad()) };
    let total_page =
        data.get("pagetag").and_then(|t| t.get("total_page")).and_then(CoreJson::as_i64).ok_or_else(bad)?;
    let (header, rows) = items.split_first().ok_or_else(bad)?;
    let CoreJson::Obj(columns) = header else { return Err(bad()) };
    let columns = columns.iter().map(|(k, t)| (k.clone(), t.as_text().unwrap_or_else(|| k.clone()))).collect();
    Ok((columns, u64::try_from(total_page.max(0)).unwrap_or(0), rows.to_vec()))
}

async fn crawl(
    state: &AppState,
    job: &Job,
    src: &k12_export_core::backends::export_service::wire::SourceHttp,
    host: &str,
) -> Result<Table, String> {
    let first = fetch(state, src, host, &job.header.client, 1).await?;
    let (columns, total_page, mut rows) = read_page(&first, 1)?;
    let mut next = 2;
    while next <= total_page {
        let mut set = tokio::task::JoinSet::new();
        let last = (next + CONCURRENCY as u64 - 1).min(total_page);
        for page in next..=last {
            let (state, src, host, client) = (state.clone(), src.clone(), host.to_owned(), job.header.client.clone());
            set.spawn(async move { (page, fetch(&state, &src, &host, &client, page).await) });
        }
        let mut bodies = Vec::new();
        while let Some(done) = set.join_next().await {
            bodies.push(done.map_err(|e| format!("数据源抓取中断：{e}"))?);
        }
        bodies.sort_by_key(|(page, _)| *page);
        for (page, body) in bodies {
            rows.extend(read_page(&body?, page)?.2);
        }
        next = last + 1;
    }
    let keys: Vec<String> = columns.iter().map(|(k, _)| k.clone()).collect();
    let titles = columns.into_iter().map(|(_, t)| t).collect();
    let rows = rows.iter().map(|r| keys.iter().map(|k| cell(r.get(k))).collect()).collect();
    Ok(Table { keys, titles, rows })
}

// ---- status -----------------------------------------------------------------------------------

fn detail_of(job: &Job, with_url: bool) -> Detail {
    let (status, fail_reason) = match &job.state {
        State_::Running => (1, String::new()),
        State_::Written { .. } => (2, String::new()),
        State_::Failed { reason } => (3, reason.clone()),
        State_::Cancelled => (4, "导出任务已被取消".to_owned()),
    };
    let down_url = match (&job.state, with_url) {
        (State_::Written { .. }, true) if job.header.knobs.scenario == Scenario::JavascriptUrl => {
            Some(JAVASCRIPT_URL.to_owned())
        }
        (State_::Written { .. }, true) if job.backslash => Some(format!("{}/v1/down\\{}.zip", job.origin, job.key)),
        (State_::Written { .. }, true) => Some(format!("{}/v1/down/{}.zip", job.origin, job.key)),
        _ => None,
    };
    Detail {
        created_at: rfc3339_cst(job.header.created_unix),
        down_url,
        ext_type: job.ext_type.clone(),
        fail_reason,
        hash_key: job.key.clone(),
        id: job.header.id,
        source_type: job.source_type.to_owned(),
        status,
        title: job.title.clone(),
    }
}

/// `GET /v1/export/detail?key=`.
async fn detail(
    State(state): State<AppState>,
    Params(pairs): Params,
    Asked(knobs, _): Asked<ExportService>,
) -> Result<Response, ApiError> {
    let key = param(&pairs, "key").ok_or_else(|| missing("key", &knobs))?;
    let mut jobs = lock(&state.stores().export_service);
    let job =
        jobs.list.iter_mut().find(|j| j.key == key).ok_or_else(|| knobs.refuse(error(10004, "导出任务不存在")))?;
    let answer =
        Envelope { errcode: 0, msg: String::new(), data: Some(detail_of(job, true)), request_id: request_id() };
    job.header.respond(&answer)
}

/// `GET /v1/export/history?user_id=`: the user's jobs of the last 7 days, newest first.
async fn history(
    State(state): State<AppState>,
    Params(pairs): Params,
    Asked(knobs, _): Asked<ExportService>,
) -> Result<Response, ApiError> {
    let user = param(&pairs, "user_id").filter(|u| !u.is_empty()).ok_or_else(|| missing("user_id", &knobs))?;
    let week_ago = unix_now() - 7 * 86_400;
    let jobs = lock(&state.stores().export_service);
    let list: Vec<Detail> = jobs
        .list
        .iter()
        .rev()
        .filter(|j| j.user_id == user && j.header.created_unix >= week_ago)
        .map(|j| detail_of(j, false))
        .collect();
    Ok(touched(envelope(0, "", Some(list)), None, &knobs.client))
}

/// `GET /v1/down/{hash_key}.zip` (also `…/v1/down\{hash_key}.zip`, decoded).
async fn download(
    State(state): State<AppState>,
    Path(name): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let name = name.rsplit(['\\', '/']).next().unwrap_or("");
    let key = name.strip_suffix(".zip").unwrap_or(name);
    let token = {
        let jobs = lock(&state.stores().export_service);
        jobs.list.iter().find(|j| j.key == key).and_then(|j| match &j.state {
            State_::Written { token } => Some(token.clone()),
            _ => None,
        })
    };
    let Some(token) = token else { return Err(ApiError::NotFound("no such file".to_owned())) };
    let mut response = crate::files::serve(&state, &token, request).await?;
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_rows_keep_the_header_order() {
        let t = raw_table(r#"[{"name":"姓名","age":"年龄"},{"name":"李雷","age":17},{"age":18}]"#).unwrap();
        assert_eq!(t.keys, ["name", "age"]);
        assert_eq!(t.titles, ["姓名", "年龄"]);
        assert_eq!(t.rows[0], [Cell::Text("李雷".into()), Cell::Number(17.0)]);
        assert_eq!(t.rows[1], [Cell::Text(String::new()), Cell::Number(18.0)]);
        assert!(raw_table("[]").is_none());
        assert!(raw_table(r#"[{"a":"A"},3]"#).is_none());
    }

    #[test]
    fn pages_are_read_with_their_header() {
        let body = r#"{"errcode":0,"data":{"data":[{"Age":"年龄","ID":"编号"},{"ID":1,"Age":15}],"pagetag":{"page":1,"limit":1,"total":3,"total_page":3}}}"#;
        let (cols, pages, rows) = read_page(body, 1).unwrap();
        assert_eq!(cols, [("Age".to_owned(), "年龄".to_owned()), ("ID".to_owned(), "编号".to_owned())]);
        assert_eq!((pages, rows.len()), (3, 1));
        assert!(read_page("{}", 2).unwrap_err().contains("第 2 页"));
    }
}
