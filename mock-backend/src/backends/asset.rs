//! The asset system: export tasks that answer records (the widget builds the file), found in the
//! session's task list, with the document's error codes.
//!
//! ```text
//! GET  /api/async_task/{session}           {code:0, data:[{id, manager, create_time, number_need, number_succeed,
//!                                            finish, port_type}]}, by id
//! POST /api/export_task/{session}          [asset id, …] → {code:0, info:"Succeed"} (no task id, as documented)
//! GET  /api/export_task/{session}/{id}     {code:0, data:[asset records exported so far]}
//! errors: HTTP 400 {code, info}: 1 "您给出的session ID是非法的。" (not 1–32 letters and digits) or "您无此权限",
//!         2 "用户未找到" (any session but demo), 3 a body that is not a list of ids,
//!         4 "该API只可用于查看导出异步任务的成功记录" (an import task), 6 "对应id的异步任务不存在"
//! ```
//!
//! Session `demo` is the only one. Tasks are kept per client (`?client=`), and each client's list
//! starts with two older tasks, as in the document: an import (`port_type` 1) and an export
//! (`port_type` 2) that ended with failures. `finish` is 0 while running, 1 when every asset was
//! exported, 2 when some failed; `port_type` 2 is an export. Assets 1–500 exist (an unknown id
//! fails); asset 13 has a name that starts with `=` (a formula, for the widget's CSV to defuse).
//! `number_succeed` counts up over `durationMs`.
//!
//! | scenario | behaviour |
//! |---|---|
//! | `normal`, `fast`, `slow` | as the K12 ones |
//! | `partial` | every fourth asset fails: `finish` 2 |
//! | `fail` | the task stops at `failAt`%: `finish` 2 with the rest failed |
//! | `never-finishes` | `finish` stays 0, stalled at 63% |
//! | `http500-once`, `http500-always`, `http502-once`, `http502-always`, `rate-limited`, `malformed-json`, `malformed-once`, `flaky` | on the task-list requests after the POST |
//! | `almost-json` | every answer of the task is written like the document's examples (`"info":Succeed,`, bare dates, trailing commas) |
//! | `slow-start` | the POST answers after `startDelayMs` |
//! | `start-error` | the POST answers 400 `{code:1, info:"您无此权限"}` |

use std::collections::BTreeSet;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use k12_export_core::backends::asset::wire::{AssetRecord, Data, Info, Task};
use serde::Serialize;

use crate::data;
use crate::error::ApiError;
use crate::hash::mix;
use crate::record::touched;
use crate::sim::clock::{date_cst, datetime_cst, unix_now};
use crate::sim::job::{self, Header, JobStore};
use crate::sim::knobs::{plays, Asked, Knobs};
use crate::sim::scenario::{Scenario, WIRE_FAULTS};
use crate::sim::timeline::{Phase, Timeline};
use crate::sim::wire;
use crate::{lock, AppState};

/// The only session.
pub const SESSION: &str = "demo";
/// Assets that exist: 1 to this.
pub const ASSETS: u64 = 500;
/// The asset whose name is a formula.
pub const FORMULA_ASSET: u64 = 13;

/// The scenarios this backend supports.
pub const SCENARIOS: [Scenario; 17] = {
    use Scenario::*;
    Scenario::join(&[
        &[Normal, Fast, Slow, Partial, Fail, NeverFinishes],
        &WIRE_FAULTS,
        &[Flaky, AlmostJson, SlowStart, StartError],
    ])
};

plays!(AssetSystem: SCENARIOS);

/// The routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/async_task/{session}", get(tasks))
        .route("/api/export_task/{session}", axum::routing::post(create))
        .route("/api/export_task/{session}/{id}", get(records))
}

/// A task.
#[derive(Clone, Debug)]
pub(crate) struct Job {
    header: Header,
    port_type: i64,
    create_time: String,
    /// The assets, in order; `ok` says which will export.
    ids: Vec<(u64, bool)>,
    /// A finished task from the start (the two older tasks).
    done: bool,
}

