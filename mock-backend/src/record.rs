//! Request recording, for tests that want to see what the widget asked and when.
//!
//! Every request to the API (the paths under [`crate::API_PREFIXES`]) is kept with its arrival time in ms since
//! the server started, its client, and the job it touched. Only the last
//! [`Config::max_recorded_requests`](crate::Config::max_recorded_requests) are kept.

use std::collections::VecDeque;

use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, Uri};
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;

use crate::{lock, AppState};

/// The client a request belongs to when it names none.
pub const DEFAULT_CLIENT: &str = "anon";

/// Longest client id accepted.
pub const MAX_CLIENT_LEN: usize = 64;

/// One recorded request.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct RequestRecord {
    /// Arrival time, ms since the server started.
    pub t: u64,
    /// The client (`?client=`, else the `X-Client-Id` header, else `anon`; a download counts for the
    /// client whose job made the file).
    pub client: String,
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, as sent (still percent-encoded).
    pub path: String,
    /// The raw query string, `""` when there is none.
    pub query: String,
    /// The job the request touched, if any.
    pub job: Option<u64>,
    /// The HTTP status answered.
    pub status: u16,
}

/// What a handler tells the recorder, as a response extension: the job it touched and, for
/// downloads, the client that owns it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Touched {
    pub job: Option<u64>,
    pub client: Option<String>,
}

/// Tells the recorder that `response` answers `client`'s request about `job`.
pub(crate) fn touched(mut response: Response, job: Option<u64>, client: &str) -> Response {
    response.extensions_mut().insert(Touched { job, client: Some(client.to_owned()) });
    response
}

/// The last `max` requests, oldest first.
#[derive(Debug)]
pub(crate) struct Recorder {
    entries: VecDeque<RequestRecord>,
    max: usize,
}

impl Recorder {
    pub fn new(max: usize) -> Recorder {
        Recorder { entries: VecDeque::new(), max: max.max(1) }
    }

    pub fn push(&mut self, record: RequestRecord) {
        while self.entries.len() >= self.max {
            self.entries.pop_front();
        }
        self.entries.push_back(record);
    }

    /// The requests of one client (or all), in arrival order.
    pub fn list(&self, client: Option<&str>) -> Vec<RequestRecord> {
        let mut out: Vec<RequestRecord> =
            self.entries.iter().filter(|r| client.is_none_or(|c| r.client == c)).cloned().collect();
        // Entries are pushed when the answer is ready; a slow answer must not reorder arrivals.
        out.sort_by_key(|r| r.t);
        out
    }

    pub fn clear(&mut self, client: Option<&str>) {
        self.entries.retain(|r| client.is_some_and(|c| r.client != c));
    }
}

/// Whether a client id is acceptable: 1–64 of `A-Z a-z 0-9 _ - . : @`.
pub fn valid_client(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_CLIENT_LEN
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':' | b'@'))
}

/// The client a request names, unchecked: `?client=`, else `X-Client-Id`, else `None`.
pub(crate) fn client_hint(uri: &Uri, headers: &HeaderMap) -> Option<String> {
    let from_query = Query::<Vec<(String, String)>>::try_from_uri(uri)
        .ok()
        .and_then(|Query(pairs)| pairs.into_iter().find(|(k, _)| k == "client").map(|(_, v)| v));
    from_query.or_else(|| headers.get("x-client-id").and_then(|v| v.to_str().ok()).map(str::to_owned))
}

/// Middleware: logs every request and records the API's.
pub(crate) async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let t = state.now_ms();
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let api = crate::is_api_path(&path);
    let query = request.uri().query().unwrap_or("").to_owned();
    let client = client_hint(request.uri(), request.headers());
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let touched = response.extensions().get::<Touched>().cloned().unwrap_or_default();
    tracing::info!(%method, %path, status, job = touched.job, ms = state.now_ms().saturating_sub(t), "request");
    if api {
        let mut client = touched.client.or(client).unwrap_or_else(|| DEFAULT_CLIENT.to_owned());
        if client.len() > MAX_CLIENT_LEN {
            // Bounded memory: an invalid, long id is recorded cut short.
            let mut end = MAX_CLIENT_LEN;
            while !client.is_char_boundary(end) {
                end -= 1;
            }
            client.truncate(end);
        }
        lock(state.recorder()).push(RequestRecord { t, client, method, path, query, job: touched.job, status });
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(t: u64, client: &str) -> RequestRecord {
        RequestRecord {
            t,
            client: client.to_owned(),
            method: "GET".into(),
            path: "/j".into(),
            query: String::new(),
            job: None,
            status: 200,
        }
    }

    #[test]
    fn keeps_only_the_last_max_and_sorts_by_arrival() {
        let mut r = Recorder::new(3);
        for (t, c) in [(5, "a"), (1, "b"), (3, "a"), (4, "a")] {
            r.push(rec(t, c));
        }
        assert_eq!(r.list(None).iter().map(|x| x.t).collect::<Vec<_>>(), vec![1, 3, 4]);
        assert_eq!(r.list(Some("a")).len(), 2);
        r.clear(Some("a"));
        assert_eq!(r.list(None).len(), 1);
        r.clear(None);
        assert!(r.list(None).is_empty());
    }

    #[test]
    fn client_ids_are_checked() {
        assert!(valid_client("e2e-test_1.a:b@c"));
        for bad in ["", "a b", "<x>", "../", &"x".repeat(65)] {
            assert!(!valid_client(bad), "{bad}");
        }
    }
}
