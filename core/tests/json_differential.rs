//! The core's JSON reader against serde_json, on arbitrary text and on valid JSON with random
//! slips: the same accept/reject decision and the same values, numbers within the reader's
//! documented precision (see `k12_export_core::json`): integers to 2^53 and ordinary numbers (15
//! significant digits, exponent within ±22) exactly, others within 1e-14 relative.
//!
//! The reader follows `JSON.parse` where serde_json refuses, and these differences are expected:
//! a leading byte-order mark is skipped; a number beyond the range of f64 is an infinity; a lone
//! surrogate escape (`"\ud800"`) is U+FFFD; 128 levels of nesting are read (serde_json stops at
//! 127). Anything else that differs is a bug.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use k12_export_core::json::{Json, MAX_DEPTH};
use proptest::prelude::*;
use serde_json::Value;

/// Relative error allowed for numbers that are not integers within 2^53.
const PRECISION: f64 = 1e-14;

/// Whether `ours` is `theirs`, numbers within the documented precision.
fn same(ours: &Json, theirs: &Value) -> Result<(), String> {
    match (ours, theirs) {
        (Json::Null, Value::Null) => Ok(()),
        (Json::Bool(a), Value::Bool(b)) if a == b => Ok(()),
        (Json::Str(a), Value::String(b)) if a == b => Ok(()),
        (Json::Num(a), Value::Number(b)) => {
            let exact = b.as_i64().map(|i| i.unsigned_abs() <= 1 << 53).or(b.as_u64().map(|u| u <= 1 << 53));
            let b = b.as_f64().ok_or("not an f64")?;
            let close = if exact == Some(true) { *a == b } else { (a - b).abs() <= PRECISION * b.abs() };
            if close {
                Ok(())
            } else {
                Err(format!("{a:e} is not {b:e}"))
            }
        }
        (Json::Arr(a), Value::Array(b)) if a.len() == b.len() => a.iter().zip(b).try_for_each(|(a, b)| same(a, b)),
        (Json::Obj(a), Value::Object(b)) => {
            let mut keys: Vec<&str> = a.iter().map(|(k, _)| k.as_str()).collect();
            keys.sort_unstable();
            keys.dedup();
            if !keys.iter().copied().eq(b.keys().map(String::as_str)) {
                return Err(format!("keys {keys:?} are not {:?}", b.keys().collect::<Vec<_>>()));
            }
            b.iter().try_for_each(|(k, v)| same(ours.get(k).ok_or("missing")?, v).map_err(|e| format!("{k}: {e}")))
        }
        _ => Err(format!("{ours:?} is not {theirs}")),
    }
}

/// Whether a value holds a number that overflowed f64, or a U+FFFD.
fn holds(v: &Json, what: fn(&Json) -> bool) -> bool {
    what(v)
        || match v {
            Json::Arr(items) => items.iter().any(|i| holds(i, what)),
            Json::Obj(members) => members.iter().any(|(k, i)| (what(&Json::Str(k.clone()))) || holds(i, what)),
            _ => false,
        }
}

fn infinite(v: &Json) -> bool {
    matches!(v, Json::Num(n) if n.is_infinite())
}

fn replacement(v: &Json) -> bool {
    matches!(v, Json::Str(s) if s.contains('\u{FFFD}'))
}

/// Whether `text` has a `\u` escape of a UTF-16 surrogate (D800–DFFF).
fn lone_surrogate_escape(text: &str) -> bool {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(5)).any(|i| {
        b[i] == b'\\'
            && b[i + 1] == b'u'
            && b[i + 2].eq_ignore_ascii_case(&b'd')
            && matches!(b[i + 3], b'8'..=b'9' | b'a'..=b'f' | b'A'..=b'F')
    })
}

/// The two readers agree on `text`, up to the documented differences.
fn agree(text: &str) -> Result<(), TestCaseError> {
    let ours = Json::parse(text);
    let theirs_text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let theirs = serde_json::from_str::<Value>(theirs_text);
    match (&ours, &theirs) {
        (Ok(o), Ok(t)) => same(o, t).map_err(|e| TestCaseError::fail(format!("{text:?}: {e}"))),
        (Err(_), Err(_)) => Ok(()),
        (Ok(o), Err(e)) => {
            let why = e.to_string();
            let expected = (why.contains("number out of range") && holds(o, infinite))
                || (lone_surrogate_escape(text) && holds(o, replacement));
            prop_assert!(expected, "{:?}: read as {:?}, serde_json refuses: {}", text, o, why);
            Ok(())
        }
        (Err(e), Ok(t)) => Err(TestCaseError::fail(format!("{text:?}: refused ({e}), serde_json reads {t}"))),
    }
}

/// Arbitrary JSON values.
fn value() -> impl Strategy<Value = Value> {
    let number = prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        (1e-310f64..1e-300).prop_map(Value::from),
        (1e300f64..1.7e308).prop_map(Value::from),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number,
        any::<String>().prop_map(Value::String),
        "[\"\\\\/\u{0}-\u{1f}a-z中😀]{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-z\"\\\\]{0,4}", inner), 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A slip in a JSON text: something deleted, inserted, replaced or repeated.
