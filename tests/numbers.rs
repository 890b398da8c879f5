//! Numbers written in the browser (by the JS engine) read exactly as natively (by Rust).
#![cfg(target_arch = "wasm32")]
#![allow(missing_docs)]

use k12_export::core::json::{Json, NUMBER_TEXTS};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn numbers_are_written_as_natively() {
    for &(n, text) in NUMBER_TEXTS {
        assert_eq!(Json::Num(n).to_string(), text);
    }
}
