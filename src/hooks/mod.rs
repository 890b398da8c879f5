//! Hooks.
pub mod use_exporter;
pub mod use_runner;
