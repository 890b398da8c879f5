//! XLink IoT cloud (`protocol: "xlink"`): a CSV export task, polled for `finished / total`, whose
//! file is fetched through a signed, expiring link.
//!
//! ```text
//! POST {baseUrl}/v2/export_task                {name, describe, type, params: {filter, query, order}, extend}
//!                                              → {id}
//! GET  {baseUrl}/v2/export_task/{id}           → {id, name, status, total, finished, link_url, result_desc, …}
//! GET  {baseUrl}/v2/export_task/{id}/auth_link → {link_url}      (signed, expires soon)
//! POST {baseUrl}/v2/export_tasks               {offset, limit, filter, query, order} → {count, list}  (not used)
//! every request: Access-Token: <token>
//! ```
//!
//! `status`: 1 待导出 (to be exported), 2 导出中 (exporting), 3 导出完成 (exported), 4 无效 (invalid),
//! 5 过期 (expired). `total` and `finished` give the progress.
//!
//! # Options
//!
//! ```text
//! { "protocol": "xlink", "baseUrl": "http://127.0.0.1:8080", "accessToken": "demo-token",
//!   "name": "设备列表导出", "describe": "全部设备", "type": 1,
//!   "params": { "filter": ["mac", "name"], "query": {"product_id": {"$in": ["160fa2b…"]}}, "order": {"create_date": "desc"} },
//!   "extend": { "product_id": "160fa2b…" }, "query": {…} }
//! ```
//!
//! - `accessToken` (required): sent as `Access-Token` on every request.
//! - `name` (required): the task's name; also the file's name when `filename` is not given.
//! - `type` (required): 1–10, the appendix's task type (1 设备列表, 2 用户列表, … 10 推送历史列表).
//! - `describe` (default `""`), `params` (default `{}`: `filter` an array of field names, `query`
//!   an object of conditions, `order` an object of `"asc"`/`"desc"`), `extend` (optional object).
//!
//! # Decisions where the document is silent
//!
//! - The document marks the `/v2/export_task/{id}` `link_url` as "未授权" (not authorised); the
//!   adapter never uses it. When status is 3 it asks `auth_link` (the `Link` step) right before the
//!   download and hands that URL over at once; the signed link is never stored, so a retried or
//!   later export always asks for a fresh one.
//! - `id`, `status`, `total` and `finished` may come as strings or numbers (the document writes
//!   every example value as a string).
//! - status 1 and 2 report `finished / total` when `total > 0`, else "running" without numbers;
//!   `finished >= total` while status is still 1–2 stays below 100% (the file is not ready until
//!   status 3).
//! - status 4 and 5 end the export as cancelled by the server (a `Cancellation`: "导出任务无效" /
//!   "导出任务已过期", plus `result_desc` when given); an unknown status is an unusable answer (retried, then a bad
//!   response).
//! - An empty `link_url` from `auth_link` means "not yet": it is asked again shortly.
//! - Errors come as non-2xx with a body like `{"error": {"code": 4001007, "msg": "…"}}`; the
//!   message is shown. 401/403 (a bad token) fail at once.
//! - The file's name: `filename` (default: `name`), plus the link's extension (`.csv`).

use crate::codec::json::Json;
use crate::error::{Cancellation, FailKind, Failure, OptionsError};
use crate::http::{encode, Base, HttpRequest};
use crate::seam::answer::{object, started, status_failure, text};
use crate::seam::fields::Fields;
use crate::seam::{Adapter, Built, Ctx, Reply, Step};

pub mod history;
pub mod wire;

/// The option fields of this protocol.
pub const OPTION_KEYS: &[&str] = &["baseUrl", "query", "accessToken", "name", "describe", "type", "params", "extend"];

/// The header that carries the token.
pub const TOKEN_HEADER: &str = "Access-Token";

/// The XLink adapter.
#[derive(Clone, Debug)]
pub struct XLink {
    base: Base,
    body: Json,
    id: Option<String>,
}

impl XLink {
    /// An adapter creating the task `body` under `base` (whose headers carry the token).
    pub fn new(base: Base, body: Json) -> XLink {
        XLink { base, body, id: None }
    }

    /// Builds the adapter from the options object (see the module docs).
    pub fn from_options(ctx: &Ctx<'_>) -> Result<Built, OptionsError> {
        let f = Fields::new(ctx.options);
        let base = token_base(&f)?;
        let name = f.required_string("name")?;
        let describe = f.any_string("describe")?.unwrap_or_default();
        let kind = f.int("type", 1, 10)?.ok_or_else(|| OptionsError::new("options.type", "is required (1 to 10)"))?;
        let params = match f.object("params")? {
            None => Json::Obj(Vec::new()),
            Some(p) => check_params(p)?,
        };
        let mut body = vec![
            ("name".to_owned(), Json::from(name.as_str())),
            ("describe".to_owned(), Json::from(describe)),
            ("type".to_owned(), Json::from(kind)),
            ("params".to_owned(), params),
        ];
        if let Some(extend) = f.object("extend")? {
            body.push(("extend".to_owned(), extend.clone()));
        }
        Ok(Built { adapter: Box::new(XLink::new(base, Json::Obj(body))), default_filename: Some(name) })
    }

    fn task_path(&self, tail: &str) -> Option<String> {
        self.id.as_deref().map(|id| format!("/v2/export_task/{}{tail}", encode(id)))
    }
}

