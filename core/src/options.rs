//! Options as a host page writes them (plain JSON), checked field by field.
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
//! # Protocols
//!
//! Common fields: `protocol`, `data` (fills the `{key}` placeholders of `filename`, and K12's
//! URLs), `filename`, `timeoutMs`, `requestTimeoutMs`, `pollIntervalMs`, `retries`. Each protocol
//! adds its own (see its module for the full story and the decisions behind it):
//!
//! | `protocol` | its fields | default `filename` |
//! |---|---|---|
//! | `"k12"` ([`crate::k12`]) | `config` (required), `start`, `progress` | `export` |
//! | `"export-service"` ([`crate::adapters::export_service`]) | `baseUrl`, `query`, `title` (required), `userId` (required), `sourceHttp` {`url`, `method`, `header`, `limit`} or `sourceRaw` (rows), `extType`, `callback`, `timestamp` | the title |
//! | `"xlink"` ([`crate::adapters::xlink`]) | `baseUrl`, `query`, `accessToken` (required), `name` (required), `type` (required, 1–10), `describe`, `params` {`filter`, `query`, `order`}, `extend` | the name |
//! | `"minapp"` ([`crate::adapters::minapp`]) | `baseUrl`, `query`, `tableId` (required), `fileType` (csv/json/xlsx), `mode` (all/part), `where`, `includeKeys`, `excludeKeys`, `orderBy`, `csvCustomizeHeaders`, `timestampConvertKeys` | `export` (the job's `file_name` once known) |
//! | `"asset"` ([`crate::adapters::asset`]) | `baseUrl`, `query`, `session` (required), `assetIds` (required) | `资产导出` (`.csv` added) |
//!
//! `baseUrl` is where the backend lives (default: the page's origin) and `query` adds query
//! parameters to every request (see [`crate::adapters`]). A new backend is one adapter module and
//! one line in [`PROTOCOL_TABLE`].

use crate::adapter::Adapter;
#[cfg(feature = "backends")]
use crate::adapters::{asset::AssetSystem, export_service::ExportService, minapp::MinApp, xlink::XLink};
use crate::config::CacheConfig;
use crate::error::OptionsError;
use crate::json::Json;
use crate::k12::K12;
use crate::machine::Settings;
use crate::policy::PollPolicy;

/// Validated options: an adapter ready for its first export, settings and the filename to show.
pub struct ExportOptions {
    /// The backend's adapter.
    pub adapter: Box<dyn Adapter>,
    /// Timing and retry settings.
    pub settings: Settings,
    /// The filename shown until the server names the file (template filled).
    pub filename: String,
}

impl std::fmt::Debug for ExportOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportOptions")
            .field("settings", &self.settings)
            .field("filename", &self.filename)
            .finish_non_exhaustive()
    }
}

/// Fields every protocol understands.
const COMMON_KEYS: &[&str] =
    &["protocol", "data", "filename", "timeoutMs", "requestTimeoutMs", "pollIntervalMs", "retries"];

impl ExportOptions {
    /// Validates `v`. `extra_keys` are fields the caller (the widget) reads itself and that are
    /// therefore allowed.
    pub fn from_json(v: &Json, extra_keys: &[&str]) -> Result<ExportOptions, OptionsError> {
        let common = Common::read(v, &[extra_keys])?;
        let built = (common.protocol.build)(&common.ctx(v))?;
        let filename = common.filename.or(built.default_filename).unwrap_or_else(|| "export".to_owned());
        Ok(ExportOptions { adapter: built.adapter, settings: settings(v)?, filename })
    }
}

/// What every reader of an options object checks first — the export button and the history
/// panel alike: the protocol, unknown fields, `data` and `filename`.
pub(crate) struct Common {
    /// The protocol's row.
    pub protocol: &'static Protocol,
    /// `options.data` (an empty object when absent).
    pub data: Json,
    /// `options.filename` with its placeholders filled, if given.
    pub filename: Option<String>,
}

