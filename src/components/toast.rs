//! The failure toast: "导出失败" plus a reason, announced with `role="alert"`.

use yew::prelude::*;

/// Props of [`Toast`].
#[derive(Properties, PartialEq, Clone)]
pub struct ToastProps {
    /// The title ("导出失败").
    pub title: AttrValue,
    /// The reason (rendered as text; it may come from the server).
    #[prop_or_default]
    pub detail: AttrValue,
    /// The close button's accessible name.
    pub close_label: AttrValue,
    /// The close button was pressed.
    pub ondismiss: Callback<()>,
}

/// A dismissible alert; auto-dismissal is its owner's timer.
#[function_component]
pub fn Toast(props: &ToastProps) -> Html {
    toast(props)
}

/// The markup of [`Toast`], for views that render it inline (a component of its own costs the
/// embeddable bundle about 1 KB gzip).
pub fn toast(props: &ToastProps) -> Html {
    let ondismiss = props.ondismiss.reform(|_: MouseEvent| ());
    html! {
        <div class="k12x-toast" part="toast" role="alert">
            <span class="k12x-toast-icon" aria-hidden="true"></span>
            <span class="k12x-toast-text">
                <strong class="k12x-toast-title">{ props.title.clone() }</strong>
                if !props.detail.is_empty() {
                    <span class="k12x-toast-detail">{ props.detail.clone() }</span>
                }
            </span>
            <button type="button" class="k12x-toast-close" aria-label={props.close_label.clone()} onclick={ondismiss}>
                <span aria-hidden="true">{ "×" }</span>
            </button>
        </div>
    }
}
