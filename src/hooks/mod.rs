//! Hooks.

pub mod use_background_tab;
pub mod use_driver;
pub mod use_effect_on;
pub mod use_export;
#[cfg(feature = "backends")]
pub mod use_history;
