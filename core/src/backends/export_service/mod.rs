//! The export service (`protocol: "export-service"`): a job from a paged HTTP source or from rows in
//! the request, polled by key until it has a download URL.
//!
//! ```text
//! POST {baseUrl}/v1/export/http   {timestamp, ext_type, title, user_id, callback,
//!                                  source_http: {url, method, header, param: {limit}}}
//! POST {baseUrl}/v1/export/raw    {timestamp, ext_type, title, user_id, callback, source_raw: "<JSON text>"}
//!                                 → {errcode, msg, data: {hash_key}, request_id}
//! GET  {baseUrl}/v1/export/detail?key=HASH
//!                                 → {errcode, msg, data: {status, down_url, fail_reason, title, …}, request_id}
//! GET  {baseUrl}/v1/export/history?user_id=…   the last 7 days (not used by the button)
//! ```
//!
//! `status`: 1 processing, 2 success (`down_url`), 3 failed (`fail_reason`), 4 cancelled. The
//! service gives no numbers, so progress is indeterminate. The HTTP source must follow the
//! service's paged format (`GET url?page=&limit=` → `data.data`, whose first row is the header,
//! and `data.pagetag`); the service crawls it itself — the widget only names it.
//!
//! # Options
//!
//! ```text
//! { "protocol": "export-service", "baseUrl": "http://127.0.0.1:8080",
//!   "title": "http接口数据源导出", "userId": "123",
//!   "sourceHttp": { "url": "http://127.0.0.1:8080/demo/page", "method": "GET", "header": {}, "limit": 20 },
//!   "extType": "XLSX", "callback": "", "timestamp": 1625106204, "query": {…} }
//! ```
//!
//! - `title` (required): the job's title; also the file's name when `filename` is not given.
//! - `userId` (required, a string or an integer): the exporter, `user_id` on the wire.
//! - exactly one of `sourceHttp` (`url` required, absolute http(s); `method` GET or POST, default
//!   GET; `header` an object of strings, default `{}`; `limit` 1–10000, default 20) and
//!   `sourceRaw` (an array of objects, the first being the header row, e.g.
//!   `[{"name":"姓名","age":"年龄"},{"name":"李雷","age":17}]`; sent as a JSON string).
//! - `extType` (default `"XLSX"`): `XLSX` or `CSV`.
//! - `callback` (default `""`): the service's result callback URL.
//! - `timestamp` (optional, seconds): see below.
//!
//! # Decisions where the document is silent
//!
//! - A non-zero `errcode` is a failure with `msg`, whatever the HTTP status (the service answers
//!   errors with HTTP 200). A missing `errcode` counts as 0.
//! - `timestamp` is "the current time" in the document, but the core has no wall clock (time is a
//!   monotonic number passed in). It is sent only when the page passes `timestamp`; a service
//!   written the way the document's answers suggest (Go-style JSON) reads a missing number as 0.
//! - `down_url` in the document contains backslashes (`…/v1/down/20219\6\….zip`); browsers read a
//!   `\` in an http(s) URL as `/`, so the adapter does the same before the URL is checked and used.
//! - status 2 without a `down_url`, an unknown status, or a start answer without `hash_key` are
//!   unusable answers: retried a few times, then the export fails as a bad response.
//! - status 4 (cancelled) ends the export as cancelled by the server (a `Cancellation`), status 3
//!   fails as `FailKind::Server`, each with `fail_reason` (else `msg`) as the detail.
//! - The service names no file: the download is saved as `filename` (default: the title), with the
//!   URL's extension (`.zip`) added.

use crate::codec::json::{obj, Json};
use crate::error::{Cancellation, FailKind, Failure, OptionsError};
use crate::http::{Base, HttpRequest, Method};
use crate::seam::answer::{data, object, started, status_failure, text};
use crate::seam::fields::{Fields, BASE_KEYS};
use crate::seam::{Adapter, Built, Ctx, Reply, Step};

pub mod history;
pub mod wire;

/// The option fields of this protocol.
pub const OPTION_KEYS: &[&str] =
    &["baseUrl", "query", "title", "userId", "sourceHttp", "sourceRaw", "extType", "callback", "timestamp"];

/// The export-service adapter.
#[derive(Clone, Debug)]
pub struct ExportService {
    base: Base,
    path: &'static str,
    body: Json,
    key: Option<String>,
}

impl ExportService {
    /// An adapter posting `body` to `path` (`/v1/export/http` or `/v1/export/raw`) under `base`.
    pub fn new(base: Base, path: &'static str, body: Json) -> ExportService {
        ExportService { base, path, body, key: None }
    }

