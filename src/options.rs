//! The options of a button or a history panel as the host gives them: the backend options (one
//! JSON format for Yew props and plain pages), the export data and the filename template, merged
//! here and validated by the core into an [`ExportSetup`].

use std::rc::Rc;

use k12_export_core::json::Json;
use k12_export_core::{ExportSetup, OptionsError};

/// Fields the widget itself reads from a flat options object; the export core accepts them unread.
pub const WIDGET_KEYS: &[&str] = &["label", "lang", "disabled", "heading"];

/// Backend options as JSON: `protocol` (default `"k12"`) plus that protocol's fields — for K12
/// the seed's cache `config` map and optionally `start`/`progress` keys, `timeoutMs`, … (see
/// [`k12_export_core::options`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Options(Rc<Json>);

impl Options {
    /// Options from a JSON value (validated when the button mounts).
    pub fn from_json(v: Json) -> Options {
        Options(Rc::new(v))
    }

    /// Options from JSON text.
    pub fn parse(text: &str) -> Result<Options, OptionsError> {
        Json::parse(text)
            .map(Options::from_json)
            .map_err(|e| OptionsError::new("options", &format!("is not valid JSON ({e})")))
    }

    /// K12 options from the seed's cache config map, e.g.
    /// `{"homework-export": {"method":"GET","url":"/j/org/{termId}/homework/export","rest":true,"isPolling":true}, …}`.
    pub fn k12(config: &str) -> Result<Options, OptionsError> {
        let config = Json::parse(config)
            .map_err(|e| OptionsError::new("options.config", &format!("is not valid JSON ({e})")))?;
        Ok(Options::from_json(Json::Obj(vec![("config".into(), config)])))
    }

    /// Returns a copy with `key` set.
    pub fn with(&self, key: &str, value: Json) -> Options {
        let mut members = self.members();
        set(&mut members, key, value);
        Options::from_json(Json::Obj(members))
    }

    /// A copy of the members (none when the JSON is not an object).
    fn members(&self) -> Vec<(String, Json)> {
        match &*self.0 {
            Json::Obj(m) => m.clone(),
            _ => Vec::new(),
        }
    }

    /// The JSON.
    pub fn json(&self) -> &Json {
        &self.0
    }

    /// Merges `data` and `filename` in (when given) and validates the whole.
    pub fn resolve(&self, data: &Json, filename: &str) -> Result<ExportSetup, OptionsError> {
        // One options object may serve a button and a history panel alike.
        #[cfg(feature = "backends")]
        let allowed = [WIDGET_KEYS, k12_export_core::history::OPTION_KEYS];
        #[cfg(not(feature = "backends"))]
        let allowed = [WIDGET_KEYS];
        ExportSetup::from_json(&self.merged(data, filename), &allowed)
    }

    fn merged(&self, data: &Json, filename: &str) -> Json {
        if data.is_null() && filename.is_empty() {
            return (*self.0).clone();
        }
        let mut members = self.members();
        if !data.is_null() {
            set(&mut members, "data", data.clone());
        }
        if !filename.is_empty() {
            set(&mut members, "filename", Json::from(filename));
        }
        Json::Obj(members)
    }
}

/// Sets `key` in an object's members: any earlier value goes, the new one comes last.
fn set(members: &mut Vec<(String, Json)>, key: &str, value: Json) {
    members.retain(|(k, _)| k != key);
    members.push((key.to_owned(), value));
}
