//! Numbers written, JSON read and relative links resolved in the browser (by the JS engine and its
//! URL parser) as natively (by Rust and serde_json), and JS values (a host page's options) walked
//! as JSON data.
#![cfg(target_arch = "wasm32")]
#![allow(missing_docs, clippy::unwrap_used)]

use k12_export::core::json::browser::{from_js, TOO_DEEP};
use k12_export::core::json::{misread_texts, Json, MAX_DEPTH, NUMBER_TEXTS};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn numbers_are_written_as_natively() {
    for &(n, text) in NUMBER_TEXTS {
        assert_eq!(Json::Num(n).to_string(), text);
    }
}

#[wasm_bindgen_test]
fn json_is_read_as_serde_json_reads_it_natively() {
    // The expected values are what serde_json reads natively (checked by the core's unit test
    // `texts_are_read_as_in_the_browser`), written back as compact JSON.
    assert_eq!(misread_texts(), []);
    // Nesting: as deep as the native reader goes, refused one level deeper, and a hostile depth
    // is an error, not a stack overflow.
    let deep = |n: usize| "[".repeat(n) + &"]".repeat(n);
    assert!(Json::parse(&deep(MAX_DEPTH)).is_ok());
    assert!(Json::parse(&deep(MAX_DEPTH + 1)).is_err());
    assert!(Json::parse(&deep(200_000)).is_err());
    let objects = |n: usize| r#"{"a":"#.repeat(n) + "1" + &"}".repeat(n);
    assert!(Json::parse(&objects(MAX_DEPTH)).is_ok());
    assert!(Json::parse(&objects(MAX_DEPTH + 1)).is_err());
}

/// A value made by `body` (a function body) in the page.
fn js(body: &str) -> wasm_bindgen::JsValue {
    js_sys::Function::new_no_args(body).call0(&wasm_bindgen::JsValue::NULL).unwrap()
}

/// `v` walked, as JSON text, or the error as `at: what`.
fn walked(v: &wasm_bindgen::JsValue) -> String {
    match from_js(v) {
        Ok(j) => j.to_string(),
        Err(e) => [e.at.as_str(), ": ", e.what].concat(),
    }
}

#[wasm_bindgen_test]
fn options_are_walked_as_data_whatever_the_page_did_to_its_prototypes() {
    // Prototype.js 1.6's Array#toJSON (arrays stringify as strings) and a polluted Object.prototype.
    js(r#"Array.prototype.toJSON = function () { return '[' + this.map((x) => JSON.stringify(x)).join(', ') + ']'; };
          Object.prototype.polluted = 1; Object.prototype.protocol = 'xlink';"#);
    let v = js(r#"const o = { protocol: 'asset', assetIds: [3, 4], f() {}, u: undefined, [Symbol('k')]: 1,
                                nested: { a: [undefined, () => 1, Symbol('x'), null, 'x'] }, get g() { return 5; } };
                  Object.defineProperty(o, 'hidden', { value: 1, enumerable: false });
                  return o;"#);
    let inherited = walked(&js("return { data: Object.create({ termId: 1 }) };"));
    let stringified = js("return JSON.stringify({ assetIds: [3, 4] });").as_string();
    js("delete Array.prototype.toJSON; delete Object.prototype.polluted; delete Object.prototype.protocol;");
    assert_eq!(stringified.as_deref(), Some(r#"{"assetIds":"[3, 4]"}"#), "the patch is what old libraries do");
    assert_eq!(walked(&v), r#"{"protocol":"asset","assetIds":[3,4],"nested":{"a":[null,null,null,null,"x"]},"g":5}"#);
    assert_eq!(walked(&js("return {};")), "{}", "nothing inherited");
    assert_eq!(walked(&js("const o = Object.create(null); o.x = 1; return o;")), r#"{"x":1}"#);
    assert!(inherited.starts_with(".data: is not plain data"), "{inherited}");
}

#[wasm_bindgen_test]
fn what_cannot_be_data_is_refused_naming_its_place() {
    let cases = [
        ("return { data: { when: new Date(0) } };", ".data.when: is not plain data"),
        ("return { m: new Map() };", ".m: is not plain data"),
        ("return { n: document.body };", ".n: is not plain data"),
        ("return { c: new (class A { constructor() { this.x = 1; } })() };", ".c: is not plain data"),
        ("return { s: new String('x') };", ".s: is not plain data"),
        ("return { ids: [1, [2, new Set()]] };", ".ids[1][1]: is not plain data"),
        ("return { data: { termId: 400000003117046n } };", ".data.termId: is not plain data (a BigInt"),
        ("return { g: { get x() { throw new Error('no'); } } };", ".g.x: cannot be read"),
    ];
    for (body, expected) in cases {
        let got = walked(&js(body));
        assert!(got.starts_with(expected), "{body}: {got}");
    }
    // What JSON drops, given itself, is null (JSON.stringify would write nothing).
    assert_eq!(walked(&js("return () => 1;")), "null");
    assert_eq!(walked(&js("return undefined;")), "null");
}

#[wasm_bindgen_test]
fn a_cycle_or_a_nesting_too_deep_is_refused_without_a_path() {
    let cycle = walked(&js("const o = { config: {} }; o.config.self = o; return o;"));
    assert_eq!(cycle, [": ", TOO_DEEP].concat());
    let deep = |n: usize| js(&["return JSON.parse('", &"[".repeat(n), &"]".repeat(n), "');"].concat());
    assert_eq!(walked(&deep(MAX_DEPTH)), "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH));
    assert_eq!(walked(&deep(MAX_DEPTH + 1)), [": ", TOO_DEEP].concat());
}

#[wasm_bindgen_test]
fn relative_links_resolve_in_the_browser_as_the_native_resolver_does() {
    // In the browser the browser's own URL parser resolves (see `absolute_url`); the same cases
    // as the native resolver's test.
    assert_eq!(k12_export::core::http::misresolved_urls(), []);
}
