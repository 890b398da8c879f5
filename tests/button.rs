//! AsyncExportButton in a real browser, with a scripted transport for exact sequences.
#![cfg(target_arch = "wasm32")]
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::*;
use k12_export::core::{FailKind, HttpOutcome};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Start: not ready; progress: 0..n over `steps` polls; then the URL.
fn convention_a(n: i64) -> Rc<Script> {
    Script::new(move |r, _| {
        thread_local!(static POLLS: RefCell<i64> = const { RefCell::new(0) });
        if is_progress(r) {
            let k = POLLS.with(|p| {
                *p.borrow_mut() += 1;
                *p.borrow()
            });
            ok(&progress((k * 3).min(n + 1), n + 1))
        } else {
            POLLS.with(|p| {
                if *p.borrow() * 3 > n {
                    ok(&ready("/files/a.xlsx"))
                } else {
                    *p.borrow_mut() = 0;
                    ok(NOT_READY)
                }
            })
        }
    })
}

/// Mounted on `stuck_at(pct)` and clicked: an export that stays at `pct`%.
async fn exporting_at(pct: i64) -> (Rc<Script>, Mounted) {
    let script = stuck_at(pct);
    let m = Mounted::new(props(&script)).await;
    m.click().await;
    (script, m)
}

#[wasm_bindgen_test]
async fn greyed_inert_and_busy_while_exporting() {
    let script = stuck_at(37);
    let m = Mounted::new(props(&script)).await;
    let b = m.button();
    assert_eq!(b.get_attribute("aria-disabled"), None);
    let idle_color =
        web_sys::window().unwrap().get_computed_style(&b).unwrap().unwrap().get_property_value("color").unwrap();
    m.click().await;
    assert_eq!(b.get_attribute("aria-disabled").as_deref(), Some("true"));
    assert_eq!(b.get_attribute("aria-busy").as_deref(), Some("true"));
    assert!(!b.has_attribute("disabled"), "a disabled attribute would take focus and hover away");
    assert_eq!(m.status(), "exporting");
    let style = web_sys::window().unwrap().get_computed_style(&b).unwrap().unwrap();
    assert_eq!(style.get_property_value("cursor").unwrap(), "not-allowed");
    // The colour eases in over a short transition: wait for it rather than for a fixed time.
    until(3000, "grey text while exporting", || style.get_property_value("color").unwrap() != idle_color).await;
    // still focusable
    b.focus().unwrap();
    assert_eq!(common::document().active_element().unwrap(), b.clone().unchecked_into::<web_sys::Element>());
}

#[wasm_bindgen_test]
async fn many_clicks_send_exactly_one_start_request() {
    let script = Script::new(|_, _| None);
    let m = Mounted::new(props(&script)).await;
    for _ in 0..10 {
        m.button().click();
    }
    yew::scheduler::flush().await;
    m.click().await;
    sleep(50).await;
    assert_eq!(script.count(), 1);
    assert!(script.urls()[0].starts_with("/j/org/1001/homework/export?"));
}

#[wasm_bindgen_test]
async fn hover_shows_filename_progressbar_and_percent() {
    let (_script, m) = exporting_at(37).await;
    assert!(!m.popover_open(), "closed until hovered");
    m.hover().await;
    assert!(m.popover_open());
    until(3000, "37% shown", || m.text(".k12x-pop-pct") == "37%").await;
    assert_eq!(m.text(".k12x-pop-name"), "K12作业统计-2024春季班.xlsx");
    assert_eq!(m.attr("[role=progressbar]", "aria-valuenow").as_deref(), Some("37"));
    assert_eq!(m.attr("[role=progressbar]", "aria-valuemin").as_deref(), Some("0"));
    assert_eq!(m.attr("[role=progressbar]", "aria-valuemax").as_deref(), Some("100"));
    let fill: web_sys::HtmlElement = m.q(".k12x-bar-fill").unwrap().dyn_into().unwrap();
    assert_eq!(fill.style().get_property_value("width").unwrap(), "37%", "set through the CSSOM");
    let pop_id = m.attr(".k12x-pop", "id").unwrap();
    assert_eq!(m.button().get_attribute("aria-describedby"), Some(pop_id));
    fire(&m.wrapper(), "mouseleave");
    yew::scheduler::flush().await;
    assert!(!m.popover_open());
}

#[wasm_bindgen_test]
async fn popover_stays_while_the_pointer_is_over_it() {
    let (_script, m) = exporting_at(10).await;
    m.hover().await;
    // Moving from the button onto the popover stays inside the wrapper: no mouseleave on it.
    fire(&m.q(".k12x-pop").unwrap(), "mouseenter");
    yew::scheduler::flush().await;
    assert!(m.popover_open());
    assert!(m.wrapper().contains(Some(&m.q(".k12x-pop").unwrap())));
}

