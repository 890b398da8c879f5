//! `ProgressBar`: a `role="progressbar"` track and fill. The fill's width is written through the
//! CSSOM, never as a `style` attribute, so a page whose Content-Security-Policy blocks inline styles
//! still sees the bar fill.

use yew::prelude::*;

/// Props of [`ProgressBar`].
#[derive(Properties, PartialEq, Clone)]
pub struct ProgressBarProps {
    /// 0–100, or `None` for an indeterminate bar (no `aria-valuenow`).
    #[prop_or_default]
    pub percent: Option<u8>,
    /// The bar's accessible name.
    pub label: AttrValue,
    /// Extra classes on the track.
    #[prop_or_default]
    pub class: Classes,
}

/// The bar. Its fill width follows `percent` (0 while indeterminate: the CSS animates it then).
#[function_component]
pub fn ProgressBar(props: &ProgressBarProps) -> Html {
    let fill = use_node_ref();
    {
        let fill = fill.clone();
        use_effect_with(props.percent, move |pct| {
            if let Some(el) = fill.cast::<web_sys::HtmlElement>() {
                let style = el.style();
                let _ = match pct {
                    Some(p) => style.set_property("width", &format!("{p}%")),
                    None => style.remove_property("width").map(drop),
                };
            }
        });
    }
    let pct = props.percent;
    html! {
        <div
            class={classes!("k12x-bar", pct.is_none().then_some("k12x-bar--indeterminate"), props.class.clone())}
            part="bar"
            role="progressbar"
            aria-label={props.label.clone()}
            aria-valuemin="0"
            aria-valuemax="100"
            aria-valuenow={pct.map(|p| p.to_string())}
            aria-valuetext={pct.map(|p| format!("{p}%"))}
        >
            <div class="k12x-bar-fill" ref={fill}></div>
        </div>
    }
}
