//! One export across tabs, the pure part: which buttons share a job, and views as they travel
//! between tabs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::K12_CONFIG;
use k12_export_core::json::Json;
use k12_export_core::share::{follow_events, key, view_from_json, view_to_json, Shown};
use k12_export_core::*;

fn opts(extra: &str) -> Json {
    Json::parse(&format!(r#"{{"config":{K12_CONFIG},"data":{{"termId":7,"termName":"春"}}{extra}}}"#)).unwrap()
}

#[test]
fn buttons_of_the_same_job_have_the_same_key() {
    let a = key(&opts("")).unwrap();
    assert!(a.starts_with("k12-export:"), "{a}");
    assert_eq!(a.len(), "k12-export:".len() + 16, "{a}");
    assert!(a["k12-export:".len()..].bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()), "{a}");
    // Widget fields, the filename template and timing settings do not change the job.
    let b = key(&opts(r#","label":"Export","lang":"en","filename":"x-{termName}","timeoutMs":5000,"retries":1"#));
    assert_eq!(b.as_deref(), Some(a.as_str()));
    // Nor the order of fields, at any depth.
    let reordered = Json::parse(&format!(
        r#"{{"data":{{"termName":"春","termId":7}},"config":{K12_CONFIG},"protocol":"k12","share":true}}"#
    ))
    .unwrap();
    assert_eq!(key(&reordered).as_deref(), Some(a.as_str()));
}

#[test]
fn other_data_or_endpoints_are_another_job() {
    let a = key(&opts("")).unwrap();
    let other_term =
        Json::parse(&format!(r#"{{"config":{K12_CONFIG},"data":{{"termId":8,"termName":"春"}}}}"#)).unwrap();
    assert_ne!(key(&other_term).unwrap(), a);
    let other_url = Json::parse(&format!(
        r#"{{"config":{},"data":{{"termId":7,"termName":"春"}}}}"#,
        K12_CONFIG.replace("homework", "attendance")
    ))
    .unwrap();
    assert_ne!(key(&other_url).unwrap(), a);
    assert_ne!(key(&opts(r#","start":"e","progress":"e-progress""#)).unwrap(), a);
}

#[test]
fn sharing_is_off_when_asked_or_when_a_start_cannot_reattach() {
    assert_eq!(key(&opts(r#","share":false"#)), None);
    assert_eq!(key(&Json::parse(r#"{"protocol":"export-service","url":"https://x"}"#).unwrap()), None);
    assert_eq!(key(&Json::parse(r#"{"protocol":7}"#).unwrap()), None);
    assert_eq!(key(&Json::parse("[1]").unwrap()), None);
}

fn running() -> View {
    View {
        status: Status::Exporting,
        stage: Stage::Running,
        filename: "K12作业统计-\"春\"<b>".into(),
        percent: Some(42),
        eta_secs: Some(12),
        retrying: true,
        ..View::default()
    }
}

#[test]
fn views_round_trip_through_json_text() {
    let failed = View {
        status: Status::Failed,
        failure: Some(Failure::new(FailKind::Http).status(502).detail(Some("网关错误"))),
        ..running()
    };
    let done = View {
        status: Status::Done,
        percent: Some(100),
        download: Some(Download { url: Some("https://h/f.xlsx".into()), filename: "f.xlsx".into() }),
        ..View::default()
    };
    let stalled = View { stalled_secs: Some(80), eta_secs: None, ..running() };
    let cancelled = View {
        status: Status::Cancelled,
        cancellation: Some(Cancellation::new(Some("管理员取消"))),
        ..View::default()
    };
    for v in [View::default(), running(), failed, done, stalled, cancelled] {
        let mut text = String::new();
        view_to_json(&v).write(&mut text);
        assert_eq!(view_from_json(&Json::parse(&text).unwrap()), Some(v));
    }
}

#[test]
fn a_hostile_view_is_refused_not_trusted() {
    let good = view_to_json(&running());
    let with = |i: usize, v: Json| {
        let Json::Arr(mut a) = good.clone() else { unreachable!() };
        a[i] = v;
        Json::Arr(a)
    };
    assert!(view_from_json(&good).is_some());
    assert_eq!(view_from_json(&with(3, Json::from(101_i64))), None, "percent over 100");
    assert_eq!(view_from_json(&with(3, Json::from(-1_i64))), None, "negative percent");
    assert_eq!(view_from_json(&with(0, Json::from(9_i64))), None, "no such status");
    assert_eq!(view_from_json(&with(0, Json::from("exporting"))), None, "status not an index");
    assert_eq!(view_from_json(&with(2, Json::from(3_i64))), None, "filename not text");
    assert_eq!(view_from_json(&with(6, Json::from(8_i64))), None, "no such failure kind");
    let failed =
        view_to_json(&View { status: Status::Failed, failure: Some(Failure::new(FailKind::Http)), ..running() });
    let Json::Arr(mut a) = failed else { unreachable!() };
    assert!(view_from_json(&Json::Arr(a.clone())).is_some());
    a[7] = Json::from(70_000_i64);
    assert_eq!(view_from_json(&Json::Arr(a)), None, "HTTP status out of range");
    assert_eq!(view_from_json(&Json::from("view")), None);
    assert_eq!(view_from_json(&Json::Arr(vec![])), None);
}

#[test]
fn a_following_tab_reports_start_progress_and_failure_but_never_a_download() {
    let idle = View::default();
    let r = running();
    assert_eq!(follow_events(Shown::of(&idle), &r), vec![Event::Started, Event::Progress(Some(42))]);
    assert_eq!(follow_events(Shown::of(&r), &r), vec![]);
    let more = View { percent: Some(60), ..r.clone() };
    assert_eq!(follow_events(Shown::of(&r), &more), vec![Event::Progress(Some(60))]);
    let f = Failure::new(FailKind::TimedOut);
    let failed = View { status: Status::Failed, failure: Some(f.clone()), ..r.clone() };
    assert_eq!(follow_events(Shown::of(&more), &failed), vec![Event::Failed(f)]);
    let done = View {
        status: Status::Done,
        download: Some(Download { url: Some("https://h/f".into()), filename: "f".into() }),
        ..r
    };
    assert_eq!(follow_events(Shown::of(&more), &done), vec![]);
}