/// `baseUrl` and `query`, every request carrying `accessToken` (required) as `Access-Token`.
pub(crate) fn token_base(f: &Fields<'_>) -> Result<Base, OptionsError> {
    let token = f.required_string("accessToken")?;
    if token.chars().any(|c| c.is_control() || !c.is_ascii()) {
        return Err(OptionsError::new("options.accessToken", "must be printable ASCII (it is an HTTP header)"));
    }
    Ok(f.base()?.with_header(TOKEN_HEADER, &token))
}

fn check_params(p: &Json) -> Result<Json, OptionsError> {
    let Json::Obj(members) = p else { return Ok(p.clone()) };
    for (k, v) in members {
        let field = format!("options.params.{k}");
        match k.as_str() {
            "filter" => {
                let ok = matches!(v, Json::Arr(items) if items.iter().all(|i| matches!(i, Json::Str(_))));
                if !ok {
                    return Err(OptionsError::new(&field, "must be an array of field names"));
                }
            }
            "query" if !matches!(v, Json::Obj(_)) => {
                return Err(OptionsError::new(&field, "must be an object of conditions"));
            }
            "order" => {
                let Json::Obj(order) = v else {
                    return Err(OptionsError::new(&field, "must be an object of \"asc\"/\"desc\""));
                };
                for (name, dir) in order {
                    if !matches!(dir.as_str(), Some("asc" | "desc")) {
                        return Err(OptionsError::new(&format!("{field}.{name}"), "must be \"asc\" or \"desc\""));
                    }
                }
            }
            // Aggregation exports take the device-aggregation request as a whole: pass it on.
            _ => {}
        }
    }
    Ok(p.clone())
}

fn number(v: Option<&Json>) -> Option<f64> {
    v.and_then(Json::as_number)
}

fn read_task(v: &Json) -> Reply {
    let desc = text(v.get("result_desc"));
    let with = |what: &str| match &desc {
        Some(d) => format!("{what}：{d}"),
        None => what.to_owned(),
    };
    match v.get("status").and_then(Json::as_i64) {
        Some(1 | 2) => match (number(v.get("finished")), number(v.get("total"))) {
            (Some(loaded), Some(total)) if loaded >= 0.0 && total > 0.0 => {
                Reply::Progress { loaded, total, filename: None }
            }
            _ => Reply::Pending { filename: None },
        },
        Some(3) => Reply::WorkDone { filename: None },
        Some(4) => Reply::Cancelled(Cancellation::new(Some(&with("导出任务无效")))),
        Some(5) => Reply::Cancelled(Cancellation::new(Some(&with("导出任务已过期")))),
        _ => Reply::Retry(Failure::new(FailKind::BadResponse).detail(Some("unknown status"))),
    }
}

impl Adapter for XLink {
    fn reset(&mut self) {
        self.id = None;
    }

    fn reports_progress(&self) -> bool {
        true
    }

    fn request(&mut self, step: Step) -> Option<HttpRequest> {
        match step {
            Step::Prepare | Step::Probe => None,
            Step::Start => Some(self.base.post("/v2/export_task", &self.body)),
            Step::Poll => self.task_path("").map(|p| self.base.get(&p, &[])),
            Step::Link => self.task_path("/auth_link").map(|p| self.base.get(&p, &[])),
        }
    }

    fn read(&mut self, step: Step, status: u16, body: &str) -> Reply {
        if !(200..300).contains(&status) {
            return Reply::Failed(status_failure(FailKind::Http, status, body));
        }
        let v = match object(body) {
            Ok(v) => v,
            Err(r) => return r,
        };
        match step {
            Step::Start => started(v.get("id"), &mut self.id, "no task id"),
            Step::Poll => read_task(&v),
            Step::Link => match text(v.get("link_url")) {
                Some(url) => Reply::Ready { url, filename: None },
                None => Reply::WorkDone { filename: None },
            },
            Step::Prepare | Step::Probe => Reply::Pending { filename: None },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_request_carries_the_token() {
        let v = Json::parse(r#"{"accessToken":"demo-token","name":"n","type":1}"#).unwrap();
        let mut a = XLink::from_options(&Ctx::new(&v)).unwrap().adapter;
        let start = a.request(Step::Start).unwrap();
        assert_eq!(start.headers, [("Access-Token".to_owned(), "demo-token".to_owned())]);
        assert_eq!(start.body.as_deref(), Some(r#"{"name":"n","describe":"","type":1,"params":{}}"#));
        assert_eq!(a.read(Step::Start, 200, r#"{"id":"a/b"}"#), Reply::Pending { filename: None });
        assert_eq!(a.request(Step::Poll).unwrap().url, "/v2/export_task/a%2Fb");
        let link = a.request(Step::Link).unwrap();
        assert_eq!(link.url, "/v2/export_task/a%2Fb/auth_link");
        assert_eq!(link.headers.len(), 1);
    }

    #[test]
    fn statuses_map_to_replies() {
        let t = |s: &str| read_task(&Json::parse(s).unwrap());
        assert_eq!(
            t(r#"{"status":"2","total":"10","finished":"4"}"#),
            Reply::Progress { loaded: 4.0, total: 10.0, filename: None }
        );
        assert_eq!(t(r#"{"status":1,"total":0,"finished":0}"#), Reply::Pending { filename: None });
        assert_eq!(t(r#"{"status":3}"#), Reply::WorkDone { filename: None });
        assert!(matches!(t(r#"{"status":4}"#), Reply::Cancelled(_)));
        assert!(matches!(t(r#"{"status":5,"result_desc":"超过7天"}"#),
            Reply::Cancelled(c) if c.detail.as_deref() == Some("导出任务已过期：超过7天")));
        assert!(matches!(t(r#"{"status":9}"#), Reply::Retry(_)));
    }
}
