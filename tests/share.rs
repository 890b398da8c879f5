//! One export across tabs, the wiring: shares of one job in this page talk through the real Web
//! Locks and the page's channel hub (buttons of one page hear each other, as tabs do). What each
//! tab decides is the core's coordinator (natively tested with a simulated browser); here, that
//! the page carries it out.
#![cfg(target_arch = "wasm32")]
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use common::*;
use k12_export::core::share::{CHANNEL, CLAIM_GRACE_MS};
use k12_export::core::{Download, Event, Stage, Status, View};
use k12_export::driver::share::{supported, Share};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const GRACE: u32 = CLAIM_GRACE_MS as u32;

/// What a button was told to show, in order.
type Shown = Rc<RefCell<Vec<(View, Vec<Event>)>>>;

/// One tab's button as the share sees it: what it showed, how often its machine was started and
/// stopped.
struct Tab {
    share: Rc<RefCell<Option<Share>>>,
    shown: Shown,
    starts: Rc<Cell<usize>>,
    cancels: Rc<Cell<usize>>,
}

fn key() -> String {
    format!("k12-export:test-{}", (js_sys::Math::random() * 1e12) as u64)
}

fn running(pct: u8) -> View {
    View {
        status: Status::Exporting,
        stage: Stage::Running,
        filename: "f.xlsx".into(),
        percent: Some(pct),
        ..View::default()
    }
}

/// Runs `body` as a page script (a same-origin page of the site, in the tests).
fn script(body: &str) -> JsValue {
    js_sys::Function::new_no_args(body).call0(&JsValue::NULL).unwrap()
}

impl Tab {
    /// A tab whose machine, when started, reports a running export at once (as the real one does
    /// through its observer), and when stopped, reports idle.
    fn new(key: &str) -> Tab {
        let share: Rc<RefCell<Option<Share>>> = Rc::new(RefCell::new(None));
        let shown = Rc::new(RefCell::new(Vec::new()));
        let starts = Rc::new(Cell::new(0));
        let (s, n) = (shown.clone(), starts.clone());
        let show = Rc::new(move |v: View, e: Vec<Event>| s.borrow_mut().push((v, e)));
        let weak = Rc::downgrade(&share);
        let start = Rc::new(move || {
            n.set(n.get() + 1);
            if let Some(cell) = weak.upgrade() {
                if let Some(share) = cell.borrow().as_ref() {
                    share.observe(&running(0), &[Event::Started]);
                }
            }
        });
        let idle = View { filename: "f.xlsx".into(), ..View::default() };
        let cancels = Rc::new(Cell::new(0));
        let (c, weak, stopped) = (cancels.clone(), Rc::downgrade(&share), idle.clone());
        let stop = Rc::new(move || {
            c.set(c.get() + 1);
            if let Some(cell) = weak.upgrade() {
                if let Some(share) = cell.borrow().as_ref() {
                    share.observe(&stopped, &[Event::Cancelled]);
                }
            }
        });
        *share.borrow_mut() = Share::new(key.to_owned(), idle, 600_000.0, show, start, stop);
        assert!(share.borrow().is_some());
        Tab { share, shown, starts, cancels }
    }

    fn with<R>(&self, f: impl FnOnce(&Share) -> R) -> R {
        f(self.share.borrow().as_ref().unwrap())
    }

    fn last(&self) -> View {
        self.shown.borrow().last().map(|(v, _)| v.clone()).unwrap_or_default()
    }

    fn events(&self) -> Vec<Event> {
        self.shown.borrow().iter().flat_map(|(_, e)| e.clone()).collect()
    }

    /// A click here, with no other tab running the job: this tab leads it.
    async fn leads(&self) {
        self.with(Share::click);
        until(2000, "the tab leads", || self.with(Share::leading)).await;
    }

    /// This tab's machine reports `view`.
    fn reports(&self, view: &View) {
        self.with(|s| s.observe(view, &[]));
    }

    fn close(&self) {
        drop(self.share.borrow_mut().take());
    }
}

/// Two tabs of one job: the first leads it at `pct`, the second follows it there.
async fn leading_and_following(pct: u8) -> (Tab, Tab) {
    let k = key();
    let (a, b) = (Tab::new(&k), Tab::new(&k));
    a.leads().await;
    a.reports(&running(pct));
    until(2000, "the second follows at the first's percent", || b.last().percent == Some(pct)).await;
    (a, b)
}

