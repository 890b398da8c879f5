//! The codecs: the small texts the core reads and writes.
//!
//! - [`json`]: strict JSON, the language of every backend and of the host page's options (read by
//!   the JS engine in the browser, by serde_json elsewhere);
//! - [`lenient`]: almost-JSON, for a backend whose documented answers have bare words and
//!   trailing commas;
//! - [`csv`]: a CSV file built in the browser from records;
//! - [`time`]: the backends' creation times, into epoch milliseconds.

pub mod csv;
pub mod json;
pub mod lenient;
pub mod time;
