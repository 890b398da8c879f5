//! Hooks.
pub mod use_effect_on;
pub mod use_exporter;
#[cfg(feature = "backends")]
pub mod use_history;
pub mod use_runner;