impl job::Job for Job {
    fn header(&self) -> &Header {
        &self.header
    }
}

impl Job {
    /// (need, succeed, finish) at `now_ms`.
    fn counts(&self, now_ms: u64) -> (u64, u64, i64) {
        let need = self.ids.len() as u64;
        let ok_within = |n: u64| {
            self.ids.iter().take(usize::try_from(n).unwrap_or(usize::MAX)).filter(|(_, ok)| *ok).count() as u64
        };
        if self.done {
            let ok = ok_within(need);
            return (need, ok, if ok == need { 1 } else { 2 });
        }
        match self.header.timeline.phase(now_ms) {
            Phase::Running { done } => (need, ok_within(done), 0),
            Phase::Stopped { done } if self.header.knobs.scenario == Scenario::Fail => (need, ok_within(done), 2),
            Phase::Stopped { done } => (need, ok_within(done), 0),
            Phase::Complete => {
                let ok = ok_within(need);
                (need, ok, if ok == need { 1 } else { 2 })
            }
        }
    }

    fn task(&self, now_ms: u64) -> Task {
        let (number_need, number_succeed, finish) = self.counts(now_ms);
        Task {
            id: self.header.id,
            manager: "liusn".to_owned(),
            create_time: self.create_time.clone(),
            number_need,
            number_succeed,
            finish,
            port_type: self.port_type,
        }
    }
}

/// The asset system's tasks, and the clients whose lists have their two older tasks.
#[derive(Debug, Default)]
pub(crate) struct Tasks {
    jobs: JobStore<Job>,
    seeded: BTreeSet<String>,
}

impl Tasks {
    /// Forgets the tasks of one client, or of all.
    pub(crate) fn clear(&mut self, client: Option<&str>) {
        self.jobs.clear(client);
        match client {
            Some(c) => {
                self.seeded.remove(c);
            }
            None => self.seeded.clear(),
        }
    }
}

fn fail(code: i64, info: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(Info { code, info: info.to_owned() })).into_response()
}

/// The session check of every route.
fn session_ok(session: &str) -> Result<(), Box<Response>> {
    if session == SESSION {
        Ok(())
    } else if session.is_empty() || session.len() > 32 || !session.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Err(Box::new(fail(1, "您给出的session ID是非法的。")))
    } else {
        Err(Box::new(fail(2, "用户未找到")))
    }
}

/// The asset record of `id`.
pub fn record(id: u64) -> AssetRecord {
    const NAMES: [&str; 6] = ["办公椅", "笔记本电脑", "投影仪", "会议桌", "打印机", "显示器"];
    const TREES: [&str; 3] = ["默认分类", "电子设备", "办公家具"];
    let h = mix(0xA55E7 ^ id);
    let kind = usize::try_from(h % 6).unwrap_or(0);
    let name = if id == FORMULA_ASSET {
        "=HYPERLINK(\"http://example.com\",\"点我\")".to_owned()
    } else {
        format!("{}-{id:03}", NAMES[kind])
    };
    let price = ((h >> 8) % 500_000) as f64 / 100.0;
    let created = 1_685_145_600 + i64::try_from((h >> 20) % 400).unwrap_or(0) * 86_400;
    let deadline = 365 * (1 + i64::try_from((h >> 30) % 5).unwrap_or(0));
    AssetRecord {
        id,
        parentName: String::new(),
        name,
        assetClass: i64::from(kind >= 3),
        userName: data::student(1001, id).name,
        price,
        description: if id.is_multiple_of(7) { "含配件, 见附件".to_owned() } else { String::new() },
        position: format!("主楼 {} 层", 1 + h % 6),
        expire: 0,
        count: if kind >= 3 { 1 + i64::try_from(h % 20).unwrap_or(0) } else { 1 },
        assetTree: TREES[usize::try_from(h % 3).unwrap_or(0)].to_owned(),
        departmentName: "CST".to_owned(),
        create_time: date_cst(created),
        deadline,
        initial_price: price,
        warning_amount: -1,
        warning_date: -1,
        expire_date: date_cst(created + deadline * 86_400),
        status: 1,
    }
}

