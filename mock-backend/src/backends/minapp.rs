//! MinApp: table export jobs (`pending` → `ready` → `finish`) with real csv/json/xlsx files, the
//! one-job-per-minute rule, and the job list.
//!
//! ```text
//! POST /userve/v1.5/table/{table_id}/export/           {file_type, mode, where?, include_keys?, exclude_keys?,
//!                                                       order_by?, csv_customize_headers?, timestamp_convert_keys?}
//!                                                      → 201 {status:"ok", job_id}
//!                                                        400 {error_msg}: a second job within the window, over
//!                                                            1,000,000 rows, or bad data; 404: no such table
//! GET  /userve/v1.5/table/{table_id}/export/{job_id}/  → {created_at, download_url, file_name, file_type, job_id,
//!                                                         operation:"export", status, updated_at}; 404 {error_msg}
//! GET  /userve/v1.5/table/{table_id}/export/?limit=&offset=   → {meta:{limit, next, offset, previous, total_count},
//!                                                                objects:[…]}, the client's jobs, newest first
//! ```
//!
//! Only table `1` (商品表) exists. A job is `pending` for its first fifth, `ready` (processing)
//! until `durationMs`, then `finish` with `download_url` (`/files/{token}`) and `file_name`
//! `商品表_{job_id}.{csv|json|xlsx}`; the file is written when a request first sees the job
//! finished. Rows: `rows` (default 48) of `id, name, price, amount, created_at`;
//! `include_keys`/`exclude_keys` pick the columns, `order_by` sorts (`-` for descending),
//! `csv_customize_headers` renames the CSV/xlsx columns, `timestamp_convert_keys` writes those
//! fields as `YYYY-MM-DD HH:MM:SS`. `where` is accepted but not evaluated, and `mode: part` exports
//! the same rows as `all`.
//!
//! The one-job-per-minute rule is per (client, table); `windowMs` (query, default 60000) changes
//! the window, and `POST /__mock/reset` forgets it.
//!
//! | scenario | behaviour |
//! |---|---|
//! | `normal`, `fast`, `slow`, `empty` | as the K12 ones |
//! | `huge` | the POST answers 400 "数据量超过 100 万条" |
//! | `cancelled` | the job is deleted half-way: its requests answer 404 |
//! | `never-finishes` | `ready` forever |
//! | `http500-once`, `http500-always`, `http502-once`, `http502-always`, `rate-limited`, `malformed-json`, `malformed-once`, `flaky` | on the job's GET |
//! | `javascript-url` | `download_url` is `javascript:alert(document.domain)` |
//! | `hostile-filename` | `file_name` is `../../<img src=x onerror=alert(1)>\u0000报表.csv` |
//! | `slow-start` | the POST answers after `startDelayMs` |
//! | `start-error` | the POST answers 403 `{"error_msg": "没有导出权限"}` |

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use k12_export_core::backends::minapp::wire::{CreateJob, Created, Job as WireJob, JobList, Meta};
use serde_json::json;

use crate::data;
use crate::error::ApiError;
use crate::hash::mix;
use crate::record::touched;
use crate::sim::clock::datetime_cst;
use crate::sim::job::{self, Header};
use crate::sim::knobs::{number, param, plays, Asked, Params};
use crate::sim::scenario::Scenario;
use crate::sim::timeline::Phase;
use crate::sim::wire::{HOSTILE_NAME, JAVASCRIPT_URL};
use crate::sim::writer::{publish, Cell, FileFormat, Table};
use crate::{lock, AppState};

/// The only table.
pub const TABLE: &str = "1";
/// Its name, in file names.
pub const TABLE_NAME: &str = "商品表";
/// Rows of the table when the request gives no `rows`.
pub const DEFAULT_ROWS: u64 = 48;
/// The one-job window when the request gives no `windowMs`.
pub const DEFAULT_WINDOW_MS: u64 = 60_000;
/// The answer to a second job within the window.
pub const TOO_SOON: &str = "1 分钟内只能创建一次导出任务";

