//! The MinApp mock, through `oneshot`: job states, real csv/json/xlsx files read back, the
//! one-job-per-minute rule, 404s, the list, every scenario, and the widget's machine end to end.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

const JOBS: &str = "/userve/v1.5/table/1/export/";

async fn create(m: &Mock, query: &str, body: &str) -> String {
    let r = m.post(&format!("{JOBS}?{query}"), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let v = r.json();
    assert_eq!(v["status"], "ok");
    v["job_id"].as_str().unwrap().to_owned()
}

async fn job(m: &Mock, id: &str) -> Value {
    let r = m.get(&format!("{JOBS}{id}/")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

async fn finished(m: &Mock, id: &str) -> Value {
    eventually(|| async {
        let j = job(m, id).await;
        (j["status"] == "finish").then_some(j)
    })
    .await
}

const CSV: &str = r#"{"file_type":"csv","mode":"all"}"#;

#[tokio::test]
async fn a_job_goes_pending_ready_finish_with_a_csv() {
    let m = Mock::new();
    let id = create(&m, "client=m1&durationMs=600&rows=5", CSV).await;
    assert_eq!(id.len(), 32);
    let j = job(&m, &id).await;
    assert_eq!(j["status"], "pending");
    assert_eq!((j["download_url"].clone(), j["file_name"].clone()), (Value::Null, Value::Null));
    assert_eq!((j["operation"].clone(), j["file_type"].clone()), (json!("export"), json!("csv")));
    assert!(j["created_at"].as_i64().unwrap() > 1_600_000_000);
    eventually(|| async { (job(&m, &id).await["status"] == "ready").then_some(()) }).await;
    let j = finished(&m, &id).await;
    assert_eq!(j["file_name"], format!("商品表_{id}.csv"));
    let file = m.download(j["download_url"].as_str().unwrap()).await;
    assert_eq!(file.status, StatusCode::OK);
    let rows = csv_rows(&file.body);
    assert_eq!(rows[0], ["id", "name", "price", "amount", "created_at"]);
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[1][0], "1");
}

#[tokio::test]
async fn json_and_xlsx_files_honour_keys_order_headers_and_time_conversion() {
    let m = Mock::new();
    let body = r#"{"file_type":"json","mode":"part","where":{"price":{"$gt":1}},"include_keys":["id","price","created_at"],
                   "exclude_keys":["price"],"order_by":["-id"],"timestamp_convert_keys":["created_at"]}"#;
    let id = create(&m, "client=j&durationMs=0&rows=3", body).await;
    let j = finished(&m, &id).await;
    assert!(j["file_name"].as_str().unwrap().ends_with(".json"));
    let records: Value = m.download(j["download_url"].as_str().unwrap()).await.json();
    assert_eq!(records.as_array().unwrap().len(), 3);
    assert_eq!(records[0]["id"], 3.0, "sorted descending");
    assert_eq!(records[0].as_object().unwrap().keys().collect::<Vec<_>>(), ["id", "created_at"]);
    assert_eq!(records[2]["created_at"], "2019-11-22 14:46:15");

    let body =
        r#"{"file_type":"xlsx","mode":"all","include_keys":["name","amount"],"csv_customize_headers":["名称","库存"]}"#;
    let id = create(&m, "client=x&durationMs=0&rows=4", body).await;
    let j = finished(&m, &id).await;
    let rows = xlsx_rows(&m.download(j["download_url"].as_str().unwrap()).await.body);
    assert_eq!(rows[0], ["名称", "库存"]);
    assert_eq!(rows.len(), 5);
    assert!(rows[1][0].ends_with("的商品"));
}

#[tokio::test]
async fn a_second_job_within_the_window_is_400_and_reset_forgets_it() {
    let m = Mock::new();
    create(&m, "client=w", CSV).await;
    let r = m.post(&format!("{JOBS}?client=w"), CSV).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error_msg"], "1 分钟内只能创建一次导出任务");
    create(&m, "client=other", CSV).await;
    m.post("/__mock/reset?client=w", "").await;
    create(&m, "client=w", CSV).await;
    create(&m, "client=short&windowMs=0", CSV).await;
    create(&m, "client=short&windowMs=0", CSV).await;
}

#[tokio::test]
async fn bad_data_unknown_tables_and_jobs() {
    let m = Mock::new();
    for body in
        ["{", r#"{"file_type":"pdf","mode":"all"}"#, r#"{"file_type":"csv","mode":"some"}"#, r#"{"mode":"all"}"#]
    {
        let r = m.post(&format!("{JOBS}?client=bad"), body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        assert!(r.json()["error_msg"].as_str().unwrap().starts_with("数据格式错误"));
    }
    let r = m.post("/userve/v1.5/table/2/export/", CSV).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["error_msg"], "数据表不存在");
    assert_eq!(m.get("/userve/v1.5/table/2/export/x/").await.status, StatusCode::NOT_FOUND);
    let r = m.get(&format!("{JOBS}nope/")).await;
    assert_eq!((r.status, r.json()["error_msg"].clone()), (StatusCode::NOT_FOUND, json!("Not found.")));
}

#[tokio::test]
async fn huge_start_error_and_slow_start() {
    let m = Mock::new();
    let r = m.post(&format!("{JOBS}?scenario=huge"), CSV).await;
    assert_eq!(
        (r.status, r.json()["error_msg"].clone()),
        (StatusCode::BAD_REQUEST, json!("数据量超过 100 万条，请分批导出"))
    );
    let r = m.post(&format!("{JOBS}?scenario=start-error"), CSV).await;
    assert_eq!((r.status, r.json()["error_msg"].clone()), (StatusCode::FORBIDDEN, json!("没有导出权限")));
    let t = std::time::Instant::now();
    create(&m, "client=s&scenario=slow-start&startDelayMs=200", CSV).await;
    assert!(t.elapsed() >= Duration::from_millis(200));
}

#[tokio::test]
async fn cancelled_jobs_disappear_and_never_finishes_stays_ready() {
    let m = Mock::new();
    let id = create(&m, "client=c&scenario=cancelled&durationMs=200", CSV).await;
    job(&m, &id).await;
    sleep_ms(150).await;
    assert_eq!(m.get(&format!("{JOBS}{id}/")).await.status, StatusCode::NOT_FOUND);
    let id = create(&m, "client=n&scenario=never-finishes&durationMs=50", CSV).await;
    sleep_ms(200).await;
    assert_eq!(job(&m, &id).await["status"], "ready");
}

#[tokio::test]
async fn empty_javascript_and_hostile_names() {
    let m = Mock::new();
    let id = create(&m, "client=e&scenario=empty&durationMs=0", CSV).await;
    let j = finished(&m, &id).await;
    assert_eq!(csv_rows(&m.download(j["download_url"].as_str().unwrap()).await.body).len(), 1);
    let id = create(&m, "client=js&scenario=javascript-url&durationMs=0", CSV).await;
    assert_eq!(finished(&m, &id).await["download_url"], "javascript:alert(document.domain)");
    let id = create(&m, "client=h&scenario=hostile-filename&durationMs=0", CSV).await;
    let j = finished(&m, &id).await;
    assert_eq!(j["file_name"], "../../<img src=x onerror=alert(1)>\u{0}报表.csv");
    let cd = m.download(j["download_url"].as_str().unwrap()).await.header("content-disposition").unwrap().to_owned();
    assert!(!cd.contains("../"), "{cd}");
}

#[tokio::test]
async fn transport_faults_hit_the_job_requests() {
    let m = Mock::new();
    let id = create(&m, "client=t1&scenario=http500-once&durationMs=0", CSV).await;
    assert_eq!(m.get(&format!("{JOBS}{id}/")).await.status, StatusCode::INTERNAL_SERVER_ERROR);
    job(&m, &id).await;
    let id = create(&m, "client=t2&scenario=rate-limited&durationMs=0", CSV).await;
    let r = m.get(&format!("{JOBS}{id}/")).await;
    assert_eq!((r.status, r.header("retry-after")), (StatusCode::TOO_MANY_REQUESTS, Some("1")));
    let id = create(&m, "client=t3&scenario=malformed-once&durationMs=0", CSV).await;
    assert!(serde_json::from_slice::<Value>(&m.get(&format!("{JOBS}{id}/")).await.body).is_err());
    job(&m, &id).await;
    let id = create(&m, "client=t4&scenario=http502-always&durationMs=0", CSV).await;
    assert_eq!(m.get(&format!("{JOBS}{id}/")).await.status, StatusCode::BAD_GATEWAY);
    assert_eq!(m.get(&format!("{JOBS}{id}/")).await.status, StatusCode::BAD_GATEWAY);
}

#[tokio::test]
async fn the_list_pages_the_clients_jobs() {
    let m = Mock::new();
    let a = create(&m, "client=l&windowMs=0", CSV).await;
    let b = create(&m, "client=l&windowMs=0", CSV).await;
    create(&m, "client=other", CSV).await;
    let v = m.get(&format!("{JOBS}?client=l&limit=1")).await.json();
    assert_eq!(v["meta"]["total_count"], 2);
    assert_eq!(v["meta"]["limit"], 1);
    assert_eq!(v["objects"][0]["job_id"], b);
    assert!(v["meta"]["next"].as_str().unwrap().contains("offset=1"));
    assert_eq!(v["meta"]["previous"], Value::Null);
    let v = m.get(&format!("{JOBS}?client=l&limit=1&offset=1")).await.json();
    assert_eq!(v["objects"][0]["job_id"], a);
}

#[tokio::test]
async fn unsupported_scenarios_and_recording() {
    let m = Mock::new();
    let r = m.post(&format!("{JOBS}?scenario=expired"), CSV).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["valid"].as_array().unwrap().contains(&json!("cancelled")));
    let id = create(&m, "client=rec", CSV).await;
    m.get(&format!("{JOBS}{id}/?client=rec")).await;
    let recorded = m.requests("rec").await;
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0]["method"], "POST");
    assert_eq!(recorded[0]["status"], 201);
}

