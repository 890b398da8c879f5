//! The export service mock, through `oneshot`: the paged source, both sources, the crawl (in
//! process and over a real socket), the ZIP of .xlsx parts, every scenario, history, expiry, and
//! the widget's own machine driving it end to end.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{Cursor, Read};
use std::time::Duration;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

const SOURCE: &str = "http://127.0.0.1:4567/demo/page?total=45";

fn http_body(url: &str, limit: u32) -> String {
    json!({"timestamp": 1625106204, "ext_type": "XLSX", "title": "http接口数据源导出", "user_id": "123", "callback": "",
           "source_http": {"url": url, "method": "GET", "header": {}, "param": {"limit": limit}}})
    .to_string()
}

fn raw_body() -> String {
    json!({"timestamp": 1625106207, "ext_type": "XLSX", "title": "请求直接携带数据导出", "user_id": "1231", "callback": "",
           "source_raw": "[{\"name\":\"姓名\",\"age\":\"年龄\"},{\"name\":\"李雷\",\"age\":17},{\"name\":\"韩梅梅\",\"age\":16}]"})
    .to_string()
}

async fn create(m: &Mock, query: &str, body: &str, kind: &str) -> String {
    let r = m.post(&format!("/v1/export/{kind}?{query}"), body).await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["errcode"], 0, "{v}");
    assert!(v["request_id"].as_str().unwrap().len() == 36);
    v["data"]["hash_key"].as_str().unwrap().to_owned()
}

/// Creates a raw-source export of `raw_body()` with `query`; its key.
async fn create_raw(m: &Mock, query: &str) -> String {
    create(m, query, &raw_body(), "raw").await
}

/// The detail of a raw-source export with `query` once it says `status`.
async fn raw_export(m: &Mock, query: &str, status: i64) -> Value {
    let key = create_raw(m, query).await;
    wait_status(m, &key, status).await
}

async fn detail(m: &Mock, key: &str) -> Value {
    let r = m.get(&format!("/v1/export/detail?key={key}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

/// The status of job `key` after `ms`.
async fn status_after(m: &Mock, key: &str, ms: u64) -> Value {
    sleep_ms(ms).await;
    detail(m, key).await["data"]["status"].clone()
}

async fn wait_status(m: &Mock, key: &str, status: i64) -> Value {
    eventually(|| async {
        let d = detail(m, key).await;
        (d["data"]["status"] == status).then_some(d)
    })
    .await
}

/// The parts of the zip a finished detail `d` links to.
async fn parts(m: &Mock, d: &Value) -> Vec<(String, Vec<u8>)> {
    unzip(&m.download(d["data"]["down_url"].as_str().unwrap()).await.body)
}

fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut out = Vec::new();
            f.read_to_end(&mut out).unwrap();
            (f.name().to_owned(), out)
        })
        .collect()
}

