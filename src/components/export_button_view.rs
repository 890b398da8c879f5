//! `ExportButtonView`: the button's markup for a given state — what `AsyncExportButton` renders,
//! and what the designers' gallery renders from fixed props.

use std::rc::Rc;

use k12_export_core::{Download, Failure, Status, View};
use yew::prelude::*;

use crate::components::progress_popover::{progress_popover, Placement, ProgressPopoverProps};
use crate::components::toast::{toast, ToastProps};
use crate::hooks::use_effect_on::{use_effect_on, EffectKey};
use crate::labels::Labels;

/// Props of [`ExportButtonView`].
#[derive(Properties, PartialEq, Clone)]
pub struct ExportButtonViewProps {
    /// The export's state, from the core.
    pub view: View,
    /// Button text.
    pub label: AttrValue,
    /// Texts.
    #[prop_or_default]
    pub labels: Rc<Labels>,
    /// The popover is shown (only while exporting).
    #[prop_or_default]
    pub popover_open: bool,
    /// The popover's element id.
    pub popover_id: AttrValue,
    /// Clicks do nothing (`aria-disabled`); set while exporting, when disabled or misconfigured.
    #[prop_or_default]
    pub inert: bool,
    /// Why the options are unusable, if they are.
    #[prop_or_default]
    pub error: Option<AttrValue>,
    /// The failure shown in the toast, if any.
    #[prop_or_default]
    pub toast: Option<Failure>,
    /// The button was clicked (also when inert: the owner decides).
    #[prop_or_default]
    pub onclick: Callback<()>,
    /// The pointer entered (`true`) or left (`false`) the widget.
    #[prop_or_default]
    pub onhover: Callback<bool>,
    /// The button gained (`true`) or lost (`false`) focus.
    #[prop_or_default]
    pub onfocus: Callback<bool>,
    /// The toast's close button was pressed.
    #[prop_or_default]
    pub ondismiss: Callback<()>,
}

/// The button, its popover, the fallback download link and the failure toast.
#[function_component]
pub fn ExportButtonView(props: &ExportButtonViewProps) -> Html {
    let placement = use_state_eq(Placement::default);
    let onplace = {
        let placement = placement.clone();
        Callback::from(move |p| placement.set(p))
    };
    use_export_button_view(props, *placement, onplace)
}

/// The markup of [`ExportButtonView`], for a component that renders it inline (a component of its
/// own costs the embeddable bundle about 2 KB gzip) and keeps where the popover opens in its own
/// state: `placement`, which `onplace` is asked to change once the open popover is measured.
#[hook]
pub fn use_export_button_view(
    props: &ExportButtonViewProps,
    placement: Placement,
    onplace: Callback<Placement>,
) -> Html {
    let v = &props.view;
    let labels = &props.labels;
    let busy = v.status == Status::Exporting;
    let status = match v.status {
        Status::Idle => "idle",
        Status::Exporting => "exporting",
        Status::Done => "done",
        Status::Failed => "failed",
    };
    let fallback = match (v.status, &v.download) {
        (Status::Done, Some(Download { url: Some(url), filename })) => Some((url.clone(), filename.clone())),
        _ => None,
    };
    let onclick = props.onclick.reform(|e: MouseEvent| e.prevent_default());
    // Placement is measured on the popover's own box once it is open — by hover, focus or a tap on
    // the busy button — before the browser paints (effects run in the same task as the render). The anchor is found through a NodeRef: with
    // Yew's event delegation, an event's current target is the app's root element, not the element
    // the listener is written on.
    let anchor = use_node_ref();
    let pop = use_node_ref();
    {
        let (anchor, pop) = (anchor.clone(), pop.clone());
        let open = busy && props.popover_open;
        use_effect_on(
            EffectKey(0, open, None),
            Box::new(move || {
                if open {
                    if let (Some(a), Some(p)) = (anchor.cast::<web_sys::Element>(), pop.cast::<web_sys::HtmlElement>())
                    {
                        onplace.emit(Placement::measure(&a, &p));
                    }
                }
                Box::new(|| ())
            }),
        );
    }
    let hover = |on: bool| props.onhover.reform(move |_: MouseEvent| on);
    let focus = |on: bool| props.onfocus.reform(move |_: FocusEvent| on);
    html! {
        <span ref={anchor} class={classes!("k12x", busy.then_some("k12x--busy"))} data-status={status}
              onmouseenter={hover(true)} onmouseleave={hover(false)}>
            <button
                type="button"
                class="k12x-btn"
                part="button"
                aria-disabled={props.inert.then_some("true")}
                aria-busy={busy.then_some("true")}
                aria-describedby={busy.then(|| props.popover_id.clone())}
                title={props.error.as_ref().map(|m| format!("{}: {m}", labels.misconfigured))}
                data-error={props.error.clone()}
                onclick={onclick}
                onfocus={focus(true)}
                onblur={focus(false)}
            >
                if busy {
                    <span class="k12x-spinner" aria-hidden="true"></span>
                }
                <span class="k12x-label">{ props.label.clone() }</span>
            </button>
            if busy {
                { progress_popover(&ProgressPopoverProps {
                    id: props.popover_id.clone(),
                    open: props.popover_open,
                    filename: AttrValue::from(v.filename.clone()),
                    percent: v.percent,
                    stage: v.stage,
                    eta_secs: v.eta_secs,
                    retrying: v.retrying,
                    labels: labels.clone(),
                    placement,
                    node: pop,
                }) }
            }
            if let Some((url, filename)) = fallback {
                <a class="k12x-fallback" href={url} download={filename} title={labels.download_hint}>{ labels.download }</a>
            }
            if let Some(f) = &props.toast {
                { toast(&ToastProps {
                    title: labels.failed.into(),
                    detail: AttrValue::from(labels.reason(f)),
                    close_label: labels.close.into(),
                    ondismiss: props.ondismiss.clone(),
                }) }
            }
        </span>
    }
}
