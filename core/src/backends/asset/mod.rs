//! The asset system (`protocol: "asset"`): an export task that answers records, not a file; the CSV
//! is built here.
//!
//! ```text
//! GET  {baseUrl}/api/async_task/{session}        → {code: 0, data: [{id, manager, create_time, number_need,
//!                                                    number_succeed, finish, port_type}, …]}
//! POST {baseUrl}/api/export_task/{session}       [asset id, …]  → {code: 0, info: "Succeed"}   (no task id!)
//! GET  {baseUrl}/api/export_task/{session}/{id}  → {code: 0, data: [{id, name, assetClass, userName, price, …}, …]}
//! errors: HTTP 400 {code, info}: 1 illegal session, 2 user not found, 4 not an export task, 6 no such task
//! ```
//!
//! Flow, with the machine's generic `Prepare` step:
//!
//! 1. **Prepare**: list the session's tasks and remember their ids (a snapshot). This also checks
//!    the session before anything is created.
//! 2. **Start**: post the asset ids. The answer names no task.
//! 3. **Poll**: list the tasks again and pick *our* task: an export task (see `port_type`) whose id
//!    was not in the snapshot; if several appeared (another tab exporting at the same moment),
//!    prefer one whose `number_need` equals the number of ids sent, then the newest (highest id,
//!    else latest in the list). Once picked, the task is followed by id. Progress is
//!    `number_succeed / number_need`.
//! 4. **Link**: fetch the task's records and build the file: a CSV (see [`crate::codec::csv`]) handed over
//!    as `Reply::File`, which the browser saves through a Blob URL.
//!
//! # Options
//!
//! ```text
//! { "protocol": "asset", "baseUrl": "http://127.0.0.1:8080", "session": "demo",
//!   "assetIds": [1, 2, 3], "filename": "资产导出", "query": {…} }
//! ```
//!
//! - `session` (required): the session id in every path.
//! - `assetIds` (required): a non-empty array of positive integers, at most 100,000.
//! - `filename` (common option; default `资产导出`): `.csv` is added when missing.
//!
//! # Decisions where the document is silent
//!
//! - `finish`: 0 running, 1 done, 2 done with failures — as the system's own task list shows them
//!   (进行中 / 成功 / 失败; a task still at 0 after five minutes is closed as 1 or 2). With 2, the
//!   task's records are those that *were* exported (the document: "对导出失败的资产加以记录"), so the
//!   file is built from them; only when none succeeded does the export fail ("没有资产导出成功").
//!   Another value is an unusable answer (retried, then a bad response).
//! - `port_type`: 1 is an import task, anything else (2) an export task — the system's own task
//!   list renders `port_type === 1 ? "导入" : "导出"`. The document's example shows 1 on both rows;
//!   those are taken to be imports.
//! - The request body is a bare JSON array of ids (the document's `{ [1, 2, 3,] }` is not JSON).
//! - Answers are read leniently (see [`crate::codec::lenient`]): the document's examples have bare words
//!   (`"info":Succeed`, `"userName": liusn`) and trailing commas. `code` may be missing (success)
//!   or a numeric string. A non-zero `code` fails with `info`.
//! - Our task not in the list yet: "running" for up to 10 polls, then the export fails; a picked
//!   task that disappears from the list fails the same way.
//! - `data` of the records may be one object instead of a list; it is taken as one record.
//! - Columns: the known fields in a fixed order under Chinese titles (资产编号, 资产名称, 上级资产,
//!   资产类型, 使用者, 资产价值, 原始价值, 资产数量, 所属品类, 所属部门, 位置信息, 描述信息, 资产状态,
//!   创建日期, 使用期限, 到期日期, 是否过期, 数量告警线, 年限告警线, 图片链接), then any other field
//!   under its own name, in the order first seen; known fields absent from every record are left
//!   out. `assetClass` 0/1 is written 条目型/数量型 and `expire` 0/1 否/是, as the system shows
//!   them; other values, and every other field, as given (objects and arrays as JSON text).
//! - XLSX is not built (see [`crate::codec::csv`]).
//! - Answer sizes ([`crate::http#size-limits`]): the task list, which has no paging, may be up to
//!   8 MiB ([`LIST_LIMIT`]); the records up to 128 MiB ([`RECORDS_LIMIT`]: 100,000 assets at
//!   1.3 KB each).

