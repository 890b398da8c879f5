//! The widget's history machine against the mock's list endpoints, through `oneshot`: for each
//! backend, a job started on the mock shows up running, is refreshed until it is done, the
//! refreshes stop, and its re-download hands over a file the mock really serves.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use common::*;
use k12_export_core::history::{HistoryInput, HistoryMachine, HistoryView};
use k12_export_core::json::Json as CoreJson;
use k12_export_core::{Command, FailKind, Failure, JobState, SansIo};
use serde_json::json;

/// A history machine wired to the mock, in real time.
struct Panel<'a> {
    m: &'a Mock,
    h: HistoryMachine,
    started: Instant,
    /// `METHOD url` of every request, in order.
    requests: Vec<String>,
    /// Downloads handed over (URL, file name).
    downloads: Vec<(String, String)>,
    /// Files built here (bytes, file name).
    saves: Vec<(Vec<u8>, String)>,
}

impl<'a> Panel<'a> {
    fn new(m: &'a Mock, options: &str) -> Panel<'a> {
        let options = CoreJson::parse(options).unwrap_or_else(|e| panic!("{e}: {options}"));
        let h = HistoryMachine::from_options(&options, 5).unwrap_or_else(|e| panic!("{e}"));
        Panel { m, h, started: Instant::now(), requests: Vec::new(), downloads: Vec::new(), saves: Vec::new() }
    }

    fn now(&self) -> f64 {
        self.started.elapsed().as_secs_f64() * 1000.0
    }

    fn view(&self) -> &HistoryView {
        self.h.view()
    }

    /// Feeds `input`, then carries out every command (answering requests at once).
    async fn input(&mut self, input: HistoryInput) {
        self.h.handle(input, self.now());
        while let Some(c) = self.h.poll_command() {
            match c {
                Command::Send { id, request } => {
                    self.requests.push(format!("{} {}", request.method.as_str(), request.url));
                    let outcome = self.m.answer(&request).await;
                    self.h.handle(HistoryInput::Response { id, outcome }, self.now());
                }
                Command::Abort { .. } => {}
                Command::Download { url, filename } => self.downloads.push((url, filename)),
                Command::Save { bytes, filename, .. } => self.saves.push((bytes, filename)),
            }
        }
    }

    /// Lets the machine run (its timers in real time) until `done` holds, for up to 10 s.
    async fn until(&mut self, what: &str, done: impl Fn(&HistoryView) -> bool) {
        loop {
            if done(self.view()) {
                return;
            }
            assert!(self.started.elapsed() < Duration::from_secs(10), "not {what} in 10 s: {:?}", self.view());
            let at =
                self.h.poll_timeout().unwrap_or_else(|| panic!("nothing scheduled, not {what}: {:?}", self.view()));
            let wait = (at - self.now()).clamp(0.0, 1000.0);
            tokio::time::sleep(Duration::from_secs_f64(wait / 1000.0)).await;
            self.input(HistoryInput::Timer).await;
        }
    }

    /// Refreshes, watches while a job runs, and returns once none does.
    async fn settle(&mut self) {
        self.input(HistoryInput::Refresh).await;
        assert!(self.view().loaded, "{:?}", self.view());
        self.until("settled", |v| !v.loading && !v.auto_refresh).await;
        assert_eq!(self.view().failure, None);
        assert_eq!(self.h.poll_timeout(), None, "no job runs: nothing scheduled");
        assert!(self.view().items.iter().all(|i| !i.state.is_active()));
    }

    /// Refreshes once and gives the failure the answer leaves (there must be one).
    async fn refused(&mut self) -> Failure {
        self.input(HistoryInput::Refresh).await;
        self.view().failure.clone().unwrap()
    }

    fn count(&self, needle: &str) -> usize {
        self.requests.iter().filter(|r| r.contains(needle)).count()
    }
}

/// Downloads `url`: the lines of the CSV it serves (the header included).
async fn csv_lines(m: &Mock, url: &str) -> usize {
    let file = m.download(url).await;
    assert_eq!(file.status, StatusCode::OK);
    csv_rows(&file.body).len()
}

/// Starts a CSV export of MinApp table 1 with `query`; its job id.
async fn minapp_job(m: &Mock, query: &str) -> String {
    let r = m.post(&format!("/userve/v1.5/table/1/export/?{query}"), r#"{"file_type":"csv","mode":"all"}"#).await;
    r.json()["job_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn export_service_history_follows_a_job_to_done_and_redownloads_it_through_the_detail() {
    let m = Mock::new();
    let body = json!({"ext_type": "XLSX", "title": "历史导出", "user_id": "u-hist", "callback": "",
                      "source_raw": "[{\"name\":\"姓名\"},{\"name\":\"李雷\"}]"});
    let r = m.post("/v1/export/raw?client=hs&durationMs=400", &body.to_string()).await;
    let key = r.json()["data"]["hash_key"].as_str().unwrap().to_owned();
    let options = format!(
        r#"{{"protocol":"export-service","baseUrl":"http://{HOST}","userId":"u-hist","title":"历史导出",
            "sourceRaw":[{{"name":"姓名"}}],"query":{{"client":"hs"}},"historyRefreshMs":100}}"#
    );
    let mut p = Panel::new(&m, &options);
    p.input(HistoryInput::Refresh).await;
    assert_eq!(p.requests[0], format!("GET http://{HOST}/v1/export/history?user_id=u-hist&client=hs"));
    let item = &p.view().items[0];
    assert_eq!((item.id.as_str(), item.title.as_str(), item.state), (key.as_str(), "历史导出", JobState::Running));
    assert!(item.created_ms.is_some());
    assert!(p.view().auto_refresh);
    p.until("settled", |v| !v.loading && !v.auto_refresh).await;
    assert_eq!(p.view().items[0].state, JobState::Done);
    assert_eq!(p.h.poll_timeout(), None);
    assert!(p.count("/v1/export/history") >= 2, "refreshed while running: {:?}", p.requests);
    p.input(HistoryInput::Download { item: key.clone() }).await;
    assert_eq!(p.requests.last().unwrap(), &format!("GET http://{HOST}/v1/export/detail?key={key}&client=hs"));
    let (url, name) = p.downloads[0].clone();
    assert_eq!(name, "历史导出.zip");
    let file = m.download(&url).await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.body.starts_with(b"PK"), "a ZIP");
}

