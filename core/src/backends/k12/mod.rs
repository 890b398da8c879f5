//! The K12 `$export` protocol: a start/URL endpoint and a progress endpoint, both `{code, message, result}`.
//!
//! ```text
//! start/url  → {code, message, result: {url, filename}}         url null or "" = not ready yet
//! progress   → {code, message, result: {retCode, loaded, total, message, data, extra: {filename}}}
//! ```
//!
//! Flow: call the start endpoint (it also begins the job); a URL in that first answer downloads at
//! once. Otherwise poll progress; when `loaded / total >= 1`, call the start endpoint again for the
//! URL, and keep asking (quickly) until it is there.
//!
//! Both backend conventions of the design document work unchanged:
//! - **A**: `total = n + 1` fixed at start, a URL even for an empty file;
//! - **B**: a made-up first answer `total: 1, loaded: 0`, an empty export as `total: 1, loaded: 2`,
//!   and `loaded == total == n` for a while before the URL exists. Here the widget stays in its
//!   "generating file" stage until the URL is in hand, instead of looking finished.
//!
//! Decisions where the document is silent:
//! - `code` 0 and 200 both mean success; a missing `code` too. Numbers may come as strings.
//! - `result: null` (or missing) means "not ready / no numbers"; a bare string `result` on the
//!   start endpoint is taken as the URL itself (some older endpoints answer that way).
//! - `retCode` and `data` are not given a meaning; a `result.url` in a progress answer is used.
//! - negative, missing or non-numeric `loaded`/`total`, or `total` 0, carry no progress: the answer
//!   counts as "still running" and the deadline bounds the wait.

use crate::codec::json::Json;
use crate::error::{FailKind, Failure, OptionsError};
use crate::http::HttpRequest;
use crate::seam::answer::text;
use crate::seam::{Adapter, Built, Ctx, Reply, Step};
use cache_config::CacheConfig;

pub mod cache_config;
pub mod wire;

/// The option fields of this protocol.
pub const OPTION_KEYS: &[&str] = &["config", "start", "progress"];

/// The K12 adapter: two pre-built requests.
#[derive(Clone, Debug)]
pub struct K12 {
    start: HttpRequest,
    progress: HttpRequest,
}

impl K12 {
    /// Builds both requests from the cache config and the export data (the same data is sent to
    /// both endpoints, as `$export(data)` does). Errors name the field.
    pub fn new(config: &CacheConfig, start_key: &str, progress_key: &str, data: &Json) -> Result<K12, OptionsError> {
        let endpoint = |key: &str, field: &str| {
            config.get(key).ok_or_else(|| {
                OptionsError::new(field, &["names '", key, "', which is not in options.config"].concat())
            })
        };
        let start = endpoint(start_key, "options.start")?.request(data, "options.data")?;
        let progress = endpoint(progress_key, "options.progress")?.request(data, "options.data")?;
        Ok(K12 { start, progress })
    }

    /// Builds the adapter from the options object: `config` (required), `start` and `progress`
    /// (see the module docs).
    pub fn from_options(ctx: &Ctx<'_>) -> Result<Built, OptionsError> {
        let (v, data) = (ctx.options, ctx.data);
        let config = CacheConfig::from_json(v.get("config").unwrap_or(&Json::Null), "options.config")?;
        let key = |name: &str| -> Result<Option<String>, OptionsError> {
            match v.get(name) {
                None | Some(Json::Null) => Ok(None),
                Some(Json::Str(s)) if !s.is_empty() => Ok(Some(s.clone())),
                Some(_) => Err(OptionsError::option(name, "must be a config key (a string)")),
            }
        };
        let (start, progress) = match (key("start")?, key("progress")?) {
            (Some(s), Some(p)) => (s, p),
            (s, p) => match K12::infer_keys(&config) {
                Some((is, ip)) => (s.unwrap_or(is), p.unwrap_or(ip)),
                None => {
                    return Err(OptionsError::new(
                        if s.is_none() { "options.start" } else { "options.progress" },
                        "is required unless options.config is exactly one 'x' and one 'x-progress' entry",
                    ))
                }
            },
        };
        Ok(Built { adapter: Box::new(K12::new(&config, &start, &progress, data)?), default_filename: None })
    }

    /// Picks the start and progress keys when the options do not name them: a config of exactly
    /// one `x` and one `x-progress` (or `x-process`) entry.
    pub fn infer_keys(config: &CacheConfig) -> Option<(String, String)> {
        let mut keys = config.keys();
        let (Some(first), Some(second), None) = (keys.next(), keys.next(), keys.next()) else { return None };
        for (a, b) in [(first, second), (second, first)] {
            if b.strip_prefix(a).is_some_and(|suffix| suffix == "-progress" || suffix == "-process") {
                return Some((a.to_owned(), b.to_owned()));
            }
        }
        None
    }
}

