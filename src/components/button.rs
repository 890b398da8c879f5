//! `AsyncExportButton`: the widget's "导出" button — click to export, grey and busy while it runs,
//! progress on hover, focus or a tap on the busy button, automatic download, a toast when it fails.

use std::rc::Rc;

use k12_export_core::json::Json;
use k12_export_core::{Cancellation, Download, Event, Failure, Status, View};
use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::components::export_button_view::{
    use_export_button_view, Change, Ended, ExportButtonViewProps, Local, Refs,
};
use crate::components::progress_popover::close_on;
use crate::driver::page::Wake;
use crate::hooks::use_driver::{TransportRef, Update};
use crate::hooks::use_effect_on::{use_effect_on, EffectKey};
use crate::hooks::use_export::{use_export, ExportInputs};
use crate::hooks::use_hidden_tab::use_hidden_tab;
use crate::labels::Labels;
use crate::options::Options;
use crate::options::PageOptions;

/// How long the failure toast stays.
pub const TOAST_MS: u32 = 5_000;

/// Props of [`AsyncExportButton`].
#[derive(Properties, PartialEq, Clone)]
pub struct AsyncExportButtonProps {
    /// Backend options: `protocol` plus its fields; for K12 the seed's cache `config` map
    /// (see [`Options::k12`]).
    pub options: Options,
    /// The export data: path parameters such as `termId`, the rest goes in the query (GET) or body.
    #[prop_or(Json::Null)]
    pub data: Json,
    /// Filename template, e.g. `"K12作业统计-{termName}"` (`{key}` filled from `data`); shown until
    /// the server names the file.
    #[prop_or_default]
    pub filename: AttrValue,
    /// Button text; default from `labels` ("导出").
    #[prop_or_default]
    pub label: Option<AttrValue>,
    /// Texts (zh-CN by default, [`Labels::en`] provided).
    #[prop_or_default]
    pub labels: Rc<Labels>,
    /// Disables the button (it stays focusable, as `aria-disabled`).
    #[prop_or_default]
    pub disabled: bool,
    /// Changing it to a new value other than 0 starts an export as a click would (ignored while
    /// one runs, when disabled or misconfigured): a start requested by script, or a click that
    /// came before the widget was ready.
    #[prop_or_default]
    pub start_key: u32,
    /// An export began.
    #[prop_or_default]
    pub onstart: Callback<()>,
    /// The percent changed (`None`: indeterminate).
    #[prop_or_default]
    pub onprogress: Callback<Option<u8>>,
    /// The file is being downloaded.
    #[prop_or_default]
    pub ondone: Callback<Download>,
    /// The export failed.
    #[prop_or_default]
    pub onerror: Callback<Failure>,
    /// Sends requests (default: `fetch`); tests script their own.
    #[prop_or_default]
    pub transport: Option<TransportRef>,
    /// The export was cancelled: by the user (`None`) or by the server (how).
    #[prop_or_default]
    pub oncancel: Callback<Option<Cancellation>>,
}

/// The button's UI state; the export itself lives in the core's [`View`].
#[derive(Clone, Debug, Default, PartialEq)]
struct Ui {
    view: View,
    hover: bool,
    focus: bool,
    /// The busy button was clicked or tapped: open until a press outside or Esc (touch screens
    /// have no hover, and Safari does not focus a tapped button).
    pinned: bool,
    /// Esc or a press outside closed the popover; it stays closed until the next hover, focus or
    /// click.
    dismissed: bool,
    toast: Option<Ended>,
    toast_seq: u32,
    /// The last `start_key` acted on.
    start_key: u32,
    /// What the view keeps: where the popover opens, the in-app panel's state.
    local: Local,
    /// The user cancelled the last export (said to screen readers).
    cancelled: bool,
}

enum Action {
    StartKey(u32),
    Sync(View),
    Toast(Ended),
    DismissToast(u32),
    Hover(bool),
    Focus(bool),
    /// The busy button was clicked.
    Pin,
    /// A pointer went down outside the button and its popover.
    Outside,
    Escape,
    /// The view's own state changed.
    Local(Change),
    /// The user cancelled the export.
    Cancelled,
}

impl Reducible for Ui {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::StartKey(key) => s.start_key = key,
            Action::Sync(view) => {
                if view.status == Status::Exporting && s.view.status != Status::Exporting {
                    s.toast = None; // a new export clears the last failure
                    s.cancelled = false;
                    s.local = Local::default(); // and a closed in-app panel shows again at its end
                }
                s.view = view;
            }
            Action::Toast(f) => {
                s.toast = Some(f);
                s.toast_seq += 1;
            }
            Action::DismissToast(seq) => {
                if seq == s.toast_seq {
                    s.toast = None;
                }
            }
            Action::Hover(on) => {
                s.hover = on;
                if on {
                    s.dismissed = false;
                }
            }
            Action::Focus(on) => {
                s.focus = on;
                if on {
                    s.dismissed = false;
                }
            }
            Action::Pin => {
                s.pinned = true;
                s.dismissed = false;
            }
            Action::Outside => {
                s.pinned = false;
                s.hover = false;
                s.dismissed = true;
            }
            Action::Escape => {
                s.pinned = false;
                s.dismissed = true;
            }
            Action::Local(c) => s.local = s.local.apply(c),
            Action::Cancelled => {
                s.cancelled = true;
                s.pinned = false;
            }
        }
        Rc::new(s)
    }
}