impl Common {
    /// Reads `v`, allowing the common fields, the protocol's own, and every list of `allowed`.
    pub(crate) fn read(v: &Json, allowed: &[&[&str]]) -> Result<Common, OptionsError> {
        let Json::Obj(members) = v else {
            return Err(OptionsError::new("options", "must be an object"));
        };
        let name = match v.get("protocol") {
            None | Some(Json::Null) => "k12",
            Some(Json::Str(s)) => s.as_str(),
            Some(_) => return Err(OptionsError::new("options.protocol", "must be a string")),
        };
        let Some(protocol) = PROTOCOL_TABLE.iter().find(|p| p.name == name) else {
            return Err(OptionsError::new(
                "options.protocol",
                &format!("'{name}' is not a supported protocol (supported: {})", comma_list(protocols())),
            ));
        };
        for (k, _) in members {
            let k = k.as_str();
            let known =
                COMMON_KEYS.contains(&k) || protocol.keys.contains(&k) || allowed.iter().any(|a| a.contains(&k));
            if !known {
                return Err(OptionsError::new(&format!("options.{k}"), "is not a known option"));
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

    /// The builder's context.
    pub(crate) fn ctx<'a>(&'a self, options: &'a Json) -> Ctx<'a> {
        Ctx { options, data: &self.data, filename: self.filename.as_deref() }
    }
}

/// What a protocol's builder reads: the whole options object, its `data`, and the filled
/// `filename` when the page gave one.
#[derive(Clone, Copy, Debug)]
pub struct Ctx<'a> {
    /// The options object.
    pub options: &'a Json,
    /// `options.data` (an empty object when absent).
    pub data: &'a Json,
    /// `options.filename` with its placeholders filled, if given.
    pub filename: Option<&'a str>,
}

impl<'a> Ctx<'a> {
    /// A context for `options` alone (no data, no filename): for tests of one builder.
    pub fn new(options: &'a Json) -> Ctx<'a> {
        const EMPTY: &Json = &Json::Null;
        Ctx { options, data: EMPTY, filename: None }
    }
}

/// What a protocol's builder makes: the adapter, and the filename to show when the page gives none.
pub struct Built {
    /// The adapter.
    pub adapter: Box<dyn Adapter>,
    /// The filename when `options.filename` is absent (else `export`).
    pub default_filename: Option<String>,
}

impl std::fmt::Debug for Built {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Built").field("default_filename", &self.default_filename).finish_non_exhaustive()
    }
}

/// Builds one protocol's adapter from validated common options.
pub type Builder = fn(&Ctx<'_>) -> Result<Built, OptionsError>;

/// One row of [`PROTOCOL_TABLE`].
#[derive(Clone, Copy)]
pub struct Protocol {
    /// The `options.protocol` value.
    pub name: &'static str,
    /// The option fields it adds to the common ones.
    pub keys: &'static [&'static str],
    /// Its builder.
    pub build: Builder,
}

impl std::fmt::Debug for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Protocol").field("name", &self.name).field("keys", &self.keys).finish_non_exhaustive()
    }
}

/// The K12 protocol's row.
const K12_ROW: Protocol = Protocol { name: "k12", keys: &["config", "start", "progress"], build: build_k12 };

/// Every backend the widget speaks: adding one is adding its adapter module and a row here.
#[cfg(not(feature = "backends"))]
pub const PROTOCOL_TABLE: &[Protocol] = &[K12_ROW];

/// Every backend the widget speaks: adding one is adding its adapter module and a row here.
#[cfg(feature = "backends")]
pub const PROTOCOL_TABLE: &[Protocol] = &[
    K12_ROW,
    Protocol {
        name: "export-service",
        keys: crate::adapters::export_service::OPTION_KEYS,
        build: ExportService::from_options,
    },
    Protocol { name: "xlink", keys: crate::adapters::xlink::OPTION_KEYS, build: XLink::from_options },
    Protocol { name: "minapp", keys: crate::adapters::minapp::OPTION_KEYS, build: MinApp::from_options },
    Protocol { name: "asset", keys: crate::adapters::asset::OPTION_KEYS, build: AssetSystem::from_options },
];

/// The protocols `options.protocol` accepts, in the order of [`PROTOCOL_TABLE`].
pub fn protocols() -> Vec<&'static str> {
    PROTOCOL_TABLE.iter().map(|p| p.name).collect()
}

/// `a, b, c`: names for an error message. (`[&str]::join` would bring a second copy of the
/// string-joining machinery into the wasm for a few error paths.)
pub fn comma_list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for n in names {
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push_str(n);
    }
    out
}

fn build_k12(ctx: &Ctx<'_>) -> Result<Built, OptionsError> {
    let (v, data) = (ctx.options, ctx.data);
    let config = CacheConfig::from_json(v.get("config").unwrap_or(&Json::Null), "options.config")?;
    let key = |name: &str| -> Result<Option<String>, OptionsError> {
        match v.get(name) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::Str(s)) if !s.is_empty() => Ok(Some(s.clone())),
            Some(_) => Err(OptionsError::new(&format!("options.{name}"), "must be a config key (a string)")),
        }
    };
    let (start, progress) = match (key("start")?, key("progress")?) {
        (Some(s), Some(p)) => (s, p),
        (s, p) => match K12::infer_keys(&config) {
            Some((is, ip)) => (s.unwrap_or(is), p.unwrap_or(ip)),
            None => {
                return Err(OptionsError::new(
                    if s.is_none() { "options.start" } else { "options.progress" },
                    "is required unless options.config is exactly one 'x' and one 'x-progress' entry",
                ))
            }
        },
    };
    Ok(Built { adapter: Box::new(K12::new(&config, &start, &progress, data)?), default_filename: None })
}

