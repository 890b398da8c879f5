//! The K12 cache configuration, exactly as the pages write it, and request building from it.
//!
//! ```text
//! {
//!   'member-student-export':          { method: 'GET', url: '/j/org/{termId}/student/export',         rest: true, isPolling: true },
//!   'member-student-export-progress': { method: 'GET', url: '/j/org/{termId}/student/export/process', rest: true, isPolling: true }
//! }
//! ```
//!
//! With `rest: true`, `{name}` placeholders in the URL are filled from the export data
//! (percent-encoded) and those keys are consumed; everything else in the data goes in the query
//! string for `GET`/`DELETE` and in a JSON body for `POST`/`PUT`.

use crate::codec::json::Json;
use crate::error::OptionsError;
use crate::http::{percent_encode, HttpRequest, Method};

/// One endpoint of the cache config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// HTTP method (default `GET`).
    pub method: Method,
    /// URL template, absolute or relative to the page.
    pub url: String,
    /// Fill `{name}` path parameters from the data.
    pub rest: bool,
    /// The old framework's flag to hide its global loading mask; kept for fidelity, the widget
    /// never shows a global mask.
    pub is_polling: bool,
}

/// A cache config: named endpoints, in the order given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CacheConfig {
    entries: Vec<(String, Endpoint)>,
}

impl CacheConfig {
    /// Reads the config map. `path` names the field in error messages (e.g. `options.config`).
    pub fn from_json(v: &Json, path: &str) -> Result<CacheConfig, OptionsError> {
        let Json::Obj(members) = v else {
            return Err(OptionsError::new(path, "must be an object of endpoints"));
        };
        let mut entries = Vec::with_capacity(members.len());
        for (key, e) in members {
            let field = [path, "['", key, "']"].concat();
            entries.retain(|(k, _): &(String, Endpoint)| k != key);
            entries.push((key.clone(), Endpoint::from_json(e, &field)?));
        }
        if entries.is_empty() {
            return Err(OptionsError::new(path, "has no endpoints"));
        }
        Ok(CacheConfig { entries })
    }

    /// The endpoint named `key`.
    pub fn get(&self, key: &str) -> Option<&Endpoint> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, e)| e)
    }

    /// The endpoint names, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }

    /// Adds or replaces an endpoint.
    pub fn insert(&mut self, key: &str, endpoint: Endpoint) {
        self.entries.retain(|(k, _)| k != key);
        self.entries.push((key.to_owned(), endpoint));
    }
}

impl Endpoint {
    /// Reads one `{method, url, rest, isPolling}` entry.
    pub fn from_json(v: &Json, path: &str) -> Result<Endpoint, OptionsError> {
        if !matches!(v, Json::Obj(_)) {
            return Err(OptionsError::new(path, "must be an object {method, url, rest, isPolling}"));
        }
        let method = match v.get("method") {
            None | Some(Json::Null) => Method::Get,
            Some(m) => m
                .as_str()
                .and_then(Method::parse)
                .ok_or_else(|| OptionsError::new(&[path, ".method"].concat(), "must be GET, POST, PUT or DELETE"))?,
        };
        let url = match v.get("url") {
            Some(Json::Str(u)) if !u.trim().is_empty() => u.trim().to_owned(),
            _ => return Err(OptionsError::new(&[path, ".url"].concat(), "must be a non-empty string")),
        };
        let flag = |name: &str| -> Result<bool, OptionsError> {
            match v.get(name) {
                None | Some(Json::Null) => Ok(false),
                Some(Json::Bool(b)) => Ok(*b),
                Some(_) => Err(OptionsError::new(&[path, ".", name].concat(), "must be true or false")),
            }
        };
        let rest = flag("rest")?;
        let is_polling = flag("isPolling")?;
        let e = Endpoint { method, url, rest, is_polling };
        // Placeholders must be well formed: an unclosed `{` is a typo that would otherwise be sent.
        let params = e.path_params().map_err(|what| OptionsError::new(&[path, ".url"].concat(), what))?;
        if !rest && !params.is_empty() {
            return Err(OptionsError::new(&[path, ".url"].concat(), "has {…} path parameters but rest is not true"));
        }
        Ok(e)
    }

