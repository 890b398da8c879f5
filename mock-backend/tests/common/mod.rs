//! What the backend test files share: the server driven with `oneshot`, requests, JSON, waiting,
//! and a driver that runs the widget's own protocol machine against the server.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use k12_export_core::json::Json as CoreJson;
/// The machines' interface, for the tests that drive one through the mock.
pub use k12_export_core::SansIo;
use k12_export_core::{Command, HttpOutcome, HttpRequest, Input, Machine, Status};
use mock_backend::{app, AppState, Config};
use serde_json::Value;
use tempfile::TempDir;
use tower::ServiceExt;

pub const HOST: &str = "127.0.0.1:4567";

pub struct Mock {
    pub app: Router,
    pub state: AppState,
    pub dir: TempDir,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}) [{}]: {}", self.status, String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

impl Mock {
    pub fn new() -> Mock {
        Mock::with(|_| {})
    }

    pub fn with(f: impl FnOnce(&mut Config)) -> Mock {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config {
            data_dir: dir.path().join("data"),
            dist_dir: dir.path().join("dist"),
            public_host: "127.0.0.1:8080".into(),
            ..Config::default()
        };
        f(&mut config);
        let state = AppState::new(config);
        Mock { app: app(state.clone()), state, dir }
    }

    /// Sends a request; `Err` when the body breaks off (a connection reset).
    pub async fn send_raw(&self, req: Request<Body>) -> Result<Reply, (StatusCode, String)> {
        let response = self.app.clone().oneshot(req).await.unwrap();
        let (parts, body) = response.into_parts();
        match body.collect().await {
            Ok(b) => Ok(Reply { status: parts.status, headers: parts.headers, body: b.to_bytes() }),
            Err(e) => Err((parts.status, e.to_string())),
        }
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        self.send_raw(req).await.unwrap_or_else(|e| panic!("body failed: {e:?}"))
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.get_with(uri, &[]).await
    }

    pub async fn get_with(&self, uri: &str, headers: &[(&str, &str)]) -> Reply {
        let mut b = Request::get(uri).header(header::HOST, HOST);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    pub async fn post(&self, uri: &str, body: &str) -> Reply {
        self.post_with(uri, body, &[]).await
    }

    pub async fn post_with(&self, uri: &str, body: &str, headers: &[(&str, &str)]) -> Reply {
        let mut b = Request::post(uri).header(header::HOST, HOST).header(header::CONTENT_TYPE, "application/json");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        self.send(b.body(Body::from(body.to_owned())).unwrap()).await
    }

    pub async fn requests(&self, client: &str) -> Vec<Value> {
        self.get(&format!("/__mock/requests?client={client}")).await.json()["requests"].as_array().unwrap().clone()
    }

    /// Downloads a URL of this server (absolute with our Host, or a path).
    pub async fn download(&self, url: &str) -> Reply {
        let path = url.strip_prefix(&format!("http://{HOST}")).unwrap_or(url);
        self.get(path).await
    }

    /// Sends a machine's request to this server (its URL absolute with our Host, or a path) and
    /// gives what the machine is told, as the browser's driver tells it: the answer; a network
    /// error when the body breaks off; or, when the body passes the request's limit, no body —
    /// reading stops there and the rest is dropped unread.
    pub async fn answer(&self, request: &HttpRequest) -> HttpOutcome {
        let path = request.url.strip_prefix(&format!("http://{HOST}")).unwrap_or(&request.url).to_owned();
        let mut b = Request::builder().method(request.method.as_str()).uri(path).header(header::HOST, HOST);
        for (k, v) in &request.headers {
            b = b.header(k.as_str(), v.as_str());
        }
        let body = match &request.body {
            Some(text) => {
                b = b.header(header::CONTENT_TYPE, "application/json");
                Body::from(text.clone())
            }
            None => Body::empty(),
        };
        let response = self.app.clone().oneshot(b.body(body).unwrap()).await.unwrap();
        let status = response.status().as_u16();
        let retry_after = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
        let mut body = response.into_body();
        let mut bytes = Vec::new();
        while let Some(frame) = body.frame().await {
            match frame {
                Ok(frame) => bytes.extend_from_slice(frame.data_ref().map_or(&[][..], |d| &d[..])),
                Err(e) => return HttpOutcome::NetworkError(e.to_string()),
            }
            if bytes.len() > request.limit as usize {
                return HttpOutcome::TooLarge;
            }
        }
        HttpOutcome::Answer { status, retry_after, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    /// Runs the widget's machine for `options` against this server until it ends (or `limit`
    /// passes), in real time. Returns the machine and what it handed over.
    pub async fn drive(&self, options: &str, limit: Duration) -> (Machine, Handed) {
        let options = CoreJson::parse(options).unwrap_or_else(|e| panic!("{e}: {options}"));
        let mut m = Machine::from_options(&options, 3).unwrap_or_else(|e| panic!("{e}"));
        let started = Instant::now();
        let now = || started.elapsed().as_secs_f64() * 1000.0;
        let mut handed = Handed::default();
        m.handle(Input::Start, now());
        loop {
            while let Some(c) = m.poll_command() {
                match c {
                    Command::Send { id, request } => {
                        handed.requests.push(format!("{} {}", request.method.as_str(), request.url));
                        let outcome = self.answer(&request).await;
                        m.handle(Input::Response { id, outcome }, now());
                    }
                    Command::Abort { .. } => {}
                    Command::Download { url, filename } => handed.download = Some((url, filename)),
                    Command::Save { bytes, mime, filename } => handed.save = Some((bytes, mime, filename)),
                }
            }
            if m.view().status != Status::Exporting {
                return (m, handed);
            }
            assert!(started.elapsed() < limit, "the export did not end in {limit:?}: {:?}", m.view());
            let at = m.poll_timeout().expect("a running export has a timeout");
            let wait = (at - now()).clamp(0.0, 1000.0);
            tokio::time::sleep(Duration::from_secs_f64(wait / 1000.0)).await;
            m.handle(Input::Timer, now());
        }
    }
}

/// What the machine handed over.
#[derive(Debug, Default)]
pub struct Handed {
    /// `METHOD url` of every request, in order.
    pub requests: Vec<String>,
    /// A download (URL, file name).
    pub download: Option<(String, String)>,
    /// A file built in the browser (bytes, MIME, file name).
    pub save: Option<(Vec<u8>, &'static str, String)>,
}

pub async fn sleep_ms(ms: u64) {
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

/// Calls `f` until it gives `Some`, for up to 10 s.
pub async fn eventually<T, F: std::future::Future<Output = Option<T>>>(mut f: impl FnMut() -> F) -> T {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "condition not met in 10 s");
        sleep_ms(20).await;
    }
}

/// The rows of the first sheet of an .xlsx, as text.
pub fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).unwrap();
    range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

/// The lines of a CSV with a BOM, split into fields (no quoting in the mock's data).
pub fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).unwrap();
    let text = text.strip_prefix('\u{FEFF}').expect("a BOM");
    text.split("\r\n").filter(|l| !l.is_empty()).map(|l| l.split(',').map(str::to_owned).collect()).collect()
}

pub fn method(m: &str) -> Method {
    Method::from_bytes(m.as_bytes()).unwrap()
}
