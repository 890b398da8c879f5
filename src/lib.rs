//! An async export button for the web, in Rust and WebAssembly with Yew.
//!
//! Click "导出" and the button starts the export job, polls its progress (grey and busy
//! meanwhile, with filename, progress bar and percent on hover or focus), downloads the file when
//! it is ready, and shows a "导出失败" toast when anything goes wrong. Leaving the page or
//! unmounting the button stops the export at once.
//!
//! - [`k12_export_core`] (re-exported as [`core`]): the pure protocol machine and its adapters;
//! - [`driver`]: the `$export` cache that runs the machine with `fetch` and timers;
//! - [`components`]: [`AsyncExportButton`] and its parts;
//! - [`embed`]: `mount()` and the `<k12-export-button>` element for plain pages;
//! - [`options`]: the options a host gives a button or a history panel.

pub use k12_export_core as core;

pub mod components;
pub mod driver;
pub mod embed;
pub mod hooks;
pub mod labels;
pub mod options;
#[cfg(test)]
mod seam;
pub mod waiting;

pub use components::{AsyncExportButton, AsyncExportButtonProps};
pub use driver::{Exporter, FetchTransport, Transport};
pub use hooks::use_runner::TransportRef;
pub use labels::Labels;
pub use options::Options;

/// The embeddable bundle's allocator (feature `small-alloc`, wasm32 only).
#[cfg(all(feature = "small-alloc", target_arch = "wasm32"))]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());
