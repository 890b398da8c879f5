//! MinApp (`protocol: "minapp"`): a table export job, polled until it is `finish` with a download URL.
//!
//! ```text
//! POST {baseUrl}/userve/v1.5/table/:table_id/export/          {file_type, mode, where?, include_keys?, …}
//!                                                             → 201 {status: "ok", job_id}
//!                                                               400 a second job within 1 min / over 1,000,000 rows / bad data
//! GET  {baseUrl}/userve/v1.5/table/:table_id/export/:job_id/  → 200 {job_id, status, file_name, file_type, download_url, …}
//!                                                               404 no such job
//! GET  {baseUrl}/userve/v1.5/table/:table_id/export/          → {meta, objects}  (the job list; not used)
//! ```
//!
//! `status`: `pending` (waiting), `ready` (being processed), `finish` (done, `download_url` set).
//! No numbers: progress is indeterminate.
//!
//! # Options
//!
//! ```text
//! { "protocol": "minapp", "baseUrl": "https://cloud.minapp.com", "tableId": 1,
//!   "fileType": "csv", "mode": "all",
//!   "where": {"price": {"$gt": 10}}, "includeKeys": ["name"], "excludeKeys": [], "orderBy": ["-created_at"],
//!   "csvCustomizeHeaders": ["名称"], "timestampConvertKeys": ["created_at"], "query": {…} }
//! ```
//!
//! - `tableId` (required): the table, a positive integer or an id string.
//! - `fileType` (default `csv`): `csv`, `json` or `xlsx`. `mode` (default `all`): `all` or `part`.
//! - `where` (an object, sent as an object: "无需转换为字符串"), and the arrays `includeKeys`,
//!   `excludeKeys`, `orderBy`, `csvCustomizeHeaders`, `timestampConvertKeys`, sent under their
//!   snake_case names.
//!
//! # Decisions where the document is silent
//!
//! - A 400 at the start is the service refusing the job (a second job within a minute, over a
//!   million rows, malformed data): `FailKind::Rejected`, with the body's message or, when it has
//!   none, the document's three reasons. It is never retried by the widget — retrying within the
//!   minute would only be refused again; the user may try later. (So a start whose answer was lost
//!   and retried by the machine may meet this rule: the failure then says why.)
//! - 404 while polling (the job is gone) fails as HTTP 404 with "找不到导出任务"; 404 at the start
//!   (no such table) with the body's message.
//! - Any 2xx with `{status: "ok", job_id}` starts the job (the document says 201; 200 is accepted
//!   too). A `status` other than `"ok"` fails with the body's message.
//! - `finish` without a `download_url` is an unusable answer (retried, then a bad response); a
//!   status other than the three documented ones fails as a server error naming it.
//! - The file's name is the job's `file_name` when given, else `filename` with the URL's extension.
//! - The document's examples send cookies (`withCredentials: true`); this adapter adds no
//!   credentials of its own.

use crate::codec::json::Json;
use crate::error::{FailKind, Failure, OptionsError};
use crate::http::{encode, Base, HttpRequest};
use crate::seam::answer::{message, object, started, status_failure, text};
use crate::seam::fields::Fields;
use crate::seam::{Adapter, Built, Ctx, Reply, Step};

pub mod history;
pub mod wire;

/// The option fields of this protocol.
pub const OPTION_KEYS: &[&str] = &[
    "baseUrl",
    "query",
    "tableId",
    "fileType",
    "mode",
    "where",
    "includeKeys",
    "excludeKeys",
    "orderBy",
    "csvCustomizeHeaders",
    "timestampConvertKeys",
];

/// The detail of a 400 at the start when the body says nothing.
pub const REJECTED: &str = "导出任务被拒绝：1 分钟内只能创建一个导出任务，数据量不能超过 100 万条，或数据格式有误";

/// The MinApp adapter.
#[derive(Clone, Debug)]
pub struct MinApp {
    base: Base,
    table: String,
    body: Json,
    job: Option<String>,
}

impl MinApp {
    /// An adapter exporting table `table` with the request `body`.
    pub fn new(base: Base, table: &str, body: Json) -> MinApp {
        MinApp { base, table: table.to_owned(), body, job: None }
    }

    /// Builds the adapter from the options object (see the module docs).
    pub fn from_options(ctx: &Ctx<'_>) -> Result<Built, OptionsError> {
        let f = Fields::new(ctx.options);
        let base = f.base()?;
        let table = table(&f)?;
        let file_type = f.choice("fileType", &["csv", "json", "xlsx"])?.unwrap_or("csv");
        let mode = f.choice("mode", &["all", "part"])?.unwrap_or("all");
        let mut body = vec![("file_type".to_owned(), Json::from(file_type)), ("mode".to_owned(), Json::from(mode))];
        if let Some(w) = f.object("where")? {
            body.push(("where".to_owned(), w.clone()));
        }
        for (option, wire) in [
            ("excludeKeys", "exclude_keys"),
            ("includeKeys", "include_keys"),
            ("orderBy", "order_by"),
            ("csvCustomizeHeaders", "csv_customize_headers"),
            ("timestampConvertKeys", "timestamp_convert_keys"),
        ] {
            if let Some(list) = f.strings(option)? {
                body.push((wire.to_owned(), Json::Arr(list.into_iter().map(Json::Str).collect())));
            }
        }
        Ok(Built { adapter: Box::new(MinApp::new(base, &table, Json::Obj(body))), default_filename: None })
    }

