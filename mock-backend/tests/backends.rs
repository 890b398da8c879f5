//! What the four other backends share in the mock: the scenario catalogue per backend, JSON 404s
//! under their prefixes, CORS for their headers, and reset.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use serde_json::Value;

#[tokio::test]
async fn each_backend_lists_its_own_scenarios() {
    let m = Mock::new();
    for (backend, has, lacks) in [
        ("export-service", "cancelled", "expired"),
        ("xlink", "expired", "partial"),
        ("minapp", "huge", "fail"),
        ("asset", "almost-json", "javascript-url"),
    ] {
        let v = m.get(&format!("/__mock/scenarios?backend={backend}")).await.json();
        let names: Vec<&str> = v["scenarios"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert!(names.contains(&"normal") && names.contains(&has), "{backend}: {names:?}");
        assert!(!names.contains(&lacks), "{backend}: {names:?}");
        assert!(v["scenarios"].as_array().unwrap().iter().all(|s| !s["description"].as_str().unwrap().is_empty()));
    }
    let k12 = m.get("/__mock/scenarios").await.json();
    assert!(k12["scenarios"].as_array().unwrap().iter().any(|s| s["name"] == "url-never"));
    assert_eq!(m.get("/__mock/scenarios?backend=k12").await.json(), k12);
    assert_eq!(m.get("/__mock/scenarios?backend=ftp").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn unknown_routes_under_the_new_prefixes_are_json_404s() {
    let m = Mock::new();
    for path in ["/v1/nope", "/v2/nope", "/userve/nope", "/api/nope", "/demo/nope"] {
        let r = m.get(path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r.json()["code"], 404, "{path}");
    }
}

#[tokio::test]
async fn preflight_allows_the_access_token_header_from_loopback_only() {
    let m = Mock::new();
    let preflight = |origin: &str| {
        Request::builder()
            .method("OPTIONS")
            .uri("/v2/export_task")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "access-token,content-type")
            .body(Body::empty())
            .unwrap()
    };
    let ok = m.send(preflight("http://127.0.0.1:5173")).await;
    assert_eq!(ok.header("access-control-allow-origin"), Some("http://127.0.0.1:5173"));
    assert!(ok.header("access-control-allow-headers").unwrap().contains("access-token"));
    let foreign = m.send(preflight("http://evil.example")).await;
    assert_eq!(foreign.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn a_global_reset_clears_every_backend() {
    let m = Mock::new();
    let id = m
        .post_with(
            "/v2/export_task?client=g",
            r#"{"name":"n","type":1,"params":{}}"#,
            &[("access-token", "demo-token")],
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let job = m.post("/userve/v1.5/table/1/export/?client=g", r#"{"file_type":"csv","mode":"all"}"#).await.json();
    m.post("/__mock/reset", "").await;
    let r = m.get_with(&format!("/v2/export_task/{id}"), &[("access-token", "demo-token")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = m.get(&format!("/userve/v1.5/table/1/export/{}/", job["job_id"].as_str().unwrap())).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r: Value = m.get("/__mock/requests?client=g").await.json();
    assert!(
        r["requests"].as_array().unwrap().iter().all(|q| q["path"] != "/v2/export_task"),
        "recordings are cleared too"
    );
}
