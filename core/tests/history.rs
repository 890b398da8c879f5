//! The export history panel's machine: each backend's list read from the answers its document and
//! the mock backend give, automatic refreshes while a job runs and none after, re-downloads (a
//! fresh XLink link every time, MinApp's own URL, the export service's detail, the asset system's
//! CSV), unsafe URLs, errors, retries, timeouts, cancel, and the options.

#![cfg(feature = "backends")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use k12_export_core::history::{HistoryInput, HistoryMachine};
use k12_export_core::json::Json;
use k12_export_core::*;

mod common;

use common::World;

/// A history machine in a fake world: what was sent, aborted, downloaded and saved, and a clock.
type Panel = World<HistoryMachine>;

fn parse(text: &str) -> Json {
    Json::parse(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn error_field(text: &str) -> String {
    match HistoryMachine::from_options(&parse(text), 1) {
        Ok(_) => panic!("should not validate: {text}"),
        Err(e) => e.field,
    }
}

impl Panel {
    fn new(text: &str) -> Panel {
        World::of(HistoryMachine::from_options(&parse(text), 42).unwrap_or_else(|e| panic!("{e}: {text}")))
    }

    fn refresh(&mut self) {
        self.input(HistoryInput::Refresh);
    }

    fn download(&mut self, item: &str) {
        self.input(HistoryInput::Download { item: item.to_owned() });
    }

    fn failure(&self) -> Failure {
        self.view().failure.clone().expect("a failure")
    }

    fn count(&self, needle: &str) -> usize {
        self.sent.iter().filter(|(_, r)| r.url.contains(needle)).count()
    }

    fn states(&self) -> Vec<JobState> {
        self.view().items.iter().map(|i| i.state).collect()
    }

    fn ids(&self) -> Vec<&str> {
        self.view().items.iter().map(|i| i.id.as_str()).collect()
    }

    /// Refreshes and answers with `body`.
    fn loaded(text: &str, body: &str) -> Panel {
        let mut w = Panel::new(text);
        w.refresh();
        w.answer(body);
        assert!(w.view().loaded && !w.view().loading, "{:?}", w.view());
        w
    }

    /// After a failure or an end: nothing scheduled, nothing under way.
    fn settled(&self) {
        assert_eq!(self.m.poll_timeout(), None, "nothing scheduled: {:?}", self.view());
        assert!(!self.view().loading && !self.view().auto_refresh && self.view().downloading.is_none());
    }
}

// ---- the backends' own answers --------------------------------------------------------------

const ES: &str = r#"{"protocol":"export-service","baseUrl":"http://127.0.0.1:8080","userId":"123",
  "title":"http接口数据源导出","sourceRaw":[{"name":"姓名"},{"name":"李雷"}],"query":{"client":"h1"}}"#;

/// The document's history answer, verbatim.
const ES_DOC: &str = r#"{
    "errcode": 0,
    "msg": "",
    "data": [
        {"created_at": "2021-09-06T17:24:34+08:00", "ext_type": "XLSX", "fail_reason": "",
         "hash_key": "2c3a54f7120a0d31f847d43f2c9725b6", "id": 4, "source_type": "http", "status": 2,
         "title": "http接口数据源导出"},
        {"created_at": "2021-09-06T17:01:29+08:00", "ext_type": "XLSX", "fail_reason": "",
         "hash_key": "68b5e20e3da35f7a4040844a63aaac89", "id": 1, "source_type": "http", "status": 2,
         "title": "http接口数据源导出"}
    ],
    "request_id": "c3aadcf8-d5d3-4a2b-888b-691781820a9f"
}"#;

/// The mock's history (its `detail_of` without `down_url`): processing, failed, cancelled, done.
const ES_MOCK: &str = r#"{"errcode":0,"msg":"","data":[
  {"created_at":"2024-05-01T10:00:00+08:00","ext_type":"XLSX","fail_reason":"","hash_key":"k4","id":4,"source_type":"raw","status":1,"title":"请求直接携带数据导出"},
  {"created_at":"2024-05-01T09:00:00+08:00","ext_type":"XLSX","fail_reason":"数据源第 5 页请求失败：连接被重置","hash_key":"k3","id":3,"source_type":"http","status":3,"title":"http接口数据源导出"},
  {"created_at":"2024-04-30T18:00:00+08:00","ext_type":"CSV","fail_reason":"导出任务已被取消","hash_key":"k2","id":2,"source_type":"http","status":4,"title":""},
  {"created_at":"2024-04-30T17:00:00+08:00","ext_type":"XLSX","fail_reason":"","hash_key":"k1","id":1,"source_type":"raw","status":2,"title":"学生名单"}
],"request_id":"0452d509-de6e-4937-96e5-adbbdc41a82d"}"#;

const ES_DONE: &str = r#"{"errcode":0,"msg":"","data":[
  {"created_at":"2024-05-01T10:00:00+08:00","ext_type":"XLSX","fail_reason":"","hash_key":"k4","id":4,"source_type":"raw","status":2,"title":"请求直接携带数据导出"}],"request_id":"r"}"#;

fn es_detail(url: &str) -> String {
    format!(
        r#"{{"errcode":0,"msg":"","data":{{"created_at":"2021-09-06T17:24:34+08:00","down_url":{},"ext_type":"XLSX","fail_reason":"","hash_key":"2c3a54f7120a0d31f847d43f2c9725b6","id":4,"source_type":"http","status":2,"title":"http接口数据源导出"}},"request_id":"0452d509"}}"#,
        Json::from(url)
    )
}

const XL: &str = r#"{"protocol":"xlink","baseUrl":"http://127.0.0.1:8080","accessToken":"demo-token",
  "name":"设备列表导出","type":1,"params":{}}"#;

