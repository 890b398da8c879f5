//! Reading backend answers: the helpers every backend's reader shares.

use crate::codec::json::Json;
use crate::error::{FailKind, Failure};
use crate::seam::Reply;

/// Parses an answer that must be a JSON object; anything else is worth another try.
pub fn object(body: &str) -> Result<Json, Reply> {
    match Json::parse(body) {
        Ok(v @ Json::Obj(_)) => Ok(v),
        _ => Err(Reply::Retry(Failure::new(FailKind::BadResponse))),
    }
}

/// The `data` of an answer object whose `code_key` (`code`, `errcode`, …) says success (0, or no
/// code at all); else the backend's own failure, with its message.
pub fn data(v: Json, code_key: &str) -> Result<Json, Reply> {
    let ok = match v.get(code_key) {
        None | Some(Json::Null) => true,
        Some(c) => c.as_i64() == Some(0),
    };
    if !ok {
        return Err(Reply::Failed(Failure::new(FailKind::Server).detail(message(&v).as_deref())));
    }
    Ok(v.get("data").cloned().unwrap_or(Json::Null))
}

/// The array `key` of a 2xx answer object (a `null` one is empty): a history's list. A non-2xx
/// answer fails with its message; anything else is worth another try.
pub fn list(status: u16, body: &str, key: &str) -> Result<Vec<Json>, Reply> {
    if !(200..300).contains(&status) {
        return Err(Reply::Failed(status_failure(FailKind::Http, status, body)));
    }
    match object(body)?.get(key) {
        Some(Json::Arr(items)) => Ok(items.clone()),
        Some(Json::Null) => Ok(Vec::new()),
        _ => Err(Reply::Retry(Failure::new(FailKind::BadResponse).detail(Some(&["no ", key].concat())))),
    }
}

/// Reads the id of a job just started from `id` (a string or a number) into `job`: the job runs
/// on; without one the answer is worth another try (`no …`, `missing` saying what is missing).
pub fn started(id: Option<&Json>, job: &mut Option<String>, missing: &str) -> Reply {
    match id.and_then(Json::as_text) {
        Some(id) => {
            *job = Some(id.trim().to_owned());
            Reply::Pending { filename: None }
        }
        None => Reply::Retry(Failure::new(FailKind::BadResponse).detail(Some(missing))),
    }
}

/// A non-blank string member, trimmed.
pub fn text(v: Option<&Json>) -> Option<String> {
    v.and_then(Json::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// The first message-like member of an error body: `message`, `msg`, `error_msg`, `info`,
/// `detail`, `error` (a string, or an object with one of those).
pub fn message(v: &Json) -> Option<String> {
    const KEYS: [&str; 6] = ["message", "msg", "error_msg", "info", "detail", "error"];
    KEYS.iter().find_map(|k| match v.get(k) {
        Some(Json::Str(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Some(inner @ Json::Obj(_)) => message(inner),
        _ => None,
    })
}

/// A non-2xx answer as a failure of `kind`, with the body's message when it has one.
pub fn status_failure(kind: FailKind, status: u16, body: &str) -> Failure {
    let detail = Json::parse(body).ok().as_ref().and_then(message);
    Failure::new(kind).status(status).detail(detail.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_found_in_the_usual_places() {
        assert_eq!(message(&Json::parse(r#"{"error":{"code":1,"msg":"无效"}}"#).unwrap()).as_deref(), Some("无效"));
        assert_eq!(message(&Json::parse(r#"{"code":2,"info":"用户未找到"}"#).unwrap()).as_deref(), Some("用户未找到"));
        assert_eq!(message(&Json::parse(r#"{"error_msg":"x","message":""}"#).unwrap()).as_deref(), Some("x"));
        assert_eq!(message(&Json::parse(r#"{"a":1}"#).unwrap()), None);
    }
}
