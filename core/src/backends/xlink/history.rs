//! The task list (`POST /v2/export_tasks`) and re-downloads through a fresh `auth_link` (see
//! [`crate::history`]).
//!
//! - The list asks for `{offset: 0, limit, order: {create_time: "desc"}}`: the newest tasks.
//! - Status 1 is queued (待导出), 2 running (导出中) with `finished / total`, 3 done, 4 failed
//!   (无效, with `result_desc`), 5 expired (过期).
//! - A re-download always asks `GET /v2/export_task/{id}/auth_link` right before it (the link is
//!   signed and expires; it is never kept), and never uses the list's `link_url`, which is not
//!   authorised. Every request carries `Access-Token`.
//! - XLink exports are CSV: the file is saved as the task's name plus `.csv` (the signed link has
//!   no extension to borrow).

use super::{number, token_base};
use crate::codec::json::{obj, Json};
use crate::error::{FailKind, Failure, OptionsError};
use crate::http::{encode, Base, HttpRequest};
use crate::seam::answer::{list, numbered_state, object, status_failure, text};
use crate::seam::fields::Fields;
use crate::seam::{Ctx, HistoryEntry, HistoryItem, HistorySource, JobState, Reply};

/// XLink's task list for one token.
#[derive(Clone, Debug)]
pub struct XLinkHistory {
    base: Base,
}

impl XLinkHistory {
    /// From the button's options: `baseUrl`, `query`, `accessToken` (required); the token goes
    /// in every request's headers.
    pub fn from_options(ctx: &Ctx<'_>) -> Result<Box<dyn HistorySource>, OptionsError> {
        Ok(Box::new(XLinkHistory { base: token_base(&Fields::new(ctx.options))? }))
    }
}

/// One task of the list, `None` without an id.
pub fn read_item(v: &Json) -> Option<HistoryEntry> {
    use JobState::*;
    let id = v.get("id").and_then(Json::as_text)?.trim().to_owned();
    let states = [
        (Queued, None),
        (Running, None),
        (Done, None),
        (Failed, Some("导出任务无效")),
        (Expired, Some("导出任务已过期")),
    ];
    let (state, detail) = numbered_state(v.get("status"), text(v.get("result_desc")), &states);
    let name = text(v.get("name"));
    let item = HistoryItem::new(&id, name.as_deref(), state)
        .created(v.get("create_time"))
        .progress(number(v.get("finished")), number(v.get("total")))
        .detail(detail.as_deref());
    let filename = if item.title.to_ascii_lowercase().ends_with(".csv") {
        item.title.clone()
    } else {
        format!("{}.csv", item.title)
    };
    Some(HistoryEntry { item, link: None, filename })
}

impl HistorySource for XLinkHistory {
    fn list_request(&self, limit: usize) -> HttpRequest {
        let body = obj([
            ("offset", Json::from(0i64)),
            ("limit", Json::from(limit as i64)),
            ("order", obj([("create_time", Json::from("desc"))])),
        ]);
        self.base.post("/v2/export_tasks", &body)
    }

    fn read_list(&self, status: u16, body: &str) -> Result<Vec<HistoryEntry>, Reply> {
        Ok(list(status, body, "list")?.iter().filter_map(read_item).collect())
    }

    fn link_request(&self, entry: &HistoryEntry) -> Option<HttpRequest> {
        Some(self.base.get(&format!("/v2/export_task/{}/auth_link", encode(&entry.item.id)), &[]))
    }

    fn read_link(&self, _entry: &HistoryEntry, status: u16, body: &str) -> Reply {
        if !(200..300).contains(&status) {
            return Reply::Failed(status_failure(FailKind::Http, status, body));
        }
        match object(body) {
            Ok(v) => match text(v.get("link_url")) {
                Some(url) => Reply::Ready { url, filename: None },
                None => Reply::Retry(Failure::new(FailKind::BadResponse).detail(Some("no link_url"))),
            },
            Err(reply) => reply,
        }
    }
}
