//! The XLink protocol driven through the machine: task, progress, the signed link fetched at the
//! end and never reused, the token on every request, and every failure.

#![cfg(feature = "backends")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use k12_export_core::json::Json;
use k12_export_core::*;
use proptest::prelude::*;

const OPTIONS: &str = r#"{"protocol":"xlink","baseUrl":"http://127.0.0.1:8080","accessToken":"demo-token",
  "name":"设备列表导出","describe":"全部设备","type":1,
  "params":{"filter":["mac","name"],"query":{"product_id":{"$in":["p1"]}},"order":{"create_date":"desc"}},
  "extend":{"product_id":"p1"}}"#;
const TASK: &str = "http://127.0.0.1:8080/v2/export_task/t-1";
const LINK: &str = "http://127.0.0.1:8080/v2/export_task/t-1/auth_link";

fn task(status: &str, finished: i64, total: i64) -> String {
    format!(
        r#"{{"id":"t-1","name":"设备列表导出","status":{status},"total":{total},"finished":{finished},"link_url":"http://127.0.0.1:8080/v2/download/abc","result_desc":""}}"#
    )
}

fn started() -> World {
    let mut w = World::clicked(OPTIONS);
    w.answer(r#"{"id":"t-1"}"#);
    w
}

fn token_of(r: &HttpRequest) -> Vec<&str> {
    r.headers.iter().filter(|(k, _)| k == "Access-Token").map(|(_, v)| v.as_str()).collect()
}

#[test]
fn creates_the_task_with_the_documented_body() {
    let w = World::clicked(OPTIONS);
    assert_eq!(w.last_call(), (Method::Post, "http://127.0.0.1:8080/v2/export_task"));
    let body = w.last_body();
    assert_texts(&body, &[("name", "设备列表导出"), ("describe", "全部设备")]);
    assert_eq!(body.get("type"), Some(&Json::Num(1.0)));
    assert_eq!(
        body.get("params"),
        Some(&options(
            r#"{"filter":["mac","name"],"query":{"product_id":{"$in":["p1"]}},"order":{"create_date":"desc"}}"#
        ))
    );
    assert_eq!(body.get("extend"), Some(&options(r#"{"product_id":"p1"}"#)));
}

#[test]
fn full_flow_progress_then_a_fresh_signed_link_then_the_download() {
    let mut w = started();
    assert_eq!(w.view().percent, Some(0));
    w.wait();
    assert_eq!(w.last_url(), TASK);
    w.answer(&task("1", 0, 0));
    assert_eq!(w.view().percent, None, "待导出 without numbers: indeterminate until numbers come");
    w.wait();
    w.answer(&task("2", 250, 1000));
    assert_eq!(w.view().percent, Some(25));
    w.wait();
    w.answer(&task("3", 1000, 1000));
    // Exported: the link is asked at once, never the unauthorised task.link_url.
    assert_eq!(w.last_url(), LINK);
    assert_eq!(w.view().stage, Stage::Generating);
    assert_eq!(w.view().percent, Some(99));
    w.answer(r#"{"link_url":"http://127.0.0.1:8080/v2/download/abc?expires=99&sig=f00"}"#);
    assert_eq!(
        w.downloads,
        [("http://127.0.0.1:8080/v2/download/abc?expires=99&sig=f00".to_owned(), "设备列表导出".to_owned())]
    );
    assert_eq!(w.status(), Status::Done);
    assert!(!w.downloads.iter().any(|(u, _)| u == "http://127.0.0.1:8080/v2/download/abc"));
}

#[test]
fn every_request_carries_the_access_token() {
    let mut w = started();
    w.wait();
    w.answer(&task("3", 1, 1));
    w.answer(r#"{"link_url":"/v2/download/x.csv?sig=1"}"#);
    assert_eq!(w.sent.len(), 3);
    for (_, r) in &w.sent {
        assert_eq!(token_of(r), ["demo-token"], "{}", r.url);
    }
    assert_eq!(w.downloads[0].1, "设备列表导出.csv", "the link's extension is added");
}

#[test]
fn the_signed_link_is_fetched_anew_for_every_export() {
    let mut w = started();
    w.wait();
    w.answer(&task("3", 1, 1));
    w.answer(r#"{"link_url":"/v2/download/x?sig=1"}"#);
    w.click();
    w.answer(r#"{"id":"t-1"}"#);
    w.wait();
    w.answer(&task("3", 1, 1));
    assert_eq!(w.last_url(), LINK, "asked again, not reused");
    w.answer(r#"{"link_url":"/v2/download/x?sig=2"}"#);
    assert_eq!(
        w.downloads.iter().map(|(u, _)| u.as_str()).collect::<Vec<_>>(),
        ["/v2/download/x?sig=1", "/v2/download/x?sig=2"]
    );
    assert_eq!(w.count(LINK), 2);
}

#[test]
fn an_empty_link_is_asked_again_soon() {
    let mut w = started();
    w.wait();
    w.answer(&task("3", 5, 5));
    w.answer(r#"{"link_url":""}"#);
    assert_eq!(w.status(), Status::Exporting);
    assert!(w.wait() <= 200.0);
    assert_eq!(w.last_url(), LINK);
}

#[test]
fn numbers_and_ids_may_be_strings_or_numbers() {
    let mut w = World::clicked(OPTIONS);
    w.answer(r#"{"id":42}"#);
    w.wait();
    assert_eq!(w.last_url(), "http://127.0.0.1:8080/v2/export_task/42");
    w.answer(r#"{"id":42,"status":"2","total":"8","finished":"6"}"#);
    assert_eq!(w.view().percent, Some(75));
}

#[test]
fn status_4_invalid_fails_clearly_as_cancelled() {
    let mut w = started();
    w.wait();
    w.answer(&task("4", 0, 10).replace(r#""result_desc":"""#, r#""result_desc":"产品不存在""#));
    assert_eq!(w.cancelled().detail.as_deref(), Some("导出任务无效：产品不存在"));
}

#[test]
fn status_5_expired_fails_clearly_as_cancelled() {
    let mut w = started();
    w.wait();
    w.answer(&task("5", 10, 10));
    assert_eq!(w.cancelled().detail.as_deref(), Some("导出任务已过期"));
}

#[test]
fn a_bad_token_is_401_and_fails_at_once_with_the_message() {
    let mut w = World::clicked(&OPTIONS.replace("demo-token", "nope"));
    w.answer_status(401, r#"{"error":{"code":4031003,"msg":"Access-Token 无效"}}"#);
    w.failed_with(FailKind::Http, 401, "Access-Token 无效");
    assert_eq!(w.sent.len(), 1);
}

#[test]
fn a_403_for_the_link_fails_with_the_message() {
    let mut w = started();
    w.wait();
    w.answer(&task("3", 1, 1));
    w.answer_status(403, r#"{"error":{"code":4031004,"msg":"无权访问"}}"#);
    assert_eq!(w.failed(FailKind::Http).status, Some(403));
}

#[test]
fn unknown_statuses_and_malformed_bodies_are_retried_then_fail() {
    each_is_retried_then_fails(
        started,
        [
            task("9", 0, 0),
            r#"{"id":"t-1","status":null}"#.to_owned(),
            "<html>".to_owned(),
            r#"{"id":"t-1","#.to_owned(),
        ],
    );
}

#[test]
fn a_create_answer_without_id_is_retried() {
    let mut w = World::clicked(OPTIONS);
    w.answer("{}");
    assert!(w.view().retrying);
    w.wait();
    assert_eq!(w.last().1.method, Method::Post);
    w.answer(r#"{"id":"t-1"}"#);
    assert!(!w.view().retrying);
}

#[test]
fn gateway_errors_are_retried_and_the_flow_goes_on() {
    let mut w = started();
    w.wait();
    w.answer_status(503, "busy");
    w.wait();
    w.answer(&task("2", 1, 2));
    assert_eq!(w.view().percent, Some(50));
    w.wait();
    w.answer(&task("3", 2, 2));
    w.answer_with(HttpOutcome::NetworkError("reset".into()));
    w.wait();
    assert_eq!(w.last_url(), LINK, "the link step is retried");
    w.answer(r#"{"link_url":"/d?sig=1"}"#);
    assert_eq!(w.status(), Status::Done);
}

#[test]
fn a_javascript_link_is_refused() {
    let mut w = started();
    w.wait();
    w.answer(&task("3", 1, 1));
    w.answer(r#"{"link_url":"javascript:alert(1)"}"#);
    w.failed(FailKind::UnsafeUrl);
}

#[test]
fn finished_at_total_before_status_3_stays_below_100() {
    let mut w = started();
    w.wait();
    w.answer(&task("2", 10, 10));
    assert_eq!(w.view().percent, Some(99));
    assert_eq!(w.view().stage, Stage::Running);
    w.wait();
    assert_eq!(w.last_url(), TASK, "still polling the task");
}

#[test]
fn every_bad_option_is_named() {
    let ok = r#""protocol":"xlink","accessToken":"t","name":"n","type":1"#;
    for (text, field) in [
        (r#"{"protocol":"xlink","name":"n","type":1}"#.to_owned(), "options.accessToken"),
        (r#"{"protocol":"xlink","accessToken":"a\nb","name":"n","type":1}"#.to_owned(), "options.accessToken"),
        (r#"{"protocol":"xlink","accessToken":"令牌","name":"n","type":1}"#.to_owned(), "options.accessToken"),
        (r#"{"protocol":"xlink","accessToken":"t","type":1}"#.to_owned(), "options.name"),
        (r#"{"protocol":"xlink","accessToken":"t","name":"n"}"#.to_owned(), "options.type"),
        (r#"{"protocol":"xlink","accessToken":"t","name":"n","type":11}"#.to_owned(), "options.type"),
        (r#"{"protocol":"xlink","accessToken":"t","name":"n","type":"1"}"#.to_owned(), "options.type"),
        (format!(r#"{{{ok},"params":[]}}"#), "options.params"),
        (format!(r#"{{{ok},"params":{{"filter":"mac"}}}}"#), "options.params.filter"),
        (format!(r#"{{{ok},"params":{{"query":[]}}}}"#), "options.params.query"),
        (format!(r#"{{{ok},"params":{{"order":{{"a":"up"}}}}}}"#), "options.params.order.a"),
        (format!(r#"{{{ok},"extend":"x"}}"#), "options.extend"),
        (format!(r#"{{{ok},"describe":3}}"#), "options.describe"),
        (format!(r#"{{{ok},"token":"x"}}"#), "options.token"),
    ] {
        assert_eq!(error_field(&text), field, "{text}");
    }
}

fn shaped() -> BoxedStrategy<String> {
    (
        value(&["1", "2", "3", "4", "5", "\"3\""]),
        value(&["0", "5", "10", "\"7\"", "-1"]),
        value(&["0", "10", "\"10\""]),
        value(&["\"t-1\"", "3"]),
        value(&["\"/v2/download/a?sig=1\"", "\"\"", "\"javascript:x\""]),
    )
        .prop_map(|(status, finished, total, id, link)| {
            object(vec![("id", id), ("status", status), ("finished", finished), ("total", total), ("link_url", link)])
        })
        .boxed()
}

never_wedged!(xlink: machine(OPTIONS), shaped());
