//! Hooks.
pub mod use_exporter;