/// The mock's list (`view` of its tasks): exporting, to be exported, exported, invalid, expired.
const XL_MOCK: &str = r#"{"count":5,"list":[
  {"id":"15","creator_id":"2e07d2af2e1f4a00","creator_name":"企业管理员","name":"设备列表导出","describe":"全部设备","type":1,"status":2,"size":0,"link_url":"","create_time":"2024-05-01T10:00:00+08:00","result_desc":"","total":48,"finished":20,"begin_time":"2024-05-01T10:00:00+08:00","end_time":""},
  {"id":"14","creator_id":"2e07d2af2e1f4a00","creator_name":"企业管理员","name":"用户列表导出","describe":"","type":2,"status":1,"size":0,"link_url":"","create_time":"2024-05-01T09:00:00+08:00","result_desc":"","total":0,"finished":0,"begin_time":"","end_time":""},
  {"id":"13","creator_id":"2e07d2af2e1f4a00","creator_name":"企业管理员","name":"设备列表导出","describe":"","type":1,"status":3,"size":3072,"link_url":"http://127.0.0.1:8080/v2/download/unsigned","create_time":"2024-04-30T18:00:00+08:00","result_desc":"导出成功","total":48,"finished":48,"begin_time":"2024-04-30T18:00:00+08:00","end_time":"2024-04-30T18:00:04+08:00"},
  {"id":"12","creator_id":"2e07d2af2e1f4a00","creator_name":"企业管理员","name":"告警信息列表","describe":"","type":3,"status":4,"size":0,"link_url":"","create_time":"2024-04-30T17:00:00+08:00","result_desc":"导出失败：数据库连接中断","total":48,"finished":19,"begin_time":"2024-04-30T17:00:00+08:00","end_time":""},
  {"id":"11","creator_id":"2e07d2af2e1f4a00","creator_name":"企业管理员","name":"","describe":"","type":1,"status":5,"size":3072,"link_url":"","create_time":"2014-10-09T08:15:40.843Z","result_desc":"导出文件已过期","total":48,"finished":48,"begin_time":"","end_time":""}
]}"#;

fn xl_list(status: i64, finished: i64) -> String {
    format!(
        r#"{{"count":1,"list":[{{"id":"15","creator_id":"c","creator_name":"企业管理员","name":"设备列表导出","describe":"","type":1,"status":{status},"size":0,"link_url":"http://127.0.0.1:8080/v2/download/unsigned","create_time":"2024-05-01T10:00:00+08:00","result_desc":"","total":48,"finished":{finished},"begin_time":"","end_time":""}}]}}"#
    )
}

const MA: &str = r#"{"protocol":"minapp","baseUrl":"https://cloud.minapp.com","tableId":1,"fileType":"csv"}"#;

/// The document's list answer (one pending job) plus the mock's ready and finished jobs.
const MA_MOCK: &str = r#"{
  "meta": {"limit": 20, "next": null, "offset": 0, "previous": null, "total_count": 3},
  "objects": [
    {"created_at": 1714528800, "download_url": "https://cloud.minapp.com/files/abc", "file_name": "商品表_Job3.csv",
     "file_type": "csv", "job_id": "Job3", "operation": "export", "status": "finish", "updated_at": 1714528804},
    {"created_at": 1714525200, "download_url": null, "file_name": null, "file_type": "xlsx", "job_id": "Job2",
     "operation": "export", "status": "ready", "updated_at": 1714525201},
    {"created_at": 1574405175, "download_url": null, "file_name": null, "file_type": "json",
     "job_id": "RcnyXjPH8zLSsUYrIlPsG5qnBERYFrGF", "operation": "export", "status": "pending", "updated_at": 1574405175}
  ]
}"#;

fn ma_list(status: &str, url: &str) -> String {
    format!(
        r#"{{"meta":{{"limit":20,"next":null,"offset":0,"previous":null,"total_count":1}},"objects":[{{"created_at":1714528800,"download_url":{url},"file_name":null,"file_type":"csv","job_id":"Job3","operation":"export","status":"{status}","updated_at":1714528800}}]}}"#
    )
}

const AS: &str = r#"{"protocol":"asset","baseUrl":"http://127.0.0.1:8080","session":"demo","assetIds":[1,2,3],
  "query":{"client":"a1"}}"#;

/// The mock's list: its two older tasks (an import, an export that ended with failures), then
/// a running export and a finished one, oldest first as the system lists them.
const AS_MOCK: &str = r#"{
 "code":0,
 "data":[
   {"id": 1, "manager": "liusn", "create_time": "2023-05-26 19:28:26", "number_need": 10, "number_succeed": 10, "finish": 1, "port_type": 1},
   {"id": 2, "manager": "liusn", "create_time": "2023-05-26 19:28:33", "number_need": 100, "number_succeed": 98, "finish": 2, "port_type": 2},
   {"id": 5, "manager": "liusn", "create_time": "2023-05-27 10:00:00", "number_need": 3, "number_succeed": 3, "finish": 1, "port_type": 2},
   {"id": 7, "manager": "liusn", "create_time": "2023-05-27 10:00:00", "number_need": 3, "number_succeed": 1, "finish": 0, "port_type": 2},
 ]
}"#;

fn as_list(finish: i64, succeed: i64) -> String {
    format!(
        r#"{{"code":0,"data":[{{"id":7,"manager":"liusn","create_time":"2023-05-27 10:00:00","number_need":3,"number_succeed":{succeed},"finish":{finish},"port_type":2}}]}}"#
    )
}

