//! The browser tests of what the K12 runtime serves (the button, live exports, one export across
//! tabs, waiting and cancel, numbers), as one test binary: scripts/ship-test.sh builds it as the
//! embeddable bundle is built and optimised, where each binary costs a minute of wasm-opt. Not run
//! by a plain `cargo test` (`test = false` in Cargo.toml): there each file is a binary of its own.
#![cfg(target_arch = "wasm32")]
// Each file declares the helpers (`mod common`) as it does in a binary of its own.
#![allow(missing_docs, clippy::duplicate_mod)]

#[path = "button.rs"]
mod button;
#[path = "live.rs"]
mod live;
#[path = "numbers.rs"]
mod numbers;
#[path = "share.rs"]
mod share;
#[path = "waiting.rs"]
mod waiting;
