//! Options as a host page writes them (plain JSON): the fields every protocol shares, read once
//! for the export button and the history panel alike.
//!
//! ```text
//! {
//!   "protocol": "k12",                          // which backend; default "k12"
//!   "config":   { "homework-export": {…}, "homework-export-progress": {…} },   // the seed's cache config
//!   "start":    "homework-export",              // optional when config is one x / x-progress pair
//!   "progress": "homework-export-progress",
//!   "data":     { "termId": 400000003117046, "termName": "2024春季班" },
//!   "filename": "K12作业统计-{termName}",        // {key} is filled from data
//!   "timeoutMs": 900000, "requestTimeoutMs": 30000, "pollIntervalMs": 1000, "retries": 3
//! }
//! ```
//!
//! Every error names its field (`options.data.termId is required by the URL`); nothing is sent
//! for options that do not validate. Unknown fields are errors too, so a typo is caught at once.
//!
//! Common fields: `protocol`, `data` (fills the `{key}` placeholders of `filename`, and K12's
//! URLs), `filename`, `timeoutMs`, `requestTimeoutMs`, `pollIntervalMs`, `retries`. Each protocol
//! adds its own, listed in the registry ([`crate::backends`]) and documented in its folder. The
//! export button's settings are read by [`ExportSetup`](crate::machine::ExportSetup), the history
//! panel's by [`HistoryMachine`](crate::history::HistoryMachine); both read `requestTimeoutMs`
//! and `retries` through [`read_retry_policy`].

use crate::backends::{self, Protocol};
use crate::codec::json::Json;
use crate::error::OptionsError;
use crate::retry::RetryPolicy;
use crate::seam::Ctx;
use crate::small_std::{self, comma_list};

/// Fields every protocol understands.
pub const COMMON_KEYS: &[&str] =
    &["protocol", "data", "filename", "timeoutMs", "requestTimeoutMs", "pollIntervalMs", "retries"];

/// What every reader of an options object checks first — the export button and the history
/// panel alike: the protocol, unknown fields, `data` and `filename`.
pub struct Common {
    /// The protocol's row.
    pub protocol: &'static Protocol,
    /// `options.data` (an empty object when absent).
    pub data: Json,
    /// `options.filename` with its placeholders filled, if given.
    pub filename: Option<String>,
}

impl Common {
    /// Reads `v`, allowing the common fields, the protocol's own, and every list of `allowed`.
    pub fn read(v: &Json, allowed: &[&[&str]]) -> Result<Common, OptionsError> {
        let Json::Obj(members) = v else {
            return Err(OptionsError::new("options", "must be an object"));
        };
        let name = match v.get("protocol") {
            None | Some(Json::Null) => "k12",
            Some(Json::Str(s)) => s.as_str(),
            Some(_) => return Err(OptionsError::new("options.protocol", "must be a string")),
        };
        let Some(protocol) = backends::find(name) else {
            return Err(OptionsError::new(
                "options.protocol",
                &[
                    "'",
                    name,
                    "' is not a supported protocol (supported: ",
                    &comma_list(backends::PROTOCOLS.iter().map(|p| p.name)),
                    ")",
                ]
                .concat(),
            ));
        };
        for (k, _) in members {
            let k = k.as_str();
            let known =
                COMMON_KEYS.contains(&k) || protocol.keys.contains(&k) || allowed.iter().any(|a| a.contains(&k));
            if !known {
                return Err(OptionsError::option(k, "is not a known option"));
            }
        }
        let data = match v.get("data") {
            None | Some(Json::Null) => Json::Obj(Vec::new()),
            Some(d @ Json::Obj(_)) => d.clone(),
            Some(_) => return Err(OptionsError::new("options.data", "must be an object")),
        };
        let filename = match v.get("filename") {
            None | Some(Json::Null) => None,
            Some(Json::Str(t)) if !t.trim().is_empty() => Some(fill_template(t.trim(), &data)?),
            Some(_) => return Err(OptionsError::new("options.filename", "must be a non-empty string")),
        };
        Ok(Common { protocol, data, filename })
    }

    /// The builders' context.
    pub fn ctx<'a>(&'a self, options: &'a Json) -> Ctx<'a> {
        Ctx { options, data: &self.data, filename: self.filename.as_deref() }
    }
}