    /// The `{name}` placeholders of the URL, in order.
    pub fn path_params(&self) -> Result<Vec<&str>, &'static str> {
        let mut out = Vec::new();
        let mut rest = self.url.as_str();
        while let Some(open) = rest.find(['{', '}']) {
            if rest.as_bytes()[open] == b'}' {
                return Err("has a } without a matching {");
            }
            let after = &rest[open + 1..];
            let close = after.find('}').ok_or("has a { without a closing }")?;
            let name = &after[..close];
            if name.is_empty() || name.contains('{') {
                return Err("has an empty or nested {} placeholder");
            }
            out.push(name);
            rest = &after[close + 1..];
        }
        Ok(out)
    }

    /// Builds the request for `data` (an object; `null` counts as empty). A path parameter missing
    /// from the data, or not a string/number, is an error before anything is sent.
    pub fn request(&self, data: &Json, path: &str) -> Result<HttpRequest, OptionsError> {
        let members: &[(String, Json)] = match data {
            Json::Obj(m) => m,
            Json::Null => &[],
            _ => return Err(OptionsError::new(path, "must be an object")),
        };
        let params = self.path_params().unwrap_or_default();
        let mut url = String::with_capacity(self.url.len() + 32);
        let mut used: Vec<&str> = Vec::new();
        if self.rest {
            let mut tail = self.url.as_str();
            for name in &params {
                let open = tail.find('{').unwrap_or(tail.len());
                url.push_str(&tail[..open]);
                let value = data.get(name).and_then(scalar_text).ok_or_else(|| {
                    OptionsError::new(&[path, ".", name].concat(), "is required by the URL (a string or number)")
                })?;
                percent_encode(&value, &mut url);
                used.push(name);
                tail = &tail[(open + name.len() + 2).min(tail.len())..];
            }
            url.push_str(tail);
        } else {
            url.push_str(&self.url);
        }
        // Last duplicate wins, as in `JSON.parse`.
        let remaining: Vec<&(String, Json)> = members
            .iter()
            .enumerate()
            .filter(|(i, (k, _))| !used.contains(&k.as_str()) && !members[i + 1..].iter().any(|(k2, _)| k2 == k))
            .map(|(_, m)| m)
            .collect();
        match self.method {
            Method::Get | Method::Delete => {
                let mut query = String::new();
                for (k, v) in remaining {
                    append_query(&mut query, k, v);
                }
                if !query.is_empty() {
                    url.push(if url.contains('?') { '&' } else { '?' });
                    url.push_str(&query);
                }
                Ok(HttpRequest { method: self.method, ..HttpRequest::get(url) })
            }
            Method::Post | Method::Put => {
                let body = Json::Obj(remaining.into_iter().cloned().collect());
                Ok(HttpRequest::json(self.method, url, &body))
            }
        }
    }
}

/// A string or a number as text; anything else is not usable in a path.
fn scalar_text(v: &Json) -> Option<String> {
    match v {
        Json::Str(s) => Some(s.clone()),
        Json::Num(_) | Json::Bool(_) => Some(v.to_json()),
        _ => None,
    }
}

