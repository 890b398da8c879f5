//! The options of what the button does outside its box (`PageOptions`: `inApp`, `titleProgress`),
//! wired into the real button in a real browser.
#![cfg(target_arch = "wasm32")]
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A button in a shadow root with the options `extra`, whose export's first answer is the file at
/// `url`, clicked: the button and the downloads it starts.
async fn clicked(url: &'static str, extra: &str) -> (Mounted, DownloadSpy) {
    let spy = DownloadSpy::new();
    let script = Script::new(move |_, _| ok(&ready(url)));
    let m = Mounted::in_shadow(props_with(&script, extra)).await;
    m.click().await;
    (m, spy)
}

#[wasm_bindgen_test]
async fn in_app_mode_offers_the_link_and_a_copy_action_instead_of_downloading() {
    let (m, spy) = clicked("/files/inapp.xlsx", r#""inApp":true"#).await;
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
    let (m, spy) = clicked("/files/plain.xlsx", r#""inApp":false"#).await;
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
    until(10000, "20%", || m.text(".k12x-pop-pct") == "20%" || script.count() > 2).await;
    sleep(300).await;
    assert_eq!(d.title(), "原标题");
    js_sys::Reflect::delete_property(&d, &"hidden".into()).unwrap();
}
