//! Reading a backend's option fields from the host page's options object: every error names its
//! field (`options.userId is required (a string or an integer)`).
//!
//! Options every backend with a `baseUrl` understands (read by [`Fields::base`]):
//!
//! - `baseUrl` (default `""`: the page's own origin): where the backend lives, `http(s)://host[:port][/prefix]`
//!   or a path prefix `/prefix`. No query or fragment; a trailing `/` is dropped.
//! - `query` (default `{}`): extra query parameters added to every request, an object of strings,
//!   numbers or booleans — for a gateway that wants e.g. an app id, or for the mock backend's
//!   `scenario` and `client`.

use crate::codec::json::Json;
use crate::error::OptionsError;
use crate::http::Base;
use crate::small_std::{self, comma_list};

/// The option fields of [`Fields::base`].
pub const BASE_KEYS: &[&str] = &["baseUrl", "query"];

/// Reads one adapter's option fields from the options object, naming the field in every error.
#[derive(Clone, Copy, Debug)]
pub struct Fields<'a> {
    v: &'a Json,
}

fn field(name: &str) -> String {
    ["options.", name].concat()
}

fn int_range(min: i64, max: i64) -> String {
    ["must be an integer from ", &small_std::int(min), " to ", &small_std::int(max)].concat()
}

impl<'a> Fields<'a> {
    /// The fields of the options object `v`.
    pub fn new(v: &'a Json) -> Fields<'a> {
        Fields { v }
    }

    /// The raw value of `name`, `None` when missing or `null`.
    pub fn get(&self, name: &str) -> Option<&'a Json> {
        self.v.get(name).filter(|j| !j.is_null())
    }

    /// A non-blank string (trimmed), or `None` when missing.
    pub fn string(&self, name: &str) -> Result<Option<String>, OptionsError> {
        match self.get(name) {
            None => Ok(None),
            Some(Json::Str(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_owned())),
            Some(_) => Err(OptionsError::new(&field(name), "must be a non-empty string")),
        }
    }

    /// A string that may be empty (not trimmed), or `None` when missing.
    pub fn any_string(&self, name: &str) -> Result<Option<String>, OptionsError> {
        match self.get(name) {
            None => Ok(None),
            Some(Json::Str(s)) => Ok(Some(s.clone())),
            Some(_) => Err(OptionsError::new(&field(name), "must be a string")),
        }
    }

    /// A required non-blank string.
    pub fn required_string(&self, name: &str) -> Result<String, OptionsError> {
        self.string(name)?.ok_or_else(|| OptionsError::new(&field(name), "is required (a non-empty string)"))
    }

    /// An identifier given as a non-blank string or an integer, as text.
    pub fn id(&self, name: &str) -> Result<Option<String>, OptionsError> {
        match self.get(name) {
            None => Ok(None),
            Some(j @ (Json::Str(_) | Json::Num(_))) => j
                .as_text()
                .map(|t| Some(t.trim().to_owned()))
                .ok_or_else(|| OptionsError::new(&field(name), "must be a non-empty string or an integer")),
            Some(_) => Err(OptionsError::new(&field(name), "must be a non-empty string or an integer")),
        }
    }

    /// A required identifier (a non-blank string or an integer), as text.
    pub fn required_id(&self, name: &str) -> Result<String, OptionsError> {
        self.id(name)?.ok_or_else(|| OptionsError::new(&field(name), "is required (a string or an integer)"))
    }

    /// An integer from `min` to `max` (a JSON number, not a string), or `None` when missing.
    pub fn int(&self, name: &str, min: i64, max: i64) -> Result<Option<i64>, OptionsError> {
        match self.get(name) {
            None => Ok(None),
            Some(j @ Json::Num(_)) => match j.as_i64() {
                Some(n) if (min..=max).contains(&n) => Ok(Some(n)),
                _ => Err(OptionsError::new(&field(name), &int_range(min, max))),
            },
            Some(_) => Err(OptionsError::new(&field(name), &int_range(min, max))),
        }
    }

