//! The asset-system protocol driven through the machine: the snapshot before the start, finding our
//! task in the list, progress from its counts, and the CSV built from its records.

#![cfg(feature = "backends")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use k12_export_core::json::Json;
use k12_export_core::*;
use proptest::prelude::*;

const OPTIONS: &str = r#"{"protocol":"asset","baseUrl":"http://127.0.0.1:8080","session":"demo","assetIds":[1,2,3],
  "query":{"client":"a1"}}"#;
const TASKS: &str = "http://127.0.0.1:8080/api/async_task/demo?client=a1";
const EXPORT: &str = "http://127.0.0.1:8080/api/export_task/demo?client=a1";

/// The task list before the export: an import (1) and an older export (2).
const BEFORE: &str = r#"{"code":0,"data":[
  {"id":1,"manager":"liusn","create_time":"2023-05-26 19:28:26","number_need":10,"number_succeed":10,"finish":1,"port_type":1},
  {"id":2,"manager":"liusn","create_time":"2023-05-26 19:28:33","number_need":3,"number_succeed":3,"finish":1,"port_type":2}]}"#;

fn after(extra: &str) -> String {
    BEFORE.replace("]}", &format!(",{extra}]}}"))
}

fn ours(succeed: u64, finish: i64) -> String {
    after(&format!(
        r#"{{"id":7,"manager":"liusn","create_time":"2023-05-27 10:00:00","number_need":3,"number_succeed":{succeed},"finish":{finish},"port_type":2}}"#
    ))
}

const RECORDS: &str = r#"{"code":0,"data":[
  {"id":1,"parentName":"","name":"chairs","assetClass":0,"userName":"liusn","price":10.00,"description":"","position":"","expire":0,"count":10,
   "assetTree":"默认分类","departmentName":"CST","create_time":"2023-05-27","deadline":10,"initial_price":10.00,"warning_amount":-1,
   "warning_date":-1,"expire_date":"2023-06-06","status":1},
  {"id":2,"parentName":"chairs","name":"=HYPERLINK(\"http://evil\",\"点我\")","assetClass":1,"userName":"王,五","price":5.5,"description":"多行\n描述",
   "position":"三楼","expire":1,"count":2,"assetTree":"家具","departmentName":"CST","create_time":"2023-05-27","deadline":5,
   "initial_price":6,"warning_amount":-1,"warning_date":-1,"expire_date":"2023-06-01","status":2}]}"#;

