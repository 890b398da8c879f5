//! In-app browsers: the webviews of chat apps (WeChat, WeCom, DingTalk), which ignore downloads,
//! recognised by their user agents (option `inApp` forces the answer either way); there the file's
//! link is offered with a copy action instead (`crate::components::in_app_panel`), copied through
//! `src/in_app.js`.

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

#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/in_app.js")]
extern "C" {
    #[wasm_bindgen(js_name = copyText)]
    async fn copy_text(text: &str, fallback: Option<web_sys::Element>) -> wasm_bindgen::JsValue;
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
}
