//! A local export server for developing, demoing and testing the async export button: the K12
//! export endpoints with real .xlsx/CSV files, both backend conventions, the four other backends of
//! the design documents (export service, XLink, MinApp, asset system), fault injection, request
//! recording, and the built demo on the same origin.
//!
//! Run it with `cargo run -p mock-backend -- --port 8080 --dist dist`; it prints
//! `listening on http://127.0.0.1:PORT` once it accepts connections (`--port 0` picks a free port).
//! Flags: `--port` (8080), `--dist` (`dist`), `--data-dir` (`target/mock-data`), `--expire-secs`
//! (600), `--url-delay-ms` (1500). Logs go to stderr; `RUST_LOG` (e.g. `debug`) sets their level.
//!
//! # Routes
//!
//! ```text
//! GET  /j/org/terms                                  {code:0, message:"", result:[{termId, name, students}]}
//! GET  /j/org/{termId}/homework/export               作业: start / URL   {code, message, result:{url, filename}}
//! GET  /j/org/{termId}/homework/export/process       作业: progress      {code, message, result:{retCode, loaded,
//!                                                                          total, message, data, extra:{filename}}}
//! GET  /j/org/{termId}/test/export[/process]         阶段测试, same shapes
//! GET  /j/org/{termId}/student/export[/process]      学生名单, same shapes
//! GET  /files/{token}                                the file, as an attachment; 410 once expired
//! GET  /storage/...                                  403 with an XML body: an expired signed link (`expired-link`)
//! GET  /demo/page, POST /v1/export/{http,raw}, GET /v1/export/{detail,history}, GET /v1/down/{key}.zip
//!                                                    the export service (see [`backends::export_service`])
//! POST /v2/export_task, GET /v2/export_task/{id}[/auth_link], POST /v2/export_tasks, GET /v2/download/{token}
//!                                                    XLink (see [`backends::xlink`])
//! POST|GET /userve/v1.5/table/{table_id}/export/, GET …/export/{job_id}/
//!                                                    MinApp (see [`backends::minapp`])
//! GET  /api/async_task/{session}, POST /api/export_task/{session}, GET /api/export_task/{session}/{id}
//!                                                    the asset system (see [`backends::asset`])
//! GET  /__mock/scenarios[?backend=B]                 {scenarios:[{name, description, defaultDurationMs}]}
//! GET  /__mock/requests?client=X                     {requests:[{t, client, method, path, query, job, status}]}
//! GET  /__mock/jobs?client=X                         {jobs:[{id, client, term, kind, scenario, scheme, format,
//!                                                      state, loaded, total, durationMs, filename, created,
//!                                                      finished, urlReady, delivered, requests,
//!                                                      progressRequests, answerBytes, token}]}
//! POST /__mock/reset[?client=X]                      {ok:true}: forgets recordings and jobs (one client's, or all)
//! GET  /, /examples/..., /...                        the files of --dist (index.html for directories)
//! ```
//!
//! Terms: 1001 "2024春季班" (48 students), 1002 "2024暑期集训" (0), 1003 "2024秋季班" (1,200),
//! 1004 "2025寒假班" (100,000), 1005 "2025春季班" (320).
//!
//! # Query parameters of the export endpoints
//!
//! Both endpoints of a pair take the same query (the widget sends its export data to both); unknown
//! parameters are ignored.
//!
//! - `client` (default `anon`; else the `X-Client-Id` header): whose job it is. Jobs and recordings
//!   are kept per client, so parallel tests do not see each other.
//! - `scenario` (default `normal`): see below. An unknown name is a 400 listing the valid ones.
//! - `scheme` = `A` | `B` (default `A`): the backend convention.
//!   - A: `total = n + 1` from the first answer; `loaded` goes 0..n while rows are written, then
//!     `n + 1` when the file is complete; the URL exists exactly when `loaded == total`. An empty
//!     term is `total 1` and still gets a URL (a file with only the header row).
//!   - B: the first progress answer is the made-up `total 1, loaded 0` (the first well-formed one:
//!     an answer spoilt by an injected fault does not count); then `total = n` and `loaded`
//!     goes to n; the URL comes `urlDelayMs` after the file is complete, and meanwhile progress says
//!     `loaded == total == n`. An empty export is `total 1, loaded 2`, URL after the same delay.
//! - `format` = `xlsx` | `csv` (default `xlsx`; CSV is UTF-8 with a BOM).
//! - `durationMs` (0–600000): target time for writing the rows; default per scenario (normal 4000,
//!   fast 1500, slow 15000, huge 5000). The writer is never ahead of this pace.
//! - `urlDelayMs` (0–600000, default `--url-delay-ms`, 1500): convention B's delay.
//! - `failAt` (0–100, default 40): where `fail` fails, in percent of the rows.
//! - `startDelayMs` (0–60000, default 3000): the delay of `slow-start`.
//! - `seed` (default 1): the seed of `flaky`.
//!
//! The start endpoint creates a job when none is running for (client, term, kind), else reports on
//! that job; a job stops running once a start call has handed out its URL (or it failed), so the
//! next export makes a fresh one. A start call whose settings (scenario, scheme, format and the
//! numeric parameters) differ from the running job's cancels it and starts afresh. The progress
//! endpoint reports on the latest job of (client, term, kind); with none it answers HTTP 200
//! `{code:1, message:"没有找到导出任务，请先调用导出接口", result:null}`.
//!
//! Download URLs are absolute, `http://{Host}/files/{token}` with the request's `Host` header, so a
//! page on another port can use them. Files are named `K12作业统计-{期次名称}.xlsx`,
//! `K12阶段测试统计-{期次名称}.xlsx`, `K12学生名单-{期次名称}.xlsx` (`.csv` with `format=csv`), and
//! are served with `Content-Disposition: attachment; filename="<ASCII>"; filename*=UTF-8''<UTF-8>`.
//! They expire `--expire-secs` after they are written: then 410, and the file is deleted.
//!
//! # Scenarios
//!
//! | `scenario` | behaviour |
//! |---|---|
//! | `normal` | the term's students, written in about 4 s |
//! | `fast` | about 1.5 s |
//! | `slow` | about 15 s |
//! | `empty` | as if the term had no students: a header-only file |
//! | `huge` | as if the term had 100,000 students; as fast as it can, but at least 5 s |
//! | `fail` | at `failAt`% the job stops; progress answers `code:-1, message:"导出任务异常：数据库连接中断"` |
//! | `http500-once` | the job's first progress request answers HTTP 500 (HTML); later ones work |
//! | `http500-always` | every progress request answers HTTP 500 (HTML) |
//! | `http502-once` | the job's first progress request answers HTTP 502 (a gateway's HTML page) |
//! | `http502-always` | every progress request answers HTTP 502 |
//! | `rate-limited` | the job's first two progress requests answer 429, `Retry-After: 1`, JSON body |
//! | `malformed-json` | every progress answer is cut-off JSON |
//! | `malformed-once` | the first progress answer is cut-off JSON, later ones are fine |
//! | `result-null` | progress answers `result: null` throughout; the start endpoint still gives the URL |
//! | `string-numbers` | `code`, `retCode`, `loaded`, `total` as JSON strings |
//! | `loaded-over-total` | once every row is written, `loaded` is reported as n + 5 (over `total`) |
//! | `url-never` | progress reaches 100%, the URL never comes |
//! | `never-finishes` | progress stalls at 63% forever |
//! | `javascript-url` | the URL is `javascript:alert(document.domain)` |
//! | `relative-url` | the URL is the path `/files/{token}`, relative to the page |
//! | `foreign-url` | the URL is on another origin: `http://localhost:PORT/files/{token}` (`127.0.0.1` when asked through `localhost`), the same file |
//! | `expired-link` | the URL is on that other origin too, `/storage/…`, which answers 403 with an XML body, as an expired signed storage link does |
//! | `hostile-filename` | the name is `../../<img src=x onerror=alert(1)>\u0000报表.xlsx` in the JSON; the download header carries a sanitised form |
//! | `slow-start` | the start call that creates the job answers after `startDelayMs`; later ones at once |
//! | `flaky` | each progress request fails ~30% of the time, seeded: HTTP 502, or a connection reset mid-body |
//! | `code-error-start` | the start endpoint answers `code:-1, message:"导出失败：没有导出权限"`; no job |
//! | `huge-answer` | every progress answer is valid JSON of about 50 MB (a runaway `result.data`), streamed at about 32 MB/s, never held whole; the job's `answerBytes` counts what was sent before the client hung up |
//!
//! # The other backends
//!
//! Fixed credentials: XLink accepts only `Access-Token: demo-token` (anything else is 401
//! `{"error":{"code":4031003,"msg":"Access-Token 无效"}}`); the asset system accepts only session
//! `demo` (others are 400 `{code:1|2, info}` as the document says); MinApp has only table `1`
//! (others are 404 `{"error_msg":"数据表不存在"}`). The export service needs none.
//!
//! A test picks a scenario per job with query parameters on the request that creates it — also
//! for the POST endpoints, whose bodies are the widget's — and names itself with `client`:
//! `scenario`, `client`, `durationMs`, `failAt`, `startDelayMs`, `seed`, `rows` (see [`sim::knobs`]);
//! plus `splitRows` and `backslash=1` (export service), `linkTtlMs` (XLink's `auth_link`) and
//! `windowMs` (MinApp's one-job window). Later requests follow the job's scenario. A page passes
//! them through the adapter's `query` option, which adds them to every request:
//!
//! ```text
//! { "protocol": "xlink", "baseUrl": "http://127.0.0.1:8080", "accessToken": "demo-token", "name": "设备", "type": 1,
//!   "query": { "client": "e2e-3", "scenario": "expired", "durationMs": 500 } }
//! ```
//!
//! Each backend's scenarios: `GET /__mock/scenarios?backend=export-service|xlink|minapp|asset`, and
//! the table in its module. Their jobs are kept per client and cleared by `POST /__mock/reset`;
//! `GET /__mock/jobs` lists K12's only (the others have their own list endpoints). Their files are
//! served and expire like K12's.
//!
//! # Errors, CORS, limits
//!
//! Bad input answers `{code, message}` JSON with the HTTP status as `code`: 400 (bad id, bad
//! parameter, unknown scenario), 404 (unknown term, kind, route or file), 405 (wrong method), 410
//! (expired file), 414 (query over 4 KB). Internals are logged, never sent.
//!
//! CORS is granted to loopback origins on any port (`http://127.0.0.1:*`, `http://localhost:*`,
//! `http://[::1]:*`, and https), with preflight, the request headers `Content-Type`, `Access-Token`,
//! `X-Client-Id`, and `Retry-After`, `Content-Disposition` exposed. Other origins get no CORS headers.
//!
//! Every API request (the paths under [`API_PREFIXES`]: `/j/`, `/files/`, `/storage/`, `/v1/`, `/v2/`,
//! `/userve/`, `/api/`, `/demo/`) is recorded with its arrival time in ms since start, except those
//! refused for an oversized query; the last 10,000 are kept.
//!
//! # Layout
//!
//! ```text
//!  lib (app, AppState)          the server: middleware, the state with one named store per backend
//!       │
//!  backends                     the registry (name, scenarios, routes; stores) and one module per
//!       │                       backend: its routes and wire glue only
//!  sim, files, record, data,    the simulation vocabulary (scenarios, knobs, timeline, job header
//!  control, error, site         and store, wire faults, the file writer, clock); finished files;
//!                               the request recorder; K12's data; the /__mock routes; errors
//! ```

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};

