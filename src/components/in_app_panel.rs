//! `InAppPanel`: where the browser cannot download (WeChat, WeCom, DingTalk webviews), the file's
//! link with "请在浏览器中打开" guidance and a copy action, instead of a download that would
//! silently do nothing.

use std::rc::Rc;

use yew::prelude::*;

use crate::components::progress_popover::Placement;
use crate::hooks::use_effect_on::{use_effect_on, EffectKey};
use crate::labels::Labels;
use crate::waiting::copy;

/// Props of [`InAppPanel`].
#[derive(Properties, PartialEq, Clone)]
pub struct InAppPanelProps {
    /// The file's URL (already checked to be http(s) or relative).
    pub url: AttrValue,
    /// The file's name (rendered as text).
    pub filename: AttrValue,
    /// Texts.
    #[prop_or_default]
    pub labels: Rc<Labels>,
}

/// What the last copy did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Copied {
    Yes,
    /// The link is selected for a manual copy.
    No,
}

/// A `role="status"` panel: the guidance, the link (selectable text and a link to open), a copy
/// button, and a close button (the fallback "下载" link next to the button stays).
#[function_component]
pub fn InAppPanel(props: &InAppPanelProps) -> Html {
    let l = &props.labels;
    let copied = use_state_eq(|| None::<Copied>);
    let link = use_node_ref();
    // Placed like the popover: measured on its own box, flipped where the viewport would clip it.
    let node = use_node_ref();
    let placement = use_state_eq(Placement::default);
    {
        let (node, placement) = (node.clone(), placement.clone());
        use_effect_on(
            EffectKey::default(),
            Box::new(move || {
                if let Some(panel) = node.cast::<web_sys::HtmlElement>() {
                    if let Some(anchor) = panel.parent_element() {
                        placement.set(Placement::measure(&anchor, &panel));
                    }
                }
                Box::new(|| ())
            }),
        );
    }
    let oncopy = {
        let (copied, link, url) = (copied.clone(), link.clone(), props.url.clone());
        Callback::from(move |_: MouseEvent| {
            let (copied, link, url) = (copied.clone(), link.clone(), url.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let done = copy(&url, link.cast::<web_sys::Element>()).await;
                copied.set(Some(if done.is_ok() { Copied::Yes } else { Copied::No }));
            });
        })
    };
    // Closed until the next export (which mounts a fresh panel); the button's "下载" link stays.
    let closed = use_state_eq(|| false);
    let ondismiss = {
        let closed = closed.clone();
        Callback::from(move |_: MouseEvent| closed.set(true))
    };
    if *closed {
        return html! {};
    }
    let said = match *copied {
        Some(Copied::Yes) => l.copied,
        Some(Copied::No) => l.copy_failed,
        None => "",
    };
    html! {
        <div class={classes!("k12x-inapp", placement.end.then_some("k12x-inapp--end"), placement.top.then_some("k12x-inapp--top"))}
             part="in-app" role="status" ref={node}>
            <strong class="k12x-inapp-title">{ l.in_app }</strong>
            <p class="k12x-inapp-hint">{ l.in_app_hint }</p>
            <a class="k12x-inapp-link" ref={link} href={props.url.clone()} target="_blank" rel="noopener"
               title={props.filename.clone()}>{ props.url.clone() }</a>
            <div class="k12x-inapp-actions">
                <button type="button" class="k12x-inapp-copy" onclick={oncopy}>{ l.copy_link }</button>
                <span class="k12x-inapp-said" aria-live="polite">{ said }</span>
            </div>
            <button type="button" class="k12x-toast-close k12x-inapp-close" aria-label={l.close} onclick={ondismiss}>
                <span aria-hidden="true">{ "×" }</span>
            </button>
        </div>
    }
}
