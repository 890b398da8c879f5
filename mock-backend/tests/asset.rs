//! The asset-system mock, through `oneshot`: the session check with the document's codes, the task
//! list, the task's records, every scenario, and the widget's machine building the CSV end to end.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

async fn tasks(m: &Mock, client: &str) -> Vec<Value> {
    let r = m.get(&format!("/api/async_task/demo?client={client}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["code"], 0);
    v["data"].as_array().unwrap().clone()
}

async fn post(m: &Mock, query: &str, ids: &str) -> Value {
    let r = m.post(&format!("/api/export_task/demo?{query}"), ids).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

async fn newest_done(m: &Mock, client: &str) -> Value {
    eventually(|| async {
        let list = tasks(m, client).await;
        let last = list.last().unwrap().clone();
        (last["finish"] != 0).then_some(last)
    })
    .await
}

#[tokio::test]
async fn every_route_checks_the_session_with_the_documents_codes() {
    let m = Mock::new();
    for (session, code, info) in [("nobody", 2, "用户未找到"), ("bad%20id", 1, "您给出的session ID是非法的。")]
    {
        for (method, uri) in [
            ("GET", format!("/api/async_task/{session}")),
            ("POST", format!("/api/export_task/{session}")),
            ("GET", format!("/api/export_task/{session}/1")),
        ] {
            let r = if method == "POST" { m.post(&uri, "[1]").await } else { m.get(&uri).await };
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}");
            assert_eq!(r.json(), json!({"code": code, "info": info}), "{uri}");
        }
    }
}

#[tokio::test]
async fn a_clients_list_starts_with_an_import_and_an_older_export() {
    let m = Mock::new();
    let list = tasks(&m, "l1").await;
    assert_eq!(list.len(), 2);
    assert_eq!(
        (list[0]["port_type"].clone(), list[0]["finish"].clone(), list[0]["number_succeed"].clone()),
        (json!(1), json!(1), json!(10))
    );
    assert_eq!(
        (list[1]["port_type"].clone(), list[1]["finish"].clone(), list[1]["number_succeed"].clone()),
        (json!(2), json!(2), json!(98))
    );
    assert!(list[0]["id"].as_u64() < list[1]["id"].as_u64());
    assert_eq!(list[0]["manager"], "liusn");
    assert_eq!(list[0]["create_time"].as_str().unwrap().len(), 19);
    assert_eq!(tasks(&m, "l2").await.len(), 2, "per client");
}

#[tokio::test]
async fn an_export_task_counts_up_and_answers_its_records() {
    let m = Mock::new();
    tasks(&m, "e1").await;
    let r = post(&m, "client=e1&durationMs=400", "[3,1,2,2,13]").await;
    assert_eq!(r, json!({"code": 0, "info": "Succeed"}));
    let list = tasks(&m, "e1").await;
    let ours = list.last().unwrap();
    assert_eq!(
        (ours["port_type"].clone(), ours["number_need"].clone(), ours["finish"].clone()),
        (json!(2), json!(4), json!(0))
    );
    let done = newest_done(&m, "e1").await;
    assert_eq!((done["number_succeed"].clone(), done["finish"].clone()), (json!(4), json!(1)));
    let v = m.get(&format!("/api/export_task/demo/{}?client=e1", done["id"])).await.json();
    let records = v["data"].as_array().unwrap();
    assert_eq!(records.iter().map(|r| r["id"].as_u64().unwrap()).collect::<Vec<_>>(), [3, 1, 2, 13]);
    assert_eq!(records[3]["name"], "=HYPERLINK(\"http://example.com\",\"点我\")");
    for key in [
        "parentName",
        "assetClass",
        "userName",
        "price",
        "count",
        "assetTree",
        "departmentName",
        "create_time",
        "deadline",
        "expire_date",
        "status",
    ] {
        assert!(records[0].get(key).is_some(), "{key}");
    }
}

#[tokio::test]
async fn unknown_assets_and_partial_end_with_finish_2() {
    let m = Mock::new();
    post(&m, "client=u&durationMs=0", "[1,2,9999]").await;
    let t = newest_done(&m, "u").await;
    assert_eq!(
        (t["number_need"].clone(), t["number_succeed"].clone(), t["finish"].clone()),
        (json!(3), json!(2), json!(2))
    );
    post(&m, "client=p&durationMs=0&scenario=partial", "[1,2,3,4,5,6,7,8]").await;
    let t = newest_done(&m, "p").await;
    assert_eq!((t["number_succeed"].clone(), t["finish"].clone()), (json!(6), json!(2)));
}

#[tokio::test]
async fn fail_stops_and_never_finishes_stalls() {
    let m = Mock::new();
    post(&m, "client=f&durationMs=100&scenario=fail&failAt=50", "[1,2,3,4]").await;
    let t = newest_done(&m, "f").await;
    assert_eq!((t["number_succeed"].clone(), t["finish"].clone()), (json!(2), json!(2)));
    post(
        &m,
        "client=n&durationMs=50&scenario=never-finishes",
        &format!("[{}]", (1..=100).map(|i| i.to_string()).collect::<Vec<_>>().join(",")),
    )
    .await;
    sleep_ms(200).await;
    let t = tasks(&m, "n").await.last().unwrap().clone();
    assert_eq!((t["number_succeed"].clone(), t["finish"].clone()), (json!(63), json!(0)));
}

#[tokio::test]
async fn bad_bodies_missing_tasks_and_import_tasks() {
    let m = Mock::new();
    for body in ["{ [1,2,3,] }", r#"{"ids":[1]}"#, r#"["a"]"#] {
        let r = m.post("/api/export_task/demo?client=b", body).await;
        assert_eq!((r.status, r.json()["code"].clone()), (StatusCode::BAD_REQUEST, json!(3)), "{body}");
    }
    let r = m.get("/api/export_task/demo/999999?client=b").await;
    assert_eq!(r.json(), json!({"code": 6, "info": "对应id的异步任务不存在"}));
    let import = tasks(&m, "b").await[0]["id"].clone();
    let r = m.get(&format!("/api/export_task/demo/{import}?client=b")).await;
    assert_eq!(
        (r.status, r.json()),
        (StatusCode::BAD_REQUEST, json!({"code": 4, "info": "该API只可用于查看导出异步任务的成功记录"}))
    );
}

#[tokio::test]
async fn start_error_slow_start_and_transport_faults() {
    let m = Mock::new();
    let r = m.post("/api/export_task/demo?scenario=start-error", "[1]").await;
    assert_eq!((r.status, r.json()), (StatusCode::BAD_REQUEST, json!({"code": 1, "info": "您无此权限"})));
    let t = std::time::Instant::now();
    post(&m, "client=s&scenario=slow-start&startDelayMs=200", "[1]").await;
    assert!(t.elapsed() >= Duration::from_millis(200));
    tasks(&m, "t").await;
    post(&m, "client=t&scenario=http502-once", "[1]").await;
    assert_eq!(m.get("/api/async_task/demo?client=t").await.status, StatusCode::BAD_GATEWAY);
    tasks(&m, "t").await;
    post(&m, "client=r&scenario=rate-limited", "[1]").await;
    let r = m.get("/api/async_task/demo?client=r").await;
    assert_eq!((r.status, r.header("retry-after")), (StatusCode::TOO_MANY_REQUESTS, Some("1")));
    post(&m, "client=mj&scenario=malformed-once", "[1]").await;
    assert!(serde_json::from_slice::<Value>(&m.get("/api/async_task/demo?client=mj").await.body).is_err());
    tasks(&m, "mj").await;
}

#[tokio::test]
async fn almost_json_answers_like_the_document() {
    let m = Mock::new();
    let r = m.post("/api/export_task/demo?client=aj&scenario=almost-json&durationMs=0", "[1]").await;
    assert!(r.text().contains("\"info\": Succeed,"), "{}", r.text());
    let list = m.get("/api/async_task/demo?client=aj").await.text();
    assert!(serde_json::from_str::<Value>(&list).is_err());
    assert!(k12_export_core::codec::lenient::parse(&list).is_ok(), "{list}");
}

#[tokio::test]
async fn unsupported_scenarios_and_recording() {
    let m = Mock::new();
    let r = m.post("/api/export_task/demo?scenario=javascript-url", "[1]").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["valid"].as_array().unwrap().contains(&json!("almost-json")));
    tasks(&m, "rec").await;
    post(&m, "client=rec", "[1]").await;
    let paths: Vec<String> = m
        .requests("rec")
        .await
        .iter()
        .map(|r| format!("{} {}", r["method"].as_str().unwrap(), r["path"].as_str().unwrap()))
        .collect();
    assert_eq!(paths, ["GET /api/async_task/demo", "POST /api/export_task/demo"]);
    m.post("/__mock/reset?client=rec", "").await;
    assert_eq!(tasks(&m, "rec").await.len(), 2, "reset forgets the client's tasks");
}

fn csv_text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[tokio::test]
async fn the_widgets_machine_builds_the_csv_end_to_end() {
    let m = Mock::new();
    tasks(&m, "ae2e").await;
    let options = format!(
        r#"{{"protocol":"asset","baseUrl":"http://{HOST}","session":"demo","assetIds":[1,2,13,9999],"filename":"资产-CST",
            "query":{{"client":"ae2e","durationMs":300}},"pollIntervalMs":100}}"#
    );
    let (machine, handed) = m.drive(&options, Duration::from_secs(10)).await;
    assert_eq!(machine.view().status, k12_export_core::Status::Done, "{:?}", machine.view());
    assert!(handed.requests[0].starts_with("GET ") && handed.requests[0].contains("/api/async_task/demo"));
    assert!(handed.requests[1].starts_with("POST ") && handed.requests[1].contains("/api/export_task/demo"));
    let (bytes, mime, name) = handed.save.unwrap();
    assert_eq!((mime, name.as_str()), ("text/csv;charset=utf-8", "资产-CST.csv"));
    let text = csv_text(&bytes);
    assert!(text.starts_with("\u{FEFF}资产编号,资产名称,上级资产,资产类型,使用者,资产价值"), "{text}");
    assert_eq!(
        text.split("\r\n").filter(|l| !l.is_empty()).count(),
        4,
        "a header and the three assets that exist: {text}"
    );
    assert!(text.contains(",\"'=HYPERLINK(\"\"http://example.com\"\",\"\"点我\"\")\","), "defused and quoted: {text}");
}

