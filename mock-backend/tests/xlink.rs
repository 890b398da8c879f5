//! The XLink mock, through `oneshot`: the token check, task progress, the signed link (its
//! signature and its expiry), the CSV read back, the list, every scenario, and the widget's machine
//! end to end.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

const TOKEN: (&str, &str) = ("access-token", "demo-token");

fn body() -> String {
    json!({"name": "设备列表导出", "describe": "全部设备", "type": 1,
           "params": {"filter": ["mac"], "query": {}, "order": {"create_date": "desc"}},
           "extend": {"product_id": "p-1"}})
    .to_string()
}

async fn create(m: &Mock, query: &str) -> String {
    let r = m.post_with(&format!("/v2/export_task?{query}"), &body(), &[TOKEN]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_owned()
}

async fn task(m: &Mock, id: &str) -> Value {
    let r = m.get_with(&format!("/v2/export_task/{id}"), &[TOKEN]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

async fn wait_status(m: &Mock, id: &str, status: i64) -> Value {
    eventually(|| async {
        let t = task(m, id).await;
        (t["status"] == status).then_some(t)
    })
    .await
}

async fn link(m: &Mock, id: &str, query: &str) -> Reply {
    m.get_with(&format!("/v2/export_task/{id}/auth_link?{query}"), &[TOKEN]).await
}

/// Fails unless `r` is an XLink error answer with `status` and the message `msg`.
fn assert_refused(r: &Reply, status: StatusCode, msg: &str) {
    assert_eq!(r.status, status, "{}", r.text());
    assert_eq!(r.json()["error"]["msg"], msg);
}

#[tokio::test]
async fn every_task_request_needs_the_demo_token() {
    let m = Mock::new();
    let id = create(&m, "").await;
    for (method, uri, body) in [
        ("POST", "/v2/export_task".to_owned(), body()),
        ("GET", format!("/v2/export_task/{id}"), String::new()),
        ("GET", format!("/v2/export_task/{id}/auth_link"), String::new()),
        ("POST", "/v2/export_tasks".to_owned(), "{}".to_owned()),
    ] {
        for headers in [vec![], vec![("access-token", "wrong")]] {
            let r = if method == "POST" {
                m.post_with(&uri, &body, &headers).await
            } else {
                m.get_with(&uri, &headers).await
            };
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {uri} {headers:?}");
            assert_eq!(r.json()["error"]["code"], 4031003);
            assert!(r.json()["error"]["msg"].as_str().unwrap().contains("Access-Token"));
        }
    }
}

#[tokio::test]
async fn a_task_goes_from_to_be_exported_through_exporting_to_exported() {
    let m = Mock::new();
    let id = create(&m, "durationMs=1000&rows=40").await;
    let t = task(&m, &id).await;
    assert_eq!((t["status"].clone(), t["total"].clone(), t["finished"].clone()), (json!(1), json!(40), json!(0)));
    assert_eq!(t["name"], "设备列表导出");
    assert_eq!(t["type"], 1);
    let mid = wait_status(&m, &id, 2).await;
    assert!(mid["finished"].as_u64().unwrap() < 40);
    let done = wait_status(&m, &id, 3).await;
    assert_eq!(done["finished"], 40);
    assert!(done["size"].as_u64().unwrap() > 0);
    assert!(done["end_time"].as_str().unwrap().ends_with("+08:00"));
}

#[tokio::test]
async fn the_signed_link_downloads_the_csv() {
    let m = Mock::new();
    let id = create(&m, "durationMs=0&rows=5").await;
    wait_status(&m, &id, 3).await;
    let r = link(&m, &id, "").await;
    assert_eq!(r.status, StatusCode::OK);
    let url = r.json()["link_url"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with(&format!("http://{HOST}/v2/download/")) && url.contains("expires=") && url.contains("&sig="),
        "{url}"
    );
    let file = m.download(&url).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(file.header("content-disposition").unwrap().contains(".csv"));
    let rows = csv_rows(&file.body);
    assert_eq!(rows[0], ["设备ID", "MAC", "设备名称", "产品ID", "在线状态", "激活时间"]);
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[1][2], "智能插座-1");
    assert_eq!(rows[1][3], "p-1", "extend.product_id is used");
}

#[tokio::test]
async fn the_unsigned_link_of_the_task_is_refused() {
    let m = Mock::new();
    let id = create(&m, "durationMs=0").await;
    let t = wait_status(&m, &id, 3).await;
    let r = m.download(t["link_url"].as_str().unwrap()).await;
    assert_refused(&r, StatusCode::FORBIDDEN, "下载链接未授权");
}

#[tokio::test]
async fn an_expired_or_tampered_link_is_403() {
    let m = Mock::new();
    let id = create(&m, "durationMs=0").await;
    wait_status(&m, &id, 3).await;
    let url = link(&m, &id, "linkTtlMs=50").await.json()["link_url"].as_str().unwrap().to_owned();
    assert_eq!(m.download(&url).await.status, StatusCode::OK, "valid at first");
    sleep_ms(120).await;
    let r = m.download(&url).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["error"], json!({"code": 4031010, "msg": "下载链接已过期"}));
    // Pushing the expiry forward breaks the signature.
    let expires: u64 = url.split("expires=").nth(1).unwrap().split('&').next().unwrap().parse().unwrap();
    let forged = url.replace(&format!("expires={expires}"), &format!("expires={}", expires + 3_600_000));
    let r = m.download(&forged).await;
    assert_refused(&r, StatusCode::FORBIDDEN, "下载链接签名无效");
    // A fresh link works again.
    let fresh = link(&m, &id, "").await.json()["link_url"].as_str().unwrap().to_owned();
    assert_ne!(fresh, url);
    assert_eq!(m.download(&fresh).await.status, StatusCode::OK);
}

#[tokio::test]
async fn no_link_before_the_task_is_exported() {
    let m = Mock::new();
    let id = create(&m, "durationMs=5000").await;
    let r = link(&m, &id, "").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"]["code"], 4001100);
}

#[tokio::test]
async fn bad_bodies_and_unknown_tasks() {
    let m = Mock::new();
    for body in [
        "{",
        r#"{"name":"","type":1,"params":{}}"#,
        r#"{"name":"n","type":11,"params":{}}"#,
        r#"{"name":"n","type":1}"#,
    ] {
        let r = m.post_with("/v2/export_task", body, &[TOKEN]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(r.json()["error"]["code"], 4001001);
    }
    for id in ["999999", "abc"] {
        let r = m.get_with(&format!("/v2/export_task/{id}"), &[TOKEN]).await;
        assert_refused(&r, StatusCode::NOT_FOUND, "导出任务不存在");
    }
}

#[tokio::test]
async fn fail_cancelled_and_expired_end_invalid_or_expired() {
    let m = Mock::new();
    let id = create(&m, "scenario=fail&durationMs=200&failAt=50").await;
    let t = wait_status(&m, &id, 4).await;
    assert_eq!(t["result_desc"], "导出失败：数据库连接中断");
    let id = create(&m, "scenario=cancelled&durationMs=200").await;
    assert_eq!(wait_status(&m, &id, 4).await["result_desc"], "导出任务已被取消");
    let id = create(&m, "scenario=expired&durationMs=0").await;
    assert_eq!(wait_status(&m, &id, 5).await["result_desc"], "导出文件已过期");
    assert_eq!(link(&m, &id, "").await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn never_finishes_stalls_at_63_percent() {
    let m = Mock::new();
    let id = create(&m, "scenario=never-finishes&durationMs=100&rows=100").await;
    sleep_ms(300).await;
    let t = task(&m, &id).await;
    assert_eq!((t["status"].clone(), t["finished"].clone()), (json!(2), json!(63)));
}

#[tokio::test]
async fn sizes_of_empty_and_huge() {
    let m = Mock::new();
    let id = create(&m, "scenario=empty&durationMs=0").await;
    let t = wait_status(&m, &id, 3).await;
    assert_eq!(t["total"], 0);
    let url = link(&m, &id, "").await.json()["link_url"].as_str().unwrap().to_owned();
    assert_eq!(csv_rows(&m.download(&url).await.body).len(), 1, "the header only");
    let id = create(&m, "scenario=huge&durationMs=5000").await;
    assert_eq!(task(&m, &id).await["total"], 100_000);
}

#[tokio::test]
async fn transport_faults_hit_the_task_requests() {
    let m = Mock::new();
    let id = create(&m, "scenario=http502-once&durationMs=0").await;
    assert_eq!(m.get_with(&format!("/v2/export_task/{id}"), &[TOKEN]).await.status, StatusCode::BAD_GATEWAY);
    task(&m, &id).await;
    let id = create(&m, "scenario=rate-limited&durationMs=0").await;
    let r = m.get_with(&format!("/v2/export_task/{id}"), &[TOKEN]).await;
    assert_eq!((r.status, r.header("retry-after")), (StatusCode::TOO_MANY_REQUESTS, Some("1")));
    let id = create(&m, "scenario=malformed-json&durationMs=0").await;
    for _ in 0..2 {
        let r = m.get_with(&format!("/v2/export_task/{id}"), &[TOKEN]).await;
        assert!(serde_json::from_slice::<Value>(&r.body).is_err());
    }
    let id = create(&m, "scenario=http500-always&durationMs=0").await;
    assert_eq!(m.get_with(&format!("/v2/export_task/{id}"), &[TOKEN]).await.status, StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn start_error_slow_start_javascript_and_hostile_names() {
    let m = Mock::new();
    let r = m.post_with("/v2/export_task?scenario=start-error", &body(), &[TOKEN]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["error"], json!({"code": 4031005, "msg": "无导出权限"}));
    let t = std::time::Instant::now();
    create(&m, "scenario=slow-start&startDelayMs=200").await;
    assert!(t.elapsed() >= Duration::from_millis(200));
    let id = create(&m, "scenario=javascript-url&durationMs=0").await;
    wait_status(&m, &id, 3).await;
    assert_eq!(link(&m, &id, "").await.json()["link_url"], "javascript:alert(document.domain)");
    let id = create(&m, "scenario=hostile-filename&durationMs=0").await;
    wait_status(&m, &id, 3).await;
    let url = link(&m, &id, "").await.json()["link_url"].as_str().unwrap().to_owned();
    let cd = m.download(&url).await.header("content-disposition").unwrap().to_owned();
    assert!(!cd.contains("../") && cd.contains("%E6%8A%A5%E8%A1%A8.csv"), "{cd}");
}

#[tokio::test]
async fn the_list_pages_the_clients_tasks_newest_first() {
    let m = Mock::new();
    let a = create(&m, "client=l1").await;
    let b = create(&m, "client=l1").await;
    create(&m, "client=other").await;
    let r = m.post_with("/v2/export_tasks?client=l1", r#"{"offset":0,"limit":1}"#, &[TOKEN]).await.json();
    assert_eq!(r["count"], 2);
    assert_eq!(r["list"].as_array().unwrap().len(), 1);
    assert_eq!(r["list"][0]["id"], b);
    let r = m.post_with("/v2/export_tasks?client=l1", r#"{"offset":1}"#, &[TOKEN]).await.json();
    assert_eq!(r["list"][0]["id"], a);
}

#[tokio::test]
async fn requests_are_recorded_per_client() {
    let m = Mock::new();
    let id = create(&m, "client=xr").await;
    m.get_with(&format!("/v2/export_task/{id}?client=xr"), &[TOKEN]).await;
    let paths: Vec<String> = m.requests("xr").await.iter().map(|r| r["path"].as_str().unwrap().to_owned()).collect();
    assert_eq!(paths, ["/v2/export_task".to_owned(), format!("/v2/export_task/{id}")]);
}

#[tokio::test]
async fn the_widgets_machine_exports_end_to_end_with_a_fresh_link() {
    let m = Mock::new();
    let options = format!(
        r#"{{"protocol":"xlink","baseUrl":"http://{HOST}","accessToken":"demo-token","name":"设备列表导出","type":1,
            "params":{{}},"query":{{"client":"xe2e","durationMs":300,"rows":20}},"pollIntervalMs":100}}"#
    );
    let (machine, handed) = m.drive(&options, Duration::from_secs(10)).await;
    assert_eq!(machine.view().status, k12_export_core::Status::Done, "{:?}", machine.view());
    let (url, name) = handed.download.unwrap();
    assert_eq!(name, "设备列表导出");
    assert!(url.contains("sig="));
    assert!(
        handed.requests.last().unwrap().ends_with("/auth_link?client=xe2e&durationMs=300&rows=20"),
        "{:?}",
        handed.requests
    );
    assert_eq!(csv_rows(&m.download(&url).await.body).len(), 21);
}

#[tokio::test]
async fn the_widgets_machine_ends_cancelled_on_an_expired_task() {
    let m = Mock::new();
    let options = format!(
        r#"{{"protocol":"xlink","baseUrl":"http://{HOST}","accessToken":"demo-token","name":"n","type":2,
            "query":{{"scenario":"expired","durationMs":100}},"pollIntervalMs":100}}"#
    );
    let (machine, _) = m.drive(&options, Duration::from_secs(10)).await;
    assert_eq!(machine.view().status, k12_export_core::Status::Cancelled);
    let c = machine.view().cancellation.clone().unwrap();
    assert_eq!(c.detail.as_deref(), Some("导出任务已过期：导出文件已过期"));
}

#[tokio::test]
async fn the_widgets_machine_with_a_bad_token_fails_at_once() {
    let m = Mock::new();
    let options =
        format!(r#"{{"protocol":"xlink","baseUrl":"http://{HOST}","accessToken":"wrong","name":"n","type":1}}"#);
    let (machine, handed) = m.drive(&options, Duration::from_secs(5)).await;
    let f = machine.view().failure.clone().unwrap();
    assert_eq!((f.kind, f.status), (k12_export_core::FailKind::Http, Some(401)));
    assert_eq!(handed.requests.len(), 1);
}