/// The async export button.
#[function_component]
pub fn AsyncExportButton(props: &AsyncExportButtonProps) -> Html {
    let ui = use_reducer_eq(Ui::default);
    // For the button's life, in one memo: the popover's id, the elements the view measures, the
    // button's part of the page title.
    let ids = use_memo((), |_| {
        (AttrValue::from(crate::components::unique_id("k12x-pop")), Refs::default(), crate::hidden_tab::new_tab())
    });
    let pop_id = &ids.0;

    let on_update = {
        let ui = ui.dispatcher();
        let p = props.clone();
        Callback::from(move |u: Update<View, Event>| {
            let by_server = u.view.cancellation.clone().filter(|_| u.view.status == Status::Cancelled);
            ui.dispatch(Action::Sync(u.view));
            for e in u.events {
                match e {
                    Event::Started => p.onstart.emit(()),
                    Event::Progress(pct) => p.onprogress.emit(pct),
                    Event::Done { url, filename } => p.ondone.emit(Download { url, filename }),
                    Event::Failed(f) => {
                        ui.dispatch(Action::Toast(Ended::Failed(f.clone())));
                        p.onerror.emit(f);
                    }
                    Event::Cancelled => {
                        match &by_server {
                            Some(c) => ui.dispatch(Action::Toast(Ended::Cancelled(c.clone()))),
                            None => ui.dispatch(Action::Cancelled),
                        }
                        p.oncancel.emit(by_server.clone());
                    }
                }
            }
        })
    };
    let inputs =
        ExportInputs { options: props.options.clone(), data: props.data.clone(), filename: props.filename.clone() };
    let export = use_export(inputs, props.transport.clone(), on_update);
    let page = PageOptions::from_page(props.options.json()).unwrap_or_default();
    let gesture = use_hidden_tab(&ids.2, &ui.view, page, props.labels.clone());

    // The toast leaves by itself after a while; a newer toast restarts the clock.
    {
        let dispatcher = ui.dispatcher();
        let seq = ui.toast_seq;
        let showing = ui.toast.is_some();
        use_effect_on(
            EffectKey(seq, showing, None),
            Box::new(move || {
                let at = crate::driver::now_ms() + f64::from(TOAST_MS);
                let timer = showing.then(|| Wake::at(at, move || dispatcher.dispatch(Action::DismissToast(seq))));
                Box::new(move || drop(timer))
            }),
        );
    }

    let busy = ui.view.status == Status::Exporting;
    let open = busy && (ui.hover || ui.focus || ui.pinned) && !ui.dismissed;

    // Esc closes the popover even when only the pointer is on it (WCAG 1.4.13), and a press
    // anywhere else closes it: on a touch screen there is no pointer leaving (`popover.js`).
    {
        let dispatcher = ui.dispatcher();
        let pop_id = pop_id.clone();
        use_effect_on(
            EffectKey(0, open, None),
            Box::new(move || {
                let watch = open.then(|| {
                    let close: Closure<dyn Fn(u32)> = Closure::new(move |how| {
                        dispatcher.dispatch(if how == 1 { Action::Escape } else { Action::Outside });
                    });
                    let stop = close_on(&pop_id, &close);
                    (close, stop)
                });
                Box::new(move || {
                    if let Some((close, stop)) = watch {
                        let _ = stop.call0(&JsValue::NULL);
                        drop(close);
                    }
                })
            }),
        );
    }

    let misconfigured = export.error.as_ref().map(|e| e.message());
    {
        let message = misconfigured.clone().map(AttrValue::from);
        use_effect_on(
            EffectKey(0, false, message.clone()),
            Box::new(move || {
                if let Some(m) = message {
                    web_sys::console::error_1(&["k12-export: ", m.as_str()].concat().into());
                }
                Box::new(|| ())
            }),
        );
    }
    let inert = busy || props.disabled || misconfigured.is_some();

    let onclick = {
        let start = export.start.clone();
        let d = ui.dispatcher();
        Callback::from(move |()| {
            if !inert {
                gesture.emit(()); // the notification permission is asked from this click only
                start.emit(());
            } else if busy {
                d.dispatch(Action::Pin);
            }
        })
    };
    // A start requested through the props is acted on once, in the render that sees it (the
    // driver exists from this render on), as a click would be.
    if props.start_key != 0 && props.start_key != ui.start_key {
        ui.dispatch(Action::StartKey(props.start_key));
        onclick.emit(());
    }
    let onhover = {
        let d = ui.dispatcher();
        Callback::from(move |on| d.dispatch(Action::Hover(on)))
    };
    let onfocus = {
        let d = ui.dispatcher();
        Callback::from(move |on| d.dispatch(Action::Focus(on)))
    };
    let ondismiss = {
        let d = ui.dispatcher();
        let seq = ui.toast_seq;
        Callback::from(move |()| d.dispatch(Action::DismissToast(seq)))
    };
    let onchange = {
        let d = ui.dispatcher();
        Callback::from(move |c| d.dispatch(Action::Local(c)))
    };
    let label = props.label.clone().unwrap_or(AttrValue::Static(props.labels.export));

    let view = ExportButtonViewProps {
        view: ui.view.clone(),
        label,
        labels: props.labels.clone(),
        popover_open: open,
        popover_id: (*pop_id).clone(),
        inert,
        error: misconfigured.map(AttrValue::from),
        toast: ui.toast.clone(),
        onclick,
        onhover,
        onfocus,
        ondismiss,
        oncancel: busy.then(|| export.cancel.clone()),
        in_app: page.in_app,
        notice: ui.cancelled.then_some(AttrValue::Static(props.labels.cancelled)),
    };
    use_export_button_view(&view, &ids.1, ui.local, onchange)
}
