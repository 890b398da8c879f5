//! The browser tests of what the K12 runtime serves (the button, cancel and stalled progress, live
//! exports, numbers, the page options, one export across tabs), as one test binary:
//! scripts/ship-test.sh builds it as the embeddable bundle is built and optimised, where each
//! binary costs a minute of wasm-opt. Not run by a plain `cargo test` (`test = false` in
//! Cargo.toml): there each file is a binary of its own.
#![cfg(target_arch = "wasm32")]
// Each file declares the helpers (`mod common`) as it does in a binary of its own.
#![allow(missing_docs, clippy::duplicate_mod)]

#[path = "button.rs"]
mod button;
#[path = "cancel.rs"]
mod cancel;
#[path = "live.rs"]
mod live;
#[path = "numbers.rs"]
mod numbers;
#[path = "page_options.rs"]
mod page_options;
#[path = "share.rs"]
mod share;
