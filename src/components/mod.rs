//! The widget's Yew components: they render the core's `View` and nothing else.
pub mod button;
pub mod export_button_view;
#[cfg(feature = "backends")]
pub mod export_history;
pub mod in_app_panel;
pub mod progress_bar;
pub mod progress_popover;
pub mod toast;

pub use button::{AsyncExportButton, AsyncExportButtonProps};
pub use export_button_view::{Ended, ExportButtonView, ExportButtonViewProps};
#[cfg(feature = "backends")]
pub use export_history::{ExportHistory, ExportHistoryProps};
pub use progress_bar::progress_bar;
pub use progress_popover::{Placement, ProgressPopover, ProgressPopoverProps};
pub use toast::{Toast, ToastProps};

/// A fresh element id: `{prefix}-{n}`, where `n` comes from one counter per page, shared by every
/// copy of the widget's runtime that the page loaded (so two runtimes never hand out the same id).
pub fn unique_id(prefix: &str) -> String {
    let key = wasm_bindgen::JsValue::from_str("__k12xIds");
    let global = js_sys::global();
    // As an integer: formatting a float would pull float printing into the wasm.
    let n = js_sys::Reflect::get(&global, &key).ok().and_then(|v| v.as_f64()).map_or(0, |v| v as u32).wrapping_add(1);
    let _ = js_sys::Reflect::set(&global, &key, &n.into());
    [prefix, "-", &k12_export_core::small_std::uint(n.into())].concat()
}
