//! Cancelling an export (the user's cancel, the server's) and progress that stands still, wired
//! into the real button in a real browser (the rules themselves are core tests:
//! core/tests/waiting.rs).
#![cfg(target_arch = "wasm32")]
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::*;
use k12_export::core::{Cancellation, HttpOutcome};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn cancel_button(m: &Mounted) -> web_sys::HtmlElement {
    m.q(".k12x-pop .k12x-pop-cancel").expect("a cancel button in the popover").dyn_into().unwrap()
}

#[wasm_bindgen_test]
async fn the_cancel_button_stops_polling_at_once_and_returns_the_button_to_idle() {
    let script = stuck_at(37);
    let told = Rc::new(RefCell::new(Vec::new()));
    let mut p = props(&script);
    let t = told.clone();
    p.oncancel = yew::Callback::from(move |c: Option<Cancellation>| t.borrow_mut().push(c));
    let m = Mounted::new(p).await;
    m.click().await;
    m.button().focus().unwrap();
    until(10000, "37%", || m.text(".k12x-pop-pct") == "37%").await;
    assert!(m.popover_open());
    let cancel = cancel_button(&m);
    assert_eq!(cancel.tag_name(), "BUTTON");
    assert_eq!(cancel.get_attribute("type").as_deref(), Some("button"));
    assert_eq!(cancel.text_content().unwrap().trim(), "取消导出");
    // Focus moves from the button into the popover: it stays open (keyboard users reach it).
    cancel.focus().unwrap();
    yew::scheduler::flush().await;
    assert!(m.popover_open(), "focus inside the popover keeps it open");
    assert_eq!(common::document().active_element(), Some(cancel.clone().unchecked_into()));
    // A press on it (touch) does not close it before the click.
    pointer_down(&cancel);
    yew::scheduler::flush().await;
    assert!(m.popover_open());
    cancel.click();
    yew::scheduler::flush().await;
    assert_eq!(m.status(), "idle");
    assert_eq!(m.button().get_attribute("aria-disabled"), None, "clickable again");
    assert_eq!(m.button().get_attribute("aria-busy"), None);
    assert!(m.q(".k12x-pop").is_none(), "no popover");
    assert_eq!(*told.borrow(), [None], "oncancel told once, by the user");
    assert_eq!(m.text(".k12x-sr[role=status]"), "已取消导出", "said to screen readers");
    assert_eq!(
        common::document().active_element(),
        Some(m.button().unchecked_into()),
        "focus goes back to the button, not lost with the removed popover"
    );
    let sent = script.count();
    sleep(2000).await;
    assert_eq!(script.count(), sent, "no request after the cancel");
    // A new click starts afresh, and the notice goes.
    m.click().await;
    assert_eq!(m.status(), "exporting");
    assert!(m.q(".k12x-sr").is_none());
}

#[wasm_bindgen_test]
async fn an_answer_with_the_file_arriving_after_the_cancel_downloads_nothing() {
    let spy = DownloadSpy::new();
    // Start, one poll that says the rows are done, then the request for the file's URL, which
    // answers only after 400 ms — with the file.
    let script2 = Script::new(move |r, n| {
        if is_progress(r) {
            ok(&progress(10, 10))
        } else if n == 0 {
            ok(NOT_READY)
        } else {
            Some((HttpOutcome::ok(ready("/files/late.xlsx")), 400))
        }
    });
    let m = Mounted::new(props(&script2)).await;
    m.click().await;
    m.button().focus().unwrap();
    until(3000, "a poll", || script2.requests.borrow().iter().any(is_progress)).await;
    until(3000, "the link request in flight", || script2.count() >= 3).await;
    cancel_button(&m).click();
    yew::scheduler::flush().await;
    sleep(800).await;
    assert!(spy.seen.borrow().is_empty(), "nothing downloaded: {:?}", spy.seen.borrow());
    assert_eq!(m.status(), "idle");
    assert!(script2.aborts.get() >= 1, "the request in flight was aborted");
}

#[wasm_bindgen_test]
#[cfg_attr(not(feature = "backends"), ignore = "the export service is in the `backends` feature")]
async fn a_job_the_server_cancelled_is_shown_as_cancelled_not_failed() {
    let script = Script::new(|r, _| {
        if r.url.contains("/v1/export/detail") {
            ok(r#"{"errcode":0,"msg":"","data":{"hash_key":"k1","status":4,"fail_reason":"管理员取消了任务"}}"#)
        } else {
            ok(r#"{"errcode":0,"msg":"","data":{"hash_key":"k1"}}"#)
        }
    });
    let mut p = props(&script);
    p.options = k12_export::Options::parse(
        r#"{"protocol":"export-service","baseUrl":"http://127.0.0.1:9","title":"成绩","userId":"1","sourceRaw":[{"a":"A"}]}"#,
    )
    .unwrap();
    p.data = k12_export::core::json::Json::Null;
    p.filename = "".into();
    let (told, errors) = (Rc::new(RefCell::new(Vec::new())), Rc::new(RefCell::new(0)));
    let (t, e) = (told.clone(), errors.clone());
    p.oncancel = yew::Callback::from(move |c: Option<Cancellation>| t.borrow_mut().push(c));
    p.onerror = yew::Callback::from(move |_| *e.borrow_mut() += 1);
    let m = Mounted::new(p).await;
    m.click().await;
    until(5000, "cancelled", || m.status() == "cancelled").await;
    assert_eq!(m.text(".k12x-toast-title"), "导出已取消");
    assert_eq!(m.text(".k12x-toast-detail"), "管理员取消了任务");
    assert_eq!(*errors.borrow(), 0, "not reported as an error");
    let told = told.borrow();
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].as_ref().and_then(|c| c.detail.as_deref()), Some("管理员取消了任务"));
    assert_eq!(m.button().get_attribute("aria-disabled"), None, "ready for another export");
}

#[wasm_bindgen_test]
async fn progress_standing_still_says_the_server_is_still_working_and_for_how_long() {
    let script = stuck_at(63);
    let m = Mounted::new(props(&script)).await;
    m.click().await;
    m.hover().await;
    until(10000, "63%", || m.text(".k12x-pop-pct") == "63%").await;
    assert!(!m.text(".k12x-pop-status").contains("服务器仍在处理"));
    // The threshold is 15 s of no movement; polls come every 2.5 s at most.
    until(22_000, "the stalled text", || m.text(".k12x-pop-status").starts_with("服务器仍在处理，已等待 ")).await;
    let text = m.text(".k12x-pop-status");
    assert!(text.ends_with(" 秒"), "{text}");
    assert!(!text.contains('约'), "no old estimate: {text}");
    assert_eq!(m.text(".k12x-pop-pct"), "63%", "the bar keeps its place");
    assert_eq!(m.attr(".k12x-pop-status", "aria-live").as_deref(), Some("off"), "the ticking time is not read out");
}
