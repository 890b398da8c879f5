//! The session's task list (`GET /api/async_task/{session}`, export tasks only) and re-downloads
//! of a task's records (`GET /api/export_task/{session}/{id}`) as a CSV built here (see
//! [`crate::history`]).
//!
//! - Import tasks (`port_type` 1) are left out. The list comes oldest first; it is turned round
//!   by id (then sorted by `create_time`, China time, by the machine).
//! - `finish` 0 is running, with `number_succeed / number_need`; 1 done; 2 failed ("部分资产导出失败：
//!   成功 n / m") but downloadable when some assets were exported — the records are those that
//!   were — and not when none were ("没有资产导出成功").
//! - The list has no paging: its answer may be up to 8 MiB ([`LIST_LIMIT`]); a task's records
//!   up to 128 MiB ([`RECORDS_LIMIT`]), as for an export.
//! - The tasks have no name: the title is `导出任务 {id}`, and the file is saved as
//!   `{filename}-{id}.csv`, `filename` being the button's (default `资产导出`).

use super::{build_csv, envelope, DEFAULT_FILENAME, PORT_IMPORT};
use crate::codec::csv;
use crate::codec::json::Json;
use crate::error::{FailKind, Failure, OptionsError};
use crate::http::{encode, Base, HttpRequest, LIST_LIMIT, RECORDS_LIMIT};
use crate::seam::fields::Fields;
use crate::seam::{Ctx, HistoryEntry, HistoryItem, HistorySource, JobState, Reply};
use crate::small_std::sort_small;

/// The asset system's export tasks of one session.
#[derive(Clone, Debug)]
pub struct AssetHistory {
    base: Base,
    session: String,
    stem: String,
}

impl AssetHistory {
    /// The export tasks of `session` under `base`; files are saved as `{stem}-{id}.csv`.
    pub fn new(base: Base, session: &str, stem: &str) -> AssetHistory {
        let stem = match stem.len().checked_sub(4) {
            Some(i) if stem.is_char_boundary(i) && stem[i..].eq_ignore_ascii_case(".csv") => &stem[..i],
            _ => stem,
        };
        AssetHistory { base, session: session.to_owned(), stem: stem.to_owned() }
    }

    /// From the button's options: `baseUrl`, `query`, `session` (required), `filename`.
    pub fn from_options(ctx: &Ctx<'_>) -> Result<Box<dyn HistorySource>, OptionsError> {
        let f = Fields::new(ctx.options);
        let base = f.base()?;
        let session = f.required_string("session")?;
        Ok(Box::new(AssetHistory::new(base, &session, ctx.filename.unwrap_or(DEFAULT_FILENAME))))
    }

    /// One task of the list, `None` without an id or for an import task.
    pub fn read_item(&self, v: &Json) -> Option<HistoryEntry> {
        if v.get("port_type").and_then(Json::as_i64) == Some(PORT_IMPORT) {
            return None;
        }
        let id = v.get("id").and_then(Json::as_text)?.trim().to_owned();
        let need = v.get("number_need").and_then(Json::as_number);
        let succeed = v.get("number_succeed").and_then(Json::as_number);
        // Written as JSON numbers: an f64 in `format!` would bring float printing into the wasm.
        let counts = || format!("{} / {}", Json::Num(succeed.unwrap_or(0.0)), Json::Num(need.unwrap_or(0.0)));
        let (state, detail, downloadable) = match v.get("finish").and_then(Json::as_i64) {
            Some(0) => (JobState::Running, None, false),
            Some(1) => (JobState::Done, None, true),
            Some(2) if succeed.is_some_and(|n| n > 0.0) => {
                (JobState::Failed, Some(format!("部分资产导出失败：成功 {}", counts())), true)
            }
            Some(2) => (JobState::Failed, Some("没有资产导出成功".to_owned()), false),
            _ => {
                let raw = v.get("finish").unwrap_or(&Json::Null);
                (JobState::Failed, Some(format!("未知的任务状态：{raw}")), false)
            }
        };
        let mut item = HistoryItem::new(&id, None, state)
            .created(v.get("create_time"))
            .progress(succeed, need)
            .detail(detail.as_deref());
        item.downloadable = downloadable;
        Some(HistoryEntry { item, link: None, filename: format!("{}-{id}.csv", self.stem) })
    }
}

impl HistorySource for AssetHistory {
    fn list_request(&self, _limit: usize) -> HttpRequest {
        self.base.get(&format!("/api/async_task/{}", encode(&self.session)), &[]).limit(LIST_LIMIT)
    }

    fn read_list(&self, status: u16, body: &str) -> Result<Vec<HistoryEntry>, Reply> {
        match envelope(status, body)? {
            Json::Arr(items) => {
                let mut entries: Vec<HistoryEntry> = items.iter().filter_map(|t| self.read_item(t)).collect();
                // Oldest first on the wire: newest (highest id) first here.
                entries.reverse();
                let id = |e: &HistoryEntry| e.item.id.parse::<i64>().unwrap_or(i64::MIN);
                sort_small(&mut entries, |a, b| id(a) > id(b));
                Ok(entries)
            }
            Json::Null => Ok(Vec::new()),
            _ => Err(Reply::Retry(Failure::new(FailKind::BadResponse).detail(Some("the task list is not a list")))),
        }
    }

    fn link_request(&self, entry: &HistoryEntry) -> Option<HttpRequest> {
        let (session, id) = (encode(&self.session), encode(&entry.item.id));
        Some(self.base.get(&format!("/api/export_task/{session}/{id}"), &[]).limit(RECORDS_LIMIT))
    }

    fn read_link(&self, entry: &HistoryEntry, status: u16, body: &str) -> Reply {
        let records = match envelope(status, body) {
            Ok(Json::Arr(items)) => items,
            Ok(one @ Json::Obj(_)) => vec![one],
            Ok(Json::Null) => Vec::new(),
            Ok(_) => return Reply::Retry(Failure::new(FailKind::BadResponse).detail(Some("records are not a list"))),
            Err(reply) => return reply,
        };
        Reply::File { bytes: build_csv(&records), mime: csv::MIME, filename: entry.filename.clone() }
    }
}