#[tokio::test]
async fn xlink_history_asks_a_fresh_signed_link_for_every_redownload() {
    let m = Mock::new();
    let token = ("access-token", "demo-token");
    let body = json!({"name": "设备列表导出", "describe": "", "type": 1, "params": {}}).to_string();
    let r = m.post_with("/v2/export_task?client=hx&durationMs=400&rows=5", &body, &[token]).await;
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let options = format!(
        r#"{{"protocol":"xlink","baseUrl":"http://{HOST}","accessToken":"demo-token","name":"设备列表导出","type":1,
            "query":{{"client":"hx"}},"historyRefreshMs":100}}"#
    );
    let mut p = Panel::new(&m, &options);
    p.input(HistoryInput::Refresh).await;
    let item = &p.view().items[0];
    assert_eq!((item.id.as_str(), item.title.as_str()), (id.as_str(), "设备列表导出"));
    assert!(item.state.is_active());
    p.until("settled", |v| !v.loading && !v.auto_refresh).await;
    assert_eq!(p.view().items[0].state, JobState::Done);
    assert_eq!(p.h.poll_timeout(), None);
    for _ in 0..2 {
        p.input(HistoryInput::Download { item: id.clone() }).await;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(p.count("/auth_link"), 2, "{:?}", p.requests);
    assert_eq!(p.downloads.len(), 2);
    assert_ne!(p.downloads[0].0, p.downloads[1].0, "each link is fresh");
    for (url, name) in &p.downloads {
        assert!(url.contains("sig="), "{url}");
        assert_eq!(name, "设备列表导出.csv");
        assert_eq!(csv_lines(&m, url).await, 6);
    }
}

#[tokio::test]
async fn minapp_history_follows_a_job_and_downloads_its_url_directly() {
    let m = Mock::new();
    let job = minapp_job(&m, "client=hm&durationMs=400&rows=5").await;
    let options = format!(
        r#"{{"protocol":"minapp","baseUrl":"http://{HOST}","tableId":1,"query":{{"client":"hm"}},"historyRefreshMs":100}}"#
    );
    let mut p = Panel::new(&m, &options);
    p.input(HistoryInput::Refresh).await;
    assert_eq!(p.requests[0], format!("GET http://{HOST}/userve/v1.5/table/1/export/?limit=20&offset=0&client=hm"));
    assert!(p.view().items[0].state.is_active());
    p.until("settled", |v| !v.loading && !v.auto_refresh).await;
    let item = p.view().items[0].clone();
    assert_eq!((item.id.as_str(), item.state), (job.as_str(), JobState::Done));
    assert_eq!(item.title, format!("商品表_{job}.csv"));
    let sent = p.requests.len();
    p.input(HistoryInput::Download { item: job.clone() }).await;
    assert_eq!(p.requests.len(), sent, "the list's own URL");
    let (url, name) = p.downloads[0].clone();
    assert_eq!(name, format!("商品表_{job}.csv"));
    assert_eq!(csv_lines(&m, &url).await, 6);
}

