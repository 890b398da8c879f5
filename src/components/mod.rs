//! The widget's Yew components: they render the core's `View` and nothing else.
pub mod button;
pub mod export_button_view;
#[cfg(feature = "backends")]
pub mod export_history;
pub mod progress_popover;
pub mod toast;

pub use button::{AsyncExportButton, AsyncExportButtonProps};
pub use export_button_view::{ExportButtonView, ExportButtonViewProps, Placement};
#[cfg(feature = "backends")]
pub use export_history::{ExportHistory, ExportHistoryProps};
pub use progress_popover::{ProgressPopover, ProgressPopoverProps};
pub use toast::{Toast, ToastProps};
