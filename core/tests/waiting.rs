//! Cancel, a job the server cancelled, and honest waiting (the stalled time), driven through the
//! machine with the sans-IO clock.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use k12_export_core::*;

/// The K12 options of these tests.
fn k12() -> String {
    k12_options(r#"{"termId":1001}"#, r#","filename":"K12作业统计""#)
}

const NOT_READY: &str = r#"{"code":0,"message":"","result":{"url":null,"filename":null}}"#;

fn progress(loaded: i64, total: i64) -> String {
    format!(
        r#"{{"code":0,"message":"","result":{{"retCode":0,"loaded":{loaded},"total":{total},"message":"","data":"","extra":{{}}}}}}"#
    )
}

/// A K12 export past its start answer, polling.
fn running() -> World {
    let mut w = World::new(&k12());
    w.click();
    w.answer(NOT_READY);
    w
}

/// Polls (waiting for each timer) answering `body` until `until_ms`.
fn poll_until(w: &mut World, until_ms: f64, body: &str) {
    while w.now < until_ms {
        w.wait();
        w.answer(body);
    }
}

// ---- cancel --------------------------------------------------------------------------------

#[test]
fn cancel_mid_export_is_idle_at_once_and_a_late_answer_downloads_nothing() {
    let mut w = running();
    w.wait();
    let polling = w.last().0;
    w.input(Input::Cancel);
    assert_eq!(w.aborted, [polling], "the poll in flight is aborted");
    assert_eq!(w.status(), Status::Idle);
    assert_eq!(w.view().percent, None);
    assert_eq!(w.m.poll_timeout(), None, "polling stopped");
    assert_eq!(w.events.last(), Some(&Event::Cancelled));
    // The aborted poll's answer arrives anyway, with the file: ignored.
    w.now += 500.0;
    w.input(Input::Response { id: polling, outcome: HttpOutcome::ok(r#"{"code":0,"result":{"url":"/f.xlsx"}}"#) });
    assert!(w.downloads.is_empty());
    assert_eq!(w.status(), Status::Idle);
    assert_eq!(w.sent.len(), 2, "nothing more was asked");
}

#[test]
fn cancel_when_nothing_runs_says_nothing() {
    let mut w = World::new(&k12());
    w.input(Input::Cancel);
    assert!(w.events.is_empty());
    assert_eq!(w.status(), Status::Idle);
}

#[cfg(feature = "backends")]
#[test]
fn a_job_the_server_cancelled_ends_cancelled_not_failed() {
    let mut w = World::new(
        r#"{"protocol":"export-service","baseUrl":"http://s","title":"成绩","userId":"1",
        "sourceRaw":[{"a":"A"}]}"#,
    );
    w.click();
    w.answer(r#"{"errcode":0,"data":{"hash_key":"k"}}"#);
    w.wait();
    w.answer(r#"{"errcode":0,"data":{"hash_key":"k","status":4,"fail_reason":"管理员取消了任务"}}"#);
    assert_eq!(w.cancelled().detail.as_deref(), Some("管理员取消了任务"));
    assert_eq!(w.events.last(), Some(&Event::Cancelled));
    assert!(!w.events.iter().any(|e| matches!(e, Event::Failed(_))), "not reported as a failure");
    assert_eq!(w.m.poll_timeout(), None);
    // The button is ready again: a click starts a new job.
    w.click();
    assert_eq!(w.status(), Status::Exporting);
}

// ---- honest waiting ------------------------------------------------------------------------

#[test]
fn progress_standing_still_shows_the_waited_time_and_hides_the_estimate() {
    let mut w = running();
    w.now = 4_000.0;
    w.wait();
    w.answer(&progress(10, 100));
    w.wait();
    w.answer(&progress(20, 100));
    assert!(w.view().eta_secs.is_some(), "a steady rate gives an estimate");
    let moved = w.now;
    // The same 20 % over and over: not stalled before 15 s.
    poll_until(&mut w, moved + STALL_AFTER_MS - 3_000.0, &progress(20, 100));
    assert_eq!(w.view().stalled_secs, None);
    poll_until(&mut w, moved + 80_000.0, &progress(20, 100));
    let s = w.view().stalled_secs.expect("stalled");
    assert!((80..=83).contains(&s), "{s}");
    assert_eq!(s, ((w.now - moved) / 1000.0) as u32, "whole seconds since the last move");
    assert_eq!(w.view().eta_secs, None, "no old estimate while stalled");
    assert_eq!(w.view().percent, Some(20), "the bar keeps its place");
    // Progress moves again: not stalled any more.
    w.wait();
    w.answer(&progress(21, 100));
    assert_eq!(w.view().stalled_secs, None);
}

#[test]
fn a_job_without_numbers_counts_from_its_last_stage_change() {
    let mut w = running();
    let started = w.now;
    poll_until(&mut w, started + 20_000.0, r#"{"code":0,"result":null}"#);
    assert_eq!(w.view().percent, None, "indeterminate");
    let s = w.view().stalled_secs.expect("an indeterminate job waits too");
    // From its first answer without numbers (the bar turned indeterminate then), a poll after the start.
    let elapsed = ((w.now - started) / 1000.0) as u32;
    assert!(s <= elapsed && s + 2 >= elapsed, "{s} of {elapsed}");
}

#[test]
fn waiting_through_retries_is_still_counted_and_cleared_at_the_end() {
    let mut w = running();
    let started = w.now;
    poll_until(&mut w, started + 16_000.0, NOT_READY);
    assert!(w.view().stalled_secs.is_some());
    w.wait();
    w.answer_status(502, "");
    assert!(w.view().retrying);
    assert!(w.view().stalled_secs.unwrap() >= 16);
    w.wait();
    w.answer(r#"{"code":0,"result":{"url":"/f.xlsx"}}"#);
    assert_eq!(w.status(), Status::Done);
    assert_eq!(w.view().stalled_secs, None);
}

#[test]
fn a_failure_while_stalled_clears_the_stalled_time() {
    let mut w = running();
    let started = w.now;
    poll_until(&mut w, started + 16_000.0, NOT_READY);
    w.wait();
    w.answer(r#"{"code":1,"message":"数据太多"}"#);
    assert_eq!(w.status(), Status::Failed);
    assert_eq!(w.view().stalled_secs, None);
}

// ---- in-app browsers -----------------------------------------------------------------------

#[test]
fn held_downloads_end_done_with_the_link_and_no_download_command() {
    let setup = ExportSetup::from_json(&options(&k12()), &[]).unwrap();
    let settings = Settings { hold_downloads: true, ..setup.settings };
    let mut w = World::of(Machine::new(setup.adapter, settings, setup.filename));
    w.click();
    w.answer(r#"{"code":0,"result":{"url":"https://files.example/a.xlsx","filename":"a.xlsx"}}"#);
    assert_eq!(w.status(), Status::Done);
    assert!(w.downloads.is_empty(), "nothing handed to the browser");
    let d = w.view().download.clone().expect("the link is kept");
    assert_eq!(d.url.as_deref(), Some("https://files.example/a.xlsx"));
    assert!(w.events.iter().any(|e| matches!(e, Event::Done { url: Some(_), .. })));
}

// ---- links ---------------------------------------------------------------------------------

#[test]
fn a_relative_link_is_made_absolute_against_the_page_for_the_download_the_view_and_the_event() {
    let setup = ExportSetup::from_json(&options(&k12()), &[]).unwrap();
    let base = "https://admin.school.cn/k12/homework.html?term=1001#list".to_owned();
    for (hold, given, absolute) in [
        (false, "/files/a1.xlsx", "https://admin.school.cn/files/a1.xlsx"),
        (true, "files/a1.xlsx", "https://admin.school.cn/k12/files/a1.xlsx"),
        (false, "https://oss.example/a1.xlsx?Signature=x", "https://oss.example/a1.xlsx?Signature=x"),
    ] {
        let setup = ExportSetup::from_json(&options(&k12()), &[]).unwrap();
        let settings = Settings { hold_downloads: hold, base: base.clone(), ..setup.settings };
        let mut w = World::of(Machine::new(setup.adapter, settings, setup.filename));
        w.click();
        w.answer(&format!(r#"{{"code":0,"result":{{"url":"{given}","filename":"a.xlsx"}}}}"#));
        assert_eq!(w.status(), Status::Done);
        assert_eq!(w.view().download.as_ref().and_then(|d| d.url.as_deref()), Some(absolute), "{given}");
        assert!(w.events.iter().any(|e| matches!(e, Event::Done { url: Some(u), .. } if u == absolute)), "{given}");
        let downloaded: Vec<&str> = w.downloads.iter().map(|(u, _)| u.as_str()).collect();
        assert_eq!(downloaded, if hold { vec![] } else { vec![absolute] }, "{given}");
    }
    // Without a base (outside a page), the link stays as the server gave it.
    let mut w = World::of(Machine::new(setup.adapter, setup.settings, setup.filename));
    w.click();
    w.answer(r#"{"code":0,"result":{"url":"/files/a1.xlsx"}}"#);
    assert_eq!(w.view().download.as_ref().and_then(|d| d.url.as_deref()), Some("/files/a1.xlsx"));
}