#[tokio::test]
async fn the_minapp_list_reports_a_finished_job_without_a_get_of_the_job() {
    let m = Mock::new();
    let job = minapp_job(&m, "client=hl&durationMs=100&rows=3").await;
    let listed = eventually(|| async {
        let v = m.get("/userve/v1.5/table/1/export/?client=hl").await.json();
        (v["objects"][0]["status"] == "finish").then_some(v)
    })
    .await;
    let j = &listed["objects"][0];
    assert_eq!(j["job_id"], job.as_str());
    assert_eq!(j["file_name"], format!("商品表_{job}.csv"));
    assert_eq!(csv_lines(&m, j["download_url"].as_str().unwrap()).await, 4);
}

#[tokio::test]
async fn asset_history_shows_export_tasks_and_builds_their_csv() {
    let m = Mock::new();
    m.get("/api/async_task/demo?client=ha").await;
    let r = m.post("/api/export_task/demo?client=ha&durationMs=400", "[1,2,13]").await;
    assert_eq!(r.status, StatusCode::OK);
    let options = format!(
        r#"{{"protocol":"asset","baseUrl":"http://{HOST}","session":"demo","assetIds":[1],
            "query":{{"client":"ha"}},"historyRefreshMs":100}}"#
    );
    let mut p = Panel::new(&m, &options);
    p.input(HistoryInput::Refresh).await;
    let states: Vec<JobState> = p.view().items.iter().map(|i| i.state).collect();
    assert_eq!(states, [JobState::Running, JobState::Failed], "the import task is left out");
    let older = p.view().items[1].clone();
    assert_eq!(older.detail.as_deref(), Some("部分资产导出失败：成功 98 / 100"));
    assert!(older.downloadable);
    p.settle().await;
    let ours = p.view().items[0].clone();
    assert_eq!(ours.state, JobState::Done);
    p.input(HistoryInput::Download { item: ours.id.clone() }).await;
    assert_eq!(p.requests.last().unwrap(), &format!("GET http://{HOST}/api/export_task/demo/{}?client=ha", ours.id));
    let (bytes, name) = p.saves[0].clone();
    assert_eq!(name, format!("资产导出-{}.csv", ours.id));
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.starts_with('\u{FEFF}'), "a BOM");
    let lines: Vec<&str> = text.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 4, "the header and three assets");
    assert!(lines[3].starts_with("13,\"'=HYPERLINK("), "the formula is defused: {}", lines[3]);
    // The older partial export: the 98 assets that were exported.
    p.input(HistoryInput::Download { item: older.id.clone() }).await;
    let text = String::from_utf8(p.saves[1].0.clone()).unwrap();
    assert_eq!(text.trim_end().split("\r\n").count(), 99);
}

#[tokio::test]
async fn a_history_the_server_refuses_fails_with_its_status_and_words_and_stops() {
    for (options, status, detail) in [
        (r#"{"protocol":"xlink","baseUrl":"http://HOST","accessToken":"wrong"}"#, 401, "Access-Token 无效"),
        // A missing MinApp table.
        (r#"{"protocol":"minapp","baseUrl":"http://HOST","tableId":9}"#, 404, "数据表不存在"),
        // An unknown asset-system session: the documents' code.
        (r#"{"protocol":"asset","baseUrl":"http://HOST","session":"nobody"}"#, 400, "用户未找到"),
    ] {
        let m = Mock::new();
        let mut p = Panel::new(&m, &options.replace("HOST", HOST));
        let f = p.refused().await;
        assert_eq!((f.kind, f.status, f.detail.as_deref()), (FailKind::Http, Some(status), Some(detail)), "{options}");
        assert_eq!(p.h.poll_timeout(), None, "{options}");
    }
}

#[tokio::test]
async fn a_flaky_list_is_retried_until_it_answers() {
    let m = Mock::new();
    // The asset list's faults follow the client's latest export task: the first list answers 502.
    m.post("/api/export_task/demo?client=hf&durationMs=0&scenario=http502-once", "[1]").await;
    let options =
        format!(r#"{{"protocol":"asset","baseUrl":"http://{HOST}","session":"demo","query":{{"client":"hf"}}}}"#);
    let mut p = Panel::new(&m, &options);
    p.input(HistoryInput::Refresh).await;
    assert!(p.view().loading && !p.view().loaded, "retrying: {:?}", p.view());
    p.until("loaded", |v| v.loaded).await;
    assert_eq!(p.view().failure, None);
    assert_eq!(p.count("/api/async_task/"), 2);
}
