//! The wire types, as the mock backend writes and reads them (with serde, the `serde` feature).
//!
//! The adapter does not use them: it reads an answer field by field from [`Json`](crate::json::Json),
//! which keeps serde out of the widget and tolerates what a real server varies. What keeps the two
//! in step is the mock backend's tests, which run the export machine with this adapter against
//! answers made from these types.

/// The body of `POST …/export/`.
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CreateJob {
    /// `csv`, `json` or `xlsx`.
    pub file_type: String,
    /// `all` or `part`.
    pub mode: String,
    /// Fields to leave out.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub exclude_keys: Option<Vec<String>>,
    /// Fields to keep (all when absent).
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub include_keys: Option<Vec<String>>,
    /// Sort fields, `-` for descending.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub order_by: Option<Vec<String>>,
    /// CSV column names.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub csv_customize_headers: Option<Vec<String>>,
    /// Fields to convert to time.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub timestamp_convert_keys: Option<Vec<String>>,
}

/// `{status: "ok", job_id}`.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Created {
    /// `"ok"`.
    pub status: String,
    /// The job's id.
    pub job_id: String,
}

/// A job.
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Job {
    /// Created at, seconds since the epoch.
    pub created_at: i64,
    /// The file, once `finish`.
    pub download_url: Option<String>,
    /// Its name, once `finish`.
    pub file_name: Option<String>,
    /// `csv`, `json` or `xlsx`.
    pub file_type: String,
    /// The job's id.
    pub job_id: String,
    /// Always `export`.
    pub operation: String,
    /// `pending`, `ready` or `finish`.
    pub status: String,
    /// Last updated at, seconds since the epoch.
    pub updated_at: i64,
}

/// `meta` of the job list.
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Meta {
    /// Page size.
    pub limit: u64,
    /// The next page's URL.
    pub next: Option<String>,
    /// This page's offset.
    pub offset: u64,
    /// The previous page's URL.
    pub previous: Option<String>,
    /// Jobs in all.
    pub total_count: u64,
}

/// `{meta, objects}`.
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct JobList {
    /// Paging.
    pub meta: Meta,
    /// This page.
    pub objects: Vec<Job>,
}
