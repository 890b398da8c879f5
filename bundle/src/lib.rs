//! The embeddable bundle's runtimes: the [`k12_export`] library as pages load it, compiled for
//! size on patched crates (see `Cargo.toml`). Its wasm-bindgen exports (`mount`, `mountHistory`,
//! …) are the library's.

pub use k12_export;

/// Test-only (feature `crash-test`): panics, as a bug in the widget would, at once (`after_ms` 0,
/// in the caller) or in a wake-up of the page's clock `after_ms` later (where the runtime's
/// timers run). In the bundle a panic aborts at once: a `WebAssembly.RuntimeError` trap.
#[cfg(feature = "crash-test")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn crash(after_ms: u32) {
    if after_ms == 0 {
        panic!("crash-test");
    }
    let at = k12_export::driver::now_ms() + f64::from(after_ms);
    // Kept: dropping a wake-up forgets it.
    std::mem::forget(k12_export::driver::page::Wake::at(at, || panic!("crash-test")));
}
