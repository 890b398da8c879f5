//! The popover shown while exporting: filename, progress bar, percent and what is happening.

use std::rc::Rc;

use k12_export_core::small_std::uint;
use k12_export_core::Stage;
use yew::prelude::*;

use crate::components::progress_bar;
use crate::labels::Labels;

/// Where the popover opens, so it stays inside the viewport.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Placement {
    /// Align its right edge with the button's (near the right edge of the viewport).
    pub end: bool,
    /// Open above the button (near the bottom of the viewport).
    pub top: bool,
}

/// The gap between the button and the popover (its arrow sits in it), in CSS pixels.
const GAP: f64 = 10.0;

impl Placement {
    /// The placement for a popover of `pop` (its own box, as rendered: zoom, fonts and long names
    /// included) anchored at `anchor`: below and to the right unless that would be clipped by the
    /// viewport and the other side has more room (measured in JS: `popover.js`).
    pub fn measure(anchor: &web_sys::Element, pop: &web_sys::HtmlElement) -> Placement {
        let bits = place(anchor, pop, GAP);
        Placement { end: bits & 1 != 0, top: bits & 2 != 0 }
    }
}

// The popover's JS (`popover.js`): where it opens, and what closes it (the button arms `close_on`
// while its popover is open).
#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/components/popover.js")]
extern "C" {
    fn place(anchor: &web_sys::Element, pop: &web_sys::HtmlElement, gap: f64) -> u32;
    /// While a popover is open: `close(1)` on Esc, `close(2)` on a press elsewhere than on the
    /// button and the popover of `pop_id`. Returns the function that stops it.
    #[wasm_bindgen(js_name = closeOn)]
    pub(crate) fn close_on(pop_id: &str, close: &wasm_bindgen::closure::Closure<dyn Fn(u32)>) -> js_sys::Function;
}

/// Props of [`ProgressPopover`].
#[derive(Properties, PartialEq, Clone)]
pub struct ProgressPopoverProps {
    /// Element id, referenced by the button's `aria-describedby`.
    pub id: AttrValue,
    /// Shown (else present but `hidden`, so the description stays available).
    pub open: bool,
    /// The export's filename (rendered as text).
    pub filename: AttrValue,
    /// 0–100, or `None` for an indeterminate bar.
    #[prop_or_default]
    pub percent: Option<u8>,
    /// Where the export is.
    #[prop_or_default]
    pub stage: Stage,
    /// Estimated seconds left.
    #[prop_or_default]
    pub eta_secs: Option<u32>,
    /// A transient failure is being retried.
    #[prop_or_default]
    pub retrying: bool,
    /// Texts.
    #[prop_or_default]
    pub labels: Rc<Labels>,
    /// Where it opens.
    #[prop_or_default]
    pub placement: Placement,
    /// The popover element, for measuring its placement.
    #[prop_or_default]
    pub node: NodeRef,
    /// Seconds the progress has stood still (shown instead of the estimate).
    #[prop_or_default]
    pub stalled_secs: Option<u32>,
    /// The cancel button was pressed (no button without it).
    #[prop_or_default]
    pub oncancel: Option<Callback<()>>,
}

/// Filename, a `role="progressbar"` bar (no `aria-valuenow` when indeterminate), the percent and
/// a status line.
#[function_component]
pub fn ProgressPopover(props: &ProgressPopoverProps) -> Html {
    progress_popover(props)
}

/// The markup of [`ProgressPopover`], for views that render it inline (a component of its own
/// costs the embeddable bundle about 1 KB gzip).
pub fn progress_popover(props: &ProgressPopoverProps) -> Html {
    let l = &props.labels;
    let status = if props.retrying {
        l.retrying.to_owned()
    } else if let Some(secs) = props.stalled_secs {
        l.stalled_text(secs)
    } else {
        match (props.stage, props.eta_secs) {
            (Stage::Starting, _) => l.preparing.to_owned(),
            (Stage::Generating, _) => l.generating.to_owned(),
            (Stage::Running, Some(s)) => l.eta_text(s),
            (Stage::Running, None) => String::new(),
        }
    };
    let pct = props.percent;
    html! {
        <div
            class={classes!("k12x-pop", props.placement.end.then_some("k12x-pop--end"), props.placement.top.then_some("k12x-pop--top"))}
            id={props.id.clone()}
            role="tooltip"
            part="popover"
            ref={props.node.clone()}
            hidden={!props.open}
        >
            <div class="k12x-pop-name" title={props.filename.clone()}>{ props.filename.clone() }</div>
            { progress_bar(pct, l.progress.into(), None) }
            <div class="k12x-pop-meta">
                <span class="k12x-pop-status" aria-live={if props.stalled_secs.is_some() { "off" } else { "polite" }}>{ status }</span>
                <span class="k12x-pop-pct">{ pct.map(|p| [uint(p.into()).as_str(), "%"].concat()).unwrap_or_default() }</span>
            </div>
            if let Some(oncancel) = &props.oncancel {
                <div class="k12x-pop-actions">
                    <button type="button" class="k12x-pop-cancel" part="cancel" onclick={oncancel.reform(|_: MouseEvent| ())}>
                        { l.cancel }
                    </button>
                </div>
            }
        </div>
    }
}
