//! Reading backend answers: the helpers every backend's reader shares.

use crate::codec::json::Json;
use crate::error::{FailKind, Failure};
use crate::seam::{JobState, Reply};

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

/// A history item's numeric `status` read through `states` (`states[n - 1]` is status `n`): its
/// state, and what to show with it: the server's `reason`, else the state's own text. An unknown
/// status is shown failed, with "未知的任务状态：…".
pub fn numbered_state(
    status: Option<&Json>,
    reason: Option<String>,
    states: &[(JobState, Option<&str>)],
) -> (JobState, Option<String>) {
    let known = status.and_then(Json::as_i64).and_then(|n| usize::try_from(n).ok()?.checked_sub(1));
    match known.and_then(|i| states.get(i)) {
        Some(&(state, None)) => (state, None),
        Some(&(state, Some(own))) => (state, Some(reason.unwrap_or_else(|| own.to_owned()))),
        None => (JobState::Failed, Some(format!("未知的任务状态：{}", status.unwrap_or(&Json::Null)))),
    }
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

    #[test]
    fn numbered_states_give_the_reason_else_their_own_text_and_unknown_ones_fail() {
        let states = [(JobState::Running, None), (JobState::Failed, Some("导出失败"))];
        let read = |status: &str, reason: Option<&str>| {
            let status = Json::parse(status).ok();
            let (state, detail) = numbered_state(status.as_ref(), reason.map(str::to_owned), &states);
            (state, detail.unwrap_or_default())
        };
        assert_eq!(read("1", Some("x")), (JobState::Running, String::new()));
        assert_eq!(read("2", Some("没有权限")), (JobState::Failed, "没有权限".to_owned()));
        assert_eq!(read("2", None), (JobState::Failed, "导出失败".to_owned()));
        for unknown in ["0", "-1", "3", "null"] {
            assert_eq!(read(unknown, None), (JobState::Failed, format!("未知的任务状态：{unknown}")));
        }
        assert_eq!(read("", None), (JobState::Failed, "未知的任务状态：null".to_owned()));
    }
}
