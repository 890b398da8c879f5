//! Cancel, waiting, background tabs and in-app browsers: the options that turn them on, how an
//! in-app browser is recognised, copying a link, and the page-level effects (title,
//! notification) of an export running in a hidden tab.
//!
//! Options (flat, next to the backend's):
//!
//! - `titleProgress` (default `false`): while the tab is hidden, the page title shows the percent
//!   ("37% 导出中 – 原标题"; with several exports of the page running, the least advanced and
//!   their number); when the exports end there, it says so ("✓ 导出完成 – 原标题") until the tab
//!   is seen again. One owner writes the title for every button of the page: the page's own title
//!   is put back exactly, and a title the page sets meanwhile stays.
//! - `notify` (default `false`): a desktop notification when an export ends in a hidden tab. The
//!   browser's permission is asked only from a click on the button, never on page load, and only
//!   where a page can notify (not on Android, not in in-app browsers).
//! - `inApp` (default: from the user agent): `true` treats the browser as one that cannot download
//!   (WeChat, WeCom, DingTalk webviews): the file's link is offered with "在浏览器中打开" guidance
//!   and a copy action instead of a download; `false` never does.

use k12_export_core::json::Json;
use k12_export_core::OptionsError;
use k12_export_core::Status;

use crate::labels::Labels;

/// What a button does for waiting users, from its options.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WaitOptions {
    /// The percent and the end in the title of a hidden tab.
    pub title: bool,
    /// A desktop notification when an export ends in a hidden tab.
    pub notify: bool,
    /// The browser cannot download: offer the link instead.
    pub in_app: bool,
}

impl WaitOptions {
    /// Reads the options; `user_agent` decides `in_app` when the options do not.
    pub fn read(v: &Json, user_agent: &str) -> Result<WaitOptions, OptionsError> {
        let flag = |key: &str| match v.get(key) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(OptionsError::option(key, "must be true or false")),
        };
        Ok(WaitOptions {
            title: flag("titleProgress")?.unwrap_or(false),
            notify: flag("notify")?.unwrap_or(false),
            in_app: flag("inApp")?.unwrap_or_else(|| is_in_app_browser(user_agent)),
        })
    }

    /// [`WaitOptions::read`] with the browser's own user agent.
    pub fn from_page(v: &Json) -> Result<WaitOptions, OptionsError> {
        WaitOptions::read(v, &user_agent())
    }
}

/// The browser's user agent (empty outside a browser).
pub fn user_agent() -> String {
    web_sys::window().and_then(|w| w.navigator().user_agent().ok()).unwrap_or_default()
}

/// Webviews of chat apps that ignore downloads, by their user-agent marks: WeChat
/// (`MicroMessenger`; WeCom adds `wxwork`) and DingTalk (`DingTalk`).
pub fn is_in_app_browser(user_agent: &str) -> bool {
    const MARKS: [&[u8]; 3] = [b"micromessenger", b"wxwork", b"dingtalk"];
    let ua = user_agent.to_ascii_lowercase();
    // A byte-window scan: `str::contains` would bring the substring searcher into the wasm.
    MARKS.iter().any(|m| ua.as_bytes().windows(m.len()).any(|w| w == *m))
}

// The page-level effects are in JS (`src/waiting.js`): each is a few lines there, and would be
// several imports of the wasm, with their glue and closures, here.
#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/waiting.js")]
extern "C" {
    /// One button's part of a hidden tab's title (through the page's one title owner, which all
    /// the buttons of the page share: `src/waiting.js`) and of the notifications.
    #[derive(Clone)]
    pub type Tab;
    /// A button's part, doing nothing until [`Tab::show`].
    #[wasm_bindgen(js_name = tab)]
    pub fn new_tab() -> Tab;
    #[wasm_bindgen(method)]
    #[allow(clippy::too_many_arguments)]
    fn update(
        this: &Tab,
        status: u8,
        percent: Option<u8>,
        title: bool,
        notify: bool,
        filename: &str,
        exporting: &str,
        many: &str,
        done: &str,
        failed: &str,
        notify_done: &str,
        notify_failed: &str,
    );
    /// The button is gone: the title no longer shows its export (the page's own title is back when
    /// no other export is shown there).
    #[wasm_bindgen(method)]
    pub fn stop(this: &Tab);
    /// Asks for the permission to notify when `on`, the browser shows a page's notifications (not
    /// Android's Chromium browsers, which let only service workers notify) and it was never
    /// asked. Call only from a user's click. (Every function here takes an argument that needs
    /// glue: the build renames the glue's functions, and a function the wasm would import from
    /// this module directly has none.)
    #[wasm_bindgen(js_name = askNotify)]
    pub fn ask_notify_permission(on: bool);
    #[wasm_bindgen(js_name = copyText)]
    async fn copy_text(text: &str, fallback: Option<web_sys::Element>) -> wasm_bindgen::JsValue;
}

