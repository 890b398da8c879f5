//! `use_exporter`: one export runner (the `$export` cache) per mounted button.

use k12_export_core::json::Json;
use k12_export_core::{Event, Input, Machine, OptionsError, View};
use yew::prelude::*;

use crate::driver::seed;
use crate::hooks::use_runner::{use_runner, TransportRef, Update};
use crate::options::Options;
use crate::waiting::WaitOptions;

/// What an exporter is built from; a change rebuilds it (stopping a running export).
#[derive(Clone, Debug, PartialEq)]
pub struct ExportInputs {
    /// Backend options.
    pub options: Options,
    /// Export data.
    pub data: Json,
    /// Filename template (empty: from the options).
    pub filename: AttrValue,
}

/// What [`use_exporter`] gives back.
#[derive(Clone)]
pub struct ExporterHandle {
    /// Starts an export (ignored while one runs or when the options are invalid).
    pub start: Callback<()>,
    /// Why the options cannot be used, if they cannot.
    pub error: Option<OptionsError>,
    /// Stops the running export at once (nothing is downloaded later).
    pub cancel: Callback<()>,
}

fn build(i: &ExportInputs) -> Result<Machine, OptionsError> {
    let o = i.options.resolve(&i.data, &i.filename)?;
    let wait = WaitOptions::from_page(i.options.json())?;
    let mut settings = o.settings;
    settings.retry.seed = seed();
    settings.hold_downloads = wait.in_app;
    Ok(Machine::new(o.adapter, settings, o.filename))
}

/// Keeps an export runner for `inputs` alive while the component is mounted.
#[hook]
pub fn use_exporter(
    inputs: ExportInputs,
    transport: Option<TransportRef>,
    on_update: Callback<Update<View, Event>>,
) -> ExporterHandle {
    let handle = use_runner(inputs, transport, build, on_update);
    let send = handle.send;
    let stop = send.clone();
    ExporterHandle {
        start: Callback::from(move |()| send.emit(Input::Start)),
        error: handle.error,
        cancel: Callback::from(move |()| stop.emit(Input::Cancel)),
    }
}