/// The scenarios this backend supports.
pub const SCENARIOS: [Scenario; 19] = {
    use Scenario::*;
    Scenario::with_link_faults(&[Normal, Fast, Slow, Empty, Huge, Cancelled, NeverFinishes])
};

plays!(MinApp: SCENARIOS);

const KEYS: [&str; 5] = ["id", "name", "price", "amount", "created_at"];

/// The routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/userve/v1.5/table/{table_id}/export/", get(list).post(create))
        .route("/userve/v1.5/table/{table_id}/export/{job_id}/", get(job))
}

/// A job.
#[derive(Clone, Debug)]
pub(crate) struct Job {
    header: Header,
    job_id: String,
    request: CreateJob,
    token: Option<String>,
}

impl job::Job for Job {
    fn header(&self) -> &Header {
        &self.header
    }
}

fn error(status: StatusCode, msg: &str) -> Response {
    (status, Json(json!({ "error_msg": msg }))).into_response()
}

fn format_of(file_type: &str) -> Option<FileFormat> {
    match file_type {
        "csv" => Some(FileFormat::Csv),
        "json" => Some(FileFormat::Json),
        "xlsx" => Some(FileFormat::Xlsx),
        _ => None,
    }
}

fn table_exists(table: &str) -> Result<(), Box<Response>> {
    if table == TABLE {
        Ok(())
    } else {
        Err(Box::new(error(StatusCode::NOT_FOUND, "数据表不存在")))
    }
}

/// `POST …/export/`.
async fn create(
    State(state): State<AppState>,
    Path(table): Path<String>,
    Params(pairs): Params,
    Asked(knobs, _): Asked<MinApp>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let client = knobs.client.clone();
    let window = match param(&pairs, "windowMs") {
        None => DEFAULT_WINDOW_MS,
        Some(v) => number("windowMs", v, 3_600_000u64)?,
    };
    table_exists(&table).map_err(|r| knobs.refuse(*r))?;
    knobs.slow_start().await;
    if knobs.scenario == Scenario::StartError {
        return Ok(touched(error(StatusCode::FORBIDDEN, "没有导出权限"), None, &client));
    }
    let request: CreateJob = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return Ok(touched(error(StatusCode::BAD_REQUEST, &format!("数据格式错误：{e}")), None, &client)),
    };
    if format_of(&request.file_type).is_none() || !["all", "part"].contains(&request.mode.as_str()) {
        let r = error(StatusCode::BAD_REQUEST, "数据格式错误：file_type 只支持 csv、json、xlsx，mode 只支持 all、part");
        return Ok(touched(r, None, &client));
    }
    if knobs.scenario == Scenario::Huge {
        return Ok(touched(error(StatusCode::BAD_REQUEST, "数据量超过 100 万条，请分批导出"), None, &client));
    }
    let now = state.now_ms();
    let mut jobs = lock(&state.stores().minapp);
    let recent = jobs.newest_of(&client).next().is_some_and(|j| j.header.timeline.elapsed(now) < window);
    if recent {
        return Ok(touched(error(StatusCode::BAD_REQUEST, TOO_SOON), None, &client));
    }
    let rows = if knobs.scenario == Scenario::Empty { 0 } else { knobs.rows.unwrap_or(DEFAULT_ROWS) };
    let job_id: String = crate::files::new_token().chars().take(32).collect();
    let header = Header::new(&state, knobs, rows);
    let id = header.id;
    jobs.list.push(Job { header, job_id: job_id.clone(), request, token: None });
    let created = Created { status: "ok".to_owned(), job_id };
    Ok(touched((StatusCode::CREATED, Json(created)).into_response(), Some(id), &client))
}

fn gone(job: &Job, now_ms: u64) -> bool {
    let t = &job.header.timeline;
    job.header.knobs.scenario == Scenario::Cancelled && t.elapsed(now_ms) >= t.duration_ms / 2
}