/// Seeds a client's list with the two older tasks, once.
fn seed(state: &AppState, tasks: &mut Tasks, client: &str) {
    if !tasks.seeded.insert(client.to_owned()) {
        return;
    }
    let now = state.now_ms();
    let base = unix_now() - 86_400;
    for (port_type, need, failing) in [(1, 10, 0), (2, 100, 2)] {
        let knobs = Knobs { client: client.to_owned(), ..Knobs::default() };
        let mut header = Header::new(state, knobs, need);
        header.timeline = Timeline { created_ms: now, duration_ms: 0, rows: need, stop_rows: None };
        let ids = (1..=need).map(|i| (i, i <= need - failing)).collect();
        let create_time = datetime_cst(base + i64::try_from(header.id).unwrap_or(0));
        tasks.jobs.list.push(Job { header, port_type, create_time, ids, done: true });
    }
}

/// Serialises `value`, or writes it like the document's examples for `almost-json`.
fn answer<T: Serialize>(value: &T, scenario: Scenario, index: u64) -> Result<Response, ApiError> {
    let text = serde_json::to_string_pretty(value).map_err(|e| ApiError::Internal(e.to_string()))?;
    let text = if scenario == Scenario::AlmostJson { almost_json(&text) } else { text };
    Ok(wire::status_answer(text, scenario, index))
}

/// Pretty JSON as the document writes it: string values that look like words or dates lose their
/// quotes, and every last member gets a trailing comma.
pub fn almost_json(pretty: &str) -> String {
    let mut out = Vec::new();
    for line in pretty.lines() {
        let mut line = line.to_owned();
        if let Some((key, value)) = line.split_once("\": \"") {
            let value_end = value.trim_end_matches(',');
            if let Some(inner) = value_end.strip_suffix('"') {
                let bare =
                    !inner.is_empty() && inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                if bare {
                    let comma = if value.ends_with(',') { "," } else { "" };
                    line = format!("{key}\": {inner}{comma}");
                }
            }
        }
        let closing = line.trim_start().starts_with(['}', ']']);
        if closing {
            if let Some(prev) = out.last_mut() {
                let p: &mut String = prev;
                if !p.ends_with(',') && !p.ends_with('{') && !p.ends_with('[') {
                    p.push(',');
                }
            }
        }
        out.push(line);
    }
    out.join("\n")
}

/// `GET /api/async_task/{session}`.
async fn tasks(
    State(state): State<AppState>,
    Path(session): Path<String>,
    Asked(knobs, _): Asked<AssetSystem>,
) -> Result<Response, ApiError> {
    session_ok(&session).map_err(|r| knobs.refuse(*r))?;
    let now = state.now_ms();
    let mut tasks = lock(&state.stores().asset);
    seed(&state, &mut tasks, &knobs.client);
    // Faults follow the client's latest export task, counted per request after its creation.
    let latest = tasks.jobs.list.iter_mut().rev().find(|j| j.header.client == knobs.client && !j.done);
    let (scenario, index, job, fault) = match latest {
        Some(j) => {
            let index = j.header.poll();
            (j.header.knobs.scenario, index, Some(j.header.id), j.header.fault(index))
        }
        None => (Scenario::Normal, 0, None, None),
    };
    if let Some(r) = fault {
        return Ok(touched(r, job, &knobs.client));
    }
    let data: Vec<Task> = tasks.jobs.newest_of(&knobs.client).rev().map(|j| j.task(now)).collect();
    Ok(touched(answer(&Data { code: 0, data }, scenario, index)?, job, &knobs.client))
}

