//! ExportHistory in a real browser, with a scripted MinApp list.
#![cfg(all(target_arch = "wasm32", feature = "backends"))]
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::cell::Cell;
use std::rc::Rc;

use common::*;
use k12_export::components::{ExportHistory, ExportHistoryProps};
use k12_export::{Options, Transport, TransportRef};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use yew::AppHandle;

wasm_bindgen_test_configure!(run_in_browser);

fn job(id: &str, status: &str, url: &str) -> String {
    let url = if url.is_empty() { "null".to_owned() } else { format!("\"{url}\"") };
    format!(
        r#"{{"created_at":1714528800,"download_url":{url},"file_name":"{id}.csv","file_type":"csv","job_id":"{id}","operation":"export","status":"{status}","updated_at":1714528800}}"#
    )
}

fn list(jobs: &[String]) -> String {
    format!(
        r#"{{"meta":{{"limit":20,"next":null,"offset":0,"previous":null,"total_count":{}}},"objects":[{}]}}"#,
        jobs.len(),
        jobs.join(",")
    )
}

struct Panel {
    root: web_sys::Element,
    app: Option<AppHandle<ExportHistory>>,
}

impl Panel {
    async fn new(script: &Rc<Script>, options: &str) -> Panel {
        let root = container();
        let props = ExportHistoryProps {
            options: Options::parse(options).unwrap(),
            labels: Default::default(),
            title: None,
            refresh_key: 0,
            transport: Some(TransportRef(script.clone() as Rc<dyn Transport>)),
        };
        let app = yew::Renderer::<ExportHistory>::with_root_and_props(root.clone(), props).render();
        yew::scheduler::flush().await;
        Panel { root, app: Some(app) }
    }

    fn items(&self) -> Vec<(String, String)> {
        let list = self.root.query_selector_all(".k12x-history-item").unwrap();
        (0..list.length())
            .map(|i| {
                let e: web_sys::Element = list.item(i).unwrap().dyn_into().unwrap();
                let title = e.query_selector(".k12x-history-title").unwrap().unwrap().text_content().unwrap();
                (title, e.get_attribute("data-state").unwrap())
            })
            .collect()
    }

    async fn unmount(&mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
        }
        yew::scheduler::flush().await;
    }
}

const MINAPP: &str = r#"{"protocol":"minapp","tableId":1,"historyRefreshMs":300}"#;

#[wasm_bindgen_test]
async fn lists_jobs_refreshes_while_one_runs_and_stops_when_none_does() {
    let polls = Rc::new(Cell::new(0));
    let p = polls.clone();
    let script = Script::new(move |_, n| {
        p.set(n + 1);
        let running = if n < 2 { "ready" } else { "finish" };
        ok(&list(&[job("J2", running, if n < 2 { "" } else { "/files/j2.csv" }), job("J1", "finish", "/files/j1.csv")]))
    });
    let mut panel = Panel::new(&script, MINAPP).await;
    until(3000, "the list", || panel.items().len() == 2).await;
    assert_eq!(panel.items()[0], ("J2.csv".to_owned(), "running".to_owned()));
    assert!(panel.root.query_selector("[role=progressbar]").unwrap().is_some(), "a bar for the running job");
    until(5000, "J2 done", || panel.items()[0].1 == "done").await;
    let n = polls.get();
    sleep(1500).await;
    assert_eq!(polls.get(), n, "no refresh once nothing runs");
    assert!(script.urls()[0].starts_with("/userve/v1.5/table/1/export/"));
    panel.unmount().await;
}

#[wasm_bindgen_test]
async fn re_download_clicks_the_file_link() {
    let spy = DownloadSpy::new();
    let script = Script::new(|_, _| ok(&list(&[job("J1", "finish", "/files/j1.csv")])));
    let panel = Panel::new(&script, MINAPP).await;
    until(3000, "the list", || panel.items().len() == 1).await;
    let button: web_sys::HtmlElement =
        panel.root.query_selector(".k12x-history-download").unwrap().unwrap().dyn_into().unwrap();
    assert_eq!(button.get_attribute("aria-label").as_deref(), Some("下载 J1.csv"));
    button.click();
    until(3000, "download", || !spy.seen.borrow().is_empty()).await;
    assert!(spy.seen.borrow()[0].0.ends_with("/files/j1.csv"));
    assert_eq!(spy.seen.borrow()[0].1, "J1.csv");
}

#[wasm_bindgen_test]
async fn a_failing_list_shows_an_alert_and_keeps_nothing_polling() {
    let script =
        Script::new(|_, _| Some((k12_export::core::HttpOutcome::status(404, r#"{"error_msg":"table not found"}"#), 1)));
    let panel = Panel::new(&script, MINAPP).await;
    until(3000, "alert", || panel.root.query_selector("[role=alert]").unwrap().is_some()).await;
    let text = panel.root.query_selector("[role=alert]").unwrap().unwrap().text_content().unwrap();
    assert!(text.starts_with("导出记录加载失败"), "{text}");
    let n = script.count();
    sleep(1000).await;
    assert_eq!(script.count(), n);
}

#[wasm_bindgen_test]
async fn k12_has_no_history_and_says_so() {
    let script = Script::new(|_, _| None);
    let panel = Panel::new(&script, &format!(r#"{{"config":{CONFIG}}}"#)).await;
    let text = panel.root.query_selector("[role=alert]").unwrap().unwrap().text_content().unwrap();
    assert!(text.contains("options.protocol"), "{text}");
    assert_eq!(script.count(), 0);
}

#[wasm_bindgen_test]
async fn unmounting_stops_the_auto_refresh() {
    let script = Script::new(|_, _| ok(&list(&[job("J9", "pending", "")])));
    let mut panel = Panel::new(&script, MINAPP).await;
    until(3000, "refreshing", || script.count() >= 2).await;
    panel.unmount().await;
    let n = script.count();
    sleep(1500).await;
    assert_eq!(script.count(), n, "no request after unmount");
}
