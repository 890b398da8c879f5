//! The export-service protocol driven through the machine: both sources, every status, every failure.

#![cfg(feature = "backends")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use k12_export_core::json::Json;
use k12_export_core::*;
use proptest::prelude::*;

const HTTP: &str = r#"{"protocol":"export-service","baseUrl":"http://127.0.0.1:8080","title":"http接口数据源导出","userId":"123",
  "sourceHttp":{"url":"http://127.0.0.1:8080/demo/page","limit":20},"query":{"client":"t1"}}"#;
const RAW: &str = r#"{"protocol":"export-service","title":"请求直接携带数据导出","userId":1231,
  "sourceRaw":[{"name":"姓名","age":"年龄"},{"name":"李雷","age":17}]}"#;
const CREATED: &str =
    r#"{"errcode":0,"msg":"","data":{"hash_key":"5ad5f7b92a816b76e70a21e4154c2485"},"request_id":"r1"}"#;
const DETAIL: &str = "http://127.0.0.1:8080/v1/export/detail?key=5ad5f7b92a816b76e70a21e4154c2485&client=t1";

fn detail(status: i64, extra: &str) -> String {
    format!(
        r#"{{"errcode":0,"msg":"","data":{{"hash_key":"5ad5f7b92a816b76e70a21e4154c2485","status":{status}{extra}}},"request_id":"r2"}}"#
    )
}

