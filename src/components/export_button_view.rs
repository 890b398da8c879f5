//! `ExportButtonView`: the button's markup for a given state — what `AsyncExportButton` renders,
//! and what the designers' gallery renders from fixed props.

use std::rc::Rc;

use k12_export_core::{Cancellation, Download, Failure, Status, View};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::in_app_panel::{in_app_panel, InAppPanelProps};
use crate::components::progress_popover::{progress_popover, Placement, ProgressPopoverProps};
use crate::components::toast::{toast, ToastProps};
use crate::driver::foreign;
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
    /// What the toast shows, if anything.
    #[prop_or_default]
    pub toast: Option<Ended>,
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
    /// The popover's cancel button was pressed (no cancel button without it).
    #[prop_or_default]
    pub oncancel: Option<Callback<()>>,
    /// The browser cannot download: a finished export offers its link instead.
    #[prop_or_default]
    pub in_app: bool,
    /// Said politely to screen readers (and shown to nobody): "已取消导出".
    #[prop_or_default]
    pub notice: Option<AttrValue>,
}

/// What the view keeps between renders, in its owner's state: where its floating box opens (the
/// popover while exporting, the in-app panel once done: never both) and the in-app panel's state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Local {
    /// Where the popover or the in-app panel opens (measured when it appears).
    pub placement: Placement,
    /// What the in-app panel's last copy did (`true`: copied).
    pub copied: Option<bool>,
    /// The in-app panel was closed (until the next export).
    pub closed: bool,
}

/// The elements the view measures and focuses, kept by its owner for the component's life (a
/// hook of its own for each would cost the embeddable bundle a `use_state` instance).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Refs {
    /// The widget's outer element.
    pub anchor: NodeRef,
    /// The popover or the in-app panel.
    pub pop: NodeRef,
}

/// A change of [`Local`], asked of its owner by the view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// The floating box was measured.
    Place(Placement),
    /// The in-app panel's copy finished (`true`: copied).
    Copied(bool),
    /// The in-app panel's close button was pressed.
    Close,
}

impl Local {
    /// `self` after `change`.
    pub fn apply(mut self, change: Change) -> Local {
        match change {
            Change::Place(p) => self.placement = p,
            Change::Copied(ok) => self.copied = Some(ok),
            Change::Close => self.closed = true,
        }
        self
    }
}

impl Reducible for Local {
    type Action = Change;

    fn reduce(self: Rc<Self>, change: Change) -> Rc<Self> {
        Rc::new(self.apply(change))
    }
}

/// How an export ended without its file, as the toast tells it.
#[derive(Clone, Debug, PartialEq)]
pub enum Ended {
    /// The export failed.
    Failed(Failure),
    /// The server ended the job.
    Cancelled(Cancellation),
}

/// The button, its popover, the fallback download link and the failure toast.
#[function_component]
pub fn ExportButtonView(props: &ExportButtonViewProps) -> Html {
    let local = use_reducer_eq(Local::default);
    let refs = use_memo((), |()| Refs::default());
    let onchange = {
        let local = local.dispatcher();
        Callback::from(move |c| local.dispatch(c))
    };
    use_export_button_view(props, &refs, *local, onchange)
}

