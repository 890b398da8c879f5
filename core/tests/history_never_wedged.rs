//! Property tests of the history machine, for every backend with a history: whatever the server
//! answers — arbitrary bytes, arbitrary JSON, the backend's own shapes with arbitrary values, any
//! status, silence — and whatever the user does (refresh, download, leave), the machine never
//! panics, has a timer armed exactly while something is under way or a job runs, keeps its items
//! well-formed, hands over only safe downloads, and ends every refresh (loaded or failed) within a
//! bound.

#![cfg(feature = "backends")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{json, never_wedged, object, one_of, outcome, safe_download, value};
use k12_export_core::history::{HistoryInput, HistoryMachine};
use k12_export_core::json::Json;
use k12_export_core::*;
use proptest::prelude::*;

/// Requests time out after this long in these runs (every protocol's options below set it).
const REQUEST_TIMEOUT_MS: f64 = 5000.0;

/// The longest a refresh may take: four tries, each up to the request timeout, and three waits of
/// at most the longest `Retry-After` honoured (60 s), which is longer than any backoff.
const BOUND_MS: f64 = 4.0 * REQUEST_TIMEOUT_MS + 3.0 * 60_000.0;

const IDS: &[&str] = &[r#""1""#, r#""2""#, "3", r#""k/4""#, r#""""#, "null"];
const URLS: &[&str] = &[
    r#""javascript:alert(1)""#,
    r#""/files/x.csv""#,
    r#""http://h/f.zip""#,
    r#""https://h/v2/download/t?expires=1&sig=a""#,
    r#""""#,
    r#""data:text/html,x""#,
    r#""http://h/v1/down/20219\\6\\k.zip""#,
    "null",
];
const TIMES: &[&str] = &[
    r#""2021-09-06T17:24:34+08:00""#,
    r#""2023-05-26 19:28:33""#,
    r#""2014-10-09T08:15:40.843Z""#,
    "1574405175",
    "1574405175123",
    r#""昨天""#,
    "0",
    "-5",
    "null",
];
const COUNTS: &[&str] = &["0", "1", "3", "48", "-1", r#""10""#, "1e308", "null"];

/// One protocol under test: its options, how to tell its list request, and its answers' shapes.
struct Protocol {
    options: &'static str,
    is_list: fn(&HttpRequest) -> bool,
    shaped: fn() -> BoxedStrategy<String>,
}

fn items(item: BoxedStrategy<Json>) -> BoxedStrategy<Json> {
    prop::collection::vec(item, 0..6).prop_map(Json::Arr).boxed()
}

fn es_shaped() -> BoxedStrategy<String> {
    let item = (value(IDS), value(&["1", "2", "2", "3", "4", "9", r#""2""#]), value(TIMES), json())
        .prop_map(|(key, status, created, title)| {
            Json::parse(&object(vec![
                ("hash_key", key),
                ("status", status),
                ("created_at", created),
                ("title", title),
                ("fail_reason", Json::from("原因")),
            ]))
            .unwrap()
        })
        .boxed();
    let list = (one_of(&["0", "0", "0", "10002", "null", r#""0""#]), items(item))
        .prop_map(|(code, data)| object(vec![("errcode", code), ("msg", Json::from("m")), ("data", data)]));
    let detail = (one_of(&["1", "2", "2", "2", "3", "4"]), value(URLS)).prop_map(|(status, url)| {
        object(vec![
            ("errcode", Json::Num(0.0)),
            ("data", Json::parse(&object(vec![("status", status), ("down_url", url)])).unwrap()),
        ])
    });
    prop_oneof![3 => list, 2 => detail].boxed()
}

fn xl_shaped() -> BoxedStrategy<String> {
    let item =
        (value(IDS), value(&["1", "2", "3", "4", "5", "0", r#""3""#]), value(COUNTS), value(COUNTS), value(TIMES))
            .prop_map(|(id, status, total, finished, created)| {
                Json::parse(&object(vec![
                    ("id", id),
                    ("name", Json::from("设备列表导出")),
                    ("status", status),
                    ("total", total),
                    ("finished", finished),
                    ("create_time", created),
                    ("link_url", Json::from("http://h/unsigned")),
                ]))
                .unwrap()
            })
            .boxed();
    let list = (value(COUNTS), items(item)).prop_map(|(count, list)| object(vec![("count", count), ("list", list)]));
    let link = value(URLS).prop_map(|url| object(vec![("link_url", url)]));
    prop_oneof![3 => list, 2 => link].boxed()
}

fn ma_shaped() -> BoxedStrategy<String> {
    let item = (value(IDS), value(&[r#""pending""#, r#""ready""#, r#""finish""#, r#""x""#]), value(URLS), value(TIMES))
        .prop_map(|(id, status, url, created)| {
            Json::parse(&object(vec![
                ("job_id", id),
                ("status", status),
                ("download_url", url),
                ("file_name", Json::from("../商品表.csv")),
                ("created_at", created),
            ]))
            .unwrap()
        })
        .boxed();
    items(item).prop_map(|objects| object(vec![("meta", Json::Obj(Vec::new())), ("objects", objects)])).boxed()
}

fn as_shaped() -> BoxedStrategy<String> {
    let item =
        (value(IDS), value(&["0", "1", "2", "7"]), value(COUNTS), value(COUNTS), value(&["1", "2"]), value(TIMES))
            .prop_map(|(id, finish, need, ok, port, created)| {
                Json::parse(&object(vec![
                    ("id", id),
                    ("finish", finish),
                    ("number_need", need),
                    ("number_succeed", ok),
                    ("port_type", port),
                    ("create_time", created),
                ]))
                .unwrap()
            })
            .boxed();
    let list = (value(&["0", "1", r#""0""#]), items(item))
        .prop_map(|(code, data)| object(vec![("code", code), ("data", data)]));
    let records = prop::collection::vec(json(), 0..4)
        .prop_map(|records| object(vec![("code", Json::Num(0.0)), ("data", Json::Arr(records))]));
    prop_oneof![3 => list, 2 => records, 1 => Just("{\"code\":0,\"info\":Succeed,}".to_owned())].boxed()
}

/// The protocols' options (each sets the request timeout).
const EXPORT_SERVICE: &str =
    r#"{"protocol":"export-service","baseUrl":"http://h","userId":"7","historyLimit":4,"requestTimeoutMs":5000}"#;
const XLINK: &str =
    r#"{"protocol":"xlink","baseUrl":"http://h","accessToken":"t","historyRefreshMs":500,"requestTimeoutMs":5000}"#;
const MINAPP: &str = r#"{"protocol":"minapp","baseUrl":"http://h","tableId":1,"requestTimeoutMs":5000}"#;
const ASSET: &str = r#"{"protocol":"asset","baseUrl":"http://h","session":"demo","retries":1,"requestTimeoutMs":5000}"#;

fn protocols() -> [Protocol; 4] {
    [
        Protocol { options: EXPORT_SERVICE, is_list: |r| r.url.contains("/v1/export/history"), shaped: es_shaped },
        Protocol { options: XLINK, is_list: |r| r.url.ends_with("/v2/export_tasks"), shaped: xl_shaped },
        Protocol { options: MINAPP, is_list: |r| r.url.contains("/export/?limit="), shaped: ma_shaped },
        Protocol { options: ASSET, is_list: |r| r.url.contains("/api/async_task/"), shaped: as_shaped },
    ]
}

#[derive(Clone, Debug)]
enum Act {
    /// The user asks for the list.
    Refresh,
    /// Answer a request in flight (the list's when `list` and it is in flight) after `delay` ms;
    /// with none in flight, let time pass to the next timeout.
    Answer(HttpOutcome, f64, bool),
    /// Let the next timer fire.
    Wait,
    /// The user re-downloads the `n`th item (or an unknown one).
    Download(usize),
    /// Unmount / pagehide.
    Cancel,
    /// An answer for a request that is not in flight.
    Stale(HttpOutcome),
}

fn act(shaped: BoxedStrategy<String>) -> impl Strategy<Value = Act> {
    prop_oneof![
        3 => Just(Act::Refresh),
        12 => (outcome(shaped.clone()), 0.0f64..8000.0, any::<bool>()).prop_map(|(o, d, l)| Act::Answer(o, d, l)),
        3 => Just(Act::Wait),
        3 => (0usize..8).prop_map(Act::Download),
        1 => Just(Act::Cancel),
        1 => outcome(shaped).prop_map(Act::Stale),
    ]
}

/// Runs `acts` once, then answers and waits (cycling the answers) until nothing is under way;
/// checks the invariants after every input.
fn run(p: &Protocol, acts: &[Act]) -> Result<(), TestCaseError> {
    let mut h = HistoryMachine::from_options(&Json::parse(p.options).unwrap(), 7).unwrap();
    let limit = h.settings().limit;
    let mut now = 0.0;
    let mut list: Option<RequestId> = None;
    let mut link: Option<RequestId> = None;
    let mut retired: Vec<RequestId> = Vec::new();
    let mut loading_since: Option<f64> = None;
    let answers: Vec<&Act> = acts.iter().filter(|a| matches!(a, Act::Answer(..))).collect();
    h.handle(HistoryInput::Refresh, now);
    let mut steps = 0usize;
    loop {
        steps += 1;
        prop_assert!(steps < 20_000, "did not settle");
        while let Some(c) = h.poll_command() {
            match c {
                Command::Send { id, request } => {
                    let slot = if (p.is_list)(&request) { &mut list } else { &mut link };
                    prop_assert!(slot.is_none(), "one list and one link request at a time: {}", request.url);
                    *slot = Some(id);
                }
                Command::Abort { id } => {
                    prop_assert!(list == Some(id) || link == Some(id), "aborts only what is in flight");
                    if list == Some(id) {
                        list = None;
                    } else {
                        link = None;
                    }
                    retired.push(id);
                }
                Command::Download { url, filename } => {
                    prop_assert!(safe_download(&url), "unsafe download {}", url);
                    prop_assert!(!filename.is_empty() && !filename.contains(['/', '\\']), "{}", filename);
                }
                Command::Save { bytes, filename, .. } => {
                    prop_assert!(bytes.starts_with("\u{FEFF}".as_bytes()), "a built CSV starts with a BOM");
                    prop_assert!(filename.ends_with(".csv") && !filename.contains(['/', '\\']), "{}", filename);
                }
            }
        }
        let v = h.view().clone();
        // A timer is armed exactly while something is under way or a job runs.
        let busy = v.loading || v.downloading.is_some() || v.auto_refresh;
        prop_assert_eq!(h.poll_timeout().is_some(), busy, "timer vs {:?}", v);
        if v.auto_refresh {
            prop_assert!(v.items.iter().any(|i| i.state.is_active()), "auto refresh only while a job runs");
        }
        prop_assert!(v.downloading.is_some() || link.is_none(), "a link request only for a download");
        prop_assert!(v.loading || list.is_none(), "a list request only while loading");
        // Well-formed items.
        prop_assert!(v.items.len() <= limit);
        for (i, item) in v.items.iter().enumerate() {
            prop_assert!(!item.title.trim().is_empty());
            prop_assert!(!v.items[..i].iter().any(|o| o.id == item.id), "ids are unique");
            if let Some(pct) = item.percent {
                prop_assert!(pct <= 99 && item.state.is_active(), "{:?}", item);
            }
            prop_assert!(item.created_ms.is_none() || item.created_text.is_none());
        }
        // Every refresh ends, loaded or failed, within the bound.
        match (loading_since, v.loading) {
            (None, true) => loading_since = Some(now),
            (Some(t), false) => {
                prop_assert!(now - t <= BOUND_MS, "a refresh took {} ms", now - t);
                prop_assert!(v.loaded || v.failure.is_some(), "a refresh ends loaded or failed: {:?}", v);
                loading_since = None;
            }
            _ => {}
        }
        if let Some(t) = loading_since {
            prop_assert!(now - t <= BOUND_MS, "a refresh still under way after {} ms", now - t);
        }
        let a = match acts.get(steps - 1) {
            Some(a) => a,
            None => {
                if !v.loading && v.downloading.is_none() {
                    return Ok(());
                }
                // After the user's part: answers (cycling) and waits only.
                match answers.get(steps % answers.len().max(1)) {
                    Some(a) if !steps.is_multiple_of(3) => a,
                    _ => &Act::Wait,
                }
            }
        };
        match a {
            Act::Refresh => h.handle(HistoryInput::Refresh, now),
            Act::Answer(o, d, prefer_list) => {
                let target = if *prefer_list { list.or(link) } else { link.or(list) };
                let Some(id) = target else {
                    now = now.max(h.poll_timeout().unwrap_or(now));
                    h.handle(HistoryInput::Timer, now);
                    continue;
                };
                // An answer only comes before the machine's own timeout for it.
                let deadline = h.poll_timeout().unwrap_or(now);
                if now + d >= deadline {
                    now = now.max(deadline);
                    h.handle(HistoryInput::Timer, now);
                    continue;
                }
                now += d;
                if list == Some(id) {
                    list = None;
                } else {
                    link = None;
                }
                retired.push(id);
                h.handle(HistoryInput::Response { id, outcome: o.clone() }, now);
            }
            Act::Wait => {
                now = now.max(h.poll_timeout().unwrap_or(now));
                h.handle(HistoryInput::Timer, now);
            }
            Act::Download(n) => {
                let item = v.items.get(*n).map_or_else(|| "no-such-item".to_owned(), |i| i.id.clone());
                h.handle(HistoryInput::Download { item }, now);
            }
            Act::Cancel => {
                h.handle(HistoryInput::Cancel, now);
                while let Some(c) = h.poll_command() {
                    prop_assert!(matches!(c, Command::Abort { .. }), "only aborts after a cancel");
                }
                list = None;
                link = None;
                loading_since = None;
                prop_assert_eq!(h.poll_timeout(), None, "cancel leaves nothing scheduled");
                prop_assert!(!h.view().loading && !h.view().auto_refresh && h.view().downloading.is_none());
            }
            Act::Stale(o) => {
                let id = retired.first().copied().unwrap_or(RequestId(u64::MAX));
                let before = h.view().clone();
                let timeout = h.poll_timeout();
                h.handle(HistoryInput::Response { id, outcome: o.clone() }, now);
                prop_assert_eq!(&before, h.view(), "a stale answer changes nothing");
                prop_assert_eq!(timeout, h.poll_timeout());
                prop_assert!(h.poll_command().is_none());
            }
        }
    }
}

/// The protocol named `name`, `-` written `_` (as in a module name).
fn protocol(name: &str) -> Protocol {
    let name = name.replace('_', "-");
    let named = |p: &Protocol| Json::parse(p.options).unwrap().get("protocol").and_then(Json::as_str) == Some(&name);
    protocols().into_iter().find(named).unwrap_or_else(|| panic!("no protocol {name}"))
}

fn acts(p: &Protocol) -> impl Strategy<Value = Vec<Act>> {
    prop::collection::vec(act((p.shaped)()), 1..50)
}

never_wedged!(history: export_service, xlink, minapp, asset);

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_times_never_panic_the_time_reader(s in ".{0,40}", n in any::<f64>()) {
        let (ms, text) = k12_export_core::codec::time::parse_time(Some(&Json::Str(s.clone())));
        prop_assert!(ms.is_none() || text.is_none());
        prop_assert!(ms.is_none_or(f64::is_finite));
        let (ms, _) = k12_export_core::codec::time::parse_time(Some(&Json::Num(n)));
        prop_assert!(ms.is_none_or(|m| m.is_finite() && m > 0.0));
    }
}
