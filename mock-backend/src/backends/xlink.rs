//! XLink IoT cloud: CSV export tasks with progress, signed expiring download links, and the
//! `Access-Token` check on every request.
//!
//! ```text
//! POST /v2/export_task                  {name, describe, type, params, extend} → {id}
//! GET  /v2/export_task/{id}             {id, creator_id, creator_name, name, describe, type, status, size,
//!                                        link_url, create_time, result_desc, total, finished, begin_time, end_time}
//! GET  /v2/export_task/{id}/auth_link   {link_url}: /v2/download/{token}?expires=MS&sig=HEX, valid linkTtlMs
//!                                       (query parameter, default 60000) from now; 400 until the task is exported
//! POST /v2/export_tasks                 {offset, limit, …} → {count, list}: the client's tasks, newest first
//! GET  /v2/download/{token}?expires&sig the CSV; 403 without a valid signature or once expired
//! ```
//!
//! Every `/v2/export_task…` request needs `Access-Token: demo-token`; anything else is 401
//! `{"error": {"code": 4031003, "msg": "Access-Token 无效"}}`. Errors are `{"error": {code, msg}}`
//! with a 4xx status. The `link_url` of a task is the file's address *without* a signature, as the
//! document says ("未授权"): fetching it is a 403.
//!
//! A task is status 1 (待导出) for its first tenth, then 2 (导出中) with `finished` counting up to
//! `total`, then 3 (导出完成); the CSV (UTF-8 with a BOM: 设备ID, MAC, 设备名称, 产品ID, 在线状态,
//! 激活时间) is written when a request first sees it complete. `total` is the `rows` knob, default
//! 48 (`huge`: 100,000; `empty`: 0).
//!
//! | scenario | behaviour |
//! |---|---|
//! | `normal`, `fast`, `slow`, `empty`, `huge` | as the K12 ones |
//! | `fail` | status 4 (无效) at `failAt`%, `result_desc` "导出失败：数据库连接中断" |
//! | `cancelled` | status 4 half-way, `result_desc` "导出任务已被取消" |
//! | `expired` | completes, then reports status 5 (过期), `result_desc` "导出文件已过期" |
//! | `never-finishes` | status 2 stalls at 63% |
//! | `http500-once`, `http500-always`, `http502-once`, `http502-always`, `rate-limited`, `malformed-json`, `malformed-once`, `flaky` | on `GET /v2/export_task/{id}` |
//! | `javascript-url` | `auth_link` answers `javascript:alert(document.domain)` |
//! | `hostile-filename` | the CSV's download name is hostile (sanitised in `Content-Disposition`) |
//! | `slow-start` | the POST answers after `startDelayMs` |
//! | `start-error` | the POST answers 403 `{"error": {"code": 4031005, "msg": "无导出权限"}}` |

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use k12_export_core::backends::xlink::wire::{
    AuthLink, CreateTask, Created, ErrorBody, ErrorDetail, ListTasks, Task, TaskList,
};

use crate::error::ApiError;
use crate::hash::mix;
use crate::record::touched;
use crate::sim::clock::{date_cst, rfc3339_cst};
use crate::sim::job::{self, Header, JobStore};
use crate::sim::knobs::{number, param, plays, query_pairs, Asked, Params};
use crate::sim::scenario::Scenario;
use crate::sim::timeline::Phase;
use crate::sim::wire::{HOSTILE_NAME, JAVASCRIPT_URL};
use crate::sim::writer::{publish, Cell, FileFormat, Table};
use crate::{lock, AppState};

/// The token the mock accepts.
pub const TOKEN: &str = "demo-token";
/// How long a signed link works when the request gives no `linkTtlMs`.
pub const DEFAULT_LINK_TTL_MS: u64 = 60_000;
/// Rows of a task when the request gives no `rows`.
pub const DEFAULT_ROWS: u64 = 48;

/// The scenarios this backend supports.
pub const SCENARIOS: [Scenario; 21] = {
    use Scenario::*;
    Scenario::with_link_faults(&[Normal, Fast, Slow, Empty, Huge, Fail, Cancelled, Expired, NeverFinishes])
};

