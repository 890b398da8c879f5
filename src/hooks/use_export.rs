//! `use_export`: one export driver per mounted button, sharing its job with the other tabs of the
//! site that would start the same one ([`Share`]).

use std::cell::RefCell;
use std::rc::Rc;

use k12_export_core::json::Json;
use k12_export_core::{Event, Input, Machine, OptionsError, View};
use yew::prelude::*;

use crate::driver::seed;
use crate::driver::share::{Share, Show};
use crate::hooks::use_driver::{use_driver, TransportRef, Update};
use crate::hooks::use_effect_on::use_unmount;
use crate::options::Options;
use crate::options::PageOptions;

/// What an export driver is built from; a change rebuilds it (stopping a running export).
#[derive(Clone, Debug, PartialEq)]
pub struct ExportInputs {
    /// Backend options.
    pub options: Options,
    /// Export data.
    pub data: Json,
    /// Filename template (empty: from the options).
    pub filename: AttrValue,
}

/// What [`use_export`] gives back.
#[derive(Clone)]
pub struct ExportHandle {
    /// Starts an export (ignored while one runs or when the options are invalid).
    pub start: Callback<()>,
    /// Why the options cannot be used, if they cannot.
    pub error: Option<OptionsError>,
    /// Stops the running export at once (nothing is downloaded later).
    pub cancel: Callback<()>,
}

fn build(i: &ExportInputs) -> Result<Machine, OptionsError> {
    i.options.shared()?;
    let o = i.options.resolve(&i.data, &i.filename)?;
    let page = PageOptions::from_page(i.options.json())?;
    let mut settings = o.settings;
    settings.retry.seed = seed();
    settings.hold_downloads = page.in_app;
    settings.base = crate::driver::page_base();
    Ok(Machine::new(o.adapter, settings, o.filename))
}

/// The share and what it was built from.
struct ShareSlot {
    built_from: Option<ExportInputs>,
    share: Option<Share>,
}

/// Keeps an export driver for `inputs` alive while the component is mounted.
///
/// With the default transport, a job that other tabs may share (see [`Share`]) is shared: a click
/// leads it or follows the tab that runs it, and what a following button shows comes from that
/// tab. A transport of the host's own (tests, custom plumbing) is not shared.
#[hook]
pub fn use_export(
    inputs: ExportInputs,
    transport: Option<TransportRef>,
    on_update: Callback<Update<View, Event>>,
) -> ExportHandle {
    let latest = use_mut_ref(|| on_update.clone());
    *latest.borrow_mut() = on_update.clone();
    let slot: Rc<RefCell<ShareSlot>> = use_mut_ref(|| ShareSlot { built_from: None, share: None });
    // What this tab's machine does goes through the share when there is one: it decides what
    // the button shows (its own export, or the one another tab runs).
    let observed = {
        let slot = slot.clone();
        Callback::from(move |u: Update<View, Event>| match slot.borrow().share.as_ref() {
            Some(share) => share.observe(&u.view, &u.events),
            None => on_update.emit(u),
        })
    };
    let sharing = transport.is_none();
    let handle = use_driver(inputs.clone(), transport, build, observed);
    let stale = slot.borrow().built_from.as_ref() != Some(&inputs);
    if stale {
        let old = slot.borrow_mut().share.take();
        drop(old); // lets the lock go: another tab takes the job over
        let key = sharing.then(|| inputs.options.share_key(&inputs.data, &inputs.filename)).flatten();
        let setup = inputs.options.resolve(&inputs.data, &inputs.filename).ok();
        let fresh = key.zip(setup).and_then(|(key, setup)| {
            let idle = View { filename: setup.filename, ..View::default() };
            let latest = latest.clone();
            let show: Show = Rc::new(move |view, events| {
                let cb = latest.borrow().clone();
                cb.emit(Update { view, events });
            });
            let (send, stop) = (handle.send.clone(), handle.send.clone());
            Share::new(
                key,
                idle,
                setup.settings.deadline_ms,
                show,
                Rc::new(move || send.emit(Input::Start)),
                Rc::new(move || stop.emit(Input::Cancel)),
            )
        });
        let mut s = slot.borrow_mut();
        s.built_from = Some(inputs);
        s.share = fresh;
    }
    {
        let slot = slot.clone();
        use_unmount(Box::new(move || {
            let old = slot.borrow_mut().share.take();
            drop(old); // unmounted: out of the shared job
        }));
    }
    let send = handle.send;
    let slot_cancel = slot.clone();
    let stop = send.clone();
    let start = Callback::from(move |()| match slot.borrow().share.as_ref() {
        Some(share) => share.click(),
        None => send.emit(Input::Start),
    });
    // One job, so one cancel: the share stops it here and in the other tabs.
    let cancel = Callback::from(move |()| match slot_cancel.borrow().share.as_ref() {
        Some(share) => share.cancel(),
        None => stop.emit(Input::Cancel),
    });
    ExportHandle { start, error: handle.error, cancel }
}