pub mod backends;
pub mod control;
pub mod data;
pub mod error;
pub mod files;
mod hash;
pub mod record;
pub mod sim;
mod site;

pub use error::ApiError;

/// How the server is set up.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where export files are written (created when needed).
    pub data_dir: PathBuf,
    /// The built demo, served at `/`.
    pub dist_dir: PathBuf,
    /// How long a written file can be downloaded.
    pub expire_after: Duration,
    /// `host:port` for download URLs when a request has no usable `Host` header.
    pub public_host: String,
    /// Requests kept by the recorder.
    pub max_recorded_requests: usize,
    /// K12 jobs kept (the oldest is forgotten, and stopped, past this).
    pub max_jobs: usize,
    /// Files remembered (the oldest is deleted past this).
    pub max_files: usize,
    /// Longest query string accepted, in bytes.
    pub max_query_bytes: usize,
    /// Convention B's URL delay when the request gives no `urlDelayMs`.
    pub url_delay_ms: u64,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            data_dir: PathBuf::from("target/mock-data"),
            dist_dir: PathBuf::from("dist"),
            expire_after: Duration::from_secs(600),
            public_host: "127.0.0.1:8080".to_owned(),
            max_recorded_requests: 10_000,
            max_jobs: 1_000,
            max_files: 1_000,
            max_query_bytes: 4_096,
            url_delay_ms: backends::k12::DEFAULT_URL_DELAY_MS,
        }
    }
}