plays!(XLink: SCENARIOS);

/// The routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v2/export_task", post(create))
        .route("/v2/export_task/{id}", get(task))
        .route("/v2/export_task/{id}/auth_link", get(auth_link))
        .route("/v2/export_tasks", post(list))
        .route("/v2/download/{token}", get(download))
}

/// A task.
#[derive(Clone, Debug)]
pub(crate) struct Job {
    header: Header,
    name: String,
    describe: String,
    kind: i64,
    product_id: String,
    token: Option<String>,
}

impl job::Job for Job {
    fn header(&self) -> &Header {
        &self.header
    }
}

fn error(status: StatusCode, code: i64, msg: &str) -> Response {
    (status, Json(ErrorBody { error: ErrorDetail { code, msg: msg.to_owned() } })).into_response()
}

/// The token check of every task request.
fn authorised(headers: &HeaderMap) -> Result<(), Box<Response>> {
    match headers.get("access-token").and_then(|v| v.to_str().ok()) {
        Some(TOKEN) => Ok(()),
        Some(_) => Err(Box::new(error(StatusCode::UNAUTHORIZED, 4031003, "Access-Token 无效"))),
        None => Err(Box::new(error(StatusCode::UNAUTHORIZED, 4031003, "缺少 Access-Token"))),
    }
}

/// Where a task is at `now_ms`: status, finished, result_desc.
fn status(job: &Job, now_ms: u64) -> (i64, u64, String) {
    let t = &job.header.timeline;
    let elapsed = t.elapsed(now_ms);
    let scenario = job.header.knobs.scenario;
    match scenario {
        Scenario::Cancelled if elapsed >= t.duration_ms / 2 => {
            return (4, t.done(now_ms), "导出任务已被取消".to_owned())
        }
        _ => {}
    }
    match t.phase(now_ms) {
        Phase::Running { .. } if elapsed < t.duration_ms / 10 => (1, 0, String::new()),
        Phase::Running { done } => (2, done, String::new()),
        Phase::Stopped { done } if scenario == Scenario::Fail => (4, done, "导出失败：数据库连接中断".to_owned()),
        Phase::Stopped { done } => (2, done, String::new()),
        Phase::Complete if scenario == Scenario::Expired => (5, t.rows, "导出文件已过期".to_owned()),
        Phase::Complete => (3, t.rows, "导出成功".to_owned()),
    }
}

fn view(job: &Job, now_ms: u64, base: &str) -> Task {
    let (status, finished, result_desc) = status(job, now_ms);
    let h = &job.header;
    let begin = h.created_unix + i64::try_from(h.timeline.duration_ms / 10_000).unwrap_or(0);
    let end = h.created_unix + i64::try_from(h.timeline.duration_ms / 1000).unwrap_or(0);
    Task {
        id: h.id.to_string(),
        creator_id: "2e07d2af2e1f4a00".to_owned(),
        creator_name: "企业管理员".to_owned(),
        name: job.name.clone(),
        describe: job.describe.clone(),
        kind: job.kind,
        status,
        size: if status == 3 { h.timeline.rows * 64 } else { 0 },
        link_url: job.token.as_ref().map(|t| format!("{base}/v2/download/{t}")).unwrap_or_default(),
        create_time: rfc3339_cst(h.created_unix),
        result_desc,
        total: h.timeline.rows,
        finished,
        begin_time: if status >= 2 { rfc3339_cst(begin) } else { String::new() },
        end_time: if status >= 3 { rfc3339_cst(end) } else { String::new() },
    }
}

