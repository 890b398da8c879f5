//! Wire faults, the same for every backend: a gateway's HTML 5xx pages, 429s with `Retry-After`,
//! JSON cut off in the middle, connections reset mid-body, answers of 50 MB; and the hostile
//! values some scenarios hand out.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::header::{self, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http_body::{Frame, SizeHint};
use serde_json::json;
use tokio::time::{Instant, Sleep};

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

/// The size of a `huge-answer` answer, about: far over what a client should read of a status
/// answer.
pub const HUGE_ANSWER_BYTES: u64 = 50_000_000;

/// One piece of a huge answer's filler: whole items `{"row":123456,"v":"filler"},` up to 64 KiB.
fn filler() -> Bytes {
    const ITEM: &str = r#"{"row":123456,"v":"filler"},"#;
    Bytes::from(ITEM.repeat(64 * 1024 / ITEM.len()))
}

/// A piece of a huge answer goes out every this long: about 32 MB/s. Fast enough for a client
/// that reads it all to do so in under two seconds; paced so that what was sent when a client hung
/// up says how much it read, not how much the socket buffers held.
const HUGE_PACE: Duration = Duration::from_millis(2);

/// A JSON answer of about [`HUGE_ANSWER_BYTES`]: `head` (which opens an array), filler items,
/// then `tail` (which closes it; it starts with one last item), streamed piece by piece, never
/// held whole. `sent` counts the bytes handed to the connection: when the client hangs up, the
/// body is dropped and the count stops there.
pub fn huge_answer(head: String, tail: String, sent: Arc<AtomicU64>) -> Response {
    let filler = filler();
    let pieces = HUGE_ANSWER_BYTES / filler.len() as u64;
    let body = HugeBody {
        head: Some(Bytes::from(head)),
        filler,
        pieces,
        tail: Some(Bytes::from(tail)),
        pace: Box::pin(tokio::time::sleep(Duration::ZERO)),
        sent,
    };
    json_body(Body::new(body))
}

/// The body of [`huge_answer`].
struct HugeBody {
    head: Option<Bytes>,
    filler: Bytes,
    /// Filler pieces still to send.
    pieces: u64,
    tail: Option<Bytes>,
    pace: Pin<Box<Sleep>>,
    sent: Arc<AtomicU64>,
}

impl http_body::Body for HugeBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        let piece = match this.head.take() {
            Some(head) => head,
            None if this.pieces > 0 => {
                if this.pace.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                this.pace.as_mut().reset(Instant::now() + HUGE_PACE);
                this.pieces -= 1;
                this.filler.clone()
            }
            None => match this.tail.take() {
                Some(tail) => tail,
                None => return Poll::Ready(None),
            },
        };
        this.sent.fetch_add(piece.len() as u64, Ordering::Relaxed);
        Poll::Ready(Some(Ok(Frame::data(piece))))
    }

    fn is_end_stream(&self) -> bool {
        self.head.is_none() && self.pieces == 0 && self.tail.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        let len = |b: &Option<Bytes>| b.as_ref().map_or(0, |b| b.len() as u64);
        SizeHint::with_exact(len(&self.head) + self.pieces * self.filler.len() as u64 + len(&self.tail))
    }
}

/// `body` as `application/json`.
fn json_body(body: Body) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()
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

    #[tokio::test]
    async fn a_huge_answer_is_json_of_50_mb_counted_as_it_is_sent() {
        use http_body_util::BodyExt;
        let sent = Arc::new(AtomicU64::new(0));
        let response = huge_answer(r#"{"data":["#.into(), r#"{"row":0}]}"#.into(), sent.clone());
        let mut body = response.into_body();
        let hint = http_body::Body::size_hint(&body).exact().unwrap();
        assert!((HUGE_ANSWER_BYTES - 70_000..=HUGE_ANSWER_BYTES).contains(&hint), "{hint}");
        let first = body.frame().await.unwrap().unwrap().into_data().unwrap();
        assert_eq!(sent.load(Ordering::Relaxed), first.len() as u64, "counted as it goes");
        let rest = body.collect().await.unwrap().to_bytes();
        assert_eq!(sent.load(Ordering::Relaxed), hint);
        let all = [first, rest].concat();
        assert_eq!(all.len() as u64, hint);
        let v: serde_json::Value = serde_json::from_slice(&all).unwrap();
        assert!(v["data"].as_array().unwrap().len() > 1_000_000);
    }

    #[test]
    fn truncated_json_does_not_parse() {
        let text = r#"{"code":0,"message":"","result":{"extra":{"filename":"K12作业统计-2024春季班.xlsx"}}}"#;
        let cut = truncate(text);
        assert!(cut.len() < text.len());
        assert!(serde_json::from_str::<serde_json::Value>(&cut).is_err());
    }
}
