//! The hooks the components are made of: [`use_driver`] (one sans-IO machine per mounted
//! component) and what is built on it, [`use_export`] (a button's export) and `use_history` (a
//! history panel's list); [`use_hidden_tab`] (an export seen from another tab); [`use_effect_on`]
//! (effects under one key type, for size).

pub mod use_driver;
pub mod use_effect_on;
pub mod use_export;
pub mod use_hidden_tab;
#[cfg(feature = "backends")]
pub mod use_history;