/// The exported devices.
fn table(job: &Job) -> Table {
    let keys = ["id", "mac", "name", "product_id", "online", "active_date"];
    let titles = ["设备ID", "MAC", "设备名称", "产品ID", "在线状态", "激活时间"];
    let rows = (0..job.header.timeline.rows)
        .map(|i| {
            let h = mix(job.header.id ^ mix(i));
            vec![
                Cell::Number((100_000_000 + i) as f64),
                Cell::Text(format!("{:012X}", h & 0xFFFF_FFFF_FFFF)),
                Cell::Text(format!("智能插座-{}", i + 1)),
                Cell::Text(job.product_id.clone()),
                Cell::Text(if h.is_multiple_of(3) { "离线" } else { "在线" }.to_owned()),
                Cell::Text(date_cst(1_600_000_000 + i64::try_from(h % 100_000_000).unwrap_or(0))),
            ]
        })
        .collect();
    Table {
        keys: keys.iter().map(|s| (*s).to_owned()).collect(),
        titles: titles.iter().map(|s| (*s).to_owned()).collect(),
        rows,
    }
}

/// Writes the task's CSV if it is complete and has none yet.
async fn ensure_file(state: &AppState, id: u64) -> Result<(), ApiError> {
    let now = state.now_ms();
    let job = {
        let jobs = lock(&state.stores().xlink);
        match jobs.list.iter().find(|j| j.header.id == id) {
            Some(j) if j.token.is_none() && j.header.timeline.phase(now) == Phase::Complete => j.clone(),
            _ => return Ok(()),
        }
    };
    let name = if job.header.knobs.scenario == Scenario::HostileFilename { HOSTILE_NAME } else { &job.name };
    let (filename, client) = (format!("{name}.csv"), job.header.client.clone());
    let token = publish(state, FileFormat::Csv, table(&job), filename, client, id).await?;
    if let Some(j) = lock(&state.stores().xlink).get_mut(id) {
        j.token.get_or_insert(token);
    }
    Ok(())
}

/// `POST /v2/export_task`.
async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    Asked(knobs, _): Asked<XLink>,
    body: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    let client = knobs.client.clone();
    authorised(&headers).map_err(|r| knobs.refuse(*r))?;
    knobs.slow_start().await;
    if knobs.scenario == Scenario::StartError {
        return Ok(touched(error(StatusCode::FORBIDDEN, 4031005, "无导出权限"), None, &client));
    }
    let bad = |msg: &str| Ok(touched(error(StatusCode::BAD_REQUEST, 4001001, msg), None, &client));
    let Ok(Json(value)) = body else { return bad("请求体不是合法的 JSON") };
    let req: CreateTask = match serde_json::from_value(value.clone()) {
        Ok(r) => r,
        Err(e) => return bad(&format!("参数错误：{e}")),
    };
    if req.name.trim().is_empty() {
        return bad("name 不能为空");
    }
    if !(1..=10).contains(&req.kind) {
        return bad("type 必须是 1 到 10");
    }
    if !value.get("params").is_some_and(serde_json::Value::is_object) {
        return bad("params 是必须的对象");
    }
    let rows = match knobs.scenario {
        Scenario::Empty => 0,
        Scenario::Huge => 100_000,
        _ => knobs.rows.unwrap_or(DEFAULT_ROWS),
    };
    let job = Job {
        header: Header::new(&state, knobs, rows),
        name: req.name.trim().to_owned(),
        describe: req.describe,
        kind: req.kind,
        product_id: req
            .extend
            .and_then(|e| e.product_id)
            .unwrap_or_else(|| "160fa2b2f7a503e8160fa2b2f7a5e001".to_owned()),
        token: None,
    };
    let id = job.header.id;
    lock(&state.stores().xlink).list.push(job);
    Ok(touched(Json(Created { id: id.to_string() }).into_response(), Some(id), &client))
}

/// Finds the client's task `id`, or the 404 answer.
fn find<'a>(jobs: &'a mut JobStore<Job>, id: &str) -> Result<&'a mut Job, Box<Response>> {
    id.parse::<u64>()
        .ok()
        .and_then(|id| jobs.get_mut(id))
        .ok_or_else(|| Box::new(error(StatusCode::NOT_FOUND, 4041011, "导出任务不存在")))
}

