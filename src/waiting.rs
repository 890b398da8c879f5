//! Cancel, waiting, background tabs and in-app browsers: the options that turn them on, how an
//! in-app browser is recognised, copying a link, and the page-level effects (title,
//! notification) of an export running in a hidden tab.
//!
//! Options (flat, next to the backend's):
//!
//! - `titleProgress` (default `false`): while the tab is hidden, the page title shows the percent
//!   ("37% 导出中 – 原标题"); when the export ends there, it says so ("✓ 导出完成 – 原标题") until
//!   the tab is seen again. The page's own title is put back exactly, unless the page changed it
//!   meanwhile.
//! - `notify` (default `false`): a desktop notification when an export ends in a hidden tab. The
//!   browser's permission is asked only from a click on the button, never on page load.
//! - `inApp` (default: from the user agent): `true` treats the browser as one that cannot download
//!   (WeChat, WeCom, DingTalk webviews): the file's link is offered with "在浏览器中打开" guidance
//!   and a copy action instead of a download; `false` never does.

use k12_export_core::json::Json;
use k12_export_core::OptionsError;
use wasm_bindgen::JsCast;

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

/// Whether the page is hidden (another tab in front, the window minimised).
pub fn page_hidden() -> bool {
    web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.hidden())
}

/// Asks for the permission to notify, if it was never asked. Call only from a user's click.
pub fn ask_notify_permission() {
    if notification_class().is_some() && web_sys::Notification::permission() == web_sys::NotificationPermission::Default
    {
        // The promise's answer is read again when a notification is due.
        let _ = web_sys::Notification::request_permission();
    }
}

/// Shows a desktop notification when the page may: the browser has notifications and the user
/// granted them. `tag` replaces an earlier notification of the same widget.
pub fn notify(title: &str, body: &str, tag: &str) {
    if notification_class().is_none() || web_sys::Notification::permission() != web_sys::NotificationPermission::Granted
    {
        return;
    }
    let options = web_sys::NotificationOptions::new();
    options.set_body(body);
    options.set_tag(tag);
    let _ = web_sys::Notification::new_with_options(title, &options);
}

/// `window.Notification`, absent in some browsers (iOS Safari outside a web app, webviews):
/// calling into it there would throw.
fn notification_class() -> Option<wasm_bindgen::JsValue> {
    let v = js_sys::Reflect::get(&js_sys::global(), &"Notification".into()).ok()?;
    (!v.is_undefined()).then_some(v)
}

/// Copies `text` with the Clipboard API; where that is missing or refused (an insecure page, an
/// old webview), selects `fallback`'s text so that a long press copies it, and says so: the
/// answer is `Ok(())` when copied, `Err(())` when the user must copy.
pub async fn copy(text: &str, fallback: Option<web_sys::Element>) -> Result<(), ()> {
    let clipboard = web_sys::window()
        .map(|w| w.navigator())
        .and_then(|n| js_sys::Reflect::get(&n, &"clipboard".into()).ok())
        .filter(|c| !c.is_undefined() && !c.is_null());
    if let Some(c) = clipboard {
        let c: web_sys::Clipboard = c.unchecked_into();
        if wasm_bindgen_futures::JsFuture::from(c.write_text(text)).await.is_ok() {
            return Ok(());
        }
    }
    if let Some(el) = fallback {
        select(&el);
        let copied = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
            .is_some_and(|d| d.exec_command("copy").unwrap_or(false));
        if copied {
            return Ok(());
        }
    }
    Err(())
}

/// Selects the text of `el` (in its shadow root too: the selection is the document's).
fn select(el: &web_sys::Element) {
    let Some(selection) = web_sys::window().and_then(|w| w.get_selection().ok().flatten()) else { return };
    let Some(range) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.create_range().ok()) else {
        return;
    };
    if range.select_node_contents(el).is_ok() {
        let _ = selection.remove_all_ranges();
        let _ = selection.add_range(&range);
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
