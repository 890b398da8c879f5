//! The pure export protocol behind the async export button: no I/O, no clock, no web APIs.
//!
//! The [`Machine`] is a sans-IO state machine — `handle(input, now_ms)`, `poll_command()`,
//! `poll_timeout()`, `poll_event()`, `view()` — that runs one export at a time: start the job,
//! poll its progress, fetch the file's URL, hand it over, or fail with a reason. Each backend's
//! wire format is an [`Adapter`]; [`options`] turns a host page's JSON options into one.
//!
//! Compiles for any target; the browser driver and the mock backend both build on it.

pub mod adapter;
#[cfg(feature = "backends")]
pub mod adapters;
pub mod config;
pub mod error;
#[cfg(feature = "backends")]
pub mod history;
pub mod http;
pub mod json;
pub mod k12;
pub mod machine;
pub mod options;
pub mod policy;

pub use adapter::{Adapter, Reply, Step};
pub use error::{FailKind, Failure, OptionsError};
#[cfg(feature = "backends")]
pub use history::{HistoryInput, HistoryItem, HistoryMachine, HistoryView, JobState};
pub use http::{HttpOutcome, HttpRequest, Method};
pub use machine::{Command, Download, Event, Input, Machine, RequestId, Settings, Stage, Status, View};
pub use options::ExportOptions;
pub use policy::PollPolicy;
