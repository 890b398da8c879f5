//! Wire faults, the same for every backend: a gateway's HTML 5xx pages, 429s with `Retry-After`,
//! JSON cut off in the middle, connections reset mid-body; and the hostile values some scenarios
//! hand out.

use axum::body::Body;
use axum::http::header::{self, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::sim::scenario::{flaky_fault, FlakyFault, Scenario};

/// The file name of `hostile-filename`, before its extension.
pub const HOSTILE_NAME: &str = "../../<img src=x onerror=alert(1)>\u{0}报表";
/// The URL of `javascript-url`.
pub const JAVASCRIPT_URL: &str = "javascript:alert(document.domain)";

/// Another origin of this server for the download links of `foreign-url` and `expired-link`:
/// `origin` (`http://host:port`) under its other loopback name — `localhost` for `127.0.0.1`,
/// `127.0.0.1` for anything else — as a storage service's or a CDN's links are.
pub fn other_origin(origin: &str) -> String {
    let rest = origin.strip_prefix("http://").unwrap_or(origin);
    let (host, port) = rest.rsplit_once(':').filter(|(h, _)| !h.ends_with(']')).unwrap_or((rest, ""));
    let other = if host == "127.0.0.1" { "localhost" } else { "127.0.0.1" };
    if port.is_empty() {
        format!("http://{other}")
    } else {
        format!("http://{other}:{port}")
    }
}

/// `GET /storage/…`, where `expired-link` points: what a storage service answers for an expired signed link, 403 with an XML
/// body and no `Content-Disposition`.
pub fn expired_storage() -> Response {
    let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code>\
        <Message>Request has expired</Message><Expires>1970-01-01T00:00:01Z</Expires></Error>\n";
    let mut r = (StatusCode::FORBIDDEN, body).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/xml"));
    r
}

/// The fault of the `index`-th (0-based) status request of a job playing `scenario`, if it has
/// one: HTTP 500 or 502 pages, two 429s, or `flaky`'s 502s and resets (seeded by `seed`).
pub fn fault(scenario: Scenario, seed: u64, index: u64) -> Option<Response> {
    match scenario {
        Scenario::Http500Once if index == 0 => Some(html_error(StatusCode::INTERNAL_SERVER_ERROR)),
        Scenario::Http500Always => Some(html_error(StatusCode::INTERNAL_SERVER_ERROR)),
        Scenario::Http502Once if index == 0 => Some(html_error(StatusCode::BAD_GATEWAY)),
        Scenario::Http502Always => Some(html_error(StatusCode::BAD_GATEWAY)),
        Scenario::RateLimited if index < 2 => Some(rate_limited()),
        Scenario::Flaky => match flaky_fault(seed, index) {
            Some(FlakyFault::BadGateway) => Some(html_error(StatusCode::BAD_GATEWAY)),
            Some(FlakyFault::Reset) => Some(reset()),
            None => None,
        },
        _ => None,
    }
}

/// Whether the `index`-th status answer of a job playing `scenario` is cut short.
pub fn malformed(scenario: Scenario, index: u64) -> bool {
    scenario == Scenario::MalformedJson || (scenario == Scenario::MalformedOnce && index == 0)
}

/// The `index`-th status answer `text` of a job playing `scenario`: as it is, or cut short.
pub fn status_answer(text: String, scenario: Scenario, index: u64) -> Response {
    json_text(if malformed(scenario, index) { truncate(&text) } else { text })
}

/// A gateway's HTML error page.
pub fn html_error(status: StatusCode) -> Response {
    let reason = status.canonical_reason().unwrap_or("Error");
    let code = status.as_u16();
    let page = format!(
        "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n<center><h1>{code} {reason}</h1></center>\r\n\
         <hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static("text/html"))], page).into_response()
}

/// HTTP 429 with `Retry-After: 1` and a JSON body.
pub fn rate_limited() -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, HeaderValue::from_static("1"))],
        Json(json!({"code": 429, "message": "请求过于频繁，请稍后再试"})),
    )
        .into_response()
}

/// A body that fails after the headers are out: hyper drops the connection, which a browser sees
/// as a network error.
struct ResetBody;

impl http_body::Body for ResetBody {
    type Data = axum::body::Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        std::task::Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "flaky scenario: connection reset",
        ))))
    }
}

/// HTTP 200 headers, then a reset connection.
pub fn reset() -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], Body::new(ResetBody))
        .into_response()
}

/// `body` as `application/json`, written by hand (for answers serde would not write).
pub fn json_text(body: String) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()
}

/// Cuts a JSON text in the middle (on a character boundary), so that it cannot parse.
pub fn truncate(text: &str) -> String {
    let mut end = text.len() / 2;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncated_json_does_not_parse() {
        let text = r#"{"code":0,"message":"","result":{"extra":{"filename":"K12作业统计-2024春季班.xlsx"}}}"#;
        let cut = truncate(text);
        assert!(cut.len() < text.len());
        assert!(serde_json::from_str::<serde_json::Value>(&cut).is_err());
    }
}
