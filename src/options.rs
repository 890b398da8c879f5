//! The options of a button or a history panel as the host gives them: the backend options (one
//! JSON format for Yew props and plain pages), the export data and the filename template, merged
//! here and validated by the core into an [`ExportSetup`]; and the widget's own options of what a
//! button does outside its box ([`PageOptions`]).

use std::rc::Rc;

use k12_export_core::json::Json;
use k12_export_core::{ExportSetup, OptionsError};

/// Fields the widget itself reads from a flat options object; the export core accepts them unread.
pub const WIDGET_KEYS: &[&str] = &[
    "label",
    "lang",
    "disabled",
    "heading",
    // What the button does outside its box (see `PageOptions`).
    "titleProgress",
    "notify",
    "inApp",
    // One export across tabs.
    k12_export_core::share::OPTION,
];

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
            .map_err(|e| OptionsError::new("options", &["is not valid JSON (", &e.message(), ")"].concat()))
    }

    /// K12 options from the seed's cache config map, e.g.
    /// `{"homework-export": {"method":"GET","url":"/j/org/{termId}/homework/export","rest":true,"isPolling":true}, …}`.
    pub fn k12(config: &str) -> Result<Options, OptionsError> {
        let config = Json::parse(config)
            .map_err(|e| OptionsError::new("options.config", &["is not valid JSON (", &e.message(), ")"].concat()))?;
        Ok(Options::from_json(Json::Obj(vec![("config".into(), config)])))
    }

    /// Returns a copy with `key` set.
    pub fn with(&self, key: &str, value: Json) -> Options {
        let mut members = match &*self.0 {
            Json::Obj(m) => m.clone(),
            _ => Vec::new(),
        };
        members.retain(|(k, _)| k != key);
        members.push((key.to_owned(), value));
        Options::from_json(Json::Obj(members))
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

    // One export across tabs.

    /// Whether the button shares its job with other tabs of the site (`share`, default true).
    pub fn shared(&self) -> Result<bool, OptionsError> {
        match self.0.get(k12_export_core::share::OPTION) {
            None | Some(Json::Null) => Ok(true),
            Some(Json::Bool(b)) => Ok(*b),
            Some(_) => Err(OptionsError::option(k12_export_core::share::OPTION, "must be true or false")),
        }
    }

    /// The job's share key with `data` and `filename` merged in (see
    /// [`k12_export_core::share::key`]); `None` when it is not shared.
    pub fn share_key(&self, data: &Json, filename: &str) -> Option<String> {
        k12_export_core::share::key(&self.merged(data, filename))
    }

    fn merged(&self, data: &Json, filename: &str) -> Json {
        let data = (!data.is_null()).then_some(data);
        let filename = (!filename.is_empty()).then_some(filename);
        if data.is_none() && filename.is_none() {
            return (*self.0).clone();
        }
        // Given values replace the options' own, and come last.
        let replaced = |k: &str| (k == "data" && data.is_some()) || (k == "filename" && filename.is_some());
        let mut members: Vec<(String, Json)> = match &*self.0 {
            Json::Obj(m) => m.iter().filter(|(k, _)| !replaced(k)).cloned().collect(),
            _ => Vec::new(),
        };
        if let Some(data) = data {
            members.push(("data".to_owned(), data.clone()));
        }
        if let Some(filename) = filename {
            members.push(("filename".to_owned(), Json::from(filename)));
        }
        Json::Obj(members)
    }
}

/// What a button does outside its own box, from its options (flat, next to the backend's):
///
/// - `titleProgress` (default `false`): while the tab is hidden, the page title shows the percent
///   ("37% 导出中 – 原标题"; with several exports of the page running, the least advanced and
///   their number); when the exports end there, it says so ("✓ 导出完成 – 原标题") until the tab
///   is seen again. One owner writes the title for every button of the page: the page's own title
///   is put back exactly, and a title the page sets meanwhile stays ([`crate::hidden_tab`]).
/// - `notify` (default `false`): a desktop notification when an export ends in a hidden tab. The
///   browser's permission is asked only from a click on the button, never on page load, and only
///   where a page can notify (not on Android, not in in-app browsers).
/// - `inApp` (default: from the user agent): `true` treats the browser as one that cannot download
///   (WeChat, WeCom, DingTalk webviews): the file's link is offered with "在浏览器中打开" guidance
///   and a copy action instead of a download; `false` never does ([`crate::in_app`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PageOptions {
    /// The percent and the end in the title of a hidden tab.
    pub title: bool,
    /// A desktop notification when an export ends in a hidden tab.
    pub notify: bool,
    /// The browser cannot download: offer the link instead.
    pub in_app: bool,
}

