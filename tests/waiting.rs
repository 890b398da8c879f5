//! Cancel, honest waiting, background tabs and in-app browsers, wired into the real button in a
//! real browser (the rules themselves are core tests: core/tests/waiting.rs).
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

/// A start answer, then endless progress at `pct`%.
fn stuck_at(pct: i64) -> Rc<Script> {
    Script::new(move |r, _| if is_progress(r) { ok(&progress(pct, 100)) } else { ok(NOT_READY) })
}

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
    until(3000, "37%", || m.text(".k12x-pop-pct") == "37%").await;
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
    until(3000, "63%", || m.text(".k12x-pop-pct") == "63%").await;
    assert!(!m.text(".k12x-pop-status").contains("服务器仍在处理"));
    // The threshold is 15 s of no movement; polls come every 2.5 s at most.
    until(22_000, "the stalled text", || m.text(".k12x-pop-status").starts_with("服务器仍在处理，已等待 ")).await;
    let text = m.text(".k12x-pop-status");
    assert!(text.ends_with(" 秒"), "{text}");
    assert!(!text.contains('约'), "no old estimate: {text}");
    assert_eq!(m.text(".k12x-pop-pct"), "63%", "the bar keeps its place");
    assert_eq!(m.attr(".k12x-pop-status", "aria-live").as_deref(), Some("off"), "the ticking time is not read out");
}

#[wasm_bindgen_test]
async fn in_app_mode_offers_the_link_and_a_copy_action_instead_of_downloading() {
    let spy = DownloadSpy::new();
    let script = Script::new(|_, _| ok(&ready("/files/inapp.xlsx")));
    let m = Mounted::in_shadow(props_with(&script, r#""inApp":true"#)).await;
    m.click().await;
    until(3000, "done", || m.status() == "done").await;
    sleep(300).await;
    assert!(spy.seen.borrow().is_empty(), "no silent download: {:?}", spy.seen.borrow());
    let panel = m.q(".k12x-inapp").expect("the in-app guidance");
    assert_eq!(panel.get_attribute("role").as_deref(), Some("status"));
    assert_eq!(m.text(".k12x-inapp-title"), "请在浏览器中打开");
    let link = m.q(".k12x-inapp-link").unwrap();
    assert!(link.get_attribute("href").unwrap().ends_with("/files/inapp.xlsx"));
    assert!(link.text_content().unwrap().ends_with("/files/inapp.xlsx"), "the link as text, to copy by hand");
    assert!(m.q("a.k12x-fallback").is_some(), "the 下载 link stays");
    let copy: web_sys::HtmlElement = m.q(".k12x-inapp-copy").unwrap().dyn_into().unwrap();
    assert_eq!(copy.text_content().unwrap(), "复制链接");
    copy.click();
    until(3000, "an answer to the copy", || !m.text(".k12x-inapp-said").is_empty()).await;
    let said = m.text(".k12x-inapp-said");
    if said.starts_with("无法自动复制") {
        // Clipboard refused (a headless browser without the permission): the link is selected.
        let selection = web_sys::window().unwrap().get_selection().unwrap().unwrap();
        let selected = String::from(selection.to_string());
        if selected.is_empty() {
            // WebKit's document selection does not reach into a shadow root: what remains is the
            // link itself, which a long press selects whole.
            let style = web_sys::window().unwrap().get_computed_style(&link).unwrap().unwrap();
            let all = |p: &str| style.get_property_value(p).unwrap_or_default() == "all";
            assert!(all("user-select") || all("-webkit-user-select"), "the link selects whole");
        } else {
            assert!(selected.ends_with("/files/inapp.xlsx"), "selected for a manual copy: {selected}");
        }
    } else {
        assert_eq!(said, "链接已复制，请粘贴到浏览器中打开");
    }
    // The panel closes; the next export mounts it afresh.
    let close: web_sys::HtmlElement = m.q(".k12x-inapp-close").unwrap().dyn_into().unwrap();
    close.click();
    yew::scheduler::flush().await;
    assert!(m.q(".k12x-inapp").is_none());
}

#[wasm_bindgen_test]
async fn without_in_app_the_same_export_downloads() {
    let spy = DownloadSpy::new();
    let script = Script::new(|_, _| ok(&ready("/files/plain.xlsx")));
    let m = Mounted::new(props_with(&script, r#""inApp":false"#)).await;
    m.click().await;
    until(3000, "download", || !spy.seen.borrow().is_empty()).await;
    assert!(m.q(".k12x-inapp").is_none());
}

/// Makes `document.hidden` say `hidden` (the test page cannot put itself in a background tab)
/// and tells the page, as the browser would.
fn set_hidden(hidden: bool) {
    let d = common::document();
    let desc = js_sys::Object::new();
    js_sys::Reflect::set(&desc, &"configurable".into(), &true.into()).unwrap();
    let getter = js_sys::Function::new_no_args(&format!("return {hidden};"));
    js_sys::Reflect::set(&desc, &"get".into(), &getter).unwrap();
    js_sys::Object::define_property(&d, &"hidden".into(), &desc);
    fire(&d, "visibilitychange");
}

#[wasm_bindgen_test]
async fn a_hidden_tab_shows_the_percent_and_the_end_in_its_title_until_seen_again() {
    let d = common::document();
    d.set_title("作业统计 · 班级管理");
    set_hidden(true);
    let done = Rc::new(RefCell::new(false));
    let d2 = done.clone();
    let script = Script::new(move |r, _| {
        if is_progress(r) {
            ok(&if *d2.borrow() { progress(10, 10) } else { progress(40, 100) })
        } else if *d2.borrow() {
            ok(&ready("/files/t.xlsx"))
        } else {
            ok(NOT_READY)
        }
    });
    let _spy = DownloadSpy::new();
    let m = Mounted::new(props_with(&script, r#""titleProgress":true"#)).await;
    m.click().await;
    until(3000, "the percent in the title", || d.title() == "40% 导出中 – 作业统计 · 班级管理").await;
    *done.borrow_mut() = true;
    until(15_000, "the end in the title", || d.title() == "✓ 导出完成 – 作业统计 · 班级管理").await;
    // Seen again: exactly the page's own title.
    set_hidden(false);
    yew::scheduler::flush().await;
    assert_eq!(d.title(), "作业统计 · 班级管理");
    // A page that retitles itself meanwhile keeps its own title.
    *done.borrow_mut() = false;
    set_hidden(true);
    m.click().await;
    until(3000, "the percent again", || d.title().starts_with("40% 导出中")).await;
    d.set_title("新的页面标题");
    set_hidden(false);
    yew::scheduler::flush().await;
    assert_eq!(d.title(), "新的页面标题");
    js_sys::Reflect::delete_property(&d, &"hidden".into()).unwrap();
}

#[wasm_bindgen_test]
async fn without_the_option_the_title_is_left_alone() {
    let d = common::document();
    d.set_title("原标题");
    set_hidden(true);
    let script = stuck_at(20);
    let m = Mounted::new(props(&script)).await;
    m.click().await;
    until(3000, "20%", || m.text(".k12x-pop-pct") == "20%" || script.count() > 2).await;
    sleep(300).await;
    assert_eq!(d.title(), "原标题");
    js_sys::Reflect::delete_property(&d, &"hidden".into()).unwrap();
}

#[wasm_bindgen_test]
fn relative_links_resolve_in_the_browser_as_the_native_resolver_does() {
    // In the browser the browser's own URL parser resolves (see `absolute_url`); the same cases
    // as the native resolver's test.
    assert_eq!(k12_export::core::http::misresolved_urls(), []);
}
