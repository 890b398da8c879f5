//! `use_exporter`: owns one [`Exporter`] for a component, rebuilt when its options change and
//! dropped — stopping any export — when the component unmounts.

use std::cell::RefCell;
use std::rc::Rc;

use k12_export_core::json::Json;
use k12_export_core::{Event, Machine, OptionsError, View};
use yew::prelude::*;

use crate::driver::{Exporter, FetchTransport, Observer, Transport};
use crate::spec::Options;

/// A transport for a component prop: compared by identity.
#[derive(Clone)]
pub struct TransportRef(pub Rc<dyn Transport>);

impl PartialEq for TransportRef {
    fn eq(&self, other: &TransportRef) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for TransportRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TransportRef")
    }
}

/// One change: the view to render and what happened.
#[derive(Clone, Debug, PartialEq)]
pub struct Update {
    /// What to show.
    pub view: View,
    /// What happened since the last update.
    pub events: Vec<Event>,
}

/// What [`use_exporter`] gives back.
#[derive(Clone)]
pub struct ExporterHandle {
    /// Starts an export (ignored while one runs or when the options are invalid).
    pub start: Callback<()>,
    /// Why the options cannot be used, if they cannot.
    pub error: Option<OptionsError>,
}

/// What an exporter is built from; a change rebuilds it (stopping a running export).
#[derive(Clone, Debug, PartialEq)]
pub struct ExportInputs {
    /// Backend options.
    pub options: Options,
    /// Export data.
    pub data: Json,
    /// Filename template (empty: from the options).
    pub filename: AttrValue,
    /// Transport (default: fetch).
    pub transport: Option<TransportRef>,
}

/// Keeps an [`Exporter`] for `inputs` alive while the component is mounted; every change is
/// sent to `on_update` (always the latest callback, so props may change freely).
#[hook]
pub fn use_exporter(inputs: ExportInputs, on_update: Callback<Update>) -> ExporterHandle {
    let latest = use_mut_ref(|| on_update.clone());
    *latest.borrow_mut() = on_update;
    let exporter: Rc<RefCell<Option<Exporter>>> = use_mut_ref(|| None);
    let error = use_memo(inputs.clone(), |i| i.options.resolve(&i.data, &i.filename).err());
    {
        let exporter = exporter.clone();
        use_effect_with(inputs, move |inputs| {
            if let Ok(o) = inputs.options.resolve(&inputs.data, &inputs.filename) {
                let transport = inputs.transport.clone();
                let observer: Observer<Machine> = Rc::new(move |view: &View, events: &[Event]| {
                    let cb = latest.borrow().clone();
                    cb.emit(Update { view: view.clone(), events: events.to_vec() });
                });
                let transport =
                    transport.as_ref().map_or_else(|| Rc::new(FetchTransport) as Rc<dyn Transport>, |t| t.0.clone());
                let fresh = Exporter::new(o, transport, observer);
                let old = exporter.borrow_mut().replace(fresh);
                drop(old);
            }
            move || {
                let old = exporter.borrow_mut().take();
                drop(old); // stops the export: timer cleared, requests aborted, listeners removed
            }
        });
    }
    let start = {
        let exporter = exporter.clone();
        Callback::from(move |()| {
            let e = exporter.borrow();
            if let Some(e) = e.as_ref() {
                e.start();
            }
        })
    };
    ExporterHandle { start, error: (*error).clone() }
}
