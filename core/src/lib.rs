//! The pure export protocol behind the async export button: no I/O, no clock, no web APIs.
//!
//! The [`Machine`] is a sans-IO state machine ([`SansIo`]: `handle(input, now_ms)`,
//! `poll_command()`, `poll_timeout()`, `poll_event()`, `view()`) that runs one export at a time:
//! start the job, poll its progress, fetch the file's URL, hand it over, or fail with a reason.
//! The [`HistoryMachine`] lists a backend's recent exports the same way.
//!
//! Compiles for any target; the browser driver and the mock backend both build on it.
//!
//! # Cargo features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `backends` | yes | the four backends after K12 ([`backends`]: `"export-service"`, `"xlink"`, `"minapp"`, `"asset"`) and the history machine ([`history`]). Without it [`backends::PROTOCOLS`] holds K12 alone: any other `protocol` is refused (`options.protocol 'xlink' is not a supported protocol (supported: k12)`), and so are the history panel's option fields, `historyLimit` and `historyRefreshMs`, where an options object is read with [`history::OPTION_KEYS`] among its allowed keys. About 35 KB gzip of the widget's wasm. |
//! | `serde` | no | `serde` derives for the wire types, for servers and tests (the mock backend) |
//!
//! # Layers
//!
//! Each module imports only from the layers below it:
//!
//! ```text
//!  share                   one export across tabs: the share key, views as JSON
//!       │
//!  machine, history        the two machines (and sansio, the interface they share)
//!       │
//!  options                 the host page's options: fields every protocol shares
//!       │
//!  backends                the registry (the one table of protocols) and one folder per backend:
//!       │                  k12, export_service, xlink, minapp, asset
//!  seam                    what a backend implements (Adapter, HistorySource), builder types,
//!       │                  option-field and answer-reading helpers
//!  codec, http, error,     the vocabulary: JSON, lenient JSON, CSV, times; requests and outcomes;
//!  retry, poll, small_std  failures; the one retry policy; polling pace; small stand-ins for std
//!                          helpers that would bring large code into the wasm
//! ```

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod backends;
pub mod codec;
pub mod error;
#[cfg(feature = "backends")]
pub mod history;
pub mod http;
pub mod machine;
pub mod options;
pub mod poll;
pub mod retry;
pub mod sansio;
pub mod seam;
pub mod share;
pub mod small_std;

/// The JSON codec, which every layer and every user of the core speaks (also at
/// [`codec::json`]).
pub use codec::json;
pub use error::{Cancellation, FailKind, Failure, OptionsError};
#[cfg(feature = "backends")]
pub use history::{HistoryInput, HistoryMachine, HistoryView};
pub use http::{HttpOutcome, HttpRequest, Method};
pub use machine::{Download, Event, ExportSetup, Input, Machine, Settings, Stage, Status, View, STALL_AFTER_MS};
pub use poll::PollPolicy;
pub use retry::RetryPolicy;
pub use sansio::{Command, RequestId, SansIo};
pub use seam::{Adapter, HistoryItem, JobState, Reply, Step};