/// A status as `waiting.js` receives it (written into it from here: `crate::seam`).
pub(crate) mod code {
    /// Ready to export.
    pub const IDLE: u8 = 0;
    /// An export runs.
    pub const EXPORTING: u8 = 1;
    /// The last export handed over its file.
    pub const DONE: u8 = 2;
    /// The last export failed.
    pub const FAILED: u8 = 3;
    /// The server cancelled the last export.
    pub const CANCELLED: u8 = 4;
}

impl Tab {
    /// Shows `status` and `percent` in the title of the page while it is hidden (when `options`
    /// ask for it), and notifies the end of an export that ends there.
    pub fn show(&self, status: Status, percent: Option<u8>, filename: &str, options: WaitOptions, l: &Labels) {
        let code = match status {
            Status::Idle => code::IDLE,
            Status::Exporting => code::EXPORTING,
            Status::Done => code::DONE,
            Status::Failed => code::FAILED,
            Status::Cancelled => code::CANCELLED,
        };
        let (title, notify) = (options.title, options.notify);
        let texts = (l.title_progress, l.title_many, l.title_done, l.title_failed, l.notify_done, l.notify_failed);
        self.update(code, percent, title, notify, filename, texts.0, texts.1, texts.2, texts.3, texts.4, texts.5);
    }
}

/// Copies `text` with the Clipboard API; where that is missing or refused (an insecure page, an
/// old webview), selects `fallback`'s text so that a long press copies it, and says so: the
/// answer is `Ok(())` when copied, `Err(())` when the user must copy.
pub async fn copy(text: &str, fallback: Option<web_sys::Element>) -> Result<(), ()> {
    if copy_text(text, fallback).await.is_truthy() {
        Ok(())
    } else {
        Err(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_app_webviews_are_recognised_by_their_user_agents() {
        let wechat = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN";
        let wecom = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0 Safari/537.36 wxwork/4.1.16 MicroMessenger/7.0.1";
        let dingtalk = "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/117.0 Mobile Safari/537.36 AliApp(DingTalk/7.5.0) com.alibaba.android.rimet";
        let chrome =
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        for ua in [wechat, wecom, dingtalk] {
            assert!(is_in_app_browser(ua), "{ua}");
        }
        for ua in [chrome, safari, ""] {
            assert!(!is_in_app_browser(ua), "{ua}");
        }
    }

    #[test]
    fn options_default_off_and_in_app_follows_the_user_agent_unless_forced() {
        let o = |t: &str| Json::parse(t).unwrap();
        assert_eq!(WaitOptions::read(&o("{}"), "Chrome").unwrap(), WaitOptions::default());
        assert!(WaitOptions::read(&o("{}"), "x MicroMessenger/8").unwrap().in_app);
        assert!(!WaitOptions::read(&o(r#"{"inApp":false}"#), "x MicroMessenger/8").unwrap().in_app);
        assert!(WaitOptions::read(&o(r#"{"inApp":true}"#), "Chrome").unwrap().in_app);
        let both = WaitOptions::read(&o(r#"{"titleProgress":true,"notify":true}"#), "").unwrap();
        assert!(both.title && both.notify);
        for bad in [r#"{"inApp":"yes"}"#, r#"{"notify":1}"#, r#"{"titleProgress":"true"}"#] {
            let e = WaitOptions::read(&o(bad), "").unwrap_err();
            assert!(e.field.starts_with("options.") && e.what.contains("true or false"), "{e}");
        }
    }
}
