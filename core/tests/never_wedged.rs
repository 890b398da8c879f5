//! Property tests: whatever the server answers — arbitrary bytes, arbitrary JSON, K12-shaped JSON
//! with arbitrary values, any status, silence — the machine never panics, keeps its display
//! invariants, and always ends (done or failed) within its deadline.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use k12_export_core::json::Json;
use k12_export_core::*;
use proptest::prelude::*;

const DEADLINE_MS: f64 = 60_000.0;

fn machine() -> Machine {
    let options = Json::parse(&format!(
        r#"{{"config":{{"e":{{"url":"/j/org/{{termId}}/homework/export","rest":true}},
             "e-progress":{{"url":"/j/org/{{termId}}/homework/export/process","rest":true}}}},
           "data":{{"termId":1001}},"filename":"K12作业统计-x","timeoutMs":{DEADLINE_MS},"requestTimeoutMs":5000}}"#
    ))
    .unwrap();
    Machine::from_options(&options, 7).unwrap()
}

fn json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<f64>().prop_map(Json::Num),
        (-5i64..200).prop_map(|n| Json::Num(n as f64)),
        ".{0,12}".prop_map(Json::Str),
        prop_oneof![
            Just("javascript:alert(1)"),
            Just("/files/x"),
            Just("http://h/f"),
            Just(""),
            Just("12"),
            Just("-1")
        ]
        .prop_map(|s| Json::Str(s.to_owned())),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Json::Arr),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("url".to_owned()),
                        Just("loaded".to_owned()),
                        Just("total".to_owned()),
                        "[a-z]{1,6}"
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(Json::Obj),
        ]
    })
}

/// K12-shaped answers with arbitrary values where the numbers and URL go.
fn k12_shaped() -> impl Strategy<Value = String> {
    (json(), json(), json(), json(), json()).prop_map(|(code, url, loaded, total, filename)| {
        let mut s = String::new();
        Json::Obj(vec![
            ("code".into(), code),
            (
                "result".into(),
                Json::Obj(vec![
                    ("url".into(), url),
                    ("loaded".into(), loaded),
                    ("total".into(), total),
                    ("filename".into(), filename.clone()),
                    ("extra".into(), Json::Obj(vec![("filename".into(), filename)])),
                ]),
            ),
        ])
        .write(&mut s);
        s
    })
}

fn body() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        json().prop_map(|j| j.to_string()),
        k12_shaped(),
        // plausible progress, so that runs also reach the later stages
        (0i64..120, 1i64..110).prop_map(|(l, t)| format!(r#"{{"code":0,"result":{{"loaded":{l},"total":{t}}}}}"#)),
    ]
}

fn outcome() -> impl Strategy<Value = HttpOutcome> {
    let status = prop_oneof![
        8 => Just(200u16),
        1 => Just(201),
        1 => Just(204),
        1 => Just(302),
        1 => Just(400),
        1 => Just(404),
        1 => Just(408),
        1 => Just(429),
        1 => Just(500),
        1 => Just(502),
        1 => Just(503),
        1 => any::<u16>(),
    ];
    let retry_after = prop::option::of(prop_oneof![Just("1".to_owned()), Just("0".to_owned()), "[0-9a-z ,:]{0,12}"]);
    prop_oneof![
        10 => (status, retry_after, body()).prop_map(|(status, retry_after, body)| HttpOutcome::Answer { status, retry_after, body }),
        1 => Just(HttpOutcome::NetworkError("reset".into())),
    ]
}

#[derive(Clone, Debug)]
enum Act {
    /// Answer the request in flight after `delay` ms (or let a timer fire if none is).
    Answer(HttpOutcome, f64),
    /// Let the next timer fire, whatever it is (a poll, a backoff, a request timeout).
    Wait,
    /// Leave the page.
    Cancel,
    /// Click again (ignored while exporting).
    Click,
    /// Deliver an answer for a request that is not in flight.
    Stale(HttpOutcome),
}

fn act(with_cancel: bool) -> impl Strategy<Value = Act> {
    prop_oneof![
        12 => (outcome(), 0.0f64..8000.0).prop_map(|(o, d)| Act::Answer(o, d)),
        2 => Just(Act::Wait),
        1 => Just(Act::Cancel),
        2 => Just(Act::Click),
        1 => outcome().prop_map(Act::Stale),
    ]
    .prop_map(move |a| if matches!(a, Act::Cancel) && !with_cancel { Act::Wait } else { a })
}