/// Reads an answer's `{code, message, result}` envelope: `Ok(result)` on success, else the reply
/// to give. Statuses that reach an adapter are 2xx (on to the body) or another that retrying cannot
/// fix (the machine has taken 5xx, 408 and 429): those fail with the server's message if the body
/// has one.
fn envelope(status: u16, body: &str) -> Result<Json, Reply> {
    if !(200..300).contains(&status) {
        let detail = Json::parse(body).ok().and_then(|v| {
            ["message", "msg", "error", "error_msg", "info", "detail"]
                .iter()
                .find_map(|k| v.get(k).and_then(Json::as_str).map(str::to_owned))
        });
        return Err(Reply::Failed(Failure::new(FailKind::Http).status(status).detail(detail.as_deref())));
    }
    let v = Json::parse(body).map_err(|_| Reply::Retry(Failure::new(FailKind::BadResponse)))?;
    if !matches!(v, Json::Obj(_)) {
        return Err(Reply::Retry(Failure::new(FailKind::BadResponse)));
    }
    let ok = match v.get("code") {
        None | Some(Json::Null) => true,
        Some(c) => matches!(c.as_i64(), Some(0 | 200)),
    };
    if !ok {
        let message = v.get("message").or_else(|| v.get("msg")).and_then(Json::as_str);
        return Err(Reply::Failed(Failure::new(FailKind::Server).detail(message)));
    }
    Ok(match v {
        Json::Obj(members) => {
            members.into_iter().rev().find(|(k, _)| k == "result").map(|(_, r)| r).unwrap_or(Json::Null)
        }
        _ => Json::Null,
    })
}

/// Reads a start/url answer: `Ready` with a URL, else `Pending`.
fn read_url_answer(status: u16, body: &str) -> Reply {
    let result = match envelope(status, body) {
        Ok(r) => r,
        Err(reply) => return reply,
    };
    if let Json::Str(url) = &result {
        let url = url.trim();
        return if url.is_empty() {
            Reply::Pending { filename: None }
        } else {
            Reply::Ready { url: url.to_owned(), filename: None }
        };
    }
    let filename = text(result.get("filename"));
    match text(result.get("url")) {
        Some(url) => Reply::Ready { url, filename },
        None => Reply::Pending { filename },
    }
}

/// Reads a progress answer.
fn read_progress_answer(status: u16, body: &str) -> Reply {
    let result = match envelope(status, body) {
        Ok(r) => r,
        Err(reply) => return reply,
    };
    let filename = text(result.get("extra").and_then(|e| e.get("filename")));
    if let Some(url) = text(result.get("url")) {
        return Reply::Ready { url, filename };
    }
    let loaded = result.get("loaded").and_then(Json::as_number);
    let total = result.get("total").and_then(Json::as_number);
    match (loaded, total) {
        (Some(loaded), Some(total)) if loaded >= 0.0 && total > 0.0 => {
            if loaded / total >= 1.0 {
                Reply::WorkDone { filename }
            } else {
                Reply::Progress { loaded, total, filename }
            }
        }
        _ => Reply::Pending { filename },
    }
}

impl Adapter for K12 {
    fn reset(&mut self) {}

    fn reports_progress(&self) -> bool {
        true
    }

    fn request(&mut self, step: Step) -> Option<HttpRequest> {
        Some(match step {
            Step::Prepare => return None,
            Step::Start | Step::Link | Step::Probe => self.start.clone(),
            Step::Poll => self.progress.clone(),
        })
    }

