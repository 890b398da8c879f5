//! The machine's optional `Prepare` step, with a scripted adapter: skipped when the adapter has no
//! request for it, else answered before the start, retried and failed like any other step.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use k12_export_core::*;

/// Requests `/prepare` (when `prepare`), `/start`, `/poll`; reads every answer as its body says:
/// `pending`, `ready`, `retry`, `fail`.
struct Scripted {
    prepare: bool,
}

impl Adapter for Scripted {
    fn reset(&mut self) {}

    fn request(&mut self, step: Step) -> Option<HttpRequest> {
        match step {
            Step::Prepare if !self.prepare => None,
            Step::Prepare => Some(HttpRequest::get("/prepare")),
            Step::Start => Some(HttpRequest::get("/start")),
            Step::Poll => Some(HttpRequest::get("/poll")),
            Step::Link | Step::Probe => None,
        }
    }

    fn read(&mut self, _step: Step, _status: u16, body: &str) -> Reply {
        match body {
            "pending" => Reply::Pending { filename: None },
            "ready" => Reply::Ready { url: "/f.csv".into(), filename: None },
            "retry" => Reply::Retry(Failure::new(FailKind::BadResponse)),
            _ => Reply::Failed(Failure::new(FailKind::Server).detail(Some(body))),
        }
    }
}

/// A machine with the scripted adapter and the default settings.
fn world(prepare: bool) -> World {
    World::of(Machine::new(Box::new(Scripted { prepare }), Settings::default(), "f".into()))
}

/// The same, its export just started.
fn started(prepare: bool) -> World {
    let mut w = world(prepare);
    w.input(Input::Start);
    w
}

fn urls(w: &World) -> Vec<&str> {
    w.sent.iter().map(|(_, r)| r.url.as_str()).collect()
}

#[test]
fn an_adapter_without_a_prepare_request_starts_at_once() {
    let w = started(false);
    assert_eq!(urls(&w), ["/start"]);
}

#[test]
fn the_prepare_answer_leads_straight_to_the_start() {
    let mut w = started(true);
    assert_eq!(urls(&w), ["/prepare"]);
    assert_eq!(w.m.view().stage, Stage::Starting);
    w.answer_with(HttpOutcome::ok("pending"));
    assert_eq!(urls(&w), ["/prepare", "/start"], "no wait in between");
    w.answer_with(HttpOutcome::ok("pending"));
    w.wait();
    assert_eq!(urls(&w), ["/prepare", "/start", "/poll"]);
    w.answer_with(HttpOutcome::ok("ready"));
    assert_eq!(w.m.view().status, Status::Done);
}

#[test]
fn any_usable_prepare_answer_goes_on_to_the_start() {
    let mut w = started(true);
    w.answer_with(HttpOutcome::ok("ready"));
    assert_eq!(urls(&w), ["/prepare", "/start"], "a prepare answer never finishes the export");
    assert_eq!(w.m.view().status, Status::Exporting);
}

#[test]
fn a_failed_prepare_fails_the_export_without_a_start() {
    let mut w = started(true);
    w.answer_with(HttpOutcome::ok("会话无效"));
    assert_eq!(w.m.view().status, Status::Failed);
    assert_eq!(w.m.view().failure.as_ref().unwrap().detail.as_deref(), Some("会话无效"));
    assert_eq!(urls(&w), ["/prepare"]);
    assert_eq!(w.m.poll_timeout(), None);
}

#[test]
fn the_prepare_is_retried_on_transient_failures_and_then_gives_up() {
    let mut w = started(true);
    w.answer_with(HttpOutcome::status(502, "bad gateway"));
    w.wait();
    w.answer_with(HttpOutcome::ok("retry"));
    w.wait();
    w.answer_with(HttpOutcome::NetworkError("reset".into()));
    w.wait();
    assert_eq!(urls(&w), ["/prepare"; 4], "each retry repeats the prepare");
    w.answer_with(HttpOutcome::status(503, "busy"));
    assert_eq!(w.m.view().status, Status::Failed);
    assert_eq!(w.m.view().failure.as_ref().unwrap().status, Some(503));
}

#[test]
fn cancel_during_the_prepare_aborts_it() {
    let mut w = started(true);
    let id = w.sent[0].0;
    w.input(Input::Cancel);
    assert_eq!(w.aborted, [id]);
    assert_eq!(w.m.poll_timeout(), None);
    w.input(Input::Response { id, outcome: HttpOutcome::ok("pending") });
    assert_eq!(urls(&w), ["/prepare"], "its late answer starts nothing");
    w.input(Input::Start);
    assert_eq!(urls(&w), ["/prepare", "/prepare"], "a new export prepares again");
}

#[test]
fn the_deadline_covers_the_prepare() {
    let mut w = world(true);
    w.m.reconfigure(
        Box::new(Scripted { prepare: true }),
        Settings {
            deadline_ms: 1000.0,
            retry: RetryPolicy { request_timeout_ms: 100_000.0, ..RetryPolicy::default() },
            ..Settings::default()
        },
        "f".into(),
        0.0,
    );
    w.input(Input::Start);
    w.wait();
    assert_eq!(w.m.view().failure.as_ref().unwrap().kind, FailKind::TimedOut);
    assert_eq!(w.now, 1000.0);
}
