//! The MinApp protocol driven through the machine: the job's three states, the one-per-minute
//! rejection that is never retried, 404s, and the rest.

#![cfg(feature = "backends")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use k12_export_core::*;
use proptest::prelude::*;

const OPTIONS: &str = r#"{"protocol":"minapp","baseUrl":"http://127.0.0.1:8080","tableId":1,"fileType":"csv","mode":"all",
  "query":{"client":"m1"}}"#;
const JOBS: &str = "http://127.0.0.1:8080/userve/v1.5/table/1/export/";
const JOB: &str = "http://127.0.0.1:8080/userve/v1.5/table/1/export/RcnyXjPH8zLSsUYrIlPsG5qnBERYFrGF/?client=m1";
const CREATED: &str = r#"{"status":"ok","job_id":"RcnyXjPH8zLSsUYrIlPsG5qnBERYFrGF"}"#;

fn job(status: &str, url: &str, name: &str) -> String {
    format!(
        r#"{{"created_at":1574405175,"download_url":{url},"file_name":{name},"file_type":"csv","job_id":"RcnyXjPH8zLSsUYrIlPsG5qnBERYFrGF","operation":"export","status":"{status}","updated_at":1574405175}}"#
    )
}

fn started() -> World {
    let mut w = World::clicked(OPTIONS);
    w.answer_status(201, CREATED);
    w
}