#[wasm_bindgen_test]
async fn keyboard_focus_shows_the_popover_and_esc_closes_it() {
    let (_script, m) = exporting_at(42).await;
    m.button().blur().unwrap();
    yew::scheduler::flush().await;
    assert!(!m.popover_open());
    m.button().focus().unwrap();
    yew::scheduler::flush().await;
    assert!(m.popover_open(), "focus opens it");
    until(10000, "42%", || m.attr("[role=progressbar]", "aria-valuenow").as_deref() == Some("42")).await;
    key(&m.button(), "Escape");
    yew::scheduler::flush().await;
    assert!(!m.popover_open(), "Esc closes it");
    // focus again reopens
    m.button().blur().unwrap();
    m.button().focus().unwrap();
    yew::scheduler::flush().await;
    assert!(m.popover_open());
}

#[wasm_bindgen_test]
async fn esc_closes_a_hover_opened_popover_without_moving_focus() {
    let (_script, m) = exporting_at(5).await;
    m.button().blur().unwrap();
    m.hover().await;
    assert!(m.popover_open());
    key(&common::document().body().unwrap(), "Escape");
    yew::scheduler::flush().await;
    assert!(!m.popover_open());
}

#[wasm_bindgen_test]
async fn a_tap_on_the_busy_button_opens_the_popover_and_a_press_elsewhere_closes_it() {
    // A touch screen: no mouseenter, and Safari does not focus a tapped button. A click and
    // pointerdown events are all there is.
    let (_script, m) = exporting_at(64).await;
    assert_eq!(m.status(), "exporting");
    assert!(!m.popover_open(), "the click that starts the export does not open it");
    assert_ne!(common::document().active_element(), Some(m.button().unchecked_into()), "no focus");
    m.click().await;
    assert!(m.popover_open(), "a click on the busy button opens it");
    until(10000, "64%", || m.text(".k12x-pop-pct") == "64%").await;
    assert_eq!(m.text(".k12x-pop-name"), "K12作业统计-2024春季班.xlsx");
    assert_eq!(m.attr("[role=progressbar]", "aria-valuenow").as_deref(), Some("64"));
    // Presses on the button and on the popover keep it open.
    pointer_down(&m.button());
    pointer_down(&m.q(".k12x-pop").unwrap());
    yew::scheduler::flush().await;
    assert!(m.popover_open(), "a press inside keeps it");
    pointer_down(&common::document().body().unwrap());
    yew::scheduler::flush().await;
    assert!(!m.popover_open(), "a press elsewhere closes it");
    assert_eq!(m.status(), "exporting", "closing it does not stop the export");
    m.click().await;
    assert!(m.popover_open(), "another tap opens it again");
    key(&common::document().body().unwrap(), "Escape");
    yew::scheduler::flush().await;
    assert!(!m.popover_open(), "Esc closes it too");
}

