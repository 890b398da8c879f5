//! The async export button.
pub use k12_export_core as core;
