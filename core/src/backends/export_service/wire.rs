//! The wire types, as the mock backend writes and reads them (with serde, the `serde` feature).
//!
//! The adapter does not use them: it reads an answer field by field from [`Json`](crate::json::Json),
//! which keeps serde out of the widget and tolerates what a real server varies. What keeps the two
//! in step is the mock backend's tests, which run the export machine with this adapter against
//! answers made from these types.

use std::collections::BTreeMap;

/// `{errcode, msg, data, request_id}`.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Envelope<T> {
    /// 0 on success.
    pub errcode: i64,
    /// A message, for errors.
    pub msg: String,
    /// The payload.
    pub data: Option<T>,
    /// The request's id, for the service's logs.
    pub request_id: String,
}

/// `source_http` of `POST /v1/export/http`.
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SourceHttp {
    /// The paged source.
    pub url: String,
    /// `GET` or `POST`.
    pub method: String,
    /// Headers for the source's requests.
    #[cfg_attr(feature = "serde", serde(default))]
    pub header: BTreeMap<String, String>,
    /// Paging.
    pub param: PageParam,
}

/// `source_http.param`.
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PageParam {
    /// Rows per page.
    pub limit: u32,
}

/// The body of both start endpoints (`source_http` for `/http`, `source_raw` for `/raw`).
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ExportRequest {
    /// Seconds since the epoch, when the caller knows it.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub timestamp: Option<i64>,
    /// `XLSX` or `CSV`.
    pub ext_type: String,
    /// The job's title.
    pub title: String,
    /// The exporter.
    pub user_id: String,
    /// Result callback URL (may be empty).
    #[cfg_attr(feature = "serde", serde(default))]
    pub callback: String,
    /// The paged source (`/v1/export/http`).
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub source_http: Option<SourceHttp>,
    /// The rows as a JSON text, first row the header (`/v1/export/raw`).
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub source_raw: Option<String>,
}

/// `data` of a start answer.
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Created {
    /// The job's key.
    pub hash_key: String,
}

/// `data` of `GET /v1/export/detail`, and an entry of the history.
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Detail {
    /// RFC 3339 creation time.
    pub created_at: String,
    /// The file, once status is 2 (absent from the history).
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub down_url: Option<String>,
    /// `XLSX` or `CSV`.
    pub ext_type: String,
    /// Why it failed (status 3).
    pub fail_reason: String,
    /// The job's key.
    pub hash_key: String,
    /// A sequential id.
    pub id: u64,
    /// `http` or `raw`.
    pub source_type: String,
    /// 1 processing, 2 success, 3 failed, 4 cancelled.
    pub status: i64,
    /// The job's title.
    pub title: String,
}

/// `data.pagetag` of the paged source.
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PageTag {
    /// This page (from 1).
    pub page: u64,
    /// Rows per page.
    pub limit: u64,
    /// Rows in all.
    pub total: u64,
    /// Pages in all.
    pub total_page: u64,
}