use crate::codec::csv::{self, Cell};
use crate::codec::json::Json;
use crate::codec::lenient;
use crate::error::{FailKind, Failure, OptionsError};
use crate::http::{encode, Base, HttpRequest, LIST_LIMIT, RECORDS_LIMIT};
use crate::seam::answer::{data, message, status_failure};
use crate::seam::fields::Fields;
use crate::seam::{Adapter, Built, Ctx, Reply, Step};

pub mod history;
pub mod wire;

/// The option fields of this protocol.
pub const OPTION_KEYS: &[&str] = &["baseUrl", "query", "session", "assetIds"];

/// The file's name when the options give none.
pub const DEFAULT_FILENAME: &str = "资产导出";

/// Polls that may pass without our task in the list before the export fails.
pub const MAX_MISSES: u32 = 10;

/// The `port_type` of an import task; every other value is an export.
pub const PORT_IMPORT: i64 = 1;

/// Known record fields, in column order, with their titles.
pub const COLUMNS: &[(&str, &str)] = &[
    ("id", "资产编号"),
    ("name", "资产名称"),
    ("parentName", "上级资产"),
    ("assetClass", "资产类型"),
    ("userName", "使用者"),
    ("price", "资产价值"),
    ("initial_price", "原始价值"),
    ("count", "资产数量"),
    ("assetTree", "所属品类"),
    ("departmentName", "所属部门"),
    ("position", "位置信息"),
    ("description", "描述信息"),
    ("status", "资产状态"),
    ("create_time", "创建日期"),
    ("deadline", "使用期限"),
    ("expire_date", "到期日期"),
    ("expire", "是否过期"),
    ("warning_amount", "数量告警线"),
    ("warning_date", "年限告警线"),
    ("picture_link", "图片链接"),
];

/// The asset-system adapter.
#[derive(Clone, Debug)]
pub struct AssetSystem {
    base: Base,
    session: String,
    ids: Vec<i64>,
    filename: String,
    snapshot: Option<Vec<String>>,
    job: Option<String>,
    misses: u32,
}

impl AssetSystem {
    /// An adapter exporting `ids` through `session`, saving as `filename` (`.csv` added if missing).
    pub fn new(base: Base, session: &str, ids: Vec<i64>, filename: &str) -> AssetSystem {
        let filename = if filename.to_ascii_lowercase().ends_with(".csv") {
            filename.to_owned()
        } else {
            format!("{filename}.csv")
        };
        AssetSystem { base, session: session.to_owned(), ids, filename, snapshot: None, job: None, misses: 0 }
    }

    /// Builds the adapter from the options object (see the module docs).
    pub fn from_options(ctx: &Ctx<'_>) -> Result<Built, OptionsError> {
        let f = Fields::new(ctx.options);
        let base = f.base()?;
        let session = f.required_string("session")?;
        let ids = match f.get("assetIds") {
            Some(Json::Arr(items)) if !items.is_empty() && items.len() <= 100_000 => items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    match item {
                        Json::Num(_) => item.as_i64().filter(|&n| n > 0),
                        _ => None,
                    }
                    .ok_or_else(|| OptionsError::new(&format!("options.assetIds[{i}]"), "must be a positive integer"))
                })
                .collect::<Result<Vec<_>, _>>()?,
            _ => {
                return Err(OptionsError::new(
                    "options.assetIds",
                    "is required (a non-empty array of at most 100000 asset ids)",
                ))
            }
        };
        let name = ctx.filename.unwrap_or(DEFAULT_FILENAME);
        let adapter = AssetSystem::new(base, &session, ids, name);
        let shown = adapter.filename.clone();
        Ok(Built { adapter: Box::new(adapter), default_filename: Some(shown) })
    }

    /// The session's whole task list (no paging): [`LIST_LIMIT`].
    fn tasks_request(&self) -> HttpRequest {
        self.base.get(&format!("/api/async_task/{}", encode(&self.session)), &[]).limit(LIST_LIMIT)
    }

    fn distinct_ids(&self) -> usize {
        let mut ids = self.ids.clone();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    }

    fn read_tasks(&mut self, list: &[Json]) -> Reply {
        let id_of = |t: &Json| t.get("id").and_then(Json::as_text).map(|s| s.trim().to_owned());
        if self.job.is_none() {
            let snapshot = self.snapshot.clone().unwrap_or_default();
            let want = self.distinct_ids() as i64;
            let best = list
                .iter()
                .enumerate()
                .filter_map(|(i, t)| id_of(t).map(|id| (i, t, id)))
                .filter(|(_, t, id)| {
                    !snapshot.contains(id) && t.get("port_type").and_then(Json::as_i64) != Some(PORT_IMPORT)
                })
                .max_by_key(|(i, t, id)| {
                    let matches = t.get("number_need").and_then(Json::as_i64) == Some(want);
                    (matches, id.parse::<i64>().unwrap_or(-1), *i)
                })
                .map(|(_, _, id)| id);
            self.job = best;
        }
        let task = self.job.as_ref().and_then(|job| list.iter().find(|t| id_of(t).as_ref() == Some(job)));
        let Some(task) = task else {
            self.misses += 1;
            if self.misses > MAX_MISSES {
                let what = if self.job.is_some() {
                    "导出任务不见了"
                } else {
                    "任务列表里找不到刚创建的导出任务"
                };
                return Reply::Failed(Failure::new(FailKind::Server).detail(Some(what)));
            }
            return Reply::Pending { filename: None };
        };
        self.misses = 0;
        let need = task.get("number_need").and_then(Json::as_number);
        let succeed = task.get("number_succeed").and_then(Json::as_number);
        match task.get("finish").and_then(Json::as_i64) {
            Some(0) => match (succeed, need) {
                (Some(loaded), Some(total)) if loaded >= 0.0 && total > 0.0 => {
                    Reply::Progress { loaded, total, filename: None }
                }
                _ => Reply::Pending { filename: None },
            },
            Some(1) => Reply::WorkDone { filename: None },
            Some(2) if succeed.is_some_and(|n| n > 0.0) => Reply::WorkDone { filename: None },
            Some(2) => Reply::Failed(Failure::new(FailKind::Server).detail(Some("导出失败：没有资产导出成功"))),
            _ => Reply::Retry(Failure::new(FailKind::BadResponse).detail(Some("unknown finish"))),
        }
    }
}