#[test]
fn full_flow_pending_ready_finish_then_download() {
    let mut w = World::clicked(OPTIONS);
    assert_eq!(w.last_call(), (Method::Post, format!("{JOBS}?client=m1").as_str()));
    assert_eq!(w.last_body(), options(r#"{"file_type":"csv","mode":"all"}"#));
    assert_eq!(w.view().percent, None, "indeterminate from the start");
    w.answer_status(201, CREATED);
    w.wait();
    assert_eq!(w.last_url(), JOB);
    w.answer(&job("pending", "null", "null"));
    assert_eq!(w.view().percent, None);
    w.wait();
    w.answer(&job("ready", "null", "null"));
    assert_eq!(w.status(), Status::Exporting, "ready means still processing");
    w.wait();
    w.answer(&job("finish", r#""http://127.0.0.1:8080/files/abc""#, r#""export_1_Rcny.csv""#));
    assert_eq!(w.downloads, [("http://127.0.0.1:8080/files/abc".to_owned(), "export_1_Rcny.csv".to_owned())]);
    assert_eq!(w.status(), Status::Done);
    assert_eq!(w.view().percent, Some(100));
}

#[test]
fn optional_fields_go_under_their_wire_names() {
    let text = r#"{"protocol":"minapp","tableId":"t9","fileType":"json","mode":"part","where":{"price":{"$gt":10}},
      "includeKeys":["name","price"],"excludeKeys":["secret"],"orderBy":["-created_at"],
      "csvCustomizeHeaders":["名称"],"timestampConvertKeys":["created_at"]}"#;
    let w = World::clicked(text);
    assert_eq!(w.last_url(), "/userve/v1.5/table/t9/export/");
    assert_eq!(
        w.last_body(),
        options(
            r#"{"file_type":"json","mode":"part","where":{"price":{"$gt":10}},"exclude_keys":["secret"],
                "include_keys":["name","price"],"order_by":["-created_at"],"csv_customize_headers":["名称"],
                "timestamp_convert_keys":["created_at"]}"#
        )
    );
}

#[test]
fn a_second_job_within_a_minute_is_rejected_clearly_and_never_retried() {
    let mut w = World::clicked(OPTIONS);
    w.answer_status(400, r#"{"error_msg":"1 分钟内只能创建一次导出任务"}"#);
    w.failed_with(FailKind::Rejected, 400, "1 分钟内只能创建一次导出任务");
    assert_eq!(w.sent.len(), 1, "not retried");
    w.now += 60_000.0;
    assert_eq!(w.m.poll_timeout(), None, "nothing scheduled: only the user can try again");
}

#[test]
fn a_400_without_a_message_names_the_documented_reasons() {
    let mut w = World::clicked(OPTIONS);
    w.answer_status(400, "");
    let f = w.failed(FailKind::Rejected);
    assert!(f.detail.unwrap().contains("1 分钟内"));
}

#[test]
fn a_job_that_is_gone_fails_clearly_with_404() {
    let mut w = started();
    w.wait();
    w.answer_status(404, r#"{"error_msg":"Not found."}"#);
    w.failed_with(FailKind::Http, 404, "找不到导出任务");
}

#[test]
fn an_unknown_table_fails_at_the_start_with_the_message() {
    let mut w = World::clicked(OPTIONS);
    w.answer_status(404, r#"{"error_msg":"数据表不存在"}"#);
    w.failed_with(FailKind::Http, 404, "数据表不存在");
}

#[test]
fn a_200_created_answer_is_accepted_too() {
    let mut w = World::clicked(OPTIONS);
    w.answer(CREATED);
    w.wait();
    assert_eq!(w.last_url(), JOB);
}

#[test]
fn a_status_other_than_ok_fails_with_the_message() {
    let mut w = World::clicked(OPTIONS);
    w.answer_status(201, r#"{"status":"fail","error_msg":"配额不足"}"#);
    assert_eq!(w.failed(FailKind::Server).detail.as_deref(), Some("配额不足"));
}

#[test]
fn finish_without_a_url_is_retried_then_fails() {
    let mut w = started();
    w.wait();
    w.keep_answering(3, HttpOutcome::ok(job("finish", "null", "null")));
    w.failed(FailKind::BadResponse);
}

#[test]
fn an_undocumented_status_fails_naming_it() {
    let mut w = started();
    w.wait();
    w.answer(&job("error", "null", "null"));
    assert_eq!(w.failed(FailKind::Server).detail.as_deref(), Some("导出任务状态异常：error"));
}

#[test]
fn missing_job_id_and_garbage_are_retried() {
    let mut w = World::clicked(OPTIONS);
    w.answer_status(201, r#"{"status":"ok"}"#);
    assert!(w.view().retrying);
    w.wait();
    w.answer_status(201, "<html>");
    assert!(w.view().retrying);
    w.wait();
    w.answer_status(201, CREATED);
    assert!(!w.view().retrying);
    assert_eq!(w.count(JOBS), 3);
}

#[test]
fn rate_limits_and_server_errors_while_polling_are_retried() {
    let mut w = started();
    w.wait();
    w.answer_with(HttpOutcome::Answer { status: 429, retry_after: Some("1".into()), body: "{}".into() });
    assert_eq!(w.wait(), 1000.0);
    w.answer_status(500, "<html>");
    w.wait();
    w.answer(&job("finish", r#""/files/x""#, r#""a.json""#));
    assert_eq!(w.status(), Status::Done);
}

#[test]
fn a_hostile_file_name_is_sanitised() {
    let mut w = started();
    w.wait();
    w.answer(&job("finish", r#""/files/x""#, r#""../../<img src=x onerror=alert(1)>\u0000报表.csv""#));
    let name = &w.downloads[0].1;
    assert!(!name.contains(['/', '\0', '<']), "{name}");
    assert!(name.ends_with("报表.csv"));
}

#[test]
fn a_javascript_url_is_refused() {
    let mut w = started();
    w.wait();
    w.answer(&job("finish", r#""javascript:alert(1)""#, "null"));
    w.failed(FailKind::UnsafeUrl);
}

#[test]
fn never_finishing_times_out() {
    let mut w = World::clicked(&OPTIONS.replace(r#""mode":"all","#, r#""mode":"all","timeoutMs":20000,"#));
    w.answer_status(201, CREATED);
    while w.status() == Status::Exporting {
        w.wait();
        if w.status() == Status::Exporting {
            w.answer(&job("ready", "null", "null"));
        }
    }
    w.failed(FailKind::TimedOut);
}

#[test]
fn every_bad_option_is_named() {
    for (text, field) in [
        (r#"{"protocol":"minapp"}"#, "options.tableId"),
        (r#"{"protocol":"minapp","tableId":-1}"#, "options.tableId"),
        (r#"{"protocol":"minapp","tableId":"a/b"}"#, "options.tableId"),
        (r#"{"protocol":"minapp","tableId":[1]}"#, "options.tableId"),
        (r#"{"protocol":"minapp","tableId":1,"fileType":"pdf"}"#, "options.fileType"),
        (r#"{"protocol":"minapp","tableId":1,"mode":"some"}"#, "options.mode"),
        (r#"{"protocol":"minapp","tableId":1,"where":"a=1"}"#, "options.where"),
        (r#"{"protocol":"minapp","tableId":1,"includeKeys":"a"}"#, "options.includeKeys"),
        (r#"{"protocol":"minapp","tableId":1,"orderBy":["a",1]}"#, "options.orderBy[1]"),
        (r#"{"protocol":"minapp","tableId":1,"file_type":"csv"}"#, "options.file_type"),
        (r#"{"protocol":"minapp","tableId":1,"query":{"a":{}}}"#, "options.query.a"),
    ] {
        assert_eq!(error_field(text), field, "{text}");
    }
}

fn shaped() -> BoxedStrategy<String> {
    (
        value(&["\"pending\"", "\"ready\"", "\"finish\"", "\"ok\"", "\"error\""]),
        value(&["\"/files/a\"", "null", "\"javascript:x\"", "\"\""]),
        value(&["\"j1\"", "5", "null"]),
        value(&["\"a.csv\"", "null", "\"../x\""]),
    )
        .prop_map(|(status, url, id, name)| {
            object(vec![("status", status), ("job_id", id), ("download_url", url), ("file_name", name)])
        })
        .boxed()
}

never_wedged!(minapp: machine(OPTIONS), shaped());