/// `POST /api/export_task/{session}`: a bare JSON list of asset ids.
async fn create(
    State(state): State<AppState>,
    Path(session): Path<String>,
    Asked(knobs, _): Asked<AssetSystem>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let client = knobs.client.clone();
    session_ok(&session).map_err(|r| knobs.refuse(*r))?;
    knobs.slow_start().await;
    if knobs.scenario == Scenario::StartError {
        return Ok(touched(fail(1, "您无此权限"), None, &client));
    }
    let Ok(ids) = serde_json::from_slice::<Vec<u64>>(&body) else {
        return Ok(touched(fail(3, "请求参数必须是资产 id 的列表"), None, &client));
    };
    let mut seen = BTreeSet::new();
    let ids: Vec<(u64, bool)> = ids
        .into_iter()
        .filter(|id| seen.insert(*id))
        .enumerate()
        .map(|(i, id)| {
            let exists = (1..=ASSETS).contains(&id);
            (id, exists && !(knobs.scenario == Scenario::Partial && i % 4 == 3))
        })
        .collect();
    let mut tasks = lock(&state.stores().asset);
    seed(&state, &mut tasks, &client);
    let scenario = knobs.scenario;
    let rows = ids.len() as u64;
    let header = Header::new(&state, knobs, rows);
    let id = header.id;
    let create_time = datetime_cst(header.created_unix);
    tasks.jobs.list.push(Job { header, port_type: 2, create_time, ids, done: false });
    let body = answer(
        &Info { code: 0, info: "Succeed".to_owned() },
        if scenario == Scenario::AlmostJson { scenario } else { Scenario::Normal },
        1,
    )?;
    Ok(touched(body, Some(id), &client))
}

/// `GET /api/export_task/{session}/{id}`: the records exported so far.
async fn records(
    State(state): State<AppState>,
    Path((session, id)): Path<(String, String)>,
    Asked(knobs, _): Asked<AssetSystem>,
) -> Result<Response, ApiError> {
    session_ok(&session).map_err(|r| knobs.refuse(*r))?;
    let now = state.now_ms();
    let tasks = lock(&state.stores().asset);
    let Some(job) =
        id.parse::<u64>().ok().and_then(|id| tasks.jobs.newest_of(&knobs.client).find(|j| j.header.id == id))
    else {
        return Ok(touched(fail(6, "对应id的异步任务不存在"), None, &knobs.client));
    };
    if job.port_type == 1 {
        return Ok(touched(fail(4, "该API只可用于查看导出异步任务的成功记录"), Some(job.header.id), &knobs.client));
    }
    let (_, succeed, _) = job.counts(now);
    let data: Vec<AssetRecord> = job
        .ids
        .iter()
        .filter(|(_, ok)| *ok)
        .take(usize::try_from(succeed).unwrap_or(usize::MAX))
        .map(|(id, _)| record(*id))
        .collect();
    let scenario =
        if job.header.knobs.scenario == Scenario::AlmostJson { Scenario::AlmostJson } else { Scenario::Normal };
    Ok(touched(answer(&Data { code: 0, data }, scenario, 1)?, Some(job.header.id), &knobs.client))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn almost_json_looks_like_the_document_and_the_widget_reads_it() {
        let text = almost_json(&serde_json::to_string_pretty(&Info { code: 0, info: "Succeed".into() }).unwrap());
        assert!(text.contains("\"info\": Succeed,"), "{text}");
        assert!(serde_json::from_str::<serde_json::Value>(&text).is_err());
        let read = k12_export_core::codec::lenient::parse(&text).unwrap();
        assert_eq!(read.get("info").and_then(k12_export_core::json::Json::as_str), Some("Succeed"));
        let rec = almost_json(&serde_json::to_string_pretty(&Data { code: 0, data: vec![record(1)] }).unwrap());
        assert!(rec.contains("\"create_time\": 20"), "{rec}");
        assert!(k12_export_core::codec::lenient::parse(&rec).is_ok(), "{rec}");
    }

    #[test]
    fn sessions_are_checked_with_the_documents_codes() {
        assert!(session_ok("demo").is_ok());
        assert_eq!(session_ok("a b").unwrap_err().status(), StatusCode::BAD_REQUEST);
        assert_eq!(session_ok("nobody").unwrap_err().status(), StatusCode::BAD_REQUEST);
    }
}