/// Through the prepare and the start, to the first poll's answer pending.
fn started() -> World {
    let mut w = World::clicked(OPTIONS);
    w.answer(BEFORE);
    w.answer(r#"{"code":0,"info":"Succeed"}"#);
    w
}

/// Started, then the first poll answered with the new task at `succeed` of 3, `finish`.
fn polled(succeed: u64, finish: i64) -> World {
    let mut w = started();
    w.wait();
    w.answer(&ours(succeed, finish));
    w
}

fn csv(w: &World) -> String {
    let (bytes, mime, _) = &w.saves[0];
    assert_eq!(*mime, "text/csv;charset=utf-8");
    String::from_utf8(bytes.clone()).unwrap()
}

#[test]
fn snapshots_the_task_list_before_posting_the_ids() {
    let mut w = World::clicked(OPTIONS);
    assert_eq!(w.last_url(), TASKS);
    assert_eq!(w.last().1.method, Method::Get);
    assert_eq!(w.view().stage, Stage::Starting);
    w.answer(BEFORE);
    assert_eq!(w.last_call(), (Method::Post, EXPORT));
    let (_, r) = w.last().clone();
    assert_eq!(r.body.as_deref(), Some("[1,2,3]"), "a bare JSON array of ids");
    w.answer(r#"{"code":0,"info":"Succeed"}"#);
    assert_eq!(w.view().stage, Stage::Running);
    w.wait();
    assert_eq!(w.last_url(), TASKS);
}

#[test]
fn full_flow_progress_from_counts_then_records_then_a_csv_file() {
    let mut w = polled(1, 0);
    assert_eq!(w.view().percent, Some(33));
    w.wait();
    w.answer(&ours(3, 1));
    assert_eq!(w.last_url(), "http://127.0.0.1:8080/api/export_task/demo/7?client=a1");
    w.answer(RECORDS);
    assert_eq!(w.status(), Status::Done);
    assert_eq!(w.view().percent, Some(100));
    assert!(w.downloads.is_empty());
    assert_eq!(w.saves.len(), 1);
    assert_eq!(w.saves[0].2, "资产导出.csv");
    assert_eq!(w.view().download, Some(Download { url: None, filename: "资产导出.csv".into() }));
    assert!(matches!(w.events.last(), Some(Event::Done { url: None, .. })));
    let text = csv(&w);
    let mut lines = text.split("\r\n");
    assert_eq!(
        lines.next().unwrap(),
        "\u{FEFF}资产编号,资产名称,上级资产,资产类型,使用者,资产价值,原始价值,资产数量,所属品类,所属部门,位置信息,描述信息,资产状态,创建日期,使用期限,到期日期,是否过期,数量告警线,年限告警线"
    );
    assert_eq!(
        lines.next().unwrap(),
        "1,chairs,,条目型,liusn,10,10,10,默认分类,CST,,,1,2023-05-27,10,2023-06-06,否,-1,-1"
    );
    assert_eq!(
        lines.next().unwrap(),
        "2,\"'=HYPERLINK(\"\"http://evil\"\",\"\"点我\"\")\",chairs,数量型,\"王,五\",5.5,6,2,家具,CST,三楼,\"多行\n描述\",2,2023-05-27,5,2023-06-01,是,-1,-1"
    );
}

#[test]
fn the_task_list_and_the_records_may_be_larger_than_a_protocol_answer() {
    let mut w = World::clicked(OPTIONS);
    assert_eq!(w.last().1.limit, http::LIST_LIMIT, "the prepare's task list: no paging");
    w.answer(BEFORE);
    assert_eq!(w.last().1.limit, http::ANSWER_LIMIT, "the start");
    w.answer(r#"{"code":0,"info":"Succeed"}"#);
    w.wait();
    assert_eq!(w.last().1.limit, http::LIST_LIMIT, "the poll's task list");
    w.answer(&ours(3, 1));
    assert_eq!(w.last().1.limit, http::RECORDS_LIMIT, "the records");
    // 100,000 assets (the most an export may ask for) of a kilobyte and more each.
    let record = RECORDS.len() / 2;
    assert!(http::RECORDS_LIMIT as usize / 100_000 > 3 * record, "{record} bytes a record");
    w.answer_with(HttpOutcome::TooLarge);
    assert_eq!(w.failed(FailKind::BadResponse), retry::too_large());
    assert!(w.saves.is_empty());
}

#[test]
fn our_task_is_the_new_export_not_an_import_nor_an_older_export() {
    let mut w = started();
    w.wait();
    let list = after(
        r#"{"id":5,"number_need":3,"number_succeed":0,"finish":0,"port_type":1},
           {"id":6,"number_need":50,"number_succeed":49,"finish":0,"port_type":2},
           {"id":4,"number_need":3,"number_succeed":2,"finish":0,"port_type":2}"#,
    );
    w.answer(&list);
    assert_eq!(w.view().percent, Some(66), "task 4: new, an export, and three ids like ours");
    w.wait();
    w.answer(&list.replace(r#""number_succeed":2,"finish":0"#, r#""number_succeed":3,"finish":1"#));
    assert!(w.last_url().contains("/api/export_task/demo/4"), "{}", w.last_url());
}

#[test]
fn the_task_is_followed_by_id_once_found() {
    let mut w = polled(1, 0);
    w.wait();
    // A newer export of someone else shows up: ours is still task 7.
    w.answer(&ours(2, 0).replace("]}", r#",{"id":8,"number_need":3,"number_succeed":3,"finish":1,"port_type":2}]}"#));
    assert_eq!(w.view().percent, Some(66));
    assert_eq!(w.status(), Status::Exporting);
}

#[test]
fn finish_2_with_some_successes_builds_the_file_from_them() {
    let mut w = polled(2, 2);
    w.answer(&RECORDS.replace("},\n  {\"id\":2", "}],\"x\":[{\"id\":2"));
    assert_eq!(w.status(), Status::Done);
    assert_eq!(csv(&w).lines().count(), 2, "header and the one exported asset");
}

/// Answers eleven polls with the list as it was before the start: the new task is not (or no
/// longer) in it.
fn list_without_the_task(w: &mut World) {
    for _ in 0..=10 {
        w.wait();
        w.answer(BEFORE);
    }
}

#[test]
fn finish_2_with_nothing_exported_fails() {
    let w = polled(0, 2);
    assert_eq!(w.failed(FailKind::Server).detail.as_deref(), Some("导出失败：没有资产导出成功"));
}

#[test]
fn a_task_that_never_appears_fails_after_some_polls() {
    let mut w = started();
    list_without_the_task(&mut w);
    assert_eq!(w.failed(FailKind::Server).detail.as_deref(), Some("任务列表里找不到刚创建的导出任务"));
}

#[test]
fn a_found_task_that_disappears_fails_too() {
    let mut w = polled(1, 0);
    list_without_the_task(&mut w);
    assert_eq!(w.failed(FailKind::Server).detail.as_deref(), Some("导出任务不见了"));
}

#[test]
fn a_bad_session_fails_at_the_prepare_before_anything_is_created() {
    let mut w = World::clicked(&OPTIONS.replace("\"demo\"", "\"nobody\""));
    w.answer_status(400, r#"{"code":2,"info":"用户未找到"}"#);
    w.failed_with(FailKind::Http, 400, "用户未找到");
    assert_eq!(w.sent.len(), 1, "no POST");
}

#[test]
fn a_nonzero_code_fails_with_its_info() {
    let mut w = World::clicked(OPTIONS);
    w.answer(BEFORE);
    w.answer(r#"{"code":5,"info":"只有系统管理员有查看异步任务权限"}"#);
    assert_eq!(w.failed(FailKind::Server).detail.as_deref(), Some("只有系统管理员有查看异步任务权限"));
}

#[test]
fn code_4_for_the_records_fails_with_the_documents_message() {
    let mut w = polled(3, 1);
    w.answer_status(400, r#"{"code":4,"info":"该API只可用于查看导出异步任务的成功记录"}"#);
    assert_eq!(w.failed(FailKind::Http).detail.as_deref(), Some("该API只可用于查看导出异步任务的成功记录"));
}

#[test]
fn the_documents_almost_json_is_read() {
    let mut w = World::clicked(OPTIONS);
    w.answer("{\n \"code\":0,\n \"data\":[\n   {\n     \"id\": 1,\n     \"manager\": \"liusn\",\n     \"finish\": 1,\n     \"port_type\": 1,\n   },\n]\n}");
    w.answer("{\n \"code\":0,\n \"info\":Succeed,\n}");
    w.wait();
    w.answer(
        "{\"code\":0,\"data\":[{\"id\": 1,\"port_type\": 1,\"finish\":1},{\"id\": 2,\"manager\": liusn,\"create_time\": 2023-05-26 19:28:33,\"number_need\": 3,\"number_succeed\": 3,\"finish\": 1,\"port_type\": 2,},]}",
    );
    w.answer("{\"code\":0,\"data\":[{\"id\": 1,\"name\": \"chairs\",\"userName\": liusn,\"price\": 10.00,\"create_time\": 2023-05-27,},]}");
    assert_eq!(w.status(), Status::Done, "{:?}", w.view());
    assert!(csv(&w).contains("\r\n1,chairs,liusn,10,2023-05-27\r\n"), "{}", csv(&w));
}

#[test]
fn a_single_record_object_and_no_records_are_files_too() {
    let mut w = polled(3, 1);
    w.answer(r#"{"code":0,"data":{"id":9,"name":"桌子"}}"#);
    assert!(csv(&w).ends_with("9,桌子\r\n"));
    let mut w = polled(3, 1);
    w.answer(r#"{"code":0,"data":[]}"#);
    assert_eq!(csv(&w), "\u{FEFF}\r\n");
}

#[test]
fn unknown_finish_values_and_garbage_are_retried_then_fail() {
    each_is_retried_then_fails(started, [ours(1, 9), "<html>".to_owned(), r#"{"code":0,"data":{}}"#.to_owned()]);
}

#[test]
fn the_prepare_is_retried_on_network_errors() {
    let mut w = World::clicked(OPTIONS);
    w.answer_with(HttpOutcome::NetworkError("reset".into()));
    assert!(w.view().retrying);
    w.wait();
    assert_eq!(w.last_url(), TASKS);
    w.answer(BEFORE);
    assert_eq!(w.last_url(), EXPORT);
}

#[test]
fn a_new_export_takes_a_new_snapshot() {
    let mut w = polled(3, 1);
    w.answer(RECORDS);
    w.click();
    assert_eq!(w.last_url(), TASKS);
    w.answer(&ours(3, 1));
    w.answer(r#"{"code":0,"info":"Succeed"}"#);
    w.wait();
    // Task 7 is in the new snapshot: it is not ours any more.
    w.answer(&ours(3, 1));
    assert_eq!(w.status(), Status::Exporting);
    assert_eq!(w.last_url(), TASKS);
}

#[test]
fn the_filename_option_names_the_csv() {
    let mut w = World::new(
        &OPTIONS.replace(r#""session":"demo","#, r#""session":"demo","filename":"资产-{d}","data":{"d":"CST"},"#),
    );
    assert_eq!(w.view().filename, "资产-CST");
    w.click();
    w.answer(BEFORE);
    w.answer("{}");
    w.wait();
    w.answer(&ours(3, 1));
    w.answer(RECORDS);
    assert_eq!(w.saves[0].2, "资产-CST.csv");
}

#[test]
fn every_bad_option_is_named() {
    for (text, field) in [
        (r#"{"protocol":"asset","assetIds":[1]}"#, "options.session"),
        (r#"{"protocol":"asset","session":"","assetIds":[1]}"#, "options.session"),
        (r#"{"protocol":"asset","session":"demo"}"#, "options.assetIds"),
        (r#"{"protocol":"asset","session":"demo","assetIds":[]}"#, "options.assetIds"),
        (r#"{"protocol":"asset","session":"demo","assetIds":"1,2"}"#, "options.assetIds"),
        (r#"{"protocol":"asset","session":"demo","assetIds":[1,0]}"#, "options.assetIds[1]"),
        (r#"{"protocol":"asset","session":"demo","assetIds":[1.5]}"#, "options.assetIds[0]"),
        (r#"{"protocol":"asset","session":"demo","assetIds":["1"]}"#, "options.assetIds[0]"),
        (r#"{"protocol":"asset","session":"demo","assetIds":[1],"sesion":"x"}"#, "options.sesion"),
    ] {
        assert_eq!(error_field(text), field, "{text}");
    }
}

fn shaped() -> BoxedStrategy<String> {
    let task =
        (value(&["7", "1", "2", "\"7\""]), value(&["0", "1", "2", "9"]), value(&["1", "2"]), value(&["0", "3", "5"]))
            .prop_map(|(id, finish, port, ok)| {
                Json::Obj(vec![
                    ("id".into(), id),
                    ("number_need".into(), Json::Num(3.0)),
                    ("number_succeed".into(), ok),
                    ("finish".into(), finish),
                    ("port_type".into(), port),
                ])
            });
    (value(&["0", "4", "\"0\"", "null"]), prop::collection::vec(task, 0..4), json())
        .prop_map(|(code, tasks, record)| {
            object(vec![
                ("code", code),
                ("info", Json::from("x")),
                ("data", Json::Arr(tasks.into_iter().chain([record]).collect())),
            ])
        })
        .boxed()
}

never_wedged!(asset: machine(OPTIONS), shaped());

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_lenient_reader_never_panics(s in ".{0,200}") {
        let _ = k12_export_core::codec::lenient::parse(&s);
    }

    #[test]
    fn any_records_make_a_csv_with_a_bom_and_one_line_per_record(records in prop::collection::vec(json(), 0..8)) {
        let bytes = k12_export_core::backends::asset::build_csv(&records);
        prop_assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "no BOM");
        prop_assert!(String::from_utf8(bytes).is_ok());
    }
}
