//! JSON, as every layer of the core speaks it: the [`Json`] value, how a text is read into one and
//! how one is written.
//!
//! Untrusted server bodies and a host page's options are read without panicking and no deeper than
//! [`MAX_DEPTH`]. In the browser the JS engine reads (`JSON.parse`, then the value walked into a
//! [`Json`] by `browser::from_js`), which keeps a JSON reader out of the wasm; everywhere else
//! (the mock backend, the bench, the native tests) `serde_json` reads, with the browser's
//! semantics: numbers correctly rounded, an object's keys in document order with the last of a
//! repeated key winning (in the place of its first), a leading byte-order mark skipped. What still
//! differs is listed at [`Json::parse`]; a browser test reads [`READ_TEXTS`] both ways.
//!
//! Numbers are `f64`. They are written as `JSON.stringify` writes them ([`write_number`]); in the
//! browser by the JS engine, which keeps Rust's float formatting out of the wasm.

use crate::small_std;
use std::fmt;

/// A parsed JSON value. Objects keep their keys in document order; lookups take the last duplicate,
/// as `JSON.parse` does.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// Any number.
    Num(f64),
    /// A string.
    Str(String),
    /// An array.
    Arr(Vec<Json>),
    /// An object, in document order.
    Obj(Vec<(String, Json)>),
}

/// Why a text is not JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset of the problem.
    pub offset: usize,
    /// What was wrong there.
    pub what: &'static str,
}

