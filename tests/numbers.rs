//! Numbers written and JSON read in the browser (by the JS engine) as natively (by Rust).
#![cfg(target_arch = "wasm32")]
#![allow(missing_docs, clippy::unwrap_used)]

use k12_export::core::json::{Json, MAX_DEPTH, NUMBER_TEXTS};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn numbers_are_written_as_natively() {
    for &(n, text) in NUMBER_TEXTS {
        assert_eq!(Json::Num(n).to_string(), text);
    }
}

#[wasm_bindgen_test]
fn json_is_read_as_natively() {
    let s = |t: &str| Json::Str(t.into());
    let v = Json::parse("\u{feff} {\"a\":[1,-0.5,2e3,true,null,\"\\u00e9\\n\\ud83d\\ude00\"],\"b\":{\"c\":\"x\"}} \n")
        .unwrap();
    let a =
        Json::Arr(vec![Json::Num(1.0), Json::Num(-0.5), Json::Num(2000.0), Json::Bool(true), Json::Null, s("é\n😀")]);
    assert_eq!(v, Json::Obj(vec![("a".into(), a), ("b".into(), Json::Obj(vec![("c".into(), s("x"))]))]));
    assert_eq!(Json::parse("9007199254740993").unwrap(), Json::Num(9007199254740992.0));
    assert_eq!(Json::parse(r#"{"k":1,"k":2}"#).unwrap().get("k"), Some(&Json::Num(2.0)), "the last one");
    for bad in ["", " ", "{", "[1,]", "{\"a\":1}x", "01", "'a'", "NaN", "[1 2]", "\"\\x\"", "{\"a\" 1}", "\"a\u{1}\""] {
        assert!(Json::parse(bad).is_err(), "{bad:?} is not JSON");
    }
    // Nesting: as deep as the native reader goes, refused one level deeper, and a hostile depth
    // is an error, not a stack overflow.
    let deep = |n: usize| "[".repeat(n) + &"]".repeat(n);
    assert!(Json::parse(&deep(MAX_DEPTH)).is_ok());
    assert!(Json::parse(&deep(MAX_DEPTH + 1)).is_err());
    assert!(Json::parse(&deep(200_000)).is_err());
}