/// The number option `name` of `v`, from `min` to `max`: `None` when absent or `null`. One wording
/// for every numeric option; the bounds are whole numbers, written as integers (formatting an
/// `f64` would bring float printing into the wasm).
pub fn number(v: &Json, name: &str, min: u32, max: u32) -> Result<Option<f64>, OptionsError> {
    match v.get(name) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Num(n)) if n.is_finite() && (f64::from(min)..=f64::from(max)).contains(n) => Ok(Some(*n)),
        Some(_) => Err(range_error(name, "a number", min, max)),
    }
}

/// As [`number`], for an option that must be a whole number.
pub fn integer(v: &Json, name: &str, min: u32, max: u32) -> Result<Option<u32>, OptionsError> {
    match v.get(name) {
        Some(Json::Num(n)) if n.fract() != 0.0 => Err(range_error(name, "an integer", min, max)),
        _ => Ok(number(v, name, min, max).map_err(|_| range_error(name, "an integer", min, max))?.map(|n| n as u32)),
    }
}

fn range_error(name: &str, what: &str, min: u32, max: u32) -> OptionsError {
    OptionsError::option(
        name,
        &["must be ", what, " from ", &small_std::uint(min.into()), " to ", &small_std::uint(max.into())].concat(),
    )
}

/// Reads `requestTimeoutMs` (100–600000) and `retries` (0–20) into `policy`: the retry policy of
/// either machine.
pub fn read_retry_policy(v: &Json, policy: &mut RetryPolicy) -> Result<(), OptionsError> {
    if let Some(ms) = number(v, "requestTimeoutMs", 100, 600_000)? {
        policy.request_timeout_ms = ms;
    }
    if let Some(n) = number(v, "retries", 0, 20)? {
        policy.max_retries = n as u32;
    }
    Ok(())
}

/// Fills `{key}` placeholders of a filename template from `data`. A placeholder whose key is
/// missing is an error: a file named "K12作业统计-{termName}" is never what anyone wants.
pub fn fill_template(template: &str, data: &Json) -> Result<String, OptionsError> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else { break };
        let key = &rest[open + 1..open + close];
        out.push_str(&rest[..open]);
        let value = match data.get(key) {
            Some(Json::Str(s)) => s.clone(),
            Some(n @ Json::Num(_)) => n.to_json(),
            _ => {
                return Err(OptionsError::new(
                    "options.filename",
                    &["uses {", key, "}, which options.data does not have as a string or number"].concat(),
                ))
            }
        };
        out.push_str(&value);
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocols_add_only_their_own_fields() {
        #[cfg(feature = "backends")]
        assert_eq!(backends::protocols(), ["k12", "export-service", "xlink", "minapp", "asset"]);
        #[cfg(not(feature = "backends"))]
        assert_eq!(backends::protocols(), ["k12"]);
        for p in backends::PROTOCOLS {
            for k in p.keys {
                assert!(!COMMON_KEYS.contains(k), "{} redefines the common option {k}", p.name);
            }
        }
    }

    #[test]
    fn templates_fill_from_data() {
        let data = Json::parse(r#"{"n":"春","id":3}"#).unwrap();
        assert_eq!(fill_template("A-{n}-{id}", &data).unwrap(), "A-春-3");
        assert_eq!(fill_template("no placeholders {", &data).unwrap(), "no placeholders {");
    }

    #[test]
    fn numbers_are_checked_with_one_wording() {
        let v = Json::parse(r#"{"a":2.5,"b":"3","c":7}"#).unwrap();
        assert_eq!(number(&v, "a", 0, 10), Ok(Some(2.5)));
        assert_eq!(integer(&v, "a", 0, 10).unwrap_err().to_string(), "options.a must be an integer from 0 to 10");
        assert_eq!(integer(&v, "b", 0, 10).unwrap_err().to_string(), "options.b must be an integer from 0 to 10");
        assert_eq!(integer(&v, "c", 0, 10), Ok(Some(7)));
        assert_eq!(number(&v, "b", 0, 10).unwrap_err().to_string(), "options.b must be a number from 0 to 10");
        assert_eq!(number(&v, "c", 8, 10).unwrap_err().field, "options.c");
        assert_eq!(number(&v, "d", 0, 10), Ok(None));
    }
}
