#![cfg(target_arch = "wasm32")]
#![allow(missing_docs)]
mod common;
use common::*;
use wasm_bindgen_test::*;
wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn renders_the_button() {
    let script = Script::new(|_, _| None);
    let m = Mounted::new(props(&script)).await;
    assert_eq!(m.button().text_content().unwrap(), "导出");
}