/// The server's shared state: cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    started: Instant,
    next_job_id: AtomicU64,
    files: Mutex<files::FileStore>,
    record: Mutex<record::Recorder>,
    stores: backends::Stores,
    secret: std::hash::RandomState,
}

/// Locks a mutex; a panic elsewhere while it was held does not make the state unusable.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl AppState {
    /// A fresh server state; the clock for recorded times starts now.
    pub fn new(config: Config) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                next_job_id: AtomicU64::new(1),
                files: Mutex::new(files::FileStore::new(config.max_files)),
                record: Mutex::new(record::Recorder::new(config.max_recorded_requests)),
                stores: backends::Stores::new(&config),
                secret: std::hash::RandomState::new(),
                config,
                started: Instant::now(),
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Milliseconds since the state was created: the clock of recordings and job times.
    pub fn now_ms(&self) -> u64 {
        u64::try_from(self.inner.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// A new job id, unique among every backend's jobs (the request records name jobs by it).
    pub fn next_job_id(&self) -> u64 {
        self.inner.next_job_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Every backend's jobs.
    pub fn stores(&self) -> &backends::Stores {
        &self.inner.stores
    }

    /// The finished files.
    pub(crate) fn files(&self) -> &Mutex<files::FileStore> {
        &self.inner.files
    }

    /// The request recorder.
    pub(crate) fn recorder(&self) -> &Mutex<record::Recorder> {
        &self.inner.record
    }

    /// Deletes the files that have expired (their tokens then answer 410); returns how many.
    pub fn sweep_expired(&self) -> usize {
        let paths = lock(&self.inner.files).expire(self.now_ms());
        let n = paths.len();
        files::remove_files(paths);
        n
    }

    /// Stops every job and deletes every file: for shutting down.
    pub fn shutdown(&self) {
        self.inner.stores.clear(None, self.now_ms());
        let paths = lock(&self.inner.files).drain();
        files::remove_files(paths);
    }

    /// A keyed hash of `message` under the server's secret (random per start): the signature of
    /// the signed links. Not a real MAC, but nobody outside the process knows the key.
    pub fn sign(&self, message: &str) -> String {
        use std::hash::BuildHasher;
        let a = self.inner.secret.hash_one((message, 0u8));
        let b = self.inner.secret.hash_one((message, 1u8));
        format!("{a:016x}{b:016x}")
    }

    /// Counts a request against a K12 job (for `/__mock/jobs`).
    pub(crate) fn touch_job(&self, id: u64) {
        if let Some(job) = lock(&self.inner.stores.k12).get_mut(id) {
            job.requests += 1;
        }
    }

    /// The origin for absolute download URLs: the request's `Host` if it is a plain `host[:port]`,
    /// else the address the server listens on.
    pub fn origin(&self, headers: &HeaderMap) -> String {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| {
                !h.is_empty()
                    && h.len() <= 255
                    && h.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
            })
            .map_or_else(|| self.config().public_host.clone(), str::to_owned);
        format!("http://{host}")
    }
}

/// Path prefixes of the API: requests under them are recorded, and unknown routes under them answer
/// a JSON 404 instead of the demo's page.
pub const API_PREFIXES: &[&str] = &["/j/", "/files/", "/storage/", "/v1/", "/v2/", "/userve/", "/api/", "/demo/"];

/// Whether `path` is under one of the [`API_PREFIXES`].
pub fn is_api_path(path: &str) -> bool {
    API_PREFIXES.iter().any(|p| path.starts_with(p) || path == p.trim_end_matches('/'))
}

/// Whether an `Origin` is a loopback one: `http(s)://127.0.0.1`, `localhost` or `[::1]`, any port.
pub fn is_loopback_origin(origin: &[u8]) -> bool {
    let Ok(origin) = std::str::from_utf8(origin) else { return false };
    let Some(rest) = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")) else {
        return false;
    };
    let port = ["127.0.0.1", "localhost", "[::1]"].iter().find_map(|host| rest.strip_prefix(host));
    match port {
        Some("") => true,
        Some(p) => p.strip_prefix(':').is_some_and(|digits| {
            !digits.is_empty() && digits.len() <= 5 && digits.bytes().all(|b| b.is_ascii_digit())
        }),
        None => false,
    }
}

fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(|origin: &HeaderValue, _| is_loopback_origin(origin.as_bytes())))
        .allow_methods([Method::GET, Method::HEAD, Method::POST, Method::OPTIONS])
        .allow_headers([
            header::CONTENT_TYPE,
            HeaderName::from_static("access-token"),
            HeaderName::from_static("x-client-id"),
        ])
        .expose_headers([header::RETRY_AFTER, header::CONTENT_DISPOSITION])
        .max_age(Duration::from_secs(600))
}

/// Middleware around the CORS layer: a request from a foreign origin leaves with no CORS header at
/// all (the layer would still expose headers or answer a preflight's methods).
async fn cors_for_loopback_only(request: Request, next: Next) -> Response {
    let foreign = request.headers().get(header::ORIGIN).is_some_and(|o| !is_loopback_origin(o.as_bytes()));
    let mut response = next.run(request).await;
    if foreign {
        let names: Vec<HeaderName> =
            response.headers().keys().filter(|name| name.as_str().starts_with("access-control-")).cloned().collect();
        for name in names {
            response.headers_mut().remove(name);
        }
    }
    response
}

/// Middleware: answers 414 to a query string over the limit, before anything parses it.
async fn limit_query(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limit = state.config().max_query_bytes;
    if request.uri().query().is_some_and(|q| q.len() > limit) {
        return ApiError::UriTooLong { limit }.into_response();
    }
    next.run(request).await
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// The whole server as a `Router`; tests drive it with `tower::ServiceExt::oneshot`.
pub fn app(state: AppState) -> Router {
    backends::BACKENDS
        .iter()
        .fold(Router::new(), |router, backend| router.merge((backend.routes)()))
        .merge(files::routes())
        .merge(control::routes())
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(site::fallback)
        .layer(middleware::from_fn_with_state(state.clone(), record::record))
        .layer(middleware::from_fn_with_state(state.clone(), limit_query))
        .layer(cors())
        .layer(middleware::from_fn(cors_for_loopback_only))
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_origins_on_any_port() {
        for ok in [
            "http://127.0.0.1:5173",
            "http://localhost:8080",
            "http://[::1]:3000",
            "http://localhost",
            "https://127.0.0.1:1",
        ] {
            assert!(is_loopback_origin(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "http://example.com",
            "http://127.0.0.1.evil.com",
            "http://localhost.evil.com:80",
            "http://localhost:80@evil.com",
            "http://localhost:",
            "http://localhost:123456",
            "null",
            "file://",
            "ftp://localhost:21",
        ] {
            assert!(!is_loopback_origin(bad.as_bytes()), "{bad}");
        }
    }
}
