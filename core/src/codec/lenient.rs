//! A tolerant reading of almost-JSON, for backends whose documented answers are not quite JSON.
//!
//! The asset system's design document shows answers such as `{"code":0, "info":Succeed,}` and
//! records like `"userName": liusn` or `"create_time": 2023-05-27`: bare words where strings belong,
//! and trailing commas. [`parse`] first tries strict JSON; only if that fails does it repair the two
//! slips above and try once more:
//!
//! - a trailing comma before `}` or `]` is dropped;
//! - a bare token in a key or value position that is not `true`, `false`, `null` or a JSON number
//!   becomes a string (up to the next `,` `}` `]`, `:` for keys, or line end, trimmed).
//!
//! Nothing else is guessed: an unterminated string or a missing brace is still an error. The
//! repair is linear, never panics, and its result goes through the strict parser (with its depth
//! limit) again.

use crate::codec::json::{write_string, Json, JsonError};

/// Parses `text` as JSON, or as JSON with the slips above repaired.
pub fn parse(text: &str) -> Result<Json, JsonError> {
    match Json::parse(text) {
        Ok(v) => Ok(v),
        Err(e) => Json::parse(&repair(text)).map_err(|_| e),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Object,
    Array,
}

/// Rewrites the slips; the result is meant for [`Json::parse`].
pub fn repair(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 16);
    let mut stack: Vec<Ctx> = Vec::new();
    // Whether the next token is a key (in an object, after `{` or `,`).
    let mut expect_key = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '"' => {
                // Copy the string verbatim, escapes included.
                out.push('"');
                i += 1;
                while i < chars.len() {
                    let d = chars[i];
                    out.push(d);
                    i += 1;
                    if d == '\\' {
                        if let Some(&e) = chars.get(i) {
                            out.push(e);
                            i += 1;
                        }
                    } else if d == '"' {
                        break;
                    }
                }
                continue;
            }
            '{' => {
                stack.push(Ctx::Object);
                expect_key = true;
                out.push(c);
            }
            '[' => {
                stack.push(Ctx::Array);
                expect_key = false;
                out.push(c);
            }
            '}' | ']' => {
                stack.pop();
                expect_key = false;
                out.push(c);
            }
            ':' => {
                expect_key = false;
                out.push(c);
            }
            ',' => {
                let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
                if matches!(next, Some('}' | ']')) {
                    i += 1;
                    continue; // a trailing comma
                }
                expect_key = stack.last() == Some(&Ctx::Object);
                out.push(c);
            }
            c if c.is_whitespace() => out.push(c),
            _ => {
                let stops: &[char] =
                    if expect_key { &[':', ',', '}', ']', '\n', '\r'] } else { &[',', '}', ']', '\n', '\r'] };
                let start = i;
                while i < chars.len() && !stops.contains(&chars[i]) {
                    i += 1;
                }
                let token: String = chars[start..i].iter().collect();
                let token = token.trim();
                let literal = !expect_key
                    && (matches!(token, "true" | "false" | "null") || matches!(Json::parse(token), Ok(Json::Num(_))));
                if literal {
                    out.push_str(token);
                } else {
                    write_string(token, &mut out);
                }
                continue;
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_json_is_read_strictly() {
        assert_eq!(parse(r#"{"a":"b"}"#).unwrap(), Json::parse(r#"{"a":"b"}"#).unwrap());
    }

    #[test]
    fn the_seeds_answers_read() {
        let v = parse("{\n \"code\":0,\n \"info\":Succeed,\n}").unwrap();
        assert_eq!(v.get("info").and_then(Json::as_str), Some("Succeed"));
        let v = parse(
            "{\"code\":0,\"data\":[{\n \"userName\": liusn\n, \"price\": 10.00,\n \"create_time\": 2023-05-27,\n \"warning_amount\": -1,\n}]}",
        )
        .unwrap();
        let rec = match v.get("data") {
            Some(Json::Arr(items)) => items[0].clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(rec.get("userName").and_then(Json::as_str), Some("liusn"));
        assert_eq!(rec.get("create_time").and_then(Json::as_str), Some("2023-05-27"));
        assert_eq!(rec.get("price"), Some(&Json::Num(10.0)));
        assert_eq!(rec.get("warning_amount"), Some(&Json::Num(-1.0)));
    }

    #[test]
    fn trailing_commas_in_arrays_go() {
        assert_eq!(parse("[1,2,3,]").unwrap(), Json::parse("[1,2,3]").unwrap());
    }

    #[test]
    fn broken_text_stays_an_error() {
        for bad in ["{\"name\": \"chairs,}", "{", "", "[1,2", "{\"a\":1}}"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