#[tokio::test]
async fn the_widgets_machine_exports_end_to_end() {
    let m = Mock::new();
    let options = format!(
        r#"{{"protocol":"minapp","baseUrl":"http://{HOST}","tableId":1,"fileType":"xlsx",
            "query":{{"client":"me2e","durationMs":300,"rows":7}},"pollIntervalMs":100}}"#
    );
    let (machine, handed) = m.drive(&options, Duration::from_secs(10)).await;
    assert_eq!(machine.view().status, k12_export_core::Status::Done, "{:?}", machine.view());
    let (url, name) = handed.download.unwrap();
    assert!(name.starts_with("商品表_") && name.ends_with(".xlsx"), "{name}");
    assert_eq!(xlsx_rows(&m.download(&url).await.body).len(), 8);
}

#[tokio::test]
async fn the_widgets_machine_is_rejected_clearly_within_the_minute() {
    let m = Mock::new();
    let options =
        format!(r#"{{"protocol":"minapp","baseUrl":"http://{HOST}","tableId":1,"query":{{"client":"twice"}}}}"#);
    create(&m, "client=twice", CSV).await;
    let (machine, handed) = m.drive(&options, Duration::from_secs(5)).await;
    let f = machine.view().failure.clone().unwrap();
    assert_eq!((f.kind, f.status), (k12_export_core::FailKind::Rejected, Some(400)));
    assert_eq!(f.detail.as_deref(), Some("1 分钟内只能创建一次导出任务"));
    assert_eq!(handed.requests.len(), 1, "never retried");
}

#[tokio::test]
async fn the_widgets_machine_fails_clearly_when_the_job_is_gone() {
    let m = Mock::new();
    let options = format!(
        r#"{{"protocol":"minapp","baseUrl":"http://{HOST}","tableId":1,"query":{{"client":"gone","scenario":"cancelled","durationMs":200}},"pollIntervalMs":100}}"#
    );
    let (machine, _) = m.drive(&options, Duration::from_secs(5)).await;
    let f = machine.view().failure.clone().unwrap();
    assert_eq!((f.kind, f.status), (k12_export_core::FailKind::Http, Some(404)));
}