fn file_name(job: &Job) -> String {
    if job.header.knobs.scenario == Scenario::HostileFilename {
        format!("{HOSTILE_NAME}.csv")
    } else {
        format!("{TABLE_NAME}_{}.{}", job.job_id, job.request.file_type)
    }
}

fn view(job: &Job, now_ms: u64, base: &str) -> WireJob {
    let t = &job.header.timeline;
    let elapsed = t.elapsed(now_ms);
    let scenario = job.header.knobs.scenario;
    let finished = t.phase(now_ms) == Phase::Complete && scenario != Scenario::NeverFinishes && job.token.is_some();
    let status = if finished {
        "finish"
    } else if elapsed < t.duration_ms / 5 {
        "pending"
    } else {
        "ready"
    };
    let download_url = match (&job.token, finished) {
        (_, true) if scenario == Scenario::JavascriptUrl => Some(JAVASCRIPT_URL.to_owned()),
        (Some(token), true) => Some(format!("{base}/files/{token}")),
        _ => None,
    };
    let updated = job.header.created_unix + i64::try_from(elapsed.min(t.duration_ms) / 1000).unwrap_or(0);
    WireJob {
        created_at: job.header.created_unix,
        download_url,
        file_name: finished.then(|| file_name(job)),
        file_type: job.request.file_type.clone(),
        job_id: job.job_id.clone(),
        operation: "export".to_owned(),
        status: status.to_owned(),
        updated_at: updated,
    }
}

/// The table's rows, with the job's column choice, order and conversions.
fn table(job: &Job) -> Table {
    let r = &job.request;
    let mut keys: Vec<String> = match &r.include_keys {
        Some(keep) => KEYS.iter().filter(|k| keep.iter().any(|x| x == *k)).map(|k| (*k).to_owned()).collect(),
        None => KEYS.iter().map(|k| (*k).to_owned()).collect(),
    };
    if let Some(drop) = &r.exclude_keys {
        keys.retain(|k| !drop.contains(k));
    }
    let convert = r.timestamp_convert_keys.clone().unwrap_or_default();
    let mut records: Vec<Vec<(String, Cell)>> = (0..job.header.timeline.rows)
        .map(|i| {
            let h = mix(0x4D1A ^ i);
            let created = 1_574_405_175 + i64::try_from(i * 3_600).unwrap_or(0);
            vec![
                ("id".to_owned(), Cell::Number((i + 1) as f64)),
                ("name".to_owned(), Cell::Text(format!("{}的商品", data::student(1005, i).name))),
                ("price".to_owned(), Cell::Number(((h % 10_000) as f64) / 100.0)),
                ("amount".to_owned(), Cell::Number((h % 500) as f64)),
                ("created_at".to_owned(), Cell::Number(created as f64)),
            ]
        })
        .collect();
    for field in r.order_by.iter().flatten().rev() {
        let (desc, key) = field.strip_prefix('-').map_or((false, field.as_str()), |k| (true, k));
        let value = |rec: &Vec<(String, Cell)>| rec.iter().find(|(k, _)| k == key).map(|(_, c)| c.clone());
        records.sort_by(|a, b| {
            let ord = match (value(a), value(b)) {
                (Some(Cell::Number(x)), Some(Cell::Number(y))) => x.total_cmp(&y),
                (Some(Cell::Text(x)), Some(Cell::Text(y))) => x.cmp(&y),
                _ => std::cmp::Ordering::Equal,
            };
            if desc {
                ord.reverse()
            } else {
                ord
            }
        });
    }
    let rows = records
        .iter()
        .map(|rec| {
            keys.iter()
                .map(|k| match rec.iter().find(|(name, _)| name == k).map(|(_, c)| c.clone()) {
                    Some(Cell::Number(n)) if convert.contains(k) => Cell::Text(datetime_cst(n as i64)),
                    Some(c) => c,
                    None => Cell::Text(String::new()),
                })
                .collect()
        })
        .collect();
    let custom = r.csv_customize_headers.clone().unwrap_or_default();
    let titles = keys.iter().enumerate().map(|(i, k)| custom.get(i).cloned().unwrap_or_else(|| k.clone())).collect();
    Table { keys, titles, rows }
}

