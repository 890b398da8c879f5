//! One export across tabs, the wiring: two shares of one job in this page talk through the real
//! Web Locks and BroadcastChannel (a page's own channels hear each other, as tabs do).
#![cfg(target_arch = "wasm32")]
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use common::*;
use k12_export::core::{Download, Event, Stage, Status, View};
use k12_export::driver::share::{supported, Share, CHANNEL, TAKE_OVER_GRACE_MS};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// What a button was told to show, in order.
type Shown = Rc<RefCell<Vec<(View, Vec<Event>)>>>;

/// One tab's button as the share sees it: what it showed, how often its machine was started.
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

impl Tab {
    /// A tab whose machine, when started, reports a running export at once (as the real one does
    /// through its observer).
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
                    share.observe(&running(0));
                }
            }
        });
        let idle = View { filename: "f.xlsx".into(), ..View::default() };
        // Cancelled, the machine stops: its owner's view goes idle (as the real observer reports).
        let cancels = Rc::new(Cell::new(0));
        let (c, weak, stopped) = (cancels.clone(), Rc::downgrade(&share), idle.clone());
        let cancel = Rc::new(move || {
            c.set(c.get() + 1);
            if let Some(cell) = weak.upgrade() {
                if let Some(share) = cell.borrow().as_ref() {
                    share.observe(&stopped);
                }
            }
        });
        *share.borrow_mut() = Share::new(key.to_owned(), idle, show, start, cancel);
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

    fn close(&self) {
        drop(self.share.borrow_mut().take());
    }
}

/// Two tabs of one job: the first leads it at `pct`, the second follows it there.
async fn leading_and_following(pct: u8) -> (Tab, Tab) {
    let k = key();
    let (a, b) = (Tab::new(&k), Tab::new(&k));
    a.leads().await;
    a.with(|s| s.observe(&running(pct)));
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
    a.with(|s| s.observe(&running(40)));
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
    a.with(|s| s.observe(&done));
    until(2000, "the second shows the end", || b.last().status == Status::Done).await;
    assert!(!b.with(Share::following) && !a.with(Share::leading));
    assert!(b.events().contains(&Event::Started));
    assert!(!b.events().iter().any(|e| matches!(e, Event::Done { .. })), "no download in the follower");
    // The lock was let go and the follower left its queue: nobody takes over.
    sleep(TAKE_OVER_GRACE_MS + 200).await;
    assert_eq!((a.starts.get(), b.starts.get()), (1, 0));
    a.close();
    b.close();
}

#[wasm_bindgen_test]
async fn a_page_opened_during_an_export_shows_it_busy() {
    let k = key();
    let a = Tab::new(&k);
    a.leads().await;
    a.with(|s| s.observe(&running(25)));
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
    a.with(|s| s.observe(&running(30)));
    until(2000, "both follow", || b.with(Share::following) && c.with(Share::following)).await;
    a.close(); // its tab closed: the lock goes without an end
    until(3000, "one follower took over", || b.starts.get() + c.starts.get() == 1).await;
    sleep(TAKE_OVER_GRACE_MS + 300).await;
    assert_eq!(b.starts.get() + c.starts.get(), 1, "exactly one follower took over");
    let (leader, other) = if b.starts.get() == 1 { (&b, &c) } else { (&c, &b) };
    assert!(leader.with(Share::leading));
    assert!(other.with(Share::following), "the other one follows the new leader");
    leader.with(|s| s.observe(&running(70)));
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
    sleep(TAKE_OVER_GRACE_MS + 300).await;
    assert_eq!(b.starts.get(), 0);
    // The lock is free again: a new click leads at once.
    let d = Tab::new(&k);
    d.leads().await;
    d.close();
}

#[wasm_bindgen_test]
async fn stopped_by_its_user_in_the_leading_tab_the_followers_stop_too() {
    let (a, b) = leading_and_following(50).await;
    // Stopped without an end, the page still shown: a cancel, not a page left.
    a.with(|s| s.observe(&View { filename: "f.xlsx".into(), ..View::default() }));
    until(2000, "the second idle again", || b.last().status == Status::Idle).await;
    sleep(TAKE_OVER_GRACE_MS + 300).await;
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
    sleep(TAKE_OVER_GRACE_MS + 300).await;
    assert_eq!((a.starts.get(), b.starts.get(), b.cancels.get()), (1, 0, 0), "nobody took the export over");
    assert!(!b.with(Share::following) && !a.with(Share::leading));
    a.close();
    b.close();
}

/// The channel is the whole site's: another job's messages, junk, and views that are not views
/// change nothing; this job's view, in the text every version sends, is followed.
#[wasm_bindgen_test]
async fn only_this_jobs_messages_are_heard() {
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
        String::new(),
        "null".into(),
        "{}".into(),
        r#"["view"]"#.into(),
    ] {
        channel.post_message(&JsValue::from_str(&junk)).unwrap();
    }
    channel.post_message(&js_sys::Object::new()).unwrap();
    sleep(300).await;
    assert!(!b.with(Share::following), "nothing followed");
    assert!(b.shown.borrow().is_empty(), "nothing shown");
    channel.post_message(&JsValue::from_str(&message(&k, "view", view))).unwrap();
    until(2000, "this job's view is followed", || b.last().percent == Some(40)).await;
    assert_eq!(b.last().filename, "x.xlsx");
    b.close();
    channel.close();
}
