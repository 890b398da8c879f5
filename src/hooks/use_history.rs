//! `use_history`: one history driver per mounted panel; it loads at once.

use k12_export_core::history::{HistoryInput, HistoryMachine, HistoryView};
use k12_export_core::OptionsError;
use yew::prelude::*;

use crate::driver::seed;
use crate::hooks::use_driver::{use_driver, TransportRef, Update};
use crate::options::{Options, WIDGET_KEYS};

/// What [`use_history`] gives back.
#[derive(Clone)]
pub struct HistoryHandle {
    /// Loads the list again.
    pub refresh: Callback<()>,
    /// Re-downloads the item with this id.
    pub download: Callback<String>,
    /// Why the options cannot be used, if they cannot.
    pub error: Option<OptionsError>,
}

fn build(options: &Options) -> Result<HistoryMachine, OptionsError> {
    HistoryMachine::from_options_with(options.json(), WIDGET_KEYS, seed())
}

/// Keeps a history driver for `options` alive while the component is mounted, loading the list
/// when it starts and whenever `refresh_key` changes.
#[hook]
pub fn use_history(
    options: Options,
    refresh_key: u32,
    transport: Option<TransportRef>,
    on_update: Callback<Update<HistoryView, std::convert::Infallible>>,
) -> HistoryHandle {
    let handle = use_driver(options.clone(), transport.clone(), build, on_update);
    {
        let send = handle.send.clone();
        // The first load, a load after the options change, and one per refresh_key bump.
        use_effect_with((options, transport, refresh_key), move |_| send.emit(HistoryInput::Refresh));
    }
    let send = handle.send.clone();
    let refresh = Callback::from(move |()| send.emit(HistoryInput::Refresh));
    let send = handle.send;
    let download = Callback::from(move |item: String| send.emit(HistoryInput::Download { item }));
    HistoryHandle { refresh, download, error: handle.error }
}