/// `GET /v2/export_task/{id}`.
async fn task(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Asked(knobs, _): Asked<XLink>,
) -> Result<Response, ApiError> {
    authorised(&headers).map_err(|r| knobs.refuse(*r))?;
    let job_id = id.parse::<u64>().unwrap_or(0);
    ensure_file(&state, job_id).await?;
    let base = state.origin(&headers);
    let now = state.now_ms();
    let mut jobs = lock(&state.stores().xlink);
    let job = find(&mut jobs, &id).map_err(|r| knobs.refuse(*r))?;
    job.header.respond(&view(job, now, &base))
}

/// `GET /v2/export_task/{id}/auth_link`: a fresh signed link, valid `linkTtlMs`.
async fn auth_link(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Params(pairs): Params,
    Asked(knobs, _): Asked<XLink>,
) -> Result<Response, ApiError> {
    authorised(&headers).map_err(|r| knobs.refuse(*r))?;
    let ttl = match param(&pairs, "linkTtlMs") {
        None => DEFAULT_LINK_TTL_MS,
        Some(v) => number("linkTtlMs", v, 86_400_000u64)?,
    };
    ensure_file(&state, id.parse::<u64>().unwrap_or(0)).await?;
    let base = state.origin(&headers);
    let now = state.now_ms();
    let mut jobs = lock(&state.stores().xlink);
    let job = find(&mut jobs, &id).map_err(|r| knobs.refuse(*r))?;
    let (status, _, _) = status(job, now);
    let (job_id, client) = (job.header.id, job.header.client.clone());
    let token = match (&job.token, status) {
        (Some(t), 3) => t.clone(),
        _ => {
            return Ok(touched(
                error(StatusCode::BAD_REQUEST, 4001100, "导出任务未完成，不能授权下载"),
                Some(job_id),
                &client,
            ))
        }
    };
    let link_url = if job.header.knobs.scenario == Scenario::JavascriptUrl {
        JAVASCRIPT_URL.to_owned()
    } else {
        let expires = now.saturating_add(ttl);
        let sig = state.sign(&format!("{token}:{expires}"));
        format!("{base}/v2/download/{token}?expires={expires}&sig={sig}")
    };
    Ok(touched(Json(AuthLink { link_url }).into_response(), Some(job_id), &client))
}

/// `POST /v2/export_tasks`: the client's tasks, newest first.
async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Asked(knobs, _): Asked<XLink>,
    body: Result<Json<ListTasks>, JsonRejection>,
) -> Result<Response, ApiError> {
    authorised(&headers).map_err(|r| knobs.refuse(*r))?;
    let req = match body {
        Ok(Json(r)) => r,
        Err(_) => {
            return Ok(touched(error(StatusCode::BAD_REQUEST, 4001001, "请求体不是合法的 JSON"), None, &knobs.client))
        }
    };
    let (offset, limit) = (req.offset.unwrap_or(0), req.limit.unwrap_or(10));
    let base = state.origin(&headers);
    let now = state.now_ms();
    let jobs = lock(&state.stores().xlink);
    let mine: Vec<&Job> = jobs.newest_of(&knobs.client).collect();
    let page = mine
        .iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(|j| view(j, now, &base))
        .collect();
    Ok(touched(Json(TaskList { count: mine.len() as u64, list: page }).into_response(), None, &knobs.client))
}

/// `GET /v2/download/{token}?expires=&sig=`: checks the signature and the expiry, then serves.
async fn download(
    State(state): State<AppState>,
    Path(token): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let pairs = query_pairs(request.uri())?;
    let (Some(expires), Some(sig)) = (param(&pairs, "expires"), param(&pairs, "sig")) else {
        return Ok(error(StatusCode::FORBIDDEN, 4031011, "下载链接未授权"));
    };
    if sig != state.sign(&format!("{token}:{expires}")) {
        return Ok(error(StatusCode::FORBIDDEN, 4031012, "下载链接签名无效"));
    }
    if expires.parse::<u64>().map_or(true, |e| state.now_ms() > e) {
        return Ok(error(StatusCode::FORBIDDEN, 4031010, "下载链接已过期"));
    }
    crate::files::serve(&state, &token, request).await
}
