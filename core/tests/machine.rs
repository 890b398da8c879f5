//! The export machine driven through every rule of the K12 protocol, natively and in milliseconds.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use k12_export_core::*;

/// The K12 options of these tests, with `extra` fields appended.
fn k12(extra: &str) -> String {
    k12_options(
        r#"{"termId":1001,"termName":"2024春季班"}"#,
        &[r#","filename":"K12作业统计-{termName}""#, extra].concat(),
    )
}

/// K12 progress answers.
trait Progress {
    /// Answers the last request with `loaded` of `total`.
    fn progress(&mut self, loaded: i64, total: i64);
    /// Waits for the next poll and answers it with `loaded` of `total`: the percent then shown.
    fn percent_after(&mut self, loaded: i64, total: i64) -> Option<u8>;
}

impl Progress for World {
    fn progress(&mut self, loaded: i64, total: i64) {
        self.answer(&format!(r#"{{"code":0,"message":"","result":{{"retCode":0,"loaded":{loaded},"total":{total},"message":"","data":"","extra":{{}}}}}}"#));
    }

    fn percent_after(&mut self, loaded: i64, total: i64) -> Option<u8> {
        self.wait();
        self.progress(loaded, total);
        self.view().percent
    }
}

/// The export just clicked: the start request is in flight.
fn started() -> World {
    World::clicked(&k12(""))
}

/// The start answered "not ready yet": the export is running, the first poll scheduled.
fn running() -> World {
    let mut w = started();
    w.answer(NOT_READY);
    w
}

/// The first progress request in flight.
fn polling() -> World {
    let mut w = running();
    w.wait();
    w
}

const NOT_READY: &str = r#"{"code":0,"message":"","result":{"url":null,"filename":null}}"#;
const START: &str = "/j/org/1001/homework/export";
const PROGRESS: &str = "/j/org/1001/homework/export/process";

fn ready(url: &str) -> String {
    format!(r#"{{"code":0,"message":"","result":{{"url":"{url}","filename":"K12作业统计-2024春季班.xlsx"}}}}"#)
}

// ---- the $export flow -----------------------------------------------------------------------

#[test]
fn click_calls_the_start_endpoint_with_the_data() {
    let w = started();
    assert_eq!(w.sent.len(), 1);
    assert_eq!(w.last().1.method, Method::Get);
    assert_eq!(w.last_url(), "/j/org/1001/homework/export?termName=2024%E6%98%A5%E5%AD%A3%E7%8F%AD");
    assert_eq!(w.view().status, Status::Exporting);
    assert_eq!(w.view().stage, Stage::Starting);
    assert_eq!(w.view().percent, Some(0));
    assert_eq!(w.events[0], Event::Started);
}

#[test]
fn full_flow_start_poll_then_url_then_download() {
    let mut w = running();
    assert_eq!(w.view().stage, Stage::Running);
    w.wait();
    assert!(w.last_url().starts_with(PROGRESS));
    w.progress(10, 49);
    assert_eq!(w.view().percent, Some(20));
    w.wait();
    w.progress(49, 49);
    // loaded/total >= 1: the url endpoint is asked at once, without waiting for a timer.
    assert!(w.last_url().starts_with(START));
    assert_eq!(w.view().stage, Stage::Generating);
    assert_eq!(w.view().percent, Some(99));
    w.answer(&ready("http://127.0.0.1:8080/files/abc"));
    assert_eq!(w.downloads, [("http://127.0.0.1:8080/files/abc".to_owned(), "K12作业统计-2024春季班.xlsx".to_owned())]);
    assert_eq!(w.view().status, Status::Done);
    assert_eq!(w.view().percent, Some(100));
    assert_eq!(w.m.poll_timeout(), None, "nothing left scheduled");
    assert!(matches!(w.events.last(), Some(Event::Done { .. })));
}

#[test]
fn url_in_the_first_start_answer_downloads_at_once_with_no_progress_request() {
    let mut w = started();
    w.answer(&ready("/files/x"));
    assert_eq!(w.sent.len(), 1, "only the start request");
    assert_eq!(w.downloads.len(), 1);
    assert_eq!(w.view().status, Status::Done);
}

#[test]
fn second_click_while_exporting_sends_no_request() {
    let mut w = started();
    for _ in 0..5 {
        w.click();
    }
    assert_eq!(w.sent.len(), 1);
    assert_eq!(w.events.iter().filter(|e| **e == Event::Started).count(), 1);
}

#[test]
fn a_new_click_after_done_starts_afresh() {
    let mut w = started();
    w.answer(&ready("/files/x"));
    w.click();
    assert_eq!(w.sent.len(), 2);
    assert_eq!(w.view().status, Status::Exporting);
    assert_eq!(w.view().percent, Some(0));
    assert_eq!(w.view().download, None);
}

// ---- convention A --------------------------------------------------------------------------

#[test]
fn convention_a_total_is_n_plus_one_and_the_url_comes_with_the_last_unit() {
    let mut w = running();
    let n = 7;
    for loaded in [0, 3, 7] {
        assert!(w.percent_after(loaded, n + 1).unwrap() < 100);
    }
    assert_eq!(w.view().percent, Some(87));
    w.wait();
    w.progress(n + 1, n + 1);
    w.answer(&ready("/files/a"));
    assert_eq!(w.view().status, Status::Done);
}

#[test]
fn convention_a_empty_export_still_gets_a_url() {
    let mut w = polling();
    w.progress(1, 1);
    w.answer(&ready("/files/empty"));
    assert_eq!(w.downloads.len(), 1);
}

// ---- convention B --------------------------------------------------------------------------

#[test]
fn convention_b_made_up_first_answer_shows_zero_percent() {
    let mut w = polling();
    w.progress(0, 1);
    assert_eq!(w.view().percent, Some(0));
    assert_eq!(w.view().stage, Stage::Running);
    assert_eq!(w.percent_after(30, 120), Some(25));
}

#[test]
fn convention_b_empty_export_and_any_loaded_greater_than_total_count_as_finished() {
    // 2 of 1: convention B's empty export; 12 of 8: more than the total, in either convention.
    for (loaded, total) in [(2, 1), (12, 8)] {
        let mut w = polling();
        w.progress(loaded, total);
        assert!(w.last_url().starts_with(START), "{loaded}/{total} asks for the url");
        assert_eq!(w.view().stage, Stage::Generating, "{loaded}/{total}");
    }
}

#[test]
fn convention_b_late_url_stays_exporting_and_asks_again_quickly() {
    let mut w = polling();
    w.progress(48, 48);
    assert!(w.last_url().starts_with(START));
    // The file is not written yet: still exporting, never 100%, and the next ask comes soon.
    let mut waits = Vec::new();
    for _ in 0..4 {
        w.answer(NOT_READY);
        assert_eq!(w.view().status, Status::Exporting);
        assert_eq!(w.view().stage, Stage::Generating);
        assert_eq!(w.view().percent, Some(99));
        waits.push(w.wait());
        assert!(w.last_url().starts_with(START), "asks the url endpoint directly");
    }
    assert!(waits.iter().all(|&ms| ms <= 1000.0), "{waits:?}");
    assert!(waits[0] <= 200.0, "first re-ask within 200 ms: {waits:?}");
    w.answer(&ready("/files/b"));
    assert_eq!(w.view().status, Status::Done);
    assert_eq!(w.view().percent, Some(100));
}

// ---- filename ------------------------------------------------------------------------------

#[test]
fn filename_comes_from_the_start_answer_first() {
    let mut w = started();
    assert_eq!(w.view().filename, "K12作业统计-2024春季班", "template until the server names it");
    w.answer(r#"{"code":0,"result":{"url":null,"filename":"服务器名.xlsx"}}"#);
    assert_eq!(w.view().filename, "服务器名.xlsx");
    w.wait();
    w.answer(r#"{"code":0,"result":{"loaded":1,"total":4,"extra":{"filename":"进度名.xlsx"}}}"#);
    assert_eq!(w.view().filename, "服务器名.xlsx", "progress does not override the start answer");
}

#[test]
fn filename_falls_back_to_progress_extra_then_to_the_template() {
    let mut w = running();
    assert_eq!(w.view().filename, "K12作业统计-2024春季班");
    w.wait();
    w.answer(r#"{"code":0,"result":{"loaded":1,"total":4,"extra":{"filename":"进度名.xlsx"}}}"#);
    assert_eq!(w.view().filename, "进度名.xlsx");
}

#[test]
fn download_name_gets_the_url_extension_when_the_template_has_none() {
    let mut w = started();
    w.answer(r#"{"code":0,"result":{"url":"/files/t0k3n.xlsx"}}"#);
    assert_eq!(w.downloads[0].1, "K12作业统计-2024春季班.xlsx");
}

#[test]
fn hostile_filename_is_sanitised_for_saving_and_kept_as_text() {
    let mut w = started();
    w.answer(r#"{"code":0,"result":{"url":"/f","filename":"../../<img src=x onerror=alert(1)>\u0000报表.xlsx"}}"#);
    let name = &w.downloads[0].1;
    assert!(!name.contains('/') && !name.contains('\0') && !name.contains('<'), "{name}");
    assert!(name.ends_with("报表.xlsx"));
}

// ---- percent -------------------------------------------------------------------------------

#[test]
fn percent_is_monotonic_clamped_and_never_100_before_the_url() {
    let mut w = running();
    let mut seen = Vec::new();
    for (loaded, total) in [(50, 100), (20, 100), (99, 100), (999, 1000), (1, 3), (0, 1)] {
        seen.push(w.percent_after(loaded, total).unwrap());
    }
    assert_eq!(seen, [50, 50, 99, 99, 99, 99]);
    assert!(seen.windows(2).all(|p| p[0] <= p[1]));
    // loaded > total is "done", shown as 99 until the URL is in hand.
    assert_eq!(w.percent_after(200, 100), Some(99));
}

#[test]
fn no_numbers_at_all_means_indeterminate() {
    let mut w = polling();
    w.answer(r#"{"code":0,"result":null}"#);
    assert_eq!(w.view().percent, None);
    assert!(w.events.contains(&Event::Progress(None)));
    // numbers later make it determinate again
    assert_eq!(w.percent_after(1, 2), Some(50));
}

#[test]
fn eta_is_shown_from_a_steady_rate() {
    let mut w = running();
    w.now = 10_000.0;
    w.wait();
    w.progress(10, 100); // 10% in ~10 s: about 90 s left
    let eta = w.view().eta_secs.unwrap();
    assert!((80..=95).contains(&eta), "{eta}");
}

// ---- bad input -----------------------------------------------------------------------------

#[test]
fn non_json_body_is_retried_then_fails_as_bad_response() {
    let mut w = polling();
    for _ in 0..3 {
        w.answer("<html>oops</html>");
        assert_eq!(w.view().status, Status::Exporting);
        assert!(w.view().retrying);
        w.wait();
    }
    w.answer("{\"code\":0,");
    w.failed(FailKind::BadResponse);
}

#[test]
fn every_request_allows_a_protocol_answer_of_1_mib() {
    let mut w = started();
    assert_eq!(w.last().1.limit, http::ANSWER_LIMIT);
    assert_eq!(http::ANSWER_LIMIT, 1024 * 1024);
    w.answer(NOT_READY);
    w.wait();
    assert!(w.last_url().starts_with(PROGRESS));
    assert_eq!(w.last().1.limit, http::ANSWER_LIMIT);
}

#[test]
fn an_answer_over_its_limit_fails_at_once_as_unreadable_and_nothing_more_is_asked() {
    for at_start in [true, false] {
        let mut w = if at_start { started() } else { polling() };
        let sent = w.sent.len();
        w.answer_with(HttpOutcome::TooLarge);
        let f = w.failed(FailKind::BadResponse);
        assert_eq!(f, retry::too_large());
        assert_eq!(w.sent.len(), sent, "not asked again");
        assert!(matches!(w.events.last(), Some(Event::Failed(f)) if *f == retry::too_large()));
        assert!(w.aborted.is_empty(), "the answer is in: nothing to abort");
    }
}

#[test]
fn an_over_limit_answer_ends_even_a_run_of_retries() {
    let mut w = polling();
    w.answer_status(502, "<html>Bad Gateway</html>");
    assert!(w.view().retrying);
    w.wait();
    w.answer_with(HttpOutcome::TooLarge);
    assert_eq!(w.failed(FailKind::BadResponse), retry::too_large());
    assert_eq!(w.count(PROGRESS), 2);
}

#[test]
fn one_good_answer_resets_the_retry_count() {
    let mut w = running();
    for _ in 0..10 {
        w.wait();
        w.answer("garbage");
        w.percent_after(1, 10);
    }
    assert_eq!(w.view().status, Status::Exporting);
    assert!(!w.view().retrying);
}

#[test]
fn code_not_zero_fails_at_once_with_the_server_message() {
    let mut w = polling();
    w.answer(r#"{"code":-1,"message":"导出任务异常：数据库连接中断","result":null}"#);
    let f = w.failed(FailKind::Server);
    assert_eq!(f.detail.as_deref(), Some("导出任务异常：数据库连接中断"));
    assert!(matches!(w.events.last(), Some(Event::Failed(_))));
}

#[test]
fn result_null_on_start_means_not_ready_and_polling_begins() {
    let mut w = started();
    w.answer(r#"{"code":0,"message":"","result":null}"#);
    w.wait();
    assert!(w.last_url().starts_with(PROGRESS));
}

#[test]
fn numbers_sent_as_strings_are_read() {
    let mut w = polling();
    w.answer(r#"{"code":"0","result":{"loaded":"3","total":"4"}}"#);
    assert_eq!(w.view().percent, Some(75));
}

#[test]
fn negative_missing_or_zero_totals_carry_no_progress_and_polling_goes_on() {
    for body in [
        r#"{"code":0,"result":{"loaded":-3,"total":10}}"#,
        r#"{"code":0,"result":{"loaded":3}}"#,
        r#"{"code":0,"result":{"loaded":0,"total":0}}"#,
        r#"{"code":0,"result":{"loaded":5,"total":0}}"#,
        r#"{"code":0,"result":{"loaded":"NaN","total":"Infinity"}}"#,
    ] {
        let mut w = polling();
        w.answer(body);
        assert_eq!(w.view().status, Status::Exporting, "{body}");
        assert_eq!(w.view().percent, None, "{body}");
        w.wait();
        assert!(w.last_url().starts_with(PROGRESS), "{body}: keeps polling");
    }
}

#[test]
fn http_404_fails_at_once_without_retry() {
    let mut w = started();
    w.answer_after(10.0, HttpOutcome::status(404, r#"{"code":404,"message":"期次不存在"}"#));
    let f = w.view().failure.clone().unwrap();
    assert_eq!((f.kind, f.status), (FailKind::Http, Some(404)));
    assert_eq!(w.sent.len(), 1);
}

// ---- transient failures --------------------------------------------------------------------

#[test]
fn network_errors_and_5xx_are_retried_with_growing_jittered_backoff() {
    let mut w = started();
    w.answer_after(5.0, HttpOutcome::NetworkError("connection refused".into()));
    let first = w.wait();
    assert!((250.0..=500.0).contains(&first), "{first}");
    assert!(w.last_url().starts_with(START), "the same step is retried");
    w.answer_after(5.0, HttpOutcome::status(502, "<html>Bad Gateway</html>"));
    let second = w.wait();
    assert!((500.0..=1000.0).contains(&second), "{second}");
    w.answer_after(5.0, HttpOutcome::status(500, ""));
    let third = w.wait();
    assert!((1000.0..=2000.0).contains(&third), "{third}");
    w.answer(&ready("/f"));
    assert_eq!(w.view().status, Status::Done);
}

#[test]
fn a_few_transient_failures_in_a_row_fail_the_export() {
    let mut w = started();
    for i in 0..4 {
        w.answer_after(5.0, HttpOutcome::status(503, "busy"));
        if i < 3 {
            assert_eq!(w.view().status, Status::Exporting);
            w.wait();
        }
    }
    let f = w.view().failure.clone().unwrap();
    assert_eq!((f.kind, f.status), (FailKind::Http, Some(503)));
    assert_eq!(w.sent.len(), 4);
    assert_eq!(w.m.poll_timeout(), None);
}

#[test]
fn retry_after_is_honoured_on_429() {
    let mut w = polling();
    w.answer_after(
        5.0,
        HttpOutcome::Answer { status: 429, retry_after: Some("3".into()), body: r#"{"message":"slow down"}"#.into() },
    );
    let waited = w.wait();
    assert_eq!(waited, 3000.0);
    assert!(w.last_url().starts_with(PROGRESS));
}

#[test]
fn absurd_retry_after_is_capped() {
    let mut w = started();
    w.answer_after(5.0, HttpOutcome::Answer { status: 429, retry_after: Some("86400".into()), body: String::new() });
    assert_eq!(w.wait(), 60_000.0);
}

#[test]
fn a_request_without_answer_is_aborted_after_the_request_timeout() {
    let mut w = World::clicked(&k12(r#","requestTimeoutMs":5000"#));
    let first = w.last().0;
    let waited = w.wait();
    assert_eq!(waited, 5000.0);
    assert_eq!(w.aborted, [first]);
    assert_eq!(w.view().status, Status::Exporting);
    w.wait();
    assert_eq!(w.sent.len(), 2, "retried after backoff");
    // The aborted request's late answer is ignored.
    w.input(Input::Response { id: first, outcome: HttpOutcome::ok(ready("/late")) });
    assert!(w.downloads.is_empty());
}

#[test]
fn the_deadline_fails_an_export_that_never_finishes() {
    let mut w = World::clicked(&k12(r#","timeoutMs":60000"#));
    w.answer(NOT_READY);
    while w.view().status == Status::Exporting {
        w.wait();
        if w.view().status != Status::Exporting {
            break;
        }
        w.progress(63, 100);
        assert!(w.now <= 60_000.0);
    }
    assert_eq!(w.view().failure.as_ref().unwrap().kind, FailKind::TimedOut);
    assert_eq!(w.now, 60_000.0);
    assert_eq!(w.m.poll_timeout(), None);
}

#[test]
fn the_deadline_aborts_the_request_in_flight() {
    let mut w = World::clicked(&k12(r#","timeoutMs":2000,"requestTimeoutMs":100000"#));
    let id = w.last().0;
    w.wait();
    assert_eq!(w.view().status, Status::Failed);
    assert_eq!(w.aborted, [id]);
}

#[test]
fn an_answer_handled_after_the_deadline_starts_no_request() {
    // Under load the answer to the last progress request can be handled after the deadline has
    // passed, before the deadline's timer has run. It says the work is done, which would send the
    // request for the file's URL at once: past the deadline nothing new is asked.
    let mut w = World::clicked(&k12(r#","timeoutMs":2000"#));
    w.answer(NOT_READY);
    w.wait();
    assert!(w.last_url().starts_with(PROGRESS));
    let sent = w.sent.len();
    w.now = 2000.0;
    w.progress(48, 48);
    assert_eq!(w.sent.len(), sent, "no request at or after the deadline");
    w.failed(FailKind::TimedOut);
}

#[test]
fn a_file_in_an_answer_handled_after_the_deadline_is_still_delivered() {
    // The deadline stops new requests, not an answer already in hand.
    let mut w = World::clicked(&k12(r#","timeoutMs":2000"#));
    w.answer_after(2500.0, HttpOutcome::ok(ready("/files/late.xlsx")));
    assert_eq!(w.view().status, Status::Done);
    assert_eq!(w.downloads.len(), 1);
}

#[test]
fn responses_from_an_earlier_export_are_ignored() {
    let mut w = started();
    let old = w.last().0;
    w.input(Input::Cancel);
    w.click();
    let new = w.last().0;
    assert_ne!(old, new);
    w.input(Input::Response { id: old, outcome: HttpOutcome::ok(ready("/old")) });
    assert!(w.downloads.is_empty());
    assert_eq!(w.view().status, Status::Exporting);
    w.input(Input::Response { id: new, outcome: HttpOutcome::ok(ready("/new")) });
    assert_eq!(w.downloads[0].0, "/new");
}

#[test]
fn duplicate_responses_are_ignored() {
    let mut w = started();
    let id = w.last().0;
    w.answer(NOT_READY);
    w.input(Input::Response { id, outcome: HttpOutcome::ok(ready("/dup")) });
    assert!(w.downloads.is_empty());
}

// ---- safety --------------------------------------------------------------------------------

#[test]
fn javascript_urls_are_never_downloaded() {
    for url in ["javascript:alert(document.domain)", "data:text/html,x", " JAVASCRIPT:x", "vbscript:x"] {
        let mut w = started();
        w.answer(&ready(url));
        assert!(w.downloads.is_empty(), "{url}");
        assert_eq!(w.view().failure.as_ref().unwrap().kind, FailKind::UnsafeUrl);
    }
}

// ---- cancel --------------------------------------------------------------------------------

#[test]
fn cancel_aborts_the_request_in_flight_and_schedules_nothing() {
    let mut w = started();
    let id = w.last().0;
    w.input(Input::Cancel);
    assert_eq!(w.aborted, [id]);
    assert_eq!(w.m.poll_timeout(), None);
    assert_eq!(w.view().status, Status::Idle);
    assert_eq!(w.events.last(), Some(&Event::Cancelled));
    // a late timer does nothing
    w.now += 10_000.0;
    w.input(Input::Timer);
    assert_eq!(w.sent.len(), 1);
}

#[test]
fn cancel_while_waiting_between_polls_stops_polling() {
    let mut w = running();
    assert!(w.m.poll_timeout().is_some());
    w.input(Input::Cancel);
    assert!(w.aborted.is_empty(), "nothing was in flight");
    assert_eq!(w.m.poll_timeout(), None);
}

#[test]
fn after_cancel_the_next_click_starts_fresh_from_the_start_endpoint() {
    let mut w = polling();
    w.progress(40, 100);
    w.input(Input::Cancel);
    w.click();
    assert!(w.last_url().starts_with(START));
    assert_eq!(w.view().percent, Some(0));
}

// ---- polling policy ------------------------------------------------------------------------

#[test]
fn fixed_polling_waits_the_interval() {
    let mut w = World::clicked(&k12(r#","pollIntervalMs":1000"#));
    w.answer(NOT_READY);
    assert_eq!(w.wait(), 1000.0);
    w.progress(1, 10);
    assert_eq!(w.wait(), 1000.0);
}

#[test]
fn adaptive_polling_asks_near_the_expected_finish_with_few_requests() {
    // A steady 10 s job, convention A: fraction t/10 s, URL at 10 s.
    let mut w = running();
    let first = w.wait();
    assert!(first <= 500.0, "first poll soon after the start: {first}");
    let mut polls = 0;
    loop {
        polls += 1;
        let loaded = ((w.now / 10_000.0).min(1.0) * 100.0).floor() as i64;
        let total = 100;
        if w.now >= 10_000.0 {
            w.progress(total, total);
            break;
        }
        w.progress(loaded, total);
        w.wait();
    }
    assert!(polls <= 8, "{polls} progress requests for 10 s (fixed 1 s polling makes 10)");
    assert!(w.now - 10_000.0 < 400.0, "asked within 400 ms of the finish, at {}", w.now);
}

// ---- progress without numbers ----------------------------------------------------------------

#[test]
fn progress_without_numbers_still_ends_when_the_start_endpoint_has_the_url() {
    let mut w = running();
    let mut kinds = Vec::new();
    for i in 0..12 {
        w.wait();
        let url = w.last_url().to_owned();
        kinds.push(if url.starts_with(PROGRESS) { 'p' } else { 's' });
        if url.starts_with(PROGRESS) {
            w.answer(r#"{"code":0,"message":"","result":null}"#);
        } else if i < 8 {
            w.answer(NOT_READY);
            assert_eq!(w.view().stage, Stage::Running, "a probe's 'not yet' is not 'generating'");
            assert_eq!(w.view().percent, None);
        } else {
            w.answer(&ready("/files/late.xlsx"));
            break;
        }
    }
    assert_eq!(w.downloads.len(), 1, "{kinds:?}");
    let kinds: String = kinds.into_iter().collect();
    assert!(kinds.starts_with("pppspps"), "every third blind poll is followed by a probe: {kinds}");
}

#[test]
fn no_probe_while_progress_has_numbers() {
    let mut w = running();
    for loaded in 1..15 {
        w.wait();
        assert!(w.last_url().starts_with(PROGRESS));
        w.progress(loaded, 100);
    }
}