    /// Builds the adapter from the options object (see the module docs).
    pub fn from_options(ctx: &Ctx<'_>) -> Result<Built, OptionsError> {
        let v = ctx.options;
        debug_assert!(BASE_KEYS.iter().all(|k| OPTION_KEYS.contains(k)));
        let f = Fields::new(v);
        let base = f.base()?;
        let title = f.required_string("title")?;
        let user_id = f.required_id("userId")?;
        let ext_type = match f.get("extType") {
            None => "XLSX".to_owned(),
            Some(Json::Str(s)) if ["XLSX", "CSV"].iter().any(|t| t.eq_ignore_ascii_case(s.trim())) => {
                s.trim().to_ascii_uppercase()
            }
            Some(_) => return Err(OptionsError::new("options.extType", "must be XLSX or CSV")),
        };
        let callback = f.any_string("callback")?.unwrap_or_default();
        let timestamp = f.int("timestamp", 0, 9_999_999_999)?;
        let mut body = Vec::new();
        if let Some(t) = timestamp {
            body.push(("timestamp".to_owned(), Json::from(t)));
        }
        body.push(("ext_type".to_owned(), Json::from(ext_type)));
        body.push(("title".to_owned(), Json::from(title.as_str())));
        body.push(("user_id".to_owned(), Json::from(user_id)));
        body.push(("callback".to_owned(), Json::from(callback)));
        let path = match (f.get("sourceHttp"), f.get("sourceRaw")) {
            (Some(http), None) => {
                body.push(("source_http".to_owned(), source_http(http)?));
                "/v1/export/http"
            }
            (None, Some(raw)) => {
                body.push(("source_raw".to_owned(), Json::Str(source_raw(raw)?.to_string())));
                "/v1/export/raw"
            }
            (Some(_), Some(_)) => {
                return Err(OptionsError::new("options.sourceRaw", "cannot be given together with options.sourceHttp"))
            }
            (None, None) => return Err(OptionsError::new("options.sourceHttp", "or options.sourceRaw is required")),
        };
        Ok(Built { adapter: Box::new(ExportService::new(base, path, Json::Obj(body))), default_filename: Some(title) })
    }
}

fn source_http(v: &Json) -> Result<Json, OptionsError> {
    if !matches!(v, Json::Obj(_)) {
        return Err(OptionsError::new("options.sourceHttp", "must be an object {url, method, header, limit}"));
    }
    for (k, _) in match v {
        Json::Obj(m) => m.as_slice(),
        _ => &[],
    } {
        if !["url", "method", "header", "limit"].contains(&k.as_str()) {
            return Err(OptionsError::new(&format!("options.sourceHttp.{k}"), "is not a known option"));
        }
    }
    let url = match v.get("url") {
        Some(Json::Str(u)) => {
            let u = u.trim();
            let lower = u.to_ascii_lowercase();
            let ok = (lower.starts_with("http://") || lower.starts_with("https://"))
                && !u.chars().any(|c| c.is_control() || c == ' ');
            if !ok {
                return Err(OptionsError::new("options.sourceHttp.url", "must be an absolute http(s) URL"));
            }
            u.to_owned()
        }
        _ => return Err(OptionsError::new("options.sourceHttp.url", "is required (an absolute http(s) URL)")),
    };
    let method = match v.get("method") {
        None | Some(Json::Null) => Method::Get,
        Some(Json::Str(m)) => match Method::parse(m) {
            Some(m @ (Method::Get | Method::Post)) => m,
            _ => return Err(OptionsError::new("options.sourceHttp.method", "must be GET or POST")),
        },
        Some(_) => return Err(OptionsError::new("options.sourceHttp.method", "must be GET or POST")),
    };
    let header = match v.get("header") {
        None | Some(Json::Null) => Json::Obj(Vec::new()),
        Some(h @ Json::Obj(members)) => {
            for (k, value) in members {
                if k.is_empty() || !matches!(value, Json::Str(_)) {
                    return Err(OptionsError::new(&format!("options.sourceHttp.header.{k}"), "must be a string"));
                }
            }
            h.clone()
        }
        Some(_) => return Err(OptionsError::new("options.sourceHttp.header", "must be an object of strings")),
    };
    let limit = match v.get("limit") {
        None | Some(Json::Null) => 20,
        Some(j @ Json::Num(_)) => match j.as_i64() {
            Some(n) if (1..=10_000).contains(&n) => n,
            _ => return Err(OptionsError::new("options.sourceHttp.limit", "must be an integer from 1 to 10000")),
        },
        Some(_) => return Err(OptionsError::new("options.sourceHttp.limit", "must be an integer from 1 to 10000")),
    };
    Ok(obj([
        ("url", Json::from(url)),
        ("method", Json::from(method.as_str())),
        ("header", header),
        ("param", obj([("limit", Json::from(limit))])),
    ]))
}