#[derive(Clone, Debug)]
enum Slip {
    Delete(usize, usize),
    Insert(usize, char),
    Replace(usize, char),
    Repeat(usize, usize),
}

fn slip() -> impl Strategy<Value = Slip> {
    let c = prop_oneof![
        4 => prop::sample::select(&['{', '}', '[', ']', ',', ':', '"', '\\', '-', '+', '.', 'e', 'E', '0', '1', '9', 'u', 'n', 't', 'f', ' ', '\n', '\u{0}', '\u{feff}'][..]),
        1 => any::<char>(),
    ];
    prop_oneof![
        (any::<usize>(), 1usize..4).prop_map(|(at, n)| Slip::Delete(at, n)),
        (any::<usize>(), c.clone()).prop_map(|(at, c)| Slip::Insert(at, c)),
        (any::<usize>(), c).prop_map(|(at, c)| Slip::Replace(at, c)),
        (any::<usize>(), 1usize..8).prop_map(|(at, n)| Slip::Repeat(at, n)),
    ]
}

fn apply(text: &str, slips: &[Slip]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for s in slips {
        let len = chars.len();
        let at = |i: usize| if len == 0 { 0 } else { i % (len + 1) };
        match *s {
            Slip::Delete(i, n) => {
                let from = at(i).min(len);
                chars.drain(from..(from + n).min(len));
            }
            Slip::Insert(i, c) => chars.insert(at(i), c),
            Slip::Replace(i, c) if len > 0 => chars[i % len] = c,
            Slip::Replace(..) => {}
            Slip::Repeat(i, n) => {
                let from = at(i).min(len);
                let piece: Vec<char> = chars[from..(from + n).min(len)].to_vec();
                chars.splice(from..from, piece);
            }
        }
    }
    chars.into_iter().collect()
}

/// Texts made of JSON's own characters, which reach further into the grammar than any text.
fn tokens() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("{"),
        Just("}"),
        Just("["),
        Just("]"),
        Just(","),
        Just(":"),
        Just("\""),
        Just("\\"),
        Just("\\u"),
        Just("d83d"),
        Just("de00"),
        Just("00e9"),
        Just("true"),
        Just("fals"),
        Just("null"),
        Just("-"),
        Just("0"),
        Just("12"),
        Just("."),
        Just("e"),
        Just("E+"),
        Just("e-"),
        Just("999"),
        Just(" "),
        Just("\t"),
        Just("a"),
        Just("中"),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_is_read_as_serde_json_reads_it(text in ".{0,64}") {
        agree(&text)?;
    }

    #[test]
    fn json_tokens_in_any_order_are_read_as_serde_json_reads_them(text in tokens()) {
        agree(&text)?;
    }

    #[test]
    fn valid_json_is_read_as_serde_json_reads_it(v in value(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&v).unwrap() } else { serde_json::to_string(&v).unwrap() };
        agree(&text)?;
    }

    #[test]
    fn valid_json_with_slips_is_read_as_serde_json_reads_it(v in value(), slips in prop::collection::vec(slip(), 1..4)) {
        agree(&apply(&serde_json::to_string(&v).unwrap(), &slips))?;
    }

    #[test]
    fn ordinary_numbers_are_read_exactly(
        digits in "[1-9][0-9]{0,14}",
        point in 0usize..16,
        exponent in -22i32..=22,
        negative in any::<bool>(),
    ) {
        // At most 15 significant digits, and an exponent within ±22 once the point is moved
        // behind the last digit: what std's (correctly rounding) reader reads, to the bit.
        let point = point.min(digits.len());
        let exponent = exponent + i32::try_from(digits.len() - point).unwrap();
        let (int, frac) = digits.split_at(point);
        let int = if int.is_empty() { "0" } else { int };
        let sign = if negative { "-" } else { "" };
        let text = if frac.is_empty() { format!("{sign}{int}e{exponent}") } else { format!("{sign}{int}.{frac}e{exponent}") };
        let want: f64 = text.parse().unwrap();
        prop_assert_eq!(Json::parse(&text).unwrap(), Json::Num(want), "{}", text);
    }

    #[test]
    fn numbers_are_read_within_the_documented_precision(
        mantissa in "-?(0|[1-9][0-9]{0,24})(\\.[0-9]{1,24})?",
        exponent in prop::option::of(-330i32..330),
    ) {
        let text = match exponent {
            Some(e) => format!("{mantissa}e{e}"),
            None => mantissa,
        };
        agree(&text)?;
    }
}

#[test]
fn the_documented_differences_are_the_only_ones() {
    for text in ["\u{feff}[1]", "1e400", "[-1e999]", r#""\ud800""#, r#"{"a":"\udc00x"}"#] {
        agree(text).unwrap();
    }
    // Nesting: both refuse what is deeper than their limit, the reader's one level deeper.
    let depth = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    for n in [MAX_DEPTH - 2, MAX_DEPTH - 1, MAX_DEPTH + 1, MAX_DEPTH + 2] {
        assert_eq!(Json::parse(&depth(n)).is_ok(), serde_json::from_str::<Value>(&depth(n)).is_ok(), "depth {n}");
    }
    assert!(Json::parse(&depth(MAX_DEPTH)).is_ok() && serde_json::from_str::<Value>(&depth(MAX_DEPTH)).is_err());
}