/// Writes the job's file if it is complete and has none yet.
async fn ensure_file(state: &AppState, job_id: &str) -> Result<(), ApiError> {
    let now = state.now_ms();
    let job = {
        let jobs = lock(&state.stores().minapp);
        let due = |j: &&Job| {
            j.token.is_none()
                && j.header.timeline.phase(now) == Phase::Complete
                && j.header.knobs.scenario != Scenario::NeverFinishes
        };
        match jobs.list.iter().find(|j| j.job_id == job_id).filter(due) {
            Some(j) => j.clone(),
            None => return Ok(()),
        }
    };
    let format = format_of(&job.request.file_type).unwrap_or(FileFormat::Csv);
    let (id, client) = (job.header.id, job.header.client.clone());
    let token = publish(state, format, table(&job), file_name(&job), client, id).await?;
    if let Some(j) = lock(&state.stores().minapp).get_mut(id) {
        j.token.get_or_insert(token);
    }
    Ok(())
}

/// `GET …/export/{job_id}/`.
async fn job(
    State(state): State<AppState>,
    Path((table, job_id)): Path<(String, String)>,
    headers: HeaderMap,
    Asked(knobs, _): Asked<MinApp>,
) -> Result<Response, ApiError> {
    table_exists(&table).map_err(|r| knobs.refuse(*r))?;
    ensure_file(&state, &job_id).await?;
    let base = state.origin(&headers);
    let now = state.now_ms();
    let mut jobs = lock(&state.stores().minapp);
    let Some(job) = jobs.list.iter_mut().find(|j| j.job_id == job_id && !gone(j, now)) else {
        return Ok(touched(error(StatusCode::NOT_FOUND, "Not found."), None, &knobs.client));
    };
    job.header.respond(&view(job, now, &base))
}

/// `GET …/export/`: the client's jobs, newest first.
async fn list(
    State(state): State<AppState>,
    Path(table): Path<String>,
    headers: HeaderMap,
    Params(pairs): Params,
    Asked(knobs, _): Asked<MinApp>,
) -> Result<Response, ApiError> {
    table_exists(&table).map_err(|r| knobs.refuse(*r))?;
    let num = |name: &str, default: u64| -> Result<u64, ApiError> {
        param(&pairs, name).map_or(Ok(default), |v| number(name, v, 1_000_000u64))
    };
    let (limit, offset) = (num("limit", 20)?.max(1), num("offset", 0)?);
    // The list, like a job's own GET, is a request that sees finished jobs: their files are
    // written now, so that the list says `finish` with a `download_url` without a GET of each.
    let unwritten: Vec<String> = {
        let now = state.now_ms();
        let jobs = lock(&state.stores().minapp);
        let due = |j: &&Job| j.header.client == knobs.client && j.token.is_none() && !gone(j, now);
        jobs.list.iter().filter(due).map(|j| j.job_id.clone()).collect()
    };
    for job_id in unwritten {
        ensure_file(&state, &job_id).await?;
    }
    let base = state.origin(&headers);
    let now = state.now_ms();
    let jobs = lock(&state.stores().minapp);
    let mine: Vec<&Job> = jobs.newest_of(&knobs.client).filter(|j| !gone(j, now)).collect();
    let total = mine.len() as u64;
    let objects = mine
        .iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(|j| view(j, now, &base))
        .collect();
    let page = |o: u64| format!("{base}/userve/v1.5/table/{TABLE}/export/?limit={limit}&offset={o}");
    let meta = Meta {
        limit,
        next: (offset + limit < total).then(|| page(offset + limit)),
        offset,
        previous: (offset > 0).then(|| page(offset.saturating_sub(limit))),
        total_count: total,
    };
    Ok(touched(Json(JobList { meta, objects }).into_response(), None, &knobs.client))
}