    /// An object, or `None` when missing.
    pub fn object(&self, name: &str) -> Result<Option<&'a Json>, OptionsError> {
        match self.get(name) {
            None => Ok(None),
            Some(o @ Json::Obj(_)) => Ok(Some(o)),
            Some(_) => Err(OptionsError::new(&field(name), "must be an object")),
        }
    }

    /// An array of non-empty strings, or `None` when missing.
    pub fn strings(&self, name: &str) -> Result<Option<Vec<String>>, OptionsError> {
        match self.get(name) {
            None => Ok(None),
            Some(Json::Arr(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| match item {
                    Json::Str(s) if !s.trim().is_empty() => Ok(s.clone()),
                    _ => Err(OptionsError::new(
                        &["options.", name, "[", &small_std::uint(i as u64), "]"].concat(),
                        "must be a non-empty string",
                    )),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(OptionsError::new(&field(name), "must be an array of strings")),
        }
    }

    /// One of `choices` (compared without case; the choice is returned as listed), or `None`.
    pub fn choice(&self, name: &str, choices: &[&'static str]) -> Result<Option<&'static str>, OptionsError> {
        let what = || ["must be one of ", &comma_list(choices.iter().copied())].concat();
        match self.get(name) {
            None => Ok(None),
            Some(Json::Str(s)) => choices
                .iter()
                .find(|c| c.eq_ignore_ascii_case(s.trim()))
                .copied()
                .map(Some)
                .ok_or_else(|| OptionsError::new(&field(name), &what())),
            Some(_) => Err(OptionsError::new(&field(name), &what())),
        }
    }

    /// The `baseUrl` and `query` fields, as a [`Base`].
    pub fn base(&self) -> Result<Base, OptionsError> {
        let root = match self.get("baseUrl") {
            None => String::new(),
            Some(Json::Str(s)) => check_base_url(s.trim())?,
            Some(_) => return Err(OptionsError::new("options.baseUrl", "must be a string")),
        };
        let mut query = Vec::new();
        if let Some(Json::Obj(members)) = self.object("query")? {
            for (k, v) in members {
                if k.is_empty() {
                    return Err(OptionsError::new("options.query", "has an empty parameter name"));
                }
                let value = match v {
                    Json::Str(s) => s.clone(),
                    Json::Num(_) | Json::Bool(_) => v.to_json(),
                    _ => {
                        return Err(OptionsError::new(
                            &["options.query.", k].concat(),
                            "must be a string, a number or a boolean",
                        ))
                    }
                };
                query.retain(|(name, _): &(String, String)| name != k);
                query.push((k.clone(), value));
            }
        }
        Ok(Base::with_query(root, query))
    }
}

fn check_base_url(s: &str) -> Result<String, OptionsError> {
    let bad = |what: &str| Err(OptionsError::new("options.baseUrl", what));
    if s.is_empty() {
        return Ok(String::new());
    }
    if s.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return bad("must not contain spaces or control characters");
    }
    if s.contains(['?', '#']) {
        return bad("must not contain a query or a fragment (use options.query)");
    }
    let lower = s.to_ascii_lowercase();
    let absolute = ["http://", "https://"].iter().any(|p| lower.starts_with(p) && s.len() > p.len());
    let path = s.starts_with('/') && !s.starts_with("//");
    if !(absolute || path) {
        return bad("must be an http(s):// URL or a path starting with /");
    }
    Ok(s.trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Json {
        Json::parse(text).unwrap()
    }

    #[test]
    fn base_urls_are_checked_and_joined() {
        let v = fields(r#"{"baseUrl":"http://127.0.0.1:8080/","query":{"scenario":"fail","n":3,"b":true}}"#);
        let base = Fields::new(&v).base().unwrap();
        assert_eq!(
            base.url("/v1/x", &[("key", "a b")]),
            "http://127.0.0.1:8080/v1/x?key=a%20b&scenario=fail&n=3&b=true"
        );
        assert_eq!(Base::at("").url("/p", &[]), "/p");
        for bad in [
            r#"{"baseUrl":"javascript:alert(1)"}"#,
            r#"{"baseUrl":"//evil.example"}"#,
            r#"{"baseUrl":"http://x/?a=1"}"#,
            r#"{"baseUrl":"ftp://x"}"#,
            r#"{"baseUrl":"http://"}"#,
            r#"{"baseUrl":"http://a b"}"#,
            r#"{"baseUrl":3}"#,
        ] {
            assert_eq!(Fields::new(&fields(bad)).base().unwrap_err().field, "options.baseUrl", "{bad}");
        }
        let err = Fields::new(&fields(r#"{"query":{"a":[1]}}"#)).base().unwrap_err();
        assert_eq!(err.field, "options.query.a");
        assert_eq!(Fields::new(&fields(r#"{"query":[]}"#)).base().unwrap_err().field, "options.query");
    }

    #[test]
    fn request_params_win_over_the_extra_query() {
        let v = fields(r#"{"query":{"key":"x","client":"c"}}"#);
        let base = Fields::new(&v).base().unwrap();
        assert_eq!(base.url("/d", &[("key", "k")]), "/d?key=k&client=c");
    }
}