/// Reads `{code, info, data}` leniently: `Ok(data)` on success.
fn envelope(status: u16, body: &str) -> Result<Json, Reply> {
    if !(200..300).contains(&status) {
        let detail = lenient::parse(body).ok().as_ref().and_then(message);
        let failure = status_failure(FailKind::Http, status, "").detail(detail.as_deref());
        return Err(Reply::Failed(failure));
    }
    match lenient::parse(body) {
        Ok(v @ Json::Obj(_)) => data(v, "code"),
        _ => Err(Reply::Retry(Failure::new(FailKind::BadResponse))),
    }
}

/// Builds the CSV of `records` (see the module docs for the columns).
pub fn build_csv(records: &[Json]) -> Vec<u8> {
    let mut keys: Vec<(String, String)> = Vec::new();
    for (key, title) in COLUMNS {
        if records.iter().any(|r| r.get(key).is_some()) {
            keys.push(((*key).to_owned(), (*title).to_owned()));
        }
    }
    for r in records {
        if let Json::Obj(members) = r {
            for (k, _) in members {
                if !keys.iter().any(|(known, _)| known == k) {
                    keys.push((k.clone(), k.clone()));
                }
            }
        }
    }
    let header: Vec<String> = keys.iter().map(|(_, title)| title.clone()).collect();
    let rows: Vec<Vec<Cell>> = records.iter().map(|r| keys.iter().map(|(k, _)| cell(k, r.get(k))).collect()).collect();
    csv::build(&header, &rows)
}

fn cell(key: &str, v: Option<&Json>) -> Cell {
    let Some(v) = v else { return Cell::Text(String::new()) };
    match (key, v.as_i64()) {
        ("assetClass", Some(0)) => return Cell::Text("条目型".into()),
        ("assetClass", Some(1)) => return Cell::Text("数量型".into()),
        ("expire", Some(0)) => return Cell::Text("否".into()),
        ("expire", Some(1)) => return Cell::Text("是".into()),
        _ => {}
    }
    match v {
        Json::Null => Cell::Text(String::new()),
        Json::Num(n) if n.is_finite() => Cell::Number(*n),
        Json::Str(s) => Cell::Text(s.clone()),
        other => Cell::Text(other.to_string()),
    }
}

impl Adapter for AssetSystem {
    fn reset(&mut self) {
        self.snapshot = None;
        self.job = None;
        self.misses = 0;
    }

    fn reports_progress(&self) -> bool {
        true
    }