#[wasm_bindgen_test]
async fn the_second_button_follows_the_first_and_never_starts() {
    // Every engine the tests run in (Chromium, Firefox, WebKitGTK) has both.
    assert!(supported(), "Web Locks and BroadcastChannel");
    let k = key();
    let (a, b) = (Tab::new(&k), Tab::new(&k));
    a.leads().await;
    assert_eq!(a.starts.get(), 1);
    until(2000, "the second follows", || b.with(Share::following)).await;
    a.reports(&running(40));
    until(2000, "the second shows 40%", || b.last().percent == Some(40)).await;
    assert_eq!(b.last().status, Status::Exporting);
    // A click in the following tab starts nothing.
    b.with(Share::click);
    sleep(100).await;
    assert_eq!(b.starts.get(), 0);
    let done = View {
        status: Status::Done,
        download: Some(Download { url: Some("https://h/f.xlsx".into()), filename: "f.xlsx".into() }),
        ..running(100)
    };
    a.reports(&done);
    until(2000, "the second shows the end", || b.last().status == Status::Done).await;
    assert!(!b.with(Share::following) && !a.with(Share::leading));
    assert!(b.events().contains(&Event::Started));
    assert!(!b.events().iter().any(|e| matches!(e, Event::Done { .. })), "no download in the follower");
    // The lock was let go and the follower left its queue: nobody takes over.
    sleep(GRACE + 200).await;
    assert_eq!((a.starts.get(), b.starts.get()), (1, 0));
    a.close();
    b.close();
}

#[wasm_bindgen_test]
async fn a_page_opened_during_an_export_shows_it_busy() {
    let k = key();
    let a = Tab::new(&k);
    a.leads().await;
    a.reports(&running(25));
    let b = Tab::new(&k); // asks who runs the job; the leader answers
    until(2000, "the late page follows at 25%", || b.last().percent == Some(25)).await;
    assert_eq!(b.starts.get(), 0);
    a.close();
    b.close();
}

#[wasm_bindgen_test]
async fn when_the_leader_goes_away_mid_export_one_follower_takes_over() {
    let k = key();
    let (a, b, c) = (Tab::new(&k), Tab::new(&k), Tab::new(&k));
    a.leads().await;
    a.reports(&running(30));
    until(2000, "both follow", || b.with(Share::following) && c.with(Share::following)).await;
    a.close(); // its tab closed: the lock goes without an end
    until(3000, "one follower took over", || b.starts.get() + c.starts.get() == 1).await;
    sleep(GRACE + 300).await;
    assert_eq!(b.starts.get() + c.starts.get(), 1, "exactly one follower took over");
    let (leader, other) = if b.starts.get() == 1 { (&b, &c) } else { (&c, &b) };
    assert!(leader.with(Share::leading));
    assert!(other.with(Share::following), "the other one follows the new leader");
    leader.reports(&running(70));
    until(2000, "the other sees the new leader's 70%", || other.last().percent == Some(70)).await;
    leader.close();
    other.close();
}

#[wasm_bindgen_test]
async fn an_unmounted_follower_does_not_take_over() {
    let k = key();
    let (a, b) = (Tab::new(&k), Tab::new(&k));
    a.leads().await;
    until(2000, "the second follows", || b.with(Share::following)).await;
    b.close();
    a.close();
    sleep(GRACE + 300).await;
    assert_eq!(b.starts.get(), 0);
    // The lock is free again: a new click leads at once.
    let d = Tab::new(&k);
    d.leads().await;
    d.close();
}

#[wasm_bindgen_test]
async fn stopped_by_its_user_in_the_leading_tab_the_followers_stop_too() {
    let (a, b) = leading_and_following(50).await;
    a.with(Share::cancel);
    assert_eq!(a.cancels.get(), 1, "the machine stopped");
    until(2000, "the second idle again", || b.last().status == Status::Idle).await;
    assert!(b.events().contains(&Event::Cancelled), "the second says it was cancelled");
    sleep(GRACE + 300).await;
    assert_eq!(b.starts.get(), 0, "nobody took the cancelled export over");
    assert!(!b.with(Share::following));
    a.close();
    b.close();
}

