//! The wire types, as the mock backend writes and reads them (with serde, the `serde` feature).
//!
//! The adapter does not use them: it reads an answer field by field from [`Json`](crate::json::Json),
//! which keeps serde out of the widget and tolerates what a real server varies. What keeps the two
//! in step is the mock backend's tests, which run the export machine with this adapter against
//! answers made from these types.

/// `{code, message, result}`.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Envelope<T> {
    /// 0 on success.
    pub code: i64,
    /// A message, for errors.
    pub message: String,
    /// The payload.
    pub result: Option<T>,
}

/// The start/url endpoint's `result`.
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct UrlResult {
    /// The file's URL once ready; `None` (null) before.
    pub url: Option<String>,
    /// The file's name.
    pub filename: Option<String>,
}

/// The progress endpoint's `result`.
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct ProgressResult {
    /// A backend-specific code; not interpreted.
    pub ret_code: i64,
    /// Units done.
    pub loaded: i64,
    /// Units in all.
    pub total: i64,
    /// A message.
    pub message: String,
    /// Backend-specific data; not interpreted.
    pub data: Option<String>,
    /// Extra fields.
    pub extra: ProgressExtra,
}

/// `result.extra` of a progress answer.
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ProgressExtra {
    /// The file's name.
    pub filename: Option<String>,
}
