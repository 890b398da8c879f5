//! The progress bar: a `role="progressbar"` track and fill. The fill's width is set as a DOM
//! property (`element.style = …`, through the CSSOM), never as a `style` attribute in the markup,
//! so a page whose Content-Security-Policy blocks inline styles still sees the bar fill.

use k12_export_core::small_std::uint;
use yew::prelude::*;

/// The bar for `percent` (`None`: indeterminate, no `aria-valuenow`; the CSS animates it), named
/// `label`, with `class` added to the track.
pub fn progress_bar(percent: Option<u8>, label: AttrValue, class: Option<&'static str>) -> Html {
    html! {
        <div
            class={classes!("k12x-bar", percent.is_none().then_some("k12x-bar--indeterminate"), class)}
            part="bar"
            role="progressbar"
            aria-label={label}
            aria-valuemin="0"
            aria-valuemax="100"
            aria-valuenow={percent.map(|p| uint(p.into()))}
            aria-valuetext={percent.map(|p| [uint(p.into()).as_str(), "%"].concat())}
        >
            <div class="k12x-bar-fill" ~style={percent.map(|p| ["width:", &uint(p.into()), "%"].concat())}></div>
        </div>
    }
}
