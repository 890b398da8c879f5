//! `use_effect_on`: Yew's `use_effect_with` for effects given as boxed closures under one key
//! type, so that every use shares one instance of Yew's effect machinery (each distinct closure
//! type would otherwise bring its own, about 1 KB of wasm).

use yew::prelude::*;

/// What an effect depends on (a number, a flag, a text: whichever its use needs): the effect runs
/// after the first render and again after every render where this changed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EffectKey(pub u32, pub bool, pub Option<AttrValue>);

/// An effect: runs, and returns its cleanup (run before the effect runs again, and on unmount).
pub type Effect = Box<dyn FnOnce() -> Cleanup>;

/// An effect's cleanup.
pub type Cleanup = Box<dyn FnOnce()>;

/// Runs `effect` after the render whenever `key` changed since the last run.
#[hook]
pub fn use_effect_on(key: EffectKey, effect: Effect) {
    use_effect_with(key, move |_| effect());
}

/// Runs `cleanup` when the component is unmounted (through the same effect machinery).
#[hook]
pub fn use_unmount(cleanup: Cleanup) {
    use_effect_on(EffectKey::default(), Box::new(move || cleanup));
}