/// Records as the document writes them: bare words, a bare date, trailing commas.
const AS_RECORDS: &str = "{\n \"code\":0,\n \"data\":[\n  {\n    \"id\": 1,\n    \"parentName\": \"\",\n    \"name\": \"chairs\",\n    \"assetClass\": 0,\n    \"userName\": liusn\n,    \"price\": 10.00,\n    \"create_time\": 2023-05-27,\n    \"warning_amount\": -1,\n  },\n  {\"id\": 13, \"name\": \"=HYPERLINK(\\\"http://x\\\",\\\"点我\\\")\", \"assetClass\": 1}\n  ]\n}";

// ---- options --------------------------------------------------------------------------------

#[test]
fn k12_has_no_history_and_the_error_names_options_protocol() {
    let k12 = common::k12_options(r#"{"termId":7}"#, "");
    let err = HistoryMachine::from_options(&parse(&k12), 1).unwrap_err();
    assert_eq!(err.field, "options.protocol");
    assert!(err.what.contains("no list endpoint"), "{err}");
    assert_eq!(error_field(r#"{"protocol":"k12","config":{}}"#), "options.protocol");
    assert_eq!(error_field(r#"{"protocol":"ftp"}"#), "options.protocol");
    assert_eq!(error_field(r#"{"protocol":3}"#), "options.protocol");
    assert_eq!(error_field("[]"), "options");
}

#[test]
fn every_bad_history_field_is_named() {
    let cases = [
        (r#"{"protocol":"minapp","tableId":1,"historyLimit":0}"#, "options.historyLimit"),
        (r#"{"protocol":"minapp","tableId":1,"historyLimit":101}"#, "options.historyLimit"),
        (r#"{"protocol":"minapp","tableId":1,"historyLimit":2.5}"#, "options.historyLimit"),
        (r#"{"protocol":"minapp","tableId":1,"historyLimit":"5"}"#, "options.historyLimit"),
        (r#"{"protocol":"minapp","tableId":1,"historyRefreshMs":50}"#, "options.historyRefreshMs"),
        (r#"{"protocol":"minapp","tableId":1,"historyRefreshMs":"2s"}"#, "options.historyRefreshMs"),
        (r#"{"protocol":"minapp","tableId":1,"requestTimeoutMs":-1}"#, "options.requestTimeoutMs"),
        (r#"{"protocol":"minapp","tableId":1,"retries":99}"#, "options.retries"),
        (r#"{"protocol":"minapp","tableId":1,"histroyLimit":5}"#, "options.histroyLimit"),
        (r#"{"protocol":"minapp","tableId":1,"baseUrl":"javascript:x"}"#, "options.baseUrl"),
        (r#"{"protocol":"minapp"}"#, "options.tableId"),
        (r#"{"protocol":"export-service","title":"t"}"#, "options.userId"),
        (r#"{"protocol":"xlink","name":"n","type":1}"#, "options.accessToken"),
        (r#"{"protocol":"xlink","accessToken":"令牌"}"#, "options.accessToken"),
        (r#"{"protocol":"asset","assetIds":[1]}"#, "options.session"),
        (r#"{"protocol":"asset","session":"demo","filename":"{missing}"}"#, "options.filename"),
        (r#"{"protocol":"asset","session":"demo","data":[]}"#, "options.data"),
    ];
    for (text, field) in cases {
        assert_eq!(error_field(text), field, "{text}");
    }
}

#[test]
fn the_buttons_options_are_accepted_as_they_are_plus_the_widgets_own_keys() {
    // The button's full options, with its required export fields and timing options.
    for text in [ES, XL, MA, AS] {
        let with = text.trim_end().strip_suffix('}').unwrap();
        let text =
            format!(r#"{with},"timeoutMs":60000,"pollIntervalMs":500,"historyLimit":5,"historyRefreshMs":1000}}"#);
        let h = HistoryMachine::from_options(&parse(&text), 1).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((h.settings().limit, h.settings().refresh_ms), (5, 1000.0));
    }
    let text = r#"{"protocol":"minapp","tableId":1,"label":"导出"}"#;
    assert_eq!(error_field(text), "options.label");
    assert!(HistoryMachine::from_options_with(&parse(text), &["label"], 1).is_ok());
    // And the button accepts the history's keys when the widget passes them.
    let button = r#"{"protocol":"minapp","tableId":1,"historyLimit":5}"#;
    assert!(ExportSetup::from_json(&parse(button), &[k12_export_core::history::OPTION_KEYS]).is_ok());
}

// ---- the export service ---------------------------------------------------------------------

#[test]
fn export_service_lists_the_users_jobs_from_the_documents_answer() {
    let mut w = Panel::new(ES);
    w.refresh();
    assert!(w.view().loading && !w.view().loaded);
    let (_, r) = w.last().clone();
    assert_eq!(
        (r.method, r.url.as_str()),
        (Method::Get, "http://127.0.0.1:8080/v1/export/history?user_id=123&client=h1")
    );
    w.answer(ES_DOC);
    assert_eq!(w.ids(), ["2c3a54f7120a0d31f847d43f2c9725b6", "68b5e20e3da35f7a4040844a63aaac89"]);
    let first = &w.view().items[0];
    assert_eq!(first.title, "http接口数据源导出");
    assert_eq!(first.state, JobState::Done);
    assert_eq!(first.created_ms, Some(1_630_920_274_000.0));
    assert_eq!((first.percent, first.detail.as_deref(), first.downloadable), (None, None, true));
    w.settled();
}

#[test]
fn export_service_maps_every_status_and_names_untitled_jobs() {
    let w = Panel::loaded(ES, ES_MOCK);
    assert_eq!(w.states(), [JobState::Running, JobState::Failed, JobState::Cancelled, JobState::Done]);
    let items = &w.view().items;
    assert_eq!(items[0].percent, None, "the service gives no numbers");
    assert_eq!(items[1].detail.as_deref(), Some("数据源第 5 页请求失败：连接被重置"));
    assert_eq!(items[2].title, "导出任务 k2");
    assert_eq!(items[2].detail.as_deref(), Some("导出任务已被取消"));
    assert_eq!(items.iter().map(|i| i.downloadable).collect::<Vec<_>>(), [false, false, false, true]);
    assert_eq!(items[0].created_ms, Some(1_714_528_800_000.0));
}

#[test]
fn export_service_redownload_asks_the_detail_then_downloads_its_url() {
    let mut w = Panel::loaded(ES, ES_DOC);
    w.download("2c3a54f7120a0d31f847d43f2c9725b6");
    assert_eq!(w.view().downloading.as_deref(), Some("2c3a54f7120a0d31f847d43f2c9725b6"));
    assert_eq!(w.last_url(), "http://127.0.0.1:8080/v1/export/detail?key=2c3a54f7120a0d31f847d43f2c9725b6&client=h1");
    assert!(w.m.poll_timeout().is_some(), "the detail request has a timeout");
    w.answer(&es_detail("http://127.0.0.1:8080/v1/down/20219\\6\\2c3a54f7120a0d31f847d43f2c9725b6.zip"));
    assert_eq!(
        w.downloads,
        [(
            "http://127.0.0.1:8080/v1/down/20219/6/2c3a54f7120a0d31f847d43f2c9725b6.zip".to_owned(),
            "http接口数据源导出.zip".to_owned()
        )]
    );
    assert_eq!(w.view().downloading, None);
    assert_eq!(w.view().failure, None);
    w.settled();
}

#[test]
fn export_service_unsafe_down_url_is_refused_and_the_list_kept() {
    let mut w = Panel::loaded(ES, ES_DOC);
    w.download("68b5e20e3da35f7a4040844a63aaac89");
    w.answer(&es_detail("javascript:alert(document.domain)"));
    assert!(w.downloads.is_empty());
    assert_eq!(w.failure().kind, FailKind::UnsafeUrl);
    assert_eq!(w.view().items.len(), 2);
    w.settled();
}

#[test]
fn export_service_errcode_sets_the_failure_at_once_and_keeps_the_items() {
    let mut w = Panel::loaded(ES, ES_DOC);
    w.refresh();
    w.answer(r#"{"errcode":10002,"msg":"缺少参数 user_id","data":null,"request_id":"r"}"#);
    let f = w.failure();
    assert_eq!((f.kind, f.detail.as_deref()), (FailKind::Server, Some("缺少参数 user_id")));
    assert_eq!(w.view().items.len(), 2, "items kept");
    assert_eq!(w.count("/history"), 2, "not retried");
    w.settled();
    // A detail error fails the download the same way.
    w.download("2c3a54f7120a0d31f847d43f2c9725b6");
    w.answer(r#"{"errcode":10004,"msg":"导出任务不存在","data":null,"request_id":"r"}"#);
    assert_eq!(w.failure().detail.as_deref(), Some("导出任务不存在"));
    w.settled();
}

// ---- XLink ----------------------------------------------------------------------------------

#[test]
fn xlink_lists_with_the_token_and_reads_states_progress_and_times() {
    let mut w = Panel::new(XL);
    w.refresh();
    assert_eq!(w.last_call(), (Method::Post, "http://127.0.0.1:8080/v2/export_tasks"));
    let (_, r) = w.last().clone();
    assert_eq!(r.headers, [("Access-Token".to_owned(), "demo-token".to_owned())]);
    assert_eq!(r.body.as_deref(), Some(r#"{"offset":0,"limit":20,"order":{"create_time":"desc"}}"#));
    w.answer(XL_MOCK);
    assert_eq!(w.ids(), ["15", "14", "13", "12", "11"]);
    assert_eq!(w.states(), [JobState::Running, JobState::Queued, JobState::Done, JobState::Failed, JobState::Expired]);
    let items = &w.view().items;
    assert_eq!(items.iter().map(|i| i.percent).collect::<Vec<_>>(), [Some(41), None, None, None, None]);
    assert_eq!(items[0].title, "设备列表导出");
    assert_eq!(items[0].created_ms, Some(1_714_528_800_000.0));
    assert_eq!(items[3].detail.as_deref(), Some("导出失败：数据库连接中断"));
    assert_eq!((items[4].title.as_str(), items[4].detail.as_deref()), ("导出任务 11", Some("导出文件已过期")));
    assert_eq!(items[4].created_ms, Some(1_412_842_540_843.0));
    assert_eq!(items.iter().map(|i| i.downloadable).collect::<Vec<_>>(), [false, false, true, false, false]);
    assert!(w.view().auto_refresh);
}

#[test]
fn xlink_fetches_a_fresh_auth_link_for_every_download_and_never_the_lists_link() {
    let mut w = Panel::loaded(XL, XL_MOCK);
    w.download("13");
    assert_eq!(w.last_call(), (Method::Get, "http://127.0.0.1:8080/v2/export_task/13/auth_link"));
    let (_, r) = w.last().clone();
    assert_eq!(r.headers, [("Access-Token".to_owned(), "demo-token".to_owned())]);
    w.answer(r#"{"link_url":"http://127.0.0.1:8080/v2/download/tok?expires=1&sig=aa"}"#);
    w.download("13");
    assert_eq!(w.count("/auth_link"), 2, "a second download asks again");
    w.answer(r#"{"link_url":"http://127.0.0.1:8080/v2/download/tok?expires=2&sig=bb"}"#);
    assert_eq!(
        w.downloads,
        [
            ("http://127.0.0.1:8080/v2/download/tok?expires=1&sig=aa".to_owned(), "设备列表导出.csv".to_owned()),
            ("http://127.0.0.1:8080/v2/download/tok?expires=2&sig=bb".to_owned(), "设备列表导出.csv".to_owned()),
        ]
    );
    assert!(w.downloads.iter().all(|(u, _)| !u.contains("unsigned")));
    assert_eq!(w.count("/v2/download/unsigned"), 0);
    // A retried link request asks again too: a transient error, then a fresh answer.
    w.download("13");
    w.answer_status(502, "<html>bad gateway</html>");
    assert_eq!(w.view().downloading.as_deref(), Some("13"));
    w.wait();
    assert_eq!(w.count("/auth_link"), 4);
    w.answer(r#"{"link_url":"http://127.0.0.1:8080/v2/download/tok?expires=3&sig=cc"}"#);
    assert_eq!(w.downloads.len(), 3);
}

#[test]
fn xlink_bad_token_is_a_401_failure_with_the_message() {
    let mut w = Panel::new(XL);
    w.refresh();
    w.answer_status(401, r#"{"error":{"code":4031003,"msg":"Access-Token 无效"}}"#);
    let f = w.failure();
    assert_eq!((f.kind, f.status, f.detail.as_deref()), (FailKind::Http, Some(401), Some("Access-Token 无效")));
    assert!(!w.view().loaded && w.view().items.is_empty());
    w.settled();
}

#[test]
fn xlink_unsafe_or_refused_links_fail_the_download_only() {
    let mut w = Panel::loaded(XL, XL_MOCK);
    w.download("13");
    w.answer(r#"{"link_url":"javascript:alert(document.domain)"}"#);
    assert_eq!(w.failure().kind, FailKind::UnsafeUrl);
    assert!(w.downloads.is_empty());
    w.download("13");
    assert_eq!(w.view().failure, None, "a new download clears the last one's failure");
    w.answer_status(400, r#"{"error":{"code":4001100,"msg":"导出任务未完成，不能授权下载"}}"#);
    let f = w.failure();
    assert_eq!((f.status, f.detail.as_deref()), (Some(400), Some("导出任务未完成，不能授权下载")));
    assert_eq!(w.view().items.len(), 5);
    assert!(w.view().auto_refresh, "the list's own refreshes go on");
}

// ---- MinApp ---------------------------------------------------------------------------------

#[test]
fn minapp_lists_pending_ready_finish_with_epoch_seconds() {
    let mut w = Panel::new(MA);
    w.refresh();
    assert_eq!(w.last_url(), "https://cloud.minapp.com/userve/v1.5/table/1/export/?limit=20&offset=0");
    assert_eq!(w.last().1.method, Method::Get);
    w.answer(MA_MOCK);
    assert_eq!(w.ids(), ["Job3", "Job2", "RcnyXjPH8zLSsUYrIlPsG5qnBERYFrGF"]);
    assert_eq!(w.states(), [JobState::Done, JobState::Running, JobState::Queued]);
    let items = &w.view().items;
    assert_eq!(items[0].title, "商品表_Job3.csv");
    assert_eq!(items[1].title, "导出任务 Job2");
    assert_eq!(items[2].created_ms, Some(1_574_405_175_000.0));
    assert!(items.iter().all(|i| i.percent.is_none()), "MinApp gives no numbers");
    assert_eq!(items.iter().map(|i| i.downloadable).collect::<Vec<_>>(), [true, false, false]);
}

#[test]
fn minapp_redownloads_its_download_url_directly() {
    let mut w = Panel::loaded(MA, MA_MOCK);
    let before = w.sent.len();
    w.download("Job3");
    assert_eq!(w.sent.len(), before, "no request: the list's URL is used");
    assert_eq!(w.downloads, [("https://cloud.minapp.com/files/abc".to_owned(), "商品表_Job3.csv".to_owned())]);
    assert_eq!(w.view().downloading, None);
    // Not downloadable, or unknown: ignored.
    w.download("Job2");
    w.download("nope");
    assert_eq!(w.downloads.len(), 1);
    assert_eq!(w.view().downloading, None);
}

#[test]
fn minapp_unsafe_download_url_is_refused() {
    let mut w = Panel::loaded(MA, &ma_list("finish", r#""javascript:alert(document.domain)""#));
    w.download("Job3");
    assert!(w.downloads.is_empty());
    assert_eq!(w.failure().kind, FailKind::UnsafeUrl);
    w.settled();
}

#[test]
fn minapp_missing_table_is_a_404_failure() {
    let mut w = Panel::new(MA);
    w.refresh();
    w.answer_status(404, r#"{"error_msg":"数据表不存在"}"#);
    let f = w.failure();
    assert_eq!((f.kind, f.status, f.detail.as_deref()), (FailKind::Http, Some(404), Some("数据表不存在")));
    w.settled();
}

// ---- the asset system -----------------------------------------------------------------------

#[test]
fn asset_lists_export_tasks_only_newest_first_with_progress() {
    let mut w = Panel::new(AS);
    w.refresh();
    assert_eq!(w.last_url(), "http://127.0.0.1:8080/api/async_task/demo?client=a1");
    w.answer(AS_MOCK);
    assert_eq!(w.ids(), ["7", "5", "2"], "the import task is left out; same-second tasks by id");
    assert_eq!(w.states(), [JobState::Running, JobState::Done, JobState::Failed]);
    let items = &w.view().items;
    assert_eq!(items[0].percent, Some(33));
    assert_eq!(items[0].title, "导出任务 7");
    assert_eq!(items[0].created_ms, Some(1_685_152_800_000.0));
    assert_eq!(items[2].created_ms, Some(1_685_100_513_000.0));
    assert_eq!(items[2].detail.as_deref(), Some("部分资产导出失败：成功 98 / 100"));
    assert_eq!(items.iter().map(|i| i.downloadable).collect::<Vec<_>>(), [false, true, true]);
}

#[test]
fn asset_redownload_builds_a_csv_with_a_bom_and_saves_it() {
    let mut w = Panel::loaded(AS, AS_MOCK);
    w.download("2");
    assert_eq!(w.last_url(), "http://127.0.0.1:8080/api/export_task/demo/2?client=a1");
    w.answer(AS_RECORDS);
    assert!(w.downloads.is_empty());
    assert_eq!(w.saves.len(), 1);
    let (bytes, mime, name) = &w.saves[0];
    assert_eq!((*mime, name.as_str()), ("text/csv;charset=utf-8", "资产导出-2.csv"));
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.starts_with('\u{FEFF}'), "a BOM for Excel");
    let lines: Vec<&str> = text.trim_start_matches('\u{FEFF}').split("\r\n").collect();
    assert_eq!(lines[0], "资产编号,资产名称,上级资产,资产类型,使用者,资产价值,创建日期,数量告警线");
    assert_eq!(lines[1], "1,chairs,,条目型,liusn,10,2023-05-27,-1");
    assert!(lines[2].starts_with("13,\"'=HYPERLINK("), "a formula is defused: {}", lines[2]);
    assert_eq!(w.view().downloading, None);
}

#[test]
fn asset_files_are_named_after_the_buttons_filename() {
    let text =
        r#"{"protocol":"asset","session":"demo","assetIds":[1],"filename":"资产-{dept}.csv","data":{"dept":"CST"}}"#;
    let mut w = Panel::loaded(text, AS_MOCK);
    w.download("5");
    assert_eq!(w.last_url(), "/api/export_task/demo/5");
    w.answer(r#"{"code":0,"data":[{"id":1,"name":"椅子"}]}"#);
    assert_eq!(w.saves[0].2, "资产-CST-5.csv");
}

#[test]
fn asset_partial_tasks_are_downloadable_but_not_one_where_none_succeeded() {
    let w = Panel::loaded(AS, &as_list(2, 0));
    let item = &w.view().items[0];
    assert_eq!((item.state, item.downloadable), (JobState::Failed, false));
    assert_eq!(item.detail.as_deref(), Some("没有资产导出成功"));
    let w = Panel::loaded(AS, &as_list(2, 2));
    assert_eq!((w.view().items[0].state, w.view().items[0].downloadable), (JobState::Failed, true));
}

#[test]
fn asset_error_codes_set_the_failure() {
    let mut w = Panel::new(AS);
    w.refresh();
    w.answer_status(400, r#"{"code":2,"info":"用户未找到"}"#);
    let f = w.failure();
    assert_eq!((f.kind, f.status, f.detail.as_deref()), (FailKind::Http, Some(400), Some("用户未找到")));
    let mut w = Panel::loaded(AS, AS_MOCK);
    w.download("5");
    w.answer(r#"{"code":6,"info":"对应id的异步任务不存在"}"#);
    let f = w.failure();
    assert_eq!((f.kind, f.detail.as_deref()), (FailKind::Server, Some("对应id的异步任务不存在")));
    assert!(w.saves.is_empty());
}

// ---- automatic refreshes --------------------------------------------------------------------

/// For each backend: options, a list with a running job, the same list with it done.
fn backends() -> Vec<(&'static str, String, String)> {
    vec![
        (ES, ES_MOCK.to_owned(), ES_DONE.to_owned()),
        (XL, xl_list(2, 10), xl_list(3, 48)),
        (MA, ma_list("ready", "null"), ma_list("finish", r#""https://cloud.minapp.com/files/abc""#)),
        (AS, as_list(0, 1), as_list(1, 3)),
    ]
}

#[test]
fn every_backend_refreshes_while_a_job_runs_and_stops_when_none_does() {
    for (options, running, done) in backends() {
        let mut w = Panel::loaded(options, &running);
        assert!(w.view().auto_refresh, "{options}");
        assert_eq!(w.m.poll_timeout(), Some(w.now + 2000.0), "{options}");
        let lists = w.sent.len();
        assert_eq!(w.wait(), 2000.0);
        assert_eq!(w.sent.len(), lists + 1, "an automatic refresh: {options}");
        assert!(w.view().loading);
        w.answer(&done);
        assert!(!w.view().auto_refresh);
        assert!(!w.view().items.iter().any(|i| i.state.is_active()));
        assert_eq!(w.m.poll_timeout(), None, "nothing runs, nothing scheduled: {options}");
        w.settled();
        // Time passing changes nothing.
        w.now += 60_000.0;
        w.input(HistoryInput::Timer);
        assert_eq!(w.sent.len(), lists + 1);
    }
}

#[test]
fn the_refresh_interval_grows_while_nothing_changes_and_resets_when_something_does() {
    let mut w = Panel::loaded(XL, &xl_list(2, 10));
    let mut waits = Vec::new();
    for _ in 0..6 {
        waits.push(w.wait());
        w.answer(&xl_list(2, 10));
    }
    assert_eq!(waits, [2000.0, 3000.0, 4500.0, 6750.0, 10_000.0, 10_000.0]);
    assert_eq!(w.wait(), 10_000.0);
    w.answer(&xl_list(2, 11));
    assert_eq!(w.wait(), 2000.0, "progress moved: back to the first interval");
    w.answer(&xl_list(2, 11));
    assert_eq!(w.wait(), 3000.0);
}

#[test]
fn the_refresh_interval_follows_the_option() {
    let text = r#"{"protocol":"xlink","accessToken":"t","historyRefreshMs":500}"#;
    let mut w = Panel::loaded(text, &xl_list(1, 0));
    assert_eq!(w.wait(), 500.0);
    w.answer(&xl_list(1, 0));
    assert_eq!(w.wait(), 750.0);
}

#[test]
fn a_manual_refresh_during_an_automatic_wait_goes_at_once_and_refresh_is_ignored_while_loading() {
    let mut w = Panel::loaded(MA, &ma_list("ready", "null"));
    assert!(w.m.poll_timeout().is_some());
    w.now += 100.0;
    w.refresh();
    assert_eq!(w.sent.len(), 2, "sent at once");
    assert!(w.view().loading);
    w.refresh();
    w.refresh();
    assert_eq!(w.sent.len(), 2, "ignored while loading");
    w.answer(&ma_list("finish", r#""/files/x""#));
    w.settled();
}

#[test]
fn stale_and_duplicate_answers_are_ignored() {
    let mut w = Panel::new(MA);
    w.refresh();
    let first = w.last().0;
    w.answer(&ma_list("ready", "null"));
    let before = w.view().clone();
    // The same answer again, and one for a request that never existed.
    w.input(HistoryInput::Response { id: first, outcome: HttpOutcome::ok(ma_list("finish", r#""/f""#)) });
    w.input(HistoryInput::Response { id: RequestId(999), outcome: HttpOutcome::ok("{}") });
    assert_eq!(w.view(), &before);
    assert_eq!(w.sent.len(), 1);
    // An answer to an aborted request after a cancel changes nothing either.
    w.wait();
    let second = w.last().0;
    w.input(HistoryInput::Cancel);
    assert_eq!(w.aborted, [second]);
    w.input(HistoryInput::Response { id: second, outcome: HttpOutcome::ok(ma_list("finish", r#""/f""#)) });
    assert_eq!(w.view().items, before.items);
}

// ---- failures, retries, timeouts, cancel -------------------------------------------------------

#[test]
fn transient_failures_are_retried_with_backoff_then_fail_keeping_the_items() {
    let mut w = Panel::loaded(XL, &xl_list(2, 10));
    w.wait();
    let mut waits = Vec::new();
    for outcome in
        [HttpOutcome::NetworkError("reset".into()), HttpOutcome::status(502, "<html>"), HttpOutcome::status(408, "")]
    {
        w.answer_with(outcome);
        assert!(w.view().loading, "still under way while retrying");
        assert_eq!(w.view().failure, None);
        waits.push(w.wait());
    }
    assert!((250.0..=500.0).contains(&waits[0]) && (500.0..=1000.0).contains(&waits[1]), "{waits:?}");
    assert!((1000.0..=2000.0).contains(&waits[2]), "{waits:?}");
    w.answer_status(500, "oops");
    let f = w.failure();
    assert_eq!((f.kind, f.status), (FailKind::Http, Some(500)));
    assert_eq!(w.view().items.len(), 1, "items kept");
    assert_eq!(w.view().items[0].state, JobState::Running);
    w.settled();
    // The next refresh starts again, and a good answer clears the failure.
    w.refresh();
    w.answer(&xl_list(3, 48));
    assert_eq!(w.view().failure, None);
    w.settled();
}

#[test]
fn malformed_answers_are_retried_like_a_network_error() {
    let mut w = Panel::new(MA);
    w.refresh();
    w.answer(r#"{"meta":{"limit":20},"objects":[{"job_id":"#);
    assert!(w.view().loading);
    w.wait();
    w.answer("<html>not json</html>");
    w.wait();
    w.answer(r#"{"meta":{}}"#);
    w.wait();
    w.answer("[]");
    assert_eq!(w.failure().kind, FailKind::BadResponse);
    assert_eq!(w.count("/export/"), 4);
    w.settled();
}

#[test]
fn an_answer_over_its_limit_fails_the_list_or_the_download_at_once_keeping_the_items() {
    let mut w = Panel::new(XL);
    w.refresh();
    w.answer_with(HttpOutcome::TooLarge);
    assert_eq!(w.failure(), retry::too_large());
    assert_eq!(w.sent.len(), 1, "not asked again");
    w.settled();
    let mut w = Panel::loaded(AS, AS_MOCK);
    w.download("5");
    w.answer_with(HttpOutcome::TooLarge);
    assert_eq!(w.failure(), retry::too_large());
    assert_eq!(w.count("/api/export_task/"), 1, "not asked again");
    assert!(w.saves.is_empty());
    assert_eq!(w.view().items.len(), 3, "items kept");
}

#[test]
fn lists_sent_whole_and_the_asset_records_may_be_larger_than_a_protocol_answer() {
    let mut w = Panel::new(AS);
    w.refresh();
    assert_eq!(w.last().1.limit, http::LIST_LIMIT, "the asset system's task list has no paging");
    w.answer(AS_MOCK);
    w.download("5");
    assert_eq!(w.last().1.limit, http::RECORDS_LIMIT, "a task's records, for the CSV");
    let mut w = Panel::new(ES);
    w.refresh();
    assert_eq!(w.last().1.limit, http::LIST_LIMIT, "the export service's history has no paging");
    for paged in [XL, MA] {
        let mut w = Panel::new(paged);
        w.refresh();
        assert_eq!(w.last().1.limit, http::ANSWER_LIMIT, "at most 100 items: {paged}");
    }
    const { assert!(http::ANSWER_LIMIT < http::LIST_LIMIT && http::LIST_LIMIT < http::RECORDS_LIMIT) };
}

#[test]
fn rate_limits_wait_as_long_as_retry_after_says() {
    let mut w = Panel::new(AS);
    w.refresh();
    w.answer_with(HttpOutcome::Answer { status: 429, retry_after: Some("3".into()), body: "{}".into() });
    assert_eq!(w.wait(), 3000.0);
    w.answer(AS_MOCK);
    assert_eq!(w.view().items.len(), 3);
}

#[test]
fn a_request_without_an_answer_is_aborted_at_the_timeout_and_retried() {
    let text = r#"{"protocol":"minapp","tableId":1,"requestTimeoutMs":5000,"retries":1}"#;
    let mut w = Panel::new(text);
    w.refresh();
    let first = w.last().0;
    assert_eq!(w.m.poll_timeout(), Some(5000.0));
    w.wait();
    assert_eq!(w.aborted, [first]);
    w.wait();
    assert_eq!(w.sent.len(), 2, "retried");
    w.wait();
    assert_eq!(w.aborted.len(), 2);
    let f = w.failure();
    assert_eq!((f.kind, f.detail.as_deref()), (FailKind::Network, Some("request timed out")));
    w.settled();
}

#[test]
fn cancel_aborts_the_list_and_the_download_and_clears_every_timer() {
    let mut w = Panel::loaded(XL, XL_MOCK);
    w.download("13");
    let link = w.last().0;
    w.now += 2000.0;
    w.input(HistoryInput::Timer);
    let list = w.last().0;
    assert_ne!(list, link);
    assert!(w.view().loading && w.view().downloading.is_some());
    w.input(HistoryInput::Cancel);
    assert_eq!(w.aborted, [list, link]);
    w.settled();
    assert_eq!(w.view().items.len(), 5, "what was shown stays");
    w.input(HistoryInput::Response { id: link, outcome: HttpOutcome::ok(r#"{"link_url":"/f"}"#) });
    assert!(w.downloads.is_empty(), "a late answer after cancel is ignored");
    // A later refresh starts again.
    w.refresh();
    assert!(w.view().loading);
    w.answer(&xl_list(3, 48));
    w.settled();
}

#[test]
fn downloads_go_one_at_a_time() {
    let mut w = Panel::loaded(ES, ES_DOC);
    w.download("2c3a54f7120a0d31f847d43f2c9725b6");
    w.download("68b5e20e3da35f7a4040844a63aaac89");
    assert_eq!(w.count("/detail"), 1, "the second is ignored while the first runs");
    assert_eq!(w.view().downloading.as_deref(), Some("2c3a54f7120a0d31f847d43f2c9725b6"));
    w.answer(&es_detail("/v1/down/a.zip"));
    w.download("68b5e20e3da35f7a4040844a63aaac89");
    assert_eq!(w.count("/detail"), 2);
}

#[test]
fn a_download_that_keeps_failing_sets_the_failure_after_its_retries() {
    let mut w = Panel::loaded(AS, AS_MOCK);
    w.download("5");
    let link = |w: &Panel| w.sent.iter().rev().find(|(_, r)| r.url.contains("/export_task/demo/5")).unwrap().0;
    for _ in 0..3 {
        let id = link(&w);
        w.input(HistoryInput::Response { id, outcome: HttpOutcome::NetworkError("reset".into()) });
        assert!(w.view().failure.is_none());
        // Meanwhile the running task's automatic refreshes come and are answered.
        loop {
            w.wait();
            let (new, r) = w.last().clone();
            if r.url.contains("/export_task/demo/5") && new != id {
                break;
            }
            if r.url.contains("/async_task/") && w.view().loading {
                w.answer(AS_MOCK);
            }
        }
    }
    let id = link(&w);
    w.input(HistoryInput::Response { id, outcome: HttpOutcome::NetworkError("reset".into()) });
    assert_eq!(w.failure().kind, FailKind::Network);
    assert_eq!(w.count("/api/export_task/demo/5"), 4);
    assert_eq!(w.view().downloading, None);
    assert!(w.view().auto_refresh, "the running task is still watched");
    // An automatic refresh that succeeds does not hide the download's failure; a manual one does.
    while !w.view().loading {
        w.wait();
    }
    w.answer(AS_MOCK);
    assert!(w.view().failure.is_some());
    w.now += 10.0;
    w.refresh();
    assert_eq!(w.view().failure, None);
}

#[test]
fn at_most_the_limit_is_shown_newest_first() {
    let mut data = Vec::new();
    for i in 0..30 {
        // Oldest first on the wire, one minute apart.
        data.push(format!(
            r#"{{"created_at":{},"hash_key":"k{i}","status":2,"title":"t{i}"}}"#,
            1_714_528_800 + i * 60
        ));
    }
    let body = format!(r#"{{"errcode":0,"msg":"","data":[{}],"request_id":"r"}}"#, data.join(","));
    let w = Panel::loaded(ES, &body);
    assert_eq!(w.view().items.len(), 20);
    assert_eq!(w.view().items[0].id, "k29");
    assert_eq!(w.view().items[19].id, "k10");
    let text = r#"{"protocol":"export-service","userId":7,"historyLimit":3}"#;
    let w = Panel::loaded(text, &body);
    assert_eq!(w.ids(), ["k29", "k28", "k27"]);
}

#[test]
fn items_without_ids_are_left_out_and_duplicates_kept_once() {
    let body = r#"{"count":4,"list":[{"status":3,"name":"无 id"},{"id":"1","status":3},{"id":"1","status":2},"x"]}"#;
    let w = Panel::loaded(XL, body);
    assert_eq!(w.ids(), ["1"]);
    assert_eq!(w.states(), [JobState::Done]);
    let body = r#"{"count":1,"list":[{"id":"9","status":7,"create_time":"昨天"}]}"#;
    let w = Panel::loaded(XL, body);
    let item = &w.view().items[0];
    assert_eq!((item.state, item.detail.as_deref()), (JobState::Failed, Some("未知的任务状态：7")));
    assert_eq!((item.created_ms, item.created_text.as_deref()), (None, Some("昨天")));
}
