//! The export history (`GET /v1/export/history?user_id=`, the last 7 days) and re-downloads
//! through `GET /v1/export/detail?key=` (see [`crate::history`]).
//!
//! The history gives no `down_url` ("需要下载请再使用导出任务查询接口获取下载链接"): a re-download
//! asks for the job's detail and downloads its `down_url` (backslashes read as `/`, then checked).
//! Items are keyed by `hash_key`; the service gives no numbers, so running jobs have no percent.
//! The file is saved as the title plus the URL's extension (`.zip`). The history has no paging:
//! its answer may be up to 8 MiB ([`LIST_LIMIT`], see [`crate::http#size-limits`]).

use super::{envelope, read_detail};
use crate::codec::json::Json;
use crate::error::{FailKind, Failure, OptionsError};
use crate::http::{Base, HttpRequest, LIST_LIMIT};
use crate::seam::answer::{numbered_state, text};
use crate::seam::fields::Fields;
use crate::seam::{Ctx, HistoryEntry, HistoryItem, HistorySource, JobState, Reply};

/// The export service's history for one user.
#[derive(Clone, Debug)]
pub struct ExportServiceHistory {
    base: Base,
    user_id: String,
}

impl ExportServiceHistory {
    /// From the button's options: `baseUrl`, `query`, `userId` (required).
    pub fn from_options(ctx: &Ctx<'_>) -> Result<Box<dyn HistorySource>, OptionsError> {
        let f = Fields::new(ctx.options);
        Ok(Box::new(ExportServiceHistory { base: f.base()?, user_id: f.required_id("userId")? }))
    }
}

/// One entry of the history, `None` without a key.
pub fn read_item(v: &Json) -> Option<HistoryEntry> {
    use JobState::*;
    let id = v.get("hash_key").and_then(Json::as_text)?.trim().to_owned();
    let states = [(Running, None), (Done, None), (Failed, Some("导出失败")), (Cancelled, Some("导出任务已取消"))];
    let (state, detail) = numbered_state(v.get("status"), text(v.get("fail_reason")), &states);
    let title = text(v.get("title"));
    let item = HistoryItem::new(&id, title.as_deref(), state).created(v.get("created_at")).detail(detail.as_deref());
    let filename = item.title.clone();
    Some(HistoryEntry { item, link: None, filename })
}

impl HistorySource for ExportServiceHistory {
    fn list_request(&self, _limit: usize) -> HttpRequest {
        self.base.get("/v1/export/history", &[("user_id", &self.user_id)]).limit(LIST_LIMIT)
    }

    fn read_list(&self, status: u16, body: &str) -> Result<Vec<HistoryEntry>, Reply> {
        match envelope(status, body)? {
            Json::Arr(items) => Ok(items.iter().filter_map(read_item).collect()),
            Json::Null => Ok(Vec::new()),
            _ => Err(Reply::Retry(Failure::new(FailKind::BadResponse).detail(Some("data is not a list")))),
        }
    }

    fn link_request(&self, entry: &HistoryEntry) -> Option<HttpRequest> {
        Some(self.base.get("/v1/export/detail", &[("key", &entry.item.id)]))
    }

    fn read_link(&self, _entry: &HistoryEntry, status: u16, body: &str) -> Reply {
        match envelope(status, body) {
            Ok(data) => read_detail(&data),
            Err(reply) => reply,
        }
    }
}
