//! The embeddable bundle's runtimes: the [`k12_export`] library as pages load it, compiled for
//! size on patched crates (see `Cargo.toml`). Its wasm-bindgen exports (`mount`, `mountHistory`,
//! …) are the library's.

pub use k12_export;

/// Test-only (feature `crash-test`): panics, at once (`after_ms` 0, in the caller) or in a timer
/// callback `after_ms` later, as a bug in the widget would. In the bundle a panic aborts at once:
/// a `WebAssembly.RuntimeError` trap.
#[cfg(feature = "crash-test")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn crash(after_ms: u32) {
    if after_ms == 0 {
        panic!("crash-test");
    }
    gloo_timers::callback::Timeout::new(after_ms, || panic!("crash-test")).forget();
}