#[tokio::test]
async fn the_widgets_machine_reads_the_documents_almost_json() {
    let m = Mock::new();
    let options = format!(
        r#"{{"protocol":"asset","baseUrl":"http://{HOST}","session":"demo","assetIds":[5,6],
            "query":{{"client":"aje2e","scenario":"almost-json","durationMs":100}},"pollIntervalMs":100}}"#
    );
    let (machine, handed) = m.drive(&options, Duration::from_secs(10)).await;
    assert_eq!(machine.view().status, k12_export_core::Status::Done, "{:?}", machine.view());
    assert_eq!(csv_text(&handed.save.unwrap().0).split("\r\n").filter(|l| !l.is_empty()).count(), 3);
}

#[tokio::test]
async fn the_widgets_machine_fails_at_the_prepare_for_a_bad_session() {
    let m = Mock::new();
    let options = format!(r#"{{"protocol":"asset","baseUrl":"http://{HOST}","session":"nobody","assetIds":[1]}}"#);
    let (machine, handed) = m.drive(&options, Duration::from_secs(5)).await;
    let f = machine.view().failure.clone().unwrap();
    assert_eq!((f.status, f.detail.as_deref()), (Some(400), Some("用户未找到")));
    assert_eq!(handed.requests.len(), 1, "nothing was created");
}