    fn read(&mut self, step: Step, status: u16, body: &str) -> Reply {
        match step {
            // Never sent: K12 needs nothing before the start.
            Step::Prepare => Reply::Pending { filename: None },
            // The start endpoint reports the running job: no URL means not yet.
            Step::Start | Step::Probe => read_url_answer(status, body),
            Step::Poll => read_progress_answer(status, body),
            // Asked because progress said done: "no URL" means the file is still being written.
            Step::Link => match read_url_answer(status, body) {
                Reply::Pending { filename } => Reply::WorkDone { filename },
                other => other,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(step: Step, body: &str) -> Reply {
        K12 { start: HttpRequest::get("/s"), progress: HttpRequest::get("/p") }.read(step, 200, body)
    }

    #[test]
    fn start_answer_with_url_is_ready() {
        assert_eq!(
            read(Step::Start, r#"{"code":0,"message":"","result":{"url":"http://x/f.xlsx","filename":"f.xlsx"}}"#),
            Reply::Ready { url: "http://x/f.xlsx".into(), filename: Some("f.xlsx".into()) }
        );
    }

    #[test]
    fn null_or_empty_url_means_not_ready() {
        for body in [
            r#"{"code":0,"result":{"url":null,"filename":"a"}}"#,
            r#"{"code":0,"result":{"url":"","filename":"a"}}"#,
            r#"{"code":0,"result":{"url":"  ","filename":"a"}}"#,
        ] {
            assert_eq!(read(Step::Start, body), Reply::Pending { filename: Some("a".into()) }, "{body}");
        }
        assert_eq!(read(Step::Start, r#"{"code":0,"result":null}"#), Reply::Pending { filename: None });
        assert_eq!(read(Step::Start, r#"{"code":0}"#), Reply::Pending { filename: None });
    }

    #[test]
    fn a_bare_string_result_is_the_url() {
        assert_eq!(
            read(Step::Start, r#"{"code":0,"result":"/f.xlsx"}"#),
            Reply::Ready { url: "/f.xlsx".into(), filename: None }
        );
    }

    #[test]
    fn nonzero_code_fails_with_the_server_message() {
        let r = read(Step::Poll, r#"{"code":-1,"message":"期次不存在","result":null}"#);
        assert_eq!(r, Reply::Failed(Failure::new(FailKind::Server).detail(Some("期次不存在"))));
        assert!(matches!(read(Step::Start, r#"{"code":"500","message":""}"#), Reply::Failed(_)));
        assert!(matches!(read(Step::Start, r#"{"code":"abc"}"#), Reply::Failed(_)));
        // 200 is success in some NetEase backends.
        assert!(matches!(read(Step::Start, r#"{"code":200,"result":{"url":"/f"}}"#), Reply::Ready { .. }));
    }

    #[test]
    fn malformed_bodies_are_retried_not_trusted() {
        for body in ["", "<html>502</html>", "[1,2]", "\"x\"", "{\"code\":0,"] {
            assert!(matches!(read(Step::Poll, body), Reply::Retry(f) if f.kind == FailKind::BadResponse), "{body:?}");
        }
    }

    #[test]
    fn progress_numbers_may_be_strings() {
        assert_eq!(
            read(Step::Poll, r#"{"code":"0","result":{"loaded":"25","total":"100","extra":{"filename":"f"}}}"#),
            Reply::Progress { loaded: 25.0, total: 100.0, filename: Some("f".into()) }
        );
    }

    #[test]
    fn loaded_at_or_over_total_is_finished() {
        assert_eq!(
            read(Step::Poll, r#"{"code":0,"result":{"loaded":8,"total":8}}"#),
            Reply::WorkDone { filename: None }
        );
        // convention B's empty export
        assert_eq!(
            read(Step::Poll, r#"{"code":0,"result":{"loaded":2,"total":1}}"#),
            Reply::WorkDone { filename: None }
        );
    }

    #[test]
    fn unusable_numbers_carry_no_progress() {
        for body in [
            r#"{"code":0,"result":{"loaded":-1,"total":10}}"#,
            r#"{"code":0,"result":{"loaded":1,"total":0}}"#,
            r#"{"code":0,"result":{"loaded":0,"total":0}}"#,
            r#"{"code":0,"result":{"loaded":1,"total":-5}}"#,
            r#"{"code":0,"result":{"total":10}}"#,
            r#"{"code":0,"result":{"loaded":"x","total":10}}"#,
            r#"{"code":0,"result":{"loaded":"1e400","total":10}}"#,
            r#"{"code":0,"result":null}"#,
            r#"{"code":0,"result":[]}"#,
        ] {
            assert_eq!(read(Step::Poll, body), Reply::Pending { filename: None }, "{body}");
        }
    }

    #[test]
    fn a_url_in_a_progress_answer_is_used() {
        assert_eq!(
            read(Step::Poll, r#"{"code":0,"result":{"loaded":1,"total":1,"url":"/f"}}"#),
            Reply::Ready { url: "/f".into(), filename: None }
        );
    }

    #[test]
    fn link_without_url_means_still_generating() {
        assert_eq!(read(Step::Link, r#"{"code":0,"result":{"url":null}}"#), Reply::WorkDone { filename: None });
    }

    #[test]
    fn http_4xx_fails_with_its_status_and_message() {
        let mut k = K12 { start: HttpRequest::get("/s"), progress: HttpRequest::get("/p") };
        assert_eq!(
            k.read(Step::Start, 404, r#"{"code":404,"message":"unknown term"}"#),
            Reply::Failed(Failure::new(FailKind::Http).status(404).detail(Some("unknown term")))
        );
        assert_eq!(k.read(Step::Start, 403, "<html>"), Reply::Failed(Failure::new(FailKind::Http).status(403)));
    }

    #[test]
    fn keys_are_inferred_from_a_start_and_progress_pair() {
        let cfg = |t: &str| CacheConfig::from_json(&Json::parse(t).unwrap(), "c").unwrap();
        assert_eq!(
            K12::infer_keys(&cfg(r#"{"b-progress":{"url":"/p"},"b":{"url":"/s"}}"#)),
            Some(("b".into(), "b-progress".into()))
        );
        assert_eq!(K12::infer_keys(&cfg(r#"{"a":{"url":"/p"},"b":{"url":"/s"}}"#)), None);
    }
}