impl PageOptions {
    /// Reads the options; `user_agent` decides `in_app` when the options do not.
    pub fn read(v: &Json, user_agent: &str) -> Result<PageOptions, OptionsError> {
        let flag = |key: &str| match v.get(key) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(OptionsError::option(key, "must be true or false")),
        };
        Ok(PageOptions {
            title: flag("titleProgress")?.unwrap_or(false),
            notify: flag("notify")?.unwrap_or(false),
            in_app: flag("inApp")?.unwrap_or_else(|| crate::in_app::is_in_app_browser(user_agent)),
        })
    }

    /// [`PageOptions::read`] with the browser's own user agent.
    pub fn from_page(v: &Json) -> Result<PageOptions, OptionsError> {
        PageOptions::read(v, &crate::in_app::user_agent())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_default_off_and_in_app_follows_the_user_agent_unless_forced() {
        let o = |t: &str| Json::parse(t).unwrap();
        assert_eq!(PageOptions::read(&o("{}"), "Chrome").unwrap(), PageOptions::default());
        assert!(PageOptions::read(&o("{}"), "x MicroMessenger/8").unwrap().in_app);
        assert!(!PageOptions::read(&o(r#"{"inApp":false}"#), "x MicroMessenger/8").unwrap().in_app);
        assert!(PageOptions::read(&o(r#"{"inApp":true}"#), "Chrome").unwrap().in_app);
        let both = PageOptions::read(&o(r#"{"titleProgress":true,"notify":true}"#), "").unwrap();
        assert!(both.title && both.notify);
        for bad in [r#"{"inApp":"yes"}"#, r#"{"notify":1}"#, r#"{"titleProgress":"true"}"#] {
            let e = PageOptions::read(&o(bad), "").unwrap_err();
            assert!(e.field.starts_with("options.") && e.what.contains("true or false"), "{e}");
        }
    }
}

/// The option names the npm package declares (`packages/k12-export/options.json`, which
/// scripts/tests/package.test.mjs holds against the package's types and its custom elements
/// manifest) are the ones the widget reads: a name added, renamed or removed here fails this test
/// until the package follows.
#[cfg(all(test, feature = "backends", not(target_arch = "wasm32")))]
mod package_types {
    use k12_export_core::backends::PROTOCOLS;
    use k12_export_core::json::Json;
    use k12_export_core::{history, options::COMMON_KEYS};

    #[test]
    fn the_package_declares_every_option_and_no_other() {
        let list = |keys: &[&str]| Json::Arr(keys.iter().map(|k| Json::from(*k)).collect());
        let expected = Json::Obj(vec![
            ("common".into(), list(COMMON_KEYS)),
            ("widget".into(), list(super::WIDGET_KEYS)),
            ("history".into(), list(history::OPTION_KEYS)),
            ("protocols".into(), Json::Obj(PROTOCOLS.iter().map(|p| (p.name.into(), list(p.keys))).collect())),
        ]);
        // The file as the lists, its "//" note aside.
        let file = match Json::parse(include_str!("../packages/k12-export/options.json")) {
            Ok(Json::Obj(members)) => Some(Json::Obj(members.into_iter().filter(|(k, _)| k != "//").collect())),
            _ => None,
        };
        assert_eq!(
            file,
            Some(expected.clone()),
            "packages/k12-export/options.json differs from the options the widget reads; it should be\n{}\n\
             (then the types in packages/k12-export/types/k12-export.d.ts and custom-elements.json)",
            expected.to_json()
        );
    }
}