/// A finished detail answer whose `down_url` is `url`.
fn done(url: &str) -> String {
    detail(2, &format!(r#","down_url":"{url}""#))
}

/// Answers the start, then the first detail request with the file at `url`: the name it is saved as.
fn download_name(w: &mut World, url: &str) -> String {
    w.answer(CREATED);
    w.wait();
    w.answer(&done(url));
    w.downloads[0].1.clone()
}

fn started() -> World {
    let mut w = World::clicked(HTTP);
    w.answer(CREATED);
    w
}

// ---- flows ---------------------------------------------------------------------------------

#[test]
fn http_source_posts_the_documented_body_then_polls_the_detail_by_key() {
    let mut w = World::clicked(HTTP);
    assert_eq!(w.last_call(), (Method::Post, "http://127.0.0.1:8080/v1/export/http?client=t1"));
    let body = w.last_body();
    assert_texts(&body, &[("ext_type", "XLSX"), ("title", "http接口数据源导出"), ("user_id", "123"), ("callback", "")]);
    let src = body.get("source_http").unwrap();
    assert_texts(src, &[("url", "http://127.0.0.1:8080/demo/page"), ("method", "GET")]);
    assert_eq!(src.get("param").and_then(|p| p.get("limit")), Some(&Json::Num(20.0)));
    w.answer(CREATED);
    assert_eq!(w.view().stage, Stage::Running);
    w.wait();
    assert_eq!(w.last_url(), DETAIL);
    assert_eq!(w.last().1.method, Method::Get);
    w.answer(&detail(1, ""));
    w.wait();
    w.answer(&done("http://127.0.0.1:8080/v1/down/5ad5.zip"));
    assert_eq!(
        w.downloads,
        [("http://127.0.0.1:8080/v1/down/5ad5.zip".to_owned(), "http接口数据源导出.zip".to_owned())]
    );
    assert_eq!(w.status(), Status::Done);
    assert_eq!(w.view().percent, Some(100));
}

#[test]
fn raw_source_sends_the_rows_as_a_json_string() {
    let mut w = World::clicked(RAW);
    assert_eq!(w.last_url(), "/v1/export/raw");
    let body = w.last_body();
    let raw = body.get("source_raw").and_then(Json::as_str).unwrap();
    assert_eq!(Json::parse(raw).unwrap(), options(r#"[{"name":"姓名","age":"年龄"},{"name":"李雷","age":17}]"#));
    assert_texts(&body, &[("user_id", "1231")]);
    assert_eq!(body.get("source_http"), None);
    assert_eq!(download_name(&mut w, "/v1/down/x.zip"), "请求直接携带数据导出.zip");
}

#[test]
fn progress_is_indeterminate_until_the_file_is_in_hand() {
    let mut w = World::clicked(HTTP);
    assert_eq!(w.view().percent, None, "no numbers from this backend");
    w.answer(CREATED);
    for _ in 0..3 {
        w.wait();
        w.answer(&detail(1, ""));
        assert_eq!(w.view().percent, None);
    }
    assert!(!w.events.iter().any(|e| matches!(e, Event::Progress(Some(p)) if *p < 100)));
}

#[test]
fn the_filename_option_wins_over_the_title() {
    let text = HTTP.replace(r#""userId":"123","#, r#""userId":"123","filename":"报表-{n}","data":{"n":"七月"},"#);
    let mut w = World::clicked(&text);
    assert_eq!(download_name(&mut w, "/v1/down/a.zip"), "报表-七月.zip");
}

#[test]
fn a_backslashed_down_url_like_the_documents_is_read_as_slashes() {
    let mut w = started();
    w.wait();
    w.answer(&done(r"http://127.0.0.1:8080/v1/down/20219\\6\\2c3a.zip"));
    assert_eq!(w.downloads[0].0, "http://127.0.0.1:8080/v1/down/20219/6/2c3a.zip");
}

#[test]
fn the_timestamp_is_sent_only_when_given() {
    let w = World::clicked(HTTP);
    assert_eq!(w.last_body().get("timestamp"), None);
    let w = World::clicked(&HTTP.replace(r#""userId":"123","#, r#""userId":"123","timestamp":1625106204,"#));
    assert_eq!(w.last_body().get("timestamp"), Some(&Json::Num(1_625_106_204.0)));
}

// ---- failures ------------------------------------------------------------------------------

#[test]
fn a_nonzero_errcode_with_http_200_fails_with_its_message() {
    let mut w = World::clicked(HTTP);
    w.answer(r#"{"errcode":10001,"msg":"source_http.url 不可访问","data":null,"request_id":"r"}"#);
    let f = w.failed(FailKind::Server);
    assert_eq!(f.detail.as_deref(), Some("source_http.url 不可访问"));
    assert_eq!(w.sent.len(), 1, "not retried");
}

#[test]
fn a_nonzero_errcode_while_polling_fails_too() {
    let mut w = started();
    w.wait();
    w.answer(r#"{"errcode":404,"msg":"任务不存在","request_id":"r"}"#);
    assert_eq!(w.failed(FailKind::Server).detail.as_deref(), Some("任务不存在"));
}

#[test]
fn status_3_fails_with_the_fail_reason() {
    let mut w = started();
    w.wait();
    w.answer(&detail(3, r#","fail_reason":"数据源第 3 页请求失败""#));
    assert_eq!(w.failed(FailKind::Server).detail.as_deref(), Some("数据源第 3 页请求失败"));
}

#[test]
fn status_4_is_a_cancelled_job() {
    let mut w = started();
    w.wait();
    w.answer(&detail(4, r#","fail_reason":"""#));
    assert_eq!(w.cancelled().detail.as_deref(), Some("导出任务已取消"));
}

#[test]
fn status_2_without_a_url_and_unknown_statuses_are_retried_then_fail() {
    each_is_retried_then_fails(
        started,
        [
            detail(2, ""),
            detail(2, r#","down_url":"""#),
            detail(9, ""),
            detail(1, "").replace("\"status\":1", "\"status\":\"x\""),
        ],
    );
}

#[test]
fn a_start_answer_without_hash_key_is_retried_then_fails() {
    let mut w = World::clicked(HTTP);
    w.keep_answering(3, HttpOutcome::ok(r#"{"errcode":0,"msg":"","data":{},"request_id":"r"}"#));
    w.failed(FailKind::BadResponse);
    assert_eq!(w.count("http://127.0.0.1:8080/v1/export/http"), 4);
}

#[test]
fn malformed_json_is_retried_and_one_good_answer_recovers() {
    let mut w = started();
    w.wait();
    w.answer(r#"{"errcode":0,"data":{"sta"#);
    assert!(w.view().retrying);
    w.wait();
    assert_eq!(w.last_url(), DETAIL);
    w.answer(&detail(1, ""));
    assert!(!w.view().retrying);
    assert_eq!(w.status(), Status::Exporting);
}

#[test]
fn server_errors_are_retried_with_backoff_and_429_waits_retry_after() {
    let mut w = started();
    w.wait();
    w.answer_status(502, "<html>Bad Gateway</html>");
    assert_eq!(w.status(), Status::Exporting);
    w.wait();
    w.answer_with(HttpOutcome::Answer { status: 429, retry_after: Some("2".into()), body: String::new() });
    assert_eq!(w.wait(), 2000.0);
    assert_eq!(w.last_url(), DETAIL);
    w.answer(&done("/f.zip"));
    assert_eq!(w.status(), Status::Done);
}

#[test]
fn a_500_every_time_fails_after_the_retries() {
    let mut w = started();
    w.wait();
    w.keep_answering(3, HttpOutcome::status(500, "<html>"));
    assert_eq!(w.failed(FailKind::Http).status, Some(500));
}

#[test]
fn http_4xx_fails_at_once_with_the_status() {
    let mut w = World::clicked(HTTP);
    w.answer_status(404, r#"{"errcode":404,"msg":"no route"}"#);
    w.failed_with(FailKind::Http, 404, "no route");
}

#[test]
fn a_javascript_down_url_is_never_downloaded() {
    let mut w = started();
    w.wait();
    w.answer(&done("javascript:alert(document.domain)"));
    w.failed(FailKind::UnsafeUrl);
    assert!(w.downloads.is_empty());
}

#[test]
fn a_job_that_never_finishes_times_out_at_the_deadline() {
    let mut w = World::clicked(&HTTP.replace(r#""userId":"123","#, r#""userId":"123","timeoutMs":30000,"#));
    w.answer(CREATED);
    while w.status() == Status::Exporting {
        w.wait();
        if w.status() == Status::Exporting {
            w.answer(&detail(1, ""));
        }
    }
    w.failed(FailKind::TimedOut);
    assert!(w.now <= 30_000.0);
}

#[test]
fn a_new_export_forgets_the_previous_key() {
    let mut w = started();
    w.input(Input::Cancel);
    w.click();
    assert!(w.last_url().contains("/v1/export/http"));
    w.answer(r#"{"errcode":0,"data":{"hash_key":"second"}}"#);
    w.wait();
    assert!(w.last_url().contains("key=second"), "{}", w.last_url());
}

// ---- options -------------------------------------------------------------------------------

#[test]
fn every_bad_option_is_named() {
    let base = r#""protocol":"export-service","title":"t","userId":"1""#;
    let src = r#""sourceHttp":{"url":"http://h/demo/page"}"#;
    for (text, field) in [
        (format!(r#"{{"protocol":"export-service","userId":"1",{src}}}"#), "options.title"),
        (format!(r#"{{"protocol":"export-service","title":"t",{src}}}"#), "options.userId"),
        (format!(r#"{{{base},"userId":true,{src}}}"#), "options.userId"),
        (format!(r#"{{{base}}}"#), "options.sourceHttp"),
        (format!(r#"{{{base},{src},"sourceRaw":[{{}}]}}"#), "options.sourceRaw"),
        (format!(r#"{{{base},"sourceRaw":[]}}"#), "options.sourceRaw"),
        (format!(r#"{{{base},"sourceRaw":[{{}},3]}}"#), "options.sourceRaw[1]"),
        (format!(r#"{{{base},"sourceHttp":{{"url":"javascript:x"}}}}"#), "options.sourceHttp.url"),
        (format!(r#"{{{base},"sourceHttp":{{}}}}"#), "options.sourceHttp.url"),
        (format!(r#"{{{base},"sourceHttp":{{"url":"http://h","method":"PUT"}}}}"#), "options.sourceHttp.method"),
        (format!(r#"{{{base},"sourceHttp":{{"url":"http://h","limit":0}}}}"#), "options.sourceHttp.limit"),
        (format!(r#"{{{base},"sourceHttp":{{"url":"http://h","header":{{"a":1}}}}}}"#), "options.sourceHttp.header.a"),
        (format!(r#"{{{base},"sourceHttp":{{"url":"http://h","limt":5}}}}"#), "options.sourceHttp.limt"),
        (format!(r#"{{{base},{src},"extType":"PDF"}}"#), "options.extType"),
        (format!(r#"{{{base},{src},"timestamp":"now"}}"#), "options.timestamp"),
        (format!(r#"{{{base},{src},"callback":1}}"#), "options.callback"),
        (format!(r#"{{{base},{src},"baseUrl":"ftp://h"}}"#), "options.baseUrl"),
        (format!(r#"{{{base},{src},"config":{{}}}}"#), "options.config"),
        (format!(r#"{{{base},{src},"titel":"x"}}"#), "options.titel"),
    ] {
        assert_eq!(error_field(&text), field, "{text}");
    }
}

#[test]
fn csv_ext_type_is_accepted_in_any_case() {
    let w = World::clicked(&HTTP.replace(r#""userId":"123","#, r#""userId":"123","extType":"csv","#));
    assert_texts(&w.last_body(), &[("ext_type", "CSV")]);
}

// ---- never wedged --------------------------------------------------------------------------

fn shaped() -> BoxedStrategy<String> {
    (
        value(&["0", "1", "\"0\"", "null"]),
        value(&["1", "2", "3", "4", "\"2\""]),
        value(&["\"/v1/down/a.zip\"", "\"javascript:x\"", "\"a\\\\b.zip\"", "\"\""]),
        value(&["\"k\"", "7", "null"]),
    )
        .prop_map(|(errcode, status, url, key)| {
            object(vec![
                ("errcode", errcode),
                ("msg", Json::from("m")),
                (
                    "data",
                    Json::Obj(vec![
                        ("hash_key".into(), key),
                        ("status".into(), status),
                        ("down_url".into(), url),
                        ("fail_reason".into(), Json::from("r")),
                    ]),
                ),
            ])
        })
        .boxed()
}

never_wedged! {
    export_service:
    ends_by_the_deadline: machine(HTTP),
    keeps_the_invariants: machine(RAW),
    answers: shaped(),
    cases: 256,
}
