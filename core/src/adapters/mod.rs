//! The adapters of the other async-export backends, one module each, and the little they share:
//! reading their option fields (every error names its field), building their URLs from a base, and
//! reading their answers.
//!
//! | `protocol` | module | backend |
//! |---|---|---|
//! | `"export-service"` | [`export_service`] | the export service: `POST /v1/export/http` or `/raw`, poll `/v1/export/detail` |
//! | `"xlink"` | [`xlink`] | XLink IoT cloud: `POST /v2/export_task`, poll, then a signed `auth_link` |
//! | `"minapp"` | [`minapp`] | MinApp: `POST /userve/v1.5/table/:id/export/`, poll the job |
//! | `"asset"` | [`asset`] | the asset system: snapshot the task list, `POST /api/export_task/{session}`, find the job, build the CSV here |
//!
//! Options every one of them understands, besides the common ones of [`crate::options`]:
//!
//! - `baseUrl` (default `""`: the page's own origin): where the backend lives, `http(s)://host[:port][/prefix]`
//!   or a path prefix `/prefix`. No query or fragment; a trailing `/` is dropped.
//! - `query` (default `{}`): extra query parameters added to every request, an object of strings,
//!   numbers or booleans — for a gateway that wants e.g. an app id, or for the mock backend's
//!   `scenario` and `client`.

pub mod asset;
pub mod csv;
pub mod export_service;
pub mod lenient;
pub mod minapp;
pub mod xlink;

use crate::error::{FailKind, Failure, OptionsError};
use crate::http::{percent_encode, HttpRequest, Method};
use crate::json::Json;

/// The option fields every adapter of this module understands.
pub const BASE_KEYS: &[&str] = &["baseUrl", "query"];

/// Reads one adapter's option fields from the options object, naming the field in every error.
#[derive(Clone, Copy, Debug)]
pub struct Fields<'a> {
    v: &'a Json,
}

fn field(name: &str) -> String {
    format!("options.{name}")
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

    /// An integer from `min` to `max` (a JSON number, not a string), or `None` when missing.
    pub fn int(&self, name: &str, min: i64, max: i64) -> Result<Option<i64>, OptionsError> {
        match self.get(name) {
            None => Ok(None),
            Some(j @ Json::Num(_)) => match j.as_i64() {
                Some(n) if (min..=max).contains(&n) => Ok(Some(n)),
                _ => Err(OptionsError::new(&field(name), &format!("must be an integer from {min} to {max}"))),
            },
            Some(_) => Err(OptionsError::new(&field(name), &format!("must be an integer from {min} to {max}"))),
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
                    _ => Err(OptionsError::new(&format!("options.{name}[{i}]"), "must be a non-empty string")),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(OptionsError::new(&field(name), "must be an array of strings")),
        }
    }

    /// One of `choices` (compared without case; the choice is returned as listed), or `None`.
    pub fn choice(&self, name: &str, choices: &[&'static str]) -> Result<Option<&'static str>, OptionsError> {
        let what = || format!("must be one of {}", crate::options::comma_list(choices.iter().copied()));
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
                    Json::Num(_) | Json::Bool(_) => v.to_string(),
                    _ => {
                        return Err(OptionsError::new(
                            &format!("options.query.{k}"),
                            "must be a string, a number or a boolean",
                        ))
                    }
                };
                query.retain(|(name, _): &(String, String)| name != k);
                query.push((k.clone(), value));
            }
        }
        Ok(Base { root, query, headers: Vec::new() })
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

/// Where a backend lives: a URL prefix, query parameters for every request, and headers for every
/// request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Base {
    root: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
}

impl Base {
    /// A base at `root` (already checked), without extra query parameters.
    pub fn at(root: &str) -> Base {
        Base { root: root.trim_end_matches('/').to_owned(), ..Base::default() }
    }

    /// Adds a header to every request.
    pub fn with_header(mut self, name: &str, value: &str) -> Base {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The URL of `path` (starting with `/`, already encoded) with `params` and the extra query.
    pub fn url(&self, path: &str, params: &[(&str, &str)]) -> String {
        let mut url = format!("{}{path}", self.root);
        let mut first = true;
        let extra = self.query.iter().filter(|(k, _)| !params.iter().any(|(p, _)| p == k));
        for (k, v) in params.iter().map(|&(k, v)| (k, v)).chain(extra.map(|(k, v)| (k.as_str(), v.as_str()))) {
            url.push(if first { '?' } else { '&' });
            first = false;
            percent_encode(k, &mut url);
            url.push('=');
            percent_encode(v, &mut url);
        }
        url
    }

    fn headers(&self, mut request: HttpRequest) -> HttpRequest {
        request.headers.extend(self.headers.iter().cloned());
        request
    }

    /// A `GET` of `path` with `params`.
    pub fn get(&self, path: &str, params: &[(&str, &str)]) -> HttpRequest {
        self.headers(HttpRequest::get(self.url(path, params)))
    }

    /// A `POST` of `body` (JSON) to `path`.
    pub fn post(&self, path: &str, body: &Json) -> HttpRequest {
        self.headers(HttpRequest::json(Method::Post, self.url(path, &[]), body))
    }
}

/// One path segment, percent-encoded.
pub fn segment(s: &str) -> String {
    crate::http::encode(s)
}

/// Parses an answer that must be a JSON object; anything else is worth another try.
pub(crate) fn object(body: &str) -> Result<Json, crate::Reply> {
    match Json::parse(body) {
        Ok(v @ Json::Obj(_)) => Ok(v),
        _ => Err(crate::Reply::Retry(Failure::new(FailKind::BadResponse))),
    }
}

/// A non-blank string member, trimmed.
pub(crate) fn text(v: Option<&Json>) -> Option<String> {
    v.and_then(Json::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// The first message-like member of an error body: `message`, `msg`, `error_msg`, `info`,
/// `detail`, `error` (a string, or an object with one of those).
pub(crate) fn message(v: &Json) -> Option<String> {
    const KEYS: [&str; 6] = ["message", "msg", "error_msg", "info", "detail", "error"];
    KEYS.iter().find_map(|k| match v.get(k) {
        Some(Json::Str(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Some(inner @ Json::Obj(_)) => message(inner),
        _ => None,
    })
}

/// A non-2xx answer as a failure of `kind`, with the body's message when it has one.
pub(crate) fn status_failure(kind: FailKind, status: u16, body: &str) -> Failure {
    let detail = Json::parse(body).ok().as_ref().and_then(message);
    Failure::new(kind).status(status).detail(detail.as_deref())
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

    #[test]
    fn messages_are_found_in_the_usual_places() {
        assert_eq!(message(&fields(r#"{"error":{"code":1,"msg":"无效"}}"#)).as_deref(), Some("无效"));
        assert_eq!(message(&fields(r#"{"code":2,"info":"用户未找到"}"#)).as_deref(), Some("用户未找到"));
        assert_eq!(message(&fields(r#"{"error_msg":"x","message":""}"#)).as_deref(), Some("x"));
        assert_eq!(message(&fields(r#"{"a":1}"#)), None);
    }
}
