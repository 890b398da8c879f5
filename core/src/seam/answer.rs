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

    fn parse(text: &str) -> Json {
        Json::parse(text).unwrap()
    }

    #[test]
    fn messages_are_found_in_the_usual_places() {
        assert_eq!(message(&parse(r#"{"error":{"code":1,"msg":"无效"}}"#)).as_deref(), Some("无效"));
        assert_eq!(message(&parse(r#"{"code":2,"info":"用户未找到"}"#)).as_deref(), Some("用户未找到"));
        assert_eq!(message(&parse(r#"{"error_msg":"x","message":""}"#)).as_deref(), Some("x"));
        assert_eq!(message(&parse(r#"{"a":1}"#)), None);
    }
}
