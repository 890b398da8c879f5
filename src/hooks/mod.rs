//! Hooks.
pub mod use_exporter;
pub mod use_history;
pub mod use_runner;