    fn request(&mut self, step: Step) -> Option<HttpRequest> {
        let session = encode(&self.session);
        Some(match step {
            // Its progress always has numbers; its records endpoint needs a finished job.
            Step::Probe => return None,
            Step::Prepare | Step::Poll => self.tasks_request(),
            Step::Start => {
                let ids = Json::Arr(self.ids.iter().map(|&id| Json::from(id)).collect());
                self.base.post(&format!("/api/export_task/{session}"), &ids)
            }
            Step::Link => {
                let job = encode(self.job.as_deref()?);
                self.base.get(&format!("/api/export_task/{session}/{job}"), &[]).limit(RECORDS_LIMIT)
            }
        })
    }

    fn read(&mut self, step: Step, status: u16, body: &str) -> Reply {
        let data = match envelope(status, body) {
            Ok(d) => d,
            Err(r) => return r,
        };
        match step {
            Step::Probe => Reply::Pending { filename: None },
            Step::Prepare => match &data {
                Json::Arr(list) => {
                    let ids =
                        list.iter().filter_map(|t| t.get("id").and_then(Json::as_text)).map(|s| s.trim().to_owned());
                    self.snapshot = Some(ids.collect());
                    Reply::Pending { filename: None }
                }
                _ => Reply::Retry(Failure::new(FailKind::BadResponse).detail(Some("the task list is not a list"))),
            },
            Step::Start => Reply::Pending { filename: None },
            Step::Poll => match &data {
                Json::Arr(list) => self.read_tasks(list),
                _ => Reply::Retry(Failure::new(FailKind::BadResponse).detail(Some("the task list is not a list"))),
            },
            Step::Link => {
                let records = match data {
                    Json::Arr(items) => items,
                    one @ Json::Obj(_) => vec![one],
                    Json::Null => Vec::new(),
                    _ => {
                        return Reply::Retry(Failure::new(FailKind::BadResponse).detail(Some("records are not a list")))
                    }
                };
                Reply::File { bytes: build_csv(&records), mime: csv::MIME, filename: self.filename.clone() }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adapter() -> AssetSystem {
        AssetSystem::new(Base::at(""), "demo", vec![1, 2, 3], "资产")
    }

    fn list(text: &str) -> Vec<Json> {
        match Json::parse(text).unwrap() {
            Json::Arr(items) => items,
            _ => panic!(),
        }
    }

    #[test]
    fn our_task_is_the_new_export_task_that_matches_the_ids() {
        let mut a = adapter();
        a.snapshot = Some(vec!["1".into(), "2".into()]);
        let tasks = list(
            r#"[{"id":1,"port_type":2,"finish":0},{"id":2,"port_type":1,"finish":0},
                {"id":3,"port_type":1,"number_need":3,"number_succeed":0,"finish":0},
                {"id":4,"port_type":2,"number_need":3,"number_succeed":1,"finish":0},
                {"id":5,"port_type":2,"number_need":9,"number_succeed":0,"finish":0}]"#,
        );
        assert_eq!(a.read_tasks(&tasks), Reply::Progress { loaded: 1.0, total: 3.0, filename: None });
        assert_eq!(a.job.as_deref(), Some("4"));
    }

    #[test]
    fn finish_values_map_to_replies() {
        let mut a = adapter();
        a.snapshot = Some(Vec::new());
        let one = |finish: i64, ok: u64| {
            list(&format!(r#"[{{"id":7,"port_type":2,"number_need":3,"number_succeed":{ok},"finish":{finish}}}]"#))
        };
        assert_eq!(a.read_tasks(&one(1, 3)), Reply::WorkDone { filename: None });
        assert_eq!(a.read_tasks(&one(2, 2)), Reply::WorkDone { filename: None });
        assert!(matches!(a.read_tasks(&one(2, 0)), Reply::Failed(f) if f.kind == FailKind::Server));
        assert!(matches!(a.read_tasks(&one(7, 0)), Reply::Retry(_)));
    }

    #[test]
    fn the_csv_has_chinese_titles_known_columns_first_and_defused_cells() {
        let records = list(
            r#"[{"id":1,"name":"=cmd|' /C calc'!A0","assetClass":0,"price":10.5,"extra":"x","warning_amount":-1},
                {"id":2,"name":"椅子, 蓝色","assetClass":1,"expire":1}]"#,
        );
        let csv = String::from_utf8(build_csv(&records)).unwrap();
        assert_eq!(
            csv,
            "\u{FEFF}资产编号,资产名称,资产类型,资产价值,是否过期,数量告警线,extra\r\n\
             1,'=cmd|' /C calc'!A0,条目型,10.5,,-1,x\r\n\
             2,\"椅子, 蓝色\",数量型,,是,,\r\n"
        );
    }
}