/// Runs `acts` (cycling) against a machine; checks invariants after every input. Returns the
/// machine, the time the export ended, and the number of inputs.
fn run(acts: &[Act], start_again_after_cancel: bool) -> Result<(Machine, f64, usize), TestCaseError> {
    let mut m = machine();
    let mut now = 0.0;
    let mut in_flight: Option<RequestId> = None;
    let mut last_pct: Option<u8> = None;
    let mut retired: Vec<RequestId> = Vec::new();
    m.handle(Input::Start, now);
    let mut steps = 0usize;
    for (i, a) in acts.iter().cycle().enumerate() {
        // After one pass, only answers and waits: from then on time must move the export to its end.
        let a = if i >= acts.len() && !matches!(a, Act::Answer(..)) { &Act::Wait } else { a };
        steps += 1;
        prop_assert!(steps < 100_000, "did not end");
        // drain
        while let Some(c) = m.poll_command() {
            match c {
                Command::Send { id, .. } => {
                    prop_assert!(in_flight.is_none(), "one request at a time");
                    in_flight = Some(id);
                }
                Command::Abort { id } => {
                    prop_assert_eq!(Some(id), in_flight, "aborts only what is in flight");
                    retired.push(id);
                    in_flight = None;
                }
                Command::Download { url, .. } => {
                    prop_assert!(
                        url.starts_with("http://")
                            || url.starts_with("https://")
                            || url.starts_with('/')
                            || !url.contains(':')
                    );
                }
                Command::Save { .. } => {}
            }
        }
        while m.poll_event().is_some() {}
        let v = m.view().clone();
        if let Some(p) = v.percent {
            prop_assert!(p <= 100);
            prop_assert!(p < 100 || v.status == Status::Done, "100% only with the file in hand");
        }
        if v.status == Status::Exporting {
            if let (Some(a), Some(b)) = (last_pct, v.percent) {
                prop_assert!(b >= a, "percent went back from {} to {}", a, b);
            }
            last_pct = v.percent.or(last_pct);
            let t = m.poll_timeout();
            prop_assert!(t.is_some(), "a running export always has a timeout");
        } else {
            prop_assert_eq!(m.poll_timeout(), None, "nothing scheduled once ended");
            last_pct = None;
            if v.status == Status::Idle && start_again_after_cancel {
                m.handle(Input::Start, now);
                continue;
            }
            return Ok((m, now, steps));
        }
        match a {
            Act::Answer(o, d) => {
                if let Some(id) = in_flight.take() {
                    let deadline = m.poll_timeout().unwrap_or(now);
                    // an answer only comes before the machine's own timeout for it
                    now = (now + d).min(deadline);
                    if now >= deadline {
                        m.handle(Input::Timer, now);
                        in_flight = Some(id);
                        continue;
                    }
                    retired.push(id);
                    m.handle(Input::Response { id, outcome: o.clone() }, now);
                } else {
                    now = now.max(m.poll_timeout().unwrap_or(now));
                    m.handle(Input::Timer, now);
                }
            }
            Act::Wait => {
                now = now.max(m.poll_timeout().unwrap_or(now));
                m.handle(Input::Timer, now);
            }
            Act::Cancel => {
                m.handle(Input::Cancel, now);
                in_flight = None;
                while let Some(c) = m.poll_command() {
                    prop_assert!(matches!(c, Command::Abort { .. }), "only aborts after a cancel");
                }
                prop_assert_eq!(m.poll_timeout(), None, "cancel leaves nothing scheduled");
            }
            Act::Click => m.handle(Input::Start, now),
            Act::Stale(o) => {
                let id = retired.first().copied().unwrap_or(RequestId(u64::MAX));
                let before = m.view().clone();
                m.handle(Input::Response { id, outcome: o.clone() }, now);
                prop_assert_eq!(&before, m.view(), "a stale answer changes nothing");
                prop_assert!(m.poll_command().is_none());
            }
        }
    }
    unreachable!()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_server_behaviour_ends_in_done_or_failed_within_the_deadline(acts in prop::collection::vec(act(false), 1..40)) {
        let (m, ended_at, _) = run(&acts, false)?;
        prop_assert!(matches!(m.view().status, Status::Done | Status::Failed), "{:?}", m.view());
        prop_assert!(ended_at <= DEADLINE_MS, "ended at {} ms", ended_at);
    }

    #[test]
    fn cancels_clicks_and_stale_answers_never_break_the_invariants(acts in prop::collection::vec(act(true), 1..60)) {
        let (m, _, _) = run(&acts, true)?;
        prop_assert!(matches!(m.view().status, Status::Done | Status::Failed));
    }

    #[test]
    fn arbitrary_text_never_panics_the_json_reader(s in ".{0,200}") {
        let _ = Json::parse(&s);
    }

    #[test]
    fn json_written_reads_back_the_same(j in json()) {
        let text = j.to_string();
        let back = Json::parse(&text).map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
        prop_assert!(same(&j, &back), "{:?} came back as {:?}", j, back);
    }
}

/// Equal, with numbers within 1e-12 relative (the reader trades the last ulp for size) and
/// non-finite numbers written as `null`.
fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Num(x), Json::Null) => !x.is_finite(),
        (Json::Num(x), Json::Num(y)) => x == y || (x - y).abs() <= 1e-12 * x.abs().max(y.abs()),
        (Json::Arr(x), Json::Arr(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (Json::Obj(x), Json::Obj(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((k1, a), (k2, b))| k1 == k2 && same(a, b))
        }
        _ => a == b,
    }
}