fn settings(v: &Json) -> Result<Settings, OptionsError> {
    let mut s = Settings::default();
    // The bounds are whole numbers, written as integers (as f64 Display would write them).
    let number = |name: &str, min: u32, max: u32| -> Result<Option<f64>, OptionsError> {
        match v.get(name) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::Num(n)) if n.is_finite() && (f64::from(min)..=f64::from(max)).contains(n) => Ok(Some(*n)),
            Some(_) => {
                Err(OptionsError::new(&format!("options.{name}"), &format!("must be a number from {min} to {max}")))
            }
        }
    };
    if let Some(ms) = number("timeoutMs", 1000, 86_400_000)? {
        s.deadline_ms = ms;
    }
    if let Some(ms) = number("requestTimeoutMs", 100, 600_000)? {
        s.request_timeout_ms = ms;
    }
    if let Some(ms) = number("pollIntervalMs", 100, 600_000)? {
        s.policy = PollPolicy::Fixed { interval_ms: ms };
    }
    if let Some(n) = number("retries", 0, 20)? {
        s.max_retries = n as u32;
    }
    Ok(s)
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
            Some(n @ Json::Num(_)) => n.to_string(),
            _ => {
                return Err(OptionsError::new(
                    "options.filename",
                    &format!("uses {{{key}}}, which options.data does not have as a string or number"),
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

    fn opts(text: &str) -> Result<ExportOptions, OptionsError> {
        ExportOptions::from_json(&Json::parse(text).unwrap(), &["label"])
    }

    const CONFIG: &str = r#""config":{"homework-export":{"method":"GET","url":"/j/org/{termId}/homework/export","rest":true,"isPolling":true},
        "homework-export-progress":{"method":"GET","url":"/j/org/{termId}/homework/export/process","rest":true,"isPolling":true}}"#;

    #[test]
    fn k12_options_validate_and_infer_the_key_pair() {
        let o = opts(&format!(r#"{{{CONFIG},"data":{{"termId":7,"termName":"2024春季班"}},"filename":"K12作业统计-{{termName}}","label":"导出"}}"#)).unwrap();
        assert_eq!(o.filename, "K12作业统计-2024春季班");
        assert_eq!(o.settings, Settings::default());
    }

    #[test]
    fn every_bad_field_is_named() {
        let cases = [
            ("[]".to_owned(), "options"),
            (format!(r#"{{{CONFIG},"data":{{}}}}"#), "options.data.termId"),
            (format!(r#"{{{CONFIG},"data":[]}}"#), "options.data"),
            (format!(r#"{{{CONFIG},"data":{{"termId":1}},"confg":1}}"#), "options.confg"),
            (format!(r#"{{{CONFIG},"data":{{"termId":1}},"protocol":"ftp"}}"#), "options.protocol"),
            (format!(r#"{{{CONFIG},"data":{{"termId":1}},"start":"nope"}}"#), "options.start"),
            (format!(r#"{{{CONFIG},"data":{{"termId":1}},"filename":"K12-{{termName}}"}}"#), "options.filename"),
            (format!(r#"{{{CONFIG},"data":{{"termId":1}},"filename":""}}"#), "options.filename"),
            (format!(r#"{{{CONFIG},"data":{{"termId":1}},"timeoutMs":-5}}"#), "options.timeoutMs"),
            (format!(r#"{{{CONFIG},"data":{{"termId":1}},"retries":"3"}}"#), "options.retries"),
            (r#"{"data":{"termId":1}}"#.to_owned(), "options.config"),
            (r#"{"config":{"a":{"url":"/a"},"b":{"url":"/b"}}}"#.to_owned(), "options.start"),
        ];
        for (text, field) in cases {
            let err = opts(&text).unwrap_err();
            assert_eq!(err.field, field, "{text}: {err}");
        }
    }

    #[test]
    fn poll_interval_selects_fixed_polling() {
        let o = opts(&format!(r#"{{{CONFIG},"data":{{"termId":1}},"pollIntervalMs":1000,"timeoutMs":5000}}"#)).unwrap();
        assert_eq!(o.settings.policy, PollPolicy::Fixed { interval_ms: 1000.0 });
        assert_eq!(o.settings.deadline_ms, 5000.0);
    }

    #[test]
    fn protocols_add_only_their_own_fields() {
        #[cfg(feature = "backends")]
        assert_eq!(protocols(), ["k12", "export-service", "xlink", "minapp", "asset"]);
        #[cfg(not(feature = "backends"))]
        assert_eq!(protocols(), ["k12"]);
        for p in PROTOCOL_TABLE {
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
}