    fn jobs_path(&self) -> String {
        format!("/userve/v1.5/table/{}/export/", encode(&self.table))
    }
}

/// `tableId` (required): a positive integer or an id string.
pub(crate) fn table(f: &Fields<'_>) -> Result<String, OptionsError> {
    let table = f.id("tableId")?.ok_or_else(|| OptionsError::new("options.tableId", "is required"))?;
    if table.starts_with('-') || table.contains(['/', '?', '#']) {
        return Err(OptionsError::new("options.tableId", "must be a table id (a positive integer or an id string)"));
    }
    Ok(table)
}

fn read_job(v: &Json) -> Reply {
    let filename = text(v.get("file_name"));
    match v.get("status").and_then(Json::as_str).map(str::trim) {
        Some("pending" | "ready") => Reply::Pending { filename },
        Some("finish") => match text(v.get("download_url")) {
            Some(url) => Reply::Ready { url, filename },
            None => Reply::Retry(Failure::new(FailKind::BadResponse).detail(Some("finish without download_url"))),
        },
        Some(other) => {
            Reply::Failed(Failure::new(FailKind::Server).detail(Some(&format!("导出任务状态异常：{other}"))))
        }
        None => Reply::Retry(Failure::new(FailKind::BadResponse).detail(Some("no status"))),
    }
}

impl Adapter for MinApp {
    fn reset(&mut self) {
        self.job = None;
    }

    fn request(&mut self, step: Step) -> Option<HttpRequest> {
        match step {
            Step::Prepare | Step::Link | Step::Probe => None,
            Step::Start => Some(self.base.post(&self.jobs_path(), &self.body)),
            Step::Poll => {
                let job = self.job.as_deref()?;
                Some(self.base.get(&format!("{}{}/", self.jobs_path(), encode(job)), &[]))
            }
        }
    }

    fn read(&mut self, step: Step, status: u16, body: &str) -> Reply {
        match (step, status) {
            (Step::Start, 400) => {
                let detail = Json::parse(body).ok().as_ref().and_then(message).unwrap_or_else(|| REJECTED.to_owned());
                return Reply::Failed(Failure::new(FailKind::Rejected).status(400).detail(Some(&detail)));
            }
            (Step::Poll, 404) => {
                return Reply::Failed(Failure::new(FailKind::Http).status(404).detail(Some("找不到导出任务")));
            }
            (_, s) if !(200..300).contains(&s) => return Reply::Failed(status_failure(FailKind::Http, s, body)),
            _ => {}
        }
        let v = match object(body) {
            Ok(v) => v,
            Err(r) => return r,
        };
        match step {
            Step::Start => {
                if v.get("status").and_then(Json::as_str).is_some_and(|s| s != "ok") {
                    return Reply::Failed(Failure::new(FailKind::Server).detail(message(&v).as_deref()));
                }
                started(v.get("job_id"), &mut self.job, "no job_id")
            }
            Step::Poll => read_job(&v),
            Step::Prepare | Step::Link | Step::Probe => Reply::Pending { filename: None },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_documented_request() {
        let v = Json::parse(r#"{"tableId":1,"fileType":"XLSX","mode":"part","where":{"a":1},"includeKeys":["a"]}"#)
            .unwrap();
        let mut a = MinApp::from_options(&Ctx::new(&v)).unwrap().adapter;
        let r = a.request(Step::Start).unwrap();
        assert_eq!(r.url, "/userve/v1.5/table/1/export/");
        assert_eq!(
            r.body.as_deref(),
            Some(r#"{"file_type":"xlsx","mode":"part","where":{"a":1},"include_keys":["a"]}"#)
        );
        assert_eq!(a.read(Step::Start, 201, r#"{"status":"ok","job_id":"RcnyX"}"#), Reply::Pending { filename: None });
        assert_eq!(a.request(Step::Poll).unwrap().url, "/userve/v1.5/table/1/export/RcnyX/");
    }

    #[test]
    fn a_400_at_the_start_is_a_rejection_with_a_reason() {
        let v = Json::parse(r#"{"tableId":"1"}"#).unwrap();
        let mut a = MinApp::from_options(&Ctx::new(&v)).unwrap().adapter;
        assert_eq!(
            a.read(Step::Start, 400, r#"{"error_msg":"1 分钟内只能创建一次"}"#),
            Reply::Failed(Failure::new(FailKind::Rejected).status(400).detail(Some("1 分钟内只能创建一次")))
        );
        assert!(matches!(a.read(Step::Start, 400, ""), Reply::Failed(f) if f.detail.as_deref() == Some(REJECTED)));
    }
}
