//! AsyncExportButton against the running mock backend, over real HTTP (cross-origin, with CORS).
//! The test script, which starts the server, gives its URL: `MOCK_URL` at build time, or the page's
//! `K12X_MOCK_URL` (scripts/ship-test.mjs, so that its test binaries do not change with the port).
#![cfg(target_arch = "wasm32")]
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use k12_export::core::json::Json;
use k12_export::{AsyncExportButtonProps, Options};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn mock_url() -> String {
    let page = js_sys::Reflect::get(&js_sys::global(), &"K12X_MOCK_URL".into()).ok().and_then(|v| v.as_string());
    match page.as_deref().or(option_env!("MOCK_URL")) {
        Some(url) => url.to_owned(),
        None => panic!("MOCK_URL is not set: run the browser tests through `make test` (it starts the mock backend)"),
    }
}

/// A unique client id, so each test sees only its own jobs and requests.
fn client() -> String {
    format!("wasm-{}", (js_sys::Math::random() * 1e12) as u64)
}

fn live_props(client: &str, kind: &str, term: u32, query: &str, extra: &str) -> AsyncExportButtonProps {
    let base = mock_url();
    let config = format!(
        r#"{{"e":{{"method":"GET","url":"{base}/j/org/{{termId}}/{kind}/export","rest":true,"isPolling":true}},
             "e-progress":{{"method":"GET","url":"{base}/j/org/{{termId}}/{kind}/export/process","rest":true,"isPolling":true}}}}"#
    );
    let options = Options::parse(&format!(r#"{{"config":{config}{extra}}}"#)).unwrap();
    let data = Json::parse(&format!(r#"{{"termId":{term},"termName":"t{term}","client":"{client}"{query}}}"#)).unwrap();
    let script = Script::new(|_, _| None); // unused: the real fetch transport is used
    let mut p = props(&script);
    p.options = options;
    p.data = data;
    p.filename = "K12作业统计-{termName}".into();
    p.transport = None;
    p
}

async fn get_json(url: &str) -> Json {
    let r = gloo_net::http::Request::get(url).send().await.unwrap();
    Json::parse(&r.text().await.unwrap()).unwrap()
}

/// Every request the server recorded for `client`.
async fn requests(client: &str) -> Vec<Json> {
    match get_json(&format!("{}/__mock/requests?client={client}", mock_url())).await.get("requests") {
        Some(Json::Arr(a)) => a.clone(),
        _ => panic!("no request log"),
    }
}

fn path(r: &Json) -> String {
    r.get("path").and_then(Json::as_str).unwrap_or_default().to_owned()
}

#[wasm_bindgen_test]
async fn convention_a_exports_for_real_and_downloads_the_file() {
    let spy = DownloadSpy::new();
    let c = client();
    let m = Mounted::new(live_props(&c, "homework", 1001, r#","durationMs":"1500""#, "")).await;
    m.click().await;
    assert_eq!(m.status(), "exporting");
    until(15000, "download", || !spy.seen.borrow().is_empty()).await;
    let (href, name) = spy.seen.borrow()[0].clone();
    assert!(href.starts_with(&format!("{}/files/", mock_url())), "{href}");
    assert_eq!(name, "K12作业统计-2024春季班.xlsx", "the server's filename");
    // The file is really there, with the right type and a Chinese name in Content-Disposition.
    let r = gloo_net::http::Request::get(&href).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers().get("content-type").as_deref(),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    let cd = r.headers().get("content-disposition").unwrap();
    assert!(cd.contains("filename*=UTF-8''K12%E4%BD%9C%E4%B8%9A"), "{cd}");
    let log = requests(&c).await;
    assert!(log.iter().any(|r| path(r).ends_with("/export/process")), "it polled");
    assert!(path(&log[0]).ends_with("/homework/export"), "it started with the start endpoint");
}

#[wasm_bindgen_test]
async fn convention_b_exports_for_real_and_never_shows_100_early() {
    let spy = DownloadSpy::new();
    let c = client();
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let mut p = live_props(&c, "test", 1001, r#","scheme":"B","durationMs":"1500","urlDelayMs":"1200""#, "");
    let s = seen.clone();
    p.onprogress = yew::Callback::from(move |pct: Option<u8>| s.borrow_mut().push(pct));
    let m = Mounted::new(p).await;
    m.click().await;
    until(20000, "download", || !spy.seen.borrow().is_empty()).await;
    assert_eq!(spy.seen.borrow()[0].1, "K12阶段测试统计-2024春季班.xlsx");
    let pcts = seen.borrow().clone();
    let first_100 = pcts.iter().position(|p| *p == Some(100)).unwrap();
    assert_eq!(first_100, pcts.len() - 1, "100% only once the file is in hand: {pcts:?}");
    assert!(pcts.contains(&Some(99)), "it waited in the generating stage: {pcts:?}");
    let _ = m;
}

#[wasm_bindgen_test]
async fn a_failing_job_shows_the_toast_and_stops_polling() {
    let c = client();
    let m =
        Mounted::new(live_props(&c, "homework", 1003, r#","scenario":"fail","failAt":"40","durationMs":"1500""#, ""))
            .await;
    m.click().await;
    until(15000, "toast", || m.q("[role=alert]").is_some()).await;
    assert_eq!(m.text(".k12x-toast-title"), "导出失败");
    assert_eq!(m.text(".k12x-toast-detail"), "导出任务异常：数据库连接中断");
    let n = requests(&c).await.len();
    sleep(2000).await;
    assert_eq!(requests(&c).await.len(), n, "no request after the failure");
}

#[wasm_bindgen_test]
async fn flaky_network_still_completes() {
    let spy = DownloadSpy::new();
    let c = client();
    let m = Mounted::new(live_props(&c, "homework", 1001, r#","scenario":"flaky","durationMs":"2000""#, "")).await;
    m.click().await;
    until(30000, "download or failure", || !spy.seen.borrow().is_empty() || m.status() == "failed").await;
    assert_eq!(m.status(), "done");
}

#[wasm_bindgen_test]
async fn leaving_the_page_mid_export_stops_all_traffic_to_the_server() {
    let c = client();
    let m = Mounted::new(live_props(&c, "homework", 1003, r#","durationMs":"20000""#, "")).await;
    m.click().await;
    until(5000, "polling", || !m.text(".k12x-pop-pct").is_empty() || m.status() == "exporting").await;
    // Started and polled at least once (a poll comes 400 ms after the start's answer; a browser
    // may run the page's timers later than asked).
    let start = js_sys::Date::now();
    while requests(&c).await.len() < 2 && js_sys::Date::now() - start < 10_000.0 {
        sleep(100).await;
    }
    let init = web_sys::PageTransitionEventInit::new();
    let e = web_sys::PageTransitionEvent::new_with_event_init_dict("pagehide", &init).unwrap();
    web_sys::window().unwrap().dispatch_event(&e).unwrap();
    let at_leave = requests(&c).await.len();
    assert!(at_leave >= 2, "it had started and polled");
    sleep(3500).await;
    assert_eq!(requests(&c).await.len(), at_leave, "no request after pagehide");
    assert_eq!(m.status(), "idle");
}

#[wasm_bindgen_test]
async fn unmounting_mid_export_stops_all_traffic_to_the_server() {
    let c = client();
    let mut m = Mounted::new(live_props(&c, "test", 1003, r#","durationMs":"20000""#, "")).await;
    m.click().await;
    sleep(1500).await;
    m.unmount().await;
    let at_unmount = requests(&c).await.len();
    assert!(at_unmount >= 2);
    sleep(3500).await;
    assert_eq!(requests(&c).await.len(), at_unmount, "no request after unmount");
}

#[wasm_bindgen_test]
async fn a_job_that_never_finishes_fails_at_the_deadline() {
    let c = client();
    let m = Mounted::new(live_props(
        &c,
        "homework",
        1001,
        r#","scenario":"never-finishes","durationMs":"1000""#,
        r#","timeoutMs":4000"#,
    ))
    .await;
    m.click().await;
    until(10000, "toast", || m.q("[role=alert]").is_some()).await;
    assert_eq!(m.text(".k12x-toast-detail"), "导出超时，请稍后重试");
}

#[wasm_bindgen_test]
async fn progress_that_never_has_numbers_still_downloads() {
    let spy = DownloadSpy::new();
    let c = client();
    let m =
        Mounted::new(live_props(&c, "homework", 1001, r#","scenario":"result-null","durationMs":"1500""#, "")).await;
    m.click().await;
    until(20000, "download", || !spy.seen.borrow().is_empty()).await;
    assert_eq!(m.status(), "done");
    let starts = requests(&c).await.iter().filter(|r| path(r).ends_with("/homework/export")).count();
    assert!(starts >= 2, "the start endpoint was asked again: {starts}");
}

#[wasm_bindgen_test]
async fn fetch_stops_reading_an_answer_at_its_limit_and_the_rest_is_never_sent() {
    use k12_export::core::http::ANSWER_LIMIT;
    use k12_export::core::{HttpOutcome, HttpRequest};
    use k12_export::{FetchTransport, Transport};
    let c = client();
    let path = |end: &str| format!("{}/j/org/1001/homework/export{end}?client={c}&scenario=huge-answer", mock_url());
    get_json(&path("")).await; // the job
    let started = js_sys::Date::now();
    let outcome = FetchTransport.send(HttpRequest::get(path("/process")), None).await;
    let took = js_sys::Date::now() - started;
    match outcome {
        HttpOutcome::TooLarge => {}
        HttpOutcome::Answer { body, .. } => panic!("the answer was read whole: {} bytes", body.len()),
        other => panic!("{other:?}"),
    }
    assert!(took < 3000.0, "{took} ms for a 50 MB answer: it was not read");
    // What the server sent before the client hung up: the limit, and what was in flight.
    sleep(500).await;
    let jobs = get_json(&format!("{}/__mock/jobs?client={c}", mock_url())).await;
    let sent = match jobs.get("jobs") {
        Some(Json::Arr(list)) => list[0].get("answerBytes").and_then(Json::as_number).expect("answerBytes"),
        _ => panic!("no jobs"),
    };
    let limit = f64::from(ANSWER_LIMIT);
    assert!(sent > limit && sent < 4.0 * limit, "{sent} bytes of 50 MB sent");
    // Within its limit, the same answer is read whole: the cut-off is the limit's, not the
    // server's.
    let whole = FetchTransport.send(HttpRequest::get(path("/process")).limit(64 << 20), None).await;
    match whole {
        HttpOutcome::Answer { status: 200, body, .. } => {
            assert!(body.len() > 49_000_000 && body.starts_with(r#"{"code":0,"#), "{} bytes", body.len());
        }
        other => panic!("{other:?}"),
    }
}
