//! Errors: bad options from a host page, and why an export failed; and the server's cancellation
//! of a job, which is not a failure but an outcome of its own.
//!
//! Their texts are built by `message()` from pieces, and `Display` writes that text: a derived
//! (`thiserror`) or `write!`-based `Display` would bring Rust's formatting machinery into the
//! wasm, which calls `message()` instead.

use crate::small_std;
use std::fmt;

/// Options that cannot be used, naming the field: `options.config['x'].url must be a non-empty string`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionsError {
    /// The field, as a path a developer can find (`options.data.termId`).
    pub field: String,
    /// What is wrong with it.
    pub what: String,
}

impl OptionsError {
    /// An error about `field`.
    pub fn new(field: &str, what: &str) -> OptionsError {
        OptionsError { field: field.to_owned(), what: what.to_owned() }
    }

    /// An error about the top-level option `name` (field `options.{name}`).
    pub fn option(name: &str, what: &str) -> OptionsError {
        let mut field = String::with_capacity(8 + name.len());
        field.push_str("options.");
        field.push_str(name);
        OptionsError { field, what: what.to_owned() }
    }

    /// `{field} {what}`, the text of `Display`, built without `core::fmt` (which the wasm does
    /// not carry).
    pub fn message(&self) -> String {
        [self.field.as_str(), " ", &self.what].concat()
    }
}

impl fmt::Display for OptionsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for OptionsError {}

/// The kind of failure, for choosing a message and for tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailKind {
    /// The server answered with an error of its own (`code != 0`, `status: 3`, …).
    Server,
    /// An HTTP status that retrying cannot fix (4xx), or 5xx after every retry.
    Http,
    /// No answer after every retry (network, CORS, request timeout).
    Network,
    /// Answers that were not the expected JSON, after every retry.
    BadResponse,
    /// The download URL was not `http:`/`https:`.
    UnsafeUrl,
    /// The export did not finish within the deadline.
    TimedOut,
    /// The server refused the job (e.g. too many exports within a minute); not retried.
    Rejected,
}

impl FailKind {
    /// Every kind, in declaration order (their order in a view sent to another tab).
    pub const ALL: [FailKind; 7] = [
        FailKind::Server,
        FailKind::Http,
        FailKind::Network,
        FailKind::BadResponse,
        FailKind::UnsafeUrl,
        FailKind::TimedOut,
        FailKind::Rejected,
    ];
}

/// Why an export failed: a kind, plus the server's own words when it gave any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The kind.
    pub kind: FailKind,
    /// HTTP status, when one is involved.
    pub status: Option<u16>,
    /// The server's message, shown to the user as plain text.
    pub detail: Option<String>,
}

impl Failure {
    /// A failure of `kind` with no details.
    pub fn new(kind: FailKind) -> Failure {
        Failure { kind, status: None, detail: None }
    }

    /// Adds the server's message (ignored when blank; capped at 200 characters).
    pub fn detail(mut self, detail: Option<&str>) -> Failure {
        self.detail = words(detail);
        self
    }

    /// Adds the HTTP status.
    pub fn status(mut self, status: u16) -> Failure {
        self.status = Some(status);
        self
    }

    /// What failed, in English, with the HTTP status and the server's words (the text of
    /// `Display`, built without `core::fmt`, which the wasm does not carry).
    pub fn message(&self) -> String {
        let what = match self.kind {
            FailKind::Server => "the server reported an error",
            FailKind::Http => "the server answered with an HTTP error",
            FailKind::Network => "the server could not be reached",
            FailKind::BadResponse => "the server's answers could not be read",
            FailKind::UnsafeUrl => "the download URL is not http(s)",
            FailKind::TimedOut => "the export did not finish in time",
            FailKind::Rejected => "the server refused the export",
        };
        let mut out = String::from(what);
        if let Some(s) = self.status {
            out.push_str(" (HTTP ");
            small_std::push_uint(&mut out, u64::from(s));
            out.push(')');
        }
        with_words(out, self.detail.as_deref())
    }
}

/// The server's words as shown to the user: trimmed, none when blank, at most 200 characters.
fn words(detail: Option<&str>) -> Option<String> {
    detail.map(str::trim).filter(|d| !d.is_empty()).map(|d| d.chars().take(200).collect())
}

/// `text`, then `: ` and the server's words if there are any.
fn with_words(mut text: String, detail: Option<&str>) -> String {
    if let Some(d) = detail {
        text.push_str(": ");
        text.push_str(d);
    }
    text
}

/// The server ended the job: it reported it cancelled, expired or found invalid. Not a failure of
/// the export, an outcome of its own ([`Status::Cancelled`](crate::Status::Cancelled)), with the
/// server's words when it gave any.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Cancellation {
    /// The server's words, shown to the user as plain text.
    pub detail: Option<String>,
}

impl Cancellation {
    /// A cancellation with the server's words (ignored when blank; capped at 200 characters).
    pub fn new(detail: Option<&str>) -> Cancellation {
        Cancellation { detail: words(detail) }
    }

    /// What happened, in English, with the server's words (the text of `Display`, built without
    /// `core::fmt`, which the wasm does not carry).
    pub fn message(&self) -> String {
        with_words("the export was cancelled on the server".to_owned(), self.detail.as_deref())
    }
}

impl fmt::Display for Cancellation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}