#[wasm_bindgen_test]
async fn a_cancel_in_a_following_tab_cancels_the_one_export() {
    let (a, b) = leading_and_following(20).await;
    b.with(Share::cancel);
    until(2000, "the leading tab cancelled its export", || a.cancels.get() == 1).await;
    until(2000, "the second idle again", || b.last().status == Status::Idle).await;
    sleep(GRACE + 300).await;
    assert_eq!((a.starts.get(), b.starts.get(), b.cancels.get()), (1, 0, 0), "nobody took the export over");
    assert!(!b.with(Share::following) && !a.with(Share::leading));
    a.close();
    b.close();
}

#[wasm_bindgen_test]
async fn a_following_tabs_cancel_frees_its_button_at_once_even_when_nobody_answers() {
    let k = key();
    // Another page of the site holds the job's lock and says nothing (frozen by a dialog).
    script(&format!("navigator.locks.request('{k}', () => new Promise((r) => (window.k12xRelease = r)))"));
    sleep(50).await;
    let b = Tab::new(&k);
    b.with(Share::click);
    until(2000, "the second follows the silent holder", || b.with(Share::following)).await;
    assert_eq!(b.last().status, Status::Exporting);
    b.with(Share::cancel);
    assert_eq!(b.last().status, Status::Idle, "idle at once");
    assert!(!b.with(Share::following));
    script("window.k12xRelease()");
    sleep(GRACE + 300).await;
    assert_eq!(b.starts.get(), 0, "the lock freed later, nothing started");
    b.close();
}

/// The channel is the whole site's: another job's messages, junk, views that are not views, and
/// a view of this job while nobody holds its lock change nothing; this job's view while its lock
/// is held is followed — and a script link in what the channel says is never shown.
#[wasm_bindgen_test]
async fn only_this_jobs_messages_are_heard_and_none_is_trusted() {
    let (k, other) = (key(), key());
    let b = Tab::new(&k);
    let channel = web_sys::BroadcastChannel::new(CHANNEL).unwrap();
    let view = r#"[1,1,"x.xlsx",40,null,false,null,null,null,false,null,null,null]"#;
    let message = |key: &str, kind: &str, view: &str| format!(r#"{{"key":"{key}","type":"{kind}","view":{view}}}"#);
    for junk in [
        message(&other, "view", view),
        message(&k, "launch", view),
        message(&k, "view", r#"[1,1,"x.xlsx",400]"#),
        message(&k, "view", r#"{"status":1}"#),
        message(&k, "end", "null"),
        // A job said to run, whose lock nobody holds: no tab follows it, or starts it.
        message(&k, "view", view),
        String::new(),
        "null".into(),
        "{}".into(),
        r#"["view"]"#.into(),
        format!(r#"{{"key":"{k}","type":"view","view":{view},"pad":"{}"}}"#, "x".repeat(40_000)),
    ] {
        channel.post_message(&JsValue::from_str(&junk)).unwrap();
    }
    channel.post_message(&js_sys::Object::new()).unwrap();
    sleep(300).await;
    assert!(!b.with(Share::following), "nothing followed");
    assert!(b.shown.borrow().is_empty(), "nothing shown");
    assert_eq!(b.starts.get(), 0);
    // Now a page holds the lock: the job runs somewhere, and its view is followed.
    script(&format!("navigator.locks.request('{k}', () => new Promise((r) => (window.k12xRelease2 = r)))"));
    sleep(50).await;
    channel.post_message(&JsValue::from_str(&message(&k, "view", view))).unwrap();
    until(2000, "this job's view is followed", || b.last().percent == Some(40)).await;
    assert_eq!(b.last().filename, "x.xlsx");
    // Its end with a script link: shown done, without the link.
    let end = r#"[2,1,"x.xlsx",100,null,false,null,null,null,true,"javascript:alert(1)","x.xlsx",null]"#;
    channel.post_message(&JsValue::from_str(&message(&k, "end", end))).unwrap();
    until(2000, "the end is shown", || b.last().status == Status::Done).await;
    assert_eq!(b.last().download, None, "no link that is not a safe absolute http(s) URL");
    script("window.k12xRelease2()");
    sleep(GRACE + 300).await;
    assert_eq!(b.starts.get(), 0);
    b.close();
    channel.close();
}