#[wasm_bindgen_test]
async fn indeterminate_bar_when_the_backend_gives_no_numbers() {
    let script = Script::new(|r, _| if is_progress(r) { ok(r#"{"code":0,"result":null}"#) } else { ok(NOT_READY) });
    let m = Mounted::new(props(&script)).await;
    m.click().await;
    fire(&m.wrapper(), "mouseenter");
    until(3000, "a progress answer", || script.requests.borrow().iter().any(is_progress)).await;
    until(1000, "indeterminate", || m.q(".k12x-bar--indeterminate").is_some()).await;
    assert_eq!(m.attr("[role=progressbar]", "aria-valuenow"), None, "no aria-valuenow when unknown");
    assert_eq!(m.text(".k12x-pop-pct"), "");
}

#[wasm_bindgen_test]
async fn the_url_is_downloaded_through_an_anchor_with_the_right_href_and_name() {
    let spy = DownloadSpy::new();
    let script = convention_a(5);
    let seen = Rc::new(RefCell::new(None));
    let mut p = props(&script);
    let s = seen.clone();
    p.ondone = yew::Callback::from(move |d: k12_export::core::Download| *s.borrow_mut() = Some(d));
    let m = Mounted::new(p).await;
    m.click().await;
    until(8000, "download", || !spy.seen.borrow().is_empty()).await;
    let (href, name) = spy.seen.borrow()[0].clone();
    assert!(href.ends_with("/files/a.xlsx"), "{href}");
    assert_eq!(name, "K12作业统计-2024春季班.xlsx");
    until(1000, "done", || m.status() == "done").await;
    assert_eq!(m.button().get_attribute("aria-disabled"), None, "back to normal");
    // the fallback link remains
    let a = m.q("a.k12x-fallback").expect("fallback link");
    assert_eq!(a.text_content().unwrap(), "下载");
    assert!(a.get_attribute("href").unwrap().ends_with("/files/a.xlsx"));
    assert_eq!(a.get_attribute("download").as_deref(), Some("K12作业统计-2024春季班.xlsx"));
    assert_eq!(seen.borrow().as_ref().unwrap().filename, "K12作业统计-2024春季班.xlsx");
    // The anchor used for the automatic download is gone from the page.
    assert!(common::document().query_selector("[data-k12x-download]").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn convention_b_late_url_keeps_the_button_busy_until_the_url() {
    let spy = DownloadSpy::new();
    // B: first total:1 loaded:0, then n/n for a while, URL only on the 4th url request.
    let script = Script::new(|r, n| {
        if is_progress(r) {
            if n <= 1 {
                ok(&progress(0, 1))
            } else {
                ok(&progress(48, 48))
            }
        } else if n < 7 {
            ok(NOT_READY)
        } else {
            ok(&ready("/files/b.xlsx"))
        }
    });
    let m = Mounted::new(props(&script)).await;
    m.click().await;
    fire(&m.wrapper(), "mouseenter");
    until(5000, "generating", || m.text(".k12x-pop-status") == "正在生成文件…").await;
    assert_eq!(m.status(), "exporting");
    assert_eq!(m.text(".k12x-pop-pct"), "99%", "never 100% before the URL");
    until(8000, "download", || !spy.seen.borrow().is_empty()).await;
    assert!(spy.seen.borrow()[0].0.ends_with("/files/b.xlsx"));
}

async fn fails_with_toast(script: Rc<Script>, extra: &str, kind: FailKind, detail: Option<&str>) {
    let error = Rc::new(RefCell::new(None));
    let mut p = props_with(&script, extra);
    let e = error.clone();
    p.onerror = yew::Callback::from(move |f| *e.borrow_mut() = Some(f));
    let mut m = Mounted::new(p).await;
    m.click().await;
    until(15000, "the toast", || m.q("[role=alert]").is_some()).await;
    assert_eq!(m.text(".k12x-toast-title"), "导出失败");
    if let Some(d) = detail {
        assert_eq!(m.text(".k12x-toast-detail"), d);
    }
    assert_eq!(m.status(), "failed");
    assert_eq!(m.button().get_attribute("aria-disabled"), None, "the button is back to normal");
    assert_eq!(error.borrow().as_ref().map(|f: &k12_export::core::Failure| f.kind), Some(kind));
    // nothing left polling
    let n = script.count();
    sleep(1200).await;
    assert_eq!(script.count(), n, "no request after the failure");
    m.unmount().await;
}

#[wasm_bindgen_test]
async fn toast_on_server_error_code() {
    let script = Script::new(|r, _| {
        if is_progress(r) {
            ok(r#"{"code":-1,"message":"导出任务异常：数据库连接中断","result":null}"#)
        } else {
            ok(NOT_READY)
        }
    });
    fails_with_toast(script, "", FailKind::Server, Some("导出任务异常：数据库连接中断")).await;
}

#[wasm_bindgen_test]
async fn toast_on_http_404() {
    let script = Script::new(|_, _| Some((HttpOutcome::status(404, r#"{"code":404,"message":"期次不存在"}"#), 5)));
    fails_with_toast(script, "", FailKind::Http, Some("期次不存在")).await;
}

#[wasm_bindgen_test]
async fn toast_on_repeated_network_errors() {
    let script = Script::new(|_, _| Some((HttpOutcome::NetworkError("refused".into()), 5)));
    fails_with_toast(script, r#""retries":1"#, FailKind::Network, Some("网络异常，请检查网络后重试")).await;
}

#[wasm_bindgen_test]
async fn toast_on_malformed_json() {
    let script = Script::new(|_, _| ok("<html>502 Bad Gateway</html>"));
    fails_with_toast(script, r#""retries":1"#, FailKind::BadResponse, None).await;
}

#[wasm_bindgen_test]
async fn toast_on_a_javascript_url() {
    let spy = DownloadSpy::new();
    let script = Script::new(|_, _| ok(&ready("javascript:alert(document.domain)")));
    fails_with_toast(script, "", FailKind::UnsafeUrl, Some("下载地址不安全，已阻止")).await;
    assert!(spy.seen.borrow().is_empty(), "nothing was clicked");
}

#[wasm_bindgen_test]
async fn toast_when_the_deadline_passes() {
    let script = stuck_at(63);
    fails_with_toast(script, r#""timeoutMs":1500"#, FailKind::TimedOut, Some("导出超时，请稍后重试")).await;
}

#[wasm_bindgen_test]
async fn toast_is_dismissible_and_leaves_by_itself() {
    let script = Script::new(|_, _| Some((HttpOutcome::status(403, ""), 1)));
    let m = Mounted::new(props(&script)).await;
    m.click().await;
    until(3000, "toast", || m.q("[role=alert]").is_some()).await;
    let close: web_sys::HtmlElement = m.q(".k12x-toast-close").unwrap().dyn_into().unwrap();
    assert_eq!(close.get_attribute("aria-label").as_deref(), Some("关闭"));
    close.click();
    yew::scheduler::flush().await;
    assert!(m.q("[role=alert]").is_none(), "dismissed");
    m.click().await;
    until(3000, "toast again", || m.q("[role=alert]").is_some()).await;
    sleep(k12_export::components::button::TOAST_MS + 300).await;
    assert!(m.q("[role=alert]").is_none(), "auto-dismissed");
}

#[wasm_bindgen_test]
async fn a_second_export_after_a_failed_one_starts_afresh() {
    let spy = DownloadSpy::new();
    let script =
        Script::new(|_, n| if n == 0 { Some((HttpOutcome::status(400, ""), 1)) } else { ok(&ready("/files/2.xlsx")) });
    let m = Mounted::new(props(&script)).await;
    m.click().await;
    until(3000, "failed", || m.status() == "failed").await;
    m.click().await;
    until(3000, "done", || m.status() == "done").await;
    assert!(m.q("[role=alert]").is_none(), "a new export clears the old toast");
    assert_eq!(script.count(), 2);
    assert!(script.urls()[1].starts_with("/j/org/1001/homework/export"), "the start endpoint again");
    assert_eq!(spy.seen.borrow().len(), 1);
}

#[wasm_bindgen_test]
async fn unmounting_stops_all_traffic() {
    let script = stuck_at(20);
    let mut m = Mounted::new(props(&script)).await;
    m.click().await;
    until(3000, "polling", || script.requests.borrow().iter().filter(|r| is_progress(r)).count() >= 2).await;
    m.unmount().await;
    let n = script.count();
    sleep(2500).await;
    assert_eq!(script.count(), n, "no request after unmount");
}

#[wasm_bindgen_test]
async fn unmounting_aborts_the_request_in_flight() {
    let script = Script::new(|_, _| None);
    let mut m = Mounted::new(props(&script)).await;
    m.click().await;
    assert_eq!(script.aborts.get(), 0);
    m.unmount().await;
    until(1000, "abort", || script.aborts.get() == 1).await;
    sleep(300).await;
    assert_eq!(script.count(), 1);
}

#[wasm_bindgen_test]
async fn pagehide_stops_the_export_and_the_next_click_starts_fresh() {
    let script = Script::new(|r, _| if is_progress(r) { None } else { ok(NOT_READY) });
    let m = Mounted::new(props(&script)).await;
    m.click().await;
    until(3000, "a progress request in flight", || script.requests.borrow().iter().any(is_progress)).await;
    let window: web_sys::EventTarget = web_sys::window().unwrap().into();
    let init = web_sys::PageTransitionEventInit::new();
    init.set_persisted(false);
    let e = web_sys::PageTransitionEvent::new_with_event_init_dict("pagehide", &init).unwrap();
    window.dispatch_event(&e).unwrap();
    until(1000, "aborted", || script.aborts.get() == 1).await;
    until(1000, "idle", || m.status() == "idle").await;
    assert_eq!(m.button().get_attribute("aria-busy"), None);
    let n = script.count();
    sleep(1500).await;
    assert_eq!(script.count(), n, "no request after pagehide");
    m.click().await;
    assert_eq!(script.count(), n + 1);
    assert!(script.urls()[n].starts_with("/j/org/1001/homework/export?"), "fresh: the start endpoint");
}

#[wasm_bindgen_test]
async fn hostile_filename_is_shown_as_text() {
    let script = Script::new(|r, _| {
        if is_progress(r) {
            ok(&progress(1, 10))
        } else {
            ok(r#"{"code":0,"result":{"url":null,"filename":"<img src=x onerror=\"window.__pwned=1\">报表.xlsx"}}"#)
        }
    });
    let m = Mounted::new(props(&script)).await;
    m.click().await;
    fire(&m.wrapper(), "mouseenter");
    until(3000, "name", || m.text(".k12x-pop-name").contains("报表")).await;
    assert_eq!(m.text(".k12x-pop-name"), "_img src=x onerror=_window.__pwned=1__报表.xlsx");
    assert!(m.root.query_selector("img").unwrap().is_none(), "no element was injected");
    assert!(js_sys::Reflect::get(&web_sys::window().unwrap(), &js("__pwned")).unwrap().is_undefined());
}

#[wasm_bindgen_test]
async fn callbacks_report_start_progress_and_done() {
    let log = Rc::new(RefCell::new(Vec::<String>::new()));
    let script = convention_a(5);
    let mut p = props(&script);
    let l = log.clone();
    p.onstart = yew::Callback::from(move |()| l.borrow_mut().push("start".into()));
    let l = log.clone();
    // Written out, not through Debug: the bundle's build prints nothing for Debug.
    p.onprogress = yew::Callback::from(move |pct: Option<u8>| {
        l.borrow_mut().push(pct.map_or_else(|| "none".to_owned(), |p| ["pct ", &p.to_string()].concat()))
    });
    let l = log.clone();
    p.ondone = yew::Callback::from(move |_| l.borrow_mut().push("done".into()));
    let _spy = DownloadSpy::new();
    let m = Mounted::new(p).await;
    m.click().await;
    until(8000, "done", || log.borrow().last().map(String::as_str) == Some("done")).await;
    let log = log.borrow();
    assert_eq!(log[0], "start");
    assert_eq!(log[1], "pct 0");
    assert_eq!(log[log.len() - 2], "pct 100");
    let pcts: Vec<u8> = log.iter().filter_map(|s| s.strip_prefix("pct ")?.parse().ok()).collect();
    assert!(pcts.windows(2).all(|w| w[0] < w[1]), "{pcts:?}");
    let _ = m;
}

#[wasm_bindgen_test]
async fn bad_options_render_an_inert_button_with_the_error() {
    let script = Script::new(|_, _| None);
    let mut p = props(&script);
    p.data = k12_export::core::json::Json::parse(r#"{"termName":"2024春季班"}"#).unwrap(); // termId missing
    let m = Mounted::new(p).await;
    assert_eq!(m.button().get_attribute("aria-disabled").as_deref(), Some("true"));
    let err = m.button().get_attribute("data-error").unwrap();
    assert!(err.contains("options.data.termId"), "{err}");
    m.click().await;
    sleep(50).await;
    assert_eq!(script.count(), 0, "nothing is sent");
}

#[wasm_bindgen_test]
async fn english_labels() {
    let script = Script::new(|_, _| Some((HttpOutcome::status(403, ""), 1)));
    let mut p = props(&script);
    p.labels = Rc::new(k12_export::Labels::en());
    let m = Mounted::new(p).await;
    assert_eq!(m.text(".k12x-label"), "Export");
    m.click().await;
    until(3000, "toast", || m.q("[role=alert]").is_some()).await;
    assert_eq!(m.text(".k12x-toast-title"), "Export failed");
    assert_eq!(m.text(".k12x-toast-detail"), "Server error (HTTP 403)");
}

#[wasm_bindgen_test]
async fn a_thousand_mounts_and_unmounts_leave_nothing_behind() {
    let script = Script::new(|_, _| None);
    let memory = || {
        wasm_bindgen::memory()
            .unchecked_into::<js_sys::WebAssembly::Memory>()
            .buffer()
            .unchecked_into::<js_sys::ArrayBuffer>()
            .byte_length()
    };
    let mut before = 0;
    for i in 0..1000 {
        if i == 50 {
            before = memory();
        }
        let mut m = Mounted::new(props(&script)).await;
        m.click().await;
        m.unmount().await;
    }
    until(3000, "every request aborted", || script.aborts.get() == 1000).await;
    assert_eq!(script.count(), 1000);
    // After everything is gone, a pagehide reaches no driver: no request, no error.
    let init = web_sys::PageTransitionEventInit::new();
    let e = web_sys::PageTransitionEvent::new_with_event_init_dict("pagehide", &init).unwrap();
    web_sys::window().unwrap().dispatch_event(&e).unwrap();
    sleep(500).await;
    assert_eq!(script.count(), 1000);
    let after = memory();
    assert!(after <= before + (1 << 20), "wasm memory grew from {before} to {after} bytes");
}

/// A button exporting in a Yew root styled `root_style`, hovered: its popover open.
async fn hovered_while_exporting_in(root_style: &str) -> Mounted {
    let script = stuck_at(50);
    let m = Mounted::new(props(&script)).await;
    m.root.set_attribute("style", root_style).unwrap();
    m.click().await;
    m.hover().await;
    assert!(m.popover_open());
    m
}

#[wasm_bindgen_test]
async fn near_the_bottom_right_corner_the_popover_opens_up_and_to_the_left() {
    // The Yew root spans the whole viewport; only the button sits in its bottom right corner, so the
    // placement must be measured on the button's own box, not on the root's.
    let style = "position:fixed;inset:0;display:flex;justify-content:flex-end;align-items:flex-end;padding:4px";
    let m = hovered_while_exporting_in(style).await;
    assert!(m.q(".k12x-pop--end").is_some(), "aligned to the button's right edge");
    assert!(m.q(".k12x-pop--top").is_some(), "opens above the button");
    let r = m.q(".k12x-pop").unwrap().get_bounding_client_rect();
    let window = web_sys::window().unwrap();
    let vw = window.inner_width().unwrap().as_f64().unwrap();
    let vh = window.inner_height().unwrap().as_f64().unwrap();
    assert!(r.right() <= vw && r.left() >= 0.0, "inside the viewport: {} .. {} of {vw}", r.left(), r.right());
    assert!(r.bottom() <= vh && r.top() >= 0.0, "inside the viewport: {} .. {} of {vh}", r.top(), r.bottom());
}

#[wasm_bindgen_test]
async fn a_tap_near_the_bottom_right_corner_opens_the_popover_up_and_to_the_left() {
    // No hover and no focus first: the click itself must measure where the popover fits.
    let script = stuck_at(50);
    let m = Mounted::new(props(&script)).await;
    let style = "position:fixed;inset:0;display:flex;justify-content:flex-end;align-items:flex-end;padding:4px";
    m.root.set_attribute("style", style).unwrap();
    m.click().await;
    m.click().await;
    assert!(m.popover_open());
    assert!(m.q(".k12x-pop--end").is_some() && m.q(".k12x-pop--top").is_some(), "placed to fit");
}

#[wasm_bindgen_test]
async fn away_from_the_edges_the_popover_opens_below_and_to_the_right() {
    let m = hovered_while_exporting_in("position:fixed;left:10px;top:10px").await;
    assert!(m.q(".k12x-pop--end").is_none() && m.q(".k12x-pop--top").is_none(), "the default placement");
}

#[wasm_bindgen_test]
async fn back_from_the_bfcache_shows_the_normal_state() {
    let (script, m) = exporting_at(30).await;
    assert_eq!(m.status(), "exporting");
    let init = web_sys::PageTransitionEventInit::new();
    init.set_persisted(true);
    let e = web_sys::PageTransitionEvent::new_with_event_init_dict("pageshow", &init).unwrap();
    web_sys::window().unwrap().dispatch_event(&e).unwrap();
    until(1000, "idle", || m.status() == "idle").await;
    assert_eq!(m.button().get_attribute("aria-disabled"), None);
    let n = script.count();
    sleep(1500).await;
    assert_eq!(script.count(), n, "the old export does not poll on");
}

#[wasm_bindgen_test]
async fn a_click_as_soon_as_the_button_appears_starts_the_export() {
    for _ in 0..5 {
        let script = Script::new(|_, _| None);
        let root = container();
        let _app =
            yew::Renderer::<k12_export::AsyncExportButton>::with_root_and_props(root.clone(), props(&script)).render();
        // No flush: poll the DOM the way a page script would, and click the moment it is there.
        let mut button = None;
        for _ in 0..500 {
            if let Some(b) = root.query_selector(".k12x-btn").unwrap() {
                button = Some(b);
                break;
            }
            gloo_timers::future::TimeoutFuture::new(0).await;
        }
        let button: web_sys::HtmlElement = button.expect("the button appears").dyn_into().unwrap();
        button.click();
        sleep(50).await;
        assert_eq!(script.count(), 1, "the first click started the export");
        root.remove();
    }
}

#[wasm_bindgen_test]
async fn downloads_in_a_burst_are_spaced_so_the_browser_keeps_them_all() {
    let spy = DownloadSpy::new();
    let times = std::rc::Rc::new(RefCell::new(Vec::new()));
    let t = times.clone();
    let _clock = gloo_events::EventListener::new(&common::document(), "click", move |_| {
        t.borrow_mut().push(js_sys::Date::now())
    });
    for i in 0..4 {
        k12_export::driver::download(&format!("/files/{i}.xlsx"), &format!("{i}.xlsx"));
    }
    assert_eq!(spy.seen.borrow().len(), 1, "the first at once");
    until(3000, "all four", || spy.seen.borrow().len() == 4).await;
    let names: Vec<String> = spy.seen.borrow().iter().map(|(_, n)| n.clone()).collect();
    assert_eq!(names, ["0.xlsx", "1.xlsx", "2.xlsx", "3.xlsx"], "in order");
    let t = times.borrow();
    assert!(t.windows(2).all(|w| w[1] - w[0] >= f64::from(k12_export::driver::DOWNLOAD_SPACING_MS) - 5.0), "{t:?}");
}

#[wasm_bindgen_test]
async fn in_a_shadow_root_click_hover_focus_escape_and_the_toast_all_work() {
    // The embedded widget renders in a shadow root: Yew's delegated listeners must still see
    // every event, and the popover and toast must behave as in the page's own tree.
    let script = stuck_at(37);
    let mut m = Mounted::in_shadow(props(&script)).await;
    m.click().await;
    until(1000, "exporting", || m.status() == "exporting").await;
    m.hover().await;
    assert!(m.popover_open(), "hover opens the popover");
    key(&common::document(), "Escape");
    yew::scheduler::flush().await;
    assert!(!m.popover_open(), "Esc closes it");
    fire(&m.wrapper(), "mouseleave");
    m.button().focus().unwrap();
    until(1000, "focus opens it again", || m.popover_open()).await;
    until(3000, "the percent", || m.text(".k12x-pop-pct") == "37%").await;
    // The fill is sized through the CSSOM: its rendered width is the percent of the track.
    sleep(500).await; // the width transition
    let track = m.q(".k12x-bar").unwrap().get_bounding_client_rect().width();
    let fill = m.q(".k12x-bar-fill").unwrap().get_bounding_client_rect().width();
    assert!((fill / track - 0.37).abs() < 0.02, "fill {fill} of {track}");
    m.button().blur().unwrap();
    yew::scheduler::flush().await;
    assert!(!m.popover_open(), "blur closes it");
    m.unmount().await;

    let failing =
        Script::new(|_, _| Some((HttpOutcome::ok(r#"{"code":1,"message":"数据库连接中断","result":null}"#), 5)));
    let m = Mounted::in_shadow(props(&failing)).await;
    m.click().await;
    until(2000, "the toast", || m.q("[role=alert]").is_some()).await;
    let close: web_sys::HtmlElement = m.q(".k12x-toast-close").unwrap().dyn_into().unwrap();
    close.click();
    yew::scheduler::flush().await;
    assert!(m.q("[role=alert]").is_none(), "its close button dismisses it");
}

#[wasm_bindgen_test]
async fn a_new_start_key_starts_an_export_as_a_click_would() {
    let script = stuck_at(10);
    let mut p = props(&script);
    let mut m = Mounted::new(p.clone()).await;
    sleep(50).await;
    assert_eq!(script.count(), 0, "0 starts nothing");
    p.start_key = 1;
    m.app.as_mut().unwrap().update(p.clone());
    until(1000, "exporting", || m.status() == "exporting").await;
    assert_eq!(script.count(), 1);
    m.unmount().await;
    // Mounted with a start already requested (a click that came before the widget was ready).
    let script = stuck_at(10);
    let m = Mounted::new(props_with_start(&script)).await;
    until(1000, "exporting at once", || m.status() == "exporting").await;
    assert_eq!(script.count(), 1);
}

fn props_with_start(script: &Rc<Script>) -> k12_export::AsyncExportButtonProps {
    k12_export::AsyncExportButtonProps { start_key: 1, ..props(script) }
}

#[wasm_bindgen_test]
async fn the_popover_flips_up_when_its_real_box_would_not_fit_below() {
    // A popover taller than usual (as with large fonts or zoom): the 170 px of room below the
    // button would do for the usual popover, not for this one, so it opens above, measured on its
    // own box.
    let tall = common::document().create_element("style").unwrap();
    tall.set_text_content(Some(".k12x-tall .k12x-pop { min-height: 200px; box-sizing: border-box }"));
    common::document().head().unwrap().append_child(&tall).unwrap();
    let script = stuck_at(50);
    let m = Mounted::new(props(&script)).await;
    m.root.set_attribute("class", "k12x-tall").unwrap();
    m.root.set_attribute("style", "position:fixed;left:10px;top:calc(100vh - 202px)").unwrap();
    m.click().await;
    m.hover().await;
    assert!(m.popover_open());
    assert!(m.q(".k12x-pop--top").is_some(), "opens above the button");
    let r = m.q(".k12x-pop").unwrap().get_bounding_client_rect();
    let vh = web_sys::window().unwrap().inner_height().unwrap().as_f64().unwrap();
    assert!(r.bottom() <= vh && r.top() >= 0.0, "inside the viewport: {} .. {} of {vh}", r.top(), r.bottom());
    tall.remove();
}

#[cfg(feature = "embed")]
#[wasm_bindgen_test]
async fn mounted_in_a_shadow_root_its_dom_events_reach_the_host_and_start_begins_an_export() {
    let d = common::document();
    let host = d.create_element("div").unwrap();
    d.body().unwrap().append_child(&host).unwrap();
    let shadow = host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open)).unwrap();
    let frame = d.create_element("span").unwrap();
    shadow.append_child(&frame).unwrap();
    let seen = Rc::new(RefCell::new(Vec::<String>::new()));
    let listeners: Vec<_> = ["export-start", "export-error"]
        .into_iter()
        .map(|name| {
            let s = seen.clone();
            gloo_events::EventListener::new(&host, name, move |e| s.borrow_mut().push(e.type_()))
        })
        .collect();
    // The test server answers the export endpoint with a 404: the export starts, then fails.
    let options = js_sys::JSON::parse(&format!(r#"{{"config":{CONFIG},"data":{{"termId":1001}}}}"#)).unwrap();
    let mut handle = k12_export::embed::mount(frame.clone(), options).unwrap();
    // Drawn on the page's clock, in a task of its own.
    until(2000, "rendered inside the shadow root", || shadow.query_selector(".k12x-btn").unwrap().is_some()).await;
    handle.start().unwrap();
    until(5000, "start and failure reported on the host", || seen.borrow().len() == 2).await;
    assert_eq!(*seen.borrow(), ["export-start", "export-error"]);
    handle.destroy();
    drop(listeners);
    host.remove();
}

#[wasm_bindgen_test]
async fn in_a_shadow_root_one_click_starts_without_opening_the_popover() {
    // One click is one start: Yew must not see it twice through the shadow root's host.
    let script = stuck_at(20);
    let m = Mounted::in_shadow(props(&script)).await;
    m.click().await;
    until(1000, "exporting", || m.status() == "exporting").await;
    sleep(100).await;
    assert!(!m.popover_open(), "a click that starts the export opens nothing");
    assert_eq!(script.count(), 1);
}

/// A transport whose answers all arrive at once, in the one task that opens its gate (as a browser
/// may deliver the answers of a hundred buttons in one task).
struct Gate {
    open: js_sys::Promise,
    resolve: js_sys::Function,
    sent: std::cell::Cell<usize>,
}

impl Gate {
    fn new() -> Rc<Gate> {
        let mut resolve = None;
        let open = js_sys::Promise::new(&mut |r, _| resolve = Some(r));
        Rc::new(Gate { open, resolve: resolve.unwrap(), sent: std::cell::Cell::new(0) })
    }
}

impl k12_export::Transport for Gate {
    fn send(
        &self,
        _: k12_export::core::HttpRequest,
        _: Option<web_sys::AbortSignal>,
    ) -> k12_export::driver::OutcomeFuture {
        self.sent.set(self.sent.get() + 1);
        let open = wasm_bindgen_futures::JsFuture::from(self.open.clone());
        Box::pin(async move {
            let _ = open.await;
            HttpOutcome::ok(NOT_READY)
        })
    }
}

/// Lets the microtasks queued so far (and a few they queue) run: still in this task.
async fn microtasks() {
    for _ in 0..10 {
        let _ = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&JsValue::NULL)).await;
    }
}

#[wasm_bindgen_test]
async fn answers_that_arrive_in_one_task_are_handled_a_few_per_task_on_the_page_clock() {
    const N: usize = 40;
    let gate = Gate::new();
    let options = k12_export::Options::parse(&format!(r#"{{"config":{CONFIG}}}"#)).unwrap();
    let data = k12_export::core::json::Json::parse(r#"{"termId":1001,"termName":"2024春季班"}"#).unwrap();
    // Observers called since the last microtask checkpoint, and the most between two of them: the
    // page's clock runs its wake-ups in one call, so that is the most handled in one task.
    let run = Rc::new(std::cell::Cell::new(0usize));
    let (handled, most) = (Rc::new(std::cell::Cell::new(0usize)), Rc::new(std::cell::Cell::new(0usize)));
    let drivers: Vec<_> = (0..N)
        .map(|_| {
            let setup = options.resolve(&data, "K12作业统计-{termName}").unwrap();
            let (run, handled, most) = (run.clone(), handled.clone(), most.clone());
            let observer: k12_export::driver::Observer<k12_export::core::Machine> = Rc::new(move |_, _| {
                handled.set(handled.get() + 1);
                if run.get() == 0 {
                    let run = run.clone();
                    let f = Closure::once_into_js(move || run.set(0));
                    let queue = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("queueMicrotask")).unwrap();
                    queue.unchecked_into::<js_sys::Function>().call1(&JsValue::NULL, &f).unwrap();
                }
                run.set(run.get() + 1);
                most.set(most.get().max(run.get()));
            });
            k12_export::Driver::new(setup, gate.clone(), observer)
        })
        .collect();
    for d in &drivers {
        d.start();
    }
    assert_eq!(gate.sent.get(), N, "every driver sent its start request");
    microtasks().await;
    handled.set(0);
    most.set(0);
    // Every answer arrives in this task; its microtasks run before this test goes on.
    gate.resolve.call0(&JsValue::NULL).unwrap();
    microtasks().await;
    let in_that_task = handled.get();
    let start = js_sys::Date::now();
    while handled.get() < N && js_sys::Date::now() - start < 5000.0 {
        sleep(10).await;
    }
    let all_handled = handled.get() >= N;
    // Stopped before anything is asserted: a failed test does not unwind, and forty drivers
    // left polling would slow the tests after it.
    drop(drivers);
    assert_eq!(in_that_task, 0, "no answer is handled in the task that brought it");
    assert!(all_handled, "every answer handled: {} of {N}", handled.get());
    let batch = k12_export::driver::page::BATCH as usize;
    assert!(most.get() <= batch, "at most {batch} answers handled in one task, not {}", most.get());
}
