//! The job list (`GET …/export/?limit=&offset=0`) and re-downloads from the job's own
//! `download_url` (see [`crate::history`]).
//!
//! `pending` is queued, `ready` running, `finish` done (downloadable when it has a
//! `download_url`); `created_at` is in epoch seconds. MinApp gives no numbers. The file is saved
//! as the job's `file_name`, else the title plus the URL's extension. A 404 (no such table)
//! fails with the body's message.

use crate::codec::json::Json;
use crate::error::{FailKind, Failure, OptionsError};
use crate::http::{encode, Base, HttpRequest};
use crate::seam::answer::{list, text};
use crate::seam::fields::Fields;
use crate::seam::{Ctx, HistoryEntry, HistoryItem, HistorySource, JobState, Reply};

/// MinApp's export jobs of one table.
#[derive(Clone, Debug)]
pub struct MinAppHistory {
    base: Base,
    table: String,
}

impl MinAppHistory {
    /// From the button's options: `baseUrl`, `query`, `tableId` (required).
    pub fn from_options(ctx: &Ctx<'_>) -> Result<Box<dyn HistorySource>, OptionsError> {
        let f = Fields::new(ctx.options);
        Ok(Box::new(MinAppHistory { base: f.base()?, table: super::table(&f)? }))
    }
}

/// One job of the list, `None` without an id.
pub fn read_item(v: &Json) -> Option<HistoryEntry> {
    let id = v.get("job_id").and_then(Json::as_text)?.trim().to_owned();
    let url = text(v.get("download_url"));
    let (state, detail) = match v.get("status").and_then(Json::as_str).map(str::trim) {
        Some("pending") => (JobState::Queued, None),
        Some("ready") => (JobState::Running, None),
        Some("finish") => (JobState::Done, None),
        other => (JobState::Failed, Some(format!("未知的任务状态：{}", other.unwrap_or("")))),
    };
    let file_name = text(v.get("file_name"));
    let mut item =
        HistoryItem::new(&id, file_name.as_deref(), state).created(v.get("created_at")).detail(detail.as_deref());
    item.downloadable = state == JobState::Done && url.is_some();
    let filename = file_name.unwrap_or_else(|| item.title.clone());
    Some(HistoryEntry { item, link: url, filename })
}

impl HistorySource for MinAppHistory {
    fn list_request(&self, limit: usize) -> HttpRequest {
        let path = format!("/userve/v1.5/table/{}/export/", encode(&self.table));
        self.base.get(&path, &[("limit", &limit.to_string()), ("offset", "0")])
    }

    fn read_list(&self, status: u16, body: &str) -> Result<Vec<HistoryEntry>, Reply> {
        Ok(list(status, body, "objects")?.iter().filter_map(read_item).collect())
    }

    fn link_request(&self, _entry: &HistoryEntry) -> Option<HttpRequest> {
        None
    }

    fn read_link(&self, _entry: &HistoryEntry, _status: u16, _body: &str) -> Reply {
        Reply::Failed(Failure::new(FailKind::BadResponse).detail(Some("no link request")))
    }
}