fn source_raw(v: &Json) -> Result<&Json, OptionsError> {
    match v {
        Json::Arr(rows) if !rows.is_empty() => {
            for (i, row) in rows.iter().enumerate() {
                if !matches!(row, Json::Obj(_)) {
                    return Err(OptionsError::new(&format!("options.sourceRaw[{i}]"), "must be an object (a row)"));
                }
            }
            Ok(v)
        }
        _ => {
            Err(OptionsError::new("options.sourceRaw", "must be a non-empty array of rows, the first being the header"))
        }
    }
}

/// Reads the `{errcode, msg, data, request_id}` envelope: `Ok(data)` on success.
fn envelope(status: u16, body: &str) -> Result<Json, Reply> {
    if !(200..300).contains(&status) {
        return Err(Reply::Failed(status_failure(FailKind::Http, status, body)));
    }
    data(object(body)?, "errcode")
}

impl Adapter for ExportService {
    fn reset(&mut self) {
        self.key = None;
    }

    fn request(&mut self, step: Step) -> Option<HttpRequest> {
        match step {
            Step::Prepare | Step::Link | Step::Probe => None,
            Step::Start => Some(self.base.post(self.path, &self.body)),
            Step::Poll => {
                let key = self.key.as_deref()?;
                Some(self.base.get("/v1/export/detail", &[("key", key)]))
            }
        }
    }

    fn read(&mut self, step: Step, status: u16, body: &str) -> Reply {
        let data = match envelope(status, body) {
            Ok(d) => d,
            Err(reply) => return reply,
        };
        match step {
            Step::Start => started(data.get("hash_key"), &mut self.key, "no data.hash_key"),
            Step::Poll => read_detail(&data),
            Step::Prepare | Step::Link | Step::Probe => Reply::Pending { filename: None },
        }
    }
}

fn read_detail(data: &Json) -> Reply {
    let reason = || text(data.get("fail_reason"));
    match data.get("status").and_then(Json::as_i64) {
        Some(1) => Reply::Pending { filename: None },
        Some(2) => match text(data.get("down_url")) {
            Some(url) => Reply::Ready { url: url.replace('\\', "/"), filename: None },
            None => Reply::Retry(Failure::new(FailKind::BadResponse).detail(Some("status 2 without down_url"))),
        },
        Some(3) => {
            Reply::Failed(Failure::new(FailKind::Server).detail(Some(&reason().unwrap_or_else(|| "导出失败".into()))))
        }
        Some(4) => Reply::Cancelled(Cancellation::new(Some(&reason().unwrap_or_else(|| "导出任务已取消".into())))),
        _ => Reply::Retry(Failure::new(FailKind::BadResponse).detail(Some("unknown data.status"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adapter(extra: &str) -> Result<Built, OptionsError> {
        let v = Json::parse(&format!(r#"{{"title":"t","userId":7{extra}}}"#)).unwrap();
        ExportService::from_options(&Ctx::new(&v))
    }

    #[test]
    fn http_source_builds_the_documented_body() {
        let mut b = adapter(r#","sourceHttp":{"url":"http://h/demo/page","limit":50},"timestamp":1625106204"#).unwrap();
        let r = b.adapter.request(Step::Start).unwrap();
        assert_eq!((r.method, r.url.as_str()), (Method::Post, "/v1/export/http"));
        assert_eq!(
            r.body.unwrap(),
            r#"{"timestamp":1625106204,"ext_type":"XLSX","title":"t","user_id":"7","callback":"","source_http":{"url":"http://h/demo/page","method":"GET","header":{},"param":{"limit":50}}}"#
        );
        assert_eq!(b.default_filename.as_deref(), Some("t"));
    }

    #[test]
    fn raw_source_is_sent_as_a_json_string() {
        let mut b = adapter(r#","sourceRaw":[{"name":"姓名"},{"name":"李雷"}]"#).unwrap();
        let r = b.adapter.request(Step::Start).unwrap();
        assert_eq!(r.url, "/v1/export/raw");
        let body = Json::parse(r.body.as_deref().unwrap()).unwrap();
        assert_eq!(body.get("source_raw").and_then(Json::as_str), Some(r#"[{"name":"姓名"},{"name":"李雷"}]"#));
        assert_eq!(body.get("timestamp"), None);
    }

    #[test]
    fn backslashes_in_down_url_become_slashes() {
        let data = Json::parse(r#"{"status":2,"down_url":"http://h/v1/down/20219\\6\\k.zip"}"#).unwrap();
        assert_eq!(read_detail(&data), Reply::Ready { url: "http://h/v1/down/20219/6/k.zip".into(), filename: None });
    }
}