/// The markup of [`ExportButtonView`], for a component that renders it inline (a component of its
/// own costs the embeddable bundle about 2 KB gzip) and keeps the view's [`Local`] state and
/// [`Refs`] in its own: `local`, which `onchange` is asked to change (the popover or panel
/// measured, a copy, a close).
#[hook]
pub fn use_export_button_view(
    props: &ExportButtonViewProps,
    refs: &Refs,
    local: Local,
    onchange: Callback<Change>,
) -> Html {
    let v = &props.view;
    let labels = &props.labels;
    let busy = v.status == Status::Exporting;
    let status = match v.status {
        Status::Idle => "idle",
        Status::Exporting => "exporting",
        Status::Done => "done",
        Status::Failed => "failed",
        Status::Cancelled => "cancelled",
    };
    let done = v.download.as_ref().filter(|_| v.status == Status::Done);
    let fallback = done.and_then(|d| d.url.clone().map(|url| (url, d.filename.clone())));
    let away = fallback.as_ref().is_some_and(|(url, _)| foreign(url));
    let onclick = props.onclick.reform(|e: MouseEvent| e.prevent_default());
    // In an in-app browser: the file's link, or for a file built in the page the page's own.
    let panel = done.filter(|_| props.in_app && !local.closed).cloned();
    // Placement is measured on the popover's (or the in-app panel's) own box once it is open — by hover, focus or a tap on
    // the busy button — before the browser paints (effects run in the same task as the render). The anchor is found through a NodeRef: with
    // Yew's event delegation, an event's current target is the app's root element, not the element
    // the listener is written on.
    let Refs { anchor, pop } = refs.clone();
    {
        let (anchor, pop, onchange) = (anchor.clone(), pop.clone(), onchange.clone());
        let open = busy && props.popover_open;
        let shown = panel.is_some();
        use_effect_on(
            EffectKey(u32::from(shown), open, None),
            Box::new(move || {
                if open || shown {
                    if let (Some(a), Some(p)) = (anchor.cast::<web_sys::Element>(), pop.cast::<web_sys::HtmlElement>())
                    {
                        onchange.emit(Change::Place(Placement::measure(&a, &p)));
                    }
                }
                Box::new(|| ())
            }),
        );
    }
    let hover = |on: bool| props.onhover.reform(move |_: MouseEvent| on);
    // Focus is the whole widget's: moving from the button into the popover (its cancel button)
    // keeps the popover open.
    let onfocusin = props.onfocus.reform(|_: FocusEvent| true);
    let onfocusout = {
        let (onfocus, anchor) = (props.onfocus.clone(), anchor.clone());
        Callback::from(move |e: FocusEvent| {
            let to = e.related_target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
            let inside = anchor.cast::<web_sys::Node>().is_some_and(|a| a.contains(to.as_ref()));
            if !inside || to.is_none() {
                onfocus.emit(false);
            }
        })
    };
    // Cancelling removes the popover and its focused button: focus goes back to the button.
    let oncancel = props.oncancel.clone().map(|cancel| {
        let anchor = anchor.clone();
        Callback::from(move |()| {
            cancel.emit(());
            let button = anchor.cast::<web_sys::Element>().and_then(|a| a.first_element_child());
            if let Some(b) = button.and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = b.focus();
            }
        })
    });
    html! {
        <span ref={anchor} class={classes!("k12x", busy.then_some("k12x--busy"))} data-status={status}
              onmouseenter={hover(true)} onmouseleave={hover(false)} {onfocusin} {onfocusout}>
            <button
                type="button"
                class="k12x-btn"
                part="button"
                aria-disabled={props.inert.then_some("true")}
                aria-busy={busy.then_some("true")}
                aria-describedby={busy.then(|| props.popover_id.clone())}
                title={props.error.as_ref().map(|m| [labels.misconfigured, ": ", m].concat())}
                data-error={props.error.clone()}
                onclick={onclick}
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
                    placement: local.placement,
                    node: pop.clone(),
                    stalled_secs: v.stalled_secs,
                    oncancel,
                }) }
            }
            if let Some(Download { url, filename }) = panel {
                { in_app_panel(InAppPanelProps {
                    url: url.map(AttrValue::from),
                    filename: filename.into(),
                    labels: labels.clone(),
                    placement: local.placement,
                    node: pop,
                    copied: local.copied,
                    oncopied: onchange.reform(Change::Copied),
                    onclose: onchange.reform(|()| Change::Close),
                }) }
            }
            if let Some(notice) = &props.notice {
                <span class="k12x-sr" role="status">{ notice.clone() }</span>
            }
            if let Some((url, filename)) = fallback {
                // On another origin browsers ignore `download` and follow the link: in a new tab,
                // never in place of the page.
                <a class="k12x-fallback" href={url} download={(!away).then_some(filename)}
                   target={away.then_some("_blank")} rel="noopener" title={labels.download_hint}>
                    { labels.download }
                </a>
            }
            if let Some(f) = &props.toast {
                { toast(&ToastProps {
                    title: match f { Ended::Failed(_) => labels.failed, Ended::Cancelled(_) => labels.cancelled_by_server }.into(),
                    detail: AttrValue::from(match f { Ended::Failed(f) => labels.reason(f), Ended::Cancelled(c) => labels.cancel_reason(c) }),
                    close_label: labels.close.into(),
                    ondismiss: props.ondismiss.clone(),
                }) }
            }
        </span>
    }
}
