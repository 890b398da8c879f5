//! `use_driver`: owns one [`Driver`] for a component — built from the component's inputs,
//! rebuilt when they change, dropped (stopping everything) when the component unmounts.

use std::cell::RefCell;
use std::rc::Rc;

use k12_export_core::{OptionsError, SansIo};
use yew::prelude::*;

use crate::driver::{Driver, FetchTransport, Observer, Transport};
use crate::hooks::use_effect_on::use_unmount;

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
pub struct Update<V, E> {
    /// What to show.
    pub view: V,
    /// What happened since the last update.
    pub events: Vec<E>,
}

/// What [`use_driver`] gives back.
pub struct DriverHandle<M: SansIo + 'static> {
    /// Feeds an input to the running machine (ignored when the inputs are invalid).
    pub send: Callback<M::Input>,
    /// Why the inputs cannot be used, if they cannot.
    pub error: Option<OptionsError>,
}

/// The driver and what it was built from.
struct Slot<M: SansIo + 'static, K> {
    built_from: Option<(K, Option<TransportRef>)>,
    driver: Option<Driver<M>>,
    /// Why `build` refused the inputs, if it did.
    error: Option<OptionsError>,
}

/// Keeps a [`Driver`] built by `build(&inputs)` alive while the component is mounted; every change
/// is sent to `on_update` (always the latest callback, so props may change freely).
///
/// The driver is built during the render that first needs it (and again when the inputs change),
/// not in an effect: an effect runs only after the browser may already have shown the button, and
/// a click in between would find nobody to start the export.
#[hook]
pub fn use_driver<M, K>(
    inputs: K,
    transport: Option<TransportRef>,
    build: fn(&K) -> Result<M, OptionsError>,
    on_update: Callback<Update<M::View, M::Event>>,
) -> DriverHandle<M>
where
    M: SansIo + 'static,
    K: PartialEq + Clone + 'static,
{
    let latest = use_mut_ref(|| on_update.clone());
    *latest.borrow_mut() = on_update;
    let slot: Rc<RefCell<Slot<M, K>>> = use_mut_ref(|| Slot { built_from: None, driver: None, error: None });
    let key = (inputs, transport);
    let stale = slot.borrow().built_from.as_ref() != Some(&key);
    if stale {
        let built = build(&key.0);
        let error = built.as_ref().err().cloned();
        let fresh = built.ok().map(|machine| {
            let latest = latest.clone();
            let observer: Observer<M> = Rc::new(move |view: &M::View, events: &[M::Event]| {
                let cb = latest.borrow().clone();
                cb.emit(Update { view: view.clone(), events: events.to_vec() });
            });
            let transport =
                key.1.as_ref().map_or_else(|| Rc::new(FetchTransport) as Rc<dyn Transport>, |t| t.0.clone());
            Driver::with_machine(machine, transport, observer)
        });
        let old = {
            let mut s = slot.borrow_mut();
            s.built_from = Some(key);
            s.error = error;
            std::mem::replace(&mut s.driver, fresh)
        };
        drop(old); // stops the previous one: timer cleared, requests aborted, listeners removed
    }
    {
        let slot = slot.clone();
        use_unmount(Box::new(move || {
            let old = slot.borrow_mut().driver.take();
            drop(old); // unmounted: stop everything
        }));
    }
    let error = slot.borrow().error.clone();
    let send = Callback::from(move |input: M::Input| {
        let s = slot.borrow();
        if let Some(r) = s.driver.as_ref() {
            r.input(input);
        }
    });
    DriverHandle { send, error }
}