#[tokio::test]
async fn the_demo_page_is_paged_with_the_header_first() {
    let m = Mock::new();
    let v = m.get("/demo/page?page=2&limit=2").await.json();
    assert_eq!(v["errcode"], 0);
    let rows = v["data"]["data"].as_array().unwrap();
    assert_eq!(rows[0], json!({"Age": "年龄", "ID": "编号", "Name": "姓名"}));
    assert_eq!(rows.len(), 3);
    assert_eq!((rows[1]["ID"].clone(), rows[2]["ID"].clone()), (json!(2), json!(3)));
    assert_eq!(v["data"]["pagetag"], json!({"page": 2, "limit": 2, "total": 500, "total_page": 250}));
    let past = m.get("/demo/page?page=99&limit=10&total=20").await.json();
    assert_eq!(past["data"]["data"].as_array().unwrap().len(), 1, "only the header past the end");
    assert_eq!(m.get("/demo/page?limit=0").await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_http_export_crawls_every_page_and_zips_xlsx_parts() {
    let m = Mock::new();
    let key = create(&m, "client=es1&durationMs=0&splitRows=20", &http_body(SOURCE, 10), "http").await;
    assert_eq!(detail(&m, &key).await["data"]["status"], 1, "processing at first");
    let d = wait_status(&m, &key, 2).await;
    assert_eq!(d["data"]["source_type"], "http");
    assert_eq!(d["data"]["title"], "http接口数据源导出");
    assert!(d["data"]["created_at"].as_str().unwrap().ends_with("+08:00"));
    let url = d["data"]["down_url"].as_str().unwrap();
    assert_eq!(url, format!("http://{HOST}/v1/down/{key}.zip"));
    let file = m.download(url).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.header("content-type"), Some("application/zip"));
    assert!(file.header("content-disposition").unwrap().contains("filename*=UTF-8''http"));
    let parts = unzip(&file.body);
    assert_eq!(
        parts.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["http接口数据源导出-1.xlsx", "http接口数据源导出-2.xlsx", "http接口数据源导出-3.xlsx"]
    );
    let sheets: Vec<Vec<Vec<String>>> = parts.iter().map(|(_, b)| xlsx_rows(b)).collect();
    assert_eq!(sheets.iter().map(Vec::len).collect::<Vec<_>>(), [21, 21, 6], "a header and 20, 20, 5 rows");
    assert_eq!(sheets[0][0], ["年龄", "编号", "姓名"]);
    assert_eq!(sheets[0][1][1], "0");
    assert_eq!(sheets[2][5][1], "44");
    // Every page was really requested, under the job's client.
    let pages: Vec<String> = m
        .requests("es1")
        .await
        .iter()
        .filter(|r| r["path"] == "/demo/page")
        .map(|r| r["query"].as_str().unwrap().to_owned())
        .collect();
    let mut pages = pages;
    pages.sort();
    assert_eq!(pages, (1..=5).map(|p| format!("total=45&page={p}&limit=10")).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_source_on_another_server_is_crawled_over_the_network() {
    let source = Mock::new();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move { axum::serve(listener, source.app.clone()).await });
    let m = Mock::new();
    let key =
        create(&m, "durationMs=0", &http_body(&format!("http://127.0.0.1:{port}/demo/page?total=7"), 3), "http").await;
    let d = wait_status(&m, &key, 2).await;
    let parts = parts(&m, &d).await;
    assert_eq!(xlsx_rows(&parts[0].1).len(), 8);
    server.abort();
}

#[tokio::test]
async fn an_unreachable_source_fails_with_a_reason() {
    let m = Mock::new();
    let key = create(&m, "durationMs=0", &http_body("http://127.0.0.1:9/demo/page", 10), "http").await;
    let d = wait_status(&m, &key, 3).await;
    assert!(d["data"]["fail_reason"].as_str().unwrap().contains("第 1 页"), "{d}");
}

#[tokio::test]
async fn a_raw_export_writes_the_rows_under_the_header() {
    let m = Mock::new();
    let d = raw_export(&m, "durationMs=0", 2).await;
    assert_eq!(d["data"]["source_type"], "raw");
    let parts = parts(&m, &d).await;
    assert_eq!(parts.len(), 1);
    assert_eq!(xlsx_rows(&parts[0].1), [["姓名", "年龄"], ["李雷", "17"], ["韩梅梅", "16"]]);
}

#[tokio::test]
async fn csv_parts_have_a_bom() {
    let m = Mock::new();
    let body = raw_body().replace("\"XLSX\"", "\"CSV\"");
    let key = create(&m, "durationMs=0", &body, "raw").await;
    let d = wait_status(&m, &key, 2).await;
    let parts = parts(&m, &d).await;
    assert!(parts[0].0.ends_with(".csv"));
    assert_eq!(csv_rows(&parts[0].1), [["姓名", "年龄"], ["李雷", "17"], ["韩梅梅", "16"]]);
}

#[tokio::test]
async fn bad_bodies_answer_errcodes_with_http_200() {
    let m = Mock::new();
    for (uri, body, code) in [
        ("/v1/export/http", "{", 10002),
        ("/v1/export/http", r#"{"ext_type":"XLSX","title":"","user_id":"1"}"#, 10002),
        ("/v1/export/http", &raw_body(), 10002),
        ("/v1/export/raw", &raw_body().replace("XLSX", "PDF"), 10002),
        ("/v1/export/raw", &raw_body().replace("[{", "{{"), 10003),
    ] {
        let r = m.post(uri, body).await;
        assert_eq!(r.status, StatusCode::OK, "{uri} {body}");
        assert_eq!(r.json()["errcode"], code, "{uri} {body}: {}", r.text());
        assert!(!r.json()["msg"].as_str().unwrap().is_empty());
    }
    let r = m.get("/v1/export/detail?key=nope").await.json();
    assert_eq!((r["errcode"].clone(), r["msg"].clone()), (json!(10004), json!("导出任务不存在")));
    assert_eq!(m.get("/v1/export/detail").await.json()["errcode"], 10002);
}

#[tokio::test]
async fn start_error_answers_errcode_10001_and_makes_no_job() {
    let m = Mock::new();
    let r = m.post("/v1/export/raw?scenario=start-error&client=se", &raw_body()).await.json();
    assert_eq!((r["errcode"].clone(), r["msg"].clone()), (json!(10001), json!("导出失败：没有导出权限")));
    assert_eq!(r["data"], Value::Null);
}

#[tokio::test]
async fn fail_and_cancelled_end_with_status_3_and_4() {
    let m = Mock::new();
    let d = raw_export(&m, "scenario=fail&durationMs=200&failAt=50", 3).await;
    assert_eq!(d["data"]["fail_reason"], "数据源第 6 页请求失败：连接被重置");
    assert_eq!(d["data"]["down_url"], Value::Null);
    let d = raw_export(&m, "scenario=cancelled&durationMs=200", 4).await;
    assert_eq!(d["data"]["fail_reason"], "导出任务已被取消");
}

#[tokio::test]
async fn never_finishes_stays_processing() {
    let m = Mock::new();
    let key = create_raw(&m, "scenario=never-finishes&durationMs=50").await;
    assert_eq!(status_after(&m, &key, 300).await, 1);
}

#[tokio::test]
async fn transport_faults_hit_the_detail_requests() {
    let m = Mock::new();
    let key = create_raw(&m, "scenario=http500-once&durationMs=0").await;
    let first = m.get(&format!("/v1/export/detail?key={key}")).await;
    assert_eq!(first.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(first.text().contains("<html>"));
    assert_eq!(m.get(&format!("/v1/export/detail?key={key}")).await.status, StatusCode::OK);

    let key = create_raw(&m, "scenario=http502-always&durationMs=0").await;
    for _ in 0..3 {
        assert_eq!(m.get(&format!("/v1/export/detail?key={key}")).await.status, StatusCode::BAD_GATEWAY);
    }

    let key = create_raw(&m, "scenario=rate-limited&durationMs=0").await;
    for _ in 0..2 {
        let r = m.get(&format!("/v1/export/detail?key={key}")).await;
        assert_eq!((r.status, r.header("retry-after")), (StatusCode::TOO_MANY_REQUESTS, Some("1")));
    }
    assert_eq!(m.get(&format!("/v1/export/detail?key={key}")).await.status, StatusCode::OK);

    let key = create_raw(&m, "scenario=malformed-once&durationMs=0").await;
    let cut = m.get(&format!("/v1/export/detail?key={key}")).await;
    assert!(serde_json::from_slice::<Value>(&cut.body).is_err());
    detail(&m, &key).await;

    let key = create_raw(&m, "scenario=flaky&seed=1&durationMs=0").await;
    let mut failures = 0;
    for _ in 0..20 {
        match m
            .send_raw(
                axum::http::Request::get(format!("/v1/export/detail?key={key}"))
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
        {
            Ok(r) if r.status == StatusCode::OK => {}
            _ => failures += 1,
        }
    }
    assert!((1..20).contains(&failures), "{failures}");
}

#[tokio::test]
async fn javascript_url_and_a_hostile_name() {
    let m = Mock::new();
    let key = create_raw(&m, "scenario=javascript-url&durationMs=0").await;
    assert_eq!(wait_status(&m, &key, 2).await["data"]["down_url"], "javascript:alert(document.domain)");
    let d = raw_export(&m, "scenario=hostile-filename&durationMs=0", 2).await;
    let file = m.download(d["data"]["down_url"].as_str().unwrap()).await;
    let cd = file.header("content-disposition").unwrap();
    assert!(cd.starts_with("attachment;") && !cd.contains("../") && cd.contains("%E6%8A%A5%E8%A1%A8.zip"), "{cd}");
}

#[tokio::test]
async fn backslash_urls_like_the_documents_and_their_slash_form_both_download() {
    let m = Mock::new();
    let key = create_raw(&m, "durationMs=0&backslash=1").await;
    let d = wait_status(&m, &key, 2).await;
    let url = d["data"]["down_url"].as_str().unwrap();
    assert_eq!(url, format!("http://{HOST}/v1/down\\{key}.zip"));
    assert_eq!(m.download(&url.replace('\\', "/")).await.status, StatusCode::OK);
}

#[tokio::test]
async fn slow_start_answers_the_post_late() {
    let m = Mock::new();
    let t = std::time::Instant::now();
    create_raw(&m, "scenario=slow-start&startDelayMs=300&durationMs=0").await;
    assert!(t.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn empty_writes_a_header_only_part() {
    let m = Mock::new();
    let d = raw_export(&m, "scenario=empty&durationMs=0", 2).await;
    let parts = parts(&m, &d).await;
    assert_eq!(xlsx_rows(&parts[0].1), [["姓名", "年龄"]]);
}

#[tokio::test]
async fn the_job_takes_its_duration() {
    let m = Mock::new();
    let key = create_raw(&m, "durationMs=400").await;
    assert_eq!(status_after(&m, &key, 150).await, 1);
    wait_status(&m, &key, 2).await;
}

#[tokio::test]
async fn history_lists_the_users_jobs_newest_first_without_urls() {
    let m = Mock::new();
    let a = create_raw(&m, "durationMs=0").await;
    let b = create(&m, "durationMs=0", &http_body(SOURCE, 10), "http").await;
    create(&m, "durationMs=0", &raw_body().replace("1231", "other"), "raw").await;
    let v = m.get("/v1/export/history?user_id=1231").await.json();
    let keys: Vec<&str> = v["data"].as_array().unwrap().iter().map(|d| d["hash_key"].as_str().unwrap()).collect();
    assert_eq!(keys, [a.as_str()]);
    assert!(v["data"][0].get("down_url").is_none());
    let v = m.get("/v1/export/history?user_id=123").await.json();
    assert_eq!(v["data"][0]["hash_key"], b);
    assert_eq!(m.get("/v1/export/history").await.json()["errcode"], 10002);
}

#[tokio::test]
async fn files_expire_with_410() {
    let m = Mock::with(|c| c.expire_after = Duration::ZERO);
    let d = raw_export(&m, "durationMs=0", 2).await;
    assert_eq!(m.download(d["data"]["down_url"].as_str().unwrap()).await.status, StatusCode::GONE);
    assert_eq!(m.get("/v1/down/unknown.zip").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn unsupported_scenarios_are_refused_with_the_valid_ones() {
    let m = Mock::new();
    let r = m.post("/v1/export/raw?scenario=expired", &raw_body()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let v = r.json();
    assert!(v["valid"].as_array().unwrap().contains(&json!("never-finishes")));
    assert!(!v["valid"].as_array().unwrap().contains(&json!("expired")));
}

#[tokio::test]
async fn requests_are_recorded_per_client_and_reset_clears_the_jobs() {
    let m = Mock::new();
    let key = create_raw(&m, "client=rec&durationMs=0").await;
    m.get(&format!("/v1/export/detail?key={key}&client=rec")).await;
    let recorded = m.requests("rec").await;
    assert_eq!(
        recorded.iter().map(|r| r["path"].as_str().unwrap()).collect::<Vec<_>>(),
        ["/v1/export/raw", "/v1/export/detail"]
    );
    assert!(recorded.iter().all(|r| r["job"].is_u64()));
    m.post("/__mock/reset?client=rec", "").await;
    assert_eq!(detail(&m, &key).await["errcode"], 10004);
}

#[tokio::test]
async fn the_widgets_machine_exports_end_to_end() {
    let m = Mock::new();
    let options = format!(
        r#"{{"protocol":"export-service","baseUrl":"http://{HOST}","title":"演示导出","userId":"u1",
            "sourceHttp":{{"url":"http://{HOST}/demo/page?total=30","limit":10}},
            "query":{{"client":"e2e","durationMs":100,"splitRows":10}},"pollIntervalMs":100}}"#
    );
    let (machine, handed) = m.drive(&options, Duration::from_secs(10)).await;
    assert_eq!(machine.view().status, k12_export_core::Status::Done, "{:?}", machine.view());
    let (url, name) = handed.download.unwrap();
    assert_eq!(name, "演示导出.zip");
    let parts = unzip(&m.download(&url).await.body);
    assert_eq!(parts.len(), 3);
    assert!(parts.iter().all(|(_, b)| xlsx_rows(b).len() == 11));
}

#[tokio::test]
async fn the_widgets_machine_reports_a_failed_job() {
    let m = Mock::new();
    let options = format!(
        r#"{{"protocol":"export-service","baseUrl":"http://{HOST}","title":"t","userId":"u1",
            "sourceRaw":[{{"a":"A"}},{{"a":1}}],"query":{{"scenario":"fail","durationMs":100}},"pollIntervalMs":100}}"#
    );
    let (machine, _) = m.drive(&options, Duration::from_secs(10)).await;
    let f = machine.view().failure.clone().unwrap();
    assert_eq!(f.kind, k12_export_core::FailKind::Server);
    assert!(f.detail.unwrap().contains("连接被重置"));
}

#[tokio::test]
async fn cors_preflight_allows_the_post_from_loopback() {
    let m = Mock::new();
    let r = m
        .send(
            axum::http::Request::builder()
                .method("OPTIONS")
                .uri("/v1/export/http")
                .header("origin", "http://localhost:5173")
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "content-type")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.header("access-control-allow-origin"), Some("http://localhost:5173"));
}