impl JsonError {
    /// `invalid JSON at byte {offset}: {what}`, the text of `Display`, built without `core::fmt`
    /// (which the wasm does not carry).
    pub fn message(&self) -> String {
        ["invalid JSON at byte ", &small_std::uint(self.offset as u64), ": ", self.what].concat()
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for JsonError {}

/// Arrays and objects nested deeper than this are refused, in the browser and natively: a hostile
/// body must not overflow the stack. (`JSON.parse` alone goes much deeper, serde_json alone stops
/// one level earlier.)
pub const MAX_DEPTH: usize = 128;

impl Json {
    /// Parses a complete JSON text (surrounding whitespace allowed, a UTF-8 BOM tolerated).
    ///
    /// In the browser the JS engine reads it (`JSON.parse`, see `browser`), natively `serde_json`.
    /// The two read the same texts as the same values, except that in the browser an object's
    /// integer-like keys come first, a number beyond the range of `f64` is an infinity (natively:
    /// refused), a lone surrogate escape (`"\ud800"`) is U+FFFD (natively: refused), and an error
    /// has no offset (0).
    pub fn parse(text: &str) -> Result<Json, JsonError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        #[cfg(target_arch = "wasm32")]
        return browser::parse(text);
        #[cfg(not(target_arch = "wasm32"))]
        native::parse(text)
    }

    /// The member `key` of an object (the last one if repeated), else `None`.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A finite number, also read from a numeric string (`"25"`), since some backends quote numbers.
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Json::Num(n) if n.is_finite() => Some(*n),
            Json::Str(s) => {
                let t = s.trim();
                if t.is_empty() {
                    return None;
                }
                match Json::parse(t) {
                    Ok(Json::Num(n)) if n.is_finite() => Some(n),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// An integer (within ±2^53), also from a numeric string.
    pub fn as_i64(&self) -> Option<i64> {
        let n = self.as_number()?;
        (n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_992.0).then_some(n as i64)
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// Text for a non-empty string or a number, else `None`: how an id or a name is read when a
    /// backend may send either.
    pub fn as_text(&self) -> Option<String> {
        match self {
            Json::Str(s) if !s.trim().is_empty() => Some(s.clone()),
            Json::Num(_) => self.as_i64().map(small_std::int),
            _ => None,
        }
    }

    /// This value as compact JSON (the text of `Display`, without `core::fmt`).
    pub fn to_json(&self) -> String {
        let mut s = String::new();
        self.write(&mut s);
        s
    }

    /// Writes this value as compact JSON.
    pub fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Num(n) => write_number(*n, out),
            Json::Str(s) => write_string(s, out),
            Json::Arr(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write(out);
                }
                out.push(']');
            }
            Json::Obj(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(k, out);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json())
    }
}

/// Writes a number the way `JSON.stringify` does for the values that occur here: integers without
/// a fraction, non-finite numbers as `null`.
pub fn write_number(n: f64, out: &mut String) {
    if !n.is_finite() {
        out.push_str("null");
    } else if n.fract() == 0.0 && n.abs() < 1e15 {
        small_std::push_int(out, n as i64);
    } else {
        write_shortest(n, out);
    }
}

/// The shortest digits that read back as `n`, in exponent notation where JS uses it.
#[cfg(not(target_arch = "wasm32"))]
fn write_shortest(n: f64, out: &mut String) {
    use fmt::Write;
    let _ = if n.abs() >= 1e21 || n.abs() < 1e-6 {
        // JS switches to exponent notation here too; Rust's Display would print every digit.
        write!(out, "{n:e}")
    } else {
        write!(out, "{n}")
    };
}

/// In the browser the JS engine writes the number: `Number#toString` picks the same shortest
/// digits as Rust's `Display`/`LowerExp` and switches to exponents at the same bounds; only the
/// exponent's `+` differs. This keeps Rust's float formatting (some 14 KB) out of the wasm.
#[cfg(target_arch = "wasm32")]
fn write_shortest(n: f64, out: &mut String) {
    let text = js_sys::Number::from(n).to_string_with_radix(10).map(String::from).unwrap_or_default();
    match text.find('e') {
        Some(i) if text[i + 1..].starts_with('+') => {
            out.push_str(&text[..=i]);
            out.push_str(&text[i + 2..]);
        }
        _ => out.push_str(&text),
    }
}

/// In the browser the JS engine reads JSON: `JSON.parse`, then the value walked into a [`Json`]
/// by [`browser::from_js`], with the same depth limit. This keeps a JSON reader (some 2 KB gzip)
/// out of the wasm. The same walk reads a host page's options (`mount()`), so that they are read
/// as data, whatever the page did to its prototypes.
#[cfg(target_arch = "wasm32")]
pub mod browser {
    use js_sys::{Array, Object, Reflect, JSON};
    use wasm_bindgen::{JsCast, JsValue};

    use super::{Json, JsonError, MAX_DEPTH};
    use crate::small_std;

    pub(super) fn parse(text: &str) -> Result<Json, JsonError> {
        let v = JSON::parse(text)
            .map_err(|_| JsonError { offset: 0, what: "not JSON (the browser's reader refused it)" })?;
        // What `JSON.parse` makes is data: only its depth can be refused.
        from_js(&v).map_err(|_| JsonError { offset: 0, what: "nested too deeply" })
    }

    /// Why a JS value is not JSON data.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct NotData {
        /// Where, from the value walked: `.config.e.url`, `.assetIds[2]`, or empty for the value
        /// itself (and for a nesting too deep, which has no useful place).
        pub at: String,
        /// What is wrong there.
        pub what: &'static str,
    }

    /// [`NotData::what`] of a value nested more than [`MAX_DEPTH`] levels deep, or in a cycle.
    pub const TOO_DEEP: &str = "is nested too deeply (or in a cycle)";

    /// Reads `v` as JSON data, walking it as the page's own `JSON.parse` results are walked, and
    /// as `JSON.stringify` would see it — except that no code of the page runs and nothing
    /// inherited counts:
    ///
    /// - an object's own enumerable string keys only, in `Object.keys` order (nothing from its
    ///   prototypes: a polluted `Object.prototype` adds nothing; symbol keys are left out);
    /// - `toJSON` is never called (an `Array.prototype.toJSON` patched by an old library would
    ///   turn arrays into strings);
    /// - members that JSON drops (functions, `undefined`, symbols) are left out of objects and
    ///   are `null` in arrays, as `JSON.stringify` writes them;
    /// - only arrays and plain objects (whose prototype is `Object.prototype`, of any realm, or
    ///   `null`) are walked: a `Date`, `Map`, `Set`, boxed value, DOM node or class instance is
    ///   refused, and so is a `BigInt`, and a getter that throws;
    /// - more than [`MAX_DEPTH`] levels, which is also how a cycle ends, is refused.
    ///
    /// A value that JSON drops, given itself (a function, `undefined`), reads as `null`.
    pub fn from_js(v: &JsValue) -> Result<Json, NotData> {
        Ok(walk(v, 0)?.unwrap_or(Json::Null))
    }

    fn not_data(what: &'static str) -> NotData {
        NotData { at: String::new(), what }
    }

    /// `v` inside `depth` arrays and objects; `None` for what JSON leaves out.
    fn walk(v: &JsValue, depth: usize) -> Result<Option<Json>, NotData> {
        if v.is_null() {
            return Ok(Some(Json::Null));
        }
        if let Some(b) = v.as_bool() {
            return Ok(Some(Json::Bool(b)));
        }
        if let Some(n) = v.as_f64() {
            return Ok(Some(Json::Num(n)));
        }
        if let Some(s) = v.as_string() {
            return Ok(Some(Json::Str(s)));
        }
        if v.is_undefined() || v.is_function() || v.is_symbol() {
            return Ok(None);
        }
        if depth >= MAX_DEPTH {
            return Err(not_data(TOO_DEEP));
        }
        if Array::is_array(v) {
            let items: &Array = v.unchecked_ref();
            let mut out = Vec::new();
            for (i, x) in items.iter().enumerate() {
                let at = || ["[", &small_std::uint(i as u64), "]"].concat();
                out.push(walk(&x, depth + 1).map_err(|e| inside(e, at))?.unwrap_or(Json::Null));
            }
            return Ok(Some(Json::Arr(out)));
        }
        // What is left: objects, and BigInts (neither null nor an object as a prototype).
        let proto = Object::get_prototype_of(v);
        if !v.is_object() || !proto.is_null() && !Object::get_prototype_of(&proto).is_null() {
            return Err(not_data("is not plain data (a BigInt, a Date, a Map, a DOM node…)"));
        }
        let mut members = Vec::new();
        let object: &Object = v.unchecked_ref();
        for key in Object::keys(object).iter() {
            let k = key.as_string().unwrap_or_default();
            let at = || [".", k.as_str()].concat();
            let value = Reflect::get(v, &key).map_err(|_| inside(not_data("cannot be read"), at))?;
            if let Some(j) = walk(&value, depth + 1).map_err(|e| inside(e, at))? {
                members.push((k, j));
            }
        }
        Ok(Some(Json::Obj(members)))
    }

    /// `e`, found inside the member or item `at` names (a nesting too deep keeps no place).
    fn inside(mut e: NotData, at: impl FnOnce() -> String) -> NotData {
        if e.what != TOO_DEEP {
            e.at = [at().as_str(), &e.at].concat();
        }
        e
    }
}

/// Writes `s` as a JSON string literal.
pub fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 15] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Numbers and how [`write_number`] writes them (as `JSON.stringify` would, bar the exponent's
/// `+`): checked natively and in the browser, whose path differs.
#[doc(hidden)]
pub const NUMBER_TEXTS: &[(f64, &str)] = &[
    (0.0, "0"),
    (-0.0, "0"),
    (42.0, "42"),
    (-7.0, "-7"),
    (0.5, "0.5"),
    (-123.456, "-123.456"),
    (0.1 + 0.2, "0.30000000000000004"),
    (1.0 / 3.0, "0.3333333333333333"),
    (0.000001, "0.000001"),
    (1e-7, "1e-7"),
    (-2.5e-8, "-2.5e-8"),
    (5e-324, "5e-324"),
    (1e15, "1000000000000000"),
    (123_456_789_012_345_680_000.0, "123456789012345680000"),
    (1e21, "1e21"),
    (1.5e300, "1.5e300"),
    (f64::MAX, "1.7976931348623157e308"),
    (f64::INFINITY, "null"),
    (f64::NAN, "null"),
];

/// JSON texts and what they read as, written back as compact JSON (`None`: refused), the same in
/// the browser (`JSON.parse`) and natively (serde_json): checked on both sides.
#[doc(hidden)]
pub const READ_TEXTS: &[(&str, Option<&str>)] = &[
    (
        "{\"a\":[1,-0.5,2e3,true,null,\"\\u00e9\\n\\ud83d\\ude00\"],\"b\":{\"c\":\"x\"}}",
        Some("{\"a\":[1,-0.5,2000,true,null,\"é\\n😀\"],\"b\":{\"c\":\"x\"}}"),
    ),
    ("\u{feff} 1 ", Some("1")),
    (" \t\r\n[ ] \n", Some("[]")),
    ("{ }", Some("{}")),
    ("\"\"", Some("\"\"")),
    ("{\"k\":1,\"k\":2}", Some("{\"k\":2}")),
    ("{\"a\":1,\"b\":2,\"a\":3}", Some("{\"a\":3,\"b\":2}")),
    ("{\"a\":{\"x\":1},\"a\":[2]}", Some("{\"a\":[2]}")),
    ("{\"z\":1,\"y\":2,\"x\":3}", Some("{\"z\":1,\"y\":2,\"x\":3}")),
    ("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000\\u001f\"", Some("\"\\\"\\\\/\\u0008\\u000c\\n\\r\\t\\u0000\\u001f\"")),
    ("\"中😀\\u4e2D\"", Some("\"中😀中\"")),
    ("\"\\ud83d\\ude00\"", Some("\"😀\"")),
    ("[\"[[[[{{{{\",\"]]}}\"]", Some("[\"[[[[{{{{\",\"]]}}\"]")),
    ("9007199254740993", Some("9007199254740992")),
    ("-9007199254740993", Some("-9007199254740992")),
    ("18446744073709551616", Some("18446744073709552000")),
    ("-0", Some("0")),
    ("0.1", Some("0.1")),
    ("1e-7", Some("1e-7")),
    ("12.5E+1", Some("125")),
    ("0.30000000000000004", Some("0.30000000000000004")),
    ("123456789012345678901234567890", Some("1.2345678901234568e29")),
    ("1.00000000000000011102230246251565404236316680908203125", Some("1")),
    ("1.00000000000000011102230246251565404236316680908203126", Some("1.0000000000000002")),
    ("2.2250738585072011e-308", Some("2.225073858507201e-308")),
    ("2.4703282292062328e-324", Some("5e-324")),
    ("1e-400", Some("0")),
    ("1.7976931348623157e308", Some("1.7976931348623157e308")),
    ("", None),
    (" ", None),
    ("{", None),
    ("[1,]", None),
    ("[1,,2]", None),
    ("{\"a\":1,}", None),
    ("{\"a\" 1}", None),
    ("{a:1}", None),
    ("{\"a\":1}x", None),
    ("[1 2]", None),
    ("01", None),
    ("1.", None),
    (".5", None),
    ("+1", None),
    ("1e", None),
    ("-", None),
    ("NaN", None),
    ("Infinity", None),
    ("'a'", None),
    ("nul", None),
    ("tru", None),
    ("\"a", None),
    ("\"a\u{1}\"", None),
    ("\"\t\"", None),
    ("\"\\x\"", None),
    ("\"\\u12\"", None),
    ("\u{feff}\u{feff}1", None),
    ("<html>502 Bad Gateway</html>", None),
];

/// JSON texts that the browser and serde_json read differently: the text, what it reads as
/// natively and what in the browser (as in [`READ_TEXTS`]).
#[doc(hidden)]
pub const READ_DIFFERENCES: &[(&str, Option<&str>, Option<&str>)] = &[
    ("1e400", None, Some("null")),
    ("[-1e999]", None, Some("[null]")),
    ("\"\\ud800\"", None, Some("\"\u{fffd}\"")),
    ("{\"a\":\"\\udc00x\"}", None, Some("{\"a\":\"\u{fffd}x\"}")),
    ("{\"b\":1,\"2\":2,\"1\":3}", Some("{\"b\":1,\"2\":2,\"1\":3}"), Some("{\"1\":3,\"2\":2,\"b\":1}")),
];

/// The texts of [`READ_TEXTS`] and [`READ_DIFFERENCES`] that this build reads otherwise than
/// listed (natively, or in the browser), with what it read: none when it reads them all as listed.
#[doc(hidden)]
pub fn misread_texts() -> Vec<(&'static str, Option<String>)> {
    let browser = cfg!(target_arch = "wasm32");
    let differences = READ_DIFFERENCES
        .iter()
        .map(|&(text, natively, in_the_browser)| (text, if browser { in_the_browser } else { natively }));
    READ_TEXTS
        .iter()
        .copied()
        .chain(differences)
        .filter_map(|(text, want)| {
            let read = Json::parse(text).ok().map(|v| v.to_json());
            (read.as_deref() != want).then_some((text, read))
        })
        .collect()
}

/// The reader everywhere but in the browser: serde_json, with the browser's semantics (see the
/// crate's `Cargo.toml` for its features).
#[cfg(not(target_arch = "wasm32"))]
mod native {
    use serde::Deserialize;
    use serde_json::Value;

    use super::{Json, JsonError, MAX_DEPTH};

    pub(super) fn parse(text: &str) -> Result<Json, JsonError> {
        if let Some(offset) = too_deep(text) {
            return Err(JsonError { offset, what: "nested too deeply" });
        }
        // `too_deep` bounds the nesting, so serde_json's own limit (one level short) is not needed.
        let mut de = serde_json::Deserializer::from_str(text);
        de.disable_recursion_limit();
        let value = Value::deserialize(&mut de).and_then(|v| de.end().map(|()| v));
        value.map(from_value).map_err(|e| JsonError {
            offset: offset(text, e.line(), e.column()),
            what: if e.is_eof() { "unexpected end" } else { "not JSON" },
        })
    }

    fn from_value(v: Value) -> Json {
        match v {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(b),
            Value::Number(n) => Json::Num(n.as_f64().unwrap_or(f64::NAN)),
            Value::String(s) => Json::Str(s),
            Value::Array(items) => Json::Arr(items.into_iter().map(from_value).collect()),
            Value::Object(members) => Json::Obj(members.into_iter().map(|(k, v)| (k, from_value(v))).collect()),
        }
    }

    /// The offset of the first `[` or `{` outside strings that opens a level deeper than
    /// [`MAX_DEPTH`]. (A text that is not JSON before that point is refused either way.)
    fn too_deep(text: &str) -> Option<usize> {
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        for (i, b) in text.bytes().enumerate() {
            if in_string {
                match b {
                    _ if escaped => escaped = false,
                    b'\\' => escaped = true,
                    b'"' => in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'[' | b'{' if depth == MAX_DEPTH => return Some(i),
                b'[' | b'{' => depth += 1,
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        None
    }

    /// The byte offset of serde_json's `line` and `column` (both counted from 1, the column in bytes).
    fn offset(text: &str, line: usize, column: usize) -> usize {
        let start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
        (start + column.saturating_sub(1)).min(text.len())
    }
}

/// Builds a [`Json::Obj`] from pairs: `obj([("a", Json::Num(1.0))])`.
pub fn obj<const N: usize>(pairs: [(&str, Json); N]) -> Json {
    Json::Obj(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

impl From<&str> for Json {
    fn from(s: &str) -> Json {
        Json::Str(s.to_owned())
    }
}

impl From<String> for Json {
    fn from(s: String) -> Json {
        Json::Str(s)
    }
}

impl From<f64> for Json {
    fn from(n: f64) -> Json {
        Json::Num(n)
    }
}

impl From<i64> for Json {
    fn from(n: i64) -> Json {
        Json::Num(n as f64)
    }
}

impl From<bool> for Json {
    fn from(b: bool) -> Json {
        Json::Bool(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_seed_progress_answer() {
        let v = Json::parse(
            r#"{"code":0,"message":"jraFuMGc5G","result":{"retCode":21405,"loaded":25250,"total":83761,
               "message":"pFEuGZbZBL","data":"n06xWnmRlT","extra":{"filename":"P5dMZxCqAt"}}}"#,
        )
        .unwrap();
        let r = v.get("result").unwrap();
        assert_eq!(r.get("loaded").unwrap().as_number(), Some(25250.0));
        assert_eq!(r.get("extra").unwrap().get("filename").unwrap().as_str(), Some("P5dMZxCqAt"));
    }

    #[test]
    fn numbers_are_exact_for_integers_and_close_for_fractions() {
        assert_eq!(Json::parse("9007199254740992").unwrap(), Json::Num(9007199254740992.0));
        assert_eq!(Json::parse("-0").unwrap(), Json::Num(-0.0));
        let Json::Num(x) = Json::parse("12.5e-1").unwrap() else { panic!() };
        assert!((x - 1.25).abs() < 1e-12);
        let Json::Num(x) = Json::parse("0.1").unwrap() else { panic!() };
        assert!((x - 0.1).abs() < 1e-15);
        assert!(Json::parse("1e99999").is_err(), "beyond f64: refused natively, an infinity in the browser");
        assert_eq!(Json::parse("1e-99999").unwrap(), Json::Num(0.0));
    }

    #[test]
    fn infinite_numbers_do_not_count_as_numbers() {
        assert_eq!(Json::Num(f64::INFINITY).as_number(), None);
        assert_eq!(Json::from("1e400").as_number(), None);
    }

    #[test]
    fn numeric_strings_read_as_numbers() {
        assert_eq!(Json::from(" 42 ").as_number(), Some(42.0));
        assert_eq!(Json::from("4x").as_number(), None);
        assert_eq!(Json::from("").as_number(), None);
        assert_eq!(Json::from("7").as_i64(), Some(7));
        assert_eq!(Json::Num(7.5).as_i64(), None);
    }

    #[test]
    fn strings_decode_escapes_and_surrogates() {
        assert_eq!(Json::parse(r#""a\"\\\/\n\u4e2d\ud83d\ude00""#).unwrap(), Json::from("a\"\\/\n中😀"));
        assert!(Json::parse(r#""\ud800x""#).is_err(), "a lone surrogate: refused natively, U+FFFD in the browser");
    }

    #[test]
    fn rejects_what_json_parse_rejects() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "1.",
            ".5",
            "+1",
            "'a'",
            "nul",
            "\"a",
            "\"\t\"",
            "{a:1}",
            "[1] x",
            "<html>502 Bad Gateway</html>",
            "\"\\x\"",
            "1e",
            "-",
        ] {
            assert!(Json::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn a_129th_level_of_nesting_is_refused_even_when_empty() {
        let nested = |n: usize, inner: &str| format!("{}{inner}{}", "[".repeat(n), "]".repeat(n));
        assert!(Json::parse(&nested(MAX_DEPTH, "1")).is_ok());
        assert!(Json::parse(&nested(MAX_DEPTH, "{}")).is_err());
        assert_eq!(Json::parse(&nested(MAX_DEPTH + 1, "")).unwrap_err().what, "nested too deeply");
        assert!(Json::parse(&nested(MAX_DEPTH + 1, "1")).is_err());
        let objects = |n: usize| format!("{}1{}", r#"{"a":"#.repeat(n), "}".repeat(n));
        assert!(Json::parse(&objects(MAX_DEPTH)).is_ok());
        assert!(Json::parse(&objects(MAX_DEPTH + 1)).is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = "[".repeat(100_000);
        assert_eq!(Json::parse(&deep).unwrap_err().what, "nested too deeply");
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(Json::parse(&ok).is_ok());
    }

    #[test]
    fn last_duplicate_key_wins_like_json_parse() {
        let v = Json::parse(r#"{"a":1,"a":2}"#).unwrap();
        assert_eq!(v.get("a"), Some(&Json::Num(2.0)));
    }

    #[test]
    fn writes_round_trip() {
        let text = r#"{"s":"x\"\n\u0001中","n":[1,-2,0.5,true,null],"o":{}}"#;
        let v = Json::parse(text).unwrap();
        assert_eq!(v.to_string(), text);
        assert_eq!(Json::parse(&v.to_string()).unwrap(), v);
        assert_eq!(Json::Num(f64::NAN).to_string(), "null");
        for &(n, text) in NUMBER_TEXTS {
            assert_eq!(Json::Num(n).to_string(), text, "{n:e}");
        }
    }

    #[test]
    fn texts_are_read_as_in_the_browser() {
        assert_eq!(misread_texts(), []);
    }

    #[test]
    fn brackets_in_strings_do_not_count_as_nesting() {
        let text = ["[\"", &"[{".repeat(MAX_DEPTH), "\\\"", &"[".repeat(MAX_DEPTH), "\"]"].concat();
        assert_eq!(Json::parse(&text).unwrap().to_json(), text);
    }

    #[test]
    fn errors_name_their_byte() {
        assert_eq!(Json::parse("[1,\n 2,]").unwrap_err().offset, 7);
        assert_eq!(Json::parse("[1,\n 2,]").unwrap_err().what, "not JSON");
        assert_eq!(Json::parse("[1,").unwrap_err().what, "unexpected end");
    }

    #[test]
    fn bom_is_tolerated() {
        assert_eq!(Json::parse("\u{feff} 1 ").unwrap(), Json::Num(1.0));
    }
}