/// `k=v` for scalars, `k=v1&k=v2` for arrays of scalars, JSON text for objects; `null` is skipped.
fn append_query(q: &mut String, k: &str, v: &Json) {
    let mut push = |text: &str| {
        if !q.is_empty() {
            q.push('&');
        }
        percent_encode(k, q);
        q.push('=');
        percent_encode(text, q);
    };
    match v {
        Json::Null => {}
        Json::Str(s) => push(s),
        Json::Arr(items) => {
            for item in items {
                match item {
                    Json::Null => {}
                    Json::Str(s) => push(s),
                    other => push(&other.to_json()),
                }
            }
        }
        other => push(&other.to_json()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed_config() -> CacheConfig {
        let v = Json::parse(
            r#"{
              "member-student-export": {"method":"GET","url":"/j/org/{termId}/student/export","rest":true,"isPolling":true},
              "member-student-export-progress": {"method":"GET","url":"/j/org/{termId}/student/export/process","rest":true,"isPolling":true}
            }"#,
        )
        .unwrap();
        CacheConfig::from_json(&v, "config").unwrap()
    }

    #[test]
    fn reads_the_seed_config_exactly() {
        let c = seed_config();
        assert_eq!(c.keys().collect::<Vec<_>>(), ["member-student-export", "member-student-export-progress"]);
        let e = c.get("member-student-export").unwrap();
        assert_eq!(e.method, Method::Get);
        assert_eq!(e.url, "/j/org/{termId}/student/export");
        assert!(e.rest && e.is_polling);
    }

    #[test]
    fn rest_fills_path_params_percent_encoded_and_the_rest_goes_in_the_query() {
        let c = seed_config();
        let data =
            Json::parse(r#"{"termId":"4000/0031 春","scenario":"slow","n":3,"ids":[1,"a b"],"skip":null}"#).unwrap();
        let r = c.get("member-student-export").unwrap().request(&data, "data").unwrap();
        assert_eq!(r.method, Method::Get);
        assert_eq!(r.url, "/j/org/4000%2F0031%20%E6%98%A5/student/export?scenario=slow&n=3&ids=1&ids=a%20b");
        assert_eq!(r.body, None);
    }

    #[test]
    fn numeric_term_ids_fill_the_path() {
        let c = seed_config();
        let r = c
            .get("member-student-export")
            .unwrap()
            .request(&Json::parse(r#"{"termId":400000003117046}"#).unwrap(), "data")
            .unwrap();
        assert_eq!(r.url, "/j/org/400000003117046/student/export");
    }

    #[test]
    fn missing_path_param_is_a_clear_error_before_any_request() {
        let c = seed_config();
        let err = c.get("member-student-export").unwrap().request(&Json::parse("{}").unwrap(), "data").unwrap_err();
        assert_eq!(err.field, "data.termId");
        assert!(err.to_string().contains("data.termId"), "{err}");
        let err = c
            .get("member-student-export")
            .unwrap()
            .request(&Json::parse(r#"{"termId":{"a":1}}"#).unwrap(), "data")
            .unwrap_err();
        assert_eq!(err.field, "data.termId");
    }

    #[test]
    fn post_sends_the_remaining_data_as_a_json_body() {
        let e = Endpoint::from_json(
            &Json::parse(r#"{"method":"post","url":"/api/export_task/{session}","rest":true}"#).unwrap(),
            "c",
        )
        .unwrap();
        let r = e.request(&Json::parse(r#"{"session":"demo","ids":[1,2,3]}"#).unwrap(), "data").unwrap();
        assert_eq!(r.method, Method::Post);
        assert_eq!(r.url, "/api/export_task/demo");
        assert_eq!(r.body.as_deref(), Some(r#"{"ids":[1,2,3]}"#));
    }

    #[test]
    fn existing_query_strings_are_extended() {
        let e = Endpoint::from_json(&Json::parse(r#"{"url":"/x?a=1"}"#).unwrap(), "c").unwrap();
        let r = e.request(&Json::parse(r#"{"b":true}"#).unwrap(), "data").unwrap();
        assert_eq!(r.url, "/x?a=1&b=true");
    }

    #[test]
    fn bad_config_names_the_field() {
        let cases = [
            (r#"[]"#, "config"),
            (r#"{}"#, "config"),
            (r#"{"a":1}"#, "config['a']"),
            (r#"{"a":{"url":""}}"#, "config['a'].url"),
            (r#"{"a":{"url":"/x","method":"PATCH"}}"#, "config['a'].method"),
            (r#"{"a":{"url":"/x","rest":"yes"}}"#, "config['a'].rest"),
            (r#"{"a":{"url":"/x/{id}"}}"#, "config['a'].url"),
            (r#"{"a":{"url":"/x/{id","rest":true}}"#, "config['a'].url"),
            (r#"{"a":{"url":"/x/{}","rest":true}}"#, "config['a'].url"),
        ];
        for (text, field) in cases {
            let err = CacheConfig::from_json(&Json::parse(text).unwrap(), "config").unwrap_err();
            assert_eq!(err.field, field, "{text}");
        }
    }

    #[test]
    fn non_object_data_is_refused() {
        let c = seed_config();
        let err = c.get("member-student-export").unwrap().request(&Json::from("x"), "data").unwrap_err();
        assert_eq!(err.field, "data");
    }
}
