//! Property tests: whatever the server answers — arbitrary bytes, arbitrary JSON, K12-shaped JSON
//! with arbitrary values, any status, silence — the machine never panics, keeps its display
//! invariants, and always ends (done or failed) within its deadline.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{json, k12_options, machine, never_wedged};
use k12_export_core::json::Json;
use proptest::prelude::*;

fn k12() -> k12_export_core::Machine {
    machine(&k12_options(r#"{"termId":1001}"#, r#","filename":"K12作业统计-x""#))
}

/// K12-shaped answers with arbitrary values where the numbers and URL go.
fn k12_shaped_text() -> impl Strategy<Value = String> {
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

/// K12-shaped answers and plausible progress, so that runs also reach the later stages.
fn k12_shaped() -> BoxedStrategy<String> {
    prop_oneof![
        k12_shaped_text(),
        (0i64..120, 1i64..110).prop_map(|(l, t)| format!(r#"{{"code":0,"result":{{"loaded":{l},"total":{t}}}}}"#)),
    ]
    .boxed()
}

never_wedged! {
    k12:
    ends_by_the_deadline: k12(),
    keeps_the_invariants: k12(),
    answers: k12_shaped(),
    cases: 512,
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

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

/// Equal, as `JSON.parse` reads what was written: non-finite numbers written as `null`, and of a
/// repeated key the last value, in the place of the first.
fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Num(x), Json::Null) => !x.is_finite(),
        (Json::Arr(x), Json::Arr(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (Json::Obj(x), Json::Obj(y)) => {
            let mut keys: Vec<&str> = Vec::new();
            for (k, _) in x {
                if !keys.contains(&k.as_str()) {
                    keys.push(k);
                }
            }
            keys.len() == y.len()
                && keys.iter().zip(y).all(|(k, (k2, b))| k == k2 && a.get(k).is_some_and(|a| same(a, b)))
        }
        _ => a == b,
    }
}
