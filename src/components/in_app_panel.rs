//! The in-app panel: where the browser cannot download (WeChat, WeCom, DingTalk webviews), the
//! file's link with "请在浏览器中打开" guidance and a copy action, instead of a download that would
//! silently do nothing. A file built in the page (a blob, which no other browser can open) gets
//! the page's own link instead, with "请在浏览器中打开本页面后导出". Markup only: its state
//! (placement, copied, closed) is its owner's ([`crate::components::export_button_view::Local`]),
//! as a component of its own would cost the embeddable bundle about 1 KB gzip.

use std::rc::Rc;

use yew::prelude::*;

use crate::components::progress_popover::Placement;
use crate::in_app::copy;
use crate::labels::Labels;

/// What [`in_app_panel`] shows.
pub struct InAppPanelProps {
    /// The file's URL (already checked to be http(s), and absolute); `None` for a file built in
    /// the page.
    pub url: Option<AttrValue>,
    /// The file's name (rendered as text).
    pub filename: AttrValue,
    /// Texts.
    pub labels: Rc<Labels>,
    /// Where it opens (measured on its own box by its owner, through `node`).
    pub placement: Placement,
    /// The panel element.
    pub node: NodeRef,
    /// What the last copy did: copied, or the link selected for a manual copy.
    pub copied: Option<bool>,
    /// A copy finished: `true` when copied.
    pub oncopied: Callback<bool>,
    /// The close button was pressed (the owner stops rendering the panel until the next export;
    /// the "下载" link next to the button stays).
    pub onclose: Callback<()>,
}

/// A `role="status"` panel: the guidance, the link (selectable text and a link to open), a copy
/// button, and a close button. The link is the file's, or for a file built in the page the page's
/// own, to open in a browser and export there.
pub fn in_app_panel(p: InAppPanelProps) -> Html {
    let l = &p.labels;
    let (title, hint, copy_label, url) = match p.url {
        Some(url) => (l.in_app, l.in_app_hint, l.copy_link, url),
        // Built in the page: only the other backends build files (the asset system's CSV).
        #[cfg(feature = "backends")]
        None => {
            let page = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
            (l.in_app_built, l.in_app_built_hint, l.copy_page_link, page.into())
        }
        #[cfg(not(feature = "backends"))]
        None => return Html::default(),
    };
    let link = NodeRef::default();
    let oncopy = {
        let (oncopied, link, url) = (p.oncopied, link.clone(), url.clone());
        Callback::from(move |_: MouseEvent| {
            let (oncopied, link, url) = (oncopied.clone(), link.clone(), url.clone());
            wasm_bindgen_futures::spawn_local(async move {
                oncopied.emit(copy(&url, link.cast::<web_sys::Element>()).await.is_ok());
            });
        })
    };
    let said = match p.copied {
        Some(true) => l.copied,
        Some(false) => l.copy_failed,
        None => "",
    };
    html! {
        <div class={classes!("k12x-inapp", p.placement.end.then_some("k12x-inapp--end"), p.placement.top.then_some("k12x-inapp--top"))}
             part="in-app" role="status" ref={p.node}>
            <strong class="k12x-inapp-title">{ title }</strong>
            <p class="k12x-inapp-hint">{ hint }</p>
            <a class="k12x-inapp-link" ref={link} href={url.clone()} target="_blank" rel="noopener"
               title={p.filename}>{ url }</a>
            <div class="k12x-inapp-actions">
                <button type="button" class="k12x-inapp-copy" onclick={oncopy}>{ copy_label }</button>
                <span class="k12x-inapp-said" aria-live="polite">{ said }</span>
            </div>
            <button type="button" class="k12x-toast-close k12x-inapp-close" aria-label={l.close}
                    onclick={p.onclose.reform(|_: MouseEvent| ())}>
                <span aria-hidden="true">{ "×" }</span>
            </button>
        </div>
    }
}
